#!/usr/bin/python3
"""PyTorch's own post-training quantization of the Fashion-MNIST example.

  pytorch_ptq.py [--model model.pt] [--json out.json] [--predictions PREFIX]
                 [--bench]

The baseline the compiler is compared with: PyTorch 1.13's FX graph mode
quantization (prepare_fx / convert_fx, default fusion: Conv+BN(+ReLU) folded,
add+ReLU fused) on the quantized engine onednn, of the trained model.pt.
Calibration runs the first --calib (1000) TRAINING images through the
observed model in one batch; evaluation uses all 10,000 test images. Two
configurations:

  minmax_per_tensor       activations MinMaxObserver quint8 (affine, full
                          [0,255] range), weights MinMaxObserver qint8
                          per-tensor symmetric
  histogram_per_channel   activations HistogramObserver quint8 (affine, full
                          range), weights PerChannelMinMaxObserver qint8
                          per-channel symmetric (= get_default_qconfig('onednn'))

Accuracies are fractions of the test set. --json writes
  {"pytorch_float", "pytorch_ptq_minmax_per_tensor",
   "pytorch_ptq_histogram_per_channel", "calibration_images", "test_images",
   "engine", "torch", "agreement", "size_bytes", "latency_ms"}

size_bytes: bytes of the tensors in state_dict(), for the float model after
Conv+BN fusion (fuse_fx: BatchNorm folded into the convs, as
--qnt-fold-batch-norm does), and for each quantized model: int8 weights at 1
byte per element plus their scales (float64) and zero points (int64), one
pair per tensor or one per channel, the float32 biases (PyTorch keeps them in
float) and the activations' scalar scales and zero points.

--bench measures latency (latency_ms[key][batch] = {"median", "min"}) at
batch 1 and 64 on one thread (torch.set_num_threads(1)): each model as
TorchScript, torch.jit.freeze(torch.jit.script(model)) (torch.jit.trace if
scripting fails), checked against the eager model, then BENCH_WARMUP runs
and the median and minimum of BENCH_RUNS[batch] timed runs of the first test
images.
--predictions PREFIX writes the argmax predictions (int64, 10,000) as
PREFIX{float,ptq_minmax_per_tensor,ptq_histogram_per_channel}.npy and the
test labels as PREFIXlabels.npy.
"""
import argparse
import copy
import json
import os
import sys
import time

import numpy as np
import torch
from torch.ao.quantization import (HistogramObserver, MinMaxObserver,
                                   PerChannelMinMaxObserver, QConfig,
                                   QConfigMapping)
from torch.ao.quantization.quantize_fx import convert_fx, fuse_fx, prepare_fx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "utils", "models"))
from fashion_mnist import load  # noqa: E402
from model import FashionCNN  # noqa: E402

ENGINE = "onednn"

# Timed runs per batch size; evaluate.py times quant-run with the same counts.
BENCH_RUNS = {1: 200, 64: 20}
# The profiling executor of TorchScript optimizes the graph during the first
# runs; time only after it settled.
BENCH_WARMUP = 10

QCONFIGS = {
    "minmax_per_tensor": QConfig(
        activation=MinMaxObserver.with_args(
            dtype=torch.quint8, qscheme=torch.per_tensor_affine,
            reduce_range=False),
        weight=MinMaxObserver.with_args(
            dtype=torch.qint8, qscheme=torch.per_tensor_symmetric)),
    "histogram_per_channel": QConfig(
        activation=HistogramObserver.with_args(
            dtype=torch.quint8, qscheme=torch.per_tensor_affine,
            reduce_range=False),
        weight=PerChannelMinMaxObserver.with_args(
            dtype=torch.qint8, qscheme=torch.per_channel_symmetric)),
}


@torch.no_grad()
def predict(model, images, batch=1000):
    return torch.cat([model(images[i:i + batch]).argmax(1)
                      for i in range(0, len(images), batch)]).numpy()


def quantized_graph_summary(gm):
    """Counts quantize/dequantize nodes of a converted GraphModule: a fully
    int8 graph has one quantize (input) and one dequantize (output)."""
    q = dq = 0
    for node in gm.graph.nodes:
        if node.op == "call_function" and node.target in (
                torch.quantize_per_tensor, torch.quantize_per_channel):
            q += 1
        elif node.op == "call_method" and node.target == "dequantize":
            dq += 1
    return q, dq


def state_dict_bytes(model):
    """Bytes of the tensors in model.state_dict() (see the module docstring);
    a quantized tensor counts 1 byte per int8 element plus its scales and
    zero points as stored (float64, int64)."""
    def tensor_bytes(t):
        if not t.is_quantized:
            return t.numel() * t.element_size()
        if t.qscheme() in (torch.per_channel_affine,
                           torch.per_channel_symmetric):
            params = t.q_per_channel_scales().numel() * 16
        else:
            params = 16
        return t.numel() * t.element_size() + params

    total = 0
    for value in model.state_dict().values():
        # Linear's packed parameters come as (weight, bias) tuples.
        for t in value if isinstance(value, (tuple, list)) else [value]:
            if isinstance(t, torch.Tensor):
                total += tensor_bytes(t)
    return total


@torch.no_grad()
def latency(model, images, name):
    """{batch: {"median", "min"}} in ms of the frozen TorchScript model."""
    example = images[:max(BENCH_RUNS)]
    try:
        frozen = torch.jit.freeze(torch.jit.script(copy.deepcopy(model)))
    except Exception:  # noqa: BLE001 - FX-generated code may not script
        frozen = torch.jit.freeze(torch.jit.trace(copy.deepcopy(model),
                                                  example[:1]))
    if not torch.allclose(frozen(example), model(example), atol=1e-4):
        raise RuntimeError(f"TorchScript {name} differs from the eager model")
    result = {}
    for batch, runs in BENCH_RUNS.items():
        x = images[:batch]
        for _ in range(BENCH_WARMUP):
            frozen(x)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            frozen(x)
            times.append((time.perf_counter() - start) * 1e3)
        result[str(batch)] = {"median": float(np.median(times)),
                              "min": float(min(times))}
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=os.path.join(HERE, "model.pt"))
    parser.add_argument("--json")
    parser.add_argument("--predictions", metavar="PREFIX")
    parser.add_argument("--calib", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--print-graph", action="store_true",
                        help="print the converted FX graphs")
    parser.add_argument("--bench", action="store_true",
                        help="measure latency at batch 1 and 64, 1 thread")
    args = parser.parse_args()

    start = time.time()
    if ENGINE not in torch.backends.quantized.supported_engines:
        print(f"error: quantized engine {ENGINE} not in "
              f"{torch.backends.quantized.supported_engines}", file=sys.stderr)
        return 1
    torch.backends.quantized.engine = ENGINE
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    calib_x = torch.from_numpy(load("train", args.calib)[0])
    test_x, test_y = load("test")
    test_x = torch.from_numpy(test_x)

    model = FashionCNN()
    model.load_state_dict(torch.load(args.model))
    model.eval()

    preds = {"float": predict(model, test_x)}
    models = {"float": model}
    info = {}
    for name, qconfig in QCONFIGS.items():
        t0 = time.time()
        prepared = prepare_fx(copy.deepcopy(model),
                              QConfigMapping().set_global(qconfig),
                              example_inputs=(test_x[:1],))
        with torch.no_grad():
            prepared(calib_x)
        quantized = convert_fx(prepared)
        models["ptq_" + name] = quantized
        t1 = time.time()
        preds["ptq_" + name] = predict(quantized, test_x)
        info[name] = (t1 - t0, time.time() - t1, quantized_graph_summary(quantized))
        if args.print_graph:
            print(f"--- {name}\n{quantized.code}")

    acc = {k: float((p == test_y).mean()) for k, p in preds.items()}
    sizes = {"pytorch_" + k: state_dict_bytes(m) for k, m in models.items()}
    sizes["pytorch_float"] = state_dict_bytes(fuse_fx(copy.deepcopy(model)))
    latencies = {}
    if args.bench:
        torch.set_num_threads(1)
        for k, m in models.items():
            latencies["pytorch_" + k] = latency(m, test_x, k)
    result = {
        "pytorch_float": acc["float"],
        "pytorch_ptq_minmax_per_tensor": acc["ptq_minmax_per_tensor"],
        "pytorch_ptq_histogram_per_channel": acc["ptq_histogram_per_channel"],
        "calibration_images": len(calib_x),
        "test_images": len(test_x),
        "engine": ENGINE,
        "torch": torch.__version__,
        # Share of test images whose top-1 equals PyTorch's float model's.
        "agreement": {
            "pytorch_float": 1.0,
            "pytorch_ptq_minmax_per_tensor": float(
                (preds["ptq_minmax_per_tensor"] == preds["float"]).mean()),
            "pytorch_ptq_histogram_per_channel": float(
                (preds["ptq_histogram_per_channel"] == preds["float"]).mean()),
        },
        "size_bytes": sizes,
        "latency_ms": latencies,
    }
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
            f.write("\n")
    if args.predictions:
        for k, p in preds.items():
            np.save(f"{args.predictions}{k}.npy", p.astype(np.int64))
        np.save(f"{args.predictions}labels.npy", test_y)

    n = len(test_x)
    print(f"PyTorch {torch.__version__} post-training quantization, engine "
          f"{ENGINE}, FX graph mode, {args.threads} threads")
    print(f"model {args.model}; calibration: first {len(calib_x)} training "
          f"images; evaluation: {n} test images")
    print(f"  {'float':<32} {acc['float']:.4f}  ({int(acc['float'] * n + .5)}/{n})")
    for name, (tq, te, (q, dq)) in info.items():
        a = acc["ptq_" + name]
        agree = float((preds["ptq_" + name] == preds["float"]).mean())
        print(f"  {'ptq ' + name:<32} {a:.4f}  ({int(a * n + .5)}/{n}), "
              f"{a - acc['float']:+.4f} vs float, agrees with float on "
              f"{agree:.4f}; {q} quantize / {dq} dequantize nodes; "
              f"calibrate+convert {tq:.1f} s, evaluate {te:.1f} s")
    for k, b in sizes.items():
        print(f"  {k}: {b} bytes of state_dict tensors")
    for k, lat in latencies.items():
        print(f"  {k}: latency, 1 thread: " + ", ".join(
            f"batch {b} median {v['median']:.3f} ms (min {v['min']:.3f})"
            for b, v in lat.items()))
    if args.json:
        print(f"wrote {args.json}")
    if args.predictions:
        print(f"wrote {args.predictions}{{{','.join(preds)},labels}}.npy")
    print(f"wall time {time.time() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
