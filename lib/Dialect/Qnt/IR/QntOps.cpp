//===- QntOps.cpp - Qnt dialect operations --------------------------------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Verifiers and folders of the qnt operations. The verifiers carry every
// invariant the passes rely on; each diagnostic names the attribute and the
// offending value.
//
//===----------------------------------------------------------------------===//

#include "qnt/Dialect/Qnt/IR/Qnt.h"
#include "qnt/Dialect/Qnt/Utils/ConstantUtils.h"
#include "qnt/Dialect/Qnt/Utils/Numerics.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>
#include <numeric>

using namespace mlir;
using namespace mlir::qnt;

#define GET_OP_CLASSES
#include "qnt/Dialect/Qnt/IR/QntOps.cpp.inc"

//===----------------------------------------------------------------------===//
// BatchNormOp
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::verify() {
  auto inputType = getInput().getType();
  int64_t rank = inputType.getRank();
  int64_t axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError("attribute 'axis' = ")
           << axis << " is out of range for an input of rank " << rank;

  float epsilon = getEpsilon().convertToFloat();
  if (!std::isfinite(epsilon) || epsilon < 0.0f)
    return emitOpError("attribute 'epsilon' must be finite and >= 0, got ")
           << epsilon;

  auto paramType = getGamma().getType();
  if (paramType.getElementType() != inputType.getElementType())
    return emitOpError("parameter element type ")
           << paramType.getElementType()
           << " does not match the input element type "
           << inputType.getElementType();

  int64_t channels = inputType.getDimSize(axis);
  int64_t params = paramType.getDimSize(0);
  if (!ShapedType::isDynamic(channels) && !ShapedType::isDynamic(params) &&
      channels != params)
    return emitOpError("has ")
           << params << " values per parameter but input dimension " << axis
           << " (attribute 'axis') has " << channels << " channels";
  return success();
}

//===----------------------------------------------------------------------===//
// ObserveOp
//===----------------------------------------------------------------------===//

/// Checks the statistics of a calibrated quantization point.
static LogicalResult verifyStats(ObserveOp op, StatsAttr stats) {
  auto fail = [&]() { return op.emitOpError("attribute 'stats' "); };
  if (stats.getCount() < 0)
    return fail() << "has a negative count " << stats.getCount();
  if (stats.getNanCount() < 0)
    return fail() << "has a negative nan_count " << stats.getNanCount();
  if (stats.getInfCount() < 0)
    return fail() << "has a negative inf_count " << stats.getInfCount();

  auto checkRange = [&](StringRef lo, double loValue, StringRef hi,
                        double hiValue) -> LogicalResult {
    if (!std::isfinite(loValue) || !std::isfinite(hiValue))
      return fail() << "has a non-finite " << lo << "/" << hi << " (" << loValue
                    << ", " << hiValue << ")";
    if (loValue > hiValue)
      return fail() << "has " << lo << " = " << loValue << " > " << hi << " = "
                    << hiValue;
    return success();
  };
  if (failed(
          checkRange("min", stats.getMinValue(), "max", stats.getMaxValue())) ||
      failed(checkRange("ema_min", stats.getEmaMinValue(), "ema_max",
                        stats.getEmaMaxValue())))
    return failure();

  ArrayRef<int64_t> hist = stats.getHist();
  if (hist.empty()) {
    if (stats.getHistMinValue() != 0.0 || stats.getHistMaxValue() != 0.0)
      return fail() << "has a histogram range but no bins";
    return success();
  }
  if (failed(checkRange("hist_min", stats.getHistMinValue(), "hist_max",
                        stats.getHistMaxValue())))
    return failure();
  int64_t total = 0;
  for (auto [bin, count] : llvm::enumerate(hist)) {
    if (count < 0)
      return fail() << "has a negative count " << count << " in histogram bin "
                    << bin;
    total += count;
  }
  if (total != stats.getCount())
    return fail() << "has histogram counts adding up to " << total
                  << " but count = " << stats.getCount();
  if (stats.getCount() > 0 && (stats.getHistMinValue() > stats.getMinValue() ||
                               stats.getHistMaxValue() < stats.getMaxValue()))
    return fail() << "has a histogram range [" << stats.getHistMinValue()
                  << ", " << stats.getHistMaxValue()
                  << "] that does not cover [min, max] = ["
                  << stats.getMinValue() << ", " << stats.getMaxValue() << "]";
  return success();
}

LogicalResult ObserveOp::verify() {
  if (getName().empty())
    return emitOpError("attribute 'name' must not be empty");

  SchemeAttr scheme = getScheme();
  unsigned bits = scheme.getBits();
  if (bits < 2 || bits > 16)
    return emitOpError("attribute 'scheme' asks for ")
           << bits << " bits; expected 2 to 16";
  int64_t rank = getInput().getType().getRank();
  if (std::optional<int64_t> axis = scheme.getAxis())
    if (*axis < 0 || *axis >= rank)
      return emitOpError("attribute 'scheme' has axis = ")
             << *axis << ", out of range for an input of rank " << rank;

  if (StatsAttr stats = getStatsAttr())
    return verifyStats(*this, stats);
  return success();
}

//===----------------------------------------------------------------------===//
// FakeQuantOp
//===----------------------------------------------------------------------===//

/// Checks one (scale, zero point) pair against the storage range.
static LogicalResult verifyScaleAndZeroPoint(Operation *op, double scale,
                                             int64_t zeroPoint,
                                             quant::QuantizedType qtype,
                                             std::optional<size_t> channel) {
  auto fail = [&]() {
    InFlightDiagnostic diag = op->emitOpError("attribute 'qtype' has ");
    return diag;
  };
  auto where = [&](InFlightDiagnostic &diag) -> InFlightDiagnostic & {
    if (channel)
      diag << " for channel " << *channel;
    return diag;
  };
  if (!std::isfinite(scale) || scale <= 0.0) {
    auto diag = fail() << "scale " << scale;
    return where(diag) << "; scales must be finite and > 0";
  }
  if (zeroPoint < qtype.getStorageTypeMin() ||
      zeroPoint > qtype.getStorageTypeMax()) {
    auto diag = fail() << "zero point " << zeroPoint;
    return where(diag) << " outside the storage range ["
                       << qtype.getStorageTypeMin() << ", "
                       << qtype.getStorageTypeMax() << "]";
  }
  return success();
}

/// Checks `qtype` for the float side `floatType` of a fake_quant, quantize
/// or dequantize: uniform, expressing its elements, per-axis dimension and
/// scale count matching its shape, valid scales and zero points.
static LogicalResult verifyQuantizedType(Operation *op,
                                         quant::QuantizedType qtype,
                                         RankedTensorType floatType) {
  if (!isa<quant::UniformQuantizedType, quant::UniformQuantizedPerAxisType>(
          qtype))
    return op->emitOpError("attribute 'qtype' must be a per-tensor or "
                           "per-axis !quant.uniform type, got ")
           << qtype;
  if (qtype.getExpressedType() != floatType.getElementType())
    return op->emitOpError("attribute 'qtype' expresses ")
           << qtype.getExpressedType() << " but the float elements are "
           << floatType.getElementType();

  if (auto perTensor = dyn_cast<quant::UniformQuantizedType>(qtype))
    return verifyScaleAndZeroPoint(op, perTensor.getScale(),
                                   perTensor.getZeroPoint(), qtype,
                                   std::nullopt);

  auto perAxis = cast<quant::UniformQuantizedPerAxisType>(qtype);
  int64_t axis = perAxis.getQuantizedDimension();
  int64_t rank = floatType.getRank();
  if (axis < 0 || axis >= rank)
    return op->emitOpError("attribute 'qtype' quantizes dimension ")
           << axis << ", out of range for an input of rank " << rank;
  ArrayRef<double> scales = perAxis.getScales();
  ArrayRef<int64_t> zeroPoints = perAxis.getZeroPoints();
  int64_t dimSize = floatType.getDimSize(axis);
  if (!ShapedType::isDynamic(dimSize) &&
      static_cast<int64_t>(scales.size()) != dimSize)
    return op->emitOpError("attribute 'qtype' has ")
           << scales.size() << " scales but input dimension " << axis
           << " has size " << dimSize;
  for (auto [channel, scale, zeroPoint] : llvm::enumerate(scales, zeroPoints))
    if (failed(verifyScaleAndZeroPoint(op, scale, zeroPoint, qtype, channel)))
      return failure();
  return success();
}

LogicalResult FakeQuantOp::verify() {
  return verifyQuantizedType(*this, getQtype(), getInput().getType());
}

OpFoldResult FakeQuantOp::fold(FoldAdaptor adaptor) {
  // A fake_quant of a fake_quant with the same parameters is the identity:
  // dequantized values lie on the grid and quantize back to themselves.
  if (auto producer = getInput().getDefiningOp<FakeQuantOp>())
    if (producer.getQtype() == getQtype())
      return getInput();

  auto type = cast<RankedTensorType>(getType());
  if (!type.hasStaticShape() || !type.getElementType().isF32())
    return {};
  std::optional<SmallVector<float>> constant = getF32Values(adaptor.getInput());
  if (!constant ||
      static_cast<int64_t>(constant->size()) != type.getNumElements())
    return {};
  SmallVector<float> &values = *constant;

  quant::QuantizedType qtype = getQtype();
  QuantRange range{qtype.getStorageTypeMin(), qtype.getStorageTypeMax()};
  if (auto perTensor = dyn_cast<quant::UniformQuantizedType>(qtype)) {
    float scale = static_cast<float>(perTensor.getScale());
    for (float &value : values)
      value = fakeQuantize(value, scale, perTensor.getZeroPoint(), range);
  } else {
    auto perAxis = cast<quant::UniformQuantizedPerAxisType>(qtype);
    int64_t axis = perAxis.getQuantizedDimension();
    ArrayRef<int64_t> shape = type.getShape();
    int64_t inner = std::accumulate(shape.begin() + axis + 1, shape.end(),
                                    int64_t(1), std::multiplies<int64_t>());
    int64_t channels = shape[axis];
    for (auto [index, value] : llvm::enumerate(values)) {
      int64_t channel = (static_cast<int64_t>(index) / inner) % channels;
      value =
          fakeQuantize(value, static_cast<float>(perAxis.getScales()[channel]),
                       perAxis.getZeroPoints()[channel], range);
    }
  }

  if (isa<DenseResourceElementsAttr>(adaptor.getInput()))
    return DenseF32ResourceElementsAttr::get(
        type, "fake_quant",
        HeapAsmResourceBlob::allocateAndCopyInferAlign(
            ArrayRef<float>(values)));
  return DenseElementsAttr::get(type, ArrayRef<float>(values));
}

//===----------------------------------------------------------------------===//
// QuantizeOp and DequantizeOp
//===----------------------------------------------------------------------===//

/// The integer side holds the storage: same shape, storage width.
static LogicalResult verifyStorage(Operation *op, quant::QuantizedType qtype,
                                   RankedTensorType floatType,
                                   RankedTensorType intType) {
  if (failed(verifyQuantizedType(op, qtype, floatType)))
    return failure();
  if (floatType.getShape() != intType.getShape())
    return op->emitOpError("float type ")
           << floatType << " and integer type " << intType
           << " have different shapes";
  unsigned width = qtype.getStorageTypeIntegralWidth();
  if (intType.getElementTypeBitWidth() != width)
    return op->emitOpError("integer elements ")
           << intType.getElementType() << " do not hold the " << width
           << "-bit storage of " << qtype;
  return success();
}

LogicalResult QuantizeOp::verify() {
  return verifyStorage(*this, getQtype(), getInput().getType(),
                       getOutput().getType());
}

LogicalResult DequantizeOp::verify() {
  return verifyStorage(*this, getQtype(), getOutput().getType(),
                       getInput().getType());
}

LogicalResult DequantizeOp::canonicalize(DequantizeOp op,
                                         PatternRewriter &rewriter) {
  // Integers made from floats and read back with the same parameters are
  // the fake-quantized floats.
  auto quantize = op.getInput().getDefiningOp<QuantizeOp>();
  if (!quantize || quantize.getQtype() != op.getQtype())
    return failure();
  rewriter.replaceOpWithNewOp<FakeQuantOp>(
      op, op.getType(), quantize.getInput(), TypeAttr::get(op.getQtype()));
  return success();
}

LogicalResult PackS8Op::verify() {
  int64_t count = getInputs().size();
  if (count != 2 && count != 4)
    return emitOpError("takes 2 or 4 vectors, not ") << count;
  int64_t lanes = getResult().getType().getNumElements();
  if (lanes != 16 * count)
    return emitOpError("packs ") << count << " vectors of 16 lanes into "
                                 << 16 * count << " lanes, not " << lanes;
  return success();
}
