//===- ONNXOpsQuant.cpp - ONNX quantization operators ---------------------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// QuantizeLinear, DequantizeLinear, QLinearConv, QLinearMatMul, ConvInteger
// and MatMulInteger become the fake-quant graph that --convert-qnt-to-linalg
// lowers to integers:
//
//   QLinearConv(x, w, B)  = Q[s_y, z_y](Conv(DQ[s_x, z_x](x), DQ[s_w, z_w](w),
//                                            DQ[s_x * s_w, 0](B)))
//   ConvInteger(x, w)     = Q[1, 0; int32](Conv(DQ[1, z_x](x), DQ[1, z_w](w)))
//
// and likewise for the matmuls. A Q stays pending (PendingQuant): read by a
// DQ with the same parameters it is one qnt.fake_quant of the float source;
// read as integers (a graph output, a DQ with other parameters) it is a
// qnt.quantize. Runtime integers (integer graph inputs) are read with
// qnt.dequantize. Weights and biases are dequantized at import time, and
// their fake_quants are put on the operands of the convolution or matmul in
// the layout it reads (OHWI, HWCM, [batch, K, N]), so that they stay
// constants the integer lowering can read back exactly. Run in float,
// ConvInteger and MatMulInteger are exact while partial sums stay below
// 2^24; the integer program is exact.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qnt/Dialect/Qnt/IR/Qnt.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::onnx_import;

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

FailureOr<quant::QuantizedType>
mlir::qnt::onnx_import::quantizedType(Importer &im, const PendingQuant &params,
                                      std::optional<int64_t> axis) {
  MLIRContext *context = im.builder().getContext();
  unsigned bits;
  bool isSigned;
  switch (params.storageType) {
  case onnx::TensorProto::UINT8:
    bits = 8, isSigned = false;
    break;
  case onnx::TensorProto::INT8:
    bits = 8, isSigned = true;
    break;
  case onnx::TensorProto::UINT16:
    bits = 16, isSigned = false;
    break;
  case onnx::TensorProto::INT16:
    bits = 16, isSigned = true;
    break;
  case onnx::TensorProto::INT32:
    bits = 32, isSigned = true;
    break;
  default:
    return im.nodeError() << "unsupported quantized data type "
                          << dataTypeName(params.storageType)
                          << " (supported: UINT8, INT8, UINT16, INT16, INT32)";
  }
  int64_t qmin = isSigned ? -(int64_t(1) << (bits - 1)) : 0;
  int64_t qmax =
      isSigned ? (int64_t(1) << (bits - 1)) - 1 : (int64_t(1) << bits) - 1;
  const ConstData &scale = *params.scale;
  const ConstData *zeroPoint = params.zeroPoint.get();
  if (scale.numElements() <= 0)
    return im.nodeError() << "the scale is empty";
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
  for (int64_t i = 0, e = scale.numElements(); i < e; ++i) {
    double s = scale.at(i);
    int64_t z = zeroPoint ? static_cast<int64_t>(zeroPoint->at(i)) : 0;
    if (!std::isfinite(s) || s <= 0.0)
      return im.nodeError() << "scale " << s << " (element " << i
                            << ") must be finite and > 0";
    if (z < qmin || z > qmax)
      return im.nodeError() << "zero point " << z << " is outside [" << qmin
                            << ", " << qmax << "]";
    scales.push_back(s);
    zeroPoints.push_back(z);
  }
  Type storage = IntegerType::get(context, bits);
  Type expressed = Float32Type::get(context);
  unsigned flags = isSigned ? quant::QuantizationFlags::Signed : 0;
  if (!axis)
    return quant::QuantizedType(quant::UniformQuantizedType::get(
        flags, storage, expressed, scales[0], zeroPoints[0], qmin, qmax));
  return quant::QuantizedType(quant::UniformQuantizedPerAxisType::get(
      flags, storage, expressed, scales, zeroPoints, *axis, qmin, qmax));
}

/// The ONNX type of the integers `tensor` holds, 0 for floats.
static int32_t storageTypeOf(const Tensor &tensor) {
  if (tensor.quant)
    return tensor.quant->storageType;
  if (tensor.intType)
    return tensor.intType;
  if (tensor.data && !tensor.data->isFloat)
    return tensor.data->dataType;
  return 0;
}

/// Checks the scale count of `params` against logical `shape` and sets its
/// axis: -1 for one scale, else `axis` (normalized).
static LogicalResult setAxis(Importer &im, PendingQuant &params,
                             ArrayRef<int64_t> shape, int64_t axis,
                             StringRef scaleName, StringRef inputName) {
  int64_t count = params.scale->numElements();
  if (count == 1) {
    params.axis = -1; // per tensor
    return success();
  }
  FailureOr<int64_t> normalized = normalizeAxis(im, axis, shape.size(), "axis");
  if (failed(normalized))
    return failure();
  if (params.scale->shape.size() != 1 || shape[*normalized] != count)
    return im.nodeError() << "scale '" << scaleName << "' has shape "
                          << shapeString(params.scale->shape) << " but input '"
                          << inputName << "' " << shapeString(shape) << " has "
                          << shape[*normalized] << " elements on axis "
                          << *normalized;
  params.axis = *normalized;
  return success();
}

/// Reads the optional zero point input `index` into `params`, whose
/// storage type defaults to `defaultStorage`.
static LogicalResult readZeroPoint(Importer &im, PendingQuant &params,
                                   int index, int32_t defaultStorage) {
  params.storageType = defaultStorage;
  if (!im.hasInput(index))
    return success();
  FailureOr<ConstDataPtr> zeroPoint = im.constInput(index, "zero point");
  if (failed(zeroPoint))
    return failure();
  if ((*zeroPoint)->isFloat)
    return im.nodeError() << "zero point '" << im.inputName(index)
                          << "' must be an integer tensor";
  int64_t count = params.scale->numElements();
  if ((*zeroPoint)->numElements() == 1 && count > 1) {
    // One zero point for every channel's scale (accepted by ONNX Runtime).
    auto broadcast = std::make_shared<ConstData>(**zeroPoint);
    broadcast->shape = params.scale->shape;
    broadcast->ints.assign(count, (*zeroPoint)->ints[0]);
    params.zeroPoint = broadcast;
  } else if ((*zeroPoint)->numElements() != count) {
    return im.nodeError() << "zero point '" << im.inputName(index) << "' has "
                          << (*zeroPoint)->numElements() << " values but the "
                          << "scale has " << count;
  } else {
    params.zeroPoint = *zeroPoint;
  }
  params.storageType = (*zeroPoint)->dataType;
  return success();
}

FailureOr<PendingQuant>
mlir::qnt::onnx_import::readQuantParams(Importer &im, int scaleIndex,
                                        ArrayRef<int64_t> shape, int64_t axis,
                                        int32_t defaultStorage) {
  PendingQuant params;
  params.nodeName = im.nodeName().str();
  FailureOr<ConstDataPtr> scale = im.constInput(scaleIndex, "scale");
  if (failed(scale))
    return failure();
  if (!(*scale)->isFloat)
    return im.nodeError() << "scale '" << im.inputName(scaleIndex)
                          << "' must be a float tensor";
  params.scale = *scale;
  if (!defaultStorage) {
    FailureOr<Tensor> input = im.rawInput(scaleIndex - 1);
    defaultStorage = succeeded(input) ? storageTypeOf(*input) : 0;
  }
  if (failed(readZeroPoint(im, params, scaleIndex + 1,
                           defaultStorage ? defaultStorage
                                          : onnx::TensorProto::UINT8)) ||
      failed(setAxis(im, params, shape, axis, im.inputName(scaleIndex),
                     im.inputName(scaleIndex - 1))))
    return failure();
  return params;
}

/// `count` scales of 1 (ConvInteger, MatMulInteger).
static ConstDataPtr ones(int64_t count) {
  auto data = std::make_shared<ConstData>();
  data->dataType = onnx::TensorProto::FLOAT;
  data->shape = {count};
  data->floats.assign(count, 1.0f);
  return data;
}

/// Parameters with scale 1 and the zero point input `index` (ConvInteger,
/// MatMulInteger), for input `inputIndex` of logical shape `shape`.
static FailureOr<PendingQuant> unitScaleParams(Importer &im, int inputIndex,
                                               int index,
                                               ArrayRef<int64_t> shape,
                                               int64_t axis) {
  PendingQuant params;
  params.nodeName = im.nodeName().str();
  int64_t count = 1;
  if (im.hasInput(index)) {
    FailureOr<ConstDataPtr> zeroPoint = im.constInput(index, "zero point");
    if (failed(zeroPoint))
      return failure();
    count = std::max<int64_t>((*zeroPoint)->numElements(), 1);
  }
  params.scale = ones(count);
  FailureOr<Tensor> input = im.rawInput(inputIndex);
  if (failed(input))
    return failure();
  int32_t type = storageTypeOf(*input);
  if (!type)
    return im.nodeError() << "input '" << im.inputName(inputIndex)
                          << "' must hold integers";
  if (failed(readZeroPoint(im, params, index, type)))
    return failure();
  if (params.storageType != type)
    return im.nodeError() << "zero point '" << im.inputName(index) << "' is "
                          << dataTypeName(params.storageType) << " but input '"
                          << im.inputName(inputIndex) << "' holds "
                          << dataTypeName(type);
  if (failed(setAxis(im, params, shape, axis, im.inputName(index),
                     im.inputName(inputIndex))))
    return failure();
  return params;
}

static bool sameValues(const ConstData *a, const ConstData *b) {
  int64_t count = a ? a->numElements() : b ? b->numElements() : 0;
  for (int64_t i = 0; i < count; ++i)
    if ((a ? a->at(i) : 0.0) != (b ? b->at(i) : 0.0))
      return false;
  return true;
}

static bool sameParams(const PendingQuant &a, const PendingQuant &b) {
  return a.storageType == b.storageType && a.axis == b.axis &&
         a.scale->numElements() == b.scale->numElements() &&
         sameValues(a.scale.get(), b.scale.get()) &&
         sameValues(a.zeroPoint.get(), b.zeroPoint.get());
}

/// `params` restricted to channels [begin, begin + count) (all of them when
/// per tensor).
static PendingQuant sliceParams(const PendingQuant &params, int64_t begin,
                                int64_t count) {
  if (params.axis < 0)
    return params;
  PendingQuant result = params;
  auto slice = [&](const ConstDataPtr &data) -> ConstDataPtr {
    if (!data)
      return data;
    auto out = std::make_shared<ConstData>(*data);
    out->shape = {count};
    if (out->isFloat)
      out->floats.assign(data->floats.begin() + begin,
                         data->floats.begin() + begin + count);
    else
      out->ints.assign(data->ints.begin() + begin,
                       data->ints.begin() + begin + count);
    return out;
  };
  result.scale = slice(params.scale);
  result.zeroPoint = slice(params.zeroPoint);
  return result;
}

/// The real values of integer constant `q` quantized with `params`.
static std::vector<float> dequantizeData(const ConstData &q,
                                         const PendingQuant &params) {
  int64_t inner = 1;
  if (params.axis >= 0)
    for (int64_t d = params.axis + 1; d < (int64_t)q.shape.size(); ++d)
      inner *= q.shape[d];
  std::vector<float> values(q.numElements());
  for (int64_t i = 0, e = values.size(); i < e; ++i) {
    int64_t c = params.axis >= 0 ? (i / inner) % q.shape[params.axis] : 0;
    double zero = params.zeroPoint ? params.zeroPoint->at(c) : 0.0;
    values[i] = static_cast<float>(params.scale->at(c) *
                                   (static_cast<double>(q.ints[i]) - zero));
  }
  return values;
}

//===----------------------------------------------------------------------===//
// Reading integers
//===----------------------------------------------------------------------===//

/// The physical quantized dimension of `params` on `tensor`, none per
/// tensor.
static std::optional<int64_t> physicalAxis(const Tensor &tensor,
                                           const PendingQuant &params) {
  if (params.axis < 0)
    return std::nullopt;
  return tensor.nhwc ? nhwcPosition(params.axis) : params.axis;
}

/// fake_quant of `input` with `params` (its logical axis mapped to `input`'s
/// layout).
static FailureOr<Tensor> fakeQuant(Importer &im, const Tensor &input,
                                   const PendingQuant &params) {
  FailureOr<quant::QuantizedType> type =
      quantizedType(im, params, physicalAxis(input, params));
  if (failed(type))
    return failure();
  return im.fakeQuantize(input, *type);
}

Tensor Importer::quantizedStorage(const Tensor &pending) {
  PendingQuant &q = *pending.quant;
  if (!q.storage) {
    // Quantized where the float value is, then held in the logical layout
    // (so an NHWC accumulator is requantized before it moves).
    const Tensor &source = *pending.quantInput;
    // The parameters were checked when the pending value was made.
    quant::QuantizedType type =
        *quantizedType(*this, q, physicalAxis(source, q));
    Type element = b.getIntegerType(type.getStorageTypeIntegralWidth());
    q.storage = QuantizeOp::create(b, nodeLoc,
                                   RankedTensorType::get(source.shape, element),
                                   materialize(source), TypeAttr::get(type));
    if (source.nhwc)
      q.storage = tosa::TransposeOp::create(
          b, nodeLoc, RankedTensorType::get(source.logicalShape(), element),
          q.storage, b.getDenseI32ArrayAttr({0, 3, 1, 2}));
  }
  Tensor result = fromValue(q.storage);
  result.intType = q.storageType;
  return result;
}

FailureOr<Tensor> Importer::dequantizedInput(int index,
                                             const PendingQuant &params) {
  FailureOr<Tensor> x = rawInput(index);
  if (failed(x))
    return failure();
  int32_t held = storageTypeOf(*x);
  if (held && held != params.storageType)
    return nodeError() << "input '" << inputName(index) << "' holds "
                       << dataTypeName(held) << " integers but its zero point "
                       << "is " << dataTypeName(params.storageType);
  if (x->quant) {
    // Quantized and read back with the same parameters: a fake_quant. 4-D
    // constants (weights) are held in NHWC like everything 4-D, so that it
    // sits on the OHWI weight a convolution reads.
    if (sameParams(params, *x->quant)) {
      Tensor source = *x->quantInput;
      if (!source.value && source.data && source.rank() == 4)
        source = toNHWC(source);
      return fakeQuant(*this, source, params);
    }
    // Read with other parameters: the integers themselves.
    x = quantizedStorage(*x);
  }
  if (x->intType) {
    FailureOr<quant::QuantizedType> type =
        quantizedType(*this, params, physicalAxis(*x, params));
    if (failed(type))
      return failure();
    Value value = DequantizeOp::create(b, nodeLoc, f32Type(x->shape), x->value,
                                       TypeAttr::get(*type));
    return fromValue(value);
  }
  if (x->data && !x->data->isFloat) {
    // A pre-quantized constant: dequantized at import time.
    Tensor source = constant(x->data->shape, dequantizeData(*x->data, params),
                             x->constName);
    if (source.rank() == 4)
      source = toNHWC(source);
    return fakeQuant(*this, source, params);
  }
  return nodeError() << "input '" << inputName(index)
                     << "' must hold integers: the output of a QuantizeLinear "
                        "or quantized operator, an integer graph input or an "
                        "integer constant";
}

//===----------------------------------------------------------------------===//
// QuantizeLinear / DequantizeLinear
//===----------------------------------------------------------------------===//

/// The output of a quantizing node: `source` waiting to be read.
static Tensor pending(const Tensor &source, const PendingQuant &params) {
  Tensor output;
  output.quant = std::make_shared<PendingQuant>(params);
  output.quantInput = std::make_shared<Tensor>(source);
  output.shape = source.shape;
  output.nhwc = source.nhwc;
  return output;
}

static LogicalResult convertQuantizeLinear(Importer &im) {
  FailureOr<Tensor> x = im.input(0);
  if (failed(x))
    return failure();
  if (im.attrInt("block_size", 0) != 0)
    return im.nodeError() << "blocked quantization (block_size) is not "
                             "supported";
  FailureOr<PendingQuant> params =
      readQuantParams(im, 1, x->logicalShape(), im.attrInt("axis", 1));
  if (failed(params))
    return failure();
  if (int64_t type = im.attrInt("output_dtype", 0)) {
    if (im.hasInput(2) && type != params->storageType)
      return im.nodeError() << "output_dtype " << dataTypeName(type)
                            << " differs from the zero point's type "
                            << dataTypeName(params->storageType);
    params->storageType = type;
  }
  if (params->storageType == onnx::TensorProto::INT32)
    return im.nodeError() << "QuantizeLinear has no INT32 output (supported: "
                             "UINT8, INT8, UINT16, INT16)";
  // Check the parameters now, so errors point at this node.
  if (failed(quantizedType(im, *params, std::nullopt)))
    return failure();
  im.setOutput(0, pending(*x, *params));
  return success();
}

static LogicalResult convertDequantizeLinear(Importer &im) {
  FailureOr<Tensor> x = im.rawInput(0);
  if (failed(x))
    return failure();
  if (im.attrInt("block_size", 0) != 0)
    return im.nodeError() << "blocked quantization (block_size) is not "
                             "supported";
  if (!storageTypeOf(*x))
    return im.nodeError() << "input '" << im.inputName(0)
                          << "' must hold integers: the output of a "
                             "QuantizeLinear or quantized operator, an integer "
                             "graph input or an integer constant";
  FailureOr<PendingQuant> params =
      readQuantParams(im, 1, x->logicalShape(), im.attrInt("axis", 1));
  if (failed(params))
    return failure();
  FailureOr<Tensor> y = im.dequantizedInput(0, *params);
  if (failed(y))
    return failure();
  im.setOutput(0, *y);
  return success();
}

//===----------------------------------------------------------------------===//
// Quantized convolutions and matmuls
//===----------------------------------------------------------------------===//

/// The i32 type of a bias at s_x * s_w[c], per tensor when `weights` is.
static quant::QuantizedType biasType(MLIRContext *context, double inputScale,
                                     const PendingQuant &weights,
                                     std::optional<int64_t> axis) {
  Type i32 = IntegerType::get(context, 32);
  Type f32 = Float32Type::get(context);
  int64_t qmin = std::numeric_limits<int32_t>::min();
  int64_t qmax = std::numeric_limits<int32_t>::max();
  SmallVector<double> scales;
  for (int64_t c = 0, e = weights.scale->numElements(); c < e; ++c)
    scales.push_back(inputScale * weights.scale->at(c));
  if (!axis)
    return quant::UniformQuantizedType::get(quant::QuantizationFlags::Signed,
                                            i32, f32, scales[0], 0, qmin, qmax);
  return quant::UniformQuantizedPerAxisType::get(
      quant::QuantizationFlags::Signed, i32, f32, scales,
      SmallVector<int64_t>(scales.size(), 0), *axis, qmin, qmax);
}

/// Converts the node as `opType` (Conv or MatMul) on float operands whose
/// weights (and bias, when `biasIndex` >= 0) are dequantized constants, then
/// puts their fake_quants on the operands of the ops that were built, in
/// the layout each reads: OHWI weights on axis 0, HWCM depthwise weights on
/// axis 2 (channel multiplier 1), [batch, K, N] matmul weights on axis 2
/// (per column). A form with no single quantized axis keeps plain float
/// weights: exact in float, and left in float by the integer lowering.
static FailureOr<Tensor>
convertQuantized(Importer &im, StringRef opType,
                 ArrayRef<std::pair<int, std::optional<Tensor>>> inputs,
                 const PendingQuant &x, const PendingQuant &w,
                 bool weightsConstant, bool hasBias) {
  OpBuilder &b = im.builder();
  Block *block = b.getInsertionBlock();
  Operation *marker = block->empty() ? nullptr : &block->back();
  FailureOr<Tensor> y = im.convertAs(opType, inputs);
  if (failed(y) || !weightsConstant)
    return y;

  int64_t logicalRank = inputs[1].second->rank();
  bool perColumn = w.axis == logicalRank - 1;
  int64_t offset = 0; // first output channel of the next op
  Operation *op = marker ? marker->getNextNode() : &block->front();
  for (; op; op = op->getNextNode()) {
    int64_t weightAxis;
    if (isa<tosa::Conv2DOp>(op)) {
      weightAxis = 0;
    } else if (isa<tosa::DepthwiseConv2DOp>(op)) {
      weightAxis = 2;
      if (w.axis >= 0 &&
          cast<ShapedType>(op->getOperand(1).getType()).getDimSize(3) != 1)
        weightAxis = -1;
    } else if (isa<tosa::MatMulOp>(op)) {
      weightAxis = w.axis < 0 || perColumn ? 2 : -1;
    } else {
      continue;
    }
    int64_t channels =
        cast<ShapedType>(op->getResult(0).getType()).getShape().back();
    PendingQuant params = sliceParams(w, offset, channels);
    offset += channels;
    Value weights = op->getOperand(1);
    if (weightAxis < 0 || !weights.getDefiningOp<tosa::ConstOp>())
      continue;
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(op);
    std::optional<int64_t> axis;
    if (params.axis >= 0)
      axis = weightAxis;
    FailureOr<quant::QuantizedType> type = quantizedType(im, params, axis);
    if (failed(type))
      return failure();
    op->setOperand(1, FakeQuantOp::create(b, op->getLoc(), weights.getType(),
                                          weights, TypeAttr::get(*type)));
    if (!hasBias || !isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp>(op))
      continue;
    Value bias = op->getOperand(2);
    if (params.axis >= 0)
      axis = 0;
    quant::QuantizedType bType =
        biasType(b.getContext(), x.scale->at(0), params, axis);
    op->setOperand(2, FakeQuantOp::create(b, op->getLoc(), bias.getType(), bias,
                                          TypeAttr::get(bType)));
  }
  return y;
}

/// Integer constant input `index` (weights), dequantized with `params`.
static FailureOr<Tensor> dequantizedWeights(Importer &im, int index,
                                            const PendingQuant &params) {
  FailureOr<Tensor> w = im.rawInput(index);
  if (failed(w))
    return failure();
  Tensor tensor = im.constant(w->data->shape, dequantizeData(*w->data, params),
                              w->constName);
  return tensor;
}

/// Whether input `index` is an integer constant.
static bool isIntegerConstant(Importer &im, int index) {
  FailureOr<Tensor> t = im.rawInput(index);
  return succeeded(t) && t->data && !t->data->isFloat && !t->value;
}

/// Input `index` as the float operand of the op: weights dequantized at
/// import time when constant, else read through dequantizedInput.
static FailureOr<Tensor> operand(Importer &im, int index,
                                 const PendingQuant &params) {
  if (isIntegerConstant(im, index) &&
      storageTypeOf(*im.rawInput(index)) == params.storageType)
    return dequantizedWeights(im, index, params);
  return im.dequantizedInput(index, params);
}

static FailureOr<Tensor> integerInput(Importer &im, int index) {
  FailureOr<Tensor> t = im.rawInput(index);
  if (failed(t))
    return failure();
  if (!storageTypeOf(*t))
    return im.nodeError() << "input '" << im.inputName(index)
                          << "' must hold integers, got a float tensor";
  return t;
}

static LogicalResult checkWeights(Importer &im, int index) {
  FailureOr<Tensor> w = integerInput(im, index);
  if (failed(w))
    return failure();
  if (!isIntegerConstant(im, index))
    return im.nodeError() << "weight '" << im.inputName(index)
                          << "' must be an integer constant (an initializer)";
  if (w->rank() != 4)
    return im.nodeError() << "weight '" << im.inputName(index) << "' has shape "
                          << shapeString(w->shape)
                          << "; expected 4-D [M, C/group, kH, kW]";
  return success();
}

static LogicalResult convertQLinearConv(Importer &im) {
  // x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale,
  // y_zero_point, B.
  FailureOr<Tensor> xRaw = integerInput(im, 0);
  if (failed(xRaw) || failed(checkWeights(im, 3)))
    return failure();
  FailureOr<PendingQuant> xp = readQuantParams(im, 1, xRaw->logicalShape(), 1);
  FailureOr<PendingQuant> wp = failure();
  if (failed(xp) ||
      failed(wp = readQuantParams(im, 4, im.rawInput(3)->shape, 0)))
    return failure();
  if (xp->axis >= 0)
    return im.nodeError() << "x_scale must be a scalar (per-tensor)";
  FailureOr<Tensor> x = im.dequantizedInput(0, *xp);
  FailureOr<Tensor> w = failure();
  if (failed(x) || failed(w = operand(im, 3, *wp)))
    return failure();

  std::optional<Tensor> bias;
  if (im.hasInput(8)) {
    FailureOr<Tensor> bRaw = im.rawInput(8);
    if (failed(bRaw))
      return failure();
    int64_t outChannels = w->shape[0];
    if (!isIntegerConstant(im, 8) ||
        bRaw->data->dataType != onnx::TensorProto::INT32)
      return im.nodeError()
             << "bias '" << im.inputName(8) << "' must be an INT32 constant";
    if (bRaw->shape != SmallVector<int64_t>{outChannels})
      return im.nodeError() << "bias '" << im.inputName(8) << "' has shape "
                            << shapeString(bRaw->shape) << "; expected ["
                            << outChannels << "]";
    // The bias is quantized at s_x * s_w[c] with zero point 0.
    std::vector<float> values(outChannels);
    for (int64_t c = 0; c < outChannels; ++c)
      values[c] =
          static_cast<float>(double(bRaw->data->ints[c]) * xp->scale->at(0) *
                             wp->scale->at(wp->axis >= 0 ? c : 0));
    bias = im.constant({outChannels}, std::move(values), bRaw->constName);
  }

  FailureOr<Tensor> y =
      convertQuantized(im, "Conv", {{0, *x}, {3, *w}, {8, bias}}, *xp, *wp,
                       /*weightsConstant=*/true, bias.has_value());
  if (failed(y))
    return failure();
  FailureOr<PendingQuant> yp =
      readQuantParams(im, 6, y->logicalShape(), 1, xp->storageType);
  if (failed(yp) || failed(quantizedType(im, *yp, std::nullopt)))
    return failure();
  im.setOutput(0, pending(*y, *yp));
  return success();
}

/// int32 with scale 1: the exact sums of ConvInteger and MatMulInteger.
static PendingQuant int32Sums(Importer &im) {
  PendingQuant params;
  params.nodeName = im.nodeName().str();
  params.scale = ones(1);
  params.storageType = onnx::TensorProto::INT32;
  params.axis = -1;
  return params;
}

static LogicalResult convertConvInteger(Importer &im) {
  // x, w, x_zero_point, w_zero_point.
  FailureOr<Tensor> xRaw = integerInput(im, 0);
  if (failed(xRaw) || failed(checkWeights(im, 1)))
    return failure();
  FailureOr<PendingQuant> xp =
      unitScaleParams(im, 0, 2, xRaw->logicalShape(), 1);
  FailureOr<PendingQuant> wp = failure();
  if (failed(xp) ||
      failed(wp = unitScaleParams(im, 1, 3, im.rawInput(1)->shape, 0)))
    return failure();
  if (xp->axis >= 0)
    return im.nodeError() << "x_zero_point must be a scalar (per-tensor)";
  FailureOr<Tensor> x = im.dequantizedInput(0, *xp);
  FailureOr<Tensor> w = failure();
  if (failed(x) || failed(w = operand(im, 1, *wp)))
    return failure();
  FailureOr<Tensor> y =
      convertQuantized(im, "Conv", {{0, *x}, {1, *w}, {-1, std::nullopt}}, *xp,
                       *wp, /*weightsConstant=*/true, /*hasBias=*/false);
  if (failed(y))
    return failure();
  im.setOutput(0, pending(*y, int32Sums(im)));
  return success();
}

/// The logical shapes of the integer matmul operands `a` and `b`, at least
/// 2-D.
static LogicalResult matmulShapes(Importer &im, int a, int b,
                                  SmallVector<int64_t> &as,
                                  SmallVector<int64_t> &bs) {
  FailureOr<Tensor> aRaw = integerInput(im, a), bRaw = failure();
  if (failed(aRaw) || failed(bRaw = integerInput(im, b)))
    return failure();
  as = aRaw->logicalShape();
  bs = bRaw->logicalShape();
  if (as.size() < 2 || bs.size() < 2)
    return im.nodeError() << "operands must be at least 2-D, got "
                          << shapeString(as) << " and " << shapeString(bs);
  return success();
}

static LogicalResult convertQLinearMatMul(Importer &im) {
  // a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale,
  // y_zero_point.
  SmallVector<int64_t> as, bs;
  if (failed(matmulShapes(im, 0, 3, as, bs)))
    return failure();
  FailureOr<PendingQuant> ap = readQuantParams(im, 1, as, as.size() - 2);
  FailureOr<PendingQuant> bp = failure();
  if (failed(ap) || failed(bp = readQuantParams(im, 4, bs, bs.size() - 1)))
    return failure();
  FailureOr<Tensor> a = im.dequantizedInput(0, *ap);
  FailureOr<Tensor> b = failure();
  if (failed(a) || failed(b = operand(im, 3, *bp)))
    return failure();
  FailureOr<Tensor> y = convertQuantized(
      im, "MatMul", {{0, *a}, {3, *b}}, *ap, *bp,
      /*weightsConstant=*/isIntegerConstant(im, 3), /*hasBias=*/false);
  if (failed(y))
    return failure();
  FailureOr<PendingQuant> yp =
      readQuantParams(im, 6, y->logicalShape(), -1, ap->storageType);
  if (failed(yp) || failed(quantizedType(im, *yp, std::nullopt)))
    return failure();
  if (yp->axis >= 0)
    return im.nodeError() << "y_scale must be a scalar (per-tensor)";
  im.setOutput(0, pending(*y, *yp));
  return success();
}

static LogicalResult convertMatMulInteger(Importer &im) {
  // A, B, a_zero_point, b_zero_point.
  SmallVector<int64_t> as, bs;
  if (failed(matmulShapes(im, 0, 1, as, bs)))
    return failure();
  FailureOr<PendingQuant> ap = unitScaleParams(im, 0, 2, as, as.size() - 2);
  FailureOr<PendingQuant> bp = failure();
  if (failed(ap) || failed(bp = unitScaleParams(im, 1, 3, bs, bs.size() - 1)))
    return failure();
  FailureOr<Tensor> a = im.dequantizedInput(0, *ap);
  FailureOr<Tensor> b = failure();
  if (failed(a) || failed(b = operand(im, 1, *bp)))
    return failure();
  FailureOr<Tensor> y = convertQuantized(
      im, "MatMul", {{0, *a}, {1, *b}}, *ap, *bp,
      /*weightsConstant=*/isIntegerConstant(im, 1), /*hasBias=*/false);
  if (failed(y))
    return failure();
  im.setOutput(0, pending(*y, int32Sums(im)));
  return success();
}

//===----------------------------------------------------------------------===//
// Registration
//===----------------------------------------------------------------------===//

ArrayRef<OpConverter> mlir::qnt::onnx_import::getQuantConverters() {
  static const OpConverter converters[] = {
      {"ConvInteger", convertConvInteger},
      {"DequantizeLinear", convertDequantizeLinear},
      {"MatMulInteger", convertMatMulInteger},
      {"QLinearConv", convertQLinearConv},
      {"QLinearMatMul", convertQLinearMatMul},
      {"QuantizeLinear", convertQuantizeLinear},
  };
  return converters;
}
