#!/usr/bin/env python3
"""Per-kernel A/B timing of two builds of the same program.

Runs `quant-run A --bench N --profile` and the same for B alternately, in
several rounds (one process each, the order swapped every round, so that a
slow spell of a shared host falls on both), and prints per kernel the
minimum over the rounds of its time per run for A and B, the difference,
and the sum over the kernels. A and B are modules of the same network
(e.g. one lowered with `quant-opt --qnt-lower-to-llvm=narrow=pack`, the
other with `narrow=each`); their kernels are matched by name.

  utils/bench/compare_profiles.py --bin build/bin A.mlir B.mlir --input x.npy
"""

import argparse
import collections
import os
import re
import subprocess
import sys

ROW = re.compile(r"\s+([\d.]+)\s+[\d.]+%\s+[\d.]+%\s+\d+\s+\d+\s+(\S+)")
LATENCY = re.compile(r"latency: median ([\d.]+) ms")


def profile(tool, module, x, runs):
    done = subprocess.run([tool, module, "--input", x, "--bench", str(runs),
                           "--profile"], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"quant-run {module} failed:\n{done.stderr}")
    kernels = collections.defaultdict(float)
    for line in done.stdout.splitlines():
        if match := ROW.match(line):
            kernels[match.group(2)] += float(match.group(1))
    latency = LATENCY.search(done.stdout)
    if not kernels or not latency:
        sys.exit(f"no profile in the output of quant-run {module}")
    return kernels, float(latency.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--input", required=True)
    parser.add_argument("--bin", default="build/bin")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    tool = os.path.join(args.bin, "quant-run")
    best = {args.a: {}, args.b: {}}
    medians = {args.a: [], args.b: []}
    for r in range(args.rounds):
        order = (args.a, args.b) if r % 2 == 0 else (args.b, args.a)
        for module in order:
            kernels, latency = profile(tool, module, args.input, args.runs)
            medians[module].append(latency)
            for name, ms in kernels.items():
                best[module][name] = min(best[module].get(name, ms), ms)
    a, b = best[args.a], best[args.b]
    names = sorted(set(a) | set(b), key=lambda k: b.get(k, 0) - a.get(k, 0))
    shown = names[:args.top] + [n for n in names[-args.top:]
                                if n not in names[:args.top]]
    print(f"{'A ms':>8} {'B ms':>8} {'B - A':>8}  kernel (minimum over "
          f"{args.rounds} rounds of {args.runs} runs)")
    for name in shown:
        print(f"{a.get(name, 0):8.4f} {b.get(name, 0):8.4f} "
              f"{b.get(name, 0) - a.get(name, 0):+8.4f}  {name}")
    print(f"sum of the kernels' minima: A {sum(a.values()):.4f} ms, "
          f"B {sum(b.values()):.4f} ms")
    for label, module in (("A", args.a), ("B", args.b)):
        print(f"{label} medians per round: "
              + ", ".join(f"{m:.3f}" for m in medians[module]) + " ms")


if __name__ == "__main__":
    main()
