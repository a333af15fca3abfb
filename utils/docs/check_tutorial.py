#!/usr/bin/python3
"""Runs the commands of docs/Tutorial.md and checks its IR excerpts.

  check_tutorial.py --bin BUILD/bin --work DIR [docs/Tutorial.md]

Every ```sh block runs, in order, as one bash script from the repository
root, with `export T=/tmp/qnt-tutorial` pointing at DIR instead and
`build/bin/` at --bin. Every ```mlir block after a line
`<!-- excerpt: FILE -->` must be what the tools print for $T/FILE, viewed as
the tutorial says (quant-opt --mlir-print-debuginfo=false
--mlir-elide-elementsattrs-if-larger=4): its pieces between `...` must
appear in that order, whitespace (the tutorial wraps long lines) and float
digits beyond the fourth significant one ignored, so that the excerpts stay
true to the tools and do not depend on the last bits of float sums.
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
WORK_LINE = "export T=/tmp/qnt-tutorial"
VIEW = ["--mlir-print-debuginfo=false",
        "--mlir-elide-elementsattrs-if-larger=4"]
FLOAT = re.compile(r"(?<![\w.])-?\d+\.\d+(?:[eE][-+]?\d+)?(?![\w.])")


def normalize(text):
    text = FLOAT.sub(lambda m: f"{float(m.group(0)):.4g}", text)
    return " ".join(text.split())


def parse(path):
    """(sh blocks, [(file, excerpt, line)]) of the markdown file."""
    commands, excerpts = [], []
    target = None
    block, kind, start = None, None, 0
    with open(path) as f:
        lines = f.read().splitlines()
    for number, line in enumerate(lines, 1):
        if block is None:
            match = re.fullmatch(r"<!-- excerpt: (\S+) -->", line.strip())
            if match:
                target = match.group(1)
            elif line.startswith("```"):
                block, kind, start = [], line[3:].strip(), number
            continue
        if line.startswith("```"):
            if kind == "sh":
                commands.append("\n".join(block))
            elif kind == "mlir" and target:
                excerpts.append((target, "\n".join(block), start))
            if kind == "mlir":
                target = None
            block = None
            continue
        block.append(line)
    return commands, excerpts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("tutorial", nargs="?",
                        default=os.path.join(ROOT, "docs", "Tutorial.md"))
    args = parser.parse_args()
    work, bin_dir = os.path.abspath(args.work), os.path.abspath(args.bin)
    commands, excerpts = parse(args.tutorial)
    if not commands or not excerpts:
        sys.exit(f"{args.tutorial}: no ```sh commands or no excerpts found")

    script = "\n".join(commands)
    if script.count(WORK_LINE) != 1:
        sys.exit(f"{args.tutorial}: expected one line `{WORK_LINE}`")
    script = script.replace(WORK_LINE, f"export T={work}")
    script = script.replace("build/bin/", bin_dir + "/")
    os.makedirs(work, exist_ok=True)
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script],
                            cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"the tutorial's commands failed ({result.returncode}):\n"
                 f"{result.stdout}\n{result.stderr}")

    failures = 0
    views = {}
    for target, excerpt, line in excerpts:
        if target not in views:
            view = subprocess.run(
                [os.path.join(bin_dir, "quant-opt"),
                 os.path.join(work, target)] + VIEW,
                capture_output=True, text=True, check=True).stdout
            views[target] = normalize(view)
        view, position = views[target], 0
        for piece in excerpt.split("..."):
            piece = normalize(piece)
            if not piece:
                continue
            found = view.find(piece, position)
            if found < 0:
                print(f"{args.tutorial}:{line}: excerpt of {target} not in "
                      f"the tools' output (in this order):\n  {piece}")
                failures += 1
                break
            position = found + len(piece)
    print(f"{len(commands)} command blocks ran; {len(excerpts)} excerpts, "
          f"{failures} stale")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
