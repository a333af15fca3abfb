//===- StackBuffers.cpp - Small top-level buffers on the stack ------------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// One-shot bufferization gives every intermediate tensor a memref.alloc, and
// the deallocation pipeline a free after its last use: a malloc and a free
// per layer and call. For a small model at batch 1 those cost as much as
// some of its kernels (Fashion-MNIST: about a fifth of its int8 latency).
// Upstream's promote-buffers-to-stack also promotes allocations inside
// loops, where an alloca grows the stack on every iteration, and has no
// bound on the total; this pass takes the function's top-level allocations
// only, in order, within a budget, so the frame has a known size.
//
//===----------------------------------------------------------------------===//

#include "qnt/Dialect/Qnt/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/Transforms/BufferViewFlowAnalysis.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace qnt {
#define GEN_PASS_DEF_QNTSTACKBUFFERSPASS
#include "qnt/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace qnt
} // namespace mlir

using namespace mlir;
using namespace mlir::qnt;

/// The bytes of a static memref of int, float or index elements; none
/// otherwise.
static std::optional<uint64_t> staticBytes(MemRefType type) {
  if (!type.hasStaticShape() || !type.getLayout().isIdentity())
    return std::nullopt;
  Type element = type.getElementType();
  unsigned bits = element.isIndex() ? 64 : element.getIntOrFloatBitWidth();
  if (!element.isIntOrIndexOrFloat() || bits % 8 != 0)
    return std::nullopt;
  return uint64_t(type.getNumElements()) * (bits / 8);
}

namespace {
struct QntStackBuffersPass
    : public qnt::impl::QntStackBuffersPassBase<QntStackBuffersPass> {
  using Base::Base;
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    BufferViewFlowAnalysis aliases(func);
    IRRewriter rewriter(&getContext());
    uint64_t used = 0;
    for (Operation &op :
         llvm::make_early_inc_range(func.getBody().front().getOperations())) {
      auto alloc = dyn_cast<memref::AllocOp>(op);
      if (!alloc || !alloc.getDynamicSizes().empty() ||
          !alloc.getSymbolOperands().empty())
        continue;
      std::optional<uint64_t> bytes = staticBytes(alloc.getType());
      if (!bytes || *bytes > maxAllocBytes || used + *bytes > maxBytes)
        continue;
      // A returned view would outlive the frame.
      bool escapes =
          llvm::any_of(aliases.resolve(alloc.getResult()), [](Value alias) {
            return llvm::any_of(alias.getUsers(), [](Operation *user) {
              return isa<func::ReturnOp>(user);
            });
          });
      if (escapes)
        continue;
      used += *bytes;
      rewriter.setInsertionPoint(alloc);
      rewriter.replaceOpWithNewOp<memref::AllocaOp>(alloc, alloc.getType(),
                                                    alloc.getAlignmentAttr());
    }
  }
};
} // namespace
