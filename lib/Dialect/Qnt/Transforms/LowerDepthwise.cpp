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
// int8 with dilation 1 ("quads"): the (padded) input is first rewritten as
// u8 quads, q4[y][p][4c + k] = x[y][S*p + k][c] + 128 (k < 4: four adjacent
// columns interleaved per channel, p every S-th column), so that one
// qnt.dot_u8s8 (vpdpbusd) adds four taps of a kernel row for 16 channels.
// The quad rows are a ring of KH per image, each built just before the
// first output row that reads it (so it is in cache, even for images
// larger than it). An output column whose first tap column is b = ow * s
// starts at quad (b - f) / S, f = b mod S, with the weights of the row
// shifted by f bytes (f zeros, then w0, w1, ...); wider rows take more
// quads (4 columns further each), the bytes past the row's taps weigh 0.
// At an odd stride S = 2 (overlapping quads: two neighbouring output
// columns read the same quads, one with f = 0, one with f = 1); at an even
// stride every b is even and S = 4: quads every second column would each
// serve one output column, built twice per output row, where with S = 4 a
// 3-tap row takes one quad (f = 0) or two (f = 2) and half as many quads
// are built (a 144-channel 3x3 stride-2 layer of MobileNetV2's shape took
// 15% less time: docs/performance.md). Eight output columns are computed at
// a time; with narrow=pack a requantize to int8 narrows their vectors four
// at a time (ResultWriter: qnt.pack_s8), with narrow=each one by one. With the
// +128 the correction becomes init[c] - (z_x + 128) * sum w[., ., c]. For 16
// outputs of a 3x3 kernel at stride 1 this is 3 vector ops instead of the 18 of
// sign-extending every tap (below), plus the rewrite: the four columns' 16-byte
// vectors concatenated (inserts) and permuted (one vpermb with VBMI) per quad
// of 16 channels, one quad per two input columns at an odd stride, per four at
// an even one.
//
// Otherwise (f32, or int8 with dilation) the taps are unrolled, the input
// bytes sign-extended to i32 lanes and multiplied-added with
// qnt.dot_s16s16 (vpdpwssd) against a constant table of i16 pairs (w, 0)
// (int8), or read as f32 lanes (FMA) against a [KH * KW][C] table.
//
// The correction is added to a constant init (fill or broadcast bias) as
// the accumulators start. Elementwise consumers with per-channel constants
// (the bias add, the requantize to i8) run on the accumulators before they
// are stored, so an int8 layer writes i8, not i32. The input is read
// through its padding (clamped indices, the pad value selected outside),
// not from a padded copy.
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

/// The quad layout of an int8 depthwise convolution with dilation 1 (see
/// the top of the file): `count` quads of 4 * cPad bytes per padded row,
/// quad p holding columns spacing * p .. spacing * p + 3.
struct QuadLayout {
  /// Columns from one quad to the next: 2 (overlapping quads: at an odd
  /// stride neighbouring output columns share them), 4 at an even stride
  /// (every first tap column is even, so quads every second column would
  /// serve one output column each and be built twice as often).
  int64_t spacing = 2;
  int64_t kw = 0;
  int64_t count = 0;

  QuadLayout(int64_t kw, int64_t sw, int64_t ow)
      : spacing(sw % 2 ? 2 : 4), kw(kw) {
    for (int64_t o = 0; o < ow; ++o)
      count = std::max(count, first(o * sw) + last(o * sw) + 1);
  }
  int64_t phase(int64_t column) const { return column % spacing; }
  /// Quads per kernel row for a phase (the first tap column modulo
  /// `spacing`); the quads of one row are 4 columns apart.
  int64_t groups(int64_t phase) const { return (phase + kw + 3) / 4; }
  int64_t maxGroups() const { return groups(spacing - 1); }
  /// The first quad of a row of taps from `column`, and the offset of its
  /// last quad from the first.
  int64_t first(int64_t column) const {
    return (column - phase(column)) / spacing;
  }
  int64_t last(int64_t column) const {
    return step() * (groups(phase(column)) - 1);
  }
  /// Quads from one group to the next (4 columns).
  int64_t step() const { return 4 / spacing; }
  /// The [spacing][KH][max groups][4 * cPad] table of s8 weights: byte k of
  /// quad g of kernel row i holds tap 4g + k - phase, 0 past the row.
  SmallVector<int8_t> weights(ArrayRef<double> table, int64_t kh,
                              int64_t channels, int64_t cPad) const {
    int64_t g1 = maxGroups();
    SmallVector<int8_t> result(spacing * kh * g1 * 4 * cPad, 0);
    for (int64_t phase = 0; phase < spacing; ++phase)
      for (int64_t i = 0; i < kh; ++i)
        for (int64_t g = 0; g < groups(phase); ++g)
          for (int64_t k = 0; k < 4; ++k) {
            int64_t j = 4 * g + k - phase;
            if (j < 0 || j >= kw)
              continue;
            for (int64_t c = 0; c < channels; ++c)
              result[((phase * kh + i) * g1 + g) * 4 * cPad + 4 * c + k] =
                  int8_t(table[(i * kw + j) * channels + c]);
          }
    return result;
  }
};

/// The depthwise convolution `op` (input [N, H, W, C], weights
/// [KH, KW, C, 1], init [N, OH, OW, C, 1]) as channel-vectorized loops.
static LogicalResult lowerDepthwise(PatternRewriter &rewriter, Operation *op,
                                    Value input, Value filter, Value init,
                                    std::optional<int64_t> zeroPoint,
                                    ArrayRef<int64_t> strides,
                                    ArrayRef<int64_t> dilations,
                                    bool packNarrowing) {
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
  bool useQuads = !isFloat && dilations[0] == 1 && dilations[1] == 1;

  Location loc = op->getLoc();
  OpBuilder &b = rewriter;
  WindowInput window = WindowInput::get(input);
  // Quads of the u8 bits of an int8 input, when --qnt-flip-int8-activations
  // made its producer store them: built without a flip.
  bool flipped = false;
  if (useQuads)
    if (std::optional<WindowInput> u = getFlippedWindow(b, loc, window)) {
      window = *u;
      flipped = true;
    }
  Type accElement = isFloat ? Type(b.getF32Type()) : Type(b.getI32Type());
  Type i8 = b.getIntegerType(8);
  auto acc = VectorType::get({kLanes}, accElement);
  // [KH, KW, C, 1] weights in row-major order are the [tap][channel] table.
  const SmallVector<double> &table = *w;
  // Quads read the input + 128 (u8).
  double inputOffset =
      isFloat ? 0.0 : double(*zeroPoint) + (useQuads ? 128 : 0);
  std::optional<SmallVector<double>> columnInit =
      getColumnConstant(init, channels);
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
  // A bias add first in the epilogue starts the accumulators instead.
  if (epilogue)
    if (std::optional<SmallVector<double>> bias =
            epilogue->takeLeadingColumnAdd()) {
      for (int64_t c = 0; c < channels; ++c)
        (*columnInit)[c] += (*bias)[c];
    }
  SmallVector<double> correction(cPad, 0.0);
  for (int64_t c = 0; c < channels; ++c) {
    double sum = 0;
    for (int64_t t = 0; t < kh * kw; ++t)
      sum += table[t * channels + c];
    correction[c] = -inputOffset * sum + (columnInit ? (*columnInit)[c] : 0.0);
  }
  QuadLayout quads(kw, strides[1], out[2]);
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
    if (useQuads) {
      tableType = RankedTensorType::get(
          {quads.spacing, kh, quads.maxGroups(), 4 * cPad}, i8);
      tableAttr = DenseElementsAttr::get(
          tableType, ArrayRef(quads.weights(table, kh, channels, cPad)));
    } else {
      // Pairs (w, 0) of i16: qnt.dot_s16s16 of the sign-extended input (the
      // pair (x, sign)) with them is x * w.
      SmallVector<int16_t> ti;
      for (double v : padded)
        ti.append({int16_t(v), int16_t(0)});
      tableType =
          RankedTensorType::get({kh * kw, 2 * cPad}, b.getIntegerType(16));
      tableAttr = DenseElementsAttr::get(tableType, ArrayRef(ti));
    }
    SmallVector<int32_t> ci(correction.begin(), correction.end());
    corrAttr = DenseElementsAttr::get(corrType, ArrayRef(ci));
  }
  Value weights = arith::ConstantOp::create(b, loc, tableAttr);
  Value corr = arith::ConstantOp::create(b, loc, corrAttr);

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
  SmallVector<bool> inBounds = {true};
  auto inVec = VectorType::get({kLanes}, inType.getElementType());
  int64_t blocks = channels / kLanes;
  SmallVector<bool> masked = {false};

  // The accumulators of the block of channels from `c` at output pixel
  // (n, oh, ow), started: the correction (and a non-constant init).
  auto startBlock = [&](OpBuilder &b, Value tile, ValueRange pixel, Value c,
                        bool exact) -> Value {
    Value sum = vector::TransferReadOp::create(b, loc, acc, corr, ValueRange{c},
                                               zeroAcc, inBounds);
    if (columnInit)
      return sum;
    Value read = vector::TransferReadOp::create(
        b, loc, acc, tile, ValueRange{pixel[0], pixel[1], pixel[2], c}, zeroAcc,
        exact ? inBounds : masked);
    return isFloat ? Value(arith::AddFOp::create(b, loc, sum, read))
                   : Value(arith::AddIOp::create(b, loc, sum, read));
  };
  // Finished: the epilogue on them, then stored.
  auto finishBlock = [&](OpBuilder &b, Value sum, ResultWriter &writer,
                         ValueRange pixel, Value c, bool exact,
                         Epilogue::ColumnCache *cache = nullptr) {
    SmallVector<Value> position = {pixel[0], pixel[1], pixel[2], c};
    if (epilogue)
      sum = epilogue->apply(b, loc, sum, c, position, exact, cache);
    writer.write(sum, position, exact ? kLanes : channels - blocks * kLanes);
  };
  // The channel blocks: in a loop (unrolling them all would make wide
  // layers' bodies thousands of ops long), then the partial block.
  auto channelBlocks =
      [&](OpBuilder &b, Value tile,
          function_ref<Value(OpBuilder &, Value, Value, bool)> block) -> Value {
    if (blocks > 0)
      tile = buildLoop(b, loc, blocks * kLanes, kLanes, tile,
                       [&](OpBuilder &b, Value c, ValueRange carried) {
                         return SmallVector<Value>{
                             block(b, c, carried[0], /*exact=*/true)};
                       })[0];
    if (cPad == channels)
      return tile;
    return block(b, indexConstant(b, loc, blocks * kLanes), tile,
                 /*exact=*/false);
  };
  auto idx = [&](OpBuilder &b, int64_t v) { return indexConstant(b, loc, v); };
  auto affine = [&](OpBuilder &b, Value v, int64_t scale,
                    int64_t offset) -> Value {
    return indexAffine(b, loc, v, scale, offset);
  };

  Value result;
  if (useQuads) {
    // Per image: the quads, then the output pixels from them.
    auto quadVec = VectorType::get({4 * kLanes}, i8);
    auto quadTensor = RankedTensorType::get({kh, quads.count, 4 * cPad}, i8);
    Value flip = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(quadVec, ArrayRef<int8_t>{-128}));
    // The four columns' vectors concatenated, then byte 4c + k of the quad
    // from column k's byte c (one vpermb on AVX512-VBMI; x86 builds the
    // concatenation with inserts, not shuffles).
    SmallVector<int64_t> concat2 =
        llvm::to_vector(llvm::seq<int64_t>(0, 2 * kLanes));
    SmallVector<int64_t> concat4 =
        llvm::to_vector(llvm::seq<int64_t>(0, 4 * kLanes));
    SmallVector<int64_t> quadMask;
    for (int64_t c = 0; c < kLanes; ++c)
      for (int64_t k = 0; k < 4; ++k)
        quadMask.push_back(kLanes * k + c);
    int64_t sh = strides[0], sw = strides[1];
    // Quad `q` of padded row `r` for each channel block, stored in row
    // `slot` of the ring.
    auto buildQuads = [&](OpBuilder &b, Value n, Value r, Value slot, Value q,
                          Value x4) -> Value {
      std::pair<Value, Value> rowRead = window.row(b, loc, r);
      Value row = rowRead.first, rowInside = rowRead.second;
      // Columns 2q .. 2q + 3 in padded coordinates, read at `columns`
      // (where `inside`, else the pad value; null: always inside).
      auto quadBlocks = [&](OpBuilder &b, ArrayRef<Value> columns,
                            ArrayRef<Value> inside) {
        return channelBlocks(
            b, x4, [&](OpBuilder &b, Value c, Value x4, bool exact) -> Value {
              SmallVector<Value> v;
              for (int64_t k = 0; k < 4; ++k)
                v.push_back(window.read(b, loc, inVec, n, row, columns[k], c,
                                        inside.empty() ? Value() : inside[k],
                                        exact));
              Value ab = vector::ShuffleOp::create(b, loc, v[0], v[1], concat2);
              Value cd = vector::ShuffleOp::create(b, loc, v[2], v[3], concat2);
              Value all = vector::ShuffleOp::create(b, loc, ab, cd, concat4);
              Value quad =
                  vector::ShuffleOp::create(b, loc, all, all, quadMask);
              if (!flipped)
                quad = arith::XOrIOp::create(b, loc, quad, flip);
              return vector::TransferWriteOp::create(
                         b, loc, quad, x4,
                         ValueRange{slot, q, affine(b, c, 4, 0)}, inBounds)
                  .getResult();
            });
      };
      Value x0 = affine(b, q, quads.spacing, 0);
      // Inside the source: the columns at constant offsets. Columns past
      // the last tap of any output are clamped (they weigh 0).
      Value interior = window.contains(b, loc, r, x0, 1, 4);
      auto branch = scf::IfOp::create(
          b, loc, interior,
          [&](OpBuilder &b, Location) {
            SmallVector<Value> columns;
            for (int64_t k = 0; k < 4; ++k)
              columns.push_back(affine(b, x0, 1, k - window.left));
            scf::YieldOp::create(b, loc, quadBlocks(b, columns, {}));
          },
          [&](OpBuilder &b, Location) {
            SmallVector<Value> columns, inside;
            for (int64_t k = 0; k < 4; ++k) {
              Value x = affine(b, x0, 1, k);
              if (!window.isPadded()) {
                columns.push_back(arith::MinSIOp::create(
                    b, loc, x, idx(b, window.width - 1)));
                continue;
              }
              auto [col, in] = window.column(b, loc, x);
              columns.push_back(col);
              inside.push_back(arith::AndIOp::create(b, loc, rowInside, in));
            }
            scf::YieldOp::create(b, loc, quadBlocks(b, columns, inside));
          });
      return branch.getResult(0);
    };
    // Output columns ow0 .. ow0 + count - 1 of row oh: ow0 * sw has phase
    // `phase0`, and its first quad is `half` + the static offsets.
    auto outputs = [&](OpBuilder &b, Value n, Value oh, ArrayRef<Value> slots,
                       Value ow0, Value half, int64_t phase0, int64_t count,
                       Value x4, Value tile) -> Value {
      return channelBlocks(
          b, tile, [&](OpBuilder &b, Value c, Value tile, bool exact) -> Value {
            Value c4 = affine(b, c, 4, 0);
            SmallVector<Value> sums, ows;
            for (int64_t u = 0; u < count; ++u) {
              ows.push_back(affine(b, ow0, 1, u));
              sums.push_back(
                  startBlock(b, tile, ValueRange{n, oh, ows[u]}, c, exact));
            }
            Value zeroByte =
                arith::ConstantOp::create(b, loc, b.getI8IntegerAttr(0));
            for (int64_t i = 0; i < kh; ++i) {
              Value row = slots[i];
              llvm::SmallDenseMap<int64_t, Value> read;
              for (int64_t u = 0; u < count; ++u) {
                int64_t column = phase0 + u * sw, phase = quads.phase(column);
                for (int64_t g = 0; g < quads.groups(phase); ++g) {
                  int64_t offset = quads.first(column) + quads.step() * g;
                  Value &quad = read[offset];
                  if (!quad)
                    quad = vector::TransferReadOp::create(
                        b, loc, quadVec, x4,
                        ValueRange{row, affine(b, half, 1, offset), c4},
                        zeroByte, inBounds);
                  Value tap = vector::TransferReadOp::create(
                      b, loc, quadVec, weights,
                      ValueRange{idx(b, phase), idx(b, i), idx(b, g), c4},
                      zeroByte, inBounds);
                  sums[u] = DotU8S8Op::create(b, loc, sums[u], quad, tap);
                }
              }
            }
            Epilogue::ColumnCache cache;
            ResultWriter writer(b, loc, tile, packNarrowing);
            for (int64_t u = 0; u < count; ++u)
              finishBlock(b, sums[u], writer, ValueRange{n, oh, ows[u]}, c,
                          exact, &cache);
            return writer.finish();
          });
    };
    // Eight output columns at a time (at an odd stride pairs of phases 0
    // and 1 reading the same quads; 2% faster than four on Zen 4's
    // 56x56x144 layer), their requantized bytes narrowed four at a time
    // with narrow=pack.
    int64_t step = 8;
    int64_t steps = out[2] / step;
    // (Each step's first tap column, j * step * sw, is then at phase 0.)
    assert(step * sw % quads.spacing == 0 && "a step not at phase 0");
    // The quad rows are a ring of KH: each image starts with rows 0 to
    // first - 1; output row oh first builds rows oh * sh + first to
    // oh * sh + KH - 1, the ones the previous output rows did not need.
    int64_t first = std::max<int64_t>(kh - sh, 0);
    auto buildRows = [&](OpBuilder &b, Value n, Value base, int64_t from,
                         int64_t to, Value x4) -> Value {
      if (from == to)
        return x4;
      return buildLoop(
          b, loc, to - from, 1, x4,
          [&](OpBuilder &b, Value t, ValueRange carried) {
            Value r =
                arith::AddIOp::create(b, loc, base, affine(b, t, 1, from));
            Value slot = arith::RemUIOp::create(b, loc, r, idx(b, kh));
            return buildLoop(b, loc, quads.count, 1, carried[0],
                             [&](OpBuilder &b, Value q, ValueRange carried) {
                               return SmallVector<Value>{
                                   buildQuads(b, n, r, slot, q, carried[0])};
                             });
          })[0];
    };
    Value x4Init = tensor::EmptyOp::create(b, loc, quadTensor.getShape(), i8);
    result = buildLoop(
        b, loc, out[0], 1, ValueRange{c0, x4Init},
        [&](OpBuilder &b, Value n, ValueRange carried) {
          Value x4 = buildRows(b, n, idx(b, 0), 0, first, carried[1]);
          return buildLoop(
              b, loc, out[1], 1, ValueRange{carried[0], x4},
              [&](OpBuilder &b, Value oh, ValueRange carried) {
                Value base = affine(b, oh, sh, 0);
                Value x4 = buildRows(b, n, base, first, kh, carried[1]);
                SmallVector<Value> slots;
                for (int64_t i = 0; i < kh; ++i)
                  slots.push_back(arith::RemUIOp::create(
                      b, loc, affine(b, base, 1, i), idx(b, kh)));
                // (No loop when the row is narrower than a step: its
                // body would be built for nothing.)
                Value tile = carried[0];
                if (steps > 0)
                  tile = buildLoop(
                      b, loc, steps, 1, tile,
                      [&](OpBuilder &b, Value j, ValueRange carried) {
                        return SmallVector<Value>{
                            outputs(b, n, oh, slots, affine(b, j, step, 0),
                                    affine(b, j, step * sw / quads.spacing, 0),
                                    0, step, x4, carried[0])};
                      })[0];
                if (steps * step < out[2]) {
                  int64_t rest = steps * step, phase = quads.phase(rest * sw);
                  tile = outputs(b, n, oh, slots, idx(b, rest),
                                 idx(b, quads.first(rest * sw)), phase,
                                 out[2] - rest, x4, tile);
                }
                return SmallVector<Value>{tile, x4};
              });
        })[0];
  } else {
    auto pairs = VectorType::get({2 * kLanes}, b.getIntegerType(16));
    Value zeroPair = arith::ConstantOp::create(b, loc, b.getI16IntegerAttr(0));
    // Loops over n, oh, ow; the channel blocks and taps unrolled inside.
    result = buildPixelLoops(
        b, loc, out.take_front(3), c0,
        [&](OpBuilder &b, ValueRange pixel, Value tile) -> Value {
          Value ohs = affine(b, pixel[1], strides[0], 0);
          Value ows = affine(b, pixel[2], strides[1], 0);
          // The channel blocks of this pixel, the taps at source rows
          // `rows` and columns `columns`, each read where `insideTap`
          // (null: always).
          auto channelLoop = [&](OpBuilder &b, Value tile, ArrayRef<Value> rows,
                                 ArrayRef<Value> columns,
                                 ArrayRef<Value> insideTap) -> Value {
            return channelBlocks(
                b, tile,
                [&](OpBuilder &b, Value c, Value tile, bool exact) -> Value {
                  Value sum = startBlock(b, tile, pixel, c, exact);
                  for (int64_t i = 0; i < kh; ++i)
                    for (int64_t j = 0; j < kw; ++j) {
                      Value pixels = window.read(
                          b, loc, inVec, pixel[0], rows[i], columns[j], c,
                          insideTap.empty() ? Value() : insideTap[i * kw + j],
                          exact);
                      Value t = idx(b, i * kw + j);
                      if (isFloat) {
                        Value tap = vector::TransferReadOp::create(
                            b, loc, acc, weights, ValueRange{t, c}, zeroAcc,
                            inBounds);
                        sum = vector::FMAOp::create(b, loc, pixels, tap, sum);
                      } else {
                        Value tap = vector::TransferReadOp::create(
                            b, loc, pairs, weights,
                            ValueRange{t, affine(b, c, 2, 0)}, zeroPair,
                            inBounds);
                        Value wide = vector::BitCastOp::create(
                            b, loc, pairs,
                            arith::ExtSIOp::create(b, loc, acc, pixels));
                        sum = DotS16S16Op::create(b, loc, sum, wide, tap);
                      }
                    }
                  ResultWriter writer(b, loc, tile, packNarrowing);
                  finishBlock(b, sum, writer, pixel, c, exact);
                  return writer.finish();
                });
          };
          if (!window.isPadded()) {
            SmallVector<Value> rows, columns;
            for (int64_t i = 0; i < kh; ++i)
              rows.push_back(affine(b, ohs, 1, i * dilations[0]));
            for (int64_t j = 0; j < kw; ++j)
              columns.push_back(affine(b, ows, 1, j * dilations[1]));
            return channelLoop(b, tile, rows, columns, {});
          }
          // Padded: pixels whose window lies inside the source read it
          // directly (taps at constant offsets from one address); the
          // others clamp each tap's row and column and select the pad
          // value outside.
          Value y0 = affine(b, ohs, 1, -window.top);
          Value x0 = affine(b, ows, 1, -window.left);
          Value interior =
              window.contains(b, loc, ohs, ows, (kh - 1) * dilations[0] + 1,
                              (kw - 1) * dilations[1] + 1);
          auto branch = scf::IfOp::create(
              b, loc, interior,
              [&](OpBuilder &b, Location) {
                SmallVector<Value> rows, columns;
                for (int64_t i = 0; i < kh; ++i)
                  rows.push_back(affine(b, y0, 1, i * dilations[0]));
                for (int64_t j = 0; j < kw; ++j)
                  columns.push_back(affine(b, x0, 1, j * dilations[1]));
                scf::YieldOp::create(b, loc,
                                     channelLoop(b, tile, rows, columns, {}));
              },
              [&](OpBuilder &b, Location) {
                SmallVector<Value> rows, columns, inside;
                SmallVector<Value> rowInside, colInside;
                for (int64_t i = 0; i < kh; ++i) {
                  auto [r, in] =
                      window.row(b, loc, affine(b, ohs, 1, i * dilations[0]));
                  rows.push_back(r);
                  rowInside.push_back(in);
                }
                for (int64_t j = 0; j < kw; ++j) {
                  auto [col, in] = window.column(
                      b, loc, affine(b, ows, 1, j * dilations[1]));
                  columns.push_back(col);
                  colInside.push_back(in);
                }
                for (int64_t i = 0; i < kh; ++i)
                  for (int64_t j = 0; j < kw; ++j)
                    inside.push_back(arith::AndIOp::create(b, loc, rowInside[i],
                                                           colInside[j]));
                scf::YieldOp::create(
                    b, loc, channelLoop(b, tile, rows, columns, inside));
              });
          return branch.getResult(0);
        });
  }
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
  LowerDepthwise(MLIRContext *context, bool packNarrowing)
      : OpRewritePattern<ConvOp>(context), packNarrowing(packNarrowing) {}
  bool packNarrowing;
  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<int64_t> zx = getInt8InputZeroPoint(op, Quantized);
    if (!op.hasPureTensorSemantics() || (Quantized && !zx))
      return rewriter.notifyMatchFailure(op, "needs tensors, constant "
                                             "symmetric zero points");
    auto [strides, dilations] = getWindowAttrs(op);
    return lowerDepthwise(rewriter, op, op.getInputs()[0], op.getInputs()[1],
                          op.getOutputs()[0], zx, strides, dilations,
                          packNarrowing);
  }
};

struct QntLowerDepthwisePass
    : public qnt::impl::QntLowerDepthwisePassBase<QntLowerDepthwisePass> {
  using Base::Base;
  void runOnOperation() override {
    FailureOr<bool> pack =
        parseNarrowOption(getOperation(), "qnt-lower-depthwise", narrow);
    if (failed(pack))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    populateQntLowerDepthwisePatterns(patterns, *pack);
    applyKernelPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace

void mlir::qnt::populateQntLowerDepthwisePatterns(RewritePatternSet &patterns,
                                                  bool packNarrowing) {
  patterns.add<LowerDepthwise<linalg::DepthwiseConv2DNhwcHwcmQOp, true>,
               LowerDepthwise<linalg::DepthwiseConv2DNhwcHwcmOp, false>>(
      patterns.getContext(), packNarrowing);
}
