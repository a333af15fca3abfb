//===- ConvertQntToLinalg.cpp - The fake-quant graph as integers ----------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Walks the entry block once, keeping for each float value of the fake-quant
// graph its integer form:
//
//   quantized activation  real = s * (q - z)       q in iN storage
//   accumulator           real = s[c] * acc        acc in i32, c = last dim
//
// (unsigned grids are stored offset by -2^(bits-1), zero point too, so that
// the sign-extending quantized linalg ops read the right values:
// q - z == (q - 128) - (z - 128)). A fake_quant of an accumulator is the
// fixed-point requantize M[c] = s[c] / s_out (Requantize.h), clamped to the
// output grid intersected with a fused activation's bounds. Add follows
// TFLite: both inputs to the scale 2 * max(s_a, s_b) / 2^20, summed in i32.
//
// This is one walk with a value map rather than a set of patterns: an
// accumulator flows through reshapes, bias adds and a fused clamp before the
// fake_quant that requantizes it, and each step needs the scales of the ops
// before it.
//
//===----------------------------------------------------------------------===//

#include "qnt/Conversion/Passes.h"
#include "qnt/Conversion/QntToLinalg/Requantize.h"
#include "qnt/Dialect/Qnt/IR/Qnt.h"
#include "qnt/Dialect/Qnt/Utils/ConstantUtils.h"
#include "qnt/Dialect/Qnt/Utils/Numerics.h"
#include "qnt/Dialect/Qnt/Utils/QuantizeBuilder.h"

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "llvm/ADT/DenseMap.h"

#include <cmath>

namespace mlir {
namespace qnt {
#define GEN_PASS_DEF_CONVERTQNTTOLINALGPASS
#include "qnt/Conversion/Passes.h.inc"
} // namespace qnt
} // namespace mlir

using namespace mlir;
using namespace mlir::qnt;

namespace {

/// An activation held as integers: real = scale * (value - zeroPoint).
struct QTensor {
  Value value;
  double scale;
  /// In the storage domain (offset for unsigned grids).
  int64_t zeroPoint;
  /// The grid in the storage domain.
  QuantRange grid;
  quant::UniformQuantizedType type;
};

/// The largest |x - z| on the grid of `q`.
static int64_t maxCentered(const QTensor &q) {
  return std::max(q.zeroPoint - q.grid.qmin, q.grid.qmax - q.zeroPoint);
}

/// An i32 accumulator: real = scales[c] * value along the last dimension
/// (one scale: per tensor), clamped to [clampLo, clampHi] by a fused
/// activation.
struct Accumulator {
  Value value;
  SmallVector<double> scales;
  double clampLo = -INFINITY;
  double clampHi = INFINITY;
  /// A bound on |value| by construction (see accumulatorBound), or none.
  std::optional<int64_t> bound = std::nullopt;
};

class Converter {
public:
  Converter(func::FuncOp func, bool integerIO)
      : func(func), builder(func.getContext()), integerIO(integerIO) {}
  LogicalResult run();

private:
  LogicalResult convert(Operation *op);
  LogicalResult convertFakeQuant(FakeQuantOp op);
  LogicalResult convertQuantize(QuantizeOp op);
  LogicalResult convertDequantize(DequantizeOp op);
  /// The integer form of `input` on the grid of `type`: requantized from an
  /// accumulator or another grid, or quantized from float.
  FailureOr<QTensor> toGrid(Value input, quant::UniformQuantizedType type,
                            Location loc);
  FailureOr<QTensor> computeGrid(Value input, quant::UniformQuantizedType type,
                                 Location loc);
  LogicalResult convertConv(Operation *op);
  LogicalResult convertMatmul(tosa::MatMulOp op);
  LogicalResult convertAdd(tosa::AddOp op);
  LogicalResult convertSameScale(Operation *op);
  LogicalResult convertAvgPool(Operation *op, const QTensor &q);
  LogicalResult convertFloatOp(Operation *op);

  /// The storage form of a per-tensor type.
  static QTensor describe(quant::UniformQuantizedType type, Value value);
  Type storageType(quant::UniformQuantizedType type) {
    return builder.getIntegerType(type.getStorageTypeIntegralWidth());
  }
  RankedTensorType withElement(Value v, Type element) {
    return cast<RankedTensorType>(v.getType()).clone(element);
  }
  Value quantize(Value x, const QTensor &params, Location loc);
  Value dequantize(const QTensor &q, Location loc);
  /// s[c] * acc in f32, clamped to the fused activation's bounds: an
  /// accumulator read by an op with no integer lowering.
  Value dequantize(const Accumulator &acc, Location loc);
  LogicalResult convertConcatOfAccumulators(tosa::ConcatOp op);
  /// i32 tensor of q - z.
  Value centered(const QTensor &q, Location loc);
  /// `accumulatorBound`: a bound on |acc| its producer guarantees.
  Value requantize(Value acc, ArrayRef<double> multipliers, const QTensor &out,
                   QuantRange clamp, Location loc,
                   std::optional<int64_t> accumulatorBound = std::nullopt);
  Value scalarConst(Type elementType, int64_t value, Location loc);

  /// With --int8-io the boundary holds the quantized values as signless
  /// iN: signed grids as they are, unsigned ones as their bit pattern, which
  /// is the storage with its top bit flipped (no tensor.bitcast: it has no
  /// bufferization in LLVM 22). `boundaryTypes` records ui8 for those.
  Value flipTopBit(Value v, Location loc);
  DenseMap<unsigned, Type> argBoundary, resultBoundary;

  func::FuncOp func;
  OpBuilder builder;
  bool integerIO;
  /// --int8-io applies to entry functions only (public ones): a private
  /// callee keeps float boundaries so that its calls still type-check.
  bool integerBoundary() { return integerIO && func.isPublic(); }
  /// Set when an error was emitted from a helper without an op to fail.
  bool failedFlag = false;
  /// With --int8-io, the integer form of each converted entry argument.
  DenseMap<Value, QTensor> argumentForms;
  /// The storage form of the bit patterns a qnt.quantize became.
  DenseMap<Value, Value> storageForms;
  /// toGrid's results: a value read on one grid by a fake_quant and a
  /// quantize (an imported output also read by the next node) is
  /// requantized once.
  DenseMap<std::pair<Value, Type>, QTensor> gridForms;
  DenseMap<Value, QTensor> quantized;
  DenseMap<Value, Accumulator> accumulators;
};

} // namespace

QTensor Converter::describe(quant::UniformQuantizedType type, Value value) {
  int64_t offset =
      type.isSigned()
          ? 0
          : (int64_t(1) << (type.getStorageTypeIntegralWidth() - 1));
  return QTensor{
      value,
      type.getScale(),
      type.getZeroPoint() - offset,
      {type.getStorageTypeMin() - offset, type.getStorageTypeMax() - offset},
      type};
}

Value Converter::scalarConst(Type elementType, int64_t value, Location loc) {
  auto type = RankedTensorType::get({1}, elementType);
  return tosa::ConstOp::create(
      builder, loc, type,
      DenseElementsAttr::get(type, builder.getIntegerAttr(elementType, value)));
}

/// A linalg.generic mapping `input` elementwise to `resultType`.
static Value elementwise(OpBuilder &b, Location loc, Value input,
                         RankedTensorType resultType,
                         function_ref<Value(OpBuilder &, Location, Value)> fn) {
  int64_t rank = resultType.getRank();
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, input);
  Value init =
      tensor::EmptyOp::create(b, loc, sizes, resultType.getElementType());
  SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, ValueRange{input}, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        linalg::YieldOp::create(nb, nloc, fn(nb, nloc, args[0]));
      });
  return generic.getResult(0);
}

Value Converter::quantize(Value x, const QTensor &p, Location loc) {
  // q = clamp(roundeven(x / s) + z, qmin, qmax), NaN -> z (Numerics.h), in
  // the storage domain.
  Type storage = storageType(p.type);
  return elementwise(
      builder, loc, x, withElement(x, storage),
      [&](OpBuilder &b, Location l, Value v) -> Value {
        auto f = [&](double c) -> Value {
          return arith::ConstantOp::create(b, l, b.getF32FloatAttr(c));
        };
        Value q =
            buildScalarQuantize(b, l, v, f(p.scale), f(p.zeroPoint), p.grid);
        Value i = arith::FPToSIOp::create(b, l, b.getI32Type(), q);
        return arith::TruncIOp::create(b, l, storage, i);
      });
}

Value Converter::centered(const QTensor &q, Location loc) {
  return elementwise(
      builder, loc, q.value, withElement(q.value, builder.getI32Type()),
      [&](OpBuilder &b, Location l, Value v) -> Value {
        Value w = arith::ExtSIOp::create(b, l, b.getI32Type(), v);
        Value z =
            arith::ConstantOp::create(b, l, b.getI32IntegerAttr(q.zeroPoint));
        return arith::SubIOp::create(b, l, w, z);
      });
}

Value Converter::dequantize(const QTensor &q, Location loc) {
  // x = s * (q - z) in f32 (Numerics.h).
  Value c = centered(q, loc);
  return elementwise(builder, loc, c, withElement(c, builder.getF32Type()),
                     [&](OpBuilder &b, Location l, Value v) -> Value {
                       Value f =
                           arith::SIToFPOp::create(b, l, b.getF32Type(), v);
                       Value s = arith::ConstantOp::create(
                           b, l, b.getF32FloatAttr(float(q.scale)));
                       return arith::MulFOp::create(b, l, s, f);
                     });
}

Value Converter::dequantize(const Accumulator &acc, Location loc) {
  auto type = cast<RankedTensorType>(acc.value.getType());
  int64_t rank = type.getRank();
  SmallVector<Value> inputs = {acc.value};
  SmallVector<AffineMap> maps = {builder.getMultiDimIdentityMap(rank)};
  bool perChannel = acc.scales.size() > 1;
  if (perChannel) {
    SmallVector<float> scales(acc.scales.begin(), acc.scales.end());
    auto scaleType = RankedTensorType::get(
        {static_cast<int64_t>(scales.size())}, builder.getF32Type());
    inputs.push_back(arith::ConstantOp::create(
        builder, loc, DenseElementsAttr::get(scaleType, ArrayRef(scales))));
    maps.push_back(AffineMap::get(rank, 0, builder.getAffineDimExpr(rank - 1),
                                  builder.getContext()));
  }
  maps.push_back(builder.getMultiDimIdentityMap(rank));
  RankedTensorType resultType = type.clone(builder.getF32Type());
  Value init = tensor::EmptyOp::create(
      builder, loc, tensor::getMixedSizes(builder, loc, acc.value),
      builder.getF32Type());
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      builder, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps,
      iterators, [&](OpBuilder &b, Location l, ValueRange args) {
        auto f = [&](double v) -> Value {
          return arith::ConstantOp::create(b, l, b.getF32FloatAttr(v));
        };
        Value s = perChannel ? args[1] : f(acc.scales[0]);
        Value x = arith::MulFOp::create(
            b, l, s, arith::SIToFPOp::create(b, l, b.getF32Type(), args[0]));
        if (std::isfinite(acc.clampLo))
          x = arith::MaximumFOp::create(b, l, x, f(acc.clampLo));
        if (std::isfinite(acc.clampHi))
          x = arith::MinimumFOp::create(b, l, x, f(acc.clampHi));
        linalg::YieldOp::create(b, l, x);
      });
  return generic.getResult(0);
}

Value Converter::requantize(Value acc, ArrayRef<double> multipliers,
                            const QTensor &out, QuantRange clamp, Location loc,
                            std::optional<int64_t> accumulatorBound) {
  RequantizeParams params;
  for (double m : multipliers) {
    std::optional<QuantizedMultiplier> qm = quantizeMultiplier(m);
    if (!qm) {
      emitError(loc, "cannot requantize: the scale ratio ")
          << m << " has no fixed-point multiplier (it must be in [0, 2^30))";
      failedFlag = true;
      qm = QuantizedMultiplier{0, 0};
    }
    params.multipliers.push_back(*qm);
  }
  params.axis = multipliers.size() == 1
                    ? -1
                    : cast<RankedTensorType>(acc.getType()).getRank() - 1;
  params.outputZeroPoint = out.zeroPoint;
  params.clamp = clamp;
  params.accumulatorBound = accumulatorBound;
  return buildRequantize(builder, loc, acc, params, storageType(out.type));
}

Value Converter::flipTopBit(Value v, Location loc) {
  auto type = cast<RankedTensorType>(v.getType());
  unsigned width = type.getElementTypeBitWidth();
  return elementwise(
      builder, loc, v, type, [&](OpBuilder &b, Location l, Value x) -> Value {
        Value bit = arith::ConstantOp::create(
            b, l, b.getIntegerAttr(x.getType(), APInt::getSignMask(width)));
        return arith::XOrIOp::create(b, l, x, bit);
      });
}

FailureOr<QTensor>
Converter::toGrid(Value input, quant::UniformQuantizedType type, Location loc) {
  auto key = std::make_pair(input, Type(type));
  if (auto it = gridForms.find(key); it != gridForms.end())
    return it->second;
  FailureOr<QTensor> result = computeGrid(input, type, loc);
  if (succeeded(result))
    gridForms[key] = *result;
  return result;
}

FailureOr<QTensor> Converter::computeGrid(Value input,
                                          quant::UniformQuantizedType type,
                                          Location loc) {
  QTensor out = describe(type, Value());
  if (auto it = accumulators.find(input); it != accumulators.end()) {
    const Accumulator &acc = it->second;
    SmallVector<double> multipliers;
    for (double s : acc.scales)
      multipliers.push_back(s / out.scale);
    // The grid, intersected with a fused activation's bounds.
    QuantRange clamp = out.grid;
    int64_t offset = type.getZeroPoint() - out.zeroPoint;
    QuantRange unsignedGrid{type.getStorageTypeMin(), type.getStorageTypeMax()};
    if (std::isfinite(acc.clampLo))
      clamp.qmin = std::max(clamp.qmin,
                            qnt::quantize(float(acc.clampLo), float(out.scale),
                                          type.getZeroPoint(), unsignedGrid) -
                                offset);
    if (std::isfinite(acc.clampHi))
      clamp.qmax = std::min(clamp.qmax,
                            qnt::quantize(float(acc.clampHi), float(out.scale),
                                          type.getZeroPoint(), unsignedGrid) -
                                offset);
    out.value = requantize(acc.value, multipliers, out, clamp, loc, acc.bound);
    return out;
  }
  if (auto it = quantized.find(input); it != quantized.end()) {
    const QTensor &in = it->second;
    if (in.type == type)
      return in;
    out.value = requantize(centered(in, loc), {in.scale / out.scale}, out,
                           out.grid, loc, maxCentered(in));
    return out;
  }
  if (auto cached = argumentForms.find(input); cached != argumentForms.end())
    return cached->second;
  if (!cast<RankedTensorType>(input.getType()).getElementType().isF32())
    return emitError(loc, "cannot be lowered: the input of its quantization "
                          "is not f32"),
           failure();
  out.value = quantize(input, out, loc);
  return out;
}

LogicalResult Converter::convertFakeQuant(FakeQuantOp op) {
  auto type = dyn_cast<quant::UniformQuantizedType>(op.getQtype());
  Value input = op.getInput();
  Location loc = op.getLoc();
  if (!type) {
    // Per-axis: weights and biases, consumed by their conv/matmul.
    return success();
  }
  // Wider grids (int32 sums read back in float) are simulated in float; an
  // accumulator they read is dequantized exactly first.
  if (type.getStorageTypeIntegralWidth() > 16)
    return convertFloatOp(op);
  // A float value (a model input, or the output of a float op). With
  // --int8-io, an entry argument that only feeds this kind of fake_quant
  // becomes the integers themselves.
  if (auto arg = dyn_cast<BlockArgument>(input);
      arg && !argumentForms.count(arg) && integerBoundary() &&
      cast<RankedTensorType>(arg.getType()).getElementType().isF32() &&
      llvm::all_of(arg.getUsers(), [&](Operation *user) {
        auto fq = dyn_cast<FakeQuantOp>(user);
        return fq && fq.getQtype() == op.getQtype();
      })) {
    QTensor out = describe(type, Value());
    arg.setType(withElement(arg, storageType(type)));
    out.value = type.isSigned() ? Value(arg) : flipTopBit(arg, loc);
    if (!type.isSigned())
      argBoundary[arg.getArgNumber()] =
          withElement(arg, IntegerType::get(builder.getContext(),
                                            type.getStorageTypeIntegralWidth(),
                                            IntegerType::Unsigned));
    argumentForms[arg] = out;
    quantized[op.getResult()] = out;
    return success();
  }
  FailureOr<QTensor> out = toGrid(input, type, loc);
  if (failed(out))
    return failure();
  quantized[op.getResult()] = *out;
  return success();
}

LogicalResult Converter::convertQuantize(QuantizeOp op) {
  // Per-axis quantizes (and wider forms below) are computed in float from
  // the float graph, which stays alive for them.
  auto type = dyn_cast<quant::UniformQuantizedType>(op.getQtype());
  if (!type)
    return success();
  Value input = op.getInput();
  Location loc = op.getLoc();
  if (type.getStorageTypeIntegralWidth() > 16) {
    // int32 sums at their own scale (ConvInteger, MatMulInteger): the
    // accumulator itself.
    auto acc = accumulators.find(input);
    if (acc != accumulators.end() && type.getZeroPoint() == 0 &&
        !std::isfinite(acc->second.clampLo) &&
        !std::isfinite(acc->second.clampHi) &&
        llvm::all_of(acc->second.scales,
                     [&](double s) { return s == type.getScale(); }))
      op.getResult().replaceAllUsesWith(acc->second.value);
    return success();
  }
  FailureOr<QTensor> out = toGrid(input, type, loc);
  if (failed(out))
    return failure();
  // The result holds the bit pattern: unsigned storage has its top bit
  // flipped back.
  Value bits = type.isSigned() ? out->value : flipTopBit(out->value, loc);
  storageForms[bits] = out->value;
  op.getResult().replaceAllUsesWith(bits);
  return success();
}

LogicalResult Converter::convertDequantize(DequantizeOp op) {
  auto type = dyn_cast<quant::UniformQuantizedType>(op.getQtype());
  if (!type && llvm::any_of(op->getUsers(), [](Operation *user) {
        return isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::MatMulOp,
                   tosa::ReshapeOp, tosa::TransposeOp>(user);
      }))
    // Integer activations are per tensor: a per-row zero point (e.g. of
    // MatMulInteger) leaves its readers in float, exact only while partial
    // sums stay below 2^24.
    op.emitWarning("per-axis dequantize of an activation: the ops reading "
                   "it run in float");
  if (!type || type.getStorageTypeIntegralWidth() > 16)
    return success(); // computed in float
  QTensor q = describe(type, Value());
  Value input = op.getInput();
  if (auto it = storageForms.find(input); it != storageForms.end())
    q.value = it->second;
  else
    q.value = type.isSigned() ? input : flipTopBit(input, op.getLoc());
  quantized[op.getResult()] = q;
  return success();
}

namespace {
/// Weights as i8 storage (offset by -128 when unsigned), their scales per
/// output channel (or one), and their one zero point in that domain.
struct QuantizedWeights {
  Value value;
  SmallVector<double> scales;
  int64_t zeroPoint = 0;
};
} // namespace

/// The integer weights of a fake-quantized constant.
static FailureOr<QuantizedWeights> quantizeWeights(OpBuilder &b, Value weights,
                                                   Operation *user) {
  auto fq = weights.getDefiningOp<FakeQuantOp>();
  if (!fq)
    return user->emitOpError("cannot be lowered: its weights are not "
                             "fake-quantized"),
           failure();
  std::optional<SmallVector<float>> values =
      getConstantF32Values(fq.getInput());
  if (!values)
    return user->emitOpError("cannot be lowered: its weights are not "
                             "constant"),
           failure();
  quant::QuantizedType qtype = fq.getQtype();
  SmallVector<double> scales;
  SmallVector<int64_t> zeroPoints;
  int64_t axis = -1;
  if (auto perTensor = dyn_cast<quant::UniformQuantizedType>(qtype)) {
    scales.push_back(perTensor.getScale());
    zeroPoints.push_back(perTensor.getZeroPoint());
  } else {
    auto perAxis = cast<quant::UniformQuantizedPerAxisType>(qtype);
    scales.assign(perAxis.getScales().begin(), perAxis.getScales().end());
    zeroPoints.assign(perAxis.getZeroPoints().begin(),
                      perAxis.getZeroPoints().end());
    axis = perAxis.getQuantizedDimension();
  }
  if (qtype.getStorageTypeIntegralWidth() != 8)
    return user->emitOpError("cannot be lowered: only 8-bit weights are "
                             "supported, got ")
               << qtype,
           failure();
  // TOSA takes one weight zero point: affine weights need it per tensor.
  if (llvm::any_of(zeroPoints, [&](int64_t z) { return z != zeroPoints[0]; }))
    return user->emitOpError("cannot be lowered: its per-channel weights "
                             "have different zero points (one is needed)"),
           failure();
  auto type = cast<RankedTensorType>(weights.getType());
  ArrayRef<int64_t> shape = type.getShape();
  int64_t inner = 1;
  if (axis >= 0)
    for (int64_t d : shape.drop_front(axis + 1))
      inner *= d;
  QuantRange grid{qtype.getStorageTypeMin(), qtype.getStorageTypeMax()};
  // Unsigned weights are stored offset like activations (see the top).
  int64_t offset = qtype.isSigned() ? 0 : 128;
  SmallVector<int8_t> q(values->size());
  for (auto [i, v] : llvm::enumerate(*values)) {
    int64_t c = axis < 0 ? 0 : (int64_t(i) / inner) % shape[axis];
    q[i] = static_cast<int8_t>(
        qnt::quantize(v, float(scales[c]), zeroPoints[c], grid) - offset);
  }
  auto qtypeTensor = type.clone(b.getI8Type());
  Value constant = tosa::ConstOp::create(
      b, user->getLoc(), qtypeTensor,
      DenseElementsAttr::get(qtypeTensor, ArrayRef<int8_t>(q)));
  return QuantizedWeights{constant, scales, zeroPoints[0] - offset};
}

/// The i32 bias of a conv/matmul whose accumulator has `scales`.
static FailureOr<Value> quantizeBias(OpBuilder &b, Value bias,
                                     ArrayRef<double> scales, int64_t channels,
                                     Operation *user) {
  std::optional<SmallVector<float>> values;
  auto fq = bias.getDefiningOp<FakeQuantOp>();
  values = getConstantF32Values(fq ? fq.getInput() : bias);
  if (!values)
    return user->emitOpError("cannot be lowered: its bias is not constant"),
           failure();
  auto type = cast<RankedTensorType>(bias.getType());
  SmallVector<int32_t> q(channels);
  for (int64_t c = 0; c < channels; ++c) {
    float b32 = (*values)[values->size() == 1 ? 0 : c];
    double s = scales[scales.size() == 1 ? 0 : c];
    if (fq) {
      // The bias must sit on the accumulator's grid s_in * s_w[c]; QDQ
      // models store that product rounded to float32, hence the tolerance.
      // --qnt-quantize widens it only to avoid int32 overflow.
      double biasScale;
      if (auto perAxis =
              dyn_cast<quant::UniformQuantizedPerAxisType>(fq.getQtype()))
        biasScale = perAxis.getScales()[c];
      else
        biasScale = cast<quant::UniformQuantizedType>(fq.getQtype()).getScale();
      if (std::fabs(biasScale - s) > 1e-6 * s)
        return user->emitOpError("cannot be lowered: the bias scale ")
                   << biasScale << " of channel " << c
                   << " is not s_in * s_w = " << s
                   << " (widened to avoid int32 overflow?)",
               failure();
    } else if (b32 != 0.0f) {
      return user->emitOpError("cannot be lowered: its bias is not "
                               "fake-quantized"),
             failure();
    }
    bool saturated = false;
    q[c] = qnt::quantizeBias(b32, s, &saturated);
    if (saturated)
      return user->emitOpError("cannot be lowered: the bias of channel ")
                 << c << " does not fit int32 at scale " << s,
             failure();
  }
  SmallVector<int64_t> shape(type.getShape());
  shape.back() = channels;
  auto qtype = RankedTensorType::get(shape, b.getI32Type());
  return tosa::ConstOp::create(b, user->getLoc(), qtype,
                               DenseElementsAttr::get(qtype, ArrayRef(q)))
      .getResult();
}

/// The largest |c| of a constant integer tensor, or none.
static std::optional<int64_t> maxAbsConstant(Value v) {
  std::optional<DenseElementsAttr> values = getConstantDenseElements(v);
  if (!values || !values->getElementType().isInteger())
    return std::nullopt;
  int64_t m = 0;
  for (const APInt &c : values->getValues<APInt>())
    m = std::max(m, std::abs(c.getSExtValue()));
  return m;
}

/// A bound on |acc| of a convolution or matmul with constant integer
/// weights, by construction: per output channel, the sum of |w - z_w| over
/// the channel's weights times the largest |x - z_x| of the input grid,
/// plus |bias| (padding adds x = z_x); the largest over the channels.
/// `channelOf` maps a weight's flat index to its output channel.
static std::optional<int64_t>
accumulatorBound(Value weights, int64_t weightZp, std::optional<Value> bias,
                 const QTensor &input, int64_t channels,
                 function_ref<int64_t(int64_t)> channelOf) {
  std::optional<DenseElementsAttr> w = getConstantDenseElements(weights);
  if (!w || !w->getElementType().isInteger())
    return std::nullopt;
  SmallVector<int64_t> sums(channels, 0);
  int64_t i = 0;
  for (const APInt &v : w->getValues<APInt>()) {
    int64_t c = channelOf(i++);
    if (c < 0 || c >= channels)
      return std::nullopt;
    sums[c] += std::abs(v.getSExtValue() - weightZp);
  }
  int64_t biasBound = 0;
  if (bias) {
    std::optional<int64_t> b = maxAbsConstant(*bias);
    if (!b)
      return std::nullopt;
    biasBound = *b;
  }
  return *llvm::max_element(sums) * maxCentered(input) + biasBound;
}

/// Whether `weights` are a fake-quantized constant (else the op stays float).
static bool hasQuantizedWeights(Value weights) {
  auto fq = weights.getDefiningOp<FakeQuantOp>();
  return fq && getConstantF32Values(fq.getInput());
}

LogicalResult Converter::convertConv(Operation *op) {
  auto in = quantized.find(op->getOperand(0));
  if (in == quantized.end() || !hasQuantizedWeights(op->getOperand(1)))
    return convertFloatOp(op);
  if (in->second.type.getStorageTypeIntegralWidth() != 8)
    return op->emitOpError("cannot be lowered: only 8-bit activations can "
                           "feed a convolution, got ")
           << in->second.type;
  FailureOr<QuantizedWeights> weights =
      quantizeWeights(builder, op->getOperand(1), op);
  if (failed(weights))
    return failure();
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  int64_t channels = resultType.getShape().back();
  if (weights->scales.size() != 1 &&
      static_cast<int64_t>(weights->scales.size()) != channels)
    return op->emitOpError("cannot be lowered: its per-channel weight "
                           "scales (")
           << weights->scales.size() << ") do not follow its " << channels
           << " output channels";
  SmallVector<double> scales;
  for (double sw : weights->scales)
    scales.push_back(in->second.scale * sw);
  FailureOr<Value> bias =
      quantizeBias(builder, op->getOperand(2), scales, channels, op);
  if (failed(bias))
    return failure();
  Type inElement =
      cast<ShapedType>(in->second.value.getType()).getElementType();
  Value inputZp = scalarConst(inElement, in->second.zeroPoint, op->getLoc());
  Value weightZp =
      scalarConst(builder.getI8Type(), weights->zeroPoint, op->getLoc());
  Operation *conv = builder.clone(*op);
  conv->setOperand(0, in->second.value);
  conv->setOperand(1, weights->value);
  conv->setOperand(2, *bias);
  conv->setOperand(3, inputZp);
  conv->setOperand(4, weightZp);
  conv->setAttr("acc_type", TypeAttr::get(builder.getI32Type()));
  conv->getResult(0).setType(resultType.clone(builder.getI32Type()));
  Accumulator acc{conv->getResult(0), scales};
  // Weights [OC, KH, KW, IC]; depthwise [KH, KW, C, M], channel c * M + m.
  auto wType = cast<RankedTensorType>(weights->value.getType());
  int64_t perChannel = wType.getNumElements() / channels;
  bool depthwise = isa<tosa::DepthwiseConv2DOp>(op);
  acc.bound = accumulatorBound(
      weights->value, weights->zeroPoint, *bias, in->second, channels,
      [&](int64_t i) { return depthwise ? i % channels : i / perChannel; });
  accumulators[op->getResult(0)] = acc;
  return success();
}

LogicalResult Converter::convertMatmul(tosa::MatMulOp op) {
  auto in = quantized.find(op.getA());
  if (in == quantized.end())
    return convertFloatOp(op);
  // B: constant weights, or a second quantized activation (attention,
  // QLinearMatMul of two runtime tensors).
  auto other = quantized.find(op.getB());
  bool constantB = hasQuantizedWeights(op.getB());
  if (!constantB && other == quantized.end())
    return convertFloatOp(op);
  for (const QTensor *q : {&in->second, constantB ? nullptr : &other->second})
    if (q && q->type.getStorageTypeIntegralWidth() != 8)
      return op.emitOpError("cannot be lowered: only 8-bit activations can "
                            "feed a matmul, got ")
             << q->type;
  QuantizedWeights weights;
  if (constantB) {
    FailureOr<QuantizedWeights> quantizedB =
        quantizeWeights(builder, op.getB(), op);
    if (failed(quantizedB))
      return failure();
    weights = *quantizedB;
  } else {
    weights = {
        other->second.value, {other->second.scale}, other->second.zeroPoint};
  }
  SmallVector<double> scales;
  for (double sw : weights.scales)
    scales.push_back(in->second.scale * sw);
  Location loc = op.getLoc();
  auto resultType = op.getType().clone(builder.getI32Type());
  Type aElement = cast<ShapedType>(in->second.value.getType()).getElementType();
  Value mm = tosa::MatMulOp::create(
      builder, loc, resultType, in->second.value, weights.value,
      scalarConst(aElement, in->second.zeroPoint, loc),
      scalarConst(builder.getI8Type(), weights.zeroPoint, loc));
  Accumulator acc{mm, scales};
  // B [batch, K, N]: a channel per (batch, n); two activations: K products.
  auto bType = cast<RankedTensorType>(weights.value.getType());
  int64_t k = bType.getDimSize(1), n = bType.getDimSize(2);
  if (constantB)
    acc.bound =
        accumulatorBound(weights.value, weights.zeroPoint, std::nullopt,
                         in->second, bType.getNumElements() / k,
                         [&](int64_t i) { return i / (k * n) * n + i % n; });
  else if (!ShapedType::isDynamic(k))
    acc.bound = k * maxCentered(in->second) * maxCentered(other->second);
  accumulators[op.getResult()] = acc;
  return success();
}

/// The requantize of d << L (d = q - z) by the multiplier m0 * 2^-r, r >= 1,
/// in i32 alone where it fits: MultiplyByQuantizedMultiplier's high multiply
/// is floor((d * m0 + 2^(30-L)) / 2^(31-L)) (round half up, no saturation:
/// d << L is never INT32_MIN) and its rounding right shift by r rounds half
/// away from zero, floor((h + 2^(r-1) - [h < 0]) / 2^r), with h < 0 exactly
/// when d < 0. The two floors make one:
///
///   floor((d * m0 + C - [d < 0] * 2^(31-L)) / 2^s),
///   s = 31 - L + r, C = 2^(30-L) + 2^(30-L+r),
///
/// and with m0 = mh * 2^s + ml (0 <= ml < 2^s) the multiple of 2^s leaves the
/// floor: d * mh + ((d * ml + C - [d < 0] * 2^(31-L)) >> s). Two i32
/// multiplies, no i64 product and no even/odd lanes. It needs every i32 value
/// in range: |d| * 2^s + C + 2^(31-L) < 2^31, so 8-bit grids with r <= 11.
/// The [d < 0] term is left out when the grid starts at z (a ReLU output).
static std::optional<Value>
splitRescale(OpBuilder &builder, Location loc, Value c, int64_t maxCentered,
             bool negative, const QuantizedMultiplier &qm, int leftShift) {
  int64_t r = -int64_t(qm.shift);
  int64_t s = 31 - leftShift + r;
  if (r < 1 || leftShift > 30 || s > 30)
    return std::nullopt;
  int64_t C =
      (int64_t(1) << (30 - leftShift)) + (int64_t(1) << (30 - leftShift + r));
  int64_t negativeTerm = int64_t(1) << (31 - leftShift);
  if (maxCentered * (int64_t(1) << s) + C + negativeTerm >= (int64_t(1) << 31))
    return std::nullopt;
  int64_t mh = int64_t(qm.multiplier) >> s;
  int64_t ml = int64_t(qm.multiplier) & ((int64_t(1) << s) - 1);
  return elementwise(
      builder, loc, c, cast<RankedTensorType>(c.getType()),
      [&](OpBuilder &b, Location l, Value d) -> Value {
        auto i32 = [&](int64_t v) -> Value {
          return arith::ConstantOp::create(b, l, b.getI32IntegerAttr(v));
        };
        Value low = arith::AddIOp::create(
            b, l, arith::MulIOp::create(b, l, d, i32(ml)), i32(C));
        if (negative)
          low = arith::AddIOp::create(
              b, l, low,
              arith::ShLIOp::create(b, l,
                                    arith::ShRSIOp::create(b, l, d, i32(31)),
                                    i32(31 - leftShift)));
        Value shifted = arith::ShRSIOp::create(b, l, low, i32(s));
        // m0 >= 2^30 and s <= 30: mh >= 1.
        Value high = arith::MulIOp::create(b, l, d, i32(mh));
        return arith::AddIOp::create(b, l, high, shifted);
      });
}

LogicalResult Converter::convertAdd(tosa::AddOp op) {
  Location loc = op.getLoc();
  auto resultType = cast<RankedTensorType>(op.getType());
  // Bias add on an accumulator.
  for (unsigned i = 0; i < 2; ++i) {
    auto acc = accumulators.find(op->getOperand(i));
    if (acc == accumulators.end())
      continue;
    int64_t channels = resultType.getShape().back();
    FailureOr<Value> bias = quantizeBias(builder, op->getOperand(1 - i),
                                         acc->second.scales, channels, op);
    if (failed(bias))
      return failure();
    Value sum = tosa::AddOp::create(builder, loc,
                                    resultType.clone(builder.getI32Type()),
                                    acc->second.value, *bias);
    Accumulator result = acc->second;
    result.value = sum;
    std::optional<int64_t> biasBound = maxAbsConstant(*bias);
    result.bound = result.bound && biasBound
                       ? std::optional<int64_t>(*result.bound + *biasBound)
                       : std::nullopt;
    accumulators[op.getResult()] = result;
    return success();
  }
  // Two quantized tensors (TFLite): both to the common scale
  // 2 * max(s_a, s_b) with 20 bits of headroom, then an i32 add.
  auto a = quantized.find(op.getInput1()), b = quantized.find(op.getInput2());
  if (a == quantized.end() || b == quantized.end())
    return convertFloatOp(op);
  // 20 bits of headroom for 8-bit grids (TFLite), less for wider ones:
  // |q - z| < 2^bits, so (q - z) << (28 - bits) < 2^28 and the sum of two
  // rescaled inputs stays far inside int32.
  unsigned bits = std::max(a->second.type.getStorageTypeIntegralWidth(),
                           b->second.type.getStorageTypeIntegralWidth());
  const int kLeftShift = 28 - static_cast<int>(bits);
  double common = 2.0 * std::max(a->second.scale, b->second.scale);
  auto shiftLeft = [&](Value c, int64_t shift) {
    return elementwise(builder, loc, c, cast<RankedTensorType>(c.getType()),
                       [&](OpBuilder &nb, Location l, Value v) -> Value {
                         Value s = arith::ConstantOp::create(
                             nb, l, nb.getI32IntegerAttr(shift));
                         return arith::ShLIOp::create(nb, l, v, s);
                       });
  };
  auto scaled = [&](const QTensor &q) {
    Value c = centered(q, loc);
    std::optional<QuantizedMultiplier> qm =
        quantizeMultiplier(q.scale / common);
    // A power-of-two multiplier 2^(e - 1) (the larger scale's input: 1/2)
    // is exact on (q - z) << kLeftShift: the high multiply by 2^30 halves
    // an even value and the right shift by -e drops zero bits, so the
    // requantize is (q - z) << (kLeftShift - 1 + e), one shift.
    if (qm && qm->multiplier == (int32_t(1) << 30) &&
        kLeftShift - 1 + qm->shift >= 0 && qm->shift <= 0)
      return shiftLeft(c, kLeftShift - 1 + qm->shift);
    if (qm && qm->multiplier != 0)
      if (std::optional<Value> v =
              splitRescale(builder, loc, c, maxCentered(q),
                           q.zeroPoint > q.grid.qmin, *qm, kLeftShift))
        return *v;
    Value shifted = shiftLeft(c, kLeftShift);
    RequantizeParams params;
    params.multipliers.push_back(qm ? *qm : QuantizedMultiplier{0, 0});
    params.outputZeroPoint = 0;
    params.clamp = {std::numeric_limits<int32_t>::min(),
                    std::numeric_limits<int32_t>::max()};
    // |(q - z) << shift| < 2^28: the short rounding (the multiplier is at
    // most 1/2, so every input shifts right).
    params.accumulatorBound = maxCentered(q) << kLeftShift;
    return buildRequantize(builder, loc, shifted, params, builder.getI32Type());
  };
  Value sum =
      tosa::AddOp::create(builder, loc, resultType.clone(builder.getI32Type()),
                          scaled(a->second), scaled(b->second));
  Accumulator result{sum, {common / double(1 << kLeftShift)}};
  // Each rescaled input is at most half its bound, plus the rounding.
  result.bound = (maxCentered(a->second) + maxCentered(b->second))
                 << kLeftShift;
  accumulators[op.getResult()] = result;
  return success();
}

LogicalResult Converter::convertAvgPool(Operation *op, const QTensor &q) {
  // Pool (q - z) * 2^7 in i16 (|q - z| <= 255, so < 2^15) with zero points
  // 0: TOSA's integer average rounds at s_in / 2^7, and the fake_quant after
  // it requantizes that accumulator once, instead of rounding to the input
  // grid first and then to the output grid.
  constexpr int kFraction = 7;
  Location loc = op->getLoc();
  Type i16 = builder.getIntegerType(16);
  Value c = centered(q, loc);
  Value scaled = elementwise(
      builder, loc, c, withElement(c, i16),
      [&](OpBuilder &b, Location l, Value v) -> Value {
        Value s =
            arith::ConstantOp::create(b, l, b.getI32IntegerAttr(kFraction));
        return arith::TruncIOp::create(b, l, i16,
                                       arith::ShLIOp::create(b, l, v, s));
      });
  Value zero = scalarConst(i16, 0, loc);
  Operation *clone = builder.clone(*op);
  clone->setOperand(0, scaled);
  clone->setOperand(1, zero);
  clone->setOperand(2, zero);
  clone->setAttr("acc_type", TypeAttr::get(builder.getI32Type()));
  clone->getResult(0).setType(
      cast<RankedTensorType>(op->getResult(0).getType()).clone(i16));
  Value widened =
      elementwise(builder, loc, clone->getResult(0),
                  withElement(clone->getResult(0), builder.getI32Type()),
                  [&](OpBuilder &b, Location l, Value v) -> Value {
                    return arith::ExtSIOp::create(b, l, b.getI32Type(), v);
                  });
  accumulators[op->getResult(0)] =
      Accumulator{widened, {q.scale / double(1 << kFraction)}};
  return success();
}

LogicalResult Converter::convertSameScale(Operation *op) {
  auto in = quantized.find(op->getOperand(0));
  if (in == quantized.end())
    return convertFloatOp(op);
  const QTensor &q = in->second;
  Type element = cast<ShapedType>(q.value.getType()).getElementType();
  Location loc = op->getLoc();
  if (isa<tosa::ConcatOp>(op) &&
      llvm::any_of(op->getOperands(), [&](Value operand) {
        auto it = quantized.find(operand);
        return it == quantized.end() || it->second.type != q.type;
      }))
    return convertFloatOp(op); // inputs without one shared set of parameters
  if (isa<tosa::AvgPool2dOp>(op) && element.getIntOrFloatBitWidth() == 8)
    return convertAvgPool(op, q);
  Value padValue, zeroPoint;
  if (auto pad = dyn_cast<tosa::PadOp>(op)) {
    // The pad value on the grid (the zero point for the usual 0).
    std::optional<SmallVector<float>> value =
        getConstantF32Values(pad.getPadConst());
    if (!value || value->size() != 1)
      return convertFloatOp(op);
    QuantRange unsignedGrid{q.type.getStorageTypeMin(),
                            q.type.getStorageTypeMax()};
    int64_t offset = q.type.getZeroPoint() - q.zeroPoint;
    padValue = scalarConst(element,
                           qnt::quantize((*value)[0], float(q.scale),
                                         q.type.getZeroPoint(), unsignedGrid) -
                               offset,
                           loc);
  }
  if (isa<tosa::AvgPool2dOp>(op))
    zeroPoint = scalarConst(element, q.zeroPoint, loc);
  Operation *clone = builder.clone(*op);
  clone->setOperand(0, q.value);
  if (auto pad = dyn_cast<tosa::PadOp>(clone))
    pad->setOperand(2, padValue);
  if (isa<tosa::AvgPool2dOp>(clone)) {
    clone->setOperand(1, zeroPoint);
    clone->setOperand(2, zeroPoint);
    clone->setAttr("acc_type", TypeAttr::get(builder.getI32Type()));
  }
  if (isa<tosa::ConcatOp>(clone))
    for (auto [i, operand] : llvm::enumerate(op->getOperands()))
      clone->setOperand(i, quantized.find(operand)->second.value);
  if (auto clamp = dyn_cast<tosa::ClampOp>(clone)) {
    // An unfused clamp on integers: its bounds on the grid.
    QuantRange unsignedGrid{q.type.getStorageTypeMin(),
                            q.type.getStorageTypeMax()};
    int64_t offset = q.type.getZeroPoint() - q.zeroPoint;
    auto bound = [&](FloatAttr f) {
      int64_t v = qnt::quantize(float(f.getValueAsDouble()), float(q.scale),
                                q.type.getZeroPoint(), unsignedGrid) -
                  offset;
      return builder.getIntegerAttr(element, v);
    };
    clamp.setMinValAttr(bound(cast<FloatAttr>(clamp.getMinValAttr())));
    clamp.setMaxValAttr(bound(cast<FloatAttr>(clamp.getMaxValAttr())));
  }
  clone->getResult(0).setType(
      cast<RankedTensorType>(op->getResult(0).getType()).clone(element));
  QTensor result = q;
  result.value = clone->getResult(0);
  quantized[op->getResult(0)] = result;
  return success();
}

LogicalResult Converter::convertFloatOp(Operation *op) {
  // No integer lowering: dequantize the quantized operands in front of it.
  for (OpOperand &operand : op->getOpOperands()) {
    if (auto it = quantized.find(operand.get()); it != quantized.end()) {
      builder.setInsertionPoint(op);
      operand.set(dequantize(it->second, op->getLoc()));
    } else if (auto acc = accumulators.find(operand.get());
               acc != accumulators.end()) {
      builder.setInsertionPoint(op);
      operand.set(dequantize(acc->second, op->getLoc()));
    }
  }
  return success();
}

LogicalResult Converter::convertConcatOfAccumulators(tosa::ConcatOp op) {
  // Per-group convolutions (grouped QLinearConv) concatenated on channels:
  // one accumulator with the groups' scales side by side. On another axis
  // the scales must agree.
  SmallVector<const Accumulator *> inputs;
  for (Value operand : op->getOperands()) {
    auto it = accumulators.find(operand);
    if (it == accumulators.end())
      return convertFloatOp(op);
    inputs.push_back(&it->second);
  }
  const Accumulator &first = *inputs.front();
  auto type = cast<RankedTensorType>(op.getType());
  bool onChannels = op.getAxis() == type.getRank() - 1;
  Accumulator result;
  result.clampLo = first.clampLo;
  result.clampHi = first.clampHi;
  for (const Accumulator *acc : inputs) {
    if (acc->clampLo != first.clampLo || acc->clampHi != first.clampHi ||
        (!onChannels && acc->scales != first.scales))
      return convertFloatOp(op);
    if (onChannels) {
      int64_t channels =
          cast<RankedTensorType>(acc->value.getType()).getShape().back();
      for (int64_t c = 0; c < channels; ++c)
        result.scales.push_back(acc->scales[acc->scales.size() == 1 ? 0 : c]);
    }
  }
  if (!onChannels)
    result.scales = first.scales;
  result.bound = first.bound;
  for (const Accumulator *acc : inputs)
    result.bound =
        result.bound && acc->bound
            ? std::optional<int64_t>(std::max(*result.bound, *acc->bound))
            : std::nullopt;
  SmallVector<Value> values;
  for (const Accumulator *acc : inputs)
    values.push_back(acc->value);
  result.value = tosa::ConcatOp::create(builder, op.getLoc(),
                                        type.clone(builder.getI32Type()),
                                        values, op.getAxisAttr());
  accumulators[op.getResult()] = result;
  return success();
}

LogicalResult Converter::convert(Operation *op) {
  builder.setInsertionPoint(op);
  if (auto fq = dyn_cast<FakeQuantOp>(op))
    return convertFakeQuant(fq);
  if (auto q = dyn_cast<QuantizeOp>(op))
    return convertQuantize(q);
  if (auto dq = dyn_cast<DequantizeOp>(op))
    return convertDequantize(dq);
  if (op->hasAttr(QntDialect::kKeepFloatAttrName))
    return convertFloatOp(op);
  if (isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp>(op))
    return convertConv(op);
  if (auto mm = dyn_cast<tosa::MatMulOp>(op))
    return convertMatmul(mm);
  if (auto add = dyn_cast<tosa::AddOp>(op))
    return convertAdd(add);
  if (auto clamp = dyn_cast<tosa::ClampOp>(op)) {
    if (auto acc = accumulators.find(clamp.getInput());
        acc != accumulators.end()) {
      // A fused activation: the requantize's bounds.
      Accumulator result = acc->second;
      result.clampLo =
          std::max(result.clampLo,
                   cast<FloatAttr>(clamp.getMinValAttr()).getValueAsDouble());
      result.clampHi =
          std::min(result.clampHi,
                   cast<FloatAttr>(clamp.getMaxValAttr()).getValueAsDouble());
      accumulators[clamp.getResult()] = result;
      return success();
    }
    return convertSameScale(op);
  }
  if (auto reshape = dyn_cast<tosa::ReshapeOp>(op)) {
    if (auto acc = accumulators.find(reshape.getInput1());
        acc != accumulators.end()) {
      auto type = cast<RankedTensorType>(reshape.getType());
      if (acc->second.scales.size() > 1 &&
          cast<RankedTensorType>(reshape.getInput1().getType())
                  .getShape()
                  .back() != type.getShape().back())
        return op->emitOpError("cannot be lowered: it reshapes the channels "
                               "of a per-channel accumulator");
      Operation *clone = builder.clone(*op);
      clone->setOperand(0, acc->second.value);
      clone->getResult(0).setType(type.clone(builder.getI32Type()));
      Accumulator result = acc->second;
      result.value = clone->getResult(0);
      accumulators[reshape.getResult()] = result;
      return success();
    }
  }
  if (auto concat = dyn_cast<tosa::ConcatOp>(op);
      concat && accumulators.count(concat->getOperand(0)))
    return convertConcatOfAccumulators(concat);
  if (isa<tosa::MaxPool2dOp, tosa::AvgPool2dOp, tosa::ReshapeOp,
          tosa::TransposeOp, tosa::PadOp, tosa::SliceOp, tosa::IdentityOp,
          tosa::ConcatOp>(op))
    return convertSameScale(op);
  if (auto ret = dyn_cast<func::ReturnOp>(op)) {
    for (OpOperand &operand : ret->getOpOperands()) {
      if (auto it = quantized.find(operand.get()); it != quantized.end()) {
        const QTensor &q = it->second;
        if (!integerBoundary()) {
          operand.set(dequantize(q, op->getLoc()));
        } else if (q.type.isSigned()) {
          operand.set(q.value);
        } else {
          operand.set(flipTopBit(q.value, op->getLoc()));
          resultBoundary[operand.getOperandNumber()] = withElement(
              q.value, IntegerType::get(builder.getContext(),
                                        q.type.getStorageTypeIntegralWidth(),
                                        IntegerType::Unsigned));
        }
      } else if (auto acc = accumulators.find(operand.get());
                 acc != accumulators.end()) {
        operand.set(dequantize(acc->second, op->getLoc()));
      }
    }
    return success();
  }
  if (op->hasTrait<OpTrait::ConstantLike>() || isa<tosa::ConstShapeOp>(op))
    return success();
  return convertFloatOp(op);
}

LogicalResult Converter::run() {
  if (!func.getBody().hasOneBlock())
    return func.emitOpError("cannot be lowered: control flow is not "
                            "supported");
  SmallVector<Operation *> ops;
  for (Operation &op : func.getBody().front())
    ops.push_back(&op);
  for (Operation *op : ops)
    if (failed(convert(op)) || failedFlag)
      return failure();
  // The float ops the integer program replaced are now dead, and so are
  // integer forms nothing read (e.g. of weights consumed as constants).
  for (Operation &op :
       llvm::make_early_inc_range(llvm::reverse(func.getBody().front())))
    if (op.use_empty() && !op.hasTrait<OpTrait::IsTerminator>() &&
        isMemoryEffectFree(&op))
      op.erase();
  // Argument and result types may have changed (--int8-io).
  Operation *terminator = func.getBody().front().getTerminator();
  FunctionType oldType = func.getFunctionType();
  auto type = FunctionType::get(func.getContext(),
                                func.getBody().front().getArgumentTypes(),
                                terminator->getOperandTypes());
  func.setType(type);
  auto recorded = func->getAttrOfType<TypeAttr>(QntDialect::kSignatureAttrName);
  if (recorded || !argBoundary.empty() || !resultBoundary.empty()) {
    SmallVector<Type> inputs(type.getInputs()), results(type.getResults());
    // Keep what an earlier signature (the importer's ui8 boundaries) says
    // of the positions this pass did not change.
    if (auto old = recorded ? dyn_cast<FunctionType>(recorded.getValue())
                            : FunctionType()) {
      for (auto [i, t] : llvm::enumerate(inputs))
        if (i < old.getNumInputs() && t == oldType.getInput(i))
          t = old.getInput(i);
      for (auto [i, t] : llvm::enumerate(results))
        if (i < old.getNumResults() && t == oldType.getResult(i))
          t = old.getResult(i);
    }
    for (auto [i, t] : argBoundary)
      inputs[i] = t;
    for (auto [i, t] : resultBoundary)
      results[i] = t;
    func->setAttr(
        QntDialect::kSignatureAttrName,
        TypeAttr::get(FunctionType::get(func.getContext(), inputs, results)));
  }
  return success();
}

namespace {
struct ConvertQntToLinalgPass
    : public qnt::impl::ConvertQntToLinalgPassBase<ConvertQntToLinalgPass> {
  using Base::Base;
  void runOnOperation() override {
    if (getOperation().isExternal())
      return;
    if (failed(Converter(getOperation(), int8IO).run()))
      signalPassFailure();
  }
};
} // namespace
