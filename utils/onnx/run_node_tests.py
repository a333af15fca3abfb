#!/usr/bin/python3
"""Conformance driver: runs ONNX backend node tests through the compiler.

For every node test of Debian's libonnx-testdata whose operator the importer
supports, it binds all inputs but the data input(s) as constants
(initializers), imports the model with `quant-translate --import-onnx`, runs
it with `quant-run` on the test's input .pb files, and compares the outputs
with the expected ones (rtol 1e-4, atol 1e-5, as ONNX's backend tests).
Tests of the quantization operators also run as the integer program
(`quant-opt --convert-qnt-to-linalg`), which must match too.

Each test ends as
  PASS      the outputs match;
  FAIL      the outputs differ, or a tool crashed or failed without a
            diagnostic;
  REJECTED  the importer refused the model with a diagnostic (exit 1), e.g. a
            uint8 Add or a 3-D pooling: a documented limitation, not a bug.

Tests listed in EXPECTED_PASS must pass; the script exits 1 if any test FAILs
or an expected one does not pass. It prints a table and a summary line.
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

TESTDATA = "/usr/share/libonnx-testdata/data/node"

# Operators whose node tests are run, and how many leading inputs are data
# (the rest are bound as constants). None = all inputs are data; a tuple
# lists the indices of the data inputs.
OPERATORS = {
    "Conv": 1, "BatchNormalization": 1, "Relu": 1, "Clip": 1,
    "LeakyRelu": 1, "Sigmoid": 1, "Add": None, "Sub": None, "Mul": None,
    "Div": None, "Concat": None, "MaxPool": 1, "AveragePool": 1,
    "GlobalAveragePool": 1, "ReduceMean": 1, "Gemm": 1, "MatMul": None,
    "Flatten": 1, "Reshape": 1, "Transpose": 1, "Squeeze": 1,
    "Unsqueeze": 1, "Pad": 1, "Softmax": 1, "Identity": 1, "Constant": 0,
    # Quantization: scales and zero points are constants, and so are conv
    # weights; both matmul operands are data.
    "QuantizeLinear": 1, "DequantizeLinear": 1, "QLinearConv": 1,
    "ConvInteger": 1, "QLinearMatMul": (0, 3), "MatMulInteger": (0, 1),
}

# Operators whose tests also run through the integer lowering.
INTEGER_LOWERING = {"QuantizeLinear", "DequantizeLinear", "QLinearConv",
                    "ConvInteger", "QLinearMatMul", "MatMulInteger"}

# Node tests that must pass (the rest of the tests of these operators may be
# rejected with a diagnostic). Kept explicit so a regression cannot hide as a
# rejection.
EXPECTED_PASS_FILE = os.path.join(os.path.dirname(__file__),
                                  "expected_node_tests.txt")


def load_tensor(path):
    proto = onnx.TensorProto()
    with open(path, "rb") as f:
        proto.ParseFromString(f.read())
    return numpy_helper.to_array(proto)


def bind_constants(model, inputs, num_data):
    """Turns graph inputs but the data inputs into initializers: all but the
    first `num_data`, or all but the indices in a tuple `num_data`."""
    graph = model.graph
    initialized = {init.name for init in graph.initializer}
    real_inputs = [i for i in graph.input if i.name not in initialized]
    if num_data is None:
        data = set(range(len(real_inputs)))
    elif isinstance(num_data, tuple):
        data = set(num_data)
    else:
        data = set(range(num_data))
    keep, data_files = [], []
    for index, value_info in enumerate(real_inputs):
        if index in data:
            keep.append(value_info)
            data_files.append(inputs[index])
        else:
            array = load_tensor(inputs[index])
            graph.initializer.append(
                numpy_helper.from_array(array, value_info.name))
    del graph.input[:]
    graph.input.extend(keep)
    return data_files


def run_test(test_dir, tools, workdir):
    model = onnx.load(os.path.join(test_dir, "model.onnx"))
    if len(model.graph.node) != 1:
        return None, "not a single-node test"
    op = model.graph.node[0].op_type
    if op not in OPERATORS:
        return None, f"operator {op} not supported"
    data_sets = sorted(glob.glob(os.path.join(test_dir, "test_data_set_*")))
    if not data_sets:
        return None, "no data set"
    data_set = data_sets[0]
    inputs = sorted(glob.glob(os.path.join(data_set, "input_*.pb")),
                    key=lambda p: int(p.rsplit("_", 1)[1][:-3]))
    outputs = sorted(glob.glob(os.path.join(data_set, "output_*.pb")),
                     key=lambda p: int(p.rsplit("_", 1)[1][:-3]))
    data_files = bind_constants(model, inputs, OPERATORS[op])

    name = os.path.basename(test_dir)
    model_path = os.path.join(workdir, name + ".onnx")
    onnx.save(model, model_path)
    mlir_path = os.path.join(workdir, name + ".mlir")
    imported = subprocess.run(
        [tools["quant-translate"], "--import-onnx", model_path, "-o",
         mlir_path], capture_output=True, text=True)
    if imported.returncode == 1 and "error" in imported.stderr:
        return "REJECTED", imported.stderr.strip().splitlines()[0]
    if imported.returncode != 0:
        return "FAIL", f"quant-translate exit {imported.returncode}: " + \
            imported.stderr.strip()[-300:]

    programs = [("", mlir_path)]
    if op in INTEGER_LOWERING:
        lowered = os.path.join(workdir, name + ".int.mlir")
        converted = subprocess.run(
            [tools["quant-opt"], mlir_path, "--convert-qnt-to-linalg", "-o",
             lowered], capture_output=True, text=True)
        if converted.returncode != 0:
            return "FAIL", "quant-opt --convert-qnt-to-linalg exit " + \
                f"{converted.returncode}: " + converted.stderr.strip()[-300:]
        programs.append(("integer program: ", lowered))
        with open(lowered) as f:
            for line in f:
                if re.search(r"tosa\.(conv2d|depthwise_conv2d|matmul) ", line) \
                        and "xf32>" in line.split("->")[-1]:
                    return "FAIL", "integer program: a convolution or " \
                        "matmul still computes in float"

    worst = 0.0
    for label, program in programs:
        command = [tools["quant-run"], program]
        for path in data_files:
            command += ["--input", path]
        results = [os.path.join(workdir, f"{name}.out{i}.npy")
                   for i in range(len(outputs))]
        for path in results:
            command += ["--output", path]
        ran = subprocess.run(command, capture_output=True, text=True)
        if ran.returncode != 0:
            return "FAIL", f"{label}quant-run exit {ran.returncode}: " + \
                ran.stderr.strip()[-300:]
        for expected_path, got_path in zip(outputs, results):
            expected = load_tensor(expected_path)
            got = np.load(got_path)
            if got.shape != expected.shape or got.dtype != expected.dtype:
                return "FAIL", f"{label}{got.dtype}{list(got.shape)} != " \
                    f"expected {expected.dtype}{list(expected.shape)}"
            if not np.allclose(got, expected, rtol=1e-4, atol=1e-5):
                err = np.abs(got.astype(np.float64) - expected).max()
                return "FAIL", f"{label}max abs error {err:.3g}"
            if got.size:
                worst = max(worst, float(np.abs(
                    got.astype(np.float64) - expected).max()))
    detail = f"max abs error {worst:.3g}"
    if len(programs) > 1:
        detail += " (imported and integer program)"
    return "PASS", detail


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True,
                        help="directory with quant-translate, quant-opt and "
                        "quant-run")
    parser.add_argument("--testdata", default=TESTDATA)
    parser.add_argument("--filter", default="", help="substring of test names")
    args = parser.parse_args()
    tools = {t: os.path.join(args.bin, t)
             for t in ("quant-translate", "quant-opt", "quant-run")}
    with open(EXPECTED_PASS_FILE) as f:
        expected = {line.split("#")[0].strip() for line in f} - {""}

    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for test_dir in sorted(glob.glob(os.path.join(args.testdata,
                                                      "test_*"))):
            name = os.path.basename(test_dir)
            if args.filter not in name:
                continue
            status, detail = run_test(test_dir, tools, workdir)
            if status is not None:
                rows.append((name, status, detail))

    width = max(len(name) for name, _, _ in rows)
    for name, status, detail in rows:
        print(f"{name:<{width}}  {status:<8}  {detail}")
    counts = {s: sum(1 for _, st, _ in rows if st == s)
              for s in ("PASS", "FAIL", "REJECTED")}
    passed = {name for name, st, _ in rows if st == "PASS"}
    missing = sorted(expected - passed) if not args.filter else \
        sorted(e for e in expected - passed if args.filter in e)
    for name in missing:
        print(f"expected to pass but did not: {name}")
    print(f"node tests: {counts['PASS']} passed, {counts['FAIL']} failed, "
          f"{counts['REJECTED']} rejected with a diagnostic; "
          f"{len(missing)} expected passes missing")
    return 1 if counts["FAIL"] or missing else 0


if __name__ == "__main__":
    sys.exit(main())
