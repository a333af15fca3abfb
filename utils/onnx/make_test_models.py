#!/usr/bin/python3
# ===- make_test_models.py - ONNX inputs of the importer's lit tests -------===#
#
# Part of the quantization compiler, under the Apache License v2.0 with LLVM
# Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# ===----------------------------------------------------------------------===#
#
# Writes the small, deterministic .onnx models that test/Target/ONNX reads,
# into test/Target/ONNX/Inputs (or the directory given as argument):
#
#   /usr/bin/python3 utils/onnx/make_test_models.py
#
# Needs Debian's python3-onnx and python3-numpy (hence /usr/bin/python3).
# Weights are drawn from a fixed seed, so reruns give identical files.
#
# ===----------------------------------------------------------------------===#

import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                       "test", "Target", "ONNX", "Inputs")


def rand(rng, *shape):
    return rng.uniform(-1.0, 1.0, size=shape).astype(np.float32)


def init(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def tensor_value(name, shape, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, shape)


def model(name, nodes, inputs, outputs, initializers=(), opset=13):
    graph = helper.make_graph(nodes, name, inputs, outputs,
                              initializer=list(initializers))
    m = helper.make_model(graph, producer_name="make_test_models",
                          opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def save(m, out_dir, file_name):
    path = os.path.join(out_dir, file_name)
    with open(path, "wb") as f:
        f.write(m.SerializeToString())
    return path


# ===----------------------------------------------------------------------===#
# Valid models, one per operator family
# ===----------------------------------------------------------------------===#


def conv_model(rng):
    """Conv: pads+bias, stride+SAME_UPPER without bias, depthwise, groups."""
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv_pads",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Conv", ["c1", "w2"], ["c2"], name="conv_stride",
                         strides=[2, 2], auto_pad="SAME_UPPER"),
        helper.make_node("Conv", ["c2", "w3", "b3"], ["c3"], name="conv_dw",
                         group=4, pads=[1, 1, 1, 1]),
        helper.make_node("Conv", ["c3", "w4"], ["c4"], name="conv_group",
                         group=2),
        helper.make_node("Conv", ["c4", "w5"], ["y"], name="conv_asym",
                         pads=[0, 1, 1, 0], strides=[2, 2],
                         dilations=[1, 1]),
    ]
    inits = [
        init("w1", rand(rng, 4, 3, 3, 3)), init("b1", rand(rng, 4)),
        init("w2", rand(rng, 4, 4, 3, 3)),
        init("w3", rand(rng, 8, 1, 3, 3)), init("b3", rand(rng, 8)),
        init("w4", rand(rng, 4, 4, 1, 1)),
        init("w5", rand(rng, 2, 4, 2, 2)),
    ]
    return model("conv", nodes, [tensor_value("x", ["N", 3, 8, 8])],
                 [tensor_value("y", ["N", 2, 2, 2])], inits)


def batchnorm_model(rng):
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv",
                         pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization",
                         ["c", "gamma", "beta", "mean", "var"], ["bn"],
                         name="bn", epsilon=1e-3),
        helper.make_node("Relu", ["bn"], ["y"], name="relu"),
    ]
    inits = [
        init("w", rand(rng, 4, 2, 3, 3)),
        init("gamma", rng.uniform(0.5, 1.5, 4).astype(np.float32)),
        init("beta", rand(rng, 4)), init("mean", rand(rng, 4)),
        init("var", rng.uniform(0.5, 1.5, 4).astype(np.float32)),
    ]
    return model("batchnorm", nodes, [tensor_value("x", [1, 2, 4, 4])],
                 [tensor_value("y", [1, 4, 4, 4])], inits)


def activations_model(rng):
    """Activations after a conv stay in NHWC: no transposes in between."""
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
        helper.make_node("Relu", ["c"], ["r"], name="relu"),
        helper.make_node("Clip", ["r", "lo", "hi"], ["clip6"], name="relu6"),
        helper.make_node("Clip", ["clip6", "", "hi2"], ["clipmax"],
                         name="clip_max_only"),
        helper.make_node("LeakyRelu", ["clipmax"], ["leaky"], name="leaky",
                         alpha=0.1),
        helper.make_node("Sigmoid", ["leaky"], ["sig"], name="sigmoid"),
        helper.make_node("Tanh", ["sig"], ["y"], name="tanh"),
    ]
    inits = [
        init("w", rand(rng, 2, 2, 1, 1)),
        init("lo", np.array(0.0, np.float32)),
        init("hi", np.array(6.0, np.float32)),
        init("hi2", np.array(4.0, np.float32)),
    ]
    return model("activations", nodes, [tensor_value("x", [1, 2, 3, 3])],
                 [tensor_value("y", [1, 2, 3, 3])], inits)


def clip_opset6_model(rng):
    nodes = [helper.make_node("Clip", ["x"], ["y"], name="clip_attr",
                              min=-1.0, max=1.0)]
    return model("clip6", nodes, [tensor_value("x", [2, 3])],
                 [tensor_value("y", [2, 3])], opset=6 + 1)


def elementwise_model(rng):
    """Broadcasting: channel vectors [C,1,1] follow the NHWC permutation."""
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
        helper.make_node("Add", ["c", "chan"], ["add"], name="add_channel"),
        helper.make_node("Mul", ["add", "scalar"], ["mul"], name="mul_scalar"),
        helper.make_node("Sub", ["mul", "x2"], ["sub"], name="sub_input"),
        helper.make_node("Div", ["sub", "row"], ["y"], name="div_row"),
        helper.make_node("Add", ["v", "vbias"], ["z"], name="add_2d"),
    ]
    inits = [
        init("w", rand(rng, 3, 3, 1, 1)),
        init("chan", np.array([1, 2, 3], np.float32).reshape(3, 1, 1)),
        init("scalar", np.array(0.5, np.float32)),
        init("row", np.array([1, 2, 4, 8], np.float32)),
        init("vbias", np.array([1, 2, 3, 4, 5], np.float32)),
    ]
    return model("elementwise", nodes,
                 [tensor_value("x", [1, 3, 2, 4]),
                  tensor_value("x2", [1, 3, 2, 4]),
                  tensor_value("v", [2, 5])],
                 [tensor_value("y", [1, 3, 2, 4]),
                  tensor_value("z", [2, 5])], inits)


def pool_model(rng):
    nodes = [
        helper.make_node("Conv", ["x", "wa"], ["a"], name="conv_a"),
        helper.make_node("Conv", ["x", "wb"], ["b"], name="conv_b"),
        helper.make_node("Concat", ["a", "b"], ["cat"], name="concat",
                         axis=1),
        helper.make_node("MaxPool", ["cat"], ["mp"], name="maxpool",
                         kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("MaxPool", ["mp"], ["mpc"], name="maxpool_ceil",
                         kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1),
        helper.make_node("AveragePool", ["mpc"], ["ap"], name="avgpool",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("AveragePool", ["ap"], ["api"],
                         name="avgpool_include_pad", kernel_shape=[3, 3],
                         pads=[1, 1, 1, 1], count_include_pad=1),
        helper.make_node("GlobalAveragePool", ["api"], ["gap"], name="gap"),
        helper.make_node("Flatten", ["gap"], ["y"], name="flatten"),
    ]
    inits = [init("wa", rand(rng, 2, 2, 1, 1)),
             init("wb", rand(rng, 3, 2, 1, 1))]
    return model("pool", nodes, [tensor_value("x", [1, 2, 10, 10])],
                 [tensor_value("y", [1, 5])], inits)


def gemm_model(rng):
    nodes = [
        helper.make_node("Gemm", ["x", "w", "bias"], ["g"], name="fc",
                         transB=1, alpha=0.5, beta=2.0),
        helper.make_node("MatMul", ["g", "m"], ["y"], name="matmul"),
        helper.make_node("MatMul", ["x3", "m3"], ["z"], name="matmul_3d"),
    ]
    inits = [init("w", rand(rng, 4, 8)), init("bias", rand(rng, 4)),
             init("m", rand(rng, 4, 3)), init("m3", rand(rng, 4, 5))]
    return model("gemm", nodes,
                 [tensor_value("x", [2, 8]), tensor_value("x3", [2, 3, 4])],
                 [tensor_value("y", [2, 3]), tensor_value("z", [2, 3, 5])],
                 inits)


def shape_model(rng):
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
        helper.make_node("Reshape", ["c", "shape"], ["r"], name="reshape"),
        helper.make_node("Unsqueeze", ["r", "axes"], ["u"], name="unsqueeze"),
        helper.make_node("Squeeze", ["u", "axes"], ["s"], name="squeeze"),
        helper.make_node("Transpose", ["s"], ["y"], name="transpose",
                         perm=[1, 0]),
        helper.make_node("Conv", ["x", "w"], ["c2"], name="conv2"),
        helper.make_node("Transpose", ["c2"], ["nhwc"], name="to_nhwc",
                         perm=[0, 2, 3, 1]),
        helper.make_node("Conv", ["x", "w"], ["c3"], name="conv3"),
        helper.make_node("GlobalAveragePool", ["c3"], ["g"], name="gap"),
        helper.make_node("Squeeze", ["g", "axes23"], ["sq"],
                         name="squeeze_gap"),
        helper.make_node("Identity", ["sq"], ["z"], name="identity"),
    ]
    inits = [init("w", rand(rng, 4, 2, 1, 1)),
             init("shape", np.array([0, -1], np.int64)),
             init("axes", np.array([1], np.int64)),
             init("axes23", np.array([2, 3], np.int64))]
    return model("shape", nodes, [tensor_value("x", [1, 2, 2, 3])],
                 [tensor_value("y", [24, 1]),
                  tensor_value("nhwc", [1, 2, 3, 4]),
                  tensor_value("z", [1, 4])], inits)


def squeeze_opset11_model(rng):
    nodes = [
        helper.make_node("Unsqueeze", ["x"], ["u"], name="unsqueeze",
                         axes=[0, 3]),
        helper.make_node("Squeeze", ["u"], ["y"], name="squeeze", axes=[0]),
    ]
    return model("squeeze11", nodes, [tensor_value("x", [2, 3])],
                 [tensor_value("y", [2, 3, 1])], opset=11)


def pad_model(rng):
    nodes = [
        helper.make_node("Pad", ["x", "pads", "value"], ["p"], name="pad_in",
                         mode="constant"),
        helper.make_node("Conv", ["p", "w"], ["c"], name="conv"),
        helper.make_node("Pad", ["c", "pads2"], ["y"], name="pad_nhwc"),
    ]
    inits = [init("pads", np.array([0, 0, 1, 2, 0, 0, 1, 0], np.int64)),
             init("value", np.array(0.5, np.float32)),
             init("pads2", np.array([0, 0, 0, 1, 0, 0, 0, 1], np.int64)),
             init("w", rand(rng, 2, 2, 1, 1))]
    return model("pad", nodes, [tensor_value("x", [1, 2, 2, 2])],
                 [tensor_value("y", [1, 2, 4, 6])], inits)


def softmax_model(rng):
    nodes = [
        helper.make_node("Softmax", ["x"], ["y"], name="softmax"),
        helper.make_node("Conv", ["x4", "w"], ["c"], name="conv"),
        helper.make_node("Softmax", ["c"], ["z"], name="softmax_channels",
                         axis=1),
    ]
    inits = [init("w", rand(rng, 3, 3, 1, 1))]
    return model("softmax", nodes,
                 [tensor_value("x", [2, 10]), tensor_value("x4", [1, 3, 2, 2])],
                 [tensor_value("y", [2, 10]), tensor_value("z", [1, 3, 2, 2])],
                 inits)


def reducemean_model(rng):
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv"),
        helper.make_node("ReduceMean", ["c", "axes"], ["m"], name="mean_hw",
                         keepdims=1),
        helper.make_node("ReduceMean", ["m", "axes"], ["y"], name="mean_drop",
                         keepdims=0),
    ]
    inits = [init("w", rand(rng, 3, 2, 1, 1)),
             init("axes", np.array([2, 3], np.int64))]
    return model("reducemean", nodes, [tensor_value("x", [1, 2, 4, 4])],
                 [tensor_value("y", [1, 3])], inits, opset=18)


def qdq_model(rng):
    """QDQ: per-tensor u8 activations, per-axis i8 weights, int8 weights."""
    w_scale = np.array([0.01, 0.02, 0.03], np.float32)
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"],
                         name="x_q"),
        helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"],
                         name="x_dq"),
        helper.make_node("QuantizeLinear", ["w", "ws", "wz"], ["wq"],
                         name="w_q", axis=0),
        helper.make_node("DequantizeLinear", ["wq", "ws", "wz"], ["wd"],
                         name="w_dq", axis=0),
        helper.make_node("Conv", ["xd", "wd"], ["c"], name="conv"),
        helper.make_node("DequantizeLinear", ["w8", "ws", "wz"], ["w8d"],
                         name="w8_dq", axis=0),
        helper.make_node("Conv", ["c", "w8d"], ["y"], name="conv_int8"),
    ]
    inits = [
        init("xs", np.array(0.05, np.float32)),
        init("xz", np.array(128, np.uint8)),
        init("w", rand(rng, 3, 2, 1, 1)),
        init("ws", w_scale), init("wz", np.zeros(3, np.int8)),
        init("w8", rng.integers(-127, 128, (3, 3, 1, 1)).astype(np.int8)),
    ]
    return model("qdq", nodes, [tensor_value("x", [1, 2, 2, 2])],
                 [tensor_value("y", [1, 3, 2, 2])], inits)


def u8(array):
    return np.asarray(array, np.uint8)


def qdq_depthwise_model(rng):
    """QDQ depthwise conv: per-channel int8 weights reach the conv through
    the OHWI -> HWCM reshape and transpose."""
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"],
                         name="x_q"),
        helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"],
                         name="x_dq"),
        helper.make_node("DequantizeLinear", ["w", "ws", "wz"], ["wd"],
                         name="w_dq", axis=0),
        helper.make_node("Conv", ["xd", "wd"], ["c"], name="depthwise",
                         group=3, pads=[1, 1, 1, 1]),
        helper.make_node("QuantizeLinear", ["c", "ys", "xz"], ["cq"],
                         name="c_q"),
        helper.make_node("DequantizeLinear", ["cq", "ys", "xz"], ["y"],
                         name="c_dq"),
    ]
    inits = [
        init("xs", np.array(0.05, np.float32)),
        init("xz", np.array(128, np.uint8)),
        init("w", rng.integers(-127, 128, (3, 1, 3, 3)).astype(np.int8)),
        init("ws", np.array([0.01, 0.02, 0.03], np.float32)),
        init("wz", np.zeros(3, np.int8)),
        init("ys", np.array(0.1, np.float32)),
    ]
    return model("qdq_depthwise", nodes, [tensor_value("x", [1, 3, 4, 4])],
                 [tensor_value("y", [1, 3, 4, 4])], inits)


def qlinear_model(rng):
    """QLinearConv chain on uint8 input: per-channel int8 weights with an
    int32 bias and padding, then a depthwise conv with per-tensor uint8
    weights (zero point 120) and stride 2; outputs the u8 tensor between
    them and the dequantized result."""
    nodes = [
        helper.make_node(
            "QLinearConv",
            ["x", "xs", "xz", "w1", "w1s", "w1z", "ys", "yz", "b1"], ["y1"],
            name="conv1", pads=[1, 1, 1, 1]),
        helper.make_node(
            "QLinearConv",
            ["y1", "ys", "yz", "w2", "w2s", "w2z", "y2s", "y2z"], ["y2"],
            name="conv2", group=4, strides=[2, 2]),
        helper.make_node("DequantizeLinear", ["y2", "y2s", "y2z"], ["out"],
                         name="dq"),
    ]
    inits = [
        init("xs", np.array(0.02, np.float32)), init("xz", u8(128)),
        init("w1", rng.integers(-127, 128, (4, 2, 3, 3)).astype(np.int8)),
        init("w1s", np.array([0.004, 0.006, 0.003, 0.005], np.float32)),
        init("w1z", np.zeros(4, np.int8)),
        init("b1", rng.integers(-3000, 3000, 4).astype(np.int32)),
        init("ys", np.array(0.05, np.float32)), init("yz", u8(10)),
        init("w2", rng.integers(0, 256, (4, 1, 3, 3)).astype(np.uint8)),
        init("w2s", np.array(0.01, np.float32)), init("w2z", u8(120)),
        init("y2s", np.array(0.04, np.float32)), init("y2z", u8(0)),
    ]
    return model("qlinear", nodes,
                 [tensor_value("x", [1, 2, 6, 6], TensorProto.UINT8)],
                 [tensor_value("y1", [1, 4, 6, 6], TensorProto.UINT8),
                  tensor_value("out", [1, 4, 2, 2])], inits, opset=13)


def qmatmul_model(rng):
    """QLinearMatMul with constant per-column int8 weights, MatMulInteger of
    two runtime tensors, ConvInteger with padding and zero points."""
    nodes = [
        helper.make_node(
            "QLinearMatMul",
            ["a", "as", "az", "b", "bs", "bz", "ys", "yz"], ["y"],
            name="qmatmul"),
        helper.make_node("MatMulInteger", ["a", "b2", "az", "b2z"], ["s"],
                         name="matmul_integer"),
        helper.make_node("ConvInteger", ["xc", "wc", "xcz", "wcz"], ["c"],
                         name="conv_integer", pads=[1, 1, 1, 1]),
    ]
    inits = [
        init("as", np.array(0.03, np.float32)), init("az", u8(100)),
        init("b", rng.integers(-127, 128, (32, 6)).astype(np.int8)),
        init("bs", np.array([0.001, 0.002, 0.0015, 0.0005, 0.003, 0.0025],
                            np.float32)),
        init("bz", np.zeros(6, np.int8)),
        init("ys", np.array(0.1, np.float32)), init("yz", u8(128)),
        init("b2z", np.array(3, np.int8)),
        init("wc", rng.integers(0, 256, (3, 2, 3, 3)).astype(np.uint8)),
        init("xcz", u8(7)), init("wcz", u8(5)),
    ]
    return model("qmatmul", nodes,
                 [tensor_value("a", [16, 32], TensorProto.UINT8),
                  tensor_value("b2", [32, 6], TensorProto.INT8),
                  tensor_value("xc", [1, 2, 9, 9], TensorProto.UINT8)],
                 [tensor_value("y", [16, 6], TensorProto.UINT8),
                  tensor_value("s", [16, 6], TensorProto.INT32),
                  tensor_value("c", [1, 3, 9, 9], TensorProto.INT32)], inits,
                 opset=13)


def requantize_model(rng):
    """QuantizeLinear and DequantizeLinear with different scales."""
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "s1"], ["q"], name="q"),
        helper.make_node("DequantizeLinear", ["q", "s2"], ["y"], name="dq"),
    ]
    return model("requantize", nodes, [tensor_value("x", [2])],
                 [tensor_value("y", [2])],
                 [init("s1", np.array(0.1, np.float32)),
                  init("s2", np.array(0.2, np.float32))])


def lowering_model(rng):
    """A small CNN without BatchNorm, used to check --tosa-to-linalg."""
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1",
                         pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("Clip", ["c1", "lo", "hi"], ["r1"], name="relu6"),
        helper.make_node("Conv", ["r1", "w2"], ["c2"], name="dw", group=4,
                         pads=[1, 1, 1, 1]),
        helper.make_node("Add", ["c2", "r1"], ["a"], name="residual"),
        helper.make_node("LeakyRelu", ["a"], ["l"], name="leaky"),
        helper.make_node("MaxPool", ["l"], ["p"], name="pool",
                         kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("AveragePool", ["p"], ["ap"], name="avg",
                         kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                         count_include_pad=1),
        helper.make_node("Pad", ["ap", "pads"], ["pd"], name="pad"),
        helper.make_node("ReduceMean", ["pd"], ["m"], name="mean",
                         axes=[2, 3], keepdims=1),
        helper.make_node("Flatten", ["m"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "wf", "bf"], ["g"], name="fc",
                         transB=1),
        helper.make_node("Softmax", ["g"], ["y"], name="softmax"),
    ]
    inits = [
        init("w1", rand(rng, 4, 3, 3, 3)), init("b1", rand(rng, 4)),
        init("lo", np.array(0.0, np.float32)),
        init("hi", np.array(6.0, np.float32)),
        init("w2", rand(rng, 4, 1, 3, 3)),
        init("pads", np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64)),
        init("wf", rand(rng, 10, 4)), init("bf", rand(rng, 10)),
    ]
    return model("lowering", nodes, [tensor_value("x", ["batch", 3, 16, 16])],
                 [tensor_value("y", ["batch", 10])], inits)


# ===----------------------------------------------------------------------===#
# Bad inputs
# ===----------------------------------------------------------------------===#


def bad_unsupported_op(rng):
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu"),
             helper.make_node("Einsum", ["r", "r"], ["y"], name="my_einsum",
                              equation="ij,ij->ij")]
    return model("bad", nodes, [tensor_value("x", [2, 2])],
                 [tensor_value("y", [2, 2])])


def bad_undefined_input(rng):
    nodes = [helper.make_node("Add", ["x", "ghost"], ["y"], name="add")]
    return model("bad", nodes, [tensor_value("x", [2, 2])],
                 [tensor_value("y", [2, 2])])


def bad_conv_channels(rng):
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="conv")]
    return model("bad", nodes, [tensor_value("x", [1, 3, 4, 4])],
                 [tensor_value("y", [1, 4, 2, 2])],
                 [init("w", rand(rng, 4, 2, 3, 3))])


def bad_string_input(rng):
    nodes = [helper.make_node("Identity", ["x"], ["y"], name="id")]
    return model("bad", nodes, [tensor_value("x", [2], TensorProto.STRING)],
                 [tensor_value("y", [2], TensorProto.STRING)])


def bad_complex_initializer(rng):
    nodes = [helper.make_node("Add", ["x", "c"], ["y"], name="add")]
    c = helper.make_tensor("c", TensorProto.COMPLEX64, [2], [1 + 0j, 2 + 0j])
    return model("bad", nodes, [tensor_value("x", [2])],
                 [tensor_value("y", [2])], [c])


def bad_pad_mode(rng):
    nodes = [helper.make_node("Pad", ["x", "pads"], ["y"], name="pad_reflect",
                              mode="reflect")]
    return model("bad", nodes, [tensor_value("x", [1, 1, 2, 2])],
                 [tensor_value("y", [1, 1, 4, 4])],
                 [init("pads", np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64))])


def bad_auto_pad(rng):
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="conv_autopad",
                              auto_pad="SAME_MIDDLE")]
    return model("bad", nodes, [tensor_value("x", [1, 1, 4, 4])],
                 [tensor_value("y", [1, 1, 4, 4])],
                 [init("w", rand(rng, 1, 1, 3, 3))])


def bad_qlinear_weight(rng):
    nodes = [helper.make_node(
        "QLinearConv", ["x", "s", "z", "w", "s", "z", "s", "z"], ["y"],
        name="qconv")]
    return model("bad", nodes,
                 [tensor_value("x", [1, 1, 3, 3], TensorProto.UINT8),
                  tensor_value("w", [1, 1, 1, 1], TensorProto.UINT8)],
                 [tensor_value("y", [1, 1, 3, 3], TensorProto.UINT8)],
                 [init("s", np.array(0.1, np.float32)), init("z", u8(0))])


def bad_qlinear_bias(rng):
    nodes = [helper.make_node(
        "QLinearConv", ["x", "s", "z", "w", "s", "z", "s", "z", "b"], ["y"],
        name="qconv")]
    return model("bad", nodes,
                 [tensor_value("x", [1, 1, 3, 3], TensorProto.UINT8)],
                 [tensor_value("y", [1, 1, 3, 3], TensorProto.UINT8)],
                 [init("s", np.array(0.1, np.float32)), init("z", u8(0)),
                  init("w", u8([[[[3]]]])),
                  init("b", np.array([0.5], np.float32))])


def bad_integer_relu(rng):
    nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu")]
    return model("bad", nodes, [tensor_value("x", [4], TensorProto.UINT8)],
                 [tensor_value("y", [4], TensorProto.UINT8)])


def bad_zero_point_type(rng):
    nodes = [helper.make_node("DequantizeLinear", ["x", "s", "z"], ["y"],
                              name="dq")]
    return model("bad", nodes, [tensor_value("x", [4], TensorProto.UINT8)],
                 [tensor_value("y", [4])],
                 [init("s", np.array(0.1, np.float32)),
                  init("z", np.array(0, np.int8))])


def bad_quantize_int32(rng):
    nodes = [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"],
                              name="q")]
    return model("bad", nodes, [tensor_value("x", [4])],
                 [tensor_value("y", [4], TensorProto.INT32)],
                 [init("s", np.array(0.1, np.float32)),
                  init("z", np.array(0, np.int32))])


def bad_output_dtype(rng):
    nodes = [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"],
                              name="q", output_dtype=TensorProto.INT8)]
    return model("bad", nodes, [tensor_value("x", [4])],
                 [tensor_value("y", [4], TensorProto.UINT8)],
                 [init("s", np.array(0.1, np.float32)), init("z", u8(0))],
                 opset=21)


def bad_uint16_output(rng):
    nodes = [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"],
                              name="q")]
    return model("bad", nodes, [tensor_value("x", [4])],
                 [tensor_value("y", [4], TensorProto.UINT16)],
                 [init("s", np.array(0.1, np.float32)),
                  init("z", np.array(0, np.uint16))], opset=21)


def _f(v):
    return np.array(v, np.float32)


def _dq(x="x", s="s", z=None, **attrs):
    return helper.make_node("DequantizeLinear", [x, s] + ([z] if z else []),
                            ["y0" if x == "c" else "y"], name="dq", **attrs)


U8, I8, F32 = TensorProto.UINT8, TensorProto.INT8, TensorProto.FLOAT

# Importer diagnostics of the quantization operators: (nodes, inputs as
# (name, shape, type), output (shape, type), initializers, opset).
BAD_QUANT = {
    "bad_q_scale_negative": (
        [_dq()], [("x", [4], U8)], ([4], F32), {"s": _f(-1.0)}, 13),
    "bad_q_scale_empty": (
        [_dq()], [("x", [4], U8)], ([4], F32), {"s": _f([])}, 13),
    "bad_q_scale_int": (
        [_dq()], [("x", [4], U8)], ([4], F32),
        {"s": np.array(1, np.int32)}, 13),
    "bad_q_scale_axis": (
        [_dq(z="z", axis=1)], [("x", [2, 4], U8)], ([2, 4], F32),
        {"s": _f([1, 2, 3]), "z": u8([0, 0, 0])}, 13),
    "bad_q_zero_point_count": (
        [_dq(z="z", axis=1)], [("x", [2, 4], U8)], ([2, 4], F32),
        {"s": _f([1, 2, 3, 4]), "z": u8([0, 0, 0])}, 13),
    "bad_q_zero_point_float": (
        [_dq(z="z")], [("x", [4], U8)], ([4], F32),
        {"s": _f(1.0), "z": _f(0.0)}, 13),
    "bad_q_zero_point_int64": (
        [_dq(x="c", z="z"), helper.make_node("Add", ["y0", "x"], ["y"],
                                             name="add")],
        [("x", [4], F32)], ([4], F32),
        {"c": np.arange(4, dtype=np.int64), "s": _f(1.0),
         "z": np.array(0, np.int64)}, 13),
    "bad_q_block_size": (
        [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"], name="q",
                          block_size=2)],
        [("x", [4], F32)], ([4], U8), {"s": _f(1.0), "z": u8(0)}, 21),
    "bad_q_float_input": (
        [_dq()], [("x", [4], F32)], ([4], F32), {"s": _f(1.0)}, 13),
    "bad_convinteger_zero_point_type": (
        [helper.make_node("ConvInteger", ["x", "w", "xz"], ["y"],
                          name="convi")],
        [("x", [1, 1, 3, 3], U8)], ([1, 1, 3, 3], TensorProto.INT32),
        {"w": u8([[[[1]]]]), "xz": np.array(0, np.int8)}, 10),
    "bad_convinteger_zero_point_axis": (
        [helper.make_node("ConvInteger", ["x", "w", "xz"], ["y"],
                          name="convi")],
        [("x", [1, 2, 3, 3], U8)], ([1, 1, 3, 3], TensorProto.INT32),
        {"w": u8(np.ones((1, 2, 1, 1))), "xz": u8([1, 2])}, 10),
    "bad_qlinearconv_x_scale": (
        [helper.make_node("QLinearConv",
                          ["x", "xs", "z", "w", "s", "z", "s", "z"], ["y"],
                          name="qconv")],
        [("x", [1, 2, 3, 3], U8)], ([1, 1, 3, 3], U8),
        {"xs": _f([0.1, 0.2]), "s": _f(0.1), "z": u8(0),
         "w": u8(np.ones((1, 2, 1, 1)))}, 10),
    "bad_qlinearconv_float_input": (
        [helper.make_node("QLinearConv",
                          ["x", "s", "z", "w", "s", "z", "s", "z"], ["y"],
                          name="qconv")],
        [("x", [1, 1, 3, 3], F32)], ([1, 1, 3, 3], U8),
        {"s": _f(0.1), "z": u8(0), "w": u8([[[[1]]]])}, 10),
    "bad_qlinearconv_weight_rank": (
        [helper.make_node("QLinearConv",
                          ["x", "s", "z", "w", "s", "z", "s", "z"], ["y"],
                          name="qconv")],
        [("x", [1, 1, 3, 3], U8)], ([1, 1, 3, 3], U8),
        {"s": _f(0.1), "z": u8(0), "w": u8([[[1]]])}, 10),
    "bad_qlinearconv_bias_shape": (
        [helper.make_node("QLinearConv",
                          ["x", "s", "z", "w", "s", "z", "s", "z", "b"], ["y"],
                          name="qconv")],
        [("x", [1, 1, 3, 3], U8)], ([1, 1, 3, 3], U8),
        {"s": _f(0.1), "z": u8(0), "w": u8([[[[1]]]]),
         "b": np.array([1, 2], np.int32)}, 10),
    "bad_matmulinteger_rank": (
        [helper.make_node("MatMulInteger", ["a", "b"], ["y"], name="mmi")],
        [("a", [4], U8)], ([2], TensorProto.INT32),
        {"b": u8(np.ones((4, 2)))}, 10),
    "bad_qlinearmatmul_y_scale": (
        [helper.make_node("QLinearMatMul",
                          ["a", "s", "z", "b", "s", "z", "ys", "yz"], ["y"],
                          name="qmm")],
        [("a", [2, 4], U8)], ([2, 3], U8),
        {"s": _f(0.1), "z": u8(0), "b": u8(np.ones((4, 3))),
         "ys": _f([0.1, 0.2, 0.3]), "yz": u8([0, 0, 0])}, 10),
}


def bad_quant_model(name):
    nodes, inputs, (out_shape, out_type), inits, opset = BAD_QUANT[name]
    return model("bad", nodes,
                 [tensor_value(n, shape, t) for n, shape, t in inputs],
                 [tensor_value("y", out_shape, out_type)],
                 [init(k, v) for k, v in inits.items()], opset=opset)


def bad_reshape(rng):
    nodes = [helper.make_node("Reshape", ["x", "shape"], ["y"],
                              name="reshape")]
    return model("bad", nodes, [tensor_value("x", [2, 3])],
                 [tensor_value("y", [4, 2])],
                 [init("shape", np.array([4, 2], np.int64))])


def bad_dynamic_shape(rng):
    nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu")]
    return model("bad", nodes, [tensor_value("x", [1, "len"])],
                 [tensor_value("y", [1, "len"])])


MODELS = {
    "conv.onnx": conv_model,
    "batchnorm.onnx": batchnorm_model,
    "activations.onnx": activations_model,
    "clip_opset7.onnx": clip_opset6_model,
    "elementwise.onnx": elementwise_model,
    "pool.onnx": pool_model,
    "gemm.onnx": gemm_model,
    "shape.onnx": shape_model,
    "squeeze_opset11.onnx": squeeze_opset11_model,
    "pad.onnx": pad_model,
    "softmax.onnx": softmax_model,
    "reducemean.onnx": reducemean_model,
    "qdq.onnx": qdq_model,
    "qdq_depthwise.onnx": qdq_depthwise_model,
    "qlinear.onnx": qlinear_model,
    "qmatmul.onnx": qmatmul_model,
    "requantize.onnx": requantize_model,
    "lowering.onnx": lowering_model,
    "bad_unsupported_op.onnx": bad_unsupported_op,
    "bad_undefined_input.onnx": bad_undefined_input,
    "bad_conv_channels.onnx": bad_conv_channels,
    "bad_string_input.onnx": bad_string_input,
    "bad_complex_initializer.onnx": bad_complex_initializer,
    "bad_pad_mode.onnx": bad_pad_mode,
    "bad_auto_pad.onnx": bad_auto_pad,
    "bad_qlinear_weight.onnx": bad_qlinear_weight,
    "bad_qlinear_bias.onnx": bad_qlinear_bias,
    "bad_integer_relu.onnx": bad_integer_relu,
    "bad_zero_point_type.onnx": bad_zero_point_type,
    "bad_uint16_output.onnx": bad_uint16_output,
    "bad_quantize_int32.onnx": bad_quantize_int32,
    "bad_output_dtype.onnx": bad_output_dtype,
    **{f"{name}.onnx": (lambda rng, name=name: bad_quant_model(name))
       for name in BAD_QUANT},
    "bad_reshape.onnx": bad_reshape,
    "bad_dynamic_shape.onnx": bad_dynamic_shape,
}


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else OUT_DIR
    os.makedirs(out_dir, exist_ok=True)
    for index, (file_name, build) in enumerate(sorted(MODELS.items())):
        # One seed per model: adding a model does not change the others.
        rng = np.random.default_rng(1000 + sum(map(ord, file_name)))
        save(build(rng), out_dir, file_name)
    # A truncated model: the first half of a valid one.
    data = conv_model(np.random.default_rng(0)).SerializeToString()
    with open(os.path.join(out_dir, "bad_truncated.onnx"), "wb") as f:
        f.write(data[: len(data) // 2])
    with open(os.path.join(out_dir, "bad_garbage.onnx"), "wb") as f:
        f.write(b"\xff\xfe this is not a protobuf \x00\x01\x02")
    print(f"wrote {len(MODELS) + 2} models to {os.path.normpath(out_dir)}")


if __name__ == "__main__":
    main()
