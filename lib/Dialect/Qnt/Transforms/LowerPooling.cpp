//===- LowerPooling.cpp - Pooling vectorized on channels ------------------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// linalg.pooling_nhwc_max / _sum reduce over their window innermost, which
// leaves LLVM nothing to vectorize. Here, for each output pixel and block of
// 16 channels,
//
//   out[c] = combine(init[c], x[oh*s + kh*d, ow*s + kw*d, c] for every tap)
//
// with the taps unrolled and combine = max (maxsi / maximumf) or + (the
// input widened to the accumulator's type, as the named op does). A last
// partial block of channels reads and writes with masks.
//
//===----------------------------------------------------------------------===//

#include "KernelUtils.h"

#include "qnt/Dialect/Qnt/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace qnt {
#define GEN_PASS_DEF_QNTLOWERPOOLINGPASS
#include "qnt/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace qnt
} // namespace mlir

using namespace mlir;
using namespace mlir::qnt;

namespace {

constexpr int64_t kLanes = 16;

template <typename PoolOp>
struct LowerPool : OpRewritePattern<PoolOp> {
  using OpRewritePattern<PoolOp>::OpRewritePattern;
  static constexpr bool kMax = std::is_same_v<PoolOp, linalg::PoolingNhwcMaxOp>;

  LogicalResult matchAndRewrite(PoolOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not on tensors");
    Value input = op.getInputs()[0], init = op.getOutputs()[0];
    auto inType = cast<RankedTensorType>(input.getType());
    auto window = cast<RankedTensorType>(op.getInputs()[1].getType());
    auto outType = cast<RankedTensorType>(op.getResultTypes()[0]);
    Type inElement = inType.getElementType(),
         accElement = outType.getElementType();
    bool isFloat = isa<FloatType>(accElement);
    if (!inType.hasStaticShape() || !outType.hasStaticShape() ||
        !window.hasStaticShape() ||
        !(isFloat
              ? inElement.isF32() && accElement.isF32()
              : isa<IntegerType>(inElement) && isa<IntegerType>(accElement) &&
                    (!kMax || inElement == accElement)))
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    // Not structured bindings: the loop builders capture them.
    std::pair<SmallVector<int64_t>, SmallVector<int64_t>> attrs =
        getWindowAttrs(op);
    ArrayRef<int64_t> strides = attrs.first, dilations = attrs.second;
    ArrayRef<int64_t> out = outType.getShape();
    int64_t kh = window.getDimSize(0), kw = window.getDimSize(1);
    Location loc = op.getLoc();
    auto accVec = VectorType::get({kLanes}, accElement);
    auto inVec = VectorType::get({kLanes}, inElement);
    Value zeroAcc = arith::ConstantOp::create(rewriter, loc,
                                              rewriter.getZeroAttr(accElement));
    Value zeroIn = arith::ConstantOp::create(rewriter, loc,
                                             rewriter.getZeroAttr(inElement));
    auto combine = [&](OpBuilder &b, Value acc, Value x) -> Value {
      if (kMax)
        return isFloat ? Value(arith::MaximumFOp::create(b, loc, acc, x))
                       : Value(arith::MaxSIOp::create(b, loc, acc, x));
      if (isFloat)
        return arith::AddFOp::create(b, loc, acc, x);
      if (inElement != accElement)
        x = arith::ExtSIOp::create(b, loc, accVec, x);
      return arith::AddIOp::create(b, loc, acc, x);
    };
    Value result = buildPixelLoops(
        rewriter, loc, out.take_front(3), init,
        [&](OpBuilder &b, ValueRange pixel, Value tile) -> Value {
          Value ohs = arith::MulIOp::create(b, loc, pixel[1],
                                            indexConstant(b, loc, strides[0]));
          Value ows = arith::MulIOp::create(b, loc, pixel[2],
                                            indexConstant(b, loc, strides[1]));
          // One block of 16 channels from `c`; `exact`: inside the tensors
          // (else the last, partial block: read masked, its lanes stored).
          auto block = [&](OpBuilder &b, Value c, Value tile,
                           bool exact) -> Value {
            SmallVector<bool> bounds = {exact};
            Value acc = vector::TransferReadOp::create(
                b, loc, accVec, tile,
                ValueRange{pixel[0], pixel[1], pixel[2], c}, zeroAcc, bounds);
            for (int64_t i = 0; i < kh; ++i)
              for (int64_t j = 0; j < kw; ++j) {
                Value y = arith::AddIOp::create(
                    b, loc, ohs, indexConstant(b, loc, i * dilations[0]));
                Value x = arith::AddIOp::create(
                    b, loc, ows, indexConstant(b, loc, j * dilations[1]));
                acc =
                    combine(b, acc,
                            vector::TransferReadOp::create(
                                b, loc, inVec, input,
                                ValueRange{pixel[0], y, x, c}, zeroIn, bounds));
              }
            return writeLanes(b, loc, acc, tile,
                              ValueRange{pixel[0], pixel[1], pixel[2], c},
                              exact ? kLanes : out[3] % kLanes);
          };
          int64_t whole = out[3] / kLanes * kLanes;
          if (whole > 0)
            tile =
                scf::ForOp::create(
                    b, loc, indexConstant(b, loc, 0),
                    indexConstant(b, loc, whole), indexConstant(b, loc, kLanes),
                    ValueRange{tile},
                    [&](OpBuilder &b, Location, Value c, ValueRange carried) {
                      scf::YieldOp::create(
                          b, loc, block(b, c, carried[0], /*exact=*/true));
                    })
                    .getResult(0);
          if (whole == out[3])
            return tile;
          return block(b, indexConstant(b, loc, whole), tile,
                       /*exact=*/false);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct QntLowerPoolingPass
    : public qnt::impl::QntLowerPoolingPassBase<QntLowerPoolingPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateQntLowerPoolingPatterns(patterns);
    applyKernelPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace

void mlir::qnt::populateQntLowerPoolingPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerPool<linalg::PoolingNhwcMaxOp>,
               LowerPool<linalg::PoolingNhwcSumOp>>(patterns.getContext());
}
