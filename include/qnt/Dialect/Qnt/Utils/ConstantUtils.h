//===- ConstantUtils.h - Read and create float constants --------*- C++ -*-===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Weights reach the passes as `tosa.const` or `arith.constant` holding dense
// elements or (when large) a dense resource blob. These helpers read either
// form and create new constants the way the importer does.
//
//===----------------------------------------------------------------------===//

#ifndef QNT_DIALECT_QNT_UTILS_CONSTANTUTILS_H
#define QNT_DIALECT_QNT_UTILS_CONSTANTUTILS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"

#include <optional>

namespace mlir {
namespace qnt {

/// Constants with more elements than this are stored as resource blobs, so
/// that printed IR stays readable.
constexpr int64_t kInlineConstantLimit = 64;

/// The float32 values of a constant attribute (dense or resource), or
/// std::nullopt when it is not one.
std::optional<SmallVector<float>> getF32Values(Attribute attr);

/// The float32 values of `value` when it is defined by a constant op.
std::optional<SmallVector<float>> getConstantF32Values(Value value);

/// The elements of `value` when it is a constant i8 tensor (dense or a
/// resource blob), else nullopt.
std::optional<SmallVector<int8_t>> getConstantInt8Values(Value value);

/// The value of a constant tensor of i8, i16, i32, i64 or f32 as a
/// DenseElementsAttr, also when it is stored as a resource blob; else
/// nullopt.
std::optional<DenseElementsAttr> getConstantDenseElements(Value value);

/// An elements attribute of `type` holding `values`: dense when small, a
/// resource blob named after `hint` when large.
ElementsAttr createF32Elements(RankedTensorType type, ArrayRef<float> values,
                               StringRef hint);

/// A `tosa.const` of `type` holding `values`.
Value createF32Constant(OpBuilder &builder, Location loc, RankedTensorType type,
                        ArrayRef<float> values, StringRef hint = "qnt_const");

} // namespace qnt
} // namespace mlir

#endif // QNT_DIALECT_QNT_UTILS_CONSTANTUTILS_H
