//===- QuantizeBuilder.h - The quantize arithmetic as IR --------*- C++ -*-===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The float32 quantize of the numerics contract (Numerics.h), emitted as
// scalar arith ops, for the bodies of the linalg.generic ops that expand
// qnt.fake_quant (--qnt-expand-ops) and quantize model inputs
// (--convert-qnt-to-linalg). One definition, so both stay bit-exact with
// mlir::qnt::quantize:
//
//   q = clamp(roundeven(x / s) + z, qmin, qmax),  NaN -> clamp(z, qmin, qmax)
//
//===----------------------------------------------------------------------===//

#ifndef QNT_DIALECT_QNT_UTILS_QUANTIZEBUILDER_H
#define QNT_DIALECT_QNT_UTILS_QUANTIZEBUILDER_H

#include "qnt/Dialect/Qnt/Utils/Numerics.h"

#include "mlir/IR/Builders.h"

namespace mlir {
namespace qnt {

/// Emits the quantize of the f32 scalar `x` with f32 scalars `scale` and
/// `zeroPoint` onto `range`; returns the level as an f32 value.
Value buildScalarQuantize(OpBuilder &b, Location loc, Value x, Value scale,
                          Value zeroPoint, QuantRange range);

} // namespace qnt
} // namespace mlir

#endif // QNT_DIALECT_QNT_UTILS_QUANTIZEBUILDER_H
