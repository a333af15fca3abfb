#!/usr/bin/python3
"""PyTorch's side of the benchmark (run by run_benchmarks.py, one process per
oneDNN ISA setting, since oneDNN reads ONEDNN_MAX_CPU_ISA once).

  torch_bench.py kernels SHAPES.json OUT.json
  torch_bench.py models SPEC.json OUT.json [--int8-only]

Single thread (torch.set_num_threads(1)), quantized engine onednn.

kernels: for each shape of SHAPES.json (see run_benchmarks.py KERNELS), an
int8 torch.ao.nn.quantized.Linear (GEMM: [M, K] quint8 input, [N, K] qint8
weight) or Conv2d (quint8 NHWC input, channels_last, qint8 weight, per
tensor; groups = channels for a depthwise shape), input zero point 5, weight zero point 0, float bias; the output is
requantized to quint8 (PyTorch has no int32-output quantized conv/linear).
Median of RUNS timed calls after WARMUP calls. The oneDNN primitive that ran
(e.g. brg:avx512_core_amx_int8) is read from oneDNN's verbose output of one
extra call.

models: for each model of SPEC.json, the float model as TorchScript,
torch.jit.freeze(torch.jit.script(model)), and its FX post-training
quantization (prepare_fx / convert_fx, get_default_qconfig("onednn"):
HistogramObserver quint8 activations, per-channel symmetric qint8 weights)
calibrated on the model's calibration inputs, frozen the same way; latency
(median of the given runs after the given warm-ups) per batch size, and the
outputs on the model's check inputs (saved as .npy, for the int8-vs-float
check of run_benchmarks.py).
"""
import argparse
import contextlib
import copy
import json
import os
import sys
import tempfile
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
ENGINE = "onednn"
WARMUP = 20
RUNS = 200


def log(message):
    print(f"    [torch] {message}", file=sys.stderr, flush=True)


def median_ms(fn, runs, warmup):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return float(np.median(times)), float(min(times))


@contextlib.contextmanager
def captured_stdout(path):
    """Redirects file descriptor 1 (where oneDNN's verbose output goes)."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(path, "w") as f:
        os.dup2(f.fileno(), 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def onednn_primitives(fn):
    """The oneDNN implementations (other than reorders) one call of fn ran."""
    with tempfile.NamedTemporaryFile(suffix=".txt") as tmp:
        with captured_stdout(tmp.name):
            with torch.backends.mkldnn.verbose(torch.backends.mkldnn.VERBOSE_ON):
                fn()
        with open(tmp.name) as f:
            lines = f.read().splitlines()
    found = []
    for line in lines:
        fields = line.split(",")
        if len(fields) > 5 and fields[1] == "exec" and fields[3] != "reorder":
            name = f"{fields[3]} {fields[4]}"
            if name not in found:
                found.append(name)
    return found


def kernel(shape):
    import torch.ao.nn.quantized as nnq
    rng = np.random.default_rng(0)
    if shape["kind"] == "gemm":
        m, n, k = shape["m"], shape["n"], shape["k"]
        op = nnq.Linear(k, n)
        w = torch.from_numpy(rng.standard_normal((n, k)).astype(np.float32))
        x = torch.from_numpy(rng.random((m, k)).astype(np.float32) * 10)
    else:
        c, o, kh = shape["cin"], shape["cout"], shape["kh"]
        groups = c if shape["kind"] == "depthwise" else 1
        op = nnq.Conv2d(c, o, kh, shape["stride"], shape["pad"],
                        groups=groups)
        w = torch.from_numpy(rng.standard_normal(
            (o, c // groups, kh, kh)).astype(np.float32))
        x = torch.from_numpy(rng.random(
            (1, c, shape["h"], shape["w"])).astype(np.float32) * 10)
        x = x.contiguous(memory_format=torch.channels_last)
    qw = torch.quantize_per_tensor(w, 0.05, 0, torch.qint8)
    op.set_weight_bias(qw, torch.zeros(qw.shape[0]))
    op.scale, op.zero_point = 4.0, 128
    qx = torch.quantize_per_tensor(x, 0.05, 5, torch.quint8)
    with torch.no_grad():
        median, low = median_ms(lambda: op(qx), RUNS, WARMUP)
        primitives = onednn_primitives(lambda: op(qx))
    return {"median_ms": median, "min_ms": low, "onednn": primitives}


def frozen(model, example):
    try:
        module = torch.jit.freeze(torch.jit.script(copy.deepcopy(model)))
    except Exception:  # noqa: BLE001 - FX-generated code may not script
        module = torch.jit.freeze(torch.jit.trace(copy.deepcopy(model),
                                                  example))
    return module


def build_model(name):
    if name == "fashion-mnist":
        sys.path.insert(0, os.path.join(ROOT, "examples", "fashion-mnist"))
        from model import FashionCNN
        model = FashionCNN()
        model.load_state_dict(torch.load(
            os.path.join(ROOT, "examples", "fashion-mnist", "model.pt")))
        return model.eval()
    if name == "mobilenetv2":
        sys.path.insert(0, os.path.join(ROOT, "utils", "models"))
        from export_mobilenetv2 import build
        return build(0)
    raise ValueError(name)


@torch.no_grad()
def model_bench(spec, out_dir, tag, int8_only):
    from torch.ao.quantization import QConfigMapping, get_default_qconfig
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    model = build_model(spec["name"])
    calib = torch.from_numpy(np.load(spec["calibration"]))
    check = torch.from_numpy(np.load(spec["check"]))
    batches = {int(b): r for b, r in spec["runs"].items()}
    bench_input = torch.from_numpy(np.load(spec["bench_input"]))
    variants = {}
    if not int8_only:
        variants["float"] = model
    t0 = time.time()
    prepared = prepare_fx(copy.deepcopy(model),
                          QConfigMapping().set_global(
                              get_default_qconfig(ENGINE)),
                          example_inputs=(calib[:1],))
    for i in range(0, len(calib), 16):
        prepared(calib[i:i + 16])
    variants["int8"] = convert_fx(prepared)
    log(f"{spec['name']}: FX PTQ calibrated on {len(calib)} inputs in "
        f"{time.time() - t0:.1f} s")
    result = {}
    for key, eager in variants.items():
        module = frozen(eager, check[:1])
        outs = torch.cat([module(check[i:i + 16])
                          for i in range(0, len(check), 16)])
        want = torch.cat([eager(check[i:i + 16])
                          for i in range(0, len(check), 16)])
        if not torch.allclose(outs, want, atol=1e-4):
            raise RuntimeError(f"TorchScript {key} differs from eager")
        npy = os.path.join(out_dir, f"{tag}-{spec['name']}-{key}.npy")
        np.save(npy, outs.numpy())
        lat = {}
        for batch, (runs, warmup) in batches.items():
            x = bench_input[:batch]
            median, low = median_ms(lambda: module(x), runs, warmup)
            lat[str(batch)] = {"median": median, "min": low, "runs": runs}
        result[key] = {"latency_ms": lat,
                       "outputs": npy,
                       "onednn": onednn_primitives(
                           lambda: module(bench_input[:1]))}
        log(f"{spec['name']} {key}: " + ", ".join(
            f"batch {b} {v['median']:.2f} ms" for b, v in lat.items()))
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["kernels", "models"])
    parser.add_argument("spec")
    parser.add_argument("out")
    parser.add_argument("--int8-only", action="store_true")
    args = parser.parse_args()
    torch.backends.quantized.engine = ENGINE
    torch.set_num_threads(1)
    torch.manual_seed(0)
    with open(args.spec) as f:
        spec = json.load(f)
    result = {"torch": torch.__version__,
              "isa": os.environ.get("ONEDNN_MAX_CPU_ISA", "default")}
    if args.what == "kernels":
        result["kernels"] = {}
        for shape in spec:
            result["kernels"][shape["name"]] = kernel(shape)
            r = result["kernels"][shape["name"]]
            log(f"{shape['name']}: {r['median_ms']:.3f} ms "
                f"({', '.join(r['onednn'])})")
    else:
        result["models"] = {}
        out_dir = os.path.dirname(os.path.abspath(args.out))
        tag = os.path.splitext(os.path.basename(args.out))[0]
        for model in spec:
            result["models"][model["name"]] = model_bench(
                model, out_dir, tag, args.int8_only)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
