//===- LowerInt8Gemm.cpp - Integer matmuls as u8 x s8 microkernels --------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// linalg.conv_2d_nhwc_fhwc_q and linalg.quantized_batch_matmul with constant
// symmetric weights become one GEMM over rows m (output pixels) and columns n
// (output channels), K = KH * KW * C:
//
//   C[m, n] = init[m, n] + sum_k (a[m, k] - z_a) * w[n, k]
//           = init[m, n] - (z_a + 128) * colsum(w)[n] + sum_k u[m, k] * w[n, k]
//
// with u = a xor 0x80, the u8 value of the s8 storage plus 128, which is the
// unsigned operand of vpdpbusd (qnt.dot_u8s8). The activations are packed
// once (im2col, xor, K padded to a multiple of 4 with zeros); the weights are
// packed at compile time to [N / NR][K / 4][NR][4] (zero-padded), and the
// correction is added to the accumulators as the kernel loads them. The kernel
// keeps an MR x NR tile of accumulators in registers (NR = 16 * J lanes, MR * J
// + J + 1 <= 32 zmm) through the whole K loop; the last M % MR rows get a
// kernel of their own height, padded columns are sliced away.
//
//===----------------------------------------------------------------------===//

#include "qnt/Dialect/Qnt/Transforms/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir {
namespace qnt {
#define GEN_PASS_DEF_QNTLOWERINT8GEMMPASS
#include "qnt/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace qnt
} // namespace mlir

using namespace mlir;
using namespace mlir::qnt;

namespace {

/// The GEMM a matched op computes.
struct Gemm {
  /// [M, K] i8 activations (s8 storage), K not yet padded.
  Value a;
  int64_t m, n, k;
  /// Weights as w[n][k].
  SmallVector<int8_t> w;
  int64_t zeroPoint; // of the activations, in their s8 domain
  /// [M, N] i32 initial accumulators.
  Value init;
  /// Set when init is a constant per column (a fill or a broadcast bias,
  /// as tosa-to-linalg builds it): added to the correction instead, so the
  /// kernel never reads init.
  std::optional<SmallVector<int32_t>> columnInit;
};

/// The per-column values of `init` when it is a constant fill or the
/// broadcast of a constant 1-D tensor along the last dimension.
static std::optional<SmallVector<int32_t>> getColumnConstant(Value init,
                                                             int64_t n) {
  if (auto fill = init.getDefiningOp<linalg::FillOp>()) {
    APInt value;
    if (!matchPattern(fill.getInputs()[0], m_ConstantInt(&value)))
      return std::nullopt;
    return SmallVector<int32_t>(n, static_cast<int32_t>(value.getSExtValue()));
  }
  auto generic = init.getDefiningOp<linalg::GenericOp>();
  if (!generic || generic.getNumDpsInputs() != 1 ||
      generic.getNumDpsInits() != 1)
    return std::nullopt;
  auto yield = cast<linalg::YieldOp>(generic.getBody()->getTerminator());
  AffineMap map = generic.getIndexingMapsArray()[0];
  unsigned rank = map.getNumDims();
  if (yield.getValues().size() != 1 ||
      yield.getValues()[0] != generic.getBody()->getArgument(0) ||
      map != AffineMap::get(rank, 0,
                            getAffineDimExpr(rank - 1, generic.getContext())))
    return std::nullopt;
  DenseIntElementsAttr bias;
  if (!matchPattern(generic.getDpsInputs()[0], m_Constant(&bias)) ||
      bias.getNumElements() != n)
    return std::nullopt;
  SmallVector<int32_t> values;
  for (const APInt &v : bias.getValues<APInt>())
    values.push_back(static_cast<int32_t>(v.getSExtValue()));
  return values;
}

/// The elements of a constant i8 tensor.
static std::optional<SmallVector<int8_t>> getInt8Constant(Value v) {
  ElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) ||
      !attr.getElementType().isInteger(8))
    return std::nullopt;
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr))
    return SmallVector<int8_t>(dense.getValues<int8_t>());
  if (auto resource = dyn_cast<DenseI8ResourceElementsAttr>(attr))
    if (std::optional<ArrayRef<int8_t>> data = resource.tryGetAsArrayRef())
      return SmallVector<int8_t>(*data);
  return std::nullopt;
}

static std::optional<int64_t> getIntConstant(Value v) {
  APInt value;
  if (!matchPattern(v, m_ConstantInt(&value)))
    return std::nullopt;
  return value.getSExtValue();
}

static Value index(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// u = a xor 0x80 over `input`, read through `inputMap` from an iteration
/// space of `shape` (im2col for convolutions, a copy for matmuls).
static Value packActivations(OpBuilder &b, Location loc, Value input,
                             ArrayRef<int64_t> shape, AffineMap inputMap) {
  auto type = RankedTensorType::get(shape, b.getI8Type());
  Value init = tensor::EmptyOp::create(b, loc, shape, b.getI8Type());
  SmallVector<AffineMap> maps = {inputMap,
                                 b.getMultiDimIdentityMap(shape.size())};
  SmallVector<utils::IteratorType> iterators(shape.size(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, ValueRange{input}, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nb, Location l, ValueRange args) {
        Value bit = arith::ConstantOp::create(nb, l, nb.getI8IntegerAttr(-128));
        Value u = arith::XOrIOp::create(nb, l, args[0], bit);
        linalg::YieldOp::create(nb, l, u);
      });
  return generic.getResult(0);
}

/// The register tile for N output columns: J vectors of 16 lanes, MR rows.
static std::pair<int64_t, int64_t> tileFor(int64_t n) {
  int64_t j = std::min<int64_t>(4, (n + 15) / 16);
  static constexpr int64_t rows[] = {0, 16, 12, 8, 6};
  return {j, rows[j]};
}

/// The microkernel loops over rows [lo, lo + count) in tiles of `mr` rows:
/// C[M, NT * NR] += A[M, K4 * 4] x packed B [NT][K4][NR * 4].
static Value buildKernel(OpBuilder &b, Location loc, Value a, Value packed,
                         Value corr, Value c, bool readInit, int64_t lo,
                         int64_t count, int64_t mr, int64_t j, int64_t nt,
                         int64_t k4) {
  if (count == 0)
    return c;
  int64_t nr = 16 * j;
  auto acc = VectorType::get({16}, b.getI32Type());
  auto bytes = VectorType::get({64}, b.getI8Type());
  Value zero32 = arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0));
  Value zero8 = arith::ConstantOp::create(b, loc, b.getI8IntegerAttr(0));
  SmallVector<bool> inBounds = {true};
  // Column tiles outside, rows inside: a column tile's packed weights
  // (K4 * NR * 4 bytes) stay in L1 while the rows stream past.
  auto cols = scf::ForOp::create(
      b, loc, index(b, loc, 0), index(b, loc, nt), index(b, loc, 1),
      ValueRange{c},
      [&](OpBuilder &b, Location loc, Value tile, ValueRange colArgs) {
        // The tile's zero-point correction, added to every row's
        // accumulators as they are loaded.
        Value n0 = arith::MulIOp::create(b, loc, tile, index(b, loc, nr));
        SmallVector<Value> colIdx, correction;
        for (int64_t q = 0; q < j; ++q) {
          colIdx.push_back(
              arith::AddIOp::create(b, loc, n0, index(b, loc, 16 * q)));
          correction.push_back(vector::TransferReadOp::create(
              b, loc, acc, corr, ValueRange{colIdx[q]}, zero32, inBounds));
        }
        auto rows = scf::ForOp::create(
            b, loc, index(b, loc, lo), index(b, loc, lo + count),
            index(b, loc, mr), ValueRange{colArgs[0]},
            [&](OpBuilder &b, Location loc, Value m, ValueRange rowArgs) {
              Value out = rowArgs[0];
              SmallVector<Value> rowIdx, init;
              for (int64_t i = 0; i < mr; ++i)
                rowIdx.push_back(
                    arith::AddIOp::create(b, loc, m, index(b, loc, i)));
              for (int64_t i = 0; i < mr; ++i)
                for (int64_t q = 0; q < j; ++q)
                  init.push_back(readInit
                                     ? Value(arith::AddIOp::create(
                                           b, loc,
                                           vector::TransferReadOp::create(
                                               b, loc, acc, out,
                                               ValueRange{rowIdx[i], colIdx[q]},
                                               zero32, inBounds),
                                           correction[q]))
                                     : correction[q]);
              auto kLoop = scf::ForOp::create(
                  b, loc, index(b, loc, 0), index(b, loc, k4), index(b, loc, 1),
                  init,
                  [&](OpBuilder &b, Location loc, Value k, ValueRange accs) {
                    Value k0 =
                        arith::MulIOp::create(b, loc, k, index(b, loc, 4));
                    SmallVector<Value> weights;
                    for (int64_t q = 0; q < j; ++q)
                      weights.push_back(vector::TransferReadOp::create(
                          b, loc, bytes, packed,
                          ValueRange{tile, k, index(b, loc, 64 * q)}, zero8,
                          inBounds));
                    SmallVector<Value> next;
                    for (int64_t i = 0; i < mr; ++i) {
                      // Four bytes of row i, broadcast to all 16 lanes.
                      Value four = vector::TransferReadOp::create(
                          b, loc, VectorType::get({4}, b.getI8Type()), a,
                          ValueRange{rowIdx[i], k0}, zero8, inBounds);
                      Value word = vector::BitCastOp::create(
                          b, loc, VectorType::get({1}, b.getI32Type()), four);
                      Value lanes =
                          vector::BroadcastOp::create(b, loc, acc, word);
                      Value lhs =
                          vector::BitCastOp::create(b, loc, bytes, lanes);
                      for (int64_t q = 0; q < j; ++q)
                        next.push_back(DotU8S8Op::create(
                            b, loc, acc, accs[i * j + q], lhs, weights[q]));
                    }
                    scf::YieldOp::create(b, loc, next);
                  });
              for (int64_t i = 0; i < mr; ++i)
                for (int64_t q = 0; q < j; ++q)
                  out = vector::TransferWriteOp::create(
                            b, loc, kLoop.getResult(i * j + q), out,
                            ValueRange{rowIdx[i], colIdx[q]}, inBounds)
                            .getResult();
              scf::YieldOp::create(b, loc, out);
            });
        scf::YieldOp::create(b, loc, rows.getResult(0));
      });
  return cols.getResult(0);
}

/// Replaces `op` by the packed GEMM; the result is [M, N] i32.
static Value buildGemm(OpBuilder &b, Location loc, const Gemm &g) {
  auto [j, mr] = tileFor(g.n);
  int64_t nr = 16 * j;
  int64_t nt = (g.n + nr - 1) / nr, nPad = nt * nr;
  int64_t k4 = (g.k + 3) / 4, kPad = 4 * k4;

  // Activations with K padded by zeros (their weights are zero too).
  Value a = g.a;
  if (kPad != g.k) {
    Value zero = arith::ConstantOp::create(b, loc, b.getI8IntegerAttr(0));
    a = tensor::createPadHighOp(
        RankedTensorType::get({g.m, kPad}, b.getI8Type()), a, zero,
        /*nofold=*/false, loc, b);
  }

  // Weights [NT][K4][NR][4] and the zero-point correction per column.
  SmallVector<int8_t> packed(nt * k4 * nr * 4, 0);
  SmallVector<int32_t> correction(nPad, 0);
  for (int64_t n = 0; n < g.n; ++n) {
    int64_t colsum = 0;
    for (int64_t k = 0; k < g.k; ++k) {
      int8_t w = g.w[n * g.k + k];
      colsum += w;
      int64_t tile = n / nr, lane = n % nr;
      packed[((tile * k4 + k / 4) * nr + lane) * 4 + k % 4] = w;
    }
    correction[n] =
        static_cast<int32_t>(-(g.zeroPoint + 128) * colsum +
                             (g.columnInit ? (*g.columnInit)[n] : 0));
  }
  auto packedType = RankedTensorType::get({nt, k4, nr * 4}, b.getI8Type());
  Value weights = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(packedType, ArrayRef(packed)));
  auto corrType = RankedTensorType::get({nPad}, b.getI32Type());
  Value corr = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(corrType, ArrayRef(correction)));

  // The accumulators start from init (+ the correction, in the kernel),
  // columns padded to NT * NR.
  bool readInit = !g.columnInit;
  Value c0 = g.init;
  if (!readInit) {
    c0 = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{g.m, nPad},
                                 b.getI32Type());
  } else if (nPad != g.n) {
    Value zero32 = arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0));
    c0 = tensor::createPadHighOp(
        RankedTensorType::get({g.m, nPad}, b.getI32Type()), c0, zero32,
        /*nofold=*/false, loc, b);
  }

  int64_t full = g.m / mr * mr;
  Value c = buildKernel(b, loc, a, weights, corr, c0, readInit, 0, full, mr, j,
                        nt, k4);
  c = buildKernel(b, loc, a, weights, corr, c, readInit, full, g.m - full,
                  g.m - full, j, nt, k4);
  if (nPad != g.n)
    c = tensor::ExtractSliceOp::create(
        b, loc, RankedTensorType::get({g.m, g.n}, b.getI32Type()), c,
        ArrayRef<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(g.m), b.getIndexAttr(g.n)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
  return c;
}

struct LowerConv : OpRewritePattern<linalg::Conv2DNhwcFhwcQOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::Conv2DNhwcFhwcQOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not on tensors");
    Value input = op.getInputs()[0], filter = op.getInputs()[1];
    auto inType = cast<RankedTensorType>(input.getType());
    auto outType = cast<RankedTensorType>(op.getResultTypes()[0]);
    auto fType = cast<RankedTensorType>(filter.getType());
    std::optional<SmallVector<int8_t>> w = getInt8Constant(filter);
    std::optional<int64_t> za = getIntConstant(op.getInputs()[2]);
    std::optional<int64_t> zw = getIntConstant(op.getInputs()[3]);
    if (!inType.hasStaticShape() || !outType.hasStaticShape() ||
        !inType.getElementType().isInteger(8) || !w || !za || !zw || *zw != 0)
      return rewriter.notifyMatchFailure(
          op, "needs static i8 shapes and constant symmetric weights");
    ArrayRef<int64_t> in = inType.getShape(), out = outType.getShape(),
                      f = fType.getShape();
    SmallVector<int64_t> strides(op.getStrides().getValues<int64_t>());
    SmallVector<int64_t> dilations(op.getDilations().getValues<int64_t>());
    Location loc = op.getLoc();

    // im2col: [N, OH, OW, KH, KW, C] <- input[n, oh*s + kh*d, ow*s + kw*d, c].
    MLIRContext *ctx = rewriter.getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    AffineMap inputMap =
        AffineMap::get(6, 0,
                       {d(0), d(1) * strides[0] + d(3) * dilations[0],
                        d(2) * strides[1] + d(4) * dilations[1], d(5)},
                       ctx);
    SmallVector<int64_t> patches = {out[0], out[1], out[2], f[1], f[2], in[3]};
    Value cols = packActivations(rewriter, loc, input, patches, inputMap);
    Gemm g;
    g.m = out[0] * out[1] * out[2];
    g.n = out[3];
    g.k = f[1] * f[2] * f[3];
    g.a = tensor::CollapseShapeOp::create(
        rewriter, loc, RankedTensorType::get({g.m, g.k}, rewriter.getI8Type()),
        cols, ArrayRef<ReassociationIndices>{{0, 1, 2}, {3, 4, 5}});
    g.w = std::move(*w); // [O][KH][KW][C] is w[n][k]
    g.zeroPoint = *za;
    g.columnInit = getColumnConstant(op.getOutputs()[0], g.n);
    g.init = tensor::CollapseShapeOp::create(
        rewriter, loc, RankedTensorType::get({g.m, g.n}, rewriter.getI32Type()),
        op.getOutputs()[0], ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}});
    Value c = buildGemm(rewriter, loc, g);
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        op, outType, c, ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}});
    return success();
  }
};

struct LowerMatmul : OpRewritePattern<linalg::QuantizedBatchMatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::QuantizedBatchMatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "not on tensors");
    Value lhs = op.getInputs()[0], rhs = op.getInputs()[1];
    auto aType = cast<RankedTensorType>(lhs.getType());
    auto bType = cast<RankedTensorType>(rhs.getType());
    auto outType = cast<RankedTensorType>(op.getResultTypes()[0]);
    std::optional<SmallVector<int8_t>> b = getInt8Constant(rhs);
    std::optional<int64_t> za = getIntConstant(op.getInputs()[2]);
    std::optional<int64_t> zb = getIntConstant(op.getInputs()[3]);
    if (!aType.hasStaticShape() || !aType.getElementType().isInteger(8) ||
        aType.getDimSize(0) != 1 || !b || !za || !zb || *zb != 0)
      return rewriter.notifyMatchFailure(
          op, "needs one static i8 batch and constant symmetric weights");
    Location loc = op.getLoc();
    Gemm g;
    g.m = aType.getDimSize(1);
    g.k = aType.getDimSize(2);
    g.n = bType.getDimSize(2);
    Value packed = packActivations(rewriter, loc, lhs, aType.getShape(),
                                   rewriter.getMultiDimIdentityMap(3));
    g.a = tensor::CollapseShapeOp::create(
        rewriter, loc, RankedTensorType::get({g.m, g.k}, rewriter.getI8Type()),
        packed, ArrayRef<ReassociationIndices>{{0, 1}, {2}});
    g.w.resize(g.n * g.k);
    for (int64_t k = 0; k < g.k; ++k)
      for (int64_t n = 0; n < g.n; ++n)
        g.w[n * g.k + k] = (*b)[k * g.n + n];
    g.zeroPoint = *za;
    g.columnInit = getColumnConstant(op.getOutputs()[0], g.n);
    g.init = tensor::CollapseShapeOp::create(
        rewriter, loc, RankedTensorType::get({g.m, g.n}, rewriter.getI32Type()),
        op.getOutputs()[0], ArrayRef<ReassociationIndices>{{0, 1}, {2}});
    Value c = buildGemm(rewriter, loc, g);
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        op, outType, c, ArrayRef<ReassociationIndices>{{0, 1}, {2}});
    return success();
  }
};

struct QntLowerInt8GemmPass
    : public qnt::impl::QntLowerInt8GemmPassBase<QntLowerInt8GemmPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateQntLowerInt8GemmPatterns(patterns);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace

void mlir::qnt::populateQntLowerInt8GemmPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerConv, LowerMatmul>(patterns.getContext());
}
