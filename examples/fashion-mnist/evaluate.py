#!/usr/bin/python3
"""Accuracy, size and latency of the Fashion-MNIST model through the compiler.

Runs the whole pipeline with the tools in --bin:

  quant-translate --import-onnx model.onnx            float graph
  quant-opt --qnt-fold-batch-norm --qnt-fuse-activations --qnt-insert-observers
  quant-calibrate --data <first 1000 training images>  calibrated graph
  quant-opt --qnt-quantize="calibration=<c>"            fake-quant graph, per c
  quant-opt --convert-qnt-to-linalg                     integer graph (--int8)
  quant-run on all 10,000 test images                   float, simulated and
                                                        native int8

and prints (and with --markdown, writes) one table: accuracy, agreement of the
top-1 predictions with the float model, bytes of the model's constants, and
with --latency the single-thread latency at batch 1 and 64 (quant-run
--bench), next to the same for PyTorch's own post-training quantization of
the model (pytorch_ptq.py [--bench]) when --pytorch-json is given.

Constants: the bytes of every constant tensor of the module (tosa.const and
arith.constant with a tensor type, dense or dense_resource: element count x
element width) of the float module after --qnt-fold-batch-norm and of the
integer module after --convert-qnt-to-linalg. tosa.const_shape (shapes, not
data) and scalar constants (immediates of the generated code) are not counted.

Latency: the batch-64 modules come from a copy of model.onnx whose batch
dimension is symbolic, imported with --batch-size 64 and run through the same
passes and the same calibration data (the statistics are checked to be those
of the batch-1 model, and the batch-64 outputs those of the batch-1 model on
the first 64 test images). quant-run --bench N runs one warm-up, then N timed
runs of one batch, and reports their median; the JIT-compiled code is single-
threaded.
"""
import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "utils", "models"))
from fashion_mnist import load  # noqa: E402

CALIBRATORS = ["minmax", "ema", "percentile", "entropy", "mse"]
# --qnt-quantize's default calibrator and onednn's default qconfig: the pair
# the ratios under the table compare.
OURS_INT8 = "int8 native, minmax"
PYTORCH_INT8 = "int8 PTQ, Histogram + per-channel weights (onednn)"
# Timed runs per batch size, as pytorch_ptq.py's BENCH_RUNS.
BENCH_RUNS = {1: 200, 64: 20}
PYTORCH_ROWS = [
    ("pytorch_float", "float"),
    ("pytorch_ptq_minmax_per_tensor", "int8 PTQ, MinMax per-tensor (onednn)"),
    ("pytorch_ptq_histogram_per_channel", PYTORCH_INT8),
]

START = time.time()


def log(message):
    print(f"[{time.time() - START:5.0f} s] {message}", file=sys.stderr,
          flush=True)


def run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"command failed ({result.returncode}): {' '.join(command)}\n"
                 f"{result.stderr}")
    return result


# One constant op of the generic form, its result type last:
#   %3 = "tosa.const"() <{values = dense_resource<__elided__> : ...}> : ()
#        -> tensor<16x3x3x1xi8> loc(#loc2)
CONSTANT = re.compile(r'"(tosa\.const|arith\.constant)"\(\).*: \(\) -> '
                      r'(tensor<[^>]*>|[\w.]+)( loc\(.*\))?$')
ELEMENT_BYTES = {"f16": 2, "bf16": 2, "f32": 4, "f64": 8}


def element_bytes(element):
    if element in ELEMENT_BYTES:
        return ELEMENT_BYTES[element]
    match = re.fullmatch(r"[su]?i(\d+)", element)
    if not match:
        raise ValueError(f"no byte width for element type {element}")
    return (int(match.group(1)) + 7) // 8


def constant_bytes(bin_dir, module):
    """{element type: bytes} of the module's constant tensors."""
    text = run([os.path.join(bin_dir, "quant-opt"), module,
                "--mlir-print-op-generic",
                "--mlir-elide-elementsattrs-if-larger=16",
                "--mlir-elide-resource-strings-if-larger=16"]).stdout
    sizes = {}
    for line in text.splitlines():
        match = CONSTANT.search(line)
        if not match:
            # Data anywhere else would be missed: only shapes may be there.
            if re.search(r"dense(_resource)?<", line) and \
                    '"tosa.const_shape"' not in line:
                raise ValueError(f"{module}: uncounted data: {line.strip()}")
            continue
        kind = match.group(2)
        if not kind.startswith("tensor<"):
            continue  # a scalar: an immediate, not stored data
        *dims, element = kind[len("tensor<"):-1].split("x")
        if not all(d.isdigit() for d in dims):
            raise ValueError(f"{module}: constant of dynamic shape {kind}")
        count = int(np.prod([int(d) for d in dims]))
        sizes[element] = sizes.get(element, 0) + count * element_bytes(element)
    return sizes


def observer_stats(module):
    """The #qnt.stats attributes of a calibrated module, in order."""
    with open(module) as f:
        return re.findall(r"#qnt\.stats<[^>]*>", f.read())


def with_symbolic_batch(model, out):
    """Writes model with its inputs' and outputs' leading dimension made
    symbolic, so that quant-translate --batch-size sets it; nodes and
    initializers are unchanged."""
    import onnx
    proto = onnx.load(model)
    for value in list(proto.graph.input) + list(proto.graph.output):
        dim = value.type.tensor_type.shape.dim[0]
        dim.ClearField("dim_value")
        dim.dim_param = "batch"
    del proto.graph.value_info[:]
    onnx.save(proto, out)


def bench(bin_dir, module, images, runs, out):
    """(median, min) latency in ms of quant-run --bench on one batch."""
    text = run([os.path.join(bin_dir, "quant-run"), module, "--input", images,
                "--bench", str(runs), "--output", out]).stdout
    match = re.search(r"latency: median ([\d.]+) ms, min ([\d.]+) ms", text)
    if not match:
        sys.exit(f"no latency in the output of quant-run {module}:\n{text}")
    return float(match.group(1)), float(match.group(2))


def ms(value):
    if value is None:
        return "-"
    return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--model", default=os.path.join(HERE, "model.onnx"))
    parser.add_argument("--calibration-images", type=int, default=1000)
    parser.add_argument("--test-images", type=int, default=10000)
    parser.add_argument("--pytorch-json", help="output of pytorch_ptq.py")
    parser.add_argument("--markdown", help="write the table here")
    parser.add_argument("--json", help="write the numbers here")
    parser.add_argument("--int8", action="store_true",
                        help="also lower each fake-quant graph with "
                        "--convert-qnt-to-linalg and run the integer program")
    parser.add_argument("--latency", action="store_true",
                        help="time the float and integer programs at batch "
                        "1 and 64 (quant-run --bench)")
    parser.add_argument("--jobs", type=int,
                        default=len(os.sched_getaffinity(0)),
                        help="quant-run accuracy runs in parallel (the "
                        "timed runs are always alone)")
    args = parser.parse_args()
    tool = lambda name: os.path.join(args.bin, name)  # noqa: E731
    if args.latency and args.test_images < max(BENCH_RUNS):
        sys.exit(f"--latency needs at least {max(BENCH_RUNS)} test images")

    with tempfile.TemporaryDirectory() as work:
        calib, _ = load("train", args.calibration_images)
        test, labels = load("test", args.test_images)
        np.save(f"{work}/calib.npy", calib)
        np.save(f"{work}/test.npy", test)

        # Batch 1 for accuracy (any test-set size), batch 64 for its latency.
        batches = [1] + ([64] if args.latency else [])
        for batch in batches:
            model = args.model
            if batch != 1:
                model = f"{work}/model-batch.onnx"
                with_symbolic_batch(args.model, model)
            b = f"{work}/b{batch}"
            run([tool("quant-translate"), "--import-onnx", model,
                 "--batch-size", str(batch), "-o", f"{b}-float.mlir"])
            run([tool("quant-opt"), f"{b}-float.mlir", "--qnt-fold-batch-norm",
                 "--qnt-fuse-activations", "-o", f"{b}-folded.mlir"])
            run([tool("quant-opt"), f"{b}-folded.mlir",
                 "--qnt-insert-observers", "-o", f"{b}-observed.mlir"])
            run([tool("quant-calibrate"), f"{b}-observed.mlir", "--data",
                 f"{work}/calib.npy", "-o", f"{b}-calibrated.mlir"])
            for calibrator in CALIBRATORS:
                run([tool("quant-opt"), f"{b}-calibrated.mlir",
                     f"--qnt-quantize=calibration={calibrator}", "-o",
                     f"{b}-fq-{calibrator}.mlir"])
                if args.int8:
                    run([tool("quant-opt"), f"{b}-fq-{calibrator}.mlir",
                         "--convert-qnt-to-linalg", "-o",
                         f"{b}-int-{calibrator}.mlir"])
            log(f"batch {batch}: imported, folded, calibrated on "
                f"{len(calib)} images, quantized with {len(CALIBRATORS)} "
                "calibrators" + (", lowered to integers" if args.int8 else ""))
        if args.latency and observer_stats(f"{work}/b1-calibrated.mlir") != \
                observer_stats(f"{work}/b64-calibrated.mlir"):
            sys.exit("the batch-64 model's calibration statistics differ "
                     "from the batch-1 model's")

        # name -> module; every one runs on the whole test set.
        programs = {"float": f"{work}/b1-folded.mlir"}
        for calibrator in CALIBRATORS:
            programs[f"int8 simulated, {calibrator}"] = \
                f"{work}/b1-fq-{calibrator}.mlir"
            if args.int8:
                programs[f"int8 native, {calibrator}"] = \
                    f"{work}/b1-int-{calibrator}.mlir"
        outputs = {name: f"{work}/out-{i}.npy"
                   for i, name in enumerate(programs)}

        def evaluate(name):
            run([tool("quant-run"), programs[name], "--input",
                 f"{work}/test.npy", "--output", outputs[name]])
            return name

        log(f"running {len(programs)} programs on {len(test)} test images, "
            f"{args.jobs} at a time")
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            for name in pool.map(evaluate, programs):
                log(f"  {name}: done")
        logits = {name: np.load(out) for name, out in outputs.items()}
        pred = {name: out.argmax(axis=1) for name, out in logits.items()}

        rows = []
        for name in programs:
            row = {"system": "ours", "model": name,
                   "accuracy": float((pred[name] == labels).mean()),
                   "agreement": float((pred[name] == pred["float"]).mean()),
                   "size_bytes": None, "size_by_type": None,
                   "latency_ms": {}}
            if name == "float" or name.startswith("int8 native"):
                row["size_by_type"] = constant_bytes(args.bin, programs[name])
                row["size_bytes"] = sum(row["size_by_type"].values())
            rows.append(row)

        if args.latency:
            for batch in BENCH_RUNS:
                np.save(f"{work}/x{batch}.npy", test[:batch])
            for row in rows:
                name = row["model"]
                if "simulated" in name:
                    continue
                suffix = "folded" if name == "float" else \
                    "int-" + name.split(", ")[1]
                for batch, runs in BENCH_RUNS.items():
                    out = f"{work}/bench-{batch}.npy"
                    median, low = bench(
                        args.bin, f"{work}/b{batch}-{suffix}.mlir",
                        f"{work}/x{batch}.npy", runs, out)
                    row["latency_ms"][str(batch)] = {"median": median,
                                                     "min": low}
                    # The batch-64 program must be the batch-1 program.
                    got, want = np.load(out), logits[name][:batch]
                    same = np.array_equal(got, want) if name != "float" else \
                        np.allclose(got, want, rtol=1e-5, atol=1e-5)
                    if not same:
                        sys.exit(f"{name}: batch {batch} outputs differ from "
                                 "the batch-1 outputs")
                log(f"  {name}: latency " + ", ".join(
                    f"batch {b} {ms(v['median'])}"
                    for b, v in row["latency_ms"].items()))

    if args.pytorch_json:
        with open(args.pytorch_json) as f:
            torch_numbers = json.load(f)
        for key, label in PYTORCH_ROWS:
            if key in torch_numbers:
                rows.append({
                    "system": "PyTorch " + torch_numbers.get("torch", ""),
                    "model": label, "accuracy": torch_numbers[key],
                    "agreement": torch_numbers.get("agreement", {}).get(key),
                    "size_bytes": torch_numbers.get("size_bytes", {}).get(key),
                    "latency_ms": torch_numbers.get("latency_ms",
                                                    {}).get(key, {})})

    lines = [
        f"Fashion-MNIST, {args.test_images} test images; calibration on the "
        f"first {args.calibration_images} training images; activations u8 "
        "affine, weights i8 symmetric per channel (ours). Constants: bytes of "
        "the model's weights, biases and quantization constants. Latency: "
        "median, 1 thread.",
        "",
        "| system | model | top-1 accuracy | agreement with float | constants "
        "| latency batch 1 | latency batch 64 |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        agree = row["agreement"]
        size = row["size_bytes"]
        lat = row["latency_ms"]
        lines.append(
            f"| {row['system']} | {row['model']}"
            f" | {row['accuracy'] * 100:.2f}%"
            f" | {'-' if agree is None else f'{agree * 100:.2f}%'}"
            f" | {'-' if size is None else f'{size:,} B'}"
            f" | {ms(lat.get('1', {}).get('median'))}"
            f" | {ms(lat.get('64', {}).get('median'))} |")
    lines += ratios(rows)
    table = "\n".join(lines)
    print(table)
    print(f"\n(evaluated in {time.time() - START:.0f} s)")
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(table + "\n")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


def ratios(rows):
    """Lines comparing our integer program with our float program and with
    PyTorch's, for what was measured."""
    def find(system, model):
        for row in rows:
            if row["system"].startswith(system) and row["model"] == model:
                return row
        return None

    ours_f, ours_q = find("ours", "float"), find("ours", OURS_INT8)
    torch_f, torch_q = find("PyTorch", "float"), find("PyTorch", PYTORCH_INT8)
    if ours_q is None:
        return []

    def ratio(a, b, get):
        x = get(a) if a else None
        y = get(b) if b else None
        return None if x is None or y is None else x / y

    which = f"ours int8 = \"{OURS_INT8}\""
    if torch_q:
        which += f", PyTorch int8 = \"{PYTORCH_INT8}\""
    lines = ["", f"Ratios, {which}:", ""]
    size = lambda r: r["size_bytes"]  # noqa: E731
    parts = [(f"ours int8 / ours float {v:.3f}" if k == 0 else
              f"PyTorch int8 / PyTorch float {v:.3f}")
             for k, v in enumerate([ratio(ours_q, ours_f, size),
                                    ratio(torch_q, torch_f, size)])
             if v is not None]
    if parts:
        lines.append("- constants: " + "; ".join(parts))
    def by_type(row):
        sizes = sorted(row["size_by_type"].items(), key=lambda kv: -kv[1])
        return ", ".join(f"{t} {b:,} B" for t, b in sizes)
    if ours_f and ours_f["size_by_type"] and ours_q["size_by_type"]:
        lines.append(f"- constants by element type: ours float "
                     f"{by_type(ours_f)}; ours int8 {by_type(ours_q)}")
    for batch in BENCH_RUNS:
        def median(r, b=str(batch)):
            return r["latency_ms"].get(b, {}).get("median")
        parts = []
        for label, a, b in [("ours int8 / ours float", ours_q, ours_f),
                            ("ours int8 / PyTorch int8", ours_q, torch_q),
                            ("ours float / PyTorch float", ours_f, torch_f),
                            ("PyTorch int8 / PyTorch float", torch_q,
                             torch_f)]:
            v = ratio(a, b, median)
            if v is not None:
                parts.append(f"{label} {v:.2f}")
        if parts:
            lines.append(f"- latency at batch {batch} (time ratio, > 1 is "
                         "slower): " + "; ".join(parts))
    return lines if len(lines) > 3 else []


if __name__ == "__main__":
    main()
