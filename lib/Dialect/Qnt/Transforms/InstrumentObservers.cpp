//===- InstrumentObservers.cpp - Observers as calibration runtime calls ---===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Each activation observer becomes a call
//
//   qnt_observe(id, samples, sample_size, address)        (all i64)
//
// where `samples` is 0 for a tensor whose dimension 0 is not the batch.
//
// where `address` is the aligned pointer of the tensor's identity-layout
// buffer, taken with memref.extract_aligned_pointer_as_index. Passing plain
// integers keeps the call independent of the memref calling convention (the
// entry function uses bare pointers). The buffer is alive during the call:
// deallocation happens at the end of the block at the earliest.
//
//===----------------------------------------------------------------------===//

#include "qnt/Dialect/Qnt/IR/Qnt.h"
#include "qnt/Dialect/Qnt/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"

namespace mlir {
namespace qnt {
#define GEN_PASS_DEF_QNTINSTRUMENTOBSERVERSPASS
#include "qnt/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace qnt
} // namespace mlir

using namespace mlir;
using namespace mlir::qnt;

static constexpr StringLiteral kRuntimeFunction = "qnt_observe";

namespace {
struct QntInstrumentObserversPass
    : public qnt::impl::QntInstrumentObserversPassBase<
          QntInstrumentObserversPass> {
  using Base::Base;
  void runOnOperation() override;
};
} // namespace

void QntInstrumentObserversPass::runOnOperation() {
  ModuleOp module = getOperation();
  SmallVector<ObserveOp> observers;
  module.walk([&](ObserveOp op) { observers.push_back(op); });

  // Check everything before changing anything.
  for (ObserveOp op : observers) {
    if (op.getRole() != ObserveRole::Activation)
      continue;
    auto type = op.getInput().getType();
    if (!type.hasStaticShape() || !type.getElementType().isF32()) {
      op.emitOpError("cannot be calibrated: expected a statically shaped f32 "
                     "tensor, got ")
          << type;
      return signalPassFailure();
    }
  }

  OpBuilder builder(module.getBodyRegion());
  Type i64 = builder.getI64Type();
  auto declType = builder.getFunctionType({i64, i64, i64, i64}, {});
  func::FuncOp decl = module.lookupSymbol<func::FuncOp>(kRuntimeFunction);
  if (decl && decl.getFunctionType() != declType) {
    decl.emitOpError("conflicts with the calibration runtime function @")
        << kRuntimeFunction;
    return signalPassFailure();
  }
  if (!decl) {
    decl = func::FuncOp::create(builder, module.getLoc(), kRuntimeFunction,
                                declType);
    decl.setPrivate();
  }

  int64_t id = 0;
  for (ObserveOp op : observers) {
    Value input = op.getInput();
    if (op.getRole() == ObserveRole::Activation) {
      auto type = cast<RankedTensorType>(input.getType());
      Location loc = op.getLoc();
      builder.setInsertionPoint(op);
      // Samples along dimension 0 when it is the batch; otherwise the
      // tensor is one record per run (reported as 0 samples).
      int64_t batch = type.getRank() ? type.getDimSize(0) : 0;
      if (batchSize > 0 && batch != batchSize)
        batch = 0;
      int64_t sampleSize =
          batch ? type.getNumElements() / batch : type.getNumElements();
      auto bufferType = MemRefType::get(type.getShape(), type.getElementType());
      Value buffer = bufferization::ToBufferOp::create(
          builder, loc, bufferType, input, /*read_only=*/true);
      Value address =
          memref::ExtractAlignedPointerAsIndexOp::create(builder, loc, buffer);
      auto cst = [&](int64_t v) -> Value {
        return arith::ConstantIntOp::create(builder, loc, i64, v);
      };
      Value args[] = {cst(id++), cst(batch), cst(sampleSize),
                      arith::IndexCastOp::create(builder, loc, i64, address)};
      func::CallOp::create(builder, loc, decl, args);
    }
    op.replaceAllUsesWith(input);
    op.erase();
  }
}
