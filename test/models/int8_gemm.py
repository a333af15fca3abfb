#!/usr/bin/python3
"""Matmul and convolution modules for the GEMM and depthwise kernels.

  int8_gemm.py make DIR       writes DIR/<case>.mlir, <case>-in.npy and
                              <case>-ref.npy for each case
  int8_gemm.py check OUT REF  exits 1 unless the results are equal (int32)
                              or within 1e-5 relative (f32)

The integer cases are TOSA with i8 activations with a zero point, constant
symmetric i8 weights and i32 results, in shapes that do not divide the
kernel tiles: odd M, K not a multiple of 4, N not a multiple of 16,
strided, dilated and padded convolutions (TOSA pads with the input zero
point), a depthwise convolution, and zero input zero points. The f32 cases are the same operators in
float. The references are exact int64 (or float64) numpy sums.
"""
import os
import re
import sys

import numpy as np


def blob(name, array):
    # Resource blobs start with their alignment (little-endian u32).
    return f'      {name}: "0x01000000{array.tobytes().hex().upper()}"'


def blob_line(name, array):
    """A resource blob aligned to its element size."""
    align = np.uint32(array.dtype.itemsize).tobytes().hex().upper()
    return f'      {name}: "0x{align}{array.tobytes().hex().upper()}"'


def matmul_case(rng, m, k, n, za):
    a = rng.integers(-128, 128, (1, m, k)).astype(np.int8)
    w = rng.integers(-127, 128, (1, k, n)).astype(np.int8)
    ref = ((a.astype(np.int64) - za) @ w.astype(np.int64)).astype(np.int32)
    mlir = f"""func.func @main(%a: tensor<1x{m}x{k}xi8>) -> tensor<1x{m}x{n}xi32> {{
  %b = "tosa.const"() {{values = dense_resource<w> : tensor<1x{k}x{n}xi8>}} : () -> tensor<1x{k}x{n}xi8>
  %za = "tosa.const"() {{values = dense<{za}> : tensor<1xi8>}} : () -> tensor<1xi8>
  %zb = "tosa.const"() {{values = dense<0> : tensor<1xi8>}} : () -> tensor<1xi8>
  %c = tosa.matmul %a, %b, %za, %zb : (tensor<1x{m}x{k}xi8>, tensor<1x{k}x{n}xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x{m}x{n}xi32>
  return %c : tensor<1x{m}x{n}xi32>
}}
{{-#
  dialect_resources: {{
    builtin: {{
{blob("w", w)}
    }}
  }}
#-}}
"""
    return mlir, a, ref


def conv_case(rng, h, c, o, k, stride, dilation, pad, za, batch=1,
              isFloat=False, x=None, kw=None, pads=None):
    """A tosa.conv2d of a random h x h input: o outputs, a k x kw kernel
    (kw defaults to k), padding (top, bottom, left, right) (default: `pad`
    on every side)."""
    kw = k if kw is None else kw
    top, bottom, left, right = pads if pads else (pad,) * 4
    if isFloat:
        if x is None:
            x = rng.standard_normal((batch, h, h, c)).astype(np.float32)
        w = rng.standard_normal((o, k, kw, c)).astype(np.float32)
        bias = rng.standard_normal(o).astype(np.float32)
        za, t, acc = 0, "f32", np.float64
    else:
        if x is None:
            x = rng.integers(-128, 128, (batch, h, h, c)).astype(np.int8)
        w = rng.integers(-127, 128, (o, k, kw, c)).astype(np.int8)
        bias = rng.integers(-1000, 1000, o).astype(np.int32)
        t, acc = "i8", np.int64
    oh = (h - 1 + top + bottom - (k - 1) * dilation) // stride + 1
    ow = (h - 1 + left + right - (kw - 1) * dilation) // stride + 1
    xp = np.pad(x.astype(acc), ((0, 0), (top, bottom), (left, right), (0, 0)),
                constant_values=za) - za
    ref = np.zeros((batch, oh, ow, o), acc) + bias
    for n in range(batch):
        for i in range(oh):
            for j in range(ow):
                patch = xp[n,
                           i * stride:i * stride + (k - 1) * dilation + 1:dilation,
                           j * stride:j * stride + (kw - 1) * dilation + 1:dilation]
                ref[n, i, j] += np.tensordot(w.astype(acc), patch,
                                             axes=([1, 2, 3], [0, 1, 2]))
    xs, ys = f"{batch}x{h}x{h}x{c}x{t}", f"{batch}x{oh}x{ow}x{o}x"
    if isFloat:
        ys += "f32"
        consts = f"""  %w = "tosa.const"() {{values = dense<"0x{w.tobytes().hex().upper()}"> : tensor<{o}x{k}x{kw}x{c}xf32>}} : () -> tensor<{o}x{k}x{kw}x{c}xf32>
  %b = "tosa.const"() {{values = dense<"0x{bias.tobytes().hex().upper()}"> : tensor<{o}xf32>}} : () -> tensor<{o}xf32>
  %zx = "tosa.const"() {{values = dense<0.0> : tensor<1xf32>}} : () -> tensor<1xf32>
  %zw = "tosa.const"() {{values = dense<0.0> : tensor<1xf32>}} : () -> tensor<1xf32>
"""
        types = f"tensor<{xs}>, tensor<{o}x{k}x{kw}x{c}xf32>, tensor<{o}xf32>, tensor<1xf32>, tensor<1xf32>"
        resources = ""
    else:
        ys += "i32"
        consts = f"""  %w = "tosa.const"() {{values = dense_resource<w> : tensor<{o}x{k}x{kw}x{c}xi8>}} : () -> tensor<{o}x{k}x{kw}x{c}xi8>
  %b = "tosa.const"() {{values = dense<{bias.tolist()}> : tensor<{o}xi32>}} : () -> tensor<{o}xi32>
  %zx = "tosa.const"() {{values = dense<{za}> : tensor<1xi8>}} : () -> tensor<1xi8>
  %zw = "tosa.const"() {{values = dense<0> : tensor<1xi8>}} : () -> tensor<1xi8>
"""
        types = f"tensor<{xs}>, tensor<{o}x{k}x{kw}x{c}xi8>, tensor<{o}xi32>, tensor<1xi8>, tensor<1xi8>"
        resources = f"""{{-#
  dialect_resources: {{
    builtin: {{
{blob("w", w)}
    }}
  }}
#-}}
"""
    mlir = f"""func.func @main(%x: tensor<{xs}>) -> tensor<{ys}> {{
{consts}  %y = tosa.conv2d %x, %w, %b, %zx, %zw {{acc_type = {"f32" if isFloat else "i32"}, pad = array<i64: {top}, {bottom}, {left}, {right}>, stride = array<i64: {stride}, {stride}>, dilation = array<i64: {dilation}, {dilation}>}} : ({types}) -> tensor<{ys}>
  return %y : tensor<{ys}>
}}
{resources}"""
    return mlir, x, ref.astype(np.float32 if isFloat else np.int32)


def concat_case(rng, h, c, outs, za, isFloat=False):
    """Convolutions of one input (3x3, padding 1) concatenated along the
    channels: every kernel writes into its slot of the result (N = 16,
    24 and 32; the 24-channel one stores 8 lanes of its second vector)."""
    x = rng.standard_normal((1, h, h, c)).astype(np.float32) if isFloat \
        else rng.integers(-128, 128, (1, h, h, c)).astype(np.int8)
    cases = [conv_case(rng, h, c, o, 3, 1, 1, 1, za, isFloat=isFloat, x=x)
             for o in outs]
    t, r = ("f32", "f32") if isFloat else ("i8", "i32")
    body, resources, results = "", [], []
    for i, (mlir, _, _) in enumerate(cases):
        lines = mlir.split("\n")
        for line in lines[1:]:
            if line.startswith("  return"):
                break
            body += line.replace("%w", f"%w{i}").replace("%b ", f"%b{i} ") \
                .replace("%b,", f"%b{i},").replace("%zx", f"%zx{i}") \
                .replace("%zw", f"%zw{i}").replace("%y", f"%y{i}") \
                .replace("dense_resource<w>", f"dense_resource<w{i}>") + "\n"
        results.append(f"%y{i}")
    ref = np.concatenate([case[2] for case in cases], axis=3)
    shape = f"1x{h}x{h}x{sum(outs)}x{r}"
    types = ", ".join(f"tensor<1x{h}x{h}x{o}x{r}>" for o in outs)
    body += f"  %cat = tosa.concat {', '.join(results)} {{axis = 3 : i32}} : ({types}) -> tensor<{shape}>\n"
    blobs = ""
    if not isFloat:
        ws = []
        for i, (mlir, _, _) in enumerate(cases):
            line = [l for l in mlir.split("\n") if l.strip().startswith("w:")][0]
            ws.append(line.replace("w:", f"w{i}:", 1).rstrip(","))
        blobs = "{-#\n  dialect_resources: {\n    builtin: {\n" + \
            ",\n".join(ws) + "\n    }\n  }\n#-}\n"
    mlir = f"""func.func @main(%x: tensor<1x{h}x{h}x{c}x{t}>) -> tensor<{shape}> {{
{body}  return %cat : tensor<{shape}>
}}
{blobs}"""
    return mlir, x, ref


def depthwise_case(rng, h, c, k, stride, pad, za, isFloat=False, dilation=1,
                   x=None):
    if isFloat:
        if x is None:
            x = rng.standard_normal((1, h, h, c)).astype(np.float32)
        w = rng.standard_normal((k, k, c, 1)).astype(np.float32)
        bias = rng.standard_normal(c).astype(np.float32)
        za = 0
    else:
        if x is None:
            x = rng.integers(-128, 128, (1, h, h, c)).astype(np.int8)
        w = rng.integers(-127, 128, (k, k, c, 1)).astype(np.int8)
        bias = rng.integers(-1000, 1000, c).astype(np.int32)
    span = (k - 1) * dilation + 1
    out = (h - 1 + 2 * pad - (span - 1)) // stride + 1
    wide = np.float64 if isFloat else np.int64
    xp = np.pad(x.astype(wide), ((0, 0), (pad, pad), (pad, pad), (0, 0)),
                constant_values=za) - za
    ref = np.zeros((1, out, out, c), wide) + bias
    for i in range(out):
        for j in range(out):
            patch = xp[0, i * stride:i * stride + span:dilation,
                       j * stride:j * stride + span:dilation]
            ref[0, i, j] += (patch * w[:, :, :, 0].astype(wide)).sum(axis=(0, 1))
    e, acc = ("f32", "f32") if isFloat else ("i8", "i32")
    zp = "0.0" if isFloat else str(za)
    weights = (f'dense<"0x{w.tobytes().hex().upper()}"> : tensor<{k}x{k}x{c}x1x{e}>'
               if isFloat else f"dense_resource<w> : tensor<{k}x{k}x{c}x1x{e}>")
    bias_attr = f"dense<{bias.tolist()}> : tensor<{c}x{acc}>"
    mlir = f"""func.func @main(%x: tensor<1x{h}x{h}x{c}x{e}>) -> tensor<1x{out}x{out}x{c}x{acc}> {{
  %w = "tosa.const"() {{values = {weights}}} : () -> tensor<{k}x{k}x{c}x1x{e}>
  %b = "tosa.const"() {{values = {bias_attr}}} : () -> tensor<{c}x{acc}>
  %zx = "tosa.const"() {{values = dense<{zp}> : tensor<1x{e}>}} : () -> tensor<1x{e}>
  %zw = "tosa.const"() {{values = dense<{"0.0" if isFloat else 0}> : tensor<1x{e}>}} : () -> tensor<1x{e}>
  %y = tosa.depthwise_conv2d %x, %w, %b, %zx, %zw {{acc_type = {acc}, pad = array<i64: {pad}, {pad}, {pad}, {pad}>, stride = array<i64: {stride}, {stride}>, dilation = array<i64: {dilation}, {dilation}>}} : (tensor<1x{h}x{h}x{c}x{e}>, tensor<{k}x{k}x{c}x1x{e}>, tensor<{c}x{acc}>, tensor<1x{e}>, tensor<1x{e}>) -> tensor<1x{out}x{out}x{c}x{acc}>
  return %y : tensor<1x{out}x{out}x{c}x{acc}>
}}
"""
    if not isFloat:
        mlir += f"""{{-#
  dialect_resources: {{
    builtin: {{
{blob("w", w)}
    }}
  }}
#-}}
"""
    return mlir, x, ref.astype(np.float32 if isFloat else np.int32)


# The output zero point of rescaled(): a chained case's next input zero point.
RESCALE_ZP = 3


def rescaled(rng, case, blob=False, shifts=(36, 44), clamp=None):
    """`case`'s i32 result rescaled to i8 by tosa.rescale (per channel,
    SINGLE_ROUND, scale32, shifts in [shifts[0], shifts[1])), which the
    kernels run on their accumulators; with `blob` the multipliers are a
    dense_resource (which the kernel pads to its column tiles like inline
    constants); with `clamp` (lo, hi) a tosa.clamp of the i8 result follows
    (a ReLU's), which runs in the kernels too."""
    mlir, x, acc = case
    c = acc.shape[-1]
    mult = rng.integers(1 << 30, 1 << 31, c).astype(np.int64)
    shift = rng.integers(shifts[0], shifts[1], c).astype(np.int64)
    zp = RESCALE_ZP
    v = acc.astype(np.int64) * mult + (np.int64(1) << (shift - 1))
    ref = np.clip((v >> shift) + zp, -128, 127).astype(np.int8)
    if clamp:
        ref = np.clip(ref, clamp[0], clamp[1]).astype(np.int8)
    shape = "x".join(map(str, acc.shape))
    body, rest = mlir.split("  return %", 1)
    result = "%" + rest.split(" ", 1)[0]
    values = (f"dense_resource<rm>" if blob else f"dense<{mult.tolist()}>")
    body += f"""  %rm = "tosa.const"() {{values = {values} : tensor<{c}xi32>}} : () -> tensor<{c}xi32>
  %rs = "tosa.const"() {{values = dense<{shift.tolist()}> : tensor<{c}xi8>}} : () -> tensor<{c}xi8>
  %rzi = "tosa.const"() {{values = dense<0> : tensor<1xi32>}} : () -> tensor<1xi32>
  %rzo = "tosa.const"() {{values = dense<{zp}> : tensor<1xi8>}} : () -> tensor<1xi8>
  %q = tosa.rescale {result}, %rm, %rs, %rzi, %rzo {{input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = #tosa.rounding_mode<SINGLE_ROUND>, scale32 = true}} : (tensor<{shape}xi32>, tensor<{c}xi32>, tensor<{c}xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<{shape}xi8>
"""
    if clamp:
        body += f"""  %qc = tosa.clamp %q {{min_val = {clamp[0]} : i8, max_val = {clamp[1]} : i8}} : (tensor<{shape}xi8>) -> tensor<{shape}xi8>
  return %qc : tensor<{shape}xi8>
"""
    else:
        body += f"""  return %q : tensor<{shape}xi8>
"""
    body += rest.split("\n", 1)[1]
    if blob:
        body = body.replace("    builtin: {\n", "    builtin: {\n" +
                            blob_line("rm", mult.astype(np.int32)) + ",\n", 1)
    body = body.replace(f"-> tensor<{shape}xi32> {{", f"-> tensor<{shape}xi8> {{", 1)
    return body, x, ref


def residual(rng, h, c, za, k=1):
    """A 1x1 convolution C -> C plus its own input (tosa.rescale of the i8
    input to i32 after the convolution, tosa.add), requantized to i8: the
    input's rescale, the add and the requantize run in the GEMM's epilogue
    (with C = 24 the last vector of columns reads the input masked)."""
    mlir, x, acc = conv_case(rng, h, c, c, k, 1, 1, (k - 1) // 2, za)
    shape = f"1x{h}x{h}x{c}"
    head, rest = mlir.split("  return %", 1)
    head += f"""  %im = "tosa.const"() {{values = dense<1073741824> : tensor<1xi32>}} : () -> tensor<1xi32>
  %is = "tosa.const"() {{values = dense<30> : tensor<1xi8>}} : () -> tensor<1xi8>
  %i0 = "tosa.const"() {{values = dense<0> : tensor<1xi8>}} : () -> tensor<1xi8>
  %o0 = "tosa.const"() {{values = dense<0> : tensor<1xi32>}} : () -> tensor<1xi32>
  %skip = tosa.rescale %x, %im, %is, %i0, %o0 {{input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = #tosa.rounding_mode<SINGLE_ROUND>, scale32 = true}} : (tensor<{shape}xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<{shape}xi32>
  %sum = tosa.add %y, %skip : (tensor<{shape}xi32>, tensor<{shape}xi32>) -> tensor<{shape}xi32>
  return %sum : tensor<{shape}xi32>
"""
    mlir = head + rest.split("\n", 1)[1]
    return rescaled(rng, (mlir, x, acc + x.astype(np.int32)))


def split_module(mlir):
    """A one-function case module as (header, body, return, blob lines)."""
    header, rest = mlir.split("\n", 1)
    body, tail = rest.split("  return ", 1)
    ret, resources = tail.split("\n}\n", 1)
    blobs = []
    if "builtin: {" in resources:
        inner = resources.split("    builtin: {\n", 1)[1].split("\n    }", 1)[0]
        blobs = [line.rstrip(",") for line in inner.split("\n")]
    return header, body, ret, blobs


def chained(first, second, tag):
    """`first`'s i8 result as the input of the case `second` builds from
    that array: one function, `second`'s values and blobs renamed with
    `tag`. Through --qnt-flip-int8-activations the first requantize stores
    the u8 bits that the next kernel reads (no flip, no copy of its own)."""
    mlir1, x, ref1 = first
    mlir2, _, ref2 = second(ref1)
    h1, b1, r1, blobs1 = split_module(mlir1)
    _, b2, r2, blobs2 = split_module(mlir2)
    value = r1.split(" ", 1)[0]
    b2, r2 = (re.sub(r"%([A-Za-z_]\w*)", r"%\1_" + tag, text)
              for text in (b2, r2))
    b2 = b2.replace("%x_" + tag, value)
    renamed = []
    for line in blobs2:
        name, data = line.strip().split(":", 1)
        b2 = b2.replace(f"dense_resource<{name}>",
                        f"dense_resource<{name}{tag}>")
        renamed.append(f"      {name}{tag}:{data}")
    header = h1.rsplit("->", 1)[0] + "-> " + r2.split(" : ", 1)[1] + " {"
    mlir = f"{header}\n{b1}{b2}  return {r2}\n}}\n"
    blobs = blobs1 + renamed
    if blobs:
        mlir += ("{-#\n  dialect_resources: {\n    builtin: {\n" +
                 ",\n".join(blobs) + "\n    }\n  }\n#-}\n")
    return mlir, x, ref2


def maxpool_case(rng, h, c, k, stride):
    """tosa.max_pool2d on i8; the comparison is the int8 ordering."""
    x = rng.integers(-128, 128, (1, h, h, c)).astype(np.int8)
    out = (h - k) // stride + 1
    ref = np.empty((1, out, out, c), np.int8)
    for i in range(out):
        for j in range(out):
            ref[0, i, j] = x[0, i * stride:i * stride + k,
                             j * stride:j * stride + k].max(axis=(0, 1))
    mlir = f"""func.func @main(%x: tensor<1x{h}x{h}x{c}xi8>) -> tensor<1x{out}x{out}x{c}xi8> {{
  %y = tosa.max_pool2d %x {{kernel = array<i64: {k}, {k}>, stride = array<i64: {stride}, {stride}>, pad = array<i64: 0, 0, 0, 0>}} : (tensor<1x{h}x{h}x{c}xi8>) -> tensor<1x{out}x{out}x{c}xi8>
  return %y : tensor<1x{out}x{out}x{c}xi8>
}}
"""
    return mlir, x, ref


def pooled(case, k):
    """`case`'s result max-pooled by tosa.max_pool2d, a k x k window at
    stride k (the rows and columns past a whole window dropped): the GEMM
    kernel runs the pool on its accumulators when its epilogue (a
    requantize, a clamp) is non-decreasing."""
    mlir, x, ref = case
    n, h, w, c = ref.shape
    oh, ow = h // k, w // k
    out = ref[:, :oh * k, :ow * k].reshape(n, oh, k, ow, k, c).max(axis=(2, 4))
    t = {np.int8: "i8", np.int32: "i32", np.float32: "f32"}[ref.dtype.type]
    shape, pooled_shape = f"{n}x{h}x{w}x{c}x{t}", f"{n}x{oh}x{ow}x{c}x{t}"
    body, rest = mlir.split("  return %", 1)
    result = "%" + rest.split(" ", 1)[0]
    body += f"""  %pool = tosa.max_pool2d {result} {{kernel = array<i64: {k}, {k}>, stride = array<i64: {k}, {k}>, pad = array<i64: 0, 0, 0, 0>}} : (tensor<{shape}>) -> tensor<{pooled_shape}>
  return %pool : tensor<{pooled_shape}>
"""
    body += rest.split("\n", 1)[1]
    body = body.replace(f"-> tensor<{shape}> {{", f"-> tensor<{pooled_shape}> {{", 1)
    return body, x, out


def concat_pooled(rng, h, c, outs, za):
    """1x1 convolutions of one input, requantized and clamped, concatenated
    along the channels and max-pooled 2x2 at stride 2: the pool moves
    above the concatenation, each part's kernel runs its pool and writes
    into its slot of the pooled result."""
    x = rng.integers(-128, 128, (1, h, h, c)).astype(np.int8)
    parts = [rescaled(rng, conv_case(rng, h, c, o, 1, 1, 1, 0, za, x=x),
                      clamp=(3, 127)) for o in outs]
    body, blobs, results = "", [], []
    for i, (mlir, _, _) in enumerate(parts):
        _, b, r, bl = split_module(mlir)
        body += re.sub(r"%([A-Za-z_]\w*)", lambda m: m.group(0) if
                       m.group(1) == "x" else f"%{m.group(1)}_{i}", b) \
            .replace("dense_resource<w>", f"dense_resource<w{i}>")
        results.append(re.sub(r"%(\w+)", rf"%\1_{i}", r.split(" ", 1)[0]))
        blobs += [line.replace("w:", f"w{i}:", 1) for line in bl]
    cat = f"1x{h}x{h}x{sum(outs)}xi8"
    types = ", ".join(f"tensor<1x{h}x{h}x{o}xi8>" for o in outs)
    body += f"  %cat = tosa.concat {', '.join(results)} {{axis = 3 : i32}} : ({types}) -> tensor<{cat}>\n"
    mlir = (f"func.func @main(%x: tensor<1x{h}x{h}x{c}xi8>) -> tensor<{cat}> {{\n"
            f"{body}  return %cat : tensor<{cat}>\n}}\n"
            "{-#\n  dialect_resources: {\n    builtin: {\n" +
            ",\n".join(blobs) + "\n    }\n  }\n#-}\n")
    ref = np.concatenate([part[2] for part in parts], axis=3)
    return pooled((mlir, x, ref), 2)


def float_matmul_case(rng, m, k, n):
    a = rng.standard_normal((1, m, k)).astype(np.float32)
    w = rng.standard_normal((1, k, n)).astype(np.float32)
    ref = (a.astype(np.float64) @ w.astype(np.float64)).astype(np.float32)
    mlir = f"""func.func @main(%a: tensor<1x{m}x{k}xf32>) -> tensor<1x{m}x{n}xf32> {{
  %b = "tosa.const"() {{values = dense<"0x{w.tobytes().hex().upper()}"> : tensor<1x{k}x{n}xf32>}} : () -> tensor<1x{k}x{n}xf32>
  %z = "tosa.const"() {{values = dense<0.0> : tensor<1xf32>}} : () -> tensor<1xf32>
  %c = tosa.matmul %a, %b, %z, %z : (tensor<1x{m}x{k}xf32>, tensor<1x{k}x{n}xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x{m}x{n}xf32>
  return %c : tensor<1x{m}x{n}xf32>
}}
"""
    return mlir, a, ref


CASES = {
    # M = 50 (6 tiles of 8 rows and a 2-row kernel), K = 37 (padded to 40),
    # N = 40 (one 48-lane tile, 8 padded columns).
    "matmul": lambda rng: matmul_case(rng, 50, 37, 40, 7),
    # M = 1 (a batch-1 linear layer), N = 10.
    "linear": lambda rng: matmul_case(rng, 1, 64, 10, -128),
    # 3x3 stride 2, padding 1 with a non-zero input zero point, N = 24.
    "conv": lambda rng: conv_case(rng, 9, 5, 24, 3, 2, 1, 1, -3),
    # 3x3 dilation 2, 64 output channels (J = 4), C = 16.
    "conv_dilated": lambda rng: conv_case(rng, 10, 16, 64, 3, 1, 2, 0, 11),
    # 1x1, C = 32 (K a multiple of 4), N = 16.
    "conv1x1": lambda rng: conv_case(rng, 7, 32, 16, 1, 1, 1, 0, -128),
    # 3x3 depthwise, stride 2, padding 1, 32 channels (two vectors).
    "depthwise": lambda rng: depthwise_case(rng, 9, 32, 3, 2, 1, 9),
    # The same in f32, and an f32 matmul with odd shapes.
    "depthwise_f32": lambda rng: depthwise_case(rng, 9, 32, 3, 2, 1, 0,
                                                isFloat=True),
    "matmul_f32": lambda rng: float_matmul_case(rng, 23, 19, 40),
    # Zero input zero points: tosa-to-linalg emits the plain named ops
    # (conv_2d_nhwc_fhwc, batch_matmul, depthwise_conv_2d_nhwc_hwcm) on i8.
    "matmul_zp0": lambda rng: matmul_case(rng, 13, 20, 33, 0),
    "conv_zp0": lambda rng: conv_case(rng, 8, 6, 20, 3, 1, 1, 1, 0),
    "depthwise_zp0": lambda rng: depthwise_case(rng, 8, 16, 3, 1, 1, 0),
    # Whole vectors of channels (16, 32): at stride 2 the padded copy read
    # in place, with dilation 2 the im2col reading through the padding.
    "conv_pad16": lambda rng: conv_case(rng, 9, 16, 24, 3, 2, 1, 1, -3),
    "conv_pad32": lambda rng: conv_case(rng, 7, 32, 20, 3, 1, 2, 2, 7),
    # Requantized to i8 by tosa.rescale: the kernels' fused epilogues.
    "conv_rescale": lambda rng: rescaled(
        rng, conv_case(rng, 9, 5, 24, 3, 2, 1, 1, -3)),
    "conv_rescale_blob": lambda rng: rescaled(
        rng, conv_case(rng, 9, 5, 24, 3, 2, 1, 1, -3), blob=True),
    "conv_residual": lambda rng: residual(rng, 5, 32, -3),
    "conv_residual_c24": lambda rng: residual(rng, 5, 24, 4),
    # Channels not a multiple of 16: the last block of 8 is masked.
    "depthwise_c24": lambda rng: rescaled(
        rng, depthwise_case(rng, 9, 24, 3, 1, 1, -7)),
    "maxpool_c24": lambda rng: maxpool_case(rng, 7, 24, 3, 2),
    # K a multiple of 64 and >= 256: the AMX kernel where the host has it
    # (M = 40 and 64 rows; N = 48 and 32; requantized in its epilogue).
    "matmul_k256": lambda rng: matmul_case(rng, 40, 256, 48, 5),
    "conv_k576": lambda rng: rescaled(
        rng, conv_case(rng, 8, 64, 32, 3, 1, 1, 1, -3)),
    "depthwise_c40_f32": lambda rng: depthwise_case(rng, 7, 40, 3, 2, 1, 0,
                                                    isFloat=True),
    "depthwise_rescale": lambda rng: rescaled(
        rng, depthwise_case(rng, 9, 32, 3, 2, 1, 9)),
    # The int8 quads kernel: 5x5 rows over two quads (stride 1 and 2,
    # 20 channels: a masked block); no padding with quads past the last
    # column (9 wide); stride 3; and dilation 2, which takes the
    # sign-extending (vpdpwssd) kernel.
    "depthwise_k5": lambda rng: depthwise_case(rng, 11, 20, 5, 1, 2, -5),
    "depthwise_k5s2": lambda rng: depthwise_case(rng, 11, 16, 5, 2, 2, 3),
    "depthwise_nopad": lambda rng: depthwise_case(rng, 9, 16, 3, 1, 0, -128),
    "depthwise_s3": lambda rng: depthwise_case(rng, 10, 16, 3, 3, 1, 127),
    # Even strides build quads every fourth column: a 7-tap row over two
    # or three quads (24 channels: a masked block), 2 taps, stride 4.
    "depthwise_k7s2": lambda rng: depthwise_case(rng, 15, 24, 7, 2, 3, -9),
    "depthwise_k2s2": lambda rng: depthwise_case(rng, 10, 16, 2, 2, 0, 2),
    "depthwise_s4": lambda rng: depthwise_case(rng, 13, 16, 3, 4, 1, 11),
    # Rows of 11 outputs at strides 3 and 4: one step of eight columns and
    # three more.
    "depthwise_s3_w11": lambda rng: depthwise_case(rng, 31, 16, 3, 3, 1, 7),
    "depthwise_s4_w11": lambda rng: depthwise_case(rng, 41, 16, 3, 4, 1, -7),
    "depthwise_dilated": lambda rng: depthwise_case(rng, 9, 16, 3, 1, 2, 4,
                                                    dilation=2),
    # Implicit GEMM (the padded input read in place): one input channel
    # (each kernel row's 3 taps read as 4 bytes, the 4th weighing 0), two
    # images, 17-pixel output rows in tiles of 9 and 8; two images of 13
    # pixels per row in tiles of 7 and 6 (J = 2); f32 at stride 2 with 3
    # channels and at stride 1 with 16 channels and 40 outputs.
    "conv_c1": lambda rng: conv_case(rng, 17, 1, 16, 3, 1, 1, 1, -128,
                                     batch=2),
    "conv_b2": lambda rng: conv_case(rng, 13, 16, 32, 3, 1, 1, 1, 5, batch=2),
    "conv_f32": lambda rng: conv_case(rng, 11, 3, 20, 3, 2, 1, 1, 0, batch=2,
                                      isFloat=True),
    "conv_f32_c16": lambda rng: conv_case(rng, 13, 16, 40, 3, 1, 1, 1, 0,
                                          isFloat=True),
    # Implicit GEMM on AMX tiles (K = 576): output rows of 20 pixels (a
    # full and a partial 16-row tile together), two images, N = 48 (a pair
    # and a single column of tiles); at stride 2, rows of 40 (a pair, then
    # a partial tile alone).
    "conv_amx": lambda rng: rescaled(
        rng, conv_case(rng, 20, 64, 48, 3, 1, 1, 1, -3, batch=2)),
    "conv_amx_s2": lambda rng: conv_case(rng, 79, 64, 32, 3, 2, 1, 1, 6),
    # 32 channels: each kernel row's 96 bytes padded to 128 for whole AMX K
    # steps (K 288 -> 384); 13-pixel rows, one tile each, two output rows
    # per block and an odd last row; two images.
    "conv_amx_c32": lambda rng: rescaled(
        rng, conv_case(rng, 13, 32, 32, 3, 1, 1, 1, 4, batch=2)),
    # Residual 3x3s: K 288 read as 384 on AMX tiles, the skip input read
    # at the partial tiles' valid rows; 7-pixel rows (under half a tile:
    # vpdpbusd, read in place).
    "conv_residual_k3": lambda rng: residual(rng, 14, 32, 5, k=3),
    "conv_residual_k3_ow7": lambda rng: residual(rng, 7, 64, -3, k=3),
    # Non-square kernels and asymmetric padding read in place: 1x3 at
    # stride 2 padded on the left; 3x1 with 64 channels on AMX tiles (rows
    # of 18: a full and a partial tile); 3x3 at stride 2 padded on the
    # bottom and right ("SAME"), N = 24 on AMX tiles and with vpdpbusd.
    "conv_1x3": lambda rng: conv_case(rng, 9, 16, 16, 1, 2, 1, 0, 7, kw=3,
                                      pads=(0, 0, 2, 0)),
    "conv_3x1_amx": lambda rng: conv_case(rng, 18, 64, 32, 3, 1, 1, 0, -2,
                                          kw=1, pads=(1, 1, 0, 0)),
    "conv_same_amx": lambda rng: conv_case(rng, 40, 64, 24, 3, 2, 1, 0, 9,
                                           pads=(0, 1, 0, 1)),
    "conv_same": lambda rng: conv_case(rng, 8, 32, 24, 3, 2, 1, 0, 9,
                                       pads=(0, 1, 0, 1)),
    # A last block of one channel (17 = 16 + 1): its i8 store has one lane
    # (--qnt-scalarize-single-lane-stores).
    "depthwise_c17": lambda rng: rescaled(
        rng, depthwise_case(rng, 8, 17, 3, 1, 1, 5)),
    "depthwise_c33_s2": lambda rng: rescaled(
        rng, depthwise_case(rng, 9, 33, 3, 2, 1, -3)),
    # AMX tiles from whole-tile packed activations (packRows): K padded to
    # 64-byte steps (200 -> 256, 40 -> 64, 72 -> 128), partial row tiles
    # (M = 37, 25, 36) finishing their valid rows, the requantize fused
    # into a matmul, a residual epilogue on a partial row tile.
    "matmul_k200_rescale": lambda rng: rescaled(
        rng, matmul_case(rng, 37, 200, 40, 7)),
    "matmul_k40": lambda rng: matmul_case(rng, 20, 40, 24, -5),
    "conv1x1_k72": lambda rng: conv_case(rng, 6, 72, 20, 1, 1, 1, 0, 3),
    "conv_residual_k112": lambda rng: residual(rng, 5, 112, -3),
    # On AMX with a partial column tile (N = 40): the residual read masked.
    "conv_residual_c40": lambda rng: residual(rng, 5, 40, 2),
    # Last column tiles of one column (a vector<1> store; vpdpbusd and AMX)
    # and AMX kernels (3x3 read in place, K 576) writing concat slots.
    "conv_n17_rescale": lambda rng: rescaled(
        rng, conv_case(rng, 6, 16, 17, 3, 1, 1, 1, 2)),
    "matmul_n17_rescale": lambda rng: rescaled(
        rng, matmul_case(rng, 20, 128, 17, -9)),
    "concat_amx": lambda rng: concat_case(rng, 16, 64, (32, 24), 5),
    # A one-channel convolution (its bias broadcast as (d0..d3) -> (0)).
    "concat_n1": lambda rng: concat_case(rng, 6, 16, (1, 24), 3),
    "concat": lambda rng: concat_case(rng, 6, 16, (16, 24, 32), -3),
    # Requantized bytes narrowed four or two at a time (qnt.pack_s8): some
    # channels' scales above 1, so that the i32 values pass both the i16
    # and the i8 saturation, then a ReLU-like clamp; a vector GEMM with
    # three column vectors, AMX tiles, depthwise rows of 8k + 3 columns.
    "conv_saturate": lambda rng: rescaled(
        rng, conv_case(rng, 9, 16, 48, 1, 1, 1, 0, 5), shifts=(20, 44),
        clamp=(-20, 100)),
    "conv_amx_saturate": lambda rng: rescaled(
        rng, conv_case(rng, 10, 64, 32, 3, 1, 1, 1, 6), shifts=(20, 44),
        clamp=(3, 127)),
    "depthwise_saturate": lambda rng: rescaled(
        rng, depthwise_case(rng, 11, 32, 3, 1, 1, -3), shifts=(20, 44),
        clamp=(-128, 90)),
    "depthwise_saturate_s2": lambda rng: rescaled(
        rng, depthwise_case(rng, 13, 48, 3, 2, 1, 7), shifts=(20, 44)),
    "concat_f32": lambda rng: concat_case(rng, 6, 8, (32, 16, 24), 0,
                                          isFloat=True),
    # MobileNetV2's order: a 1x1 expand requantized to a ReLU grid (zero
    # point 3), read by a 3x3 depthwise (input zero point 3) requantized
    # again, then a 1x1 projection; with 40 channels the last vector of
    # the expand's columns and of the depthwise's blocks is partial.
    "chain_conv_depthwise": lambda rng: chained(
        rescaled(rng, conv_case(rng, 10, 24, 48, 1, 1, 1, 0, -5),
                 clamp=(3, 127)),
        lambda x: rescaled(rng, depthwise_case(rng, 10, 48, 3, 1, 1,
                                               RESCALE_ZP, x=x)),
        "dw"),
    "chain_conv_depthwise_s2_conv": lambda rng: chained(
        chained(
            rescaled(rng, conv_case(rng, 11, 16, 40, 1, 1, 1, 0, 7),
                     clamp=(3, 127)),
            lambda x: rescaled(rng, depthwise_case(rng, 11, 40, 3, 2, 1,
                                                   RESCALE_ZP, x=x),
                               clamp=(3, 127)),
            "dw"),
        lambda x: conv_case(rng, 6, 40, 24, 1, 1, 1, 0, RESCALE_ZP, x=x),
        "pw"),
    # A 2x2 (3x3) max pool at stride 2 (3) after a requantized (clamped)
    # convolution read in place, run on the accumulators: one input
    # channel, 14 pixels per row (pooled 7: tiles of 4 and 3); 40 columns
    # (a partial column tile, pooled tiles of 2) on two
    # images; f32 without an epilogue (the pool's init, the lowest float,
    # a max after the kernel). A residual add is not monotone in the
    # accumulator alone: that pool stays a pool.
    "conv_c1_maxpool": lambda rng: pooled(rescaled(
        rng, conv_case(rng, 14, 1, 16, 3, 1, 1, 1, -128), clamp=(3, 127)), 2),
    "conv_maxpool_n40": lambda rng: pooled(rescaled(
        rng, conv_case(rng, 12, 8, 40, 3, 1, 1, 1, 5, batch=2)), 2),
    "conv_maxpool3_f32": lambda rng: pooled(
        conv_case(rng, 12, 3, 16, 3, 1, 1, 1, 0, isFloat=True), 3),
    "conv_residual_maxpool": lambda rng: pooled(
        residual(rng, 6, 16, -3, k=3), 2),
    # A pool of a concatenation: per part (1x1 convolutions read in place,
    # 16 and 24 channels), into the pooled result's slots; f32 3x3 ones.
    "concat_maxpool": lambda rng: concat_pooled(rng, 10, 32, (16, 24), -5),
    "concat_maxpool_f32": lambda rng: pooled(
        concat_case(rng, 8, 8, (16, 24), 0, isFloat=True), 2),
}


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "make":
        rng = np.random.default_rng(5)
        for name, build in CASES.items():
            mlir, x, ref = build(rng)
            with open(os.path.join(sys.argv[2], name + ".mlir"), "w") as f:
                f.write(mlir)
            np.save(os.path.join(sys.argv[2], name + "-in.npy"), x)
            np.save(os.path.join(sys.argv[2], name + "-ref.npy"), ref)
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "check":
        got, want = np.load(sys.argv[2]), np.load(sys.argv[3])
        if got.shape != want.shape or got.dtype != want.dtype:
            print(f"{sys.argv[2]}: {got.dtype}{list(got.shape)} != "
                  f"{want.dtype}{list(want.shape)}")
            return 1
        if got.dtype == np.float32:
            wrong = int((~np.isclose(got, want, rtol=1e-5, atol=1e-5)).sum())
        else:
            wrong = int((got != want).sum())
        print(f"{os.path.basename(sys.argv[2])}: {got.size} elements, "
              f"{wrong} wrong")
        return 1 if wrong else 0
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
