//===- RecordSignature.cpp - Keep the entry signature through lowering ----===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qnt/Dialect/Qnt/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"

namespace mlir {
namespace qnt {
#define GEN_PASS_DEF_QNTRECORDSIGNATUREPASS
#include "qnt/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace qnt
} // namespace mlir

using namespace mlir;

namespace {
struct QntRecordSignaturePass
    : public qnt::impl::QntRecordSignaturePassBase<QntRecordSignaturePass> {
  using Base::Base;
  void runOnOperation() override {
    auto func = getOperation().lookupSymbol<func::FuncOp>(entry);
    // A signature already recorded (e.g. ui8 boundaries stored as i8 by
    // --convert-qnt-to-linalg=int8-io) says more than the function type.
    if (!func || func->hasAttr(qnt::kSignatureAttrName))
      return;
    func->setAttr(qnt::kSignatureAttrName,
                  TypeAttr::get(func.getFunctionType()));
  }
};
} // namespace
