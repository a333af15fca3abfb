//===- QuantizeBuilder.cpp - The quantize arithmetic as IR ----------------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qnt/Dialect/Qnt/Utils/QuantizeBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;

Value mlir::qnt::buildScalarQuantize(OpBuilder &b, Location loc, Value x,
                                     Value scale, Value zeroPoint,
                                     QuantRange range) {
  auto cst = [&](double v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  };
  Value q = arith::DivFOp::create(b, loc, x, scale);
  q = math::RoundEvenOp::create(b, loc, q);
  q = arith::AddFOp::create(b, loc, q, zeroPoint);
  q = arith::MaximumFOp::create(b, loc, q, cst(range.qmin));
  q = arith::MinimumFOp::create(b, loc, q, cst(range.qmax));
  // NaN quantizes to the zero point (clamped onto the grid).
  Value zClamped = arith::MinimumFOp::create(
      b, loc, arith::MaximumFOp::create(b, loc, zeroPoint, cst(range.qmin)),
      cst(range.qmax));
  Value isNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
  return arith::SelectOp::create(b, loc, isNaN, zClamped, q);
}
