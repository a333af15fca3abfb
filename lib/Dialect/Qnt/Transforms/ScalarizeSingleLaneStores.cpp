//===- ScalarizeSingleLaneStores.cpp - One-lane masked stores as stores ---===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A workaround for an x86 backend miscompile in LLVM 22 (llvm/llvm-project
// issue 179489, fixed on main by pull request 179853, not in Debian's
// 22.1.8): a masked store of a truncated vector whose constant mask has one
// lane set is selected as a scalar store of the untruncated element, e.g.
// `vmovss` (4 bytes) for lane 0 of trunc <16 x i32> to <16 x i8>. The
// kernels' last partial block of a channel count = 1 mod 16 was such a
// store (an i8 depthwise with 17 or 145 channels wrote 3 bytes of the next
// pixel); they now write partial blocks as narrower vectors (writeLanes),
// and this pass covers any such store left. Every llvm.intr.masked.store
// with a constant one-lane mask becomes the store of that element, which
// the backend truncates right.
//
//===----------------------------------------------------------------------===//

#include "qnt/Dialect/Qnt/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

#include <numeric>

namespace mlir {
namespace qnt {
#define GEN_PASS_DEF_QNTSCALARIZESINGLELANESTORESPASS
#include "qnt/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace qnt
} // namespace mlir

using namespace mlir;
using namespace mlir::qnt;

namespace {

struct ScalarizeSingleLaneStore : OpRewritePattern<LLVM::MaskedStoreOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LLVM::MaskedStoreOp op,
                                PatternRewriter &rewriter) const override {
    DenseElementsAttr mask;
    if (!matchPattern(op.getMask(), m_Constant(&mask)))
      return rewriter.notifyMatchFailure(op, "mask not constant");
    auto vectorType = dyn_cast<VectorType>(op.getValue().getType());
    if (!vectorType || vectorType.isScalable())
      return rewriter.notifyMatchFailure(op, "not a fixed vector");
    // Lane i at byte i * size: whole-byte integers and floats only (i1 or
    // i4 lanes are packed, pointers have no bit width here).
    Type element = vectorType.getElementType();
    if (!element.isIntOrFloat() || element.getIntOrFloatBitWidth() % 8 != 0)
      return rewriter.notifyMatchFailure(op, "not whole-byte lanes");
    int64_t lane = -1, set = 0, index = 0;
    for (bool bit : mask.getValues<bool>()) {
      if (bit) {
        lane = index;
        ++set;
      }
      ++index;
    }
    if (set != 1)
      return rewriter.notifyMatchFailure(op, "not one lane");
    Location loc = op.getLoc();
    Value position = LLVM::ConstantOp::create(
        rewriter, loc, rewriter.getI64Type(), rewriter.getI64IntegerAttr(lane));
    Value value =
        LLVM::ExtractElementOp::create(rewriter, loc, op.getValue(), position);
    Value address = op.getData();
    if (lane > 0)
      address = LLVM::GEPOp::create(
          rewriter, loc, address.getType(), element, address,
          ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(lane)});
    // The lane's alignment: that of the base at offset lane * size.
    uint64_t bytes = element.getIntOrFloatBitWidth() / 8;
    uint64_t align = std::max<uint64_t>(op.getAlignment(), 1);
    if (lane > 0)
      align = std::gcd(align, static_cast<uint64_t>(lane) * bytes);
    rewriter.replaceOpWithNewOp<LLVM::StoreOp>(op, value, address, align);
    return success();
  }
};

struct QntScalarizeSingleLaneStoresPass
    : public qnt::impl::QntScalarizeSingleLaneStoresPassBase<
          QntScalarizeSingleLaneStoresPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateQntScalarizeSingleLaneStoresPatterns(patterns);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace

void mlir::qnt::populateQntScalarizeSingleLaneStoresPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ScalarizeSingleLaneStore>(patterns.getContext());
}
