#!/usr/bin/python3
"""Reference for the pre-quantized ONNX models of test/Target/ONNX/Inputs.

  qlinear.py inputs MODEL.onnx DIR        writes DIR/<input>.npy, seeded:
                                          --batches N inputs stacked on
                                          dimension 0 (quant-run runs them
                                          one by one)
  qlinear.py check MODEL.onnx DIR OUT...  compares OUT (one .npy per graph
                                          output) with the reference

The reference evaluates the graph with numpy from the ONNX operator
definitions, independently of the compiler: QLinearConv and QLinearMatMul
as exact integer sums (x - z_x)(w - z_w) + B, scaled by s_x * s_w / s_y in
float64, rounded half to even, plus z_y, saturated; ConvInteger and
MatMulInteger as exact int32 sums; DequantizeLinear as s * (q - z).
`check` prints, per output, how many elements are exact and the largest
difference in units of the output grid (LSB), and fails above --max-lsb or
below --min-exact. Each node is checked on its own: where an intermediate
tensor is also a graph output, the nodes after it read the observed value.
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def attr(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


def conv_sums(x, w, pads, strides, group):
    """Exact integer NCHW convolution sums (int64)."""
    x = np.pad(x.astype(np.int64),
               ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    oh = (h - kh) // strides[0] + 1
    ow = (wd - kw) // strides[1] + 1
    out = np.zeros((n, m, oh, ow), np.int64)
    per_group = m // group
    for o in range(m):
        g = o // per_group
        xs = x[:, g * cg:(g + 1) * cg]
        for i in range(oh):
            for j in range(ow):
                patch = xs[:, :, i * strides[0]:i * strides[0] + kh,
                           j * strides[1]:j * strides[1] + kw]
                out[:, o, i, j] = (patch * w[o].astype(np.int64)).sum(
                    axis=(1, 2, 3))
    return out


def requantize(sums, scale, y_scale, y_zero, dtype):
    info = np.iinfo(dtype)
    real = sums.astype(np.float64) * scale / np.float64(y_scale)
    q = np.round(real) + np.int64(y_zero)  # numpy rounds half to even
    return np.clip(q, info.min, info.max).astype(dtype), real


def evaluate(model, feeds, observed=None):
    """Runs the graph on `feeds`; returns every node's reference output.
    Nodes downstream of a graph output listed in `observed` read the
    observed value instead, so that each node is checked on its own."""
    observed = observed or {}
    reference = {}
    values = dict(feeds)
    for init in model.graph.initializer:
        values[init.name] = numpy_helper.to_array(init)
    for node in model.graph.node:
        v = [values[name] if name else None for name in node.input]
        op = node.op_type
        if op == "QLinearConv":
            x, xs, xz, w, ws, wz, ys, yz = v[:8]
            bias = v[8] if len(v) > 8 else None
            wc = w.astype(np.int64) - wz.astype(np.int64).reshape(-1, 1, 1, 1)
            sums = conv_sums(x.astype(np.int64) - np.int64(xz), wc,
                             attr(node, "pads", [0, 0, 0, 0]),
                             attr(node, "strides", [1, 1]),
                             attr(node, "group", 1))
            if bias is not None:
                sums += bias.astype(np.int64).reshape(1, -1, 1, 1)
            scale = (np.float64(xs) *
                     ws.astype(np.float64).reshape(1, -1, 1, 1))
            y, _ = requantize(sums, scale, ys, yz, yz.dtype)
        elif op == "ConvInteger":
            x, w = v[0], v[1]
            xz = v[2] if len(v) > 2 else np.int64(0)
            wz = v[3] if len(v) > 3 else np.int64(0)
            wc = w.astype(np.int64) - np.asarray(wz, np.int64).reshape(
                -1, 1, 1, 1)
            y = conv_sums(x.astype(np.int64) - np.int64(xz), wc,
                          attr(node, "pads", [0, 0, 0, 0]),
                          attr(node, "strides", [1, 1]),
                          attr(node, "group", 1)).astype(np.int32)
        elif op == "QLinearMatMul":
            a, as_, az, b, bs, bz, ys, yz = v
            sums = (a.astype(np.int64) - np.int64(az)) @ (
                b.astype(np.int64) - bz.astype(np.int64))
            scale = np.float64(as_) * bs.astype(np.float64)
            y, _ = requantize(sums, scale, ys, yz, yz.dtype)
        elif op == "MatMulInteger":
            a, b = v[0], v[1]
            az = v[2] if len(v) > 2 else np.int64(0)
            bz = v[3] if len(v) > 3 else np.int64(0)
            y = ((a.astype(np.int64) - np.int64(az)) @
                 (b.astype(np.int64) - np.int64(bz))).astype(np.int32)
        elif op == "DequantizeLinear":
            q, s = v[0], v[1]
            z = v[2] if len(v) > 2 else np.int64(0)
            y = (np.float32(s) * (q.astype(np.int64) - np.int64(z)).astype(
                np.float32)).astype(np.float32)
        else:
            sys.exit(f"qlinear.py: no reference for {op}")
        reference[node.output[0]] = y
        values[node.output[0]] = observed.get(node.output[0], y)
    return reference


def grid_of(model, name):
    """Scale of the grid an output lies on (1 for integers)."""
    for node in model.graph.node:
        if node.output[0] == name and node.op_type == "DequantizeLinear":
            inits = {i.name: numpy_helper.to_array(i)
                     for i in model.graph.initializer}
            return float(inits[node.input[1]])
    return 1.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["inputs", "check"])
    parser.add_argument("model")
    parser.add_argument("dir")
    parser.add_argument("outputs", nargs="*")
    parser.add_argument("--max-lsb", type=float, default=1.0)
    parser.add_argument("--min-exact", type=float, default=0.99)
    parser.add_argument("--batches", type=int, default=1)
    args = parser.parse_args()
    model = onnx.load(args.model)
    initialized = {i.name for i in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in initialized]
    rng = np.random.default_rng(7)
    if args.mode == "inputs":
        for info in inputs:
            dtype = onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[
                info.type.tensor_type.elem_type]
            shape = [d.dim_value for d in info.type.tensor_type.shape.dim]
            shape[0] *= args.batches
            limits = np.iinfo(dtype)
            data = rng.integers(limits.min, limits.max + 1, shape).astype(dtype)
            np.save(os.path.join(args.dir, info.name + ".npy"), data)
        return 0
    feeds = {i.name: np.load(os.path.join(args.dir, i.name + ".npy"))
             for i in inputs}
    # One evaluation per batch, as quant-run splits the inputs.
    batches = {len(v) // [d.dim_value for d in i.type.tensor_type.shape.dim][0]
               for i, v in zip(inputs, feeds.values())}
    if len(batches) != 1:
        sys.exit("qlinear.py: inputs hold different numbers of batches")
    count = batches.pop()
    got = {o.name: np.load(p) for o, p in zip(model.graph.output, args.outputs)}
    runs = [evaluate(model, {k: np.split(v, count)[b]
                             for k, v in feeds.items()},
                     {k: np.split(v, count)[b] for k, v in got.items()
                      if len(v) % count == 0})
            for b in range(count)]
    reference = {o.name: np.concatenate([r[o.name] for r in runs])
                 for o in model.graph.output}
    status = 0
    for info in model.graph.output:
        want = reference[info.name]
        got = np.load(args.outputs[[o.name for o in model.graph.output]
                                   .index(info.name)])
        if got.shape != want.shape or got.dtype != want.dtype:
            print(f"{info.name}: got {got.dtype}{list(got.shape)}, expected "
                  f"{want.dtype}{list(want.shape)}")
            status = 1
            continue
        lsb = np.abs(got.astype(np.float64) - want.astype(np.float64)) / \
            grid_of(model, info.name)
        exact = float((lsb < 1e-3).mean())
        print(f"{info.name}: {got.size} elements, {exact * 100:.2f}% exact, "
              f"max {lsb.max():.3g} LSB")
        if lsb.max() > args.max_lsb + 1e-3 or exact < args.min_exact:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
