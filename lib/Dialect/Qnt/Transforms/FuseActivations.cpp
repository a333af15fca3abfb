//===- FuseActivations.cpp - Mark conv/matmul/add + ReLU units ------------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A clamp at 0 from below (ReLU, ReLU6, Clip(0, x)) after a conv, depthwise
// conv, transpose conv, matmul or add that it alone uses becomes part of that
// op's quantization unit: it gets `qnt.fused = true`. The unit has one output
// scale, and its range starts at 0, so the clamp costs nothing in the integer
// program (it is the requantization's saturation bound).
//
//===----------------------------------------------------------------------===//

#include "qnt/Dialect/Qnt/IR/Qnt.h"
#include "qnt/Dialect/Qnt/Transforms/Passes.h"

namespace mlir {
namespace qnt {
#define GEN_PASS_DEF_QNTFUSEACTIVATIONSPASS
#include "qnt/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace qnt
} // namespace mlir

using namespace mlir;
using namespace mlir::qnt;

/// Why `clamp` cannot be fused, or an empty string when it can.
static std::string getRefusal(tosa::ClampOp clamp) {
  auto minVal = dyn_cast<FloatAttr>(clamp.getMinValAttr());
  auto maxVal = dyn_cast<FloatAttr>(clamp.getMaxValAttr());
  if (!minVal || !maxVal)
    return "it is not a float clamp";
  if (!minVal.getValue().isZero())
    return "it does not clamp at 0 from below (not a ReLU, ReLU6 or "
           "Clip(0, x))";
  if (!(maxVal.getValueAsDouble() > 0.0))
    return "its upper bound is not positive";
  Operation *producer = clamp.getInput().getDefiningOp();
  if (!producer || !QntDialect::isFusionAnchor(producer))
    return "its input is not produced by a conv2d, depthwise_conv2d, "
           "transpose_conv2d, matmul or add";
  if (!clamp.getInput().hasOneUse())
    return "the producer's result has other users";
  return "";
}

namespace {
struct QntFuseActivationsPass
    : public qnt::impl::QntFuseActivationsPassBase<QntFuseActivationsPass> {
  using Base::Base;
  void runOnOperation() override {
    getOperation().walk([&](tosa::ClampOp clamp) {
      if (clamp->hasAttr(QntDialect::kFusedAttrName))
        return;
      std::string refusal = getRefusal(clamp);
      if (refusal.empty()) {
        clamp->setAttr(QntDialect::kFusedAttrName,
                       BoolAttr::get(&getContext(), true));
        return;
      }
      if (remarks)
        clamp.emitRemark("activation not fused: ") << refusal;
    });
  }
};
} // namespace
