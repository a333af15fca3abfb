//===- LowerGemm.cpp - Convolutions and matmuls as GEMM microkernels ------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Convolutions (NHWC, FHWC weights) and one-batch matmuls with constant
// weights become one GEMM over rows m (output pixels) and columns n (output
// channels), K = KH * KW * C. For int8 (linalg.conv_2d_nhwc_fhwc_q,
// linalg.quantized_batch_matmul, symmetric weights):
//
//   C[m, n] = init[m, n] + sum_k (a[m, k] - z_a) * w[n, k]
//           = init[m, n] - (z_a + 128) * colsum(w)[n] + sum_k u[m, k] * w[n, k]
//
// with u = a xor 0x80, the u8 value of the s8 storage plus 128, which is the
// unsigned operand of vpdpbusd (qnt.dot_u8s8); K advances by 4. For f32
// (linalg.conv_2d_nhwc_fhwc, linalg.batch_matmul) C = init + a * w^T with
// vector FMAs, K advancing by 1.
//
// The activations of a KHxKW convolution (dilation 1) are read in place
// from a padded copy of the input (int8: xor) when that is no more work
// than im2col: per kernel row its KW * C taps are one contiguous run of
// the padded row (int8: read in whole K steps, the bytes past the run
// weighing 0), so A[m, kh * RUN + j] is an offset from the pixel's first
// tap (ImplicitA), and the copy is one input's size where im2col writes
// KH * KW of them. A matmul or a 1x1 convolution reads them as rows (int8:
// flipped once into the rows and K its kernel needs, packRows). Otherwise
// they are packed once (im2col; int8: xor, K padded to a multiple of 4). The
// weights are packed at compile time to [N / NR][K / KS][NR * KS]
// (zero-padded). The correction (int8) and a constant init (a fill or a
// broadcast bias, as tosa-to-linalg builds it) are added to the accumulators as
// the kernel starts a tile. The kernel keeps an MR x NR tile of accumulators in
// registers (NR = 16 * J lanes, MR * J + J + 1 <= 32 zmm) through the whole K
// loop; the last M % MR rows get a kernel of their own height (read in place:
// each output row in equal tiles of at most MR pixels); a last, partial column
// tile computes and stores only its columns (no padded result to slice). Int8
// GEMMs whose K fills most of its 64-byte steps run on AMX tiles instead
// (usesAmx, buildAmxGemm).
//
// A p x p max pool at stride p of a convolution read in place runs on its
// accumulators (matchPool): a tile is p conv rows of p * W pixels, and
//
//   pooled[n] = f(max_{dy, dx < p} acc[p * y + dy, p * x + dx, n])
//
// equals max f(acc) because the epilogue f is non-decreasing over the
// accumulators' range (Epilogue::isNonDecreasing), so W pooled pixels are
// requantized and stored instead of p * p * W. A 1x1 convolution so pooled
// reads its input in place too; a pool of a channel concatenation is first
// split into its parts' pools (hoistPoolsAboveConcats), each then written
// into its slot of the pooled concatenation.
//
//===----------------------------------------------------------------------===//

#include "KernelUtils.h"

#include "qnt/Dialect/Qnt/Transforms/Passes.h"
#include "qnt/Dialect/Qnt/Utils/ConstantUtils.h"

#include "mlir/Dialect/AMX/AMXDialect.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace qnt {
#define GEN_PASS_DEF_QNTLOWERGEMMPASS
#include "qnt/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace qnt
} // namespace mlir

using namespace mlir;
using namespace mlir::qnt;

namespace {

/// A convolution's activations read in place ("implicit GEMM", no im2col):
/// `a` is the input padded to [N, HP, WP, C] and flattened (int8: sign bit
/// flipped), and row m = (n * OH + oh) * OW + ow of A at K index
/// kh * RUN + j is p[((n * HP + oh * SH + kh) * WP + ow * SW) * C + j]:
/// per kernel row the KW * C taps are one contiguous run of the padded
/// row, read as RUN >= KW * C elements (a multiple of the K step; the
/// bytes past the run weigh 0). Row tiles stay within an output row, so
/// the rows of a tile are SW * C elements apart.
struct ImplicitA {
  int64_t images, oh, ow, hp, wp, c, kh, sh, sw, run;
  /// Elements readable past the padded input (see packPadded; on AMX tiles
  /// also a last tile's pixels past OW).
  int64_t slack = 0;

  /// A pixel's row of A (= of C) and the offset of its first tap in the
  /// padded input.
  struct Position {
    Value row, offset;
  };
  /// Pixel (n, oh, 0): row (n * OH + oh) * OW, offset
  /// (n * HP + oh * SH) * WP * C.
  Position rowStart(OpBuilder &b, Location loc, Value image,
                    Value outRow) const {
    Value row = indexAffine(
        b, loc,
        arith::AddIOp::create(b, loc, indexAffine(b, loc, image, oh), outRow),
        ow);
    Value offset = indexAffine(
        b, loc,
        arith::AddIOp::create(b, loc, indexAffine(b, loc, image, hp),
                              indexAffine(b, loc, outRow, sh)),
        wp * c);
    return {row, offset};
  }
  /// The pixel `x` columns right of `start`.
  Position right(OpBuilder &b, Location loc, Position start, Value x) const {
    return {arith::AddIOp::create(b, loc, start.row, x),
            arith::AddIOp::create(b, loc, start.offset,
                                  indexAffine(b, loc, x, sw * c))};
  }
};

/// The GEMM a matched op computes.
struct Gemm {
  /// f32 (FMA) or int8 (u8 x s8 dot products).
  bool isFloat = false;
  /// [M, K] activations (int8: s8 storage, xor-ed already), or [M, kPad]
  /// with the K padding zeroed (on AMX from packRows: [MPad, KPad]).
  Value a;
  int64_t m, n, k;
  /// Weights as w[n][k] (int8 values or floats, exact in double).
  SmallVector<double> w;
  int64_t zeroPoint = 0; // int8: of the activations, in their s8 domain
  /// [M, N] initial accumulators.
  Value init;
  /// Set when init is a constant per column: then added at the start of a
  /// tile, and init is never read.
  std::optional<SmallVector<double>> columnInit;
  /// AMX tiles are allowed (the host has them, or amx=on).
  bool amx = false;
  /// Requantized vectors are narrowed four at a time (narrow=pack), else
  /// each by itself.
  bool packNarrowing = true;
  /// int8 on AMX tiles (see buildAmxGemm; decided with the packing of A).
  bool amxTiles = false;
  /// Set when `a` is not [M, K] but a padded input read in place (see
  /// ImplicitA).
  std::optional<ImplicitA> implicit;
  /// Set with a constant init: the [M, N] tensor the kernel writes into (a
  /// slice of a concat's result) instead of a new one.
  Value output;
  /// A p x p max pool at stride p fused (implicit A, constant init, a
  /// non-decreasing epilogue): the result is [images * pooledH * pooledW,
  /// N] (see matchPool).
  int64_t pool = 0, pooledH = 0, pooledW = 0;
  /// The pool's init, when it is not the lowest value of its type.
  TypedAttr poolFloor;
};

/// The activations read through `inputMap` from an iteration space of
/// `shape` (im2col for convolutions, a copy for matmuls); int8 values get
/// their sign bit flipped (u = a xor 0x80).
static Value packActivations(OpBuilder &b, Location loc, Value input,
                             ArrayRef<int64_t> shape, AffineMap inputMap) {
  Type element = cast<RankedTensorType>(input.getType()).getElementType();
  bool isFloat = isa<FloatType>(element);
  auto type = RankedTensorType::get(shape, element);
  Value init = tensor::EmptyOp::create(b, loc, shape, element);
  SmallVector<AffineMap> maps = {inputMap,
                                 b.getMultiDimIdentityMap(shape.size())};
  SmallVector<utils::IteratorType> iterators(shape.size(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, ValueRange{input}, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nb, Location l, ValueRange args) {
        Value v = args[0];
        if (!isFloat) {
          Value bit =
              arith::ConstantOp::create(nb, l, nb.getI8IntegerAttr(-128));
          v = arith::XOrIOp::create(nb, l, v, bit);
        }
        linalg::YieldOp::create(nb, l, v);
      });
  return generic.getResult(0);
}

/// The int8 activations `a` ([M, K]) with their sign bit flipped into a
/// [rows, cols] tensor (rows >= M, cols >= K), the padding zero: per row
/// vectors of 64 bytes, the last one read masked. One pass, where a copy
/// and a tensor.pad of it would be two. `flipped`: `a` holds the u8 bits
/// already (getFlippedSource): copied only where the kernel needs padding,
/// else `a` itself.
static Value packRows(OpBuilder &b, Location loc, Value a, int64_t rows,
                      int64_t cols, bool flipped) {
  auto type = cast<RankedTensorType>(a.getType());
  int64_t m = type.getDimSize(0), k = type.getDimSize(1);
  if (flipped && rows == m && cols == k)
    return a;
  Type i8 = b.getI8Type();
  constexpr int64_t kChunk = 64;
  int64_t full = k / kChunk * kChunk;
  Value init =
      tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{rows, cols}, i8);
  // Padding read as -128: flipped, it is the zero the K padding needs.
  Value minus128 =
      arith::ConstantOp::create(b, loc, b.getI8IntegerAttr(flipped ? 0 : -128));
  auto vec = [&](int64_t n) { return VectorType::get({n}, i8); };
  auto flip = [&](OpBuilder &b, int64_t n) -> Value {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vec(n), b.getI8IntegerAttr(-128)));
  };
  Value out = buildLoop(
      b, loc, m, 1, init, [&](OpBuilder &b, Value row, ValueRange args) {
        Value t = args[0];
        if (full > 0)
          t = buildLoop(
              b, loc, full, kChunk, t,
              [&](OpBuilder &b, Value col, ValueRange args) {
                Value v = vector::TransferReadOp::create(
                    b, loc, vec(kChunk), a, ValueRange{row, col}, minus128,
                    ArrayRef<bool>{true});
                if (!flipped)
                  v = arith::XOrIOp::create(b, loc, v, flip(b, kChunk));
                return SmallVector<Value>{
                    vector::TransferWriteOp::create(b, loc, v, args[0],
                                                    ValueRange{row, col},
                                                    ArrayRef<bool>{true})
                        .getResult()};
              })[0];
        for (int64_t col = full; col < cols; col += kChunk) {
          int64_t n = std::min(kChunk, cols - col);
          Value at = indexConstant(b, loc, col);
          // (col < k: cols - full <= 64.)
          Value v = vector::TransferReadOp::create(
              b, loc, vec(n), a, ValueRange{row, at}, minus128,
              ArrayRef<bool>{col + n <= k});
          if (!flipped)
            v = arith::XOrIOp::create(b, loc, v, flip(b, n));
          t = vector::TransferWriteOp::create(b, loc, v, t, ValueRange{row, at},
                                              ArrayRef<bool>{true})
                  .getResult();
        }
        return SmallVector<Value>{t};
      })[0];
  if (rows == m)
    return out;
  // The rows past M (a last AMX tile's) zero.
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(i8));
  Value zeros = linalg::FillOp::create(
                    b, loc, zero,
                    ValueRange{tensor::EmptyOp::create(
                        b, loc, ArrayRef<int64_t>{rows - m, cols}, i8)})
                    .getResult(0);
  return tensor::InsertSliceOp::create(
      b, loc, zeros, out,
      ArrayRef<OpFoldResult>{b.getIndexAttr(m), b.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{b.getIndexAttr(rows - m), b.getIndexAttr(cols)},
      ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
}

/// im2col with vectors: cols[n, oh, ow, kh, kw, c] = x[n, oh*s + kh*d,
/// ow*s + kw*d, c] (int8: sign bit flipped, unless `flipped`: `window` is
/// over the u8 bits already, getFlippedWindow), `lanes` channels per
/// vector, the taps unrolled, reading through the padding of `window` (no
/// padded copy of the input).
static Value packWindows(OpBuilder &b, Location loc, const WindowInput &window,
                         ArrayRef<int64_t> patches, ArrayRef<int64_t> strides,
                         ArrayRef<int64_t> dilations, int64_t lanes,
                         bool flipped) {
  Type element =
      cast<RankedTensorType>(window.source.getType()).getElementType();
  bool isFloat = isa<FloatType>(element);
  auto vec = VectorType::get({lanes}, element);
  Value init = tensor::EmptyOp::create(b, loc, patches, element);
  Value flip;
  if (!isFloat && !flipped)
    flip = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vec, b.getI8IntegerAttr(-128)));
  int64_t kh = patches[3], kw = patches[4], channels = patches[5];
  return buildPixelLoops(
      b, loc, patches.take_front(3), init,
      [&](OpBuilder &b, ValueRange pixel, Value cols) -> Value {
        Value n = pixel[0], oh = pixel[1], ow = pixel[2];
        Value yp = arith::MulIOp::create(b, loc, oh,
                                         indexConstant(b, loc, strides[0]));
        Value xp = arith::MulIOp::create(b, loc, ow,
                                         indexConstant(b, loc, strides[1]));
        // The taps at source rows `rows` and columns `columns`, each read
        // where `inside` (empty: always).
        auto copyTaps = [&](OpBuilder &b, Value cols, ArrayRef<Value> rows,
                            ArrayRef<Value> columns,
                            ArrayRef<Value> inside) -> Value {
          for (int64_t i = 0; i < kh; ++i)
            for (int64_t j = 0; j < kw; ++j)
              for (int64_t c = 0; c < channels; c += lanes) {
                Value ci = indexConstant(b, loc, c);
                Value v =
                    window.read(b, loc, vec, n, rows[i], columns[j], ci,
                                inside.empty() ? Value() : inside[i * kw + j]);
                if (flip)
                  v = arith::XOrIOp::create(b, loc, v, flip);
                cols = vector::TransferWriteOp::create(
                           b, loc, v, cols,
                           ValueRange{n, oh, ow, indexConstant(b, loc, i),
                                      indexConstant(b, loc, j), ci},
                           ArrayRef<bool>{true})
                           .getResult();
              }
          return cols;
        };
        auto offset = [&](OpBuilder &b, Value v, int64_t by) -> Value {
          return arith::AddIOp::create(b, loc, v, indexConstant(b, loc, by));
        };
        // Windows inside the source read it at constant offsets from one
        // address; the others clamp each tap and select the pad value.
        auto border = [&](OpBuilder &b, Value cols) -> Value {
          SmallVector<Value> rows, columns, inside;
          SmallVector<Value> rowInside, colInside;
          for (int64_t i = 0; i < kh; ++i) {
            auto [y, in] = window.row(b, loc, offset(b, yp, i * dilations[0]));
            rows.push_back(y);
            rowInside.push_back(in);
          }
          for (int64_t j = 0; j < kw; ++j) {
            auto [x, in] =
                window.column(b, loc, offset(b, xp, j * dilations[1]));
            columns.push_back(x);
            colInside.push_back(in);
          }
          if (window.isPadded())
            for (int64_t i = 0; i < kh; ++i)
              for (int64_t j = 0; j < kw; ++j)
                inside.push_back(
                    arith::AndIOp::create(b, loc, rowInside[i], colInside[j]));
          return copyTaps(b, cols, rows, columns, inside);
        };
        if (!window.isPadded())
          return border(b, cols);
        auto branch = scf::IfOp::create(
            b, loc,
            window.contains(b, loc, yp, xp, (kh - 1) * dilations[0] + 1,
                            (kw - 1) * dilations[1] + 1),
            [&](OpBuilder &b, Location) {
              SmallVector<Value> rows, columns;
              for (int64_t i = 0; i < kh; ++i)
                rows.push_back(offset(b, yp, i * dilations[0] - window.top));
              for (int64_t j = 0; j < kw; ++j)
                columns.push_back(
                    offset(b, xp, j * dilations[1] - window.left));
              scf::YieldOp::create(b, loc,
                                   copyTaps(b, cols, rows, columns, {}));
            },
            [&](OpBuilder &b, Location) {
              scf::YieldOp::create(b, loc, border(b, cols));
            });
        return branch.getResult(0);
      });
}

/// im2col for few channels (the first layer's C = 1 or 3):
/// A[m, (kh*KW + kw)*C + c] = x[n, oh*s + kh, ow*s + kw, c] (int8: sign bit
/// flipped) into A of [M, kPad] directly, the K padding zeroed. Per output
/// pixel and kernel row the KW taps' channels are one contiguous run of the
/// input row: one vector of KW * C elements. Pixels whose window crosses
/// the padding read each tap's C channels with clamped indices and select
/// the pad value outside. `flipped`: as packWindows.
static Value packRuns(OpBuilder &b, Location loc, const WindowInput &window,
                      ArrayRef<int64_t> out, int64_t kh, int64_t kw,
                      int64_t channels, ArrayRef<int64_t> strides, int64_t kPad,
                      bool flipped) {
  auto sourceType = cast<RankedTensorType>(window.source.getType());
  Type element = sourceType.getElementType();
  bool isFloat = isa<FloatType>(element);
  int64_t m = out[0] * out[1] * out[2], run = kw * channels, k = kh * run;
  Value init =
      tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{m, kPad}, element);
  // Rows of the input as [N, H, W * C].
  Value rows = tensor::CollapseShapeOp::create(
      b, loc, window.source, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
  auto vec = [&](int64_t n) { return VectorType::get({n}, element); };
  auto flip = [&](OpBuilder &b, Value v) -> Value {
    if (isFloat || flipped)
      return v;
    auto type = cast<VectorType>(v.getType());
    return arith::XOrIOp::create(
        b, loc, v,
        arith::ConstantOp::create(
            b, loc, DenseElementsAttr::get(type, b.getI8IntegerAttr(-128))));
  };
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
  SmallVector<bool> inBounds = {true};
  return buildPixelLoops(
      b, loc, out, init, [&](OpBuilder &b, ValueRange pixel, Value a) -> Value {
        Value n = pixel[0], oh = pixel[1], ow = pixel[2];
        auto at = [&](OpBuilder &b, Value base, int64_t offset) -> Value {
          return arith::AddIOp::create(b, loc, base,
                                       indexConstant(b, loc, offset));
        };
        auto times = [&](OpBuilder &b, Value v, int64_t c) -> Value {
          return arith::MulIOp::create(b, loc, v, indexConstant(b, loc, c));
        };
        Value row = arith::AddIOp::create(
            b, loc,
            times(b, arith::AddIOp::create(b, loc, times(b, n, out[1]), oh),
                  out[2]),
            ow);
        // Padded coordinates of the window's corner, and unpadded.
        Value yp = times(b, oh, strides[0]), xp = times(b, ow, strides[1]);
        Value y0 = at(b, yp, -window.top), x0 = at(b, xp, -window.left);
        auto branch = scf::IfOp::create(
            b, loc, window.contains(b, loc, yp, xp, kh, kw),
            [&](OpBuilder &b, Location) {
              Value t = a;
              Value x0c = times(b, x0, channels);
              for (int64_t i = 0; i < kh; ++i) {
                Value v = vector::TransferReadOp::create(
                    b, loc, vec(run), rows, ValueRange{n, at(b, y0, i), x0c},
                    zero, inBounds);
                t = vector::TransferWriteOp::create(
                        b, loc, flip(b, v), t,
                        ValueRange{row, indexConstant(b, loc, i * run)},
                        inBounds)
                        .getResult();
              }
              scf::YieldOp::create(b, loc, t);
            },
            [&](OpBuilder &b, Location) {
              Value t = a;
              for (int64_t i = 0; i < kh; ++i) {
                auto [y, rowInside] = window.row(b, loc, at(b, yp, i));
                for (int64_t j = 0; j < kw; ++j) {
                  auto [x, colInside] = window.column(b, loc, at(b, xp, j));
                  Value inside = rowInside ? Value(arith::AndIOp::create(
                                                 b, loc, rowInside, colInside))
                                           : Value();
                  Value v = window.read(b, loc, vec(channels), n, y, x,
                                        indexConstant(b, loc, 0), inside);
                  t = vector::TransferWriteOp::create(
                          b, loc, flip(b, v), t,
                          ValueRange{row, indexConstant(
                                              b, loc, (i * kw + j) * channels)},
                          inBounds)
                          .getResult();
                }
              }
              scf::YieldOp::create(b, loc, t);
            });
        Value t = branch.getResult(0);
        if (kPad > k) {
          Value zeros = arith::ConstantOp::create(
              b, loc,
              DenseElementsAttr::get(vec(kPad - k), b.getZeroAttr(element)));
          t = vector::TransferWriteOp::create(
                  b, loc, zeros, t, ValueRange{row, indexConstant(b, loc, k)},
                  inBounds)
                  .getResult();
        }
        return t;
      });
}

/// The input of an implicit GEMM (ImplicitA): `window`'s source padded to
/// [N, hp, wp, C] (its tensor.pad's padding; hp and wp are the padded
/// sizes), flattened, plus `slack` elements of the pad value (a last row's
/// run, or a last AMX tile's pixels, may read past the row); int8 with the
/// sign bit flipped (`flipped`: as packWindows). One pass over the padded
/// rows in memory order: a row is
/// the pad value, or its left padding, the source row and its right padding,
/// each written in whole vectors. A vector past the end of its part writes
/// into the next one, which is written after it.
static Value packPadded(OpBuilder &b, Location loc, const WindowInput &window,
                        int64_t hp, int64_t wp, int64_t slack, bool flipped) {
  auto sourceType = cast<RankedTensorType>(window.source.getType());
  Type element = sourceType.getElementType();
  bool isFloat = isa<FloatType>(element);
  int64_t images = sourceType.getDimSize(0), c = sourceType.getDimSize(3);
  int64_t h = window.height, w = window.width;
  int64_t size = images * hp * wp * c + slack;
  // Nothing to pad or flip (a 1x1 convolution's flipped input): the input
  // itself, flattened.
  if (!window.isPadded() && slack == 0 && (isFloat || flipped))
    return tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({size}, element), window.source,
        ArrayRef<ReassociationIndices>{{0, 1, 2, 3}});
  int64_t lanes = isFloat ? 16 : 64;
  auto vec = VectorType::get({lanes}, element);
  // The pad value, int8 flipped (a u8 value).
  // (The caller checked a padded window's value is a constant.)
  TypedAttr pad = b.getZeroAttr(element);
  if (window.isPadded())
    (void)matchPattern(window.padValue, m_Constant(&pad));
  if (!isFloat && !flipped)
    pad = b.getIntegerAttr(element, cast<IntegerAttr>(pad).getValue() ^ 0x80);
  Value fill =
      arith::ConstantOp::create(b, loc, DenseElementsAttr::get(vec, pad));
  Value flip =
      isFloat || flipped
          ? Value()
          : Value(arith::ConstantOp::create(
                b, loc,
                DenseElementsAttr::get(vec, b.getIntegerAttr(element, 0x80))));
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
  // Rows of the source as [N, H, W * C].
  Value rows = tensor::CollapseShapeOp::create(
      b, loc, window.source, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
  SmallVector<bool> masked = {false};
  auto write = [&](OpBuilder &b, Value v, Value p, Value at) -> Value {
    return vector::TransferWriteOp::create(b, loc, v, p, ValueRange{at}, masked)
        .getResult();
  };
  // `count` pad values from `at`, in whole vectors.
  auto fillRun = [&](OpBuilder &b, Value p, Value at, int64_t count) -> Value {
    if (count == 0)
      return p;
    return buildLoop(
        b, loc, count, lanes, p, [&](OpBuilder &b, Value i, ValueRange args) {
          return SmallVector<Value>{
              write(b, fill, args[0], arith::AddIOp::create(b, loc, at, i))};
        })[0];
  };
  Value init =
      tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{size}, element);
  Value p = buildPixelLoops(
      b, loc, {images, hp}, init,
      [&](OpBuilder &b, ValueRange iv, Value p) -> Value {
        Value n = iv[0], y = iv[1];
        Value row = indexAffine(
            b, loc,
            arith::AddIOp::create(b, loc, indexAffine(b, loc, n, hp), y),
            wp * c);
        using P = arith::CmpIPredicate;
        Value inside = arith::AndIOp::create(
            b, loc,
            arith::CmpIOp::create(b, loc, P::sge, y,
                                  indexConstant(b, loc, window.top)),
            arith::CmpIOp::create(b, loc, P::slt, y,
                                  indexConstant(b, loc, window.top + h)));
        auto branch = scf::IfOp::create(
            b, loc, inside,
            [&](OpBuilder &b, Location) {
              Value t = fillRun(b, p, row, window.left * c);
              Value sy = indexAffine(b, loc, y, 1, -window.top);
              Value start = indexAffine(b, loc, row, 1, window.left * c);
              t = buildLoop(
                  b, loc, w * c, lanes, t,
                  [&](OpBuilder &b, Value i, ValueRange args) {
                    Value v = vector::TransferReadOp::create(
                        b, loc, vec, rows, ValueRange{n, sy, i}, zero, masked);
                    if (flip)
                      v = arith::XOrIOp::create(b, loc, v, flip);
                    return SmallVector<Value>{
                        write(b, v, args[0],
                              arith::AddIOp::create(b, loc, start, i))};
                  })[0];
              t = fillRun(b, t,
                          indexAffine(b, loc, row, 1, (window.left + w) * c),
                          (wp - window.left - w) * c);
              scf::YieldOp::create(b, loc, t);
            },
            [&](OpBuilder &b, Location) {
              scf::YieldOp::create(b, loc, fillRun(b, p, row, wp * c));
            });
        return branch.getResult(0);
      });
  return fillRun(b, p, indexConstant(b, loc, size - slack), slack);
}

/// The register tile for N output columns: J vectors of 16 lanes, MR rows.
/// The widest J that pads N least (N = 144 takes three 48-lane tiles, not
/// three 64-lane ones).
static std::pair<int64_t, int64_t> tileFor(int64_t n) {
  static constexpr int64_t rows[] = {0, 16, 12, 8, 6};
  int64_t best = 1;
  auto padded = [&](int64_t j) { return (n + 16 * j - 1) / (16 * j) * 16 * j; };
  for (int64_t j = 2; j <= 4; ++j)
    if (padded(j) <= padded(best))
      best = j;
  return {best, rows[best]};
}

/// Pooled pixels per tile of a GEMM with N columns and a fused p x p pool:
/// as many accumulators as the tile without it (0: none fit).
static int64_t pooledTileFor(int64_t n, int64_t p) {
  auto [j, mr] = tileFor(n);
  return mr / (p * p);
}

namespace {
/// What the kernel loops of one GEMM share.
struct Kernel {
  bool isFloat;
  Value a; // [M, KS * kSteps], or the padded input of `implicit`
  std::optional<ImplicitA> implicit;
  Value packed; // [NT][kSteps][NR * KS]
  Value corr;   // [NT * NR]: added to the accumulators of every tile
  bool readInit;
  int64_t j, nt, kSteps;
  bool packNarrowing = true;
  /// The columns of C: the last tile's past them are neither computed nor
  /// stored.
  int64_t n;
  /// When set, the accumulators of columns `col` go through it before they
  /// are stored (a fused elementwise consumer, e.g. the requantize).
  std::function<Value(OpBuilder &, Location, Value acc, Value row, Value col,
                      bool exact, Epilogue::ColumnCache &)>
      epilogue;
  /// A fused p x p max pool at stride p (p >= 2; implicit A, constant
  /// init): see PoolFusion.
  int64_t pool = 0, pooledH = 0, pooledW = 0;
  /// The pool's init when not the lowest value: a max with it follows the
  /// epilogue (a splat of the stored element type).
  Value poolFloor;
};
} // namespace

/// The kernel over rows [lo, lo + count) in tiles of `mr` rows:
/// C[M, N] += A[M, K] x packed B (the last column tile's padding neither
/// computed nor stored).
static Value buildKernel(OpBuilder &b, Location loc, const Kernel &kn, Value c,
                         int64_t lo, int64_t count, int64_t mr) {
  if (count == 0)
    return c;
  int64_t nr = 16 * kn.j, ks = kn.isFloat ? 1 : 4;
  Type accElement = kn.isFloat ? Type(b.getF32Type()) : Type(b.getI32Type());
  auto acc = VectorType::get({16}, accElement);
  auto weightVec = VectorType::get({16 * ks}, kn.isFloat ? Type(b.getF32Type())
                                                         : Type(b.getI8Type()));
  Value zeroAcc = arith::ConstantOp::create(b, loc, b.getZeroAttr(accElement));
  Value zeroIn = arith::ConstantOp::create(
      b, loc, b.getZeroAttr(weightVec.getElementType()));
  SmallVector<bool> inBounds = {true};
  // Column tiles outside, rows inside: a column tile's packed weights stay
  // in L1 while the rows stream past. Tile `tile` with `valid` columns
  // (those of a last, partial tile: its vectors past them are skipped).
  auto columnTile = [&](OpBuilder &b, Value tile, Value colArg,
                        int64_t valid) -> Value {
    int64_t j = (valid + 15) / 16;
    auto lanes = [&](int64_t q) {
      return std::min<int64_t>(16, valid - 16 * q);
    };
    // The tile's correction and constant init, added to every row's
    // accumulators as they start.
    Value n0 = arith::MulIOp::create(b, loc, tile, indexConstant(b, loc, nr));
    SmallVector<Value> colIdx, correction;
    for (int64_t q = 0; q < j; ++q) {
      colIdx.push_back(
          arith::AddIOp::create(b, loc, n0, indexConstant(b, loc, 16 * q)));
      correction.push_back(vector::TransferReadOp::create(
          b, loc, acc, kn.corr, ValueRange{colIdx[q]}, zeroAcc, inBounds));
    }
    // One tile of `mr` rows from row `m`; `aBase`: implicit, the
    // padded input's offset of its first row's first tap.
    // With a pool, `m` is the first pooled pixel and the tile has `mr`
    // of them: p rows of p * mr accumulators.
    auto tileAt = [&](OpBuilder &b, Value out, Value m, Value aBase,
                      int64_t mr) -> Value {
      int64_t p = std::max<int64_t>(kn.pool, 1), accRows = p * p * mr;
      SmallVector<Value> rowIdx, init;
      for (int64_t i = 0; i < mr; ++i)
        rowIdx.push_back(
            arith::AddIOp::create(b, loc, m, indexConstant(b, loc, i)));
      for (int64_t i = 0; i < accRows; ++i)
        for (int64_t q = 0; q < j; ++q) {
          if (!kn.readInit) {
            init.push_back(correction[q]);
            continue;
          }
          Value read = vector::TransferReadOp::create(
              b, loc, acc, out, ValueRange{rowIdx[i], colIdx[q]}, zeroAcc,
              ArrayRef<bool>{lanes(q) == 16});
          init.push_back(
              kn.isFloat
                  ? Value(arith::AddFOp::create(b, loc, read, correction[q]))
                  : Value(arith::AddIOp::create(b, loc, read, correction[q])));
        }
      // One K step: packed step `k`, row i's KS values at aIndex(i).
      auto step = [&](OpBuilder &b, Value k,
                      function_ref<SmallVector<Value>(int64_t)> aIndex,
                      ValueRange accs) -> SmallVector<Value> {
        SmallVector<Value> weights;
        for (int64_t q = 0; q < j; ++q)
          weights.push_back(vector::TransferReadOp::create(
              b, loc, weightVec, kn.packed,
              ValueRange{tile, k, indexConstant(b, loc, 16 * ks * q)}, zeroIn,
              inBounds));
        SmallVector<Value> next;
        for (int64_t i = 0; i < accRows; ++i) {
          // KS values of row i, broadcast to all 16 lanes.
          Value lhs;
          if (kn.isFloat) {
            Value one = vector::TransferReadOp::create(
                b, loc, VectorType::get({1}, b.getF32Type()), kn.a, aIndex(i),
                zeroIn, inBounds);
            lhs = vector::BroadcastOp::create(b, loc, acc, one);
          } else {
            Value four = vector::TransferReadOp::create(
                b, loc, VectorType::get({4}, b.getI8Type()), kn.a, aIndex(i),
                zeroIn, inBounds);
            Value word = vector::BitCastOp::create(
                b, loc, VectorType::get({1}, b.getI32Type()), four);
            Value lanes = vector::BroadcastOp::create(
                b, loc, VectorType::get({16}, b.getI32Type()), word);
            lhs = vector::BitCastOp::create(b, loc, weightVec, lanes);
          }
          for (int64_t q = 0; q < j; ++q)
            next.push_back(
                kn.isFloat
                    ? Value(vector::FMAOp::create(b, loc, lhs, weights[q],
                                                  accs[i * j + q]))
                    : Value(DotU8S8Op::create(b, loc, acc, accs[i * j + q], lhs,
                                              weights[q])));
        }
        return next;
      };
      SmallVector<Value> sums;
      if (!kn.implicit) {
        sums = buildLoop(b, loc, kn.kSteps, 1, init,
                         [&](OpBuilder &b, Value k, ValueRange accs) {
                           Value k0 =
                               ks == 1
                                   ? k
                                   : Value(arith::MulIOp::create(
                                         b, loc, k, indexConstant(b, loc, ks)));
                           return step(
                               b, k,
                               [&](int64_t i) {
                                 return SmallVector<Value>{rowIdx[i], k0};
                               },
                               accs);
                         });
      } else {
        // Kernel rows outside, the run of each inside. Accumulator row i
        // is pixel i of the tile's row, or with a pool pixel i % (p * mr)
        // of its conv row i / (p * mr).
        const ImplicitA &ia = *kn.implicit;
        int64_t perRow = ia.run / ks;
        auto pixelOffset = [&](int64_t i) {
          return i / (p * mr) * ia.sh * ia.wp * ia.c +
                 i % (p * mr) * ia.sw * ia.c;
        };
        sums = buildLoop(
            b, loc, ia.kh, 1, init,
            [&](OpBuilder &b, Value r, ValueRange accs) {
              Value rowBase = arith::AddIOp::create(
                  b, loc, aBase,
                  arith::MulIOp::create(b, loc, r,
                                        indexConstant(b, loc, ia.wp * ia.c)));
              Value k0 = arith::MulIOp::create(b, loc, r,
                                               indexConstant(b, loc, perRow));
              return buildLoop(
                  b, loc, perRow, 1, accs,
                  [&](OpBuilder &b, Value t, ValueRange accs) {
                    Value at = arith::AddIOp::create(
                        b, loc, rowBase,
                        ks == 1 ? t
                                : Value(arith::MulIOp::create(
                                      b, loc, t, indexConstant(b, loc, ks))));
                    return step(
                        b, arith::AddIOp::create(b, loc, k0, t),
                        [&](int64_t i) {
                          return SmallVector<Value>{arith::AddIOp::create(
                              b, loc, at,
                              indexConstant(b, loc, pixelOffset(i)))};
                        },
                        accs);
                  });
            });
      }
      // A pool's windows: the max of their p x p accumulators (the
      // epilogue is non-decreasing, so it commutes with the max).
      if (kn.pool) {
        SmallVector<Value> pooled;
        for (int64_t u = 0; u < mr; ++u)
          for (int64_t q = 0; q < j; ++q) {
            // Per conv row, then across them (a shorter dependence chain).
            auto max = [&](Value v, Value x) -> Value {
              if (!v)
                return x;
              return kn.isFloat ? Value(arith::MaximumFOp::create(b, loc, v, x))
                                : Value(arith::MaxSIOp::create(b, loc, v, x));
            };
            Value window;
            for (int64_t dy = 0; dy < p; ++dy) {
              Value row;
              for (int64_t dx = 0; dx < p; ++dx)
                row = max(row, sums[(dy * p * mr + u * p + dx) * j + q]);
              window = max(window, row);
            }
            pooled.push_back(window);
          }
        sums = std::move(pooled);
      }
      // Per vector of columns, what the epilogue derives from them.
      SmallVector<Epilogue::ColumnCache> caches(j);
      ResultWriter writer(b, loc, out, kn.packNarrowing);
      for (int64_t i = 0; i < mr; ++i)
        for (int64_t q = 0; q < j; ++q) {
          Value v = kn.epilogue
                        ? kn.epilogue(b, loc, sums[i * j + q], rowIdx[i],
                                      colIdx[q], lanes(q) == 16, caches[q])
                        : sums[i * j + q];
          if (kn.poolFloor)
            v = isa<FloatType>(getElementTypeOrSelf(v.getType()))
                    ? Value(arith::MaximumFOp::create(b, loc, v, kn.poolFloor))
                    : Value(arith::MaxSIOp::create(b, loc, v, kn.poolFloor));
          writer.write(v, ValueRange{rowIdx[i], colIdx[q]}, lanes(q));
        }
      return writer.finish();
    };
    Value result;
    if (!kn.implicit) {
      result =
          scf::ForOp::create(
              b, loc, indexConstant(b, loc, lo),
              indexConstant(b, loc, lo + count), indexConstant(b, loc, mr),
              ValueRange{colArg},
              [&](OpBuilder &b, Location loc, Value m, ValueRange rowArgs) {
                scf::YieldOp::create(b, loc,
                                     tileAt(b, rowArgs[0], m, Value(), mr));
              })
              .getResult(0);
    } else if (kn.pool) {
      // Per pooled row: tiles of `mr` pooled pixels (p * mr pixels in each
      // of its p conv rows), then the rest.
      const ImplicitA &ia = *kn.implicit;
      int64_t p = kn.pool, full = kn.pooledW / mr * mr;
      result = buildPixelLoops(
          b, loc, {ia.images, kn.pooledH}, colArg,
          [&](OpBuilder &b, ValueRange iv, Value out) -> Value {
            Value convRow = indexAffine(b, loc, iv[1], p);
            Value first = indexAffine(
                b, loc,
                arith::AddIOp::create(
                    b, loc, indexAffine(b, loc, iv[0], kn.pooledH), iv[1]),
                kn.pooledW);
            Value a0 = ia.rowStart(b, loc, iv[0], convRow).offset;
            auto tile = [&](OpBuilder &b, Value out, Value x,
                            int64_t count) -> Value {
              return tileAt(
                  b, out, arith::AddIOp::create(b, loc, first, x),
                  arith::AddIOp::create(
                      b, loc, a0, indexAffine(b, loc, x, p * ia.sw * ia.c)),
                  count);
            };
            if (full > 0)
              out = buildLoop(b, loc, full, mr, out,
                              [&](OpBuilder &b, Value x, ValueRange args) {
                                return SmallVector<Value>{
                                    tile(b, args[0], x, mr)};
                              })[0];
            if (full < kn.pooledW)
              out =
                  tile(b, out, indexConstant(b, loc, full), kn.pooledW - full);
            return out;
          });
    } else {
      // Per output row: tiles of `mr` pixels, then the rest.
      const ImplicitA &ia = *kn.implicit;
      int64_t full = ia.ow / mr * mr;
      result = buildPixelLoops(
          b, loc, {ia.images, ia.oh}, colArg,
          [&](OpBuilder &b, ValueRange iv, Value out) -> Value {
            ImplicitA::Position start = ia.rowStart(b, loc, iv[0], iv[1]);
            if (full > 0)
              out = buildLoop(b, loc, full, mr, out,
                              [&](OpBuilder &b, Value ow, ValueRange args) {
                                auto [row, a0] = ia.right(b, loc, start, ow);
                                return SmallVector<Value>{
                                    tileAt(b, args[0], row, a0, mr)};
                              })[0];
            if (full < ia.ow) {
              auto [row, a0] =
                  ia.right(b, loc, start, indexConstant(b, loc, full));
              out = tileAt(b, out, row, a0, ia.ow - full);
            }
            return out;
          });
    }
    return result;
  };
  int64_t fullTiles = kn.n / nr;
  if (fullTiles > 0)
    c = buildLoop(b, loc, fullTiles, 1, c,
                  [&](OpBuilder &b, Value tile, ValueRange args) {
                    return SmallVector<Value>{columnTile(b, tile, args[0], nr)};
                  })[0];
  if (fullTiles < kn.nt)
    c = columnTile(b, indexConstant(b, loc, fullTiles), c,
                   kn.n - fullTiles * nr);
  return c;
}

/// The weights packed as [NT][kSteps][NR][KS] (w[n][k] at tile n / NR, step
/// k / KS, lane n % NR, byte k % KS; zero where padded), and per padded
/// column the correction: for int8 -(z_a + 128) * colsum(w), plus the
/// constant init. With NR = 16 and KS = 4 this is also AMX's B tile layout.
static std::pair<SmallVector<double>, SmallVector<double>>
packWeights(const Gemm &g, int64_t nr, int64_t ks, int64_t kSteps,
            int64_t nPad) {
  int64_t nt = nPad / nr;
  SmallVector<double> packed(nt * kSteps * nr * ks, 0.0);
  SmallVector<double> correction(nPad, 0.0);
  for (int64_t n = 0; n < g.n; ++n) {
    double colsum = 0;
    for (int64_t k = 0; k < g.k; ++k) {
      double w = g.w[n * g.k + k];
      colsum += w;
      packed[((n / nr * kSteps + k / ks) * nr + n % nr) * ks + k % ks] = w;
    }
    correction[n] = (g.isFloat ? 0.0 : -(g.zeroPoint + 128) * colsum) +
                    (g.columnInit ? (*g.columnInit)[n] : 0.0);
  }
  return {packed, correction};
}

/// The int8 GEMM on AMX tiles (tdpbusd: u8 x s8 into 16 x 16 i32 tiles, 64
/// bytes of K per step): A as [MPad, KPad] (multiples of 16 and 64; packRows
/// writes it so, an im2col is padded here), or read in place (ImplicitA: a
/// tile is 16 pixels of an output row, the last tile's pixels past OW read
/// from the copy's slack), the weights packed at compile time to
/// [N/16][KPad/4][64] (a B tile is 16 consecutive rows of 64 bytes), blocks
/// of 2 x 2 C tiles (the odd last row or column of tiles alone), each C
/// tile then stored to a scratch buffer and its valid rows finished on
/// vectors: the correction, the constant init and the epilogue, as in the
/// vector kernel, into [M, N]. The caller checks the init is constant.
static Value buildAmxGemm(OpBuilder &b, Location loc, const Gemm &g,
                          const std::optional<Epilogue> &epilogue) {
  constexpr int64_t kRows = 16, kCols = 16, kBytes = 64;
  assert((!g.implicit ||
          (g.implicit->run % kBytes == 0 &&
           g.implicit->slack >=
               ((g.implicit->ow + kRows - 1) / kRows * kRows - g.implicit->ow) *
                   g.implicit->sw * g.implicit->c)) &&
         "an implicit A without the AMX tiles' slack");
  int64_t mPad = (g.m + kRows - 1) / kRows * kRows;
  int64_t nPad = (g.n + kCols - 1) / kCols * kCols;
  int64_t kPad = (g.k + kBytes - 1) / kBytes * kBytes;
  int64_t nt = nPad / kCols, mt = mPad / kRows, kt = kPad / kBytes;
  Type i8 = b.getI8Type(), i32 = b.getI32Type();
  auto a = cast<TypedValue<RankedTensorType>>(g.a);
  Value aPadded = a;
  if (!g.implicit &&
      (a.getType().getDimSize(0) != mPad || a.getType().getDimSize(1) != kPad))
    aPadded = tensor::createPadHighOp(
        RankedTensorType::get({mPad, kPad}, i8), a,
        arith::ConstantOp::create(b, loc, b.getZeroAttr(i8)),
        /*nofold=*/false, loc, b);

  auto [packedValues, correctionValues] =
      packWeights(g, kCols, 4, kPad / 4, nPad);
  SmallVector<int8_t> packed(packedValues.begin(), packedValues.end());
  SmallVector<int32_t> correction(correctionValues.begin(),
                                  correctionValues.end());
  auto packedType = RankedTensorType::get({nt, kPad / 4, kBytes}, i8);
  Value weights = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(packedType, ArrayRef(packed)));
  Value corr = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get({nPad}, i32),
                             ArrayRef(correction)));
  Value aBuf = bufferization::ToBufferOp::create(
      b, loc,
      MemRefType::get(cast<RankedTensorType>(aPadded.getType()).getShape(), i8),
      aPadded, /*readOnly=*/true);
  Value bBuf = bufferization::ToBufferOp::create(
      b, loc, MemRefType::get({nt, kPad / 4, kBytes}, i8), weights,
      /*readOnly=*/true);
  // One scratch buffer per C tile of a block: all four are stored before
  // their epilogues read them (one buffer for all made each tile store
  // wait for the reads of the tile before, and those for its stores).
  SmallVector<Value, 4> scratch;
  for (int64_t t = 0; t < 4; ++t)
    scratch.push_back(
        memref::AllocaOp::create(b, loc, MemRefType::get({kRows, kCols}, i32)));

  std::optional<Epilogue> padded = epilogue;
  Type outElement = i32;
  if (padded) {
    padded->padColumns(b, loc, nPad);
    outElement = padded->getResultType().getElementType();
  }
  auto aTile = amx::TileType::get({kRows, kBytes}, i8);
  auto cTile = amx::TileType::get({kRows, kCols}, i32);
  auto acc = VectorType::get({kCols}, i32);
  Value zero32 = arith::ConstantOp::create(b, loc, b.getZeroAttr(i32));
  // Only the valid rows and columns are stored.
  Value c0 = g.output ? g.output
                      : tensor::EmptyOp::create(
                            b, loc, ArrayRef<int64_t>{g.m, g.n}, outElement);
  SmallVector<bool> inBounds = {true};
  // The A tile of row tile r at K step k: rows of [M, KPad], or (implicit)
  // 16 pixels of an output row, sw * C bytes apart in the padded input,
  // from `aBase` (its first pixel's first tap) plus the step's offset.
  auto loadA = [&](OpBuilder &b, Value row0, Value aBase, int64_t k) -> Value {
    if (!g.implicit)
      return amx::TileLoadOp::create(
          b, loc, aTile, aBuf,
          ValueRange{row0, indexConstant(b, loc, k * kBytes)});
    const ImplicitA &ia = *g.implicit;
    int64_t kh = k * kBytes / ia.run, j = k * kBytes % ia.run;
    Value offset = arith::AddIOp::create(
        b, loc, aBase, indexConstant(b, loc, kh * ia.wp * ia.c + j));
    auto viewType = MemRefType::get({kRows, kBytes}, i8,
                                    StridedLayoutAttr::get(b.getContext(),
                                                           ShapedType::kDynamic,
                                                           {ia.sw * ia.c, 1}));
    Value view = memref::ReinterpretCastOp::create(
        b, loc, viewType, aBuf, OpFoldResult(offset),
        ArrayRef<OpFoldResult>{b.getIndexAttr(kRows), b.getIndexAttr(kBytes)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(ia.sw * ia.c),
                               b.getIndexAttr(1)});
    return amx::TileLoadOp::create(
        b, loc, aTile, view,
        ValueRange{indexConstant(b, loc, 0), indexConstant(b, loc, 0)});
  };
  // A block of rr x cc C tiles from row tile `rowTile` and column tile
  // `colTile`: each K step loads rr A tiles and cc B tiles for rr * cc
  // tdpbusd (2 x 2: 4 C, 2 A and 2 B tiles, all 8 tile registers; the
  // products of a step are independent, so the tdpbusd latency overlaps).
  // Then every C tile goes through the scratch buffer to the epilogue.
  // Row tile r starts at output row row0[r] (implicit: its A at aBase[r])
  // and has valid[r] rows.
  auto block = [&](OpBuilder &b, Value out, ArrayRef<Value> row0,
                   ArrayRef<Value> aBase, ArrayRef<int64_t> valid,
                   Value colTile, int64_t cc, int64_t lastCols) -> Value {
    int64_t rr = row0.size();
    SmallVector<Value> col0, cs;
    for (int64_t q = 0; q < cc; ++q)
      col0.push_back(
          arith::AddIOp::create(b, loc, colTile, indexConstant(b, loc, q)));
    for (int64_t t = 0; t < rr * cc; ++t)
      cs.push_back(amx::TileZeroOp::create(b, loc, cTile));
    for (int64_t k = 0; k < kt; ++k) {
      SmallVector<Value> ta, tb;
      for (int64_t r = 0; r < rr; ++r)
        ta.push_back(loadA(b, row0[r], aBase.empty() ? Value() : aBase[r], k));
      for (int64_t q = 0; q < cc; ++q)
        tb.push_back(amx::TileLoadOp::create(
            b, loc, aTile, bBuf,
            ValueRange{col0[q], indexConstant(b, loc, k * kRows),
                       indexConstant(b, loc, 0)}));
      for (int64_t r = 0; r < rr; ++r)
        for (int64_t q = 0; q < cc; ++q) {
          auto mul = amx::TileMulIOp::create(b, loc, cTile, ta[r], tb[q],
                                             cs[r * cc + q]);
          mul.setIsZextLhs(true);
          cs[r * cc + q] = mul.getResult();
        }
    }
    for (int64_t t = 0; t < rr * cc; ++t)
      amx::TileStoreOp::create(
          b, loc, scratch[t],
          ValueRange{indexConstant(b, loc, 0), indexConstant(b, loc, 0)},
          cs[t]);
    for (int64_t q = 0; q < cc; ++q) {
      Value col =
          arith::MulIOp::create(b, loc, col0[q], indexConstant(b, loc, kCols));
      Value correctionVec = vector::TransferReadOp::create(
          b, loc, acc, corr, ValueRange{col}, zero32, inBounds);
      // A partial column tile stores its columns and reads whole-tensor
      // epilogue inputs (a residual) masked past them.
      int64_t cols = q == cc - 1 ? lastCols : kCols;
      for (int64_t r = 0; r < rr; ++r) {
        // The tile's rows in a loop, four per iteration (their requantized
        // bytes narrowed together): unrolled, the epilogues of every 2 x 2
        // block made MobileNetV2's module 4x longer to compile (LLVM hoists
        // the column constants out of the loop).
        auto rows = [&](OpBuilder &b, Value out, Value i0,
                        int64_t count) -> Value {
          Epilogue::ColumnCache cache;
          ResultWriter writer(b, loc, out, g.packNarrowing);
          for (int64_t u = 0; u < count; ++u) {
            Value i = indexAffine(b, loc, i0, 1, u);
            Value row = arith::AddIOp::create(b, loc, row0[r], i);
            Value v = vector::TransferReadOp::create(
                b, loc, acc, scratch[r * cc + q],
                ValueRange{i, indexConstant(b, loc, 0)}, zero32, inBounds);
            v = arith::AddIOp::create(b, loc, v, correctionVec);
            if (padded)
              v = padded->apply(b, loc, v, col, ValueRange{row, col},
                                /*inBounds=*/cols == kCols, &cache);
            writer.write(v, ValueRange{row, col}, cols);
          }
          return writer.finish();
        };
        int64_t fours = valid[r] / 4 * 4;
        if (fours > 0)
          out = buildLoop(b, loc, fours, 4, out,
                          [&](OpBuilder &b, Value i, ValueRange args) {
                            return SmallVector<Value>{rows(b, args[0], i, 4)};
                          })[0];
        if (fours < valid[r])
          out = rows(b, out, indexConstant(b, loc, fours), valid[r] - fours);
      }
    }
    return out;
  };
  // Column pairs outside (their B tiles stay in cache while the rows pass),
  // row pairs inside; an odd last column or row tile alone.
  auto rowsFor = [&](OpBuilder &b, Value out, Value colTile, int64_t cc,
                     int64_t lastCols) -> Value {
    if (!g.implicit) {
      auto tileRow = [&](OpBuilder &b, Value t, int64_t r) -> Value {
        return indexAffine(b, loc, t, kRows, r * kRows);
      };
      // Pairs of full row tiles in a loop; the rest (an odd full tile, a
      // partial one) in one block.
      int64_t full = g.m / kRows, pairs = full / 2;
      if (pairs > 0)
        out = buildLoop(b, loc, pairs * 2, 2, out,
                        [&](OpBuilder &b, Value t, ValueRange args) {
                          return SmallVector<Value>{block(
                              b, args[0], {tileRow(b, t, 0), tileRow(b, t, 1)},
                              {}, {kRows, kRows}, colTile, cc, lastCols)};
                        })[0];
      SmallVector<Value> rows;
      SmallVector<int64_t> valid;
      for (int64_t t = 2 * pairs; t < mt; ++t) {
        rows.push_back(indexConstant(b, loc, t * kRows));
        valid.push_back(std::min(kRows, g.m - t * kRows));
      }
      if (!rows.empty())
        out = block(b, out, rows, {}, valid, colTile, cc, lastCols);
      return out;
    }
    // Implicit: per output row, its tiles of 16 pixels in pairs; an odd
    // last one, or a last one with fewer pixels, with the one before it.
    const ImplicitA &ia = *g.implicit;
    int64_t full = ia.ow / kRows, rest = ia.ow % kRows;
    int64_t tiles = full + (rest ? 1 : 0), pairs = tiles / 2;
    if (tiles == 1) {
      // One tile per output row: two output rows per block.
      auto rowsOf = [&](OpBuilder &b, Value n, Value oh0, int64_t count,
                        Value out) -> Value {
        SmallVector<Value> rows, bases;
        for (int64_t r = 0; r < count; ++r) {
          ImplicitA::Position p =
              ia.rowStart(b, loc, n, indexAffine(b, loc, oh0, 1, r));
          rows.push_back(p.row);
          bases.push_back(p.offset);
        }
        return block(b, out, rows, bases, SmallVector<int64_t>(count, ia.ow),
                     colTile, cc, lastCols);
      };
      return buildLoop(
          b, loc, ia.images, 1, out,
          [&](OpBuilder &b, Value n, ValueRange args) {
            Value out = args[0];
            if (ia.oh / 2 > 0)
              out = buildLoop(b, loc, ia.oh / 2 * 2, 2, out,
                              [&](OpBuilder &b, Value oh, ValueRange args) {
                                return SmallVector<Value>{
                                    rowsOf(b, n, oh, 2, args[0])};
                              })[0];
            if (ia.oh % 2)
              out = rowsOf(b, n, indexConstant(b, loc, ia.oh - 1), 1, out);
            return SmallVector<Value>{out};
          })[0];
    }
    return buildPixelLoops(
        b, loc, {ia.images, ia.oh}, out,
        [&](OpBuilder &b, ValueRange iv, Value out) -> Value {
          ImplicitA::Position start = ia.rowStart(b, loc, iv[0], iv[1]);
          auto validAt = [&](int64_t t) { return t < full ? kRows : rest; };
          // Pairs of full tiles in a loop; a pair with the last tile, if
          // partial, and a single odd tile, unrolled.
          int64_t loopPairs = rest && tiles % 2 == 0 ? pairs - 1 : pairs;
          if (loopPairs > 0)
            out = buildLoop(
                b, loc, loopPairs * 2 * kRows, 2 * kRows, out,
                [&](OpBuilder &b, Value ow, ValueRange args) {
                  auto [r0, a0] = ia.right(b, loc, start, ow);
                  auto [r1, a1] =
                      ia.right(b, loc, start,
                               arith::AddIOp::create(
                                   b, loc, ow, indexConstant(b, loc, kRows)));
                  return SmallVector<Value>{block(b, args[0], {r0, r1},
                                                  {a0, a1}, {kRows, kRows},
                                                  colTile, cc, lastCols)};
                })[0];
          SmallVector<Value> rows, bases;
          SmallVector<int64_t> valid;
          for (int64_t t = 2 * loopPairs; t < tiles; ++t) {
            auto [r, a0] =
                ia.right(b, loc, start, indexConstant(b, loc, t * kRows));
            rows.push_back(r);
            bases.push_back(a0);
            valid.push_back(validAt(t));
          }
          if (!rows.empty())
            out = block(b, out, rows, bases, valid, colTile, cc, lastCols);
          return out;
        });
  };
  // Pairs of full column tiles in a loop; the rest (an odd full tile, a
  // partial one, whose padded columns are not stored) in one group.
  Value c = c0;
  int64_t pairs = g.n / kCols / 2;
  if (pairs > 0)
    c = buildLoop(b, loc, pairs * 2, 2, c,
                  [&](OpBuilder &b, Value t, ValueRange args) {
                    return SmallVector<Value>{rowsFor(b, args[0], t, 2, kCols)};
                  })[0];
  if (2 * pairs < nt)
    c = rowsFor(b, c, indexConstant(b, loc, 2 * pairs), nt - 2 * pairs,
                g.n - (nt - 1) * kCols);
  return c;
}

/// Whether `g` with K = `k` may run on AMX tiles: when allowed, with a
/// constant init, K a whole number of 64-byte steps or (`padsK`: A's
/// packing pads it, packRows) more than half of its padded K. From one
/// 64-byte step the tiles are at least as fast as vpdpbusd, the C tile
/// round trip through memory included, even with half of K padding
/// (measured requantized on 512 x 512 GEMMs with K 16-128, 1x1
/// convolutions of 49-3136 rows and 24-1280 columns, Fashion-MNIST's
/// 16-channel 3x3 read in place). An im2col whose K must be padded again
/// costs more than the tiles save (its rows are padded to whole tiles by a
/// copy in buildAmxGemm). Partial row and column tiles finish their valid
/// rows and columns only, so whole-tensor epilogue inputs are read within
/// them.
static bool usesAmx(const Gemm &g, int64_t k, bool padsK) {
  int64_t kPad = (k + 63) / 64 * 64;
  return g.amx && !g.isFloat && g.columnInit &&
         (k == kPad || (padsK && 2 * k > kPad));
}

/// The rows and the K of a packed int8 A: whole AMX tiles (16 rows, 64-byte
/// K steps) on AMX, else M rows and whole 4-byte K steps.
static int64_t packedRows(const Gemm &g) {
  return g.amxTiles ? (g.m + 15) / 16 * 16 : g.m;
}
static int64_t packedK(const Gemm &g) {
  return g.amxTiles ? (g.k + 63) / 64 * 64 : (g.k + 3) / 4 * 4;
}

/// The GEMM `g` with its fused `epilogue`: [M, N] like init.
static Value buildGemm(OpBuilder &b, Location loc, const Gemm &g,
                       const std::optional<Epilogue> &epilogue = {}) {
  // (Decided with A's packing: an implicit A's with its copy's slack.)
  if (g.amxTiles)
    return buildAmxGemm(b, loc, g, epilogue);
  auto [j, mr] = tileFor(g.n);
  int64_t nr = 16 * j, ks = g.isFloat ? 1 : 4;
  int64_t nt = (g.n + nr - 1) / nr, nPad = nt * nr;
  int64_t kSteps = (g.k + ks - 1) / ks, kPad = ks * kSteps;
  Type inElement = g.isFloat ? Type(b.getF32Type()) : Type(b.getI8Type());
  Type accElement = g.isFloat ? Type(b.getF32Type()) : Type(b.getI32Type());

  // Activations with K padded by zeros (their weights are zero too).
  Value a = g.a;
  // (A packed by packRuns or packRows is [M, kPad] already; an implicit
  // A's runs are whole K steps.)
  if (!g.implicit && kPad != cast<RankedTensorType>(a.getType()).getDimSize(1))
    a = tensor::createPadHighOp(
        RankedTensorType::get({g.m, kPad}, inElement), a,
        arith::ConstantOp::create(b, loc, b.getZeroAttr(inElement)),
        /*nofold=*/false, loc, b);

  // Weights [NT][kSteps][NR][KS], and per column the int8 zero-point
  // correction plus the constant init.
  auto [packed, correction] = packWeights(g, nr, ks, kSteps, nPad);
  auto packedType = RankedTensorType::get({nt, kSteps, nr * ks}, inElement);
  auto corrType = RankedTensorType::get({nPad}, accElement);
  DenseElementsAttr packedAttr, corrAttr;
  if (g.isFloat) {
    SmallVector<float> pf(packed.begin(), packed.end());
    SmallVector<float> cf(correction.begin(), correction.end());
    packedAttr = DenseElementsAttr::get(packedType, ArrayRef(pf));
    corrAttr = DenseElementsAttr::get(corrType, ArrayRef(cf));
  } else {
    SmallVector<int8_t> p8(packed.begin(), packed.end());
    SmallVector<int32_t> c32(correction.begin(), correction.end());
    packedAttr = DenseElementsAttr::get(packedType, ArrayRef(p8));
    corrAttr = DenseElementsAttr::get(corrType, ArrayRef(c32));
  }
  Kernel kn;
  kn.isFloat = g.isFloat;
  kn.a = a;
  kn.implicit = g.implicit;
  kn.packed = arith::ConstantOp::create(b, loc, packedAttr);
  kn.corr = arith::ConstantOp::create(b, loc, corrAttr);
  kn.readInit = !g.columnInit;
  kn.j = j;
  kn.nt = nt;
  kn.kSteps = kSteps;
  kn.packNarrowing = g.packNarrowing;
  kn.n = g.n;
  kn.pool = g.pool;
  kn.pooledH = g.pooledH;
  kn.pooledW = g.pooledW;

  // With a fused consumer the kernel stores its element type; its column
  // constants are zero-padded to NT * NR like the weights, so that the last
  // tile reads within them.
  Type outElement = accElement;
  std::optional<Epilogue> padded = epilogue;
  if (padded)
    padded->padColumns(b, loc, nPad);
  if (epilogue) {
    outElement = epilogue->getResultType().getElementType();
    // A vector of padded columns reads whole tensors masked.
    kn.epilogue = [&](OpBuilder &b, Location loc, Value acc, Value row,
                      Value col, bool exact, Epilogue::ColumnCache &cache) {
      return padded->apply(b, loc, acc, col, ValueRange{row, col}, exact,
                           &cache);
    };
  }
  if (g.poolFloor)
    kn.poolFloor = arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(VectorType::get({16}, outElement),
                               ArrayRef<Attribute>{g.poolFloor}));

  // The accumulators start from init (or only the constants).
  Value c0 = g.init;
  int64_t rows = g.pool ? g.implicit->images * g.pooledH * g.pooledW : g.m;
  if (!kn.readInit)
    c0 = g.output ? g.output
                  : tensor::EmptyOp::create(
                        b, loc, ArrayRef<int64_t>{rows, g.n}, outElement);

  Value c;
  if (g.pool) {
    // Pooled rows in equal tiles of at most pooledTileFor pooled pixels.
    int64_t most = pooledTileFor(g.n, g.pool);
    int64_t tiles = (g.pooledW + most - 1) / most;
    c = buildKernel(b, loc, kn, c0, 0, rows, (g.pooledW + tiles - 1) / tiles);
  } else if (g.implicit) {
    // Tiles within an output row: OW in equal tiles of at most MR pixels.
    int64_t ow = g.implicit->ow, tiles = (ow + mr - 1) / mr;
    c = buildKernel(b, loc, kn, c0, 0, g.m, (ow + tiles - 1) / tiles);
  } else {
    int64_t full = g.m / mr * mr;
    c = buildKernel(b, loc, kn, c0, 0, full, mr);
    c = buildKernel(b, loc, kn, c, full, g.m - full, g.m - full);
  }
  return c;
}

/// The insert_slice that puts `result` into its slot of a concatenation
/// along the channels (the last of 4 dimensions), decomposing the
/// tensor.concat that is `result`'s only use into a tensor.empty and a
/// chain of insert_slices first; none when `result` goes elsewhere. A
/// kernel that writes into that slot of the chain (an extract_slice of its
/// destination) is updated in place by bufferization: no copy.
static tensor::InsertSliceOp concatSlot(RewriterBase &rewriter, Value result) {
  if (!result.hasOneUse())
    return {};
  Operation *user = *result.getUsers().begin();
  if (auto concat = dyn_cast<tensor::ConcatOp>(user)) {
    auto type = concat.getResultType();
    if (type.getRank() != 4 || !type.hasStaticShape() || concat.getDim() != 3)
      return {};
    OpBuilder::InsertionGuard guard(rewriter);
    rewriter.setInsertionPoint(concat);
    FailureOr<SmallVector<Value>> decomposed =
        concat.decomposeOperation(rewriter);
    if (failed(decomposed))
      return {};
    rewriter.replaceOp(concat, decomposed->front());
    user = *result.getUsers().begin();
  }
  auto insert = dyn_cast<tensor::InsertSliceOp>(user);
  if (!insert || insert.getSource() != result ||
      insert.getSourceType().getRank() != 4 || !insert.hasUnitStride() ||
      !insert.getDestType().hasStaticShape())
    return {};
  // Whole images and rows: the [M, N] view of the slot is a strided matrix.
  ArrayRef<int64_t> offsets = insert.getStaticOffsets();
  ArrayRef<int64_t> sizes = insert.getStaticSizes();
  ArrayRef<int64_t> dest = insert.getDestType().getShape();
  for (int d = 0; d < 3; ++d)
    if (offsets[d] != 0 || sizes[d] != dest[d])
      return {};
  if (ShapedType::isDynamic(offsets[3]))
    return {};
  return insert;
}

/// The [M, N] view of concatSlot's `slot` (an extract_slice of its
/// destination, collapsed), built just before it, where the insertion point
/// is left: the kernel writing into it is built there too.
static Value slotView(RewriterBase &rewriter, Location loc,
                      tensor::InsertSliceOp slot) {
  rewriter.setInsertionPoint(slot);
  auto sliceType = cast<RankedTensorType>(slot.getSourceType());
  ArrayRef<int64_t> shape = sliceType.getShape();
  Value view = tensor::ExtractSliceOp::create(
      rewriter, loc, sliceType, slot.getDest(), slot.getMixedOffsets(),
      slot.getMixedSizes(), slot.getMixedStrides());
  return tensor::CollapseShapeOp::create(
      rewriter, loc,
      RankedTensorType::get({shape[0] * shape[1] * shape[2], shape[3]},
                            sliceType.getElementType()),
      view, ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}});
}

/// The chain of elementwise consumers (the requantize to i8) of `op`'s
/// accumulators that the kernel runs on them in registers, when they start
/// from constants; its constants hoisted above `op` (where the kernel is
/// built) and its whole-tensor inputs (a residual) viewed as [M, N] through
/// `rows`, the grouping of the result's dimensions into [M, N].
static std::optional<Epilogue>
matchEpilogue(RewriterBase &rewriter, Operation *op, const Gemm &g,
              ArrayRef<ReassociationIndices> rows) {
  if (!g.columnInit)
    return std::nullopt;
  std::optional<Epilogue> epilogue = Epilogue::match(op->getResult(0), op);
  if (!epilogue)
    return std::nullopt;
  epilogue->hoistInputsAbove(rewriter, op);
  epilogue->viewFullInputs([&](Value v) -> Value {
    auto type = cast<RankedTensorType>(v.getType());
    return tensor::CollapseShapeOp::create(
        rewriter, op->getLoc(),
        RankedTensorType::get({g.m, g.n}, type.getElementType()), v, rows);
  });
  return epilogue;
}

/// Replaces `op` (and the consumers `epilogue` fused) with the GEMM's [M, N]
/// result `c`, expanded through `rows`.
static void replaceWithGemm(RewriterBase &rewriter, Operation *op, Value c,
                            const std::optional<Epilogue> &epilogue,
                            ArrayRef<ReassociationIndices> rows) {
  if (!epilogue) {
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
        op, op->getResult(0).getType(), c, rows);
    return;
  }
  epilogue->replace(rewriter, tensor::ExpandShapeOp::create(
                                  rewriter, op->getLoc(),
                                  epilogue->getResultType(), c, rows));
  rewriter.eraseOp(op);
}

/// The max pool that the kernel of convolution `g` (its result, or its
/// epilogue's, is `result`) runs on its accumulators: the only use of
/// `result` is a linalg.pooling_nhwc_max with a p x p window at stride p
/// (p >= 2, dilation 1; no padding: it reads `result` itself) into a
/// constant fill, `g` reads its input in place on vectors with a constant
/// init, and the epilogue is non-decreasing over the accumulators' range
/// (for int8, init[n] + sum_k (a - z_a) * w[n][k] with a in [-128, 127]):
/// then max(f(acc)) = f(max(acc)) bit for bit, so each window's maximum is
/// requantized once instead of p * p times, and the pooled result is all
/// that is stored. Sets g.pool, g.pooledH, g.pooledW (and g.poolFloor).
static linalg::PoolingNhwcMaxOp
matchPool(Gemm &g, Value result, const std::optional<Epilogue> &epilogue) {
  if (!g.implicit || g.amxTiles || !g.columnInit || g.output ||
      !result.hasOneUse())
    return {};
  auto pool = dyn_cast<linalg::PoolingNhwcMaxOp>(*result.getUsers().begin());
  if (!pool || !pool.hasPureTensorSemantics() || pool.getInputs()[0] != result)
    return {};
  auto window = cast<RankedTensorType>(pool.getInputs()[1].getType());
  auto outType = cast<RankedTensorType>(pool.getResultTypes()[0]);
  auto [strides, dilations] = getWindowAttrs(pool);
  int64_t p = window.hasStaticShape() ? window.getDimSize(0) : 0;
  const ImplicitA &ia = *g.implicit;
  if (p < 2 || window.getDimSize(1) != p || strides[0] != p ||
      strides[1] != p || dilations[0] != 1 || dilations[1] != 1 ||
      !outType.hasStaticShape() ||
      outType.getShape() !=
          ArrayRef<int64_t>{ia.images, ia.oh / p, ia.ow / p, g.n} ||
      outType.getElementType() != getElementTypeOrSelf(result.getType()) ||
      pooledTileFor(g.n, p) < 1)
    return {};
  auto fill = pool.getOutputs()[0].getDefiningOp<linalg::FillOp>();
  TypedAttr floor;
  if (!fill || !matchPattern(fill.getInputs()[0], m_Constant(&floor)))
    return {};
  if (auto i = dyn_cast<IntegerAttr>(floor);
      i && i.getValue().isMinSignedValue())
    floor = {};
  else if (auto f = dyn_cast<FloatAttr>(floor);
           f && f.getValue().isInfinity() && f.getValue().isNegative())
    floor = {};
  if (epilogue) {
    std::optional<SmallVector<std::pair<int64_t, int64_t>>> range;
    if (!g.isFloat) {
      // (g.k is the widened K of an implicit A; its extra weights are 0.)
      range.emplace();
      for (int64_t n = 0; n < g.n; ++n) {
        int64_t lo = int64_t((*g.columnInit)[n]), hi = lo;
        for (int64_t k = 0; k < g.k; ++k) {
          int64_t w = int64_t(g.w[n * g.k + k]);
          int64_t x = w * (-128 - g.zeroPoint), y = w * (127 - g.zeroPoint);
          lo += std::min(x, y);
          hi += std::max(x, y);
        }
        range->push_back({lo, hi});
      }
    }
    if (!epilogue->isNonDecreasing(
            range ? std::optional<ArrayRef<std::pair<int64_t, int64_t>>>(*range)
                  : std::nullopt))
      return {};
  }
  g.pool = p;
  g.pooledH = ia.oh / p;
  g.pooledW = ia.ow / p;
  g.poolFloor = floor;
  return pool;
}

/// A convolution (NHWC input, FHWC weights) as a GEMM; `za` is the input
/// zero point of an int8 one.
static LogicalResult
lowerConv(PatternRewriter &rewriter, Operation *op, Value input, Value filter,
          Value init, std::optional<int64_t> za, ArrayRef<int64_t> strides,
          ArrayRef<int64_t> dilations, bool amx, bool packNarrowing) {
  auto inType = cast<RankedTensorType>(input.getType());
  auto outType = cast<RankedTensorType>(op->getResult(0).getType());
  auto fType = cast<RankedTensorType>(filter.getType());
  bool isFloat = !za;
  if (!inType.hasStaticShape() || !outType.hasStaticShape() ||
      !(isFloat ? inType.getElementType().isF32()
                : inType.getElementType().isInteger(8)))
    return rewriter.notifyMatchFailure(op, "needs static i8 or f32 shapes");
  ArrayRef<int64_t> in = inType.getShape(), out = outType.getShape(),
                    f = fType.getShape();
  Gemm g;
  g.isFloat = isFloat;
  g.amx = amx;
  g.packNarrowing = packNarrowing;
  g.m = out[0] * out[1] * out[2];
  g.n = out[3];
  g.k = f[1] * f[2] * f[3];
  std::optional<SmallVector<double>> w =
      getWeightValues(filter, isFloat, g.k, g.n, /*transposeKN=*/false);
  if (!w)
    return rewriter.notifyMatchFailure(op, "needs constant weights");
  Location loc = op->getLoc();
  MLIRContext *ctx = rewriter.getContext();
  Type element = inType.getElementType();
  g.w = std::move(*w); // [O][KH][KW][C] is w[n][k]
  g.zeroPoint = za.value_or(0);
  g.columnInit = getColumnConstant(init, g.n);
  g.init = tensor::CollapseShapeOp::create(
      rewriter, loc,
      RankedTensorType::get({g.m, g.n}, outType.getElementType()), init,
      ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}});
  std::optional<Epilogue> epilogue =
      matchEpilogue(rewriter, op, g, {{0, 1, 2}, {3}});
  // A kernel result that is a slot of a channel concat is written there,
  // built just before the slot's insert_slice (whose destination is
  // defined by then).
  Value result = epilogue ? Value(epilogue->stages.back().op.getResult(0))
                          : op->getResult(0);
  // The activations: read in place from a padded copy (implicit GEMM) when
  // that is no more work than im2col (int8: each kernel row's run of
  // KW * C bytes padded to whole K steps), else packed rows of A. On AMX
  // tiles a K step of 64 bytes must lie within one kernel row's run: the
  // runs are padded to 64 when that adds at most half of K.
  int64_t ks = isFloat ? 1 : 4, kPad = (g.k + ks - 1) / ks * ks;
  int64_t taps = f[2] * in[3];
  int64_t run = (taps + ks - 1) / ks * ks, run64 = (taps + 63) / 64 * 64;
  // (packPadded writes the pad value: it must be a constant attribute.)
  WindowInput window = WindowInput::get(input);
  // The u8 bits of an int8 input, when --qnt-flip-int8-activations made its
  // producer store them: read without a flip.
  std::optional<WindowInput> flippedWindow =
      isFloat ? std::nullopt : getFlippedWindow(rewriter, loc, window);
  bool flipped = bool(flippedWindow);
  if (flippedWindow)
    window = *flippedWindow;
  TypedAttr padAttr;
  // A 1x1 convolution followed by a max pool reads its input in place
  // too, so that the pool can run on its accumulators (matchPool).
  bool poolFollows =
      result.hasOneUse() &&
      isa<linalg::PoolingNhwcMaxOp>(*result.getUsers().begin()) && !g.amx;
  bool implicitRows = dilations[0] == 1 && dilations[1] == 1 &&
                      (f[1] * f[2] > 1 || poolFollows) &&
                      (!window.isPadded() ||
                       matchPattern(window.padValue, m_Constant(&padAttr)));
  // (Row tiles of 16 pixels within an output row: at least half used.)
  bool amxImplicit = implicitRows && 2 * f[1] * run64 <= 3 * g.k &&
                     2 * out[2] >= (out[2] + 15) / 16 * 16 &&
                     usesAmx(g, f[1] * run64, false);
  // A 1x1 convolution reads its input as [M, C] (int8: packRows).
  bool rowsA = f[1] == 1 && f[2] == 1 && strides[0] == 1 && strides[1] == 1 &&
               in[1] == out[1] && in[2] == out[2];
  bool amxPacked = usesAmx(g, g.k, rowsA);
  bool implicit =
      amxImplicit || (implicitRows && !amxPacked && f[1] * run <= kPad);
  if (amxImplicit)
    run = run64;
  g.amxTiles = amxImplicit || (!implicit && amxPacked);

  OpBuilder::InsertionGuard guard(rewriter);
  if (g.columnInit)
    if (tensor::InsertSliceOp slot = concatSlot(rewriter, result))
      g.output = slotView(rewriter, loc, slot);
  if (implicit) {
    if (run != taps) {
      // The bytes past each run weigh 0.
      SmallVector<double> wide(g.n * f[1] * run, 0.0);
      for (int64_t n = 0; n < g.n; ++n)
        for (int64_t r = 0; r < f[1]; ++r)
          for (int64_t t = 0; t < taps; ++t)
            wide[(n * f[1] + r) * run + t] = g.w[(n * f[1] + r) * taps + t];
      g.w = std::move(wide);
      g.k = f[1] * run;
    }
    g.implicit = ImplicitA{out[0], out[1], out[2],     in[1],      in[2],
                           in[3],  f[1],   strides[0], strides[1], run};
    // The last row's run may read past the padded input: by the bytes past
    // its taps, and on AMX by the pixels a last tile of 16 has past OW.
    g.implicit->slack = run - taps;
    if (amxImplicit)
      g.implicit->slack +=
          ((out[2] + 15) / 16 * 16 - out[2]) * strides[1] * in[3];
    g.a = packPadded(rewriter, loc, window, in[1], in[2], g.implicit->slack,
                     flipped);
    if (linalg::PoolingNhwcMaxOp pool = matchPool(g, result, epilogue)) {
      // A pooled result that is a slot of a channel concat is written
      // there, as above.
      if (tensor::InsertSliceOp slot = concatSlot(rewriter, pool.getResult(0)))
        g.output = slotView(rewriter, loc, slot);
      Value c = buildGemm(rewriter, loc, g, epilogue);
      rewriter.replaceOp(pool,
                         tensor::ExpandShapeOp::create(
                             rewriter, loc, pool.getResultTypes()[0], c,
                             ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}}));
      if (epilogue)
        for (const Epilogue::Stage &stage : llvm::reverse(epilogue->stages))
          rewriter.eraseOp(stage.op);
      rewriter.eraseOp(op);
      return success();
    }
  } else if (rowsA) {
    // A 1x1 convolution reads the input itself (int8: a flipped copy, with
    // the rows and K the kernel's tiles need).
    // (A padded input keeps its tensor.pad: the window's source is
    // smaller than the rows.)
    bool flippedRows = flipped && !window.isPadded();
    g.a = tensor::CollapseShapeOp::create(
        rewriter, loc, RankedTensorType::get({g.m, g.k}, element),
        flippedRows ? window.source : input,
        ArrayRef<ReassociationIndices>{{0, 1, 2}, {3}});
    if (!isFloat)
      g.a =
          packRows(rewriter, loc, g.a, packedRows(g), packedK(g), flippedRows);
  } else {
    // im2col: [N, OH, OW, KH, KW, C] <- input[n, oh*s + kh*d, ow*s + kw*d,
    // c].
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    AffineMap inputMap =
        AffineMap::get(6, 0,
                       {d(0), d(1) * strides[0] + d(3) * dilations[0],
                        d(2) * strides[1] + d(4) * dilations[1], d(5)},
                       ctx);
    SmallVector<int64_t> patches = {out[0], out[1], out[2], f[1], f[2], in[3]};
    // Whole vectors of channels: vector copies reading through the padding;
    // else (C = 1 or 3 in first layers) the elementwise generic.
    int64_t lanes = 0;
    for (int64_t l : {64, 32, 16})
      if (!lanes && in[3] % (isFloat ? l / 4 : l) == 0 && f[1] * f[2] <= 49)
        lanes = isFloat ? l / 4 : l;
    if (!lanes && dilations[0] == 1 && dilations[1] == 1 &&
        f[2] * in[3] <= 64) {
      // Few channels: contiguous runs straight into [M, kPad].
      g.a =
          packRuns(rewriter, loc, window, ArrayRef<int64_t>(out).take_front(3),
                   f[1], f[2], in[3], strides, kPad, flipped);
    } else {
      Value cols =
          lanes ? packWindows(rewriter, loc, window, patches, strides,
                              dilations, lanes, flipped)
                : packActivations(rewriter, loc, input, patches, inputMap);
      g.a = tensor::CollapseShapeOp::create(
          rewriter, loc, RankedTensorType::get({g.m, g.k}, element), cols,
          ArrayRef<ReassociationIndices>{{0, 1, 2}, {3, 4, 5}});
    }
  }
  replaceWithGemm(rewriter, op, buildGemm(rewriter, loc, g, epilogue), epilogue,
                  {{0, 1, 2}, {3}});
  return success();
}

/// A one-batch matmul [1, M, K] x [1, K, N] as a GEMM.
static LogicalResult lowerMatmul(PatternRewriter &rewriter, Operation *op,
                                 Value lhs, Value rhs, Value init,
                                 std::optional<int64_t> za, bool amx,
                                 bool packNarrowing) {
  auto aType = cast<RankedTensorType>(lhs.getType());
  auto bType = cast<RankedTensorType>(rhs.getType());
  auto outType = cast<RankedTensorType>(op->getResult(0).getType());
  bool isFloat = !za;
  if (!aType.hasStaticShape() || !bType.hasStaticShape() ||
      aType.getDimSize(0) != 1 ||
      !(isFloat ? aType.getElementType().isF32()
                : aType.getElementType().isInteger(8)))
    return rewriter.notifyMatchFailure(op, "needs one static i8/f32 batch");
  Gemm g;
  g.isFloat = isFloat;
  g.amx = amx;
  g.packNarrowing = packNarrowing;
  g.m = aType.getDimSize(1);
  g.k = aType.getDimSize(2);
  g.n = bType.getDimSize(2);
  std::optional<SmallVector<double>> w =
      getWeightValues(rhs, isFloat, g.k, g.n, /*transposeKN=*/true);
  if (!w)
    return rewriter.notifyMatchFailure(op, "needs constant weights");
  Location loc = op->getLoc();
  Type element = aType.getElementType();
  SmallVector<ReassociationIndices> rows = {{0, 1}, {2}};
  g.w = std::move(*w);
  g.zeroPoint = za.value_or(0);
  g.columnInit = getColumnConstant(init, g.n);
  g.init = tensor::CollapseShapeOp::create(
      rewriter, loc,
      RankedTensorType::get({g.m, g.n}, outType.getElementType()), init, rows);
  std::optional<Epilogue> epilogue = matchEpilogue(rewriter, op, g, rows);
  g.amxTiles = usesAmx(g, g.k, /*padsK=*/true);
  Value flippedLhs = isFloat ? Value() : getFlippedSource(lhs);
  g.a = tensor::CollapseShapeOp::create(
      rewriter, loc, RankedTensorType::get({g.m, g.k}, element),
      flippedLhs ? flippedLhs : lhs, rows);
  if (!isFloat)
    g.a = packRows(rewriter, loc, g.a, packedRows(g), packedK(g),
                   bool(flippedLhs));
  replaceWithGemm(rewriter, op, buildGemm(rewriter, loc, g, epilogue), epilogue,
                  rows);
  return success();
}

/// linalg.conv_2d_nhwc_fhwc_q (int8, symmetric weights) or
/// linalg.conv_2d_nhwc_fhwc (f32, or int8 with zero zero points).
template <typename ConvOp, bool Quantized>
struct LowerConv : OpRewritePattern<ConvOp> {
  LowerConv(MLIRContext *context, bool amx, bool packNarrowing)
      : OpRewritePattern<ConvOp>(context), amx(amx),
        packNarrowing(packNarrowing) {}
  bool amx, packNarrowing;
  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<int64_t> za = getInt8InputZeroPoint(op, Quantized);
    if (!op.hasPureTensorSemantics() || (Quantized && !za))
      return rewriter.notifyMatchFailure(op, "needs tensors, constant "
                                             "symmetric zero points");
    auto [strides, dilations] = getWindowAttrs(op);
    return lowerConv(rewriter, op, op.getInputs()[0], op.getInputs()[1],
                     op.getOutputs()[0], za, strides, dilations, amx,
                     packNarrowing);
  }
};

/// One-batch linalg.quantized_batch_matmul (int8, symmetric weights) or
/// linalg.batch_matmul (f32, or int8 with zero zero points; only the plain
/// form, without transposing or broadcasting indexing maps).
template <typename MatmulOp, bool Quantized>
struct LowerMatmul : OpRewritePattern<MatmulOp> {
  LowerMatmul(MLIRContext *context, bool amx, bool packNarrowing)
      : OpRewritePattern<MatmulOp>(context), amx(amx),
        packNarrowing(packNarrowing) {}
  bool amx, packNarrowing;
  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<int64_t> za = getInt8InputZeroPoint(op, Quantized);
    if (!op.hasPureTensorSemantics() || (Quantized && !za))
      return rewriter.notifyMatchFailure(op, "needs tensors, constant "
                                             "symmetric zero points");
    if constexpr (!Quantized)
      if (op.getIndexingMapsArray() !=
          op.getDefaultIndexingMaps(op.getContext()))
        return rewriter.notifyMatchFailure(op, "not a plain batch matmul");
    return lowerMatmul(rewriter, op, op.getInputs()[0], op.getInputs()[1],
                       op.getOutputs()[0], za, amx, packNarrowing);
  }
};

/// A max pool of a channel concatenation (a chain of insert_slices of whole
/// images and rows into a tensor.empty, as tosa-to-tensor builds it) as the
/// concatenation of the pools of its parts: the same values (the pool is
/// per channel), and each part's producer can then run its pool
/// (matchPool), writing into its slot of the pooled concatenation.
static void hoistPoolsAboveConcats(Operation *root) {
  SmallVector<linalg::PoolingNhwcMaxOp> pools;
  root->walk([&](linalg::PoolingNhwcMaxOp op) { pools.push_back(op); });
  IRRewriter rewriter(root->getContext());
  for (linalg::PoolingNhwcMaxOp pool : pools) {
    auto fill = pool.getOutputs()[0].getDefiningOp<linalg::FillOp>();
    auto outType = cast<RankedTensorType>(pool.getResultTypes()[0]);
    if (!pool.hasPureTensorSemantics() || !fill || !outType.hasStaticShape())
      continue;
    // The parts, last first, with their channel offsets.
    SmallVector<tensor::InsertSliceOp> parts;
    Value v = pool.getInputs()[0];
    auto inType = cast<RankedTensorType>(v.getType());
    while (auto insert = v.getDefiningOp<tensor::InsertSliceOp>()) {
      if (!v.hasOneUse() || !insert.hasUnitStride() ||
          insert.getSourceType().getRank() != 4 ||
          !insert.getSourceType().hasStaticShape())
        break;
      ArrayRef<int64_t> offsets = insert.getStaticOffsets();
      ArrayRef<int64_t> sizes = insert.getStaticSizes();
      if (offsets[0] != 0 || offsets[1] != 0 || offsets[2] != 0 ||
          ShapedType::isDynamic(offsets[3]) ||
          sizes.take_front(3) != inType.getShape().take_front(3))
        break;
      parts.push_back(insert);
      v = insert.getDest();
    }
    if (parts.size() < 2 || !v.getDefiningOp<tensor::EmptyOp>())
      continue;
    // The parts must cover the channels once each.
    SmallVector<std::pair<int64_t, int64_t>> ranges;
    for (tensor::InsertSliceOp part : parts)
      ranges.push_back({part.getStaticOffsets()[3], part.getStaticSizes()[3]});
    llvm::sort(ranges);
    int64_t next = 0;
    for (auto [offset, size] : ranges)
      next = offset == next ? offset + size : -1;
    if (next != inType.getDimSize(3))
      continue;
    rewriter.setInsertionPoint(pool);
    Location loc = pool.getLoc();
    Value out = tensor::EmptyOp::create(rewriter, loc, outType.getShape(),
                                        outType.getElementType());
    for (tensor::InsertSliceOp part : llvm::reverse(parts)) {
      SmallVector<int64_t> shape(outType.getShape());
      shape[3] = part.getStaticSizes()[3];
      auto type = RankedTensorType::get(shape, outType.getElementType());
      Value init = linalg::FillOp::create(
                       rewriter, loc, fill.getInputs()[0],
                       ValueRange{tensor::EmptyOp::create(
                           rewriter, loc, shape, outType.getElementType())})
                       .getResult(0);
      auto partPool = linalg::PoolingNhwcMaxOp::create(
          rewriter, loc, TypeRange{type},
          ValueRange{part.getSource(), pool.getInputs()[1]}, ValueRange{init},
          ArrayRef<NamedAttribute>{
              rewriter.getNamedAttr("strides", pool.getStridesAttr()),
              rewriter.getNamedAttr("dilations", pool.getDilationsAttr())});
      SmallVector<OpFoldResult> offsets(4, rewriter.getIndexAttr(0));
      offsets[3] = rewriter.getIndexAttr(part.getStaticOffsets()[3]);
      SmallVector<OpFoldResult> sizes, strides(4, rewriter.getIndexAttr(1));
      for (int64_t d : shape)
        sizes.push_back(rewriter.getIndexAttr(d));
      out = tensor::InsertSliceOp::create(rewriter, loc, partPool.getResult(0),
                                          out, offsets, sizes, strides);
    }
    rewriter.replaceOp(pool, out);
    for (tensor::InsertSliceOp part : parts)
      rewriter.eraseOp(part);
  }
}

struct QntLowerGemmPass
    : public qnt::impl::QntLowerGemmPassBase<QntLowerGemmPass> {
  using Base::Base;
  void runOnOperation() override {
    if (amx != "auto" && amx != "on" && amx != "off") {
      getOperation().emitError("--qnt-lower-gemm: option amx must be auto, "
                               "on or off, got '")
          << amx << "'";
      return signalPassFailure();
    }
    FailureOr<bool> pack =
        parseNarrowOption(getOperation(), "qnt-lower-gemm", narrow);
    if (failed(pack))
      return signalPassFailure();
    hoistPoolsAboveConcats(getOperation());
    RewritePatternSet patterns(&getContext());
    populateQntLowerGemmPatterns(
        patterns, amx == "on" || (amx == "auto" && hostHasAMX()), *pack);
    applyKernelPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace

void mlir::qnt::populateQntLowerGemmPatterns(RewritePatternSet &patterns,
                                             bool amx, bool packNarrowing) {
  patterns.add<LowerConv<linalg::Conv2DNhwcFhwcQOp, true>,
               LowerConv<linalg::Conv2DNhwcFhwcOp, false>,
               LowerMatmul<linalg::QuantizedBatchMatmulOp, true>,
               LowerMatmul<linalg::BatchMatmulOp, false>>(patterns.getContext(),
                                                          amx, packNarrowing);
}
