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
// qnt.pack_s8 (result[16j + i] = clamp(operand_j[i], -128, 127)) becomes
// AVX512-BW's saturating packs, which interleave within 128-bit lanes:
// vpackssdw(a, b) holds, per lane L, the words a[4L..4L+3], b[4L..4L+3],
// and vpacksswb of two such (a, b) and (c, d) the bytes of a, b, c, d in
// dword 4L + s (s = 0..3 the operand). The dword permute out[4s + L] =
// in[4L + s] restores the operand order. With two operands the second
// vpacksswb operand repeats the first, dwords 4L + 2 and 4L + 3 are the
// copies, and out[4s + L] = in[4L + s] for s < 2 is the low 256 bits.
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

/// qnt.pack_s8 as vpackssdw, vpacksswb and a dword permute (file comment).
struct PackS8ToAVX512 : OpRewritePattern<PackS8Op> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PackS8Op op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    ValueRange in = op.getInputs();
    auto words = VectorType::get({32}, rewriter.getI16Type());
    auto bytes = VectorType::get({64}, rewriter.getI8Type());
    auto dwords = VectorType::get({16}, rewriter.getI32Type());
    auto call = [&](Type type, StringRef name, Value a, Value b) -> Value {
      return LLVM::CallIntrinsicOp::create(rewriter, loc, type,
                                           rewriter.getStringAttr(name),
                                           ValueRange{a, b})
          .getResult(0);
    };
    Value ab = call(words, "llvm.x86.avx512.packssdw.512", in[0], in[1]);
    Value cd = in.size() == 4
                   ? call(words, "llvm.x86.avx512.packssdw.512", in[2], in[3])
                   : ab;
    Value packed = vector::BitCastOp::create(
        rewriter, loc, dwords,
        call(bytes, "llvm.x86.avx512.packsswb.512", ab, cd));
    SmallVector<int64_t> order;
    for (int64_t s = 0; s < int64_t(in.size()); ++s)
      for (int64_t lane = 0; lane < 4; ++lane)
        order.push_back(4 * lane + s);
    Value ordered =
        vector::ShuffleOp::create(rewriter, loc, packed, packed, order);
    rewriter.replaceOpWithNewOp<vector::BitCastOp>(op, op.getType(), ordered);
    return success();
  }
};

/// qnt.pack_s8 as a clamp and a truncation per operand, concatenated.
struct PackS8ToVectorOps : OpRewritePattern<PackS8Op> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PackS8Op op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto wide = VectorType::get({16}, rewriter.getI32Type());
    auto splat = [&](int64_t v) -> Value {
      return arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(wide, rewriter.getI32IntegerAttr(v)));
    };
    Value lo = splat(-128), hi = splat(127);
    SmallVector<Value> parts;
    for (Value v : op.getInputs())
      parts.push_back(arith::TruncIOp::create(
          rewriter, loc, VectorType::get({16}, rewriter.getI8Type()),
          arith::MinSIOp::create(rewriter, loc,
                                 arith::MaxSIOp::create(rewriter, loc, v, lo),
                                 hi)));
    // Pairwise concatenations until one vector is left.
    while (parts.size() > 1) {
      SmallVector<Value> next;
      for (size_t i = 0; i < parts.size(); i += 2) {
        int64_t n = cast<VectorType>(parts[i].getType()).getNumElements();
        next.push_back(vector::ShuffleOp::create(
            rewriter, loc, parts[i], parts[i + 1],
            llvm::to_vector(llvm::seq<int64_t>(0, 2 * n))));
      }
      parts = std::move(next);
    }
    rewriter.replaceOp(op, parts[0]);
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
    patterns.add<DotToVNNI<DotU8S8Op>, DotToVNNI<DotS16S16Op>, PackS8ToAVX512>(
        patterns.getContext());
  else
    patterns.add<DotToVectorOps<DotU8S8Op>, DotToVectorOps<DotS16S16Op>,
                 PackS8ToVectorOps>(patterns.getContext());
}
