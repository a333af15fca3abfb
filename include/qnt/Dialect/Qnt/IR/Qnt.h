//===- Qnt.h - Qnt dialect --------------------------------------*- C++ -*-===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Umbrella header of the qnt dialect: dialect, attributes and operations.
//
//===----------------------------------------------------------------------===//

#ifndef QNT_DIALECT_QNT_IR_QNT_H
#define QNT_DIALECT_QNT_IR_QNT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "qnt/Dialect/Qnt/IR/QntOpsDialect.h.inc"

#include "qnt/Dialect/Qnt/IR/QntEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "qnt/Dialect/Qnt/IR/QntAttrs.h.inc"

#define GET_OP_CLASSES
#include "qnt/Dialect/Qnt/IR/QntOps.h.inc"

#endif // QNT_DIALECT_QNT_IR_QNT_H
