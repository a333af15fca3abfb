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
#include "llvm/TargetParser/Host.h"

namespace mlir {
namespace qnt {
#define GEN_PASS_DEF_QNTLOWERDOTU8S8PASS
#include "qnt/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace qnt
} // namespace mlir

using namespace mlir;
using namespace mlir::qnt;

bool mlir::qnt::hostHasVNNI() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  return features.lookup("avx512vnni") && features.lookup("avx512bw");
}

namespace {

struct DotToVNNI : OpRewritePattern<DotU8S8Op> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DotU8S8Op op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<LLVM::CallIntrinsicOp>(
        op, op.getType(),
        rewriter.getStringAttr("llvm.x86.avx512.vpdpbusd.512"),
        ValueRange{op.getAcc(), op.getLhs(), op.getRhs()});
    return success();
  }
};

struct DotToVectorOps : OpRewritePattern<DotU8S8Op> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DotU8S8Op op,
                                PatternRewriter &rewriter) const override {
    // Byte t of every group of four, widened, multiplied and added: plain
    // shuffles and arithmetic, which lower to LLVM directly.
    Location loc = op.getLoc();
    auto wide = VectorType::get({16}, rewriter.getI32Type());
    Value result = op.getAcc();
    for (int64_t t = 0; t < 4; ++t) {
      SmallVector<int64_t> lanes;
      for (int64_t i = 0; i < 16; ++i)
        lanes.push_back(4 * i + t);
      auto pick = [&](Value v) -> Value {
        return vector::ShuffleOp::create(rewriter, loc, v, v, lanes);
      };
      Value lhs =
          arith::ExtUIOp::create(rewriter, loc, wide, pick(op.getLhs()));
      Value rhs =
          arith::ExtSIOp::create(rewriter, loc, wide, pick(op.getRhs()));
      result =
          arith::AddIOp::create(rewriter, loc, result,
                                arith::MulIOp::create(rewriter, loc, lhs, rhs));
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// qnt.dot_s16s16 as vpdpwssd.
struct DotS16ToVNNI : OpRewritePattern<DotS16S16Op> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DotS16S16Op op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<LLVM::CallIntrinsicOp>(
        op, op.getType(),
        rewriter.getStringAttr("llvm.x86.avx512.vpdpwssd.512"),
        ValueRange{op.getAcc(), op.getLhs(), op.getRhs()});
    return success();
  }
};

/// qnt.dot_s16s16 as the arithmetic: both halves of every pair widened,
/// multiplied and added.
struct DotS16ToVectorOps : OpRewritePattern<DotS16S16Op> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DotS16S16Op op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto wide = VectorType::get({16}, rewriter.getI32Type());
    Value result = op.getAcc();
    for (int64_t t = 0; t < 2; ++t) {
      SmallVector<int64_t> lanes;
      for (int64_t i = 0; i < 16; ++i)
        lanes.push_back(2 * i + t);
      auto pick = [&](Value v) -> Value {
        return arith::ExtSIOp::create(
            rewriter, loc, wide,
            vector::ShuffleOp::create(rewriter, loc, v, v, lanes));
      };
      result = arith::AddIOp::create(rewriter, loc, result,
                                     arith::MulIOp::create(rewriter, loc,
                                                           pick(op.getLhs()),
                                                           pick(op.getRhs())));
    }
    rewriter.replaceOp(op, result);
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
    patterns.add<DotToVNNI, DotS16ToVNNI>(patterns.getContext());
  else
    patterns.add<DotToVectorOps, DotS16ToVectorOps>(patterns.getContext());
}
