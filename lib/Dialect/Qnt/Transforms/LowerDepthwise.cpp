//===- LowerDepthwise.cpp - Depthwise convolutions vectorized on channels -===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A depthwise convolution (channel multiplier 1) has no reduction over
// channels, so it is not a GEMM: it is vectorized over 16 channels at a time
// instead. For each output pixel and block of 16 channels
//
//   acc[c] = init[c] + sum_{kh, kw} (x[oh*s + kh*d, ow*s + kw*d, c] - z_x) *
//   w[kh, kw, c]
//          = init[c] - z_x * sum_{kh, kw} w[kh, kw, c]
//                    + sum_{kh, kw} x[...] * w[kh, kw, c]
//
// with the taps unrolled, the input bytes sign-extended to i32 lanes and
// multiplied-added with qnt.dot_s16s16 (vpdpwssd) against a constant table
// of i16 pairs (w, 0) (int8), or read as f32 lanes (FMA) against a
// [KH * KW][C] table, and the correction added to a constant init (fill or
// broadcast bias) as the accumulators start. Elementwise consumers with
// per-channel constants (the bias add, the requantize to i8) run on the
// accumulators before they are stored, so an int8 layer writes i8, not i32.
// The input is read through its padding (clamped indices, the pad value
// selected outside), not from a padded copy.
//
//===----------------------------------------------------------------------===//

#include "KernelUtils.h"

#include "qnt/Dialect/Qnt/Transforms/Passes.h"
#include "qnt/Dialect/Qnt/Utils/ConstantUtils.h"

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace qnt {
#define GEN_PASS_DEF_QNTLOWERDEPTHWISEPASS
#include "qnt/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace qnt
} // namespace mlir

using namespace mlir;
using namespace mlir::qnt;

namespace {

/// Lanes of one vector: 16 channels.
constexpr int64_t kLanes = 16;

/// The depthwise convolution `op` (input [N, H, W, C], weights
/// [KH, KW, C, 1], init [N, OH, OW, C, 1]) as channel-vectorized loops.
static LogicalResult lowerDepthwise(PatternRewriter &rewriter, Operation *op,
                                    Value input, Value filter, Value init,
                                    std::optional<int64_t> zeroPoint,
                                    ArrayRef<int64_t> strides,
                                    ArrayRef<int64_t> dilations) {
  bool isFloat = !zeroPoint;
  auto inType = cast<RankedTensorType>(input.getType());
  auto fType = cast<RankedTensorType>(filter.getType());
  auto outType = cast<RankedTensorType>(op->getResult(0).getType());
  if (!inType.hasStaticShape() || !outType.hasStaticShape() ||
      !fType.hasStaticShape() || fType.getDimSize(3) != 1 ||
      !(isFloat ? inType.getElementType().isF32()
                : inType.getElementType().isInteger(8)))
    return rewriter.notifyMatchFailure(op, "needs static shapes, multiplier 1");
  ArrayRef<int64_t> out = outType.getShape(), f = fType.getShape();
  int64_t channels = inType.getDimSize(3), kh = f[0], kw = f[1];
  // The tables are padded to whole vectors; the last, partial block of
  // channels reads and writes the tensors with masks.
  int64_t cPad = (channels + kLanes - 1) / kLanes * kLanes;
  std::optional<SmallVector<double>> w = getWeightValues(
      filter, isFloat, kh * kw, channels, /*transposeKN=*/false);
  if (!w)
    return rewriter.notifyMatchFailure(op, "needs constant weights");

  Location loc = op->getLoc();
  OpBuilder &b = rewriter;
  WindowInput window = WindowInput::get(input);
  Type accElement = isFloat ? Type(b.getF32Type()) : Type(b.getI32Type());
  auto acc = VectorType::get({kLanes}, accElement);
  // [KH, KW, C, 1] weights in row-major order are the [tap][channel] table.
  const SmallVector<double> &table = *w;
  SmallVector<double> correction(cPad, 0.0);
  std::optional<SmallVector<double>> columnInit =
      getColumnConstant(init, channels);
  for (int64_t c = 0; c < channels; ++c) {
    double sum = 0;
    for (int64_t t = 0; t < kh * kw; ++t)
      sum += table[t * channels + c];
    correction[c] = (isFloat ? 0.0 : -double(*zeroPoint) * sum) +
                    (columnInit ? (*columnInit)[c] : 0.0);
  }
  RankedTensorType tableType =
      RankedTensorType::get({kh * kw, cPad}, accElement);
  auto corrType = RankedTensorType::get({cPad}, accElement);
  DenseElementsAttr tableAttr, corrAttr;
  SmallVector<double> padded(kh * kw * cPad, 0.0);
  for (int64_t t = 0; t < kh * kw; ++t)
    for (int64_t c = 0; c < channels; ++c)
      padded[t * cPad + c] = table[t * channels + c];
  if (isFloat) {
    SmallVector<float> tf(padded.begin(), padded.end());
    SmallVector<float> cf(correction.begin(), correction.end());
    tableAttr = DenseElementsAttr::get(tableType, ArrayRef(tf));
    corrAttr = DenseElementsAttr::get(corrType, ArrayRef(cf));
  } else {
    // Pairs (w, 0) of i16: qnt.dot_s16s16 of the sign-extended input (the
    // pair (x, sign)) with them is x * w.
    SmallVector<int16_t> ti;
    for (double v : padded)
      ti.append({int16_t(v), int16_t(0)});
    tableType =
        RankedTensorType::get({kh * kw, 2 * cPad}, b.getIntegerType(16));
    SmallVector<int32_t> ci(correction.begin(), correction.end());
    tableAttr = DenseElementsAttr::get(tableType, ArrayRef(ti));
    corrAttr = DenseElementsAttr::get(corrType, ArrayRef(ci));
  }
  Value weights = arith::ConstantOp::create(b, loc, tableAttr);
  Value corr = arith::ConstantOp::create(b, loc, corrAttr);

  // The output without the multiplier dimension.
  auto out4 = RankedTensorType::get({out[0], out[1], out[2], out[3]},
                                    outType.getElementType());
  SmallVector<ReassociationIndices> drop = {{0}, {1}, {2}, {3, 4}};
  // The elementwise consumers (bias add, requantize to i8) run on the
  // accumulators before they are stored, when those start from constants:
  // the kernel then writes the consumers' result.
  std::optional<Epilogue> epilogue;
  tensor::CollapseShapeOp collapse;
  if (columnInit && op->getResult(0).hasOneUse()) {
    collapse =
        dyn_cast<tensor::CollapseShapeOp>(*op->getResult(0).getUsers().begin());
    if (collapse && collapse.getReassociationIndices() == drop)
      epilogue = Epilogue::match(collapse.getResult(), op);
  }
  // A partial block cannot read whole tensors (a residual input) unmasked.
  if (epilogue && cPad != channels && epilogue->hasFullInputs() &&
      !epilogue->dropFullInputStages())
    epilogue.reset();
  Type outElement = accElement;
  if (epilogue) {
    epilogue->hoistInputsAbove(rewriter, op);
    epilogue->padColumns(b, loc, cPad);
    outElement = epilogue->getResultType().getElementType();
  }
  Value c0 =
      columnInit
          ? Value(tensor::EmptyOp::create(b, loc, out4.getShape(), outElement))
          : Value(tensor::CollapseShapeOp::create(b, loc, out4, init, drop));
  Value zeroAcc = arith::ConstantOp::create(b, loc, b.getZeroAttr(accElement));
  auto pairs = VectorType::get({2 * kLanes}, b.getIntegerType(16));
  Value zeroPair = arith::ConstantOp::create(b, loc, b.getI16IntegerAttr(0));
  SmallVector<bool> inBounds = {true};
  auto inVec = VectorType::get({kLanes}, inType.getElementType());
  int64_t blocks = channels / kLanes;
  SmallVector<bool> masked = {false};

  // Loops over n, oh, ow; the channel blocks and taps unrolled inside.
  Value result = buildPixelLoops(
      b, loc, out.take_front(3), c0,
      [&](OpBuilder &b, ValueRange pixel, Value t2) -> Value {
        Value n = pixel[0], oh = pixel[1], ow = pixel[2];
        Value tile = t2;
        Value ohs = arith::MulIOp::create(b, loc, oh,
                                          indexConstant(b, loc, strides[0]));
        Value ows = arith::MulIOp::create(b, loc, ow,
                                          indexConstant(b, loc, strides[1]));
        // The channel blocks of this pixel, the taps at source rows `rows`
        // and columns `columns`, each read where `insideTap` (null: always).
        auto channelLoop = [&](OpBuilder &b, Value tile, ArrayRef<Value> rows,
                               ArrayRef<Value> columns,
                               ArrayRef<Value> insideTap) -> Value {
          // One block of 16 channels from `c`; `exact`: all inside the
          // tensors (else the reads and writes are masked).
          auto block = [&](OpBuilder &b, Value c, Value tile,
                           bool exact) -> Value {
            ArrayRef<bool> bounds = exact ? inBounds : masked;
            Value sum = vector::TransferReadOp::create(
                b, loc, acc, corr, ValueRange{c}, zeroAcc, inBounds);
            if (!columnInit) {
              Value read = vector::TransferReadOp::create(
                  b, loc, acc, tile, ValueRange{n, oh, ow, c}, zeroAcc, bounds);
              sum = isFloat ? Value(arith::AddFOp::create(b, loc, sum, read))
                            : Value(arith::AddIOp::create(b, loc, sum, read));
            }
            for (int64_t i = 0; i < kh; ++i)
              for (int64_t j = 0; j < kw; ++j) {
                Value pixels = window.read(
                    b, loc, inVec, n, rows[i], columns[j], c,
                    insideTap.empty() ? Value() : insideTap[i * kw + j], exact);
                Value t = indexConstant(b, loc, i * kw + j);
                if (isFloat) {
                  Value tap = vector::TransferReadOp::create(
                      b, loc, acc, weights, ValueRange{t, c}, zeroAcc,
                      inBounds);
                  sum = vector::FMAOp::create(b, loc, pixels, tap, sum);
                } else {
                  Value c2 = arith::MulIOp::create(b, loc, c,
                                                   indexConstant(b, loc, 2));
                  Value tap = vector::TransferReadOp::create(
                      b, loc, pairs, weights, ValueRange{t, c2}, zeroPair,
                      inBounds);
                  Value wide = vector::BitCastOp::create(
                      b, loc, pairs,
                      arith::ExtSIOp::create(b, loc, acc, pixels));
                  sum = DotS16S16Op::create(b, loc, sum, wide, tap);
                }
              }
            if (epilogue)
              sum = epilogue->apply(b, loc, sum, c, ValueRange{n, oh, ow, c});
            return vector::TransferWriteOp::create(
                       b, loc, sum, tile, ValueRange{n, oh, ow, c}, bounds)
                .getResult();
          };
          // Channel blocks in a loop (unrolling them all would make wide
          // layers' bodies thousands of ops long), taps unrolled inside;
          // then the partial block.
          if (blocks > 0)
            tile =
                scf::ForOp::create(
                    b, loc, indexConstant(b, loc, 0),
                    indexConstant(b, loc, blocks * kLanes),
                    indexConstant(b, loc, kLanes), ValueRange{tile},
                    [&](OpBuilder &b, Location, Value c, ValueRange carried) {
                      scf::YieldOp::create(
                          b, loc, block(b, c, carried[0], /*exact=*/true));
                    })
                    .getResult(0);
          if (cPad == channels)
            return tile;
          return block(b, indexConstant(b, loc, blocks * kLanes), tile,
                       /*exact=*/false);
        };
        auto tapIndex = [&](Value base, int64_t t, int64_t d) -> Value {
          return arith::AddIOp::create(b, loc, base,
                                       indexConstant(b, loc, t * d));
        };
        if (!window.isPadded()) {
          SmallVector<Value> rows, columns;
          for (int64_t i = 0; i < kh; ++i)
            rows.push_back(tapIndex(ohs, i, dilations[0]));
          for (int64_t j = 0; j < kw; ++j)
            columns.push_back(tapIndex(ows, j, dilations[1]));
          return channelLoop(b, tile, rows, columns, {});
        }
        // Padded: pixels whose window lies inside the source read it
        // directly (taps at constant offsets from one address); the
        // others clamp each tap's row and column and select the pad value
        // outside.
        Value y0 = arith::SubIOp::create(b, loc, ohs,
                                         indexConstant(b, loc, window.top));
        Value x0 = arith::SubIOp::create(b, loc, ows,
                                         indexConstant(b, loc, window.left));
        auto cmp = [&](arith::CmpIPredicate p, Value v, int64_t bound) {
          return arith::CmpIOp::create(b, loc, p, v,
                                       indexConstant(b, loc, bound));
        };
        using P = arith::CmpIPredicate;
        Value interior = arith::AndIOp::create(
            b, loc,
            arith::AndIOp::create(b, loc, cmp(P::sge, y0, 0),
                                  cmp(P::sge, x0, 0)),
            arith::AndIOp::create(
                b, loc,
                cmp(P::slt, tapIndex(y0, kh - 1, dilations[0]), window.height),
                cmp(P::slt, tapIndex(x0, kw - 1, dilations[1]), window.width)));
        auto branch = scf::IfOp::create(
            b, loc, interior,
            [&](OpBuilder &b, Location) {
              SmallVector<Value> rows, columns;
              for (int64_t i = 0; i < kh; ++i)
                rows.push_back(tapIndex(y0, i, dilations[0]));
              for (int64_t j = 0; j < kw; ++j)
                columns.push_back(tapIndex(x0, j, dilations[1]));
              scf::YieldOp::create(b, loc,
                                   channelLoop(b, tile, rows, columns, {}));
            },
            [&](OpBuilder &b, Location) {
              SmallVector<Value> rows, columns, inside;
              SmallVector<Value> rowInside, colInside;
              for (int64_t i = 0; i < kh; ++i) {
                auto [r, in] =
                    window.row(b, loc, tapIndex(ohs, i, dilations[0]));
                rows.push_back(r);
                rowInside.push_back(in);
              }
              for (int64_t j = 0; j < kw; ++j) {
                auto [col, in] =
                    window.column(b, loc, tapIndex(ows, j, dilations[1]));
                columns.push_back(col);
                colInside.push_back(in);
              }
              for (int64_t i = 0; i < kh; ++i)
                for (int64_t j = 0; j < kw; ++j)
                  inside.push_back(arith::AndIOp::create(b, loc, rowInside[i],
                                                         colInside[j]));
              scf::YieldOp::create(b, loc,
                                   channelLoop(b, tile, rows, columns, inside));
            });
        return branch.getResult(0);
      });
  if (epilogue) {
    epilogue->replace(rewriter, result);
    rewriter.eraseOp(collapse);
    rewriter.eraseOp(op);
    return success();
  }
  rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(op, outType, result, drop);
  return success();
}

/// linalg.depthwise_conv_2d_nhwc_hwcm_q (int8, symmetric weights) or
/// linalg.depthwise_conv_2d_nhwc_hwcm (f32, or int8 with zero zero points).
template <typename ConvOp, bool Quantized>
struct LowerDepthwise : OpRewritePattern<ConvOp> {
  using OpRewritePattern<ConvOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<int64_t> zx = getInt8InputZeroPoint(op, Quantized);
    if (!op.hasPureTensorSemantics() || (Quantized && !zx))
      return rewriter.notifyMatchFailure(op, "needs tensors, constant "
                                             "symmetric zero points");
    auto [strides, dilations] = getWindowAttrs(op);
    return lowerDepthwise(rewriter, op, op.getInputs()[0], op.getInputs()[1],
                          op.getOutputs()[0], zx, strides, dilations);
  }
};

struct QntLowerDepthwisePass
    : public qnt::impl::QntLowerDepthwisePassBase<QntLowerDepthwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateQntLowerDepthwisePatterns(patterns);
    applyKernelPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace

void mlir::qnt::populateQntLowerDepthwisePatterns(RewritePatternSet &patterns) {
  patterns.add<LowerDepthwise<linalg::DepthwiseConv2DNhwcHwcmQOp, true>,
               LowerDepthwise<linalg::DepthwiseConv2DNhwcHwcmOp, false>>(
      patterns.getContext());
}
