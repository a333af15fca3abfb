//===- WriteResultsInPlace.cpp - Compute results in the out-params --------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// buffer-results-to-out-params ends the entry function with
//
//   memref.copy %result, %out
//
// and its hoist-static-allocs only reuses %out when %result is an alloc
// itself. A kernel's result is usually a reshape of an alloc threaded
// through loops (scf.for iter_args yielding the buffer they were given);
// then the whole result is copied once more (12% of a 512^3 GEMM, measured
// with quant-run --profile). This pass traces such a result back to its
// alloc and replaces the alloc by a view of %out with the alloc's shape, so
// the kernels write the out-param and the copy disappears.
//
//===----------------------------------------------------------------------===//

#include "qnt/Dialect/Qnt/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace qnt {
#define GEN_PASS_DEF_QNTWRITERESULTSINPLACEPASS
#include "qnt/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace qnt
} // namespace mlir

using namespace mlir;
using namespace mlir::qnt;

/// Follows `v` back through reshapes and in-place loops (scf.for results
/// whose loop yields the buffer its iter_arg was given) while it is not
/// `stop`: the buffer `v` is a view of.
static Value traceBuffer(Value v, Value stop = Value()) {
  while (v != stop) {
    if (auto expand = v.getDefiningOp<memref::ExpandShapeOp>()) {
      v = expand.getSrc();
      continue;
    }
    if (auto collapse = v.getDefiningOp<memref::CollapseShapeOp>()) {
      v = collapse.getSrc();
      continue;
    }
    auto result = dyn_cast<OpResult>(v);
    auto loop = result ? dyn_cast<scf::ForOp>(result.getOwner()) : nullptr;
    if (!loop)
      return v;
    unsigned i = result.getResultNumber();
    Value iterArg = loop.getRegionIterArg(i);
    if (traceBuffer(loop.getYieldedValues()[i], iterArg) != iterArg)
      return v;
    v = loop.getInitArgs()[i];
  }
  return v;
}

namespace {

/// memref.copy %result, %out with %out an argument used by nothing else and
/// %result an identity-layout view of an alloc: the alloc becomes
/// expand_shape(collapse_shape(%out)) and the copy goes.
struct WriteResultInPlace : OpRewritePattern<memref::CopyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(memref::CopyOp copy,
                                PatternRewriter &rewriter) const override {
    auto out = dyn_cast<BlockArgument>(copy.getTarget());
    auto func = dyn_cast<func::FuncOp>(copy->getParentOp());
    if (!out || !func || out.getOwner() != &func.getBody().front() ||
        !out.hasOneUse())
      return rewriter.notifyMatchFailure(copy, "not the copy to an out-param");
    auto alloc = traceBuffer(copy.getSource()).getDefiningOp<memref::AllocOp>();
    auto outType = dyn_cast<MemRefType>(out.getType());
    if (!alloc || !outType || alloc->getParentOp() != func)
      return rewriter.notifyMatchFailure(copy, "not the view of an alloc");
    MemRefType allocType = alloc.getType();
    if (!allocType.hasStaticShape() || !outType.hasStaticShape() ||
        !allocType.getLayout().isIdentity() ||
        !outType.getLayout().isIdentity() ||
        allocType.getElementType() != outType.getElementType() ||
        allocType.getNumElements() != outType.getNumElements() ||
        allocType.getMemorySpace() != outType.getMemorySpace())
      return rewriter.notifyMatchFailure(copy, "different buffers");
    rewriter.setInsertionPoint(alloc);
    Location loc = alloc.getLoc();
    auto all = [](int64_t rank) {
      ReassociationIndices r;
      for (int64_t i = 0; i < rank; ++i)
        r.push_back(i);
      return SmallVector<ReassociationIndices>{r};
    };
    Value flat = out;
    if (outType.getRank() != 1)
      flat = memref::CollapseShapeOp::create(rewriter, loc, out,
                                             all(outType.getRank()));
    Value view = flat;
    if (allocType.getRank() != 1)
      view = memref::ExpandShapeOp::create(rewriter, loc, allocType, flat,
                                           all(allocType.getRank()));
    rewriter.eraseOp(copy);
    rewriter.replaceOp(alloc, view);
    return success();
  }
};

struct QntWriteResultsInPlacePass
    : public qnt::impl::QntWriteResultsInPlacePassBase<
          QntWriteResultsInPlacePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateQntWriteResultsInPlacePatterns(patterns);
    GreedyRewriteConfig config;
    config.enableFolding(false).enableConstantCSE(false);
    (void)applyPatternsGreedily(getOperation(), std::move(patterns), config);
  }
};

} // namespace

void mlir::qnt::populateQntWriteResultsInPlacePatterns(
    RewritePatternSet &patterns) {
  patterns.add<WriteResultInPlace>(patterns.getContext());
}
