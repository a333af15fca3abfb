//===- LowerMemRefCopy.cpp - memref.copy as linalg.copy loops -------------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Bufferization writes padded and concatenated tensors with memref.copy into
// strided subviews, which the LLVM lowering turns into calls of the generic
// runtime routine memrefCopy (element by element through descriptors; 13% of
// the Fashion-MNIST int8 latency, measured with perf). As linalg.copy they
// become loops whose contiguous innermost dimension LLVM vectorizes.
//
//===----------------------------------------------------------------------===//

#include "qnt/Dialect/Qnt/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir {
namespace qnt {
#define GEN_PASS_DEF_QNTLOWERMEMREFCOPYPASS
#include "qnt/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace qnt
} // namespace mlir

using namespace mlir;
using namespace mlir::qnt;

namespace {

struct CopyToLinalg : OpRewritePattern<memref::CopyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(memref::CopyOp op,
                                PatternRewriter &rewriter) const override {
    auto source = dyn_cast<MemRefType>(op.getSource().getType());
    auto target = dyn_cast<MemRefType>(op.getTarget().getType());
    // Contiguous copies already become memcpy.
    if (!source || !target || !source.hasStaticShape() ||
        (source.getLayout().isIdentity() && target.getLayout().isIdentity()))
      return rewriter.notifyMatchFailure(op, "contiguous or dynamic");
    rewriter.replaceOpWithNewOp<linalg::CopyOp>(op, op.getSource(),
                                                op.getTarget());
    return success();
  }
};

struct QntLowerMemRefCopyPass
    : public qnt::impl::QntLowerMemRefCopyPassBase<QntLowerMemRefCopyPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateQntLowerMemRefCopyPatterns(patterns);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace

void mlir::qnt::populateQntLowerMemRefCopyPatterns(
    RewritePatternSet &patterns) {
  patterns.add<CopyToLinalg>(patterns.getContext());
}
