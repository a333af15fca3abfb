//===- InlineRescaleParams.cpp - tosa.rescale parameters as dense ---------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// LLVM 22's tosa-to-linalg reads a per-channel tosa.rescale's multipliers
// and shifts only from dense constants: with the multipliers in a
// dense_resource blob it builds the shifts as an empty tensor<0xi8> and
// indexes it per channel, which reads out of bounds (measured: 491 of 600
// outputs wrong, test/models/int8-gemm.test). The parameters are one value
// per channel, so they are rewritten as dense constants before the
// lowering.
//
//===----------------------------------------------------------------------===//

#include "qnt/Dialect/Qnt/Transforms/Passes.h"
#include "qnt/Dialect/Qnt/Utils/ConstantUtils.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir {
namespace qnt {
#define GEN_PASS_DEF_QNTINLINERESCALEPARAMSPASS
#include "qnt/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace qnt
} // namespace mlir

using namespace mlir;
using namespace mlir::qnt;

namespace {

struct InlineRescaleParams : OpRewritePattern<tosa::RescaleOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::RescaleOp op,
                                PatternRewriter &rewriter) const override {
    bool changed = false;
    for (OpOperand *operand :
         {&op.getMultiplierMutable(), &op.getShiftMutable()}) {
      Value value = operand->get();
      auto constant = value.getDefiningOp<tosa::ConstOp>();
      if (!constant || isa<DenseElementsAttr>(constant.getValues()))
        continue;
      std::optional<DenseElementsAttr> dense = getConstantDenseElements(value);
      if (!dense)
        continue;
      rewriter.setInsertionPoint(op);
      Value inlined = tosa::ConstOp::create(rewriter, constant.getLoc(),
                                            value.getType(), *dense);
      rewriter.modifyOpInPlace(op, [&] { operand->set(inlined); });
      changed = true;
    }
    return success(changed);
  }
};

struct QntInlineRescaleParamsPass
    : public qnt::impl::QntInlineRescaleParamsPassBase<
          QntInlineRescaleParamsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateQntInlineRescaleParamsPatterns(patterns);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace

void mlir::qnt::populateQntInlineRescaleParamsPatterns(
    RewritePatternSet &patterns) {
  patterns.add<InlineRescaleParams>(patterns.getContext());
}
