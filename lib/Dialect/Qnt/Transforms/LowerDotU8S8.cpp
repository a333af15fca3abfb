//===- LowerDotU8S8.cpp - qnt.dot_u8s8 to vpdpbusd or vector ops ----------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
//   result[i] = acc[i] + sum_{t < 4} zext(lhs[4i + t]) * sext(rhs[4i + t])
//
// is exactly AVX512-VNNI's vpdpbusd (no saturation). LLVM's backend does
// not form vpdpbusd from the equivalent vector arithmetic for a
// register-blocked kernel (it picks vpmaddwd/vpdpwssd; DESIGN.md), so on
// VNNI CPUs the op becomes the intrinsic call. The portable form is the
// arithmetic itself. The same for qnt.dot_s16s16 (vpdpwssd, pairs of s16):
//
//   result[i] = acc[i] + sum_{t < 2} sext(lhs[2i + t]) * sext(rhs[2i + t])
//
//===----------------------------------------------------------------------===//

#include "qnt/Dialect/Qnt/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir {
namespace qnt {
#define GEN_PASS_DEF_QNTLOWERDOTU8S8PASS
#include "qnt/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace qnt
} // namespace mlir

using namespace mlir;
using namespace mlir::qnt;

namespace {

/// Per dot op: its VNNI instruction's intrinsic, and the lanes summed into
/// each i32 lane with whether the left operand is unsigned.
StringRef getIntrinsic(DotU8S8Op) { return "llvm.x86.avx512.vpdpbusd.512"; }
StringRef getIntrinsic(DotS16S16Op) { return "llvm.x86.avx512.vpdpwssd.512"; }
std::pair<int64_t, bool> getGroup(DotU8S8Op) { return {4, true}; }
std::pair<int64_t, bool> getGroup(DotS16S16Op) { return {2, false}; }

/// qnt.dot_u8s8 as vpdpbusd, qnt.dot_s16s16 as vpdpwssd.
template <typename DotOp>
struct DotToVNNI : OpRewritePattern<DotOp> {
  using OpRewritePattern<DotOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(DotOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<LLVM::CallIntrinsicOp>(
        op, op.getType(), rewriter.getStringAttr(getIntrinsic(op)),
        ValueRange{op.getAcc(), op.getLhs(), op.getRhs()});
    return success();
  }
};

/// acc + sum over the `group` consecutive lanes of every result lane of
/// ext(lhs) * sext(rhs), widened to i32 (ext: zext when `lhsUnsigned`):
/// lane t of each group picked by a shuffle, widened, multiplied and added.
static Value sumOfProducts(PatternRewriter &rewriter, Location loc, Value acc,
                           Value lhs, Value rhs, int64_t group,
                           bool lhsUnsigned) {
  auto wide = VectorType::get({16}, rewriter.getI32Type());
  for (int64_t t = 0; t < group; ++t) {
    SmallVector<int64_t> lanes;
    for (int64_t i = 0; i < 16; ++i)
      lanes.push_back(group * i + t);
    auto pick = [&](Value v, bool isUnsigned) -> Value {
      Value part = vector::ShuffleOp::create(rewriter, loc, v, v, lanes);
      return isUnsigned
                 ? Value(arith::ExtUIOp::create(rewriter, loc, wide, part))
                 : Value(arith::ExtSIOp::create(rewriter, loc, wide, part));
    };
    acc = arith::AddIOp::create(rewriter, loc, acc,
                                arith::MulIOp::create(rewriter, loc,
                                                      pick(lhs, lhsUnsigned),
                                                      pick(rhs, false)));
  }
  return acc;
}

/// A dot op as the arithmetic: plain shuffles and arithmetic, which lower
/// to LLVM directly.
template <typename DotOp>
struct DotToVectorOps : OpRewritePattern<DotOp> {
  using OpRewritePattern<DotOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(DotOp op,
                                PatternRewriter &rewriter) const override {
    auto [group, lhsUnsigned] = getGroup(op);
    rewriter.replaceOp(op, sumOfProducts(rewriter, op.getLoc(), op.getAcc(),
                                         op.getLhs(), op.getRhs(), group,
                                         lhsUnsigned));
    return success();
  }
};

struct QntLowerDotU8S8Pass
    : public qnt::impl::QntLowerDotU8S8PassBase<QntLowerDotU8S8Pass> {
  using Base::Base;
  void runOnOperation() override {
    bool useVNNI;
    if (vnni == "auto") {
      useVNNI = hostHasVNNI();
    } else if (vnni == "on" || vnni == "off") {
      useVNNI = vnni == "on";
    } else {
      getOperation().emitError("--qnt-lower-dot-u8s8: option vnni must be "
                               "auto, on or off, got '")
          << vnni << "'";
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    populateQntLowerDotU8S8Patterns(patterns, useVNNI);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace

void mlir::qnt::populateQntLowerDotU8S8Patterns(RewritePatternSet &patterns,
                                                bool vnni) {
  if (vnni)
    patterns.add<DotToVNNI<DotU8S8Op>, DotToVNNI<DotS16S16Op>>(
        patterns.getContext());
  else
    patterns.add<DotToVectorOps<DotU8S8Op>, DotToVectorOps<DotS16S16Op>>(
        patterns.getContext());
}
