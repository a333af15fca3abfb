//===- Passes.h - Conversion passes -----------------------------*- C++ -*-===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef QNT_CONVERSION_PASSES_H
#define QNT_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace qnt {

#define GEN_PASS_DECL
#include "qnt/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "qnt/Conversion/Passes.h.inc"

} // namespace qnt
} // namespace mlir

#endif // QNT_CONVERSION_PASSES_H
