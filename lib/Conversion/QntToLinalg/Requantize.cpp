//===- Requantize.cpp - Fixed-point requantization as linalg --------------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// See Requantize.h for the formulas and why the body, shorter than the
// reference's steps and mostly in i32, computes the same bits. The unit test
// (unittests/Conversion/RequantizeTest.cpp) compares them on every rounding
// tie and extreme.
//
//===----------------------------------------------------------------------===//

#include "qnt/Conversion/QntToLinalg/Requantize.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/Twine.h"

#include <cassert>
#include <cstdlib>
#include <limits>

using namespace mlir;
using namespace mlir::qnt;

static constexpr int64_t kInt32Min = std::numeric_limits<int32_t>::min();
static constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

bool mlir::qnt::isValidRequantize(Type accType, const RequantizeParams &p,
                                  Type outElementType, std::string *why) {
  auto fail = [&](const llvm::Twine &message) {
    if (why)
      *why = message.str();
    return false;
  };
  auto acc = dyn_cast<RankedTensorType>(accType);
  if (!acc || !acc.getElementType().isSignlessInteger(32))
    return fail("the accumulator must be a ranked tensor of i32");
  auto out = dyn_cast<IntegerType>(outElementType);
  if (!out || !out.isSignless() || out.getWidth() < 2 || out.getWidth() > 64)
    return fail("the output element type must be a signless integer of 2 to "
                "64 bits");

  if (p.multipliers.empty())
    return fail("no multiplier");
  if (p.axis == -1) {
    if (p.multipliers.size() != 1)
      return fail("per-tensor requantization takes one multiplier, not " +
                  llvm::Twine(p.multipliers.size()));
  } else {
    if (p.axis < 0 || p.axis >= acc.getRank())
      return fail("axis " + llvm::Twine(p.axis) + " out of range for rank " +
                  llvm::Twine(acc.getRank()));
    int64_t channels = acc.getDimSize(p.axis);
    if (!ShapedType::isDynamic(channels) &&
        channels != int64_t(p.multipliers.size()))
      return fail(llvm::Twine(p.multipliers.size()) +
                  " multipliers for dimension " + llvm::Twine(p.axis) +
                  " of size " + llvm::Twine(channels));
  }
  for (const QuantizedMultiplier &qm : p.multipliers) {
    bool zero = qm.multiplier == 0;
    if (!zero && qm.multiplier < (int32_t(1) << 30))
      return fail("multiplier " + llvm::Twine(qm.multiplier) +
                  " is neither 0 nor in [2^30, 2^31)");
    if (qm.shift < -31 || qm.shift > 30)
      return fail("shift " + llvm::Twine(qm.shift) + " not in [-31, 30]");
  }

  if (p.accumulatorBound && *p.accumulatorBound < 0)
    return fail("negative accumulator bound " +
                llvm::Twine(*p.accumulatorBound));
  if (p.outputZeroPoint < kInt32Min || p.outputZeroPoint > kInt32Max)
    return fail("zero point " + llvm::Twine(p.outputZeroPoint) +
                " out of the int32 range");
  if (p.clamp.qmin > p.clamp.qmax)
    return fail("empty clamp [" + llvm::Twine(p.clamp.qmin) + ", " +
                llvm::Twine(p.clamp.qmax) + "]");
  unsigned width = out.getWidth();
  if (width < 64) {
    // The stored bits must identify the value under one reading: signed
    // (the whole clamp in [-2^(w-1), 2^(w-1))) or unsigned ([0, 2^w)).
    int64_t half = int64_t(1) << (width - 1);
    bool fitsSigned = p.clamp.qmin >= -half && p.clamp.qmax < half;
    bool fitsUnsigned = p.clamp.qmin >= 0 && p.clamp.qmax < 2 * half;
    if (!fitsSigned && !fitsUnsigned)
      return fail("clamp [" + llvm::Twine(p.clamp.qmin) + ", " +
                  llvm::Twine(p.clamp.qmax) + "] does not fit i" +
                  llvm::Twine(width) + " as signed or as unsigned values");
  }
  return true;
}

RequantizeParams mlir::qnt::offsetToSigned(const RequantizeParams &p,
                                           unsigned bits) {
  assert(bits >= 2 && bits <= 32 && "bit width out of range");
  int64_t offset = int64_t(1) << (bits - 1);
  assert(p.clamp.qmin >= 0 && p.clamp.qmax < 2 * offset &&
         "not a clamp on an unsigned grid");
  RequantizeParams result = p;
  result.outputZeroPoint -= offset;
  result.clamp.qmin -= offset;
  result.clamp.qmax -= offset;
  return result;
}

namespace {

/// Emits i64 arithmetic, folding whatever has constant operands (everything
/// derived from a per-tensor multiplier).
struct I64Emitter {
  OpBuilder &b;
  Location loc;
  Type i64;

  I64Emitter(OpBuilder &b, Location loc)
      : b(b), loc(loc), i64(b.getI64Type()) {}

  Value c(int64_t v) { return arith::ConstantIntOp::create(b, loc, i64, v); }
  Value sext(Value v) { return b.createOrFold<arith::ExtSIOp>(loc, i64, v); }
  Value add(Value x, Value y) {
    return b.createOrFold<arith::AddIOp>(loc, x, y);
  }
  Value sub(Value x, Value y) {
    return b.createOrFold<arith::SubIOp>(loc, x, y);
  }
  Value mul(Value x, Value y) {
    return b.createOrFold<arith::MulIOp>(loc, x, y);
  }
  Value shl(Value x, Value y) {
    return b.createOrFold<arith::ShLIOp>(loc, x, y);
  }
  Value shrs(Value x, Value y) {
    return b.createOrFold<arith::ShRSIOp>(loc, x, y);
  }
  Value andi(Value x, Value y) {
    return b.createOrFold<arith::AndIOp>(loc, x, y);
  }
  Value max(Value x, Value y) {
    return b.createOrFold<arith::MaxSIOp>(loc, x, y);
  }
  Value min(Value x, Value y) {
    return b.createOrFold<arith::MinSIOp>(loc, x, y);
  }
  Value cmp(arith::CmpIPredicate predicate, Value x, Value y) {
    return b.createOrFold<arith::CmpIOp>(loc, predicate, x, y);
  }
  /// A comparison as 0 or 1.
  Value cmp01(arith::CmpIPredicate predicate, Value x, Value y) {
    return b.createOrFold<arith::ExtUIOp>(loc, i64, cmp(predicate, x, y));
  }
  Value select(Value cond, Value x, Value y) {
    return b.createOrFold<arith::SelectOp>(loc, cond, x, y);
  }
  Value clamp(Value x, int64_t lo, int64_t hi) {
    return min(max(x, c(lo)), c(hi));
  }
};

} // namespace

/// The per-channel parameters of the requantize body, derived from the
/// multipliers at build time. One that is the same for every channel is a
/// constant (so per-tensor arithmetic folds, and so does e.g. the whole
/// second rounding when no channel shifts right); the others are
/// tensor<Cxi32> operands of the generic.
namespace {
struct ChannelParams {
  enum Kind {
    M0,
    Down,
    Half,
    Right,
    Mask,
    HalfMask,
    RoundBias,
    QuadBias,
    QuadRight,
    NumKinds
  };
  SmallVector<int32_t> values[NumKinds];
  /// Index of the generic's block argument per kind, or -1 when uniform.
  int argument[NumKinds];

  explicit ChannelParams(ArrayRef<QuantizedMultiplier> multipliers) {
    for (const QuantizedMultiplier &qm : multipliers) {
      int down = 31 - std::max(qm.shift, 0);
      int right = std::max(-qm.shift, 0);
      values[M0].push_back(qm.multiplier);
      values[Down].push_back(down);
      values[Half].push_back(int32_t(1) << (down - 1));
      values[Right].push_back(right);
      // 2^right - 1 (wraps to INT32_MAX for right = 31, which is the mask).
      values[Mask].push_back(int32_t((uint32_t(1) << right) - 1));
      values[HalfMask].push_back(values[Mask].back() >> 1);
    }
    std::fill(std::begin(argument), std::end(argument), -1);
  }
  bool isUniform(Kind k) const { return llvm::all_equal(values[k]); }
  bool anyLeftShift() const {
    return llvm::any_of(values[Down], [](int32_t d) { return d != 31; });
  }
  bool anyRightShift() const {
    return llvm::any_of(values[Right], [](int32_t r) { return r != 0; });
  }
  bool everyChannelShiftsRight() const {
    return llvm::all_of(values[Right], [](int32_t r) { return r >= 1; });
  }
  /// The short second rounding (Requantize.h) for accumulators within
  /// `bound`.
  bool shortSecondRounding(std::optional<int64_t> bound) const {
    return bound && *bound < (int64_t(1) << 30) - 2 && !anyLeftShift() &&
           everyChannelShiftsRight();
  }
  /// With the short rounding, what the doubled high multiply adds in its
  /// upper half (RoundBias): 2^(e-1), and z * 2^e when the sum cannot
  /// exceed int32 for accumulators within `bound` (|high| <= bound + 1).
  /// Returns whether z is in it.
  bool foldIntoRound(int64_t bound, int64_t z) {
    bool withZ = std::abs(z) < (int64_t(1) << 30);
    for (int32_t r : values[Right])
      withZ &= bound + 2 + (int64_t(1) << (r - 1)) +
                   std::abs(z) * (int64_t(1) << r) <
               (int64_t(1) << 31);
    for (int32_t r : values[Right])
      values[RoundBias].push_back(int32_t((int64_t(1) << (r - 1)) +
                                          (withZ ? z * (int64_t(1) << r) : 0)));
    return withZ;
  }
  /// With the short rounding and no sign term, whether the quadrupled form
  /// (Requantize.h) holds for accumulators within `bound`: |4x| < 2^31, the
  /// i32 sum h + QuadBias (|h| <= 2 * bound) cannot wrap and e + 1 <= 30 is
  /// a valid i32 shift. Sets QuadBias = 1 + 2 * RoundBias and QuadRight =
  /// e + 1 when it does.
  bool quadruple(int64_t bound) {
    if (bound >= (int64_t(1) << 29) - 1)
      return false;
    for (auto [r, bias] : llvm::zip(values[Right], values[RoundBias]))
      if (r > 30 ||
          2 * bound + std::abs(1 + 2 * int64_t(bias)) >= (int64_t(1) << 31))
        return false;
    for (auto [r, bias] : llvm::zip(values[Right], values[RoundBias])) {
      values[QuadBias].push_back(int32_t(1 + 2 * int64_t(bias)));
      values[QuadRight].push_back(r + 1);
    }
    return true;
  }
};
} // namespace

/// The body: `acc` (i32) to the clamped output value (i64 when the clamp
/// or the output needs it, else i32). `param(k, type)` gives parameter k
/// as a constant or the block argument, extended to `type`.
static Value
emitBody(OpBuilder &b, Location loc, Value acc, const ChannelParams &cp,
         const RequantizeParams &p, Type outElementType, bool zeroPointFolded,
         bool quadrupled,
         llvm::function_ref<Value(ChannelParams::Kind, Type)> param) {
  using arith::CmpIPredicate;
  I64Emitter e(b, loc);
  Type i32 = b.getI32Type();
  auto c32 = [&](int64_t v) {
    return arith::ConstantIntOp::create(b, loc, i32, v).getResult();
  };
  // First rounding, round half up: floor((x * m0 + 2^(down-1)) / 2^down);
  // with a bound below 2^30 and no left shift, doubled: the high half of
  // 2x * m0 + 2^31, the same value, plus RoundBias (2^(e-1) of the second
  // rounding and maybe z * 2^e) added in that upper half.
  bool doubled = cp.shortSecondRounding(p.accumulatorBound);
  Value y;
  if (quadrupled) {
    // The high half of 4x * m0 (no add in i64), then both roundings and
    // maybe z as one i32 add and shift: (h + 1 + 2 * RoundBias) >> (e + 1).
    Value x4 = b.createOrFold<arith::ShLIOp>(loc, acc, c32(2));
    Value h = b.createOrFold<arith::TruncIOp>(
        loc, i32,
        e.shrs(e.mul(e.sext(x4), param(ChannelParams::M0, e.i64)), e.c(32)));
    y = b.createOrFold<arith::ShRSIOp>(
        loc,
        b.createOrFold<arith::AddIOp>(loc, h,
                                      param(ChannelParams::QuadBias, i32)),
        param(ChannelParams::QuadRight, i32));
  } else {
    Value product =
        doubled ? e.mul(e.sext(b.createOrFold<arith::AddIOp>(loc, acc, acc)),
                        param(ChannelParams::M0, e.i64))
                : e.mul(e.sext(acc), param(ChannelParams::M0, e.i64));
    Value high =
        doubled
            ? e.shrs(e.add(product,
                           e.add(e.c(int64_t(1) << 31),
                                 e.shl(param(ChannelParams::RoundBias, e.i64),
                                       e.c(32)))),
                     e.c(32))
            : e.shrs(e.add(product, param(ChannelParams::Half, e.i64)),
                     param(ChannelParams::Down, e.i64));
    // Saturation; without a left shift |high| < 2^31 already.
    if (cp.anyLeftShift())
      high = e.clamp(high, kInt32Min, kInt32Max);
    y = b.createOrFold<arith::TruncIOp>(loc, i32, high);
  }
  // Second rounding, roundingDivideByPOT(y, right), in i32: round half
  // away from zero (see Requantize.h); the quadrupled form did it above.
  if (quadrupled) {
  } else if (doubled) {
    // y = high + 2^(e-1) (+ z * 2^e) already. The sign term only moves
    // results of negative accumulators, all at most z either way: a clamp
    // from z or above (an asymmetric ReLU grid) makes them equal.
    if (p.clamp.qmin < p.outputZeroPoint)
      y = b.createOrFold<arith::AddIOp>(
          loc, y, b.createOrFold<arith::ShRSIOp>(loc, acc, c32(31)));
    y = b.createOrFold<arith::ShRSIOp>(loc, y,
                                       param(ChannelParams::Right, i32));
  } else if (cp.anyRightShift()) {
    Value sign = b.createOrFold<arith::ShRUIOp>(loc, y, c32(31));
    Value threshold = b.createOrFold<arith::AddIOp>(
        loc, param(ChannelParams::HalfMask, i32), sign);
    Value remainder =
        b.createOrFold<arith::AndIOp>(loc, y, param(ChannelParams::Mask, i32));
    Value up = b.createOrFold<arith::ShRUIOp>(
        loc, b.createOrFold<arith::SubIOp>(loc, threshold, remainder), c32(31));
    y = b.createOrFold<arith::AddIOp>(
        loc,
        b.createOrFold<arith::ShRSIOp>(loc, y,
                                       param(ChannelParams::Right, i32)),
        up);
  }
  // With a right shift on every channel |y| <= 2^30, so y + z cannot wrap
  // (|z| < 2^30) and the clamp comes last: a clamp to the whole i8 range
  // before the truncation is then x86's saturating vpmovsdb, no min/max.
  // (Always so when z is folded into the rounding: only with an i32 clamp
  // and output, see buildRequantize.)
  unsigned width = cast<IntegerType>(outElementType).getWidth();
  if (width <= 32 && cp.everyChannelShiftsRight() && !cp.anyLeftShift() &&
      std::abs(p.outputZeroPoint) < (int64_t(1) << 30) &&
      p.clamp.qmin >= kInt32Min && p.clamp.qmax <= kInt32Max) {
    if (!zeroPointFolded)
      y = b.createOrFold<arith::AddIOp>(loc, y, c32(p.outputZeroPoint));
    y = b.createOrFold<arith::MinSIOp>(
        loc, b.createOrFold<arith::MaxSIOp>(loc, y, c32(p.clamp.qmin)),
        c32(p.clamp.qmax));
    if (width < 32)
      y = b.createOrFold<arith::TruncIOp>(loc, outElementType, y);
    return y;
  }
  // Otherwise clamp(y + z, lo, hi) == clamp(y, lo - z, hi - z) + z, in i32
  // when those bounds and the output fit.
  int64_t lo = p.clamp.qmin - p.outputZeroPoint;
  int64_t hi = p.clamp.qmax - p.outputZeroPoint;
  if (width <= 32 && lo >= kInt32Min && hi <= kInt32Max) {
    y = b.createOrFold<arith::MinSIOp>(
        loc, b.createOrFold<arith::MaxSIOp>(loc, y, c32(lo)), c32(hi));
    y = b.createOrFold<arith::AddIOp>(loc, y, c32(p.outputZeroPoint));
    if (width < 32)
      y = b.createOrFold<arith::TruncIOp>(loc, outElementType, y);
    return y;
  }
  Value wide = e.clamp(e.add(e.sext(y), e.c(p.outputZeroPoint)), p.clamp.qmin,
                       p.clamp.qmax);
  if (width < 64)
    wide = b.createOrFold<arith::TruncIOp>(loc, outElementType, wide);
  return wide;
}

Value mlir::qnt::buildRequantize(OpBuilder &b, Location loc, Value acc,
                                 const RequantizeParams &p,
                                 Type outElementType) {
  std::string why;
  (void)why;
  assert(isValidRequantize(acc.getType(), p, outElementType, &why) &&
         "invalid requantization; see isValidRequantize");
  auto accType = cast<RankedTensorType>(acc.getType());
  int64_t rank = accType.getRank();
  MLIRContext *context = b.getContext();

  ChannelParams cp(p.multipliers);
  unsigned outWidth = cast<IntegerType>(outElementType).getWidth();
  bool shortRounding = cp.shortSecondRounding(p.accumulatorBound);
  // z joins the doubled multiply's rounding only with an i32 clamp and
  // output (the clamp then is the last step).
  bool i32Clamp =
      outWidth <= 32 && p.clamp.qmin >= kInt32Min && p.clamp.qmax <= kInt32Max;
  bool zeroPointFolded =
      shortRounding &&
      cp.foldIntoRound(*p.accumulatorBound, i32Clamp ? p.outputZeroPoint : 0) &&
      i32Clamp;
  // Without the sign term (a clamp from z up), the quadrupled form when the
  // bound allows it.
  bool quadrupled = shortRounding && p.clamp.qmin >= p.outputZeroPoint &&
                    cp.quadruple(*p.accumulatorBound);
  SmallVector<Value> inputs = {acc};
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, context);
  SmallVector<AffineMap> maps = {identity};
  // Only the parameters a body needs and that vary become operands.
  bool longRounding = cp.anyRightShift() && !shortRounding;
  bool needed[ChannelParams::NumKinds] = {true,
                                          !shortRounding,
                                          !shortRounding,
                                          cp.anyRightShift() && !quadrupled,
                                          longRounding,
                                          longRounding,
                                          shortRounding && !quadrupled,
                                          quadrupled,
                                          quadrupled};
  for (int k = 0; k < ChannelParams::NumKinds; ++k) {
    if (!needed[k] || cp.isUniform(ChannelParams::Kind(k)))
      continue;
    assert(p.axis >= 0 && "per-tensor parameters are uniform");
    auto paramType =
        RankedTensorType::get({int64_t(p.multipliers.size())}, b.getI32Type());
    cp.argument[k] = inputs.size();
    inputs.push_back(arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(paramType, ArrayRef(cp.values[k]))));
    maps.push_back(AffineMap::get(rank, 0, getAffineDimExpr(p.axis, context)));
  }
  maps.push_back(identity);

  Value init = tensor::EmptyOp::create(
      b, loc, tensor::getMixedSizes(b, loc, acc), outElementType);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        auto param = [&](ChannelParams::Kind k, Type type) -> Value {
          if (cp.argument[k] < 0)
            return arith::ConstantIntOp::create(nested, nestedLoc, type,
                                                cp.values[k].front());
          Value v = args[cp.argument[k]];
          return type == v.getType()
                     ? v
                     : nested.createOrFold<arith::ExtSIOp>(nestedLoc, type, v);
        };
        Value y = emitBody(nested, nestedLoc, args[0], cp, p, outElementType,
                           zeroPointFolded, quadrupled, param);
        linalg::YieldOp::create(nested, nestedLoc, y);
      });
  return generic.getResult(0);
}
