//===- Requantize.cpp - Fixed-point requantization as linalg --------------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// See Requantize.h for the formulas. The body mirrors
// multiplyByQuantizedMultiplier and roundingDivideByPOT of Numerics.cpp step
// by step, in i64, so that the two can be compared line by line.
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

/// multiplyByQuantizedMultiplier(x, {m0, shift}) of Numerics.cpp on i64
/// values; `x` holds an int32 value, `m0` and `shift` a QuantizedMultiplier.
static Value emitMultiplyByQuantizedMultiplier(I64Emitter &e, Value x, Value m0,
                                               Value shift) {
  using arith::CmpIPredicate;
  Value zero = e.c(0), one = e.c(1);
  Value leftShift = e.max(shift, zero);
  Value rightShift = e.max(e.sub(zero, shift), zero);

  // High multiply with the left shift folded into the divisor, as the
  // reference: |x * m0| < 2^62, down in [1, 31].
  Value ab = e.mul(x, m0);
  Value down = e.sub(e.c(31), leftShift);
  Value half = e.shl(one, e.sub(down, one));
  Value nudge =
      e.select(e.cmp(CmpIPredicate::sge, ab, zero), half, e.sub(one, half));
  // Truncating division by 2^down, as C++ '/', written with shifts: t / 2^d
  // == (t + ((t >> 63) & (2^d - 1))) >> d. A division by a per-channel
  // power of two would stay a scalar idiv per element; this vectorizes.
  Value t = e.add(ab, nudge);
  Value bias = e.andi(e.shrs(t, e.c(63)), e.sub(e.shl(one, down), one));
  Value high = e.shrs(e.add(t, bias), down);
  high = e.clamp(high, kInt32Min, kInt32Max);

  // roundingDivideByPOT(high, rightShift); rightShift in [0, 31], and with 0
  // the mask is 0 and nothing is added.
  Value mask = e.sub(e.shl(one, rightShift), one);
  Value remainder = e.andi(high, mask);
  Value threshold =
      e.add(e.shrs(mask, one), e.cmp01(CmpIPredicate::slt, high, zero));
  return e.add(e.shrs(high, rightShift),
               e.cmp01(CmpIPredicate::sgt, remainder, threshold));
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
  bool perChannel = p.axis >= 0;

  SmallVector<Value> inputs = {acc};
  AffineMap identity = AffineMap::getMultiDimIdentityMap(rank, context);
  SmallVector<AffineMap> maps = {identity};
  if (perChannel) {
    SmallVector<int32_t> m0s, shifts;
    for (const QuantizedMultiplier &qm : p.multipliers) {
      m0s.push_back(qm.multiplier);
      shifts.push_back(qm.shift);
    }
    auto paramType =
        RankedTensorType::get({int64_t(p.multipliers.size())}, b.getI32Type());
    for (ArrayRef<int32_t> values : {ArrayRef(m0s), ArrayRef(shifts)}) {
      inputs.push_back(arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(paramType, values)));
      maps.push_back(
          AffineMap::get(rank, 0, getAffineDimExpr(p.axis, context)));
    }
  }
  maps.push_back(identity);

  Value init = tensor::EmptyOp::create(
      b, loc, tensor::getMixedSizes(b, loc, acc), outElementType);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        I64Emitter e(nested, nestedLoc);
        Value m0, shift;
        if (perChannel) {
          m0 = e.sext(args[1]);
          shift = e.sext(args[2]);
        } else {
          m0 = e.c(p.multipliers.front().multiplier);
          shift = e.c(p.multipliers.front().shift);
        }
        Value y =
            emitMultiplyByQuantizedMultiplier(e, e.sext(args[0]), m0, shift);
        y = e.add(y, e.c(p.outputZeroPoint));
        y = e.clamp(y, p.clamp.qmin, p.clamp.qmax);
        if (outElementType != e.i64)
          y = nested.createOrFold<arith::TruncIOp>(nestedLoc, outElementType,
                                                   y);
        linalg::YieldOp::create(nested, nestedLoc, y);
      });
  return generic.getResult(0);
}
