#!/usr/bin/python3
"""The benchmark of issue 9: int8 kernels and whole models, single thread,
ours next to the VNNI peak and PyTorch/oneDNN, and MobileNetV2's compile time.

  run_benchmarks.py --bin build/bin --work build/bench \
      [--markdown build/performance.md] [--json build/performance.json]

(bash scripts/bench.sh installs what is missing, builds the tools and runs
this.) Every number is measured in the run; nothing is hard-coded.

1. Peak: utils/bench/vnni_peak.c compiled with clang -O2 -mavx512f
   -mavx512vnni and run (best of 5 runs of 24 independent vpdpbusd chains).
2. Kernels: for each shape of KERNELS, a small integer TOSA module with random
   constant i8 weights (tosa.matmul, or tosa.conv2d with an i32 bias),
   input zero point 5, weight zero point 0, i32 accumulator output; and the
   same module requantized to i8 by a per-channel tosa.rescale, the output
   PyTorch's quantized ops produce. The output of one run is checked against
   numpy (exact int32, exact i8), then quant-run --bench N gives the median
   latency; GOP/s = 2 * M * N * K / time.
   PyTorch int8 (torch_bench.py kernels, onednn, 1 thread) on the same
   shapes, twice: oneDNN's default ISA (on a CPU with AMX that is AMX) and
   ONEDNN_MAX_CPU_ISA=AVX512_CORE_VNNI (the instructions ours uses).
   Neighbouring shapes: each NEIGHBOURS variant of a kernel shape (a few
   units off in one dimension) and the K_CHAIN of 512 x 512 GEMMs,
   requantized, exact, their GOP/s against their base's.
3. Models: the Fashion-MNIST example and MobileNetV2 (export_mobilenetv2.py)
   at batch 1 and 64. Ours: quant-translate -> --qnt-fold-batch-norm
   --qnt-fuse-activations (the float program) -> --qnt-insert-observers ->
   quant-calibrate -> --qnt-quantize (minmax) -> --convert-qnt-to-linalg (the
   int8 program); quant-run --bench N, median, our float and int8 programs
   alternately in ROUNDS rounds (median of the rounds' medians). PyTorch: torch_bench.py models
   (frozen TorchScript float, FX PTQ int8 onednn). The int8 outputs are
   compared with the float outputs of the same system on check inputs
   (top-1 agreement, correlation of the logits and of the logits minus their
   mean over the inputs), so a broken kernel cannot hide behind a fast
   number.
4. Compile time: every step of the int8 pipeline for MobileNetV2 at batch 1,
   wall clock, plus --qnt-lower-to-llvm and the JIT (quant-run on the LLVM
   dialect module, minus one run's latency).
"""
import argparse
import importlib.util
import json
import os
import platform
import re
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
CLANG = "/usr/lib/llvm-22/bin/clang"
PYTHON = "/usr/bin/python3"
VNNI_CAP = "AVX512_CORE_VNNI"

# Kernel shapes: a GEMM and convolutions from real networks (NHWC, batch 1).
KERNELS = [
    {"name": "GEMM 512x512x512", "kind": "gemm", "m": 512, "n": 512,
     "k": 512},
    {"name": "ResNet-50 conv 3x3 64->64, 56x56", "kind": "conv", "h": 56,
     "w": 56, "cin": 64, "cout": 64, "kh": 3, "stride": 1, "pad": 1},
    {"name": "ResNet-50 conv 1x1 256->64, 56x56", "kind": "conv", "h": 56,
     "w": 56, "cin": 256, "cout": 64, "kh": 1, "stride": 1, "pad": 0},
    {"name": "MobileNetV2 first conv 3x3/2 3->32, 224x224", "kind": "conv",
     "h": 224, "w": 224, "cin": 3, "cout": 32, "kh": 3, "stride": 2,
     "pad": 1},
    {"name": "MobileNetV2 expand 1x1 24->144, 56x56", "kind": "conv",
     "h": 56, "w": 56, "cin": 24, "cout": 144, "kh": 1, "stride": 1,
     "pad": 0},
    # Not a GEMM (and not optimized yet): M x N x K = pixels x channels x 9.
    {"name": "MobileNetV2 depthwise 3x3 144, 56x56", "kind": "depthwise",
     "h": 56, "w": 56, "cin": 144, "cout": 144, "kh": 3, "stride": 1,
     "pad": 1},
]
KERNEL_RUNS = 200

# Neighbours of the kernel shapes (issue 9: no shape class more than 2x
# slower per operation than its neighbours): per KERNELS index, variants a
# few units off in one dimension, so that every remainder class of the
# tiles shows (M, N not multiples of 16; K not a multiple of 4 or 64; odd
# channel counts; odd image sizes). Each is timed requantized to i8 (what
# a network runs) against its base shape.
NEIGHBOURS = {
    0: [{"m": 511}, {"n": 511}, {"k": 511}, {"k": 500}, {"k": 520},
        {"m": 500, "n": 500, "k": 500}],
    1: [{"cin": 63}, {"cin": 65}, {"cout": 63}, {"cout": 65},
        {"h": 55, "w": 55}],
    2: [{"cin": 255}, {"cin": 257}, {"cout": 63}, {"cout": 65},
        {"h": 55, "w": 55}],
    3: [{"cin": 4}, {"cout": 31}, {"cout": 33}, {"h": 223, "w": 223}],
    4: [{"cin": 23}, {"cin": 25}, {"cout": 143}, {"cout": 145},
        {"h": 55, "w": 55}],
    5: [{"cin": 143, "cout": 143}, {"cin": 145, "cout": 145},
        {"h": 55, "w": 55}],
}
# 512 x 512 GEMMs down the K axis, each against the one before it: the
# kernels change (AMX tiles, padded K, vpdpbusd) without a cliff.
K_CHAIN = [512, 256, 192, 128, 96, 95, 64, 48, 33, 32, 16]
INPUT_ZP = 5

# Timed runs per batch: ours (quant-run --bench N, after its one warm-up)
# and PyTorch's (runs, warm-up runs). A Fashion-MNIST batch-1 call takes
# 10-50 us: its medians need a few thousand calls to settle (over 200 the
# first calls, slower, still move them by up to 30%). MobileNetV2 at batch 1
# takes 100 (2-3 ms each): over 20 the median moved by up to 20% between
# runs on a noisy 2-core host. Our float and int8 programs are timed in
# ROUNDS alternating rounds (one quant-run process each), so that a slow
# spell of the host (other tenants) falls on both: the table shows the
# median of the rounds' medians, and the int8 / float ratio the median of
# the rounds' ratios.
ROUNDS = 3
MODELS = {
    "fashion-mnist": {"label": "Fashion-MNIST CNN",
                      "ours": {1: 3000, 64: 20},
                      "torch": {1: (3000, 100), 64: (20, 10)}},
    "mobilenetv2": {"label": "MobileNetV2",
                    "ours": {1: 100, 64: 3},
                    "torch": {1: (50, 10), 64: (5, 3)}},
}
MNV2_CALIBRATION = 16
FMNIST_CALIBRATION = 1000
FMNIST_CHECK = 1000

START = time.time()


def log(message):
    print(f"[{time.time() - START:5.0f} s] {message}", file=sys.stderr,
          flush=True)


def run(command, env=None):
    result = subprocess.run([str(c) for c in command], capture_output=True,
                            text=True, env=env)
    if result.returncode != 0:
        sys.exit(f"command failed ({result.returncode}): "
                 f"{' '.join(map(str, command))}\n{result.stdout[-2000:]}\n"
                 f"{result.stderr[-4000:]}")
    return result


def timed(command):
    start = time.perf_counter()
    run(command)
    return time.perf_counter() - start


def quant_run_bench(tool, module, x, runs, out):
    """(median, min) latency in ms of quant-run --bench; writes the outputs
    of x (all of its batches) to out."""
    text = run([tool("quant-run"), module, "--input", x, "--bench", runs,
                "--output", out]).stdout
    match = re.search(r"latency: median ([\d.]+) ms, min ([\d.]+) ms", text)
    if not match:
        sys.exit(f"no latency in the output of quant-run {module}:\n{text}")
    return float(match.group(1)), float(match.group(2))


def load_evaluate():
    """examples/fashion-mnist/evaluate.py as a module (its helpers)."""
    path = os.path.join(ROOT, "examples", "fashion-mnist", "evaluate.py")
    spec = importlib.util.spec_from_file_location("evaluate", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- peak


def cpu_info():
    """(model name, set of flags) of the first CPU in /proc/cpuinfo."""
    model, flags = platform.processor(), set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                model = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
                break
    return model, flags


def vnni_peak(work):
    exe = os.path.join(work, "vnni_peak")
    run([CLANG, "-O2", "-mavx512f", "-mavx512vnni",
         os.path.join(HERE, "vnni_peak.c"), "-o", exe])
    text = run([exe]).stdout
    match = re.search(r"peak: ([\d.]+) GOP/s", text)
    if not match:
        sys.exit(f"unexpected output of vnni_peak: {text}")
    return float(match.group(1))


# ---------------------------------------------------------------- kernels


def resource(data, align):
    """The hex string of a dense_resource blob: the alignment header (a
    little-endian u32), then the bytes."""
    return "0x" + np.uint32(align).tobytes().hex().upper() + \
        data.tobytes().hex().upper()


def gemm_module(shape, rng):
    m, n, k = shape["m"], shape["n"], shape["k"]
    w = rng.integers(-127, 128, (1, k, n), dtype=np.int8)
    text = f"""func.func @main(%a: tensor<1x{m}x{k}xi8>) -> tensor<1x{m}x{n}xi32> {{
  %b = "tosa.const"() {{values = dense_resource<w> : tensor<1x{k}x{n}xi8>}} : () -> tensor<1x{k}x{n}xi8>
  %za = "tosa.const"() {{values = dense<{INPUT_ZP}> : tensor<1xi8>}} : () -> tensor<1xi8>
  %zb = "tosa.const"() {{values = dense<0> : tensor<1xi8>}} : () -> tensor<1xi8>
  %c = tosa.matmul %a, %b, %za, %zb : (tensor<1x{m}x{k}xi8>, tensor<1x{k}x{n}xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x{m}x{n}xi32>
  return %c : tensor<1x{m}x{n}xi32>
}}
{{-#
  dialect_resources: {{ builtin: {{ w: "{resource(w, 1)}" }} }}
#-}}
"""
    a = rng.integers(-128, 128, (1, m, k), dtype=np.int8)
    ref = (a[0].astype(np.float64) - INPUT_ZP) @ w[0].astype(np.float64)
    return text, a, ref.astype(np.int64).astype(np.int32)[None]


def conv_geometry(shape):
    oh = (shape["h"] + 2 * shape["pad"] - shape["kh"]) // shape["stride"] + 1
    ow = (shape["w"] + 2 * shape["pad"] - shape["kh"]) // shape["stride"] + 1
    return oh, ow


def conv_module(shape, rng):
    h, w_, c, o, k = (shape[key] for key in ("h", "w", "cin", "cout", "kh"))
    s, p = shape["stride"], shape["pad"]
    depthwise = shape["kind"] == "depthwise"
    oh, ow = conv_geometry(shape)
    # Weights OHWI (tosa.conv2d) or HWCM with M = 1 (tosa.depthwise_conv2d).
    w = rng.integers(-127, 128, (k, k, c, 1) if depthwise else (o, k, k, c),
                     dtype=np.int8)
    bias = rng.integers(-1000, 1001, (o,), dtype=np.int32)
    xt, wt = f"tensor<1x{h}x{w_}x{c}xi8>", \
        "tensor<" + "x".join(map(str, w.shape)) + "xi8>"
    op = "tosa.depthwise_conv2d" if depthwise else "tosa.conv2d"
    yt = f"tensor<1x{oh}x{ow}x{o}xi32>"
    # TOSA wants (in - 1 + pads - (k - 1)) divisible by the stride: drop the
    # bottom/right padding no output reads (PyTorch pads both sides by p).
    pb = p - (h - 1 + 2 * p - (k - 1)) % s
    pr = p - (w_ - 1 + 2 * p - (k - 1)) % s
    text = f"""func.func @main(%x: {xt}) -> {yt} {{
  %w = "tosa.const"() {{values = dense_resource<w> : {wt}}} : () -> {wt}
  %b = "tosa.const"() {{values = dense_resource<b> : tensor<{o}xi32>}} : () -> tensor<{o}xi32>
  %xz = "tosa.const"() {{values = dense<{INPUT_ZP}> : tensor<1xi8>}} : () -> tensor<1xi8>
  %wz = "tosa.const"() {{values = dense<0> : tensor<1xi8>}} : () -> tensor<1xi8>
  %y = {op} %x, %w, %b, %xz, %wz {{acc_type = i32, pad = array<i64: {p}, {pb}, {p}, {pr}>, stride = array<i64: {s}, {s}>, dilation = array<i64: 1, 1>}} : ({xt}, {wt}, tensor<{o}xi32>, tensor<1xi8>, tensor<1xi8>) -> {yt}
  return %y : {yt}
}}
{{-#
  dialect_resources: {{ builtin: {{ w: "{resource(w, 1)}", b: "{resource(bias, 4)}" }} }}
#-}}
"""
    x = rng.integers(-128, 128, (1, h, w_, c), dtype=np.int8)
    # Reference: (x - zp) zero-padded, im2col in (kh, kw, c) order.
    xs = np.pad(x[0].astype(np.float64) - INPUT_ZP, ((p, p), (p, p), (0, 0)))
    cols = np.empty((oh, ow, k, k, c))
    for i in range(k):
        for j in range(k):
            cols[:, :, i, j, :] = xs[i:i + s * oh:s, j:j + s * ow:s, :]
    if depthwise:
        ref = np.einsum("pqijc,ijc->pqc", cols, w[..., 0].astype(
            np.float64)).reshape(oh * ow, c) + bias
    else:
        ref = cols.reshape(oh * ow, k * k * c) @ \
            w.reshape(o, k * k * c).T.astype(np.float64) + bias
    return text, x, ref.astype(np.int64).astype(np.int32).reshape(
        1, oh, ow, o)


def requantized(text, ref, rng):
    """`text` (a module returning the i32 `ref`) with its result requantized
    to i8 by a per-channel tosa.rescale (SINGLE_ROUND, scale32, output zero
    point 3, each channel's scale mapping 3 standard deviations to 127), and
    the exact numpy reference of that."""
    c = ref.shape[-1]
    acc = ref.reshape(-1, c).astype(np.float64)
    spread = 3 * acc.std(axis=0) + 1
    mult, shift = [], []
    for scale in 127 / spread * rng.uniform(0.8, 1.2, c):
        e = int(np.floor(np.log2(scale)))
        mult.append(min(int(round(scale / 2.0 ** e * (1 << 30))),
                        (1 << 31) - 1))
        shift.append(30 - e)
    m = np.array(mult, np.int64)
    sh = np.array(shift, np.int64)
    zp = 3
    v = ref.astype(np.int64) * m + (np.int64(1) << (sh - 1))
    out = np.clip((v >> sh) + zp, -128, 127).astype(np.int8)
    shape = "x".join(map(str, ref.shape))
    i32, i8 = f"tensor<{shape}xi32>", f"tensor<{shape}xi8>"
    head, tail = text.split("  return %", 1)
    result = "%" + tail.split(" ", 1)[0]
    head = head.replace(f"-> {i32} {{", f"-> {i8} {{", 1)
    head += f"""  %rm = "tosa.const"() {{values = dense<{m.tolist()}> : tensor<{c}xi32>}} : () -> tensor<{c}xi32>
  %rs = "tosa.const"() {{values = dense<{sh.tolist()}> : tensor<{c}xi8>}} : () -> tensor<{c}xi8>
  %rzi = "tosa.const"() {{values = dense<0> : tensor<1xi32>}} : () -> tensor<1xi32>
  %rzo = "tosa.const"() {{values = dense<{zp}> : tensor<1xi8>}} : () -> tensor<1xi8>
  %q = tosa.rescale {result}, %rm, %rs, %rzi, %rzo {{input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = #tosa.rounding_mode<SINGLE_ROUND>, scale32 = true}} : ({i32}, tensor<{c}xi32>, tensor<{c}xi8>, tensor<1xi32>, tensor<1xi8>) -> {i8}
  return %q : {i8}
"""
    return head + tail.split("\n", 1)[1], out


def kernel_gemm_dims(shape):
    if shape["kind"] == "gemm":
        return shape["m"], shape["n"], shape["k"]
    oh, ow = conv_geometry(shape)
    if shape["kind"] == "depthwise":
        return oh * ow, shape["cout"], shape["kh"] * shape["kh"]
    return oh * ow, shape["cout"], shape["kh"] * shape["kh"] * shape["cin"]


def time_requantized(tool, work, tag, text, x, ref, rng):
    """The median latency of `text` (returning the i32 `ref` of input `x`)
    requantized to i8 in its kernel, and whether it is exact."""
    q_text, q_ref = requantized(text, ref, rng)
    q_module = os.path.join(work, f"{tag}-i8.mlir")
    with open(q_module, "w") as f:
        f.write(q_text)
    x_path = os.path.join(work, f"{tag}-in.npy")
    np.save(x_path, x)
    q_out = os.path.join(work, f"{tag}-i8-out.npy")
    median, low = quant_run_bench(tool, q_module, x_path, KERNEL_RUNS, q_out)
    got = np.load(q_out)
    return median, low, got.shape == q_ref.shape and np.array_equal(got, q_ref)


def shape_module(shape, rng):
    return (gemm_module if shape["kind"] == "gemm" else conv_module)(shape, rng)


def bench_neighbours(tool, work):
    """Every NEIGHBOURS variant and K_CHAIN step requantized: its GOP/s
    and its slowdown per operation against its base (base GOP/s over its
    GOP/s; above 1 it is slower per operation)."""
    rng = np.random.default_rng(11)
    rows = []

    def one(tag, shape):
        text, x, ref = shape_module(shape, rng)
        median, _, exact = time_requantized(tool, work, tag, text, x, ref,
                                            rng)
        m, n, k = kernel_gemm_dims(shape)
        return {"m": m, "n": n, "k": k, "median_ms": median, "exact": exact,
                "gops": 2 * m * n * k / (median * 1e-3) / 1e9}

    def against(r, base_name, change, base):
        r.update(base=base_name, change=change, base_gops=base["gops"],
                 slowdown=base["gops"] / r["gops"])
        rows.append(r)
        log(f"  {base_name}, {change}: {r['gops']:.0f} GOP/s, "
            f"{r['slowdown']:.2f}x per op of the base's; "
            f"{'exact' if r['exact'] else 'WRONG'}")

    for i, variants in NEIGHBOURS.items():
        base = KERNELS[i]
        b = one(f"nb{i}", base)
        for j, change in enumerate(variants):
            r = one(f"nb{i}-{j}", dict(base, **change))
            against(r, base["name"], ", ".join(
                f"{key} {value}" for key, value in change.items()
                if key != "w"), b)
    previous = None
    for k in K_CHAIN:
        shape = {"name": "GEMM", "kind": "gemm", "m": 512, "n": 512, "k": k}
        r = one(f"kchain{k}", shape)
        if previous:
            against(r, f"GEMM 512x512x{previous['k']}", f"k {k}", previous)
        previous = r
    return rows


def bench_kernels(tool, work):
    rng = np.random.default_rng(9)
    results = []
    for i, shape in enumerate(KERNELS):
        text, x, ref = shape_module(shape, rng)
        module = os.path.join(work, f"kernel{i}.mlir")
        with open(module, "w") as f:
            f.write(text)
        np.save(os.path.join(work, f"kernel{i}-in.npy"), x)
        out = os.path.join(work, f"kernel{i}-out.npy")
        median, low = quant_run_bench(tool, module,
                                      os.path.join(work, f"kernel{i}-in.npy"),
                                      KERNEL_RUNS, out)
        got = np.load(out)
        exact = got.shape == ref.shape and np.array_equal(got, ref)
        # The vpdpbusd kernel alone (the default takes AMX tiles where the
        # host has them and the shape suits them).
        vnni_module = os.path.join(work, f"kernel{i}-vnni.mlir")
        run([tool("quant-opt"), module, "--qnt-lower-to-llvm=amx=off", "-o",
             vnni_module])
        vnni_out = os.path.join(work, f"kernel{i}-vnni-out.npy")
        vnni_median, _ = quant_run_bench(
            tool, vnni_module, os.path.join(work, f"kernel{i}-in.npy"),
            KERNEL_RUNS, vnni_out)
        exact = exact and np.array_equal(np.load(vnni_out), ref)
        # The same, requantized to i8 in the kernel's epilogue.
        q_median, q_low, q_exact = time_requantized(
            tool, work, f"kernel{i}", text, x, ref, rng)
        exact = exact and q_exact
        m, n, k = kernel_gemm_dims(shape)
        results.append({"name": shape["name"], "m": m, "n": n, "k": k,
                        "median_ms": median, "min_ms": low, "exact": exact,
                        "gops": 2 * m * n * k / (median * 1e-3) / 1e9,
                        "i8_median_ms": q_median, "i8_min_ms": q_low,
                        "vnni_median_ms": vnni_median,
                        "vnni_gops": 2 * m * n * k / (vnni_median * 1e-3) / 1e9})
        log(f"  ours {shape['name']}: {median:.3f} ms, "
            f"{results[-1]['gops']:.0f} GOP/s (vpdpbusd only "
            f"{vnni_median:.3f} ms); requantized to i8 "
            f"{q_median:.3f} ms; {'exact' if exact else 'WRONG'} vs numpy")
    return results


def torch_run(what, spec, work, name, isa=None, extra=()):
    spec_path = os.path.join(work, f"{name}-spec.json")
    out = os.path.join(work, f"{name}.json")
    with open(spec_path, "w") as f:
        json.dump(spec, f)
    env = dict(os.environ)
    env.pop("ONEDNN_MAX_CPU_ISA", None)
    if isa:
        env["ONEDNN_MAX_CPU_ISA"] = isa
    result = subprocess.run([PYTHON, os.path.join(HERE, "torch_bench.py"),
                             what, spec_path, out, *extra], env=env)
    if result.returncode != 0:
        sys.exit(f"torch_bench.py {what} failed")
    with open(out) as f:
        return json.load(f)


# ---------------------------------------------------------------- models


def transplant_stats(calibrated, observed, out):
    """Writes `observed` (the same model imported at another batch size) with
    the activation statistics of `calibrated`, observer by observer (names
    must match in order). Calibration statistics are per sample, so they do
    not depend on the batch size (docs/Calibration.md); this saves running
    the batch-64 model on a padded calibration batch."""
    with open(calibrated) as f:
        stats = re.findall(r'qnt\.observe \S+ activation #qnt\.scheme<[^>]*> '
                           r'"([^"]*)" (\{stats = #qnt\.stats<.*?>\}) :',
                           f.read())
    with open(observed) as f:
        text = f.read()
    pattern = re.compile(r'(qnt\.observe \S+ activation #qnt\.scheme<[^>]*> '
                         r'"([^"]*)") :')
    names = [m.group(2) for m in pattern.finditer(text)]
    if names != [name for name, _ in stats]:
        sys.exit(f"{observed}: observers differ from {calibrated}'s")
    values = iter(s for _, s in stats)
    with open(out, "w") as f:
        f.write(pattern.sub(lambda m: f"{m.group(1)} {next(values)} :", text))


def int8_vs_float(int8, floats):
    """Sanity of int8 outputs against float outputs (N x classes)."""
    a, b = floats.astype(np.float64), int8.astype(np.float64)
    ac, bc = a - a.mean(0), b - b.mean(0)
    return {"inputs": len(a),
            "top1_agreement": float((a.argmax(1) == b.argmax(1)).mean()),
            "correlation": float(np.corrcoef(a.ravel(), b.ravel())[0, 1]),
            "centered_correlation": float(
                np.corrcoef(ac.ravel(), bc.ravel())[0, 1])}


def prepare_model_data(name, work, onnx_dir, bin_dir):
    """(onnx model with a symbolic batch, calibration.npy, check.npy,
    bench.npy with 64 inputs)."""
    if name == "fashion-mnist":
        sys.path.insert(0, os.path.join(ROOT, "utils", "models"))
        from fashion_mnist import load
        evaluate = load_evaluate()
        model = os.path.join(work, "fashion-mnist.onnx")
        evaluate.with_symbolic_batch(
            os.path.join(ROOT, "examples", "fashion-mnist", "model.onnx"),
            model)
        calib = load("train", FMNIST_CALIBRATION)[0]
        check = load("test", FMNIST_CHECK)[0]
        bench = check[:64]
    else:
        model = os.path.join(onnx_dir, "mobilenetv2.onnx")
        log("exporting MobileNetV2 (torchvision, random weights) to ONNX")
        run([PYTHON, os.path.join(ROOT, "utils", "models",
                                  "export_mobilenetv2.py"), model,
             "--check-bin", bin_dir])
        rng = np.random.default_rng(0)
        calib = rng.standard_normal((MNV2_CALIBRATION, 3, 224, 224),
                                    dtype=np.float32)
        check = calib
        bench = np.random.default_rng(1).standard_normal(
            (64, 3, 224, 224), dtype=np.float32)
    paths = {}
    for key, value in [("calibration", calib), ("check", check),
                       ("bench", bench)]:
        paths[key] = os.path.join(work, f"{name}-{key}.npy")
        np.save(paths[key], value)
    return model, paths


def our_pipeline(tool, model, batch, calib, prefix, steps, stats_from=None):
    """Runs the pipeline; returns (float module, int8 module). steps gets
    the wall time of each step."""
    def step(label, command):
        steps[label] = timed(command)

    step("import (quant-translate --import-onnx)",
         [tool("quant-translate"), "--import-onnx", model, "--batch-size",
          batch, "-o", f"{prefix}-float.mlir"])
    step("--qnt-fold-batch-norm --qnt-fuse-activations",
         [tool("quant-opt"), f"{prefix}-float.mlir", "--qnt-fold-batch-norm",
          "--qnt-fuse-activations", "-o", f"{prefix}-folded.mlir"])
    step("--qnt-insert-observers",
         [tool("quant-opt"), f"{prefix}-folded.mlir",
          "--qnt-insert-observers", "-o", f"{prefix}-observed.mlir"])
    if stats_from:
        transplant_stats(stats_from, f"{prefix}-observed.mlir",
                         f"{prefix}-calibrated.mlir")
    else:
        step("quant-calibrate",
             [tool("quant-calibrate"), f"{prefix}-observed.mlir", "--data",
              calib, "-o", f"{prefix}-calibrated.mlir"])
    step("--qnt-quantize (minmax)",
         [tool("quant-opt"), f"{prefix}-calibrated.mlir", "--qnt-quantize",
          "-o", f"{prefix}-fq.mlir"])
    step("--convert-qnt-to-linalg",
         [tool("quant-opt"), f"{prefix}-fq.mlir", "--convert-qnt-to-linalg",
          "-o", f"{prefix}-int8.mlir"])
    return f"{prefix}-folded.mlir", f"{prefix}-int8.mlir"


def bench_model(tool, name, work, onnx_dir):
    config = MODELS[name]
    model, data = prepare_model_data(name, work, onnx_dir,
                                     os.path.dirname(tool("quant-run")))
    result = {"label": config["label"], "ours": {}, "compile_s": {}}
    modules = {}
    for batch in config["ours"]:
        steps = {}
        modules[batch] = our_pipeline(
            tool, model, batch, data["calibration"],
            os.path.join(work, f"{name}-b{batch}"), steps,
            stats_from=None if batch == 1 else
            os.path.join(work, f"{name}-b1-calibrated.mlir"))
        result["compile_s"][str(batch)] = steps
        log(f"{name} batch {batch}: imported, folded, "
            + ("calibrated on "
               f"{len(np.load(data['calibration'], mmap_mode='r'))} inputs"
               if batch == 1 else "batch-1 statistics") +
            f", quantized, lowered to integers "
            f"({sum(steps.values()):.1f} s)")

    # Sanity: int8 against float on the check inputs (batch-1 programs).
    outs = {}
    for kind, module in zip(("float", "int8"), modules[1]):
        outs[kind] = os.path.join(work, f"{name}-check-{kind}.npy")
        run([tool("quant-run"), module, "--input", data["check"], "--output",
             outs[kind]])
    check = {kind: np.load(path) for kind, path in outs.items()}
    result["ours_sanity"] = int8_vs_float(check["int8"], check["float"])
    log(f"{name}: ours int8 vs float on {len(check['float'])} check inputs: "
        f"{fmt_sanity(result['ours_sanity'])}")

    bench_x = {}
    for batch in config["ours"]:
        bench_x[batch] = os.path.join(work, f"{name}-x{batch}.npy")
        np.save(bench_x[batch], np.load(data["bench"])[:batch])
    for kind in ("float", "int8"):
        result["ours"][kind] = {}
    for batch, runs in config["ours"].items():
        rounds = {"float": [], "int8": []}
        for r in range(ROUNDS):
            # Float first in even rounds, int8 first in odd ones: neither
            # always runs right after the other.
            order = (("float", 0), ("int8", 1))
            for kind, index in order if r % 2 == 0 else order[::-1]:
                out = os.path.join(work, f"{name}-bench-{kind}-{batch}.npy")
                rounds[kind].append(quant_run_bench(
                    tool, modules[batch][index], bench_x[batch], runs, out))
        ratios = [i[0] / f[0] for f, i in zip(rounds["float"], rounds["int8"])]
        for kind in ("float", "int8"):
            medians = [m for m, _ in rounds[kind]]
            result["ours"][kind][str(batch)] = {
                "median": float(np.median(medians)),
                "min": min(low for _, low in rounds[kind]), "runs": runs,
                "round_medians": medians}
        result.setdefault("ours_int8_over_float", {})[str(batch)] = {
            "median": float(np.median(ratios)), "rounds": ratios}
        log(f"  ours {name} batch {batch} ({ROUNDS} alternating rounds of "
            f"{runs} calls): float "
            + ", ".join(ms(m) for m, _ in rounds["float"]) + "; int8 "
            + ", ".join(ms(m) for m, _ in rounds["int8"])
            + "; int8 / float " + ", ".join(f"{r:.2f}" for r in ratios))
    for kind, index in (("float", 0), ("int8", 1)):
        # The batch-64 program computes what the batch-1 program does.
        batches = sorted(config["ours"])
        b1 = os.path.join(work, f"{name}-b1-on-{kind}.npy")
        run([tool("quant-run"), modules[1][index], "--input",
             bench_x[batches[-1]], "--output", b1])
        got = np.load(os.path.join(
            work, f"{name}-bench-{kind}-{batches[-1]}.npy"))
        same = np.array_equal(got, np.load(b1)) if kind == "int8" else \
            np.allclose(got, np.load(b1), rtol=1e-4, atol=1e-4)
        if not same:
            sys.exit(f"{name} {kind}: the batch-{batches[-1]} program's "
                     "outputs differ from the batch-1 program's")

    spec = [{"name": name, "calibration": data["calibration"],
             "check": data["check"], "bench_input": data["bench"],
             "runs": {str(b): list(r) for b, r in config["torch"].items()}}]
    log(f"PyTorch {name}: float and int8 (onednn, default ISA)")
    torch_default = torch_run("models", spec, work, f"torch-{name}")
    log(f"PyTorch {name}: int8 with ONEDNN_MAX_CPU_ISA={VNNI_CAP}")
    torch_vnni = torch_run("models", spec, work, f"torch-{name}-vnni",
                           isa=VNNI_CAP, extra=["--int8-only"])
    result["torch_version"] = torch_default["torch"]
    torch_models = torch_default["models"][name]
    result["torch"] = {"float": torch_models["float"],
                       "int8": torch_models["int8"],
                       "int8_vnni": torch_vnni["models"][name]["int8"]}
    tf = np.load(torch_models["float"]["outputs"])
    result["torch_sanity"] = int8_vs_float(
        np.load(torch_models["int8"]["outputs"]), tf)
    result["torch_vnni_sanity"] = int8_vs_float(
        np.load(result["torch"]["int8_vnni"]["outputs"]), tf)
    # Same network: our float outputs against PyTorch's.
    result["float_vs_torch_float"] = {
        "max_abs_diff": float(np.abs(check["float"] - tf).max()),
        "max_abs": float(np.abs(tf).max())}
    log(f"{name}: PyTorch int8 vs float: "
        f"{fmt_sanity(result['torch_sanity'])}; our float vs PyTorch float: "
        f"max |diff| {result['float_vs_torch_float']['max_abs_diff']:.2e}")
    return result


def compile_time(tool, result, work, name="mobilenetv2"):
    """Steps of the batch-1 pipeline (from bench_model) plus
    --qnt-lower-to-llvm and the JIT of the int8 and float programs."""
    steps = dict(result["compile_s"]["1"])
    for kind in ("int8", "float"):
        src = os.path.join(work, f"{name}-b1-{'folded' if kind == 'float' else 'int8'}.mlir")
        ll = os.path.join(work, f"{name}-b1-{kind}.llvm.mlir")
        steps[f"{kind}: --qnt-lower-to-llvm"] = timed(
            [tool("quant-opt"), src, "--qnt-lower-to-llvm", "-o", ll])
        x = os.path.join(work, f"{name}-x1.npy")
        wall = timed([tool("quant-run"), ll, "--input", x, "--output",
                      os.path.join(work, f"{name}-jit-{kind}.npy")])
        latency = result["ours"][kind]["1"]["median"] / 1e3
        steps[f"{kind}: JIT to machine code (quant-run, minus one run)"] = \
            max(wall - latency, 0.0)
    return steps


# ---------------------------------------------------------------- report


def ms(value):
    if value is None:
        return "-"
    if value < 1:
        return f"{value:.3f} ms"
    return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"


def fmt_sanity(s):
    return (f"top-1 agreement {s['top1_agreement'] * 100:.0f}% of "
            f"{s['inputs']}, correlation {s['correlation']:.4f}, centered "
            f"{s['centered_correlation']:.3f}")


def report(data):
    peak = data["vnni_peak_gops"]
    lines = [
        f"CPU: {data['cpu']}"
        f"{' (has AMX-INT8)' if data['cpu_has_amx_int8'] else ''}; 1 thread; "
        f"PyTorch {data['torch_version']}, engine onednn. Median latencies. "
        f"Load average (1 min) at start {data['load_average_at_start'][0]:.2f}"
        f", at end {data['load_average_at_end'][0]:.2f}.",
        "",
        "**Kernels** (int8 in; ours: the int32 accumulators out with the "
        "vpdpbusd kernel alone (`amx=off`) and with the default (AMX tiles "
        "where the host has them and K fills most of its 64-byte steps: see "
        "docs/Passes.md), and the "
        "default requantized to i8 per channel by a tosa.rescale in the "
        "kernel, all checked exactly against numpy; PyTorch: requantized u8 "
        "out, so the ratios use our i8 time). "
        f"VNNI peak (vpdpbusd, utils/bench/vnni_peak.c): **{peak:.0f} "
        "GOP/s**.",
        "",
        "| shape | M x N x K | ours vpdpbusd, i32 out | GOP/s "
        "| % of VNNI peak | ours, i32 out | GOP/s | ours, i8 out | GOP/s "
        "| exact "
        "| PyTorch int8 (default ISA) | GOP/s | oneDNN kernel "
        f"| PyTorch int8 ({VNNI_CAP}) | GOP/s "
        "| ours i8 / PyTorch time (default; VNNI) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for k in data["kernels"]:
        d, v = k["torch_default"], k["torch_vnni"]
        ops = 2 * k["m"] * k["n"] * k["k"] / 1e9
        q = k["i8_median_ms"]
        lines.append(
            f"| {k['name']} | {k['m']} x {k['n']} x {k['k']} "
            f"| {ms(k['vnni_median_ms'])} | {k['vnni_gops']:.0f} "
            f"| {k['vnni_gops'] / peak * 100:.0f}% "
            f"| {ms(k['median_ms'])} | {k['gops']:.0f} "
            f"| {ms(q)} | {ops / q * 1e3:.0f} "
            f"| {'yes' if k['exact'] else '**NO**'} "
            f"| {ms(d['median_ms'])} | {ops / d['median_ms'] * 1e3:.0f} "
            f"| {', '.join(x.split(' ', 1)[1] for x in d['onednn'])} "
            f"| {ms(v['median_ms'])} | {ops / v['median_ms'] * 1e3:.0f} "
            f"| {q / d['median_ms']:.2f}; {q / v['median_ms']:.2f} |")
    worst = max(data["neighbours"], key=lambda r: r["slowdown"])
    lines += [
        "",
        "**Neighbouring shapes** (requantized to i8 like the i8 column above, "
        "each checked exactly against numpy; slowdown per operation = the "
        "base's GOP/s over the variant's, above 1 slower; the K chain "
        "compares each 512 x 512 GEMM with the one of the next larger K). "
        f"Worst: **{worst['slowdown']:.2f}x** ({worst['base']}, "
        f"{worst['change']}).",
        "",
        "| base | variant | M x N x K | ours, i8 out | GOP/s | base GOP/s "
        "| slowdown per op | exact |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in data["neighbours"]:
        lines.append(
            f"| {r['base']} | {r['change']} | {r['m']} x {r['n']} x {r['k']} "
            f"| {ms(r['median_ms'])} | {r['gops']:.0f} "
            f"| {r['base_gops']:.0f} | {r['slowdown']:.2f} "
            f"| {'yes' if r['exact'] else '**NO**'} |")
    lines += [
        "",
        "**Models** (latency per batch; ours int8 = --qnt-quantize minmax "
        "+ --convert-qnt-to-linalg; PyTorch int8 = FX PTQ, default onednn "
        f"qconfig). Ours: the median of {ROUNDS} rounds' medians, the "
        "float and int8 programs timed alternately; ours int8 / ours float "
        "is the median of the rounds' ratios (their range in brackets).",
        "",
        "| model | batch | ours float | ours int8 | PyTorch float "
        f"| PyTorch int8 | PyTorch int8 ({VNNI_CAP}) "
        "| ours int8 / ours float | ours int8 / PyTorch int8 "
        "| ours float / PyTorch float | PyTorch int8 / PyTorch float |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for m in data["models"].values():
        for batch in m["ours"]["float"]:
            of = m["ours"]["float"][batch]["median"]
            oq = m["ours"]["int8"][batch]["median"]
            ratio = m["ours_int8_over_float"][batch]
            tf = m["torch"]["float"]["latency_ms"][batch]["median"]
            tq = m["torch"]["int8"]["latency_ms"][batch]["median"]
            tv = m["torch"]["int8_vnni"]["latency_ms"][batch]["median"]
            lines.append(
                f"| {m['label']} | {batch} | {ms(of)} | {ms(oq)} | {ms(tf)} "
                f"| {ms(tq)} | {ms(tv)} | {ratio['median']:.2f} "
                f"({min(ratio['rounds']):.2f}-{max(ratio['rounds']):.2f}) "
                f"| {oq / tq:.2f} "
                f"| {of / tf:.2f} | {tq / tf:.2f} |")
    lines += ["", "int8 against float of the same system on the check "
              "inputs (top-1 agreement; correlation of the logits; of the "
              "logits minus their mean over the inputs):", ""]
    for m in data["models"].values():
        lines.append(
            f"- {m['label']} ({m['ours_sanity']['inputs']} inputs): ours "
            f"{fmt_sanity(m['ours_sanity'])}; PyTorch "
            f"{fmt_sanity(m['torch_sanity'])}; PyTorch {VNNI_CAP} "
            f"{fmt_sanity(m['torch_vnni_sanity'])}; our float vs PyTorch "
            f"float: max |diff| {m['float_vs_torch_float']['max_abs_diff']:.1e}"
            f" (max |logit| {m['float_vs_torch_float']['max_abs']:.2f})")
    steps = data["compile_time_s"]
    lines += ["", "**Compile time, MobileNetV2, batch 1** (wall clock per "
              "command, each reading and writing its module as text):", "",
              "| step | seconds |", "|---|---|"]
    for label, seconds in steps.items():
        lines.append(f"| {label} | {seconds:.2f} |")
    calib = [v for k, v in steps.items() if k == "quant-calibrate"]
    total = sum(v for k, v in steps.items() if not k.startswith("float:"))
    lines.append(f"| **total, ONNX to int8 machine code** | **{total:.2f}** |")
    if calib:
        lines.append(f"| of which quant-calibrate ({MNV2_CALIBRATION} inputs)"
                     f" | {calib[0]:.2f} |")
    lines += ["", f"Benchmark run time: {data['run_time_s']:.0f} s."]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--work", required=True,
                        help="scratch directory (modules, inputs, outputs)")
    parser.add_argument("--markdown")
    parser.add_argument("--json")
    args = parser.parse_args()
    tool = lambda name: os.path.join(args.bin, name)  # noqa: E731
    os.makedirs(args.work, exist_ok=True)
    model, flags = cpu_info()
    if "avx512_vnni" not in flags:
        sys.exit("this CPU has no AVX512-VNNI: the peak kernel cannot run")
    data = {"cpu": model, "cpu_has_amx_int8": "amx_int8" in flags,
            "load_average_at_start": os.getloadavg()}

    log(f"CPU {model}; load average {data['load_average_at_start'][0]:.2f}")
    data["vnni_peak_gops"] = vnni_peak(args.work)
    log(f"VNNI peak: {data['vnni_peak_gops']:.0f} GOP/s")

    log(f"kernels: ours ({len(KERNELS)} shapes, {KERNEL_RUNS} runs each)")
    kernels = bench_kernels(tool, args.work)
    specs = [dict(s) for s in KERNELS]
    log("kernels: PyTorch int8, default ISA")
    default = torch_run("kernels", specs, args.work, "torch-kernels")
    log(f"kernels: PyTorch int8, ONEDNN_MAX_CPU_ISA={VNNI_CAP}")
    vnni = torch_run("kernels", specs, args.work, "torch-kernels-vnni",
                     isa=VNNI_CAP)
    for k in kernels:
        k["torch_default"] = default["kernels"][k["name"]]
        k["torch_vnni"] = vnni["kernels"][k["name"]]
    data["kernels"] = kernels
    data["torch_version"] = default["torch"]
    log(f"neighbouring shapes ({sum(map(len, NEIGHBOURS.values()))} "
        f"variants, {len(K_CHAIN)} K steps)")
    data["neighbours"] = bench_neighbours(tool, args.work)

    data["models"] = {}
    for name in MODELS:
        log(f"model {name}")
        data["models"][name] = bench_model(tool, name, args.work,
                                           os.path.dirname(args.work))
    log("compile time of MobileNetV2's pipeline")
    data["compile_time_s"] = compile_time(tool, data["models"]["mobilenetv2"],
                                          args.work)
    data["run_time_s"] = time.time() - START
    data["load_average_at_end"] = os.getloadavg()

    table = report(data)
    print(table)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(table + "\n")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(data, f, indent=1)
    if not all(k["exact"] for k in kernels + data["neighbours"]):
        sys.exit("some kernel outputs differ from numpy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
