#!/usr/bin/python3
"""Accuracy of the Fashion-MNIST model through the compiler, per calibrator.

Runs the whole pipeline with the tools in --bin:

  quant-translate --import-onnx model.onnx            float graph
  quant-opt --qnt-fold-batch-norm --qnt-fuse-activations --qnt-insert-observers
  quant-calibrate --data <first 1000 training images>  calibrated graph
  quant-opt --qnt-quantize="calibration=<c>"            fake-quant graph, per c
  quant-run on all 10,000 test images                   float and simulated int8

and prints (and with --markdown, writes) a table: accuracy, agreement of the
top-1 predictions with the float model, and the same for PyTorch's own
post-training quantization of the model (pytorch_ptq.py) when --pytorch-json
is given.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "utils", "models"))
from fashion_mnist import load  # noqa: E402

CALIBRATORS = ["minmax", "ema", "percentile", "entropy", "mse"]


def run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        sys.exit(f"command failed ({result.returncode}): {' '.join(command)}\n"
                 f"{result.stderr}")
    return result


def predict(bin_dir, module, images, work, name):
    out = os.path.join(work, name + ".npy")
    run([os.path.join(bin_dir, "quant-run"), module, "--input", images,
         "--output", out])
    return np.load(out).argmax(axis=1)


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
    args = parser.parse_args()
    tool = lambda name: os.path.join(args.bin, name)  # noqa: E731

    start = time.time()
    with tempfile.TemporaryDirectory() as work:
        calib, _ = load("train", args.calibration_images)
        test, labels = load("test", args.test_images)
        np.save(f"{work}/calib.npy", calib)
        np.save(f"{work}/test.npy", test)

        run([tool("quant-translate"), "--import-onnx", args.model, "-o",
             f"{work}/float.mlir"])
        run([tool("quant-opt"), f"{work}/float.mlir", "--qnt-fold-batch-norm",
             "--qnt-fuse-activations", "-o", f"{work}/folded.mlir"])
        run([tool("quant-opt"), f"{work}/folded.mlir",
             "--qnt-insert-observers", "-o", f"{work}/observed.mlir"])
        run([tool("quant-calibrate"), f"{work}/observed.mlir", "--data",
             f"{work}/calib.npy", "-o", f"{work}/calibrated.mlir"])

        rows = []
        float_pred = predict(args.bin, f"{work}/folded.mlir",
                             f"{work}/test.npy", work, "float")
        rows.append(("ours", "float", (float_pred == labels).mean(), 1.0))
        for calibrator in CALIBRATORS:
            fq = f"{work}/fq-{calibrator}.mlir"
            run([tool("quant-opt"), f"{work}/calibrated.mlir",
                 f"--qnt-quantize=calibration={calibrator}", "-o", fq])
            pred = predict(args.bin, fq, f"{work}/test.npy", work, calibrator)
            rows.append(("ours", f"int8 simulated, {calibrator}",
                         (pred == labels).mean(),
                         (pred == float_pred).mean()))
            if args.int8:
                native = f"{work}/int-{calibrator}.mlir"
                run([tool("quant-opt"), fq, "--convert-qnt-to-linalg", "-o",
                     native])
                out = predict(args.bin, native, f"{work}/test.npy", work,
                              "int-" + calibrator)
                rows.append(("ours", f"int8 native, {calibrator}",
                             (out == labels).mean(),
                             (out == float_pred).mean()))

    if args.pytorch_json:
        with open(args.pytorch_json) as f:
            torch_numbers = json.load(f)
        for key, label in [
                ("pytorch_float", "float"),
                ("pytorch_ptq_minmax_per_tensor",
                 "int8 PTQ, MinMax per-tensor (onednn)"),
                ("pytorch_ptq_histogram_per_channel",
                 "int8 PTQ, Histogram + per-channel weights (onednn)")]:
            if key in torch_numbers:
                agreement = torch_numbers.get("agreement", {}).get(key)
                rows.append(("PyTorch " + torch_numbers.get("torch", ""),
                             label, torch_numbers[key], agreement))

    seconds = time.time() - start
    lines = [
        f"Fashion-MNIST, {args.test_images} test images; calibration on the "
        f"first {args.calibration_images} training images; activations u8 "
        "affine, weights i8 symmetric per channel (ours).",
        "",
        "| system | model | top-1 accuracy | agreement with float |",
        "|---|---|---|---|",
    ]
    for system, model, acc, agree in rows:
        agree_text = "-" if agree is None else f"{agree * 100:.2f}%"
        lines.append(f"| {system} | {model} | {acc * 100:.2f}% | {agree_text} |")
    table = "\n".join(lines)
    print(table)
    print(f"\n(evaluated in {seconds:.0f} s)")
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(table + "\n")
    if args.json:
        with open(args.json, "w") as f:
            json.dump([{"system": s, "model": m, "accuracy": a,
                        "agreement": g} for s, m, a, g in rows], f, indent=1)


if __name__ == "__main__":
    main()
