//===- ONNXOpsNN.cpp - ONNX conv, pool, norm and matmul operators ---------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Conv, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool,
// BatchNormalization, Gemm and MatMul. The spatial ops run in NHWC with OHWI
// (conv) or HWCM (depthwise) weights.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qnt/Dialect/Qnt/IR/Qnt.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::onnx_import;

//===----------------------------------------------------------------------===//
// Windows (Conv and pools)
//===----------------------------------------------------------------------===//

namespace {
/// Spatial window of a Conv or pool, in TOSA's conventions.
struct Window {
  SmallVector<int64_t> kernel, stride, dilation;
  /// top, bottom, left, right.
  SmallVector<int64_t> pad;
  /// Output height and width.
  SmallVector<int64_t> output;
  /// Input rows and columns past the last window, sliced off.
  SmallVector<int64_t> drop;
};
} // namespace

/// Reads strides, dilations, pads and auto_pad of the current node for an
/// input of spatial size `input`, and normalizes the end padding so that the
/// last window ends exactly at the padded edge: TOSA requires
/// `in - 1 + pad_begin + pad_end - (k - 1) * d` divisible by the stride,
/// where ONNX silently floors.
static FailureOr<Window> computeWindow(Importer &im, ArrayRef<int64_t> input,
                                       ArrayRef<int64_t> kernel,
                                       bool ceilMode) {
  Window window;
  window.kernel.assign(kernel.begin(), kernel.end());
  window.stride = im.attrInts("strides").value_or(SmallVector<int64_t>{1, 1});
  window.dilation =
      im.attrInts("dilations").value_or(SmallVector<int64_t>{1, 1});
  if (window.stride.size() != 2 || window.dilation.size() != 2)
    return im.nodeError() << "attributes 'strides' and 'dilations' must have "
                             "2 values (2-D windows only)";
  for (int64_t i = 0; i < 2; ++i)
    if (window.stride[i] < 1 || window.dilation[i] < 1)
      return im.nodeError() << "attributes 'strides' and 'dilations' must be "
                               ">= 1";

  // ONNX pads are [begin_h, begin_w, end_h, end_w].
  SmallVector<int64_t> begin(2, 0), end(2, 0);
  std::string autoPad = im.attrString("auto_pad", "NOTSET");
  if (autoPad == "NOTSET") {
    if (std::optional<SmallVector<int64_t>> pads = im.attrInts("pads")) {
      if (pads->size() != 4)
        return im.nodeError()
               << "attribute 'pads' must have 4 values, got " << pads->size();
      if (llvm::any_of(*pads, [](int64_t p) { return p < 0; }))
        return im.nodeError() << "negative 'pads' are not supported";
      begin = {(*pads)[0], (*pads)[1]};
      end = {(*pads)[2], (*pads)[3]};
    }
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (int64_t i = 0; i < 2; ++i) {
      int64_t out = (input[i] + window.stride[i] - 1) / window.stride[i];
      int64_t effective = (kernel[i] - 1) * window.dilation[i] + 1;
      int64_t total = std::max<int64_t>(0, (out - 1) * window.stride[i] +
                                               effective - input[i]);
      // SAME_UPPER puts the odd padding at the end, SAME_LOWER at the start.
      begin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      end[i] = total - begin[i];
    }
  } else if (autoPad != "VALID") {
    return im.nodeError() << "unsupported attribute value auto_pad = '"
                          << autoPad
                          << "' (supported: NOTSET, VALID, SAME_UPPER, "
                             "SAME_LOWER)";
  }

  window.pad.assign(4, 0);
  window.output.assign(2, 0);
  window.drop.assign(2, 0);
  for (int64_t i = 0; i < 2; ++i) {
    int64_t stride = window.stride[i];
    int64_t effective = (kernel[i] - 1) * window.dilation[i] + 1;
    int64_t span = input[i] + begin[i] + end[i] - effective;
    if (span < 0)
      return im.nodeError()
             << "kernel " << shapeString(kernel)
             << " is larger than the padded input " << shapeString(input);
    int64_t out = span / stride + 1;
    if (ceilMode) {
      out = (span + stride - 1) / stride + 1;
      // The last window must start inside the input or its begin padding.
      if ((out - 1) * stride >= input[i] + begin[i])
        --out;
    }
    int64_t exactEnd = (out - 1) * stride + effective - input[i] - begin[i];
    window.output[i] = out;
    window.pad[2 * i] = begin[i];
    window.pad[2 * i + 1] = std::max<int64_t>(exactEnd, 0);
    window.drop[i] = std::max<int64_t>(-exactEnd, 0);
  }
  return window;
}

/// Slices a tensor (constants fold). `start` and `size` are physical.
static Tensor slice(Importer &im, const Tensor &tensor, ArrayRef<int64_t> start,
                    ArrayRef<int64_t> size) {
  if (llvm::all_of(start, [](int64_t s) { return s == 0; }) &&
      llvm::equal(size, tensor.shape))
    return tensor;
  if (!tensor.value && tensor.data) {
    const ConstData &in = *tensor.data;
    auto out = std::make_shared<ConstData>();
    out->dataType = in.dataType;
    out->isFloat = in.isFloat;
    out->shape.assign(size.begin(), size.end());
    int64_t rank = size.size();
    SmallVector<int64_t> strides(rank, 1);
    for (int64_t i = rank - 2; i >= 0; --i)
      strides[i] = strides[i + 1] * in.shape[i + 1];
    SmallVector<int64_t> index(rank, 0);
    for (int64_t o = 0, e = out->numElements(); o < e; ++o) {
      int64_t offset = 0;
      for (int64_t i = 0; i < rank; ++i)
        offset += (start[i] + index[i]) * strides[i];
      out->floats.push_back(in.floats[offset]);
      for (int64_t i = rank - 1; i >= 0; --i) {
        if (++index[i] < size[i])
          break;
        index[i] = 0;
      }
    }
    Tensor result;
    result.data = out;
    result.shape = out->shape;
    result.nhwc = tensor.nhwc;
    result.constName = tensor.constName;
    return result;
  }
  OpBuilder &b = im.builder();
  Value value = tosa::SliceOp::create(
      b, im.loc(), im.f32Type(size), im.materialize(tensor),
      im.shapeConstant(start), im.shapeConstant(size));
  return im.fromValue(value, tensor.nhwc);
}

/// Drops the NHWC input rows/columns no window reads.
static Tensor dropTail(Importer &im, const Tensor &nhwc, const Window &window) {
  if (window.drop[0] == 0 && window.drop[1] == 0)
    return nhwc;
  SmallVector<int64_t> size = nhwc.shape;
  size[1] -= window.drop[0];
  size[2] -= window.drop[1];
  return slice(im, nhwc, {0, 0, 0, 0}, size);
}

/// Requires a 4-D (NCHW) data input.
static FailureOr<Tensor> spatialInput(Importer &im) {
  FailureOr<Tensor> x = im.input(0);
  if (failed(x))
    return failure();
  if (x->rank() != 4)
    return im.nodeError() << "input '" << im.inputName(0) << "' has shape "
                          << shapeString(x->logicalShape())
                          << "; only 4-D (NCHW, 2-D spatial) inputs are "
                             "supported";
  return x;
}

//===----------------------------------------------------------------------===//
// Conv
//===----------------------------------------------------------------------===//

static LogicalResult convertConv(Importer &im) {
  FailureOr<Tensor> x = spatialInput(im);
  if (failed(x))
    return failure();
  FailureOr<Tensor> w = im.input(1);
  if (failed(w))
    return failure();
  if (w->rank() != 4)
    return im.nodeError() << "weight '" << im.inputName(1) << "' has shape "
                          << shapeString(w->logicalShape())
                          << "; expected 4-D [M, C/group, kH, kW]";
  SmallVector<int64_t> xs = x->logicalShape(), ws = w->logicalShape();
  int64_t group = im.attrInt("group", 1);
  int64_t channels = xs[1], outChannels = ws[0], groupChannels = ws[1];
  if (group < 1 || channels % group != 0 || groupChannels * group != channels)
    return im.nodeError() << "weight '" << im.inputName(1) << "' "
                          << shapeString(ws) << " has " << groupChannels
                          << " input channels per group, but input '"
                          << im.inputName(0) << "' " << shapeString(xs)
                          << " has " << channels
                          << " channels with group = " << group;
  if (outChannels % group != 0)
    return im.nodeError() << "weight '" << im.inputName(1) << "' has "
                          << outChannels
                          << " output channels, not a multiple of group = "
                          << group;
  if (std::optional<SmallVector<int64_t>> kernel = im.attrInts("kernel_shape"))
    if (!llvm::equal(*kernel, ArrayRef<int64_t>(ws).drop_front(2)))
      return im.nodeError()
             << "attribute 'kernel_shape' " << shapeString(*kernel)
             << " does not match weight '" << im.inputName(1) << "' "
             << shapeString(ws);

  FailureOr<Window> window =
      computeWindow(im, {xs[2], xs[3]}, {ws[2], ws[3]}, /*ceilMode=*/false);
  if (failed(window))
    return failure();

  Tensor bias;
  if (im.hasInput(2)) {
    FailureOr<Tensor> b = im.input(2);
    if (failed(b))
      return failure();
    if (b->logicalShape() != SmallVector<int64_t>{outChannels})
      return im.nodeError() << "bias '" << im.inputName(2) << "' has shape "
                            << shapeString(b->logicalShape()) << "; expected ["
                            << outChannels << "]";
    bias = *b;
  } else {
    // TOSA convolutions always take a bias.
    bias = im.constant({outChannels}, std::vector<float>(outChannels, 0.0f));
  }

  OpBuilder &b = im.builder();
  Location loc = im.loc();
  Tensor input = dropTail(im, im.toNHWC(*x), *window);
  Tensor weight = im.toNHWC(*w); // OHWI
  SmallVector<int64_t> outShape = {xs[0], window->output[0], window->output[1],
                                   outChannels};
  TypeAttr accType = TypeAttr::get(b.getF32Type());
  auto conv = [&](const Tensor &in, const Tensor &wt, const Tensor &bs,
                  int64_t outC) -> Value {
    SmallVector<int64_t> shape = outShape;
    shape[3] = outC;
    return tosa::Conv2DOp::create(
        b, loc, im.f32Type(shape), im.materialize(in), im.materialize(wt),
        im.materialize(bs), im.zeroPoint(), im.zeroPoint(),
        b.getDenseI64ArrayAttr(window->pad),
        b.getDenseI64ArrayAttr(window->stride),
        b.getDenseI64ArrayAttr(window->dilation), accType);
  };

  if (group == 1) {
    im.setOutput(0, im.fromValue(conv(input, weight, bias, outChannels),
                                 /*nhwc=*/true));
    return success();
  }

  if (groupChannels == 1) {
    // Depthwise: ONNX output channel c * mult + m reads input channel c,
    // which is TOSA's HWCM weight order. OHWI [C*mult, kH, kW, 1] has the
    // row-major order of [C, mult, kH, kW].
    int64_t mult = outChannels / channels;
    Tensor hwcm = im.transpose(
        im.reshape(weight, {channels, mult, ws[2], ws[3]}), {2, 3, 0, 1});
    Value value = tosa::DepthwiseConv2DOp::create(
        b, loc, im.f32Type(outShape), im.materialize(input),
        im.materialize(hwcm), im.materialize(bias), im.zeroPoint(),
        im.zeroPoint(), b.getDenseI64ArrayAttr(window->pad),
        b.getDenseI64ArrayAttr(window->stride),
        b.getDenseI64ArrayAttr(window->dilation), accType);
    im.setOutput(0, im.fromValue(value, /*nhwc=*/true));
    return success();
  }

  // General groups: one convolution per group, concatenated on channels.
  int64_t groupOut = outChannels / group;
  SmallVector<Value> parts;
  for (int64_t g = 0; g < group; ++g) {
    Tensor in =
        slice(im, input, {0, 0, 0, g * groupChannels},
              {input.shape[0], input.shape[1], input.shape[2], groupChannels});
    Tensor wt = slice(im, weight, {g * groupOut, 0, 0, 0},
                      {groupOut, ws[2], ws[3], groupChannels});
    Tensor bs = slice(im, bias, {g * groupOut}, {groupOut});
    parts.push_back(conv(in, wt, bs, groupOut));
  }
  Value value = tosa::ConcatOp::create(b, loc, im.f32Type(outShape), parts,
                                       b.getI32IntegerAttr(3));
  im.setOutput(0, im.fromValue(value, /*nhwc=*/true));
  return success();
}

//===----------------------------------------------------------------------===//
// Pools
//===----------------------------------------------------------------------===//

/// Checks what MaxPool and AveragePool share and computes the window.
static FailureOr<Window> poolWindow(Importer &im, const Tensor &x) {
  std::optional<SmallVector<int64_t>> kernel = im.attrInts("kernel_shape");
  if (!kernel || kernel->size() != 2)
    return im.nodeError() << "attribute 'kernel_shape' must have 2 values";
  if (std::optional<SmallVector<int64_t>> dilations = im.attrInts("dilations"))
    if (llvm::any_of(*dilations, [](int64_t d) { return d != 1; }))
      return im.nodeError() << "unsupported attribute value: dilations other "
                               "than 1 in pooling";
  SmallVector<int64_t> xs = x.logicalShape();
  return computeWindow(im, {xs[2], xs[3]}, *kernel,
                       im.attrInt("ceil_mode", 0) != 0);
}

static LogicalResult convertMaxPool(Importer &im) {
  FailureOr<Tensor> x = spatialInput(im);
  if (failed(x))
    return failure();
  if (im.attrInt("storage_order", 0) != 0)
    return im.nodeError() << "unsupported attribute value storage_order = 1";
  if (im.hasInput(1) || (im.numOutputs() > 1 && !im.outputName(1).empty()))
    return im.nodeError() << "the Indices output is not supported";
  FailureOr<Window> window = poolWindow(im, *x);
  if (failed(window))
    return failure();
  Tensor input = dropTail(im, im.toNHWC(*x), *window);
  OpBuilder &b = im.builder();
  SmallVector<int64_t> shape = {input.shape[0], window->output[0],
                                window->output[1], input.shape[3]};
  Value value = tosa::MaxPool2dOp::create(
      b, im.loc(), im.f32Type(shape), im.materialize(input),
      b.getDenseI64ArrayAttr(window->kernel),
      b.getDenseI64ArrayAttr(window->stride),
      b.getDenseI64ArrayAttr(window->pad));
  im.setOutput(0, im.fromValue(value, /*nhwc=*/true));
  return success();
}

/// tosa.avg_pool2d (which never counts padding) on an NHWC tensor.
static Value avgPool(Importer &im, const Tensor &input,
                     ArrayRef<int64_t> kernel, ArrayRef<int64_t> stride,
                     ArrayRef<int64_t> pad, ArrayRef<int64_t> output) {
  OpBuilder &b = im.builder();
  SmallVector<int64_t> shape = {input.shape[0], output[0], output[1],
                                input.shape[3]};
  return tosa::AvgPool2dOp::create(
      b, im.loc(), im.f32Type(shape), im.materialize(input), im.zeroPoint(),
      im.zeroPoint(), b.getDenseI64ArrayAttr(kernel),
      b.getDenseI64ArrayAttr(stride), b.getDenseI64ArrayAttr(pad),
      TypeAttr::get(b.getF32Type()));
}

static LogicalResult convertAveragePool(Importer &im) {
  FailureOr<Tensor> x = spatialInput(im);
  if (failed(x))
    return failure();
  FailureOr<Window> window = poolWindow(im, *x);
  if (failed(window))
    return failure();
  Tensor input = dropTail(im, im.toNHWC(*x), *window);
  SmallVector<int64_t> pad = window->pad;
  bool hasPad = llvm::any_of(pad, [](int64_t p) { return p != 0; });
  Value value =
      avgPool(im, input, window->kernel, window->stride, pad, window->output);
  if (im.attrInt("count_include_pad", 0) != 0 && hasPad) {
    if (im.attrInt("ceil_mode", 0) != 0)
      return im.nodeError() << "unsupported attribute values: ceil_mode = 1 "
                               "with count_include_pad = 1";
    // tosa.avg_pool2d divides by the number of input elements in the
    // window; counting the padding divides by the kernel size instead, so
    // scale each output by valid / kernel, a constant of the geometry.
    SmallVector<int64_t> inputHW = {input.shape[1], input.shape[2]};
    auto validCount = [&](int64_t dim, int64_t out) {
      int64_t start = out * window->stride[dim] - pad[2 * dim];
      int64_t lo = std::max<int64_t>(start, 0);
      int64_t hi = std::min(start + window->kernel[dim], inputHW[dim]);
      return std::max<int64_t>(hi - lo, 0);
    };
    int64_t outH = window->output[0], outW = window->output[1];
    float kernelSize = float(window->kernel[0] * window->kernel[1]);
    std::vector<float> factors;
    for (int64_t oh = 0; oh < outH; ++oh)
      for (int64_t ow = 0; ow < outW; ++ow)
        factors.push_back(float(validCount(0, oh) * validCount(1, ow)) /
                          kernelSize);
    FailureOr<Tensor> scaled =
        im.binary("Mul", im.fromValue(value, /*nhwc=*/true),
                  im.constant({1, 1, outH, outW}, std::move(factors),
                              (im.nodeName() + "_count_include_pad").str()));
    if (failed(scaled))
      return failure();
    im.setOutput(0, *scaled);
    return success();
  }
  im.setOutput(0, im.fromValue(value, /*nhwc=*/true));
  return success();
}

static LogicalResult convertGlobalAveragePool(Importer &im) {
  FailureOr<Tensor> x = spatialInput(im);
  if (failed(x))
    return failure();
  Tensor input = im.toNHWC(*x);
  SmallVector<int64_t> kernel = {input.shape[1], input.shape[2]};
  im.setOutput(
      0, im.fromValue(avgPool(im, input, kernel, {1, 1}, {0, 0, 0, 0}, {1, 1}),
                      /*nhwc=*/true));
  return success();
}

static LogicalResult convertGlobalMaxPool(Importer &im) {
  FailureOr<Tensor> x = spatialInput(im);
  if (failed(x))
    return failure();
  Tensor input = im.toNHWC(*x);
  OpBuilder &b = im.builder();
  SmallVector<int64_t> shape = {input.shape[0], 1, 1, input.shape[3]};
  Value value = tosa::MaxPool2dOp::create(
      b, im.loc(), im.f32Type(shape), im.materialize(input),
      b.getDenseI64ArrayAttr({input.shape[1], input.shape[2]}),
      b.getDenseI64ArrayAttr({1, 1}), b.getDenseI64ArrayAttr({0, 0, 0, 0}));
  im.setOutput(0, im.fromValue(value, /*nhwc=*/true));
  return success();
}

//===----------------------------------------------------------------------===//
// BatchNormalization
//===----------------------------------------------------------------------===//

static LogicalResult convertBatchNormalization(Importer &im) {
  FailureOr<Tensor> x = im.input(0);
  if (failed(x))
    return failure();
  if (im.attrInt("training_mode", 0) != 0)
    return im.nodeError() << "unsupported attribute value training_mode = 1 "
                             "(inference only)";
  for (int i = 1; i < im.numOutputs(); ++i)
    if (!im.outputName(i).empty())
      return im.nodeError() << "training outputs (running mean/variance) are "
                               "not supported";
  if (x->rank() < 2)
    return im.nodeError() << "input '" << im.inputName(0)
                          << "' must have a channel dimension (rank >= 2)";
  int64_t channels = x->logicalShape()[1];
  static const char *const names[] = {"scale", "bias", "mean", "variance"};
  SmallVector<Value> params;
  for (int i = 1; i <= 4; ++i) {
    FailureOr<Tensor> param = im.input(i);
    if (failed(param))
      return failure();
    if (param->logicalShape() != SmallVector<int64_t>{channels})
      return im.nodeError()
             << names[i - 1] << " '" << im.inputName(i) << "' has shape "
             << shapeString(param->logicalShape()) << " but input '"
             << im.inputName(0) << "' has " << channels << " channels";
    params.push_back(im.materialize(*param));
  }
  // The channel axis is 3 in NHWC; other ranks stay in the ONNX layout.
  Tensor input = x->rank() == 4 ? im.toNHWC(*x) : im.toNCHW(*x);
  int64_t axis = input.nhwc ? 3 : 1;
  OpBuilder &b = im.builder();
  Value value = BatchNormOp::create(
      b, im.loc(), im.f32Type(input.shape), im.materialize(input), params[0],
      params[1], params[2], params[3],
      b.getF32FloatAttr(im.attrFloat("epsilon", 1e-5f)),
      b.getI64IntegerAttr(axis));
  im.setOutput(0, im.fromValue(value, input.nhwc));
  return success();
}

//===----------------------------------------------------------------------===//
// Gemm and MatMul
//===----------------------------------------------------------------------===//

/// [batch, M, K] x [batch, K, N] -> [batch, M, N] with tosa.matmul.
static Tensor matmul3D(Importer &im, const Tensor &a, const Tensor &b3) {
  OpBuilder &b = im.builder();
  SmallVector<int64_t> shape = {a.shape[0], a.shape[1], b3.shape[2]};
  Value value = tosa::MatMulOp::create(b, im.loc(), im.f32Type(shape),
                                       im.materialize(a), im.materialize(b3),
                                       im.zeroPoint(), im.zeroPoint());
  return im.fromValue(value);
}

static LogicalResult convertGemm(Importer &im) {
  FailureOr<Tensor> a = im.input(0), bt = failure();
  if (failed(a) || failed(bt = im.input(1)))
    return failure();
  if (a->rank() != 2 || bt->rank() != 2)
    return im.nodeError() << "inputs must be 2-D, got "
                          << shapeString(a->logicalShape()) << " and "
                          << shapeString(bt->logicalShape());
  Tensor lhs = *a, rhs = *bt;
  if (im.attrInt("transA", 0))
    lhs = im.transpose(lhs, {1, 0});
  if (im.attrInt("transB", 0))
    rhs = im.transpose(rhs, {1, 0});
  int64_t m = lhs.shape[0], k = lhs.shape[1], n = rhs.shape[1];
  if (rhs.shape[0] != k)
    return im.nodeError() << "inner dimensions do not match: A' is "
                          << shapeString(lhs.shape) << ", B' is "
                          << shapeString(rhs.shape);
  Tensor y = im.reshape(
      matmul3D(im, im.reshape(lhs, {1, m, k}), im.reshape(rhs, {1, k, n})),
      {m, n});
  float alpha = im.attrFloat("alpha", 1.0f), beta = im.attrFloat("beta", 1.0f);
  if (alpha != 1.0f) {
    FailureOr<Tensor> scaled =
        im.binary("Mul", y, im.constant({1, 1}, {alpha}));
    if (failed(scaled))
      return failure();
    y = *scaled;
  }
  if (im.hasInput(2) && beta != 0.0f) {
    FailureOr<Tensor> c = im.input(2);
    if (failed(c))
      return failure();
    Tensor addend = *c;
    if (beta != 1.0f) {
      if (addend.data && !addend.value) {
        auto data = std::make_shared<ConstData>(*addend.data);
        for (float &v : data->floats)
          v *= beta;
        addend.data = data;
      } else {
        FailureOr<Tensor> scaled =
            im.binary("Mul", addend, im.constant({1}, {beta}));
        if (failed(scaled))
          return failure();
        addend = *scaled;
      }
    }
    FailureOr<Tensor> sum = im.binary("Add", y, addend);
    if (failed(sum))
      return failure();
    y = *sum;
  }
  im.setOutput(0, y);
  return success();
}

static LogicalResult convertMatMul(Importer &im) {
  FailureOr<Tensor> a = im.input(0), bt = failure();
  if (failed(a) || failed(bt = im.input(1)))
    return failure();
  Tensor lhs = im.forReshape(*a), rhs = im.forReshape(*bt);
  SmallVector<int64_t> as = lhs.shape, bs = rhs.shape;
  if (as.empty() || bs.empty())
    return im.nodeError() << "scalar operands are not supported";
  // Numpy promotes 1-D operands to matrices and drops the added dimension.
  bool vectorA = as.size() == 1, vectorB = bs.size() == 1;
  if (vectorA)
    as.insert(as.begin(), 1);
  if (vectorB)
    bs.push_back(1);
  int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
  if (bs[bs.size() - 2] != k)
    return im.nodeError() << "inner dimensions do not match: "
                          << shapeString(a->logicalShape()) << " x "
                          << shapeString(bt->logicalShape());
  ArrayRef<int64_t> batchA = ArrayRef<int64_t>(as).drop_back(2);
  ArrayRef<int64_t> batchB = ArrayRef<int64_t>(bs).drop_back(2);
  SmallVector<int64_t> outShape;
  Tensor product;
  if (batchB.empty() ||
      llvm::all_of(batchB, [](int64_t d) { return d == 1; })) {
    // [..., M, K] x [K, N]: fold the batch into the rows.
    int64_t rows = m;
    for (int64_t d : batchA)
      rows *= d;
    product =
        matmul3D(im, im.reshape(lhs, {1, rows, k}), im.reshape(rhs, {1, k, n}));
    outShape.assign(batchA.begin(), batchA.end());
    if (batchB.size() > batchA.size())
      outShape.insert(outShape.begin(), batchB.size() - batchA.size(), 1);
  } else if (llvm::equal(batchA, batchB)) {
    int64_t batch = 1;
    for (int64_t d : batchA)
      batch *= d;
    product = matmul3D(im, im.reshape(lhs, {batch, m, k}),
                       im.reshape(rhs, {batch, k, n}));
    outShape.assign(batchA.begin(), batchA.end());
  } else {
    return im.nodeError() << "batch dimensions broadcast in MatMul "
                          << shapeString(a->logicalShape()) << " x "
                          << shapeString(bt->logicalShape())
                          << " are not supported";
  }
  if (!vectorA)
    outShape.push_back(m);
  if (!vectorB)
    outShape.push_back(n);
  im.setOutput(0, im.reshape(product, outShape));
  return success();
}

//===----------------------------------------------------------------------===//
// Registration
//===----------------------------------------------------------------------===//

ArrayRef<OpConverter> mlir::qnt::onnx_import::getNNConverters() {
  static const OpConverter converters[] = {
      {"AveragePool", convertAveragePool},
      {"BatchNormalization", convertBatchNormalization},
      {"Conv", convertConv},
      {"Gemm", convertGemm},
      {"GlobalAveragePool", convertGlobalAveragePool},
      {"GlobalMaxPool", convertGlobalMaxPool},
      {"MatMul", convertMatMul},
      {"MaxPool", convertMaxPool},
  };
  return converters;
}
