//===- ExpandOps.cpp - Expand qnt ops into float TOSA/linalg --------------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Makes float and fake-quant graphs executable by upstream lowerings.
//
//   batch_norm  y = x * m + (beta - mean * m),  m = gamma * rsqrt(var + eps)
//   fake_quant  q = clamp(roundeven(x / s) + z, qmin, qmax)   (NaN -> z)
//               y = (q - z) * s                               (float32)
//   quantize    q as above, as signless storage integers
//   dequantize  y = s * (q - z)                               (q - z in i64)
//
// The fake_quant arithmetic is the numerics reference's (Utils/Numerics.h)
// operation for operation, so the simulation is bit-exact with it.
//
//===----------------------------------------------------------------------===//

#include "qnt/Dialect/Qnt/IR/Qnt.h"
#include "qnt/Dialect/Qnt/Transforms/Passes.h"
#include "qnt/Dialect/Qnt/Utils/QuantizeBuilder.h"

#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir {
namespace qnt {
#define GEN_PASS_DEF_QNTEXPANDOPSPASS
#include "qnt/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace qnt
} // namespace mlir

using namespace mlir;
using namespace mlir::qnt;

namespace {

//===----------------------------------------------------------------------===//
// ObserveOp
//===----------------------------------------------------------------------===//

struct ExpandObserve : OpRewritePattern<ObserveOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ObserveOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, op.getInput());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// BatchNormOp
//===----------------------------------------------------------------------===//

struct ExpandBatchNorm : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getInput().getType();
    int64_t rank = type.getRank();
    int64_t axis = op.getAxis();
    int64_t channels = op.getGamma().getType().getDimSize(0);
    if (!type.hasStaticShape() || ShapedType::isDynamic(channels))
      return rewriter.notifyMatchFailure(op, "dynamic shapes");

    Location loc = op.getLoc();
    Type elementType = type.getElementType();
    // Parameters as [1, .., C, .., 1] so that TOSA broadcasts them.
    SmallVector<int64_t> paramShape(rank, 1);
    paramShape[axis] = channels;
    auto paramType = RankedTensorType::get(paramShape, elementType);
    Value shape = tosa::getTosaConstShape(rewriter, loc, paramShape);
    auto reshape = [&](Value param) -> Value {
      return tosa::ReshapeOp::create(rewriter, loc, paramType, param, shape);
    };
    auto epsType =
        RankedTensorType::get(SmallVector<int64_t>(rank, 1), elementType);
    Value eps = tosa::ConstOp::create(
        rewriter, loc, epsType,
        DenseElementsAttr::get(
            epsType, rewriter.getFloatAttr(elementType,
                                           op.getEpsilon().convertToFloat())));
    auto shiftType = RankedTensorType::get({1}, rewriter.getI8Type());
    Value shift = tosa::ConstOp::create(
        rewriter, loc, shiftType,
        DenseElementsAttr::get(shiftType, rewriter.getI8IntegerAttr(0)));

    Value var = tosa::AddOp::create(rewriter, loc, paramType,
                                    reshape(op.getVariance()), eps);
    Value invStd = tosa::RsqrtOp::create(rewriter, loc, paramType, var);
    Value mult = tosa::MulOp::create(rewriter, loc, paramType,
                                     reshape(op.getGamma()), invStd, shift);
    Value meanMult = tosa::MulOp::create(rewriter, loc, paramType,
                                         reshape(op.getMean()), mult, shift);
    Value offset = tosa::SubOp::create(rewriter, loc, paramType,
                                       reshape(op.getBeta()), meanMult);
    Value scaled =
        tosa::MulOp::create(rewriter, loc, type, op.getInput(), mult, shift);
    rewriter.replaceOpWithNewOp<tosa::AddOp>(op, type, scaled, offset);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// FakeQuantOp, QuantizeOp, DequantizeOp
//===----------------------------------------------------------------------===//

/// Body of an elementwise quantization op: the input element and the f32
/// scale and zero point of its channel.
using QuantBody =
    function_ref<Value(OpBuilder &, Location, Value x, Value s, Value z)>;

/// A linalg.generic mapping `input` elementwise to `resultType` with the
/// per-tensor or per-axis parameters of `qtype`.
static Value buildQuantGeneric(PatternRewriter &rewriter, Location loc,
                               Value input, RankedTensorType resultType,
                               quant::QuantizedType qtype, QuantBody body) {
  Type f32 = rewriter.getF32Type();
  int64_t rank = resultType.getRank();
  SmallVector<Value> inputs = {input};
  SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank)};
  float scale = 0.0f, zeroPoint = 0.0f;
  if (auto perTensor = dyn_cast<quant::UniformQuantizedType>(qtype)) {
    scale = static_cast<float>(perTensor.getScale());
    zeroPoint = static_cast<float>(perTensor.getZeroPoint());
  } else {
    // Per axis: scales and zero points as [C] constants read along the
    // quantized dimension.
    auto perAxis = cast<quant::UniformQuantizedPerAxisType>(qtype);
    int64_t axis = perAxis.getQuantizedDimension();
    SmallVector<float> scales, zeroPoints;
    for (double s : perAxis.getScales())
      scales.push_back(static_cast<float>(s));
    for (int64_t z : perAxis.getZeroPoints())
      zeroPoints.push_back(static_cast<float>(z));
    auto paramType =
        RankedTensorType::get({static_cast<int64_t>(scales.size())}, f32);
    inputs.push_back(arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(paramType, ArrayRef(scales))));
    inputs.push_back(arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(paramType, ArrayRef(zeroPoints))));
    AffineMap channel = AffineMap::get(rank, 0, rewriter.getAffineDimExpr(axis),
                                       rewriter.getContext());
    maps.append({channel, channel});
  }
  maps.push_back(rewriter.getMultiDimIdentityMap(rank));

  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, input);
  Value init = tensor::EmptyOp::create(rewriter, loc, sizes,
                                       resultType.getElementType());
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  bool perTensor = inputs.size() == 1;
  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps,
      iterators, [&](OpBuilder &b, Location l, ValueRange args) {
        auto cst = [&](float v) -> Value {
          return arith::ConstantOp::create(b, l, b.getF32FloatAttr(v));
        };
        Value s = perTensor ? cst(scale) : args[1];
        Value z = perTensor ? cst(zeroPoint) : args[2];
        linalg::YieldOp::create(b, l, body(b, l, args[0], s, z));
      });
  return generic.getResult(0);
}

struct ExpandFakeQuant : OpRewritePattern<FakeQuantOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FakeQuantOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    if (!type.getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "only f32 is supported");
    quant::QuantizedType qtype = op.getQtype();
    QuantRange grid{qtype.getStorageTypeMin(), qtype.getStorageTypeMax()};
    Value result = buildQuantGeneric(
        rewriter, op.getLoc(), op.getInput(), type, qtype,
        [&](OpBuilder &b, Location loc, Value x, Value s, Value z) -> Value {
          Value q = buildScalarQuantize(b, loc, x, s, z, grid);
          return arith::MulFOp::create(b, loc,
                                       arith::SubFOp::create(b, loc, q, z), s);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ExpandQuantize : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    quant::QuantizedType qtype = op.getQtype();
    QuantRange grid{qtype.getStorageTypeMin(), qtype.getStorageTypeMax()};
    Type storage = op.getType().getElementType();
    Value result = buildQuantGeneric(
        rewriter, op.getLoc(), op.getInput(), op.getType(), qtype,
        [&](OpBuilder &b, Location loc, Value x, Value s, Value z) -> Value {
          // The level is clamped in f32, where a 32-bit qmax rounds up to
          // 2^31: convert through i64 and clamp again in integers. Truncating
          // keeps the bit pattern of unsigned levels.
          Value q = buildScalarQuantize(b, loc, x, s, z, grid);
          Value i = arith::FPToSIOp::create(b, loc, b.getI64Type(), q);
          auto bound = [&](int64_t v) -> Value {
            return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
          };
          i = arith::MinSIOp::create(b, loc, i, bound(grid.qmax));
          i = arith::MaxSIOp::create(b, loc, i, bound(grid.qmin));
          return arith::TruncIOp::create(b, loc, storage, i);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ExpandDequantize : OpRewritePattern<DequantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DequantizeOp op,
                                PatternRewriter &rewriter) const override {
    quant::QuantizedType qtype = op.getQtype();
    bool isSigned = qtype.isSigned();
    Value result = buildQuantGeneric(
        rewriter, op.getLoc(), op.getInput(), op.getType(), qtype,
        [&](OpBuilder &b, Location loc, Value q, Value s, Value z) -> Value {
          // s * (q - z) with q - z exact in i64 (Numerics.h).
          Type i64 = b.getI64Type();
          Value wide = isSigned ? Value(arith::ExtSIOp::create(b, loc, i64, q))
                                : Value(arith::ExtUIOp::create(b, loc, i64, q));
          Value zi = arith::FPToSIOp::create(b, loc, i64, z);
          Value centered = arith::SubIOp::create(b, loc, wide, zi);
          Value f = arith::SIToFPOp::create(b, loc, b.getF32Type(), centered);
          return arith::MulFOp::create(b, loc, s, f);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

struct QntExpandOpsPass
    : public qnt::impl::QntExpandOpsPassBase<QntExpandOpsPass> {
  void runOnOperation() override;
};

} // namespace

void mlir::qnt::populateQntExpandBatchNormPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ExpandBatchNorm>(patterns.getContext());
}

void mlir::qnt::populateQntExpandOpsPatterns(RewritePatternSet &patterns) {
  patterns.add<ExpandObserve, ExpandBatchNorm, ExpandFakeQuant, ExpandQuantize,
               ExpandDequantize>(patterns.getContext());
}

void QntExpandOpsPass::runOnOperation() {
  // Report what cannot be expanded instead of leaving it behind silently.
  WalkResult unsupported = getOperation().walk([](Operation *op) {
    if (auto fq = dyn_cast<FakeQuantOp>(op);
        fq && !fq.getType().getElementType().isF32()) {
      fq.emitOpError("cannot be expanded: only f32 tensors are supported, got ")
          << fq.getType();
      return WalkResult::interrupt();
    }
    if (auto bn = dyn_cast<BatchNormOp>(op);
        bn && (!bn.getInput().getType().hasStaticShape() ||
               bn.getGamma().getType().isDynamicDim(0))) {
      bn.emitOpError("cannot be expanded: dynamic shapes are not supported");
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (unsupported.wasInterrupted())
    return signalPassFailure();

  // The fused-activation marking only means something on the TOSA graph;
  // lowering the producer first would leave it dangling.
  getOperation().walk([](tosa::ClampOp clamp) {
    clamp->removeAttr(QntDialect::kFusedAttrName);
  });

  RewritePatternSet patterns(&getContext());
  populateQntExpandOpsPatterns(patterns);
  walkAndApplyPatterns(getOperation(), std::move(patterns));
}
