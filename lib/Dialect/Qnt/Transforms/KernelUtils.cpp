//===- KernelUtils.cpp - Shared by the microkernel passes -----------------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "KernelUtils.h"

#include "qnt/Dialect/Qnt/IR/Qnt.h"
#include "qnt/Dialect/Qnt/Utils/ConstantUtils.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/RegionUtils.h"

using namespace mlir;

std::optional<int64_t> mlir::qnt::getConstantIntValue(Value v) {
  APInt value;
  if (!matchPattern(v, m_ConstantInt(&value)))
    return std::nullopt;
  return value.getSExtValue();
}

std::optional<int64_t> mlir::qnt::getSymmetricInputZeroPoint(Value input,
                                                             Value weights) {
  std::optional<int64_t> za = getConstantIntValue(input);
  std::optional<int64_t> zw = getConstantIntValue(weights);
  if (!za || !zw || *zw != 0)
    return std::nullopt;
  return za;
}

/// The per-column values of `init` when it is a constant fill or the
/// broadcast of a constant 1-D tensor along the last dimension.
Value mlir::qnt::writeLanes(OpBuilder &b, Location loc, Value v, Value dest,
                            ValueRange indices, int64_t valid) {
  if (valid < cast<VectorType>(v.getType()).getNumElements())
    v = vector::ExtractStridedSliceOp::create(b, loc, v, ArrayRef<int64_t>{0},
                                              ArrayRef<int64_t>{valid},
                                              ArrayRef<int64_t>{1});
  return vector::TransferWriteOp::create(b, loc, v, dest, indices,
                                         ArrayRef<bool>{true})
      .getResult();
}

/// Whether `v` is x xor 0x80 of i8 lanes with a splat constant; then x.
static Value matchSignFlip(Value v) {
  auto xorOp = v.getDefiningOp<arith::XOrIOp>();
  APInt c;
  if (!xorOp || !getElementTypeOrSelf(v.getType()).isInteger(8))
    return Value();
  for (int i = 0; i < 2; ++i)
    if (matchPattern(xorOp->getOperand(1 - i), m_ConstantInt(&c)) &&
        c.getZExtValue() == 0x80)
      return xorOp->getOperand(i);
  return Value();
}

/// The narrowing `v` is: a chain of maxsi/minsi with splat constants around
/// a trunci(x) of 16 i32 lanes to i8 (the clamps of a requantize before it,
/// a tosa.clamp after it) that ends within [-128, 127], maybe flipped. A
/// chain of them is clamp(., lo, hi) for the interval it maps the whole
/// line to.
static std::optional<qnt::ResultWriter::Narrowing> matchNarrowing(Value v) {
  auto type = dyn_cast<VectorType>(v.getType());
  if (!type || type.getNumElements() != 16 ||
      !type.getElementType().isInteger(8))
    return std::nullopt;
  bool flip = false;
  if (Value x = matchSignFlip(v)) {
    v = x;
    flip = true;
  }
  // The ops from `v` up, then applied to [-inf, inf] in order.
  SmallVector<std::pair<bool, int64_t>> ops; // (is max, constant)
  auto clamps = [&](Value x) {
    while (isa_and_present<arith::MaxSIOp, arith::MinSIOp>(x.getDefiningOp())) {
      Operation *op = x.getDefiningOp();
      int side = -1;
      APInt c;
      for (int i = 0; i < 2 && side < 0; ++i)
        if (matchPattern(op->getOperand(i), m_ConstantInt(&c)))
          side = i;
      if (side < 0)
        break;
      ops.push_back({isa<arith::MaxSIOp>(op), c.getSExtValue()});
      x = op->getOperand(1 - side);
    }
    return x;
  };
  auto trunc = clamps(v).getDefiningOp<arith::TruncIOp>();
  if (!trunc || !getElementTypeOrSelf(trunc.getIn().getType()).isInteger(32))
    return std::nullopt;
  size_t after = ops.size();
  Value x = clamps(trunc.getIn());
  int64_t lo = std::numeric_limits<int64_t>::min();
  int64_t hi = std::numeric_limits<int64_t>::max();
  auto apply = [&](ArrayRef<std::pair<bool, int64_t>> chain) {
    for (auto [isMax, c] : llvm::reverse(chain)) {
      lo = isMax ? std::max(lo, c) : std::min(lo, c);
      hi = isMax ? std::max(hi, c) : std::min(hi, c);
    }
  };
  // The truncation is exact only on a range within i8.
  apply(ArrayRef(ops).drop_front(after));
  if (lo < -128 || hi > 127)
    return std::nullopt;
  apply(ArrayRef(ops).take_front(after));
  return qnt::ResultWriter::Narrowing{x, lo, hi, flip};
}

/// Erases `v` and the ops above it that only it used (a narrowing's flip,
/// truncation and clamps; not their constants, which a column cache may
/// share).
static void eraseNarrowing(Value v) {
  while (Operation *op = v.getDefiningOp()) {
    if (!op->use_empty() ||
        !isa<arith::TruncIOp, arith::MaxSIOp, arith::MinSIOp, arith::XOrIOp>(
            op))
      return;
    Value next = op->getOperand(0);
    if (!isa<arith::TruncIOp>(op) && matchPattern(next, m_Constant()))
      next = op->getOperand(1);
    op->erase();
    v = next;
  }
}

void mlir::qnt::ResultWriter::write(Value v, ValueRange indices,
                                    int64_t valid) {
  std::optional<Narrowing> narrowing = pack ? matchNarrowing(v) : std::nullopt;
  if (!narrowing ||
      (!pending.empty() && !narrowing->sameBytes(pending[0].narrowing))) {
    flush();
    if (!narrowing) {
      dest = writeLanes(b, loc, v, dest, indices, valid);
      return;
    }
  }
  pending.push_back({v, *narrowing, llvm::to_vector(indices), valid});
  if (pending.size() == 4)
    flush();
}

void mlir::qnt::ResultWriter::flush() {
  auto i8 = b.getI8Type();
  size_t done = 0;
  while (pending.size() - done >= 2) {
    size_t count = pending.size() - done >= 4 ? 4 : 2;
    const Narrowing &bytes = pending[done].narrowing;
    SmallVector<Value> wide;
    for (size_t k = 0; k < count; ++k)
      wide.push_back(pending[done + k].narrowing.wide);
    auto type = VectorType::get({int64_t(16 * count)}, i8);
    Value packed = PackS8Op::create(b, loc, type, wide);
    auto splat = [&](int64_t c) -> Value {
      return arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(type, b.getI8IntegerAttr(c)));
    };
    if (bytes.lo > -128)
      packed = arith::MaxSIOp::create(b, loc, packed, splat(bytes.lo));
    if (bytes.hi < 127)
      packed = arith::MinSIOp::create(b, loc, packed, splat(bytes.hi));
    for (size_t k = 0; k < count; ++k) {
      const Pending &p = pending[done + k];
      eraseNarrowing(p.value);
      Value slice = vector::ExtractStridedSliceOp::create(
          b, loc, packed, ArrayRef<int64_t>{int64_t(16 * k)},
          ArrayRef<int64_t>{16}, ArrayRef<int64_t>{1});
      if (bytes.flip)
        slice = arith::XOrIOp::create(
            b, loc, slice,
            arith::ConstantOp::create(
                b, loc,
                DenseElementsAttr::get(VectorType::get({16}, i8),
                                       b.getI8IntegerAttr(-128))));
      dest = writeLanes(b, loc, slice, dest, p.indices, p.valid);
    }
    done += count;
  }
  // One left: as it is.
  if (done < pending.size()) {
    const Pending &p = pending[done];
    dest = writeLanes(b, loc, p.value, dest, p.indices, p.valid);
  }
  pending.clear();
}

Value mlir::qnt::ResultWriter::finish() {
  flush();
  return dest;
}

std::optional<SmallVector<double>> mlir::qnt::getColumnConstant(Value init,
                                                                int64_t n) {
  if (auto fill = init.getDefiningOp<linalg::FillOp>()) {
    Attribute value;
    if (!matchPattern(fill.getInputs()[0], m_Constant(&value)))
      return std::nullopt;
    if (auto i = dyn_cast<IntegerAttr>(value))
      return SmallVector<double>(n, double(i.getValue().getSExtValue()));
    if (auto f = dyn_cast<FloatAttr>(value))
      return SmallVector<double>(n, f.getValueAsDouble());
    return std::nullopt;
  }
  auto generic = init.getDefiningOp<linalg::GenericOp>();
  if (!generic || generic.getNumDpsInputs() != 1 ||
      generic.getNumDpsInits() != 1)
    return std::nullopt;
  auto yield = cast<linalg::YieldOp>(generic.getBody()->getTerminator());
  AffineMap map = generic.getIndexingMapsArray()[0];
  unsigned rank = map.getNumDims();
  MLIRContext *ctx = generic.getContext();
  // The bias along the last dimension; with one column tosa-to-linalg
  // broadcasts its single element as (d0, ..., dn) -> (0).
  bool column =
      map == AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, ctx)) ||
      (n == 1 && map == AffineMap::get(rank, 0, getAffineConstantExpr(0, ctx)));
  if (yield.getValues().size() != 1 ||
      yield.getValues()[0] != generic.getBody()->getArgument(0) || !column)
    return std::nullopt;
  std::optional<DenseElementsAttr> dense =
      getConstantDenseElements(generic.getDpsInputs()[0]);
  if (!dense || dense->getNumElements() != n)
    return std::nullopt;
  DenseElementsAttr bias = *dense;
  SmallVector<double> values;
  if (bias.getElementType().isInteger())
    for (const APInt &v : bias.getValues<APInt>())
      values.push_back(double(v.getSExtValue()));
  else if (bias.getElementType().isF32())
    for (float v : bias.getValues<float>())
      values.push_back(v);
  else
    return std::nullopt;
  return values;
}

/// Weights as w[n][k] from an int8 or f32 constant, with `transposeKN` for
/// matmul weights stored [K][N].
std::optional<SmallVector<double>>
mlir::qnt::getWeightValues(Value v, bool isFloat, int64_t k, int64_t n,
                           bool transposeKN) {
  std::optional<SmallVector<double>> w;
  if (isFloat) {
    if (std::optional<SmallVector<float>> f = getConstantF32Values(v))
      w.emplace(f->begin(), f->end());
  } else if (std::optional<SmallVector<int8_t>> w8 = getConstantInt8Values(v)) {
    w.emplace(w8->begin(), w8->end());
  }
  if (!w || static_cast<int64_t>(w->size()) != n * k || !transposeKN)
    return w;
  SmallVector<double> t(n * k);
  for (int64_t kk = 0; kk < k; ++kk)
    for (int64_t nn = 0; nn < n; ++nn)
      t[nn * k + kk] = (*w)[kk * n + nn];
  return t;
}

qnt::WindowInput mlir::qnt::WindowInput::get(Value input) {
  WindowInput w;
  w.source = input;
  auto pad = input.getDefiningOp<tensor::PadOp>();
  auto type = dyn_cast<RankedTensorType>(input.getType());
  if (pad && type && type.getRank() == 4 && pad.getConstantPaddingValue() &&
      pad.getSourceType().hasStaticShape()) {
    ArrayRef<int64_t> low = pad.getStaticLow(), high = pad.getStaticHigh();
    bool spatialOnly = low[0] == 0 && high[0] == 0 && low[3] == 0 &&
                       high[3] == 0 &&
                       llvm::none_of(low, ShapedType::isDynamic) &&
                       llvm::none_of(high, ShapedType::isDynamic);
    Value value = pad.getConstantPaddingValue();
    if (spatialOnly && matchPattern(value, m_Constant())) {
      w.source = pad.getSource();
      w.top = low[1];
      w.left = low[2];
      w.padValue = value;
    }
  }
  auto sourceType = cast<RankedTensorType>(w.source.getType());
  w.height = sourceType.getDimSize(1);
  w.width = sourceType.getDimSize(2);
  return w;
}

bool mlir::qnt::isSignFlip(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() != 0 ||
      !llvm::all_of(op.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isIdentity(); }))
    return false;
  auto type = dyn_cast<RankedTensorType>(op.getResult(0).getType());
  if (!type || !type.getElementType().isInteger(8) ||
      op.getDpsInputs()[0].getType() != type)
    return false;
  Block *body = op.getBody();
  Value in = body->getArgument(0);
  auto xorOp =
      body->getTerminator()->getOperand(0).getDefiningOp<arith::XOrIOp>();
  if (!xorOp || xorOp->getBlock() != body)
    return false;
  for (Operation &inner : body->without_terminator())
    if (&inner != xorOp.getOperation() && !isa<arith::ConstantOp>(inner))
      return false;
  Value bit = xorOp.getLhs() == in   ? xorOp.getRhs()
              : xorOp.getRhs() == in ? xorOp.getLhs()
                                     : Value();
  APInt c;
  return bit && matchPattern(bit, m_ConstantInt(&c)) &&
         c.getZExtValue() == 0x80;
}

Value mlir::qnt::getFlippedSource(Value a) {
  auto generic = a.getDefiningOp<linalg::GenericOp>();
  if (!generic || !isSignFlip(generic))
    return Value();
  return generic.getDpsInputs()[0];
}

std::optional<qnt::WindowInput>
mlir::qnt::getFlippedWindow(OpBuilder &b, Location loc,
                            const WindowInput &window) {
  Value source = getFlippedSource(window.source);
  if (!source)
    return std::nullopt;
  WindowInput flipped = window;
  flipped.source = source;
  if (window.isPadded()) {
    APInt pad;
    if (!matchPattern(window.padValue, m_ConstantInt(&pad)))
      return std::nullopt;
    flipped.padValue = arith::ConstantOp::create(
        b, loc, b.getI8IntegerAttr(int8_t(pad.getZExtValue() ^ 0x80)));
  }
  return flipped;
}

/// The source index of padded coordinate `v` (offset `low`, extent `size`),
/// clamped into [0, size), and whether it was inside.
static std::pair<Value, Value> clampIndex(OpBuilder &b, Location loc, Value v,
                                          int64_t low, int64_t size) {
  Value shifted =
      arith::SubIOp::create(b, loc, v, qnt::indexConstant(b, loc, low));
  Value zero = qnt::indexConstant(b, loc, 0),
        last = qnt::indexConstant(b, loc, size - 1);
  Value inside = arith::AndIOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, shifted, zero),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, shifted, last));
  Value clamped = arith::MinSIOp::create(
      b, loc, arith::MaxSIOp::create(b, loc, shifted, zero), last);
  return {clamped, inside};
}

std::pair<Value, Value> mlir::qnt::WindowInput::row(OpBuilder &b, Location loc,
                                                    Value y) const {
  if (!isPadded())
    return {y, Value()};
  return clampIndex(b, loc, y, top, height);
}

std::pair<Value, Value>
mlir::qnt::WindowInput::column(OpBuilder &b, Location loc, Value x) const {
  if (!isPadded())
    return {x, Value()};
  return clampIndex(b, loc, x, left, width);
}

Value mlir::qnt::WindowInput::contains(OpBuilder &b, Location loc, Value y,
                                       Value x, int64_t rows,
                                       int64_t columns) const {
  using P = arith::CmpIPredicate;
  auto cmp = [&](P p, Value v, int64_t bound) -> Value {
    return arith::CmpIOp::create(b, loc, p, v, indexConstant(b, loc, bound));
  };
  // y - top >= 0 and y - top + rows - 1 < height, likewise for x.
  return arith::AndIOp::create(
      b, loc,
      arith::AndIOp::create(b, loc, cmp(P::sge, y, top), cmp(P::sge, x, left)),
      arith::AndIOp::create(b, loc, cmp(P::sle, y, top + height - rows),
                            cmp(P::sle, x, left + width - columns)));
}

Value mlir::qnt::WindowInput::read(OpBuilder &b, Location loc, VectorType type,
                                   Value n, Value y, Value x, Value c,
                                   Value inside, bool inBounds) const {
  Type element = type.getElementType();
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
  Value v = vector::TransferReadOp::create(b, loc, type, source,
                                           ValueRange{n, y, x, c}, zero,
                                           ArrayRef<bool>{inBounds});
  if (!inside)
    return v;
  Value fill = vector::BroadcastOp::create(b, loc, type, padValue);
  return arith::SelectOp::create(b, loc, inside, v, fill);
}

SmallVector<Value> mlir::qnt::buildLoop(
    OpBuilder &b, Location loc, int64_t count, int64_t step, ValueRange init,
    function_ref<SmallVector<Value>(OpBuilder &, Value, ValueRange)> body) {
  auto loop = scf::ForOp::create(
      b, loc, indexConstant(b, loc, 0), indexConstant(b, loc, count),
      indexConstant(b, loc, step), init,
      [&](OpBuilder &b, Location, Value iv, ValueRange carried) {
        scf::YieldOp::create(b, loc, body(b, iv, carried));
      });
  return SmallVector<Value>(loop.getResults());
}

Value mlir::qnt::buildPixelLoops(
    OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Value output,
    function_ref<Value(OpBuilder &, ValueRange, Value)> body) {
  SmallVector<Value> ivs;
  std::function<Value(OpBuilder &, unsigned, Value)> nest =
      [&](OpBuilder &b, unsigned dim, Value carried) -> Value {
    if (dim == shape.size())
      return body(b, ivs, carried);
    return buildLoop(b, loc, shape[dim], 1, carried,
                     [&](OpBuilder &b, Value iv, ValueRange args) {
                       ivs.push_back(iv);
                       Value next = nest(b, dim + 1, args[0]);
                       ivs.pop_back();
                       return SmallVector<Value>{next};
                     })[0];
  };
  return nest(b, 0, output);
}

/// Whether `v` is available before `anchor`, once the pure ops of
/// `toMove` (appended operands first) are moved there.
static bool isAvailableBefore(Value v, Operation *anchor,
                              llvm::SetVector<Operation *> &toMove,
                              unsigned depth = 0) {
  if (auto arg = dyn_cast<BlockArgument>(v))
    return arg.getOwner()->getParentOp()->isProperAncestor(anchor);
  Operation *def = v.getDefiningOp();
  if (def->getBlock() != anchor->getBlock())
    return def->getBlock()->getParentOp()->isProperAncestor(anchor) ||
           def->isProperAncestor(anchor);
  if (def->isBeforeInBlock(anchor) || toMove.contains(def))
    return true;
  if (def == anchor || depth > 32 || !isMemoryEffectFree(def))
    return false;
  for (Value operand : def->getOperands())
    if (!isAvailableBefore(operand, anchor, toMove, depth + 1))
      return false;
  llvm::SetVector<Value> captured;
  getUsedValuesDefinedAbove(def->getRegions(), captured);
  for (Value outer : captured)
    if (!isAvailableBefore(outer, anchor, toMove, depth + 1))
      return false;
  toMove.insert(def);
  return true;
}

/// Whether `generic` is elementwise with scalar arith in its body, one
/// result of `shape` into a fresh tensor.empty, its output value unused.
static bool isElementwiseStage(linalg::GenericOp generic,
                               ArrayRef<int64_t> shape) {
  if (!generic || generic.getNumDpsInits() != 1 ||
      generic.getNumParallelLoops() != generic.getNumLoops() ||
      !generic.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>() ||
      cast<RankedTensorType>(generic.getResult(0).getType()).getShape() !=
          shape ||
      !generic.getIndexingMapsArray().back().isIdentity())
    return false;
  Block *body = generic.getBody();
  if (!body->getArgument(body->getNumArguments() - 1).use_empty())
    return false;
  for (Operation &op : body->without_terminator())
    if (op.getDialect()->getNamespace() != "arith" || op.getNumRegions() ||
        op.getNumResults() != 1)
      return false;
  return true;
}

std::optional<qnt::Epilogue> mlir::qnt::Epilogue::match(Value result,
                                                        Operation *anchor) {
  Epilogue e;
  Value value = result;
  ArrayRef<int64_t> shape = cast<RankedTensorType>(result.getType()).getShape();
  // A whole-tensor input must exist where the kernel is built (the
  // producers to move are collected once the chain is known).
  auto availableAtAnchor = [&](Value v) {
    llvm::SetVector<Operation *> producers;
    return isAvailableBefore(v, anchor, producers);
  };
  // The inputs of `generic` classified into `stage`; `chained` (if any) is
  // the value of stage `from`. A whole-tensor input that an elementwise
  // generic computes for this stage alone (a residual branch's rescale)
  // becomes a stage of its own first, run on the same lanes, instead of a
  // loop of its own. False (and no stage added) if an input fits none.
  std::function<bool(linalg::GenericOp, Value, int, Stage &, unsigned)>
      classify = [&](linalg::GenericOp generic, Value chained, int from,
                     Stage &stage, unsigned depth) -> bool {
    size_t mark = e.stages.size();
    unsigned rank = generic.getNumLoops();
    AffineMap column = AffineMap::get(
        rank, 0, getAffineDimExpr(rank - 1, generic.getContext()));
    bool chainedSeen = !chained;
    for (OpOperand *in : generic.getDpsInputOperands()) {
      AffineMap map = generic.getMatchingIndexingMap(in);
      auto inType = dyn_cast<RankedTensorType>(in->get().getType());
      bool whole = inType && map.isIdentity() && inType.getShape() == shape;
      if (chained && in->get() == chained && map.isIdentity() && !chainedSeen) {
        chainedSeen = true;
        stage.inputs.push_back(Value());
        stage.kinds.push_back(Input::Chained);
        stage.from.push_back(from);
        continue;
      }
      if (inType && inType.getRank() == 1 && map == column &&
          getConstantDenseElements(in->get())) {
        // Constants whose values are known (the GEMM pads them to its
        // column tiles).
        stage.inputs.push_back(in->get());
        stage.kinds.push_back(Input::Column);
        stage.from.push_back(-1);
        continue;
      }
      auto producer = in->get().getDefiningOp<linalg::GenericOp>();
      if (whole && depth < 8 && in->get().hasOneUse() &&
          isElementwiseStage(producer, shape)) {
        Stage inner{producer, {}, {}, {}, false, /*producer=*/true};
        if (classify(producer, Value(), -1, inner, depth + 1)) {
          e.stages.push_back(std::move(inner));
          stage.inputs.push_back(Value());
          stage.kinds.push_back(Input::Chained);
          stage.from.push_back(int(e.stages.size()) - 1);
          continue;
        }
      }
      if (whole && availableAtAnchor(in->get())) {
        stage.inputs.push_back(in->get());
        stage.kinds.push_back(Input::Full);
        stage.from.push_back(-1);
        continue;
      }
      e.stages.resize(mark);
      return false;
    }
    if (!chainedSeen) {
      e.stages.resize(mark);
      return false;
    }
    return true;
  };
  int last = -1;
  while (value.hasOneUse()) {
    auto generic = dyn_cast<linalg::GenericOp>(*value.getUsers().begin());
    if (!isElementwiseStage(generic, shape))
      break;
    Stage stage{generic, {}, {}, {}, false, false};
    if (!classify(generic, value, last, stage, 0))
      break;
    e.stages.push_back(std::move(stage));
    last = int(e.stages.size()) - 1;
    value = generic.getResult(0);
  }
  // Producer stages after the last stage of the chain have no consumer.
  e.stages.resize(last + 1);
  if (e.stages.empty())
    return std::nullopt;
  // Only the producers of the inputs of the stages kept.
  llvm::SetVector<Operation *> needed;
  for (const Stage &stage : e.stages)
    for (auto [input, kind] : llvm::zip(stage.inputs, stage.kinds))
      if (kind == Input::Full)
        (void)isAvailableBefore(input, anchor, needed);
  e.producers.assign(needed.begin(), needed.end());
  return e;
}

RankedTensorType mlir::qnt::Epilogue::getResultType() const {
  return cast<RankedTensorType>(
      linalg::GenericOp(stages.back().op).getResult(0).getType());
}

bool mlir::qnt::Epilogue::hasFullInputs() const {
  return llvm::any_of(stages, [](const Stage &s) {
    return llvm::is_contained(s.kinds, Input::Full);
  });
}

void mlir::qnt::Epilogue::hoistInputsAbove(RewriterBase &rewriter,
                                           Operation *op) const {
  for (Operation *producer : producers)
    rewriter.moveOpBefore(producer, op);
  for (const Stage &stage : stages)
    for (auto [input, kind] : llvm::zip(stage.inputs, stage.kinds))
      if (Operation *def =
              kind == Input::Column ? input.getDefiningOp() : nullptr;
          def && def->getBlock() == op->getBlock() && op->isBeforeInBlock(def))
        rewriter.moveOpBefore(def, op);
}

std::optional<SmallVector<double>> mlir::qnt::Epilogue::takeLeadingColumnAdd() {
  if (stages.size() < 2 || stages[0].folded || stages[0].producer)
    return std::nullopt;
  Stage &stage = stages[0];
  Block *body = linalg::GenericOp(stage.op).getBody();
  auto add = dyn_cast<arith::AddIOp>(&body->front());
  if (!add || add->getNextNode() != body->getTerminator() ||
      body->getTerminator()->getOperand(0) != add.getResult() ||
      !add.getType().isInteger(32))
    return std::nullopt;
  // One operand the chained accumulator, the other the column constant.
  auto kindOf = [&](Value v) -> std::optional<Input> {
    auto arg = dyn_cast<BlockArgument>(v);
    if (!arg || arg.getOwner() != body ||
        arg.getArgNumber() >= stage.kinds.size())
      return std::nullopt;
    return stage.kinds[arg.getArgNumber()];
  };
  std::optional<Input> lhs = kindOf(add.getLhs()), rhs = kindOf(add.getRhs());
  if (!lhs || !rhs)
    return std::nullopt;
  Value column;
  if (*lhs == Input::Chained && *rhs == Input::Column)
    column = stage.inputs[cast<BlockArgument>(add.getRhs()).getArgNumber()];
  else if (*rhs == Input::Chained && *lhs == Input::Column)
    column = stage.inputs[cast<BlockArgument>(add.getLhs()).getArgNumber()];
  else
    return std::nullopt;
  SmallVector<double> values;
  for (const APInt &v : getConstantDenseElements(column)->getValues<APInt>())
    values.push_back(double(v.getSExtValue()));
  stage.folded = true;
  return values;
}

void mlir::qnt::Epilogue::padColumns(OpBuilder &b, Location loc, int64_t n) {
  for (Stage &stage : stages)
    for (auto [input, kind] : llvm::zip(stage.inputs, stage.kinds)) {
      if (kind != Input::Column)
        continue;
      // match() only accepts constants with known values.
      DenseElementsAttr values = *getConstantDenseElements(input);
      if (values.getNumElements() == n)
        continue;
      auto type = RankedTensorType::get({n}, values.getElementType());
      SmallVector<Attribute> elements(values.getValues<Attribute>());
      elements.resize(n, b.getZeroAttr(values.getElementType()));
      input = arith::ConstantOp::create(b, loc,
                                        DenseElementsAttr::get(type, elements));
    }
}

void mlir::qnt::Epilogue::viewFullInputs(function_ref<Value(Value)> view) {
  for (Stage &stage : stages)
    for (auto [input, kind] : llvm::zip(stage.inputs, stage.kinds))
      if (kind == Input::Full)
        input = view(input);
}

/// A rounding shifted multiply in a scalar body,
/// trunc_i32((sext(p) * q + round) >> shift) with p of i32 and q sext(i32) or
/// an i64 constant within i32 (a per-tensor multiplier), round possibly
/// absent (0) (>> either arithmetic or logical: the truncation keeps bits
/// below 63 - shift of either, and canonicalization makes a >> 32 logical).
/// The requantize's high multiply has round = 2^30 and shift = 31, its
/// doubled form 2^31 and 32 (p = 2x), its quadrupled form no round and 32
/// (p = 4x); tosa.rescale's per-channel round = 2^(s-1) and shift s.
struct RoundingMul {
  Value p, q, round, shift;
  /// The constant round and shift, when they are; q when it is a constant.
  std::optional<int64_t> constantRound, constantShift, constantQ;
};
static std::optional<RoundingMul> matchRoundingMul(Operation &op) {
  auto trunc = dyn_cast<arith::TruncIOp>(op);
  if (!trunc || !trunc.getType().isInteger(32) ||
      !trunc.getIn().getType().isInteger(64))
    return std::nullopt;
  Operation *shift = trunc.getIn().getDefiningOp();
  if (!isa_and_nonnull<arith::ShRSIOp, arith::ShRUIOp>(shift))
    return std::nullopt;
  // The product and the round: an add of both, or the product alone.
  SmallVector<std::pair<Value, Value>, 2> candidates;
  Value shifted = shift->getOperand(0);
  if (auto add = shifted.getDefiningOp<arith::AddIOp>())
    candidates = {{add.getLhs(), add.getRhs()}, {add.getRhs(), add.getLhs()}};
  else
    candidates = {{shifted, Value()}};
  auto isI32 = [](Value v) { return v.getType().isInteger(32); };
  for (auto [product, round] : candidates) {
    auto mul = product.getDefiningOp<arith::MulIOp>();
    if (!mul)
      continue;
    for (int swap = 0; swap < 2; ++swap) {
      auto lhs =
          (swap ? mul.getRhs() : mul.getLhs()).getDefiningOp<arith::ExtSIOp>();
      Value other = swap ? mul.getLhs() : mul.getRhs();
      if (!lhs || !isI32(lhs.getIn()))
        continue;
      RoundingMul m{lhs.getIn(), Value(), round, shift->getOperand(1),
                    {},          {},      {}};
      APInt c;
      if (auto rhs = other.getDefiningOp<arith::ExtSIOp>();
          rhs && isI32(rhs.getIn()))
        m.q = rhs.getIn();
      else if (matchPattern(other, m_ConstantInt(&c)) && c.isSignedIntN(32))
        m.constantQ = c.getSExtValue();
      else
        continue;
      if (!round)
        m.constantRound = 0;
      else if (matchPattern(round, m_ConstantInt(&c)))
        m.constantRound = c.getSExtValue();
      if (matchPattern(m.shift, m_ConstantInt(&c)))
        m.constantShift = c.getSExtValue();
      // A logical shift is only the same for the bits the truncation keeps
      // when the shift leaves 32 bits below the sign: <= 32.
      if (isa<arith::ShRUIOp>(shift) &&
          (!m.constantShift || *m.constantShift > 32))
        return std::nullopt;
      return m;
    }
  }
  return std::nullopt;
}

/// The value for channel `c` of the scalar `v` of a stage body when it
/// depends on constants and column constants (`columns`) only, e.g.
/// tosa.rescale's 2^(s[c] - 1); none otherwise.
static std::optional<APInt>
evaluateColumnOnly(Value v, int64_t c,
                   const DenseMap<Value, DenseElementsAttr> &columns,
                   unsigned depth = 0) {
  if (depth > 8 || !v.getType().isSignlessInteger())
    return std::nullopt;
  if (auto it = columns.find(v); it != columns.end()) {
    if (c >= it->second.getNumElements())
      return std::nullopt;
    return *(it->second.getValues<APInt>().begin() + c);
  }
  APInt constant;
  if (matchPattern(v, m_ConstantInt(&constant)))
    return constant;
  // The op's own folder on the operands' values.
  Operation *op = v.getDefiningOp();
  if (!op || op->getNumResults() != 1 || op->getNumRegions())
    return std::nullopt;
  SmallVector<Attribute> operands;
  SmallVector<APInt> values;
  for (Value operand : op->getOperands()) {
    std::optional<APInt> value =
        evaluateColumnOnly(operand, c, columns, depth + 1);
    if (!value)
      return std::nullopt;
    values.push_back(*value);
    operands.push_back(IntegerAttr::get(operand.getType(), *value));
  }
  SmallVector<OpFoldResult> folded;
  if (failed(op->fold(operands, folded)) || folded.size() != 1)
    return std::nullopt;
  if (auto attr = dyn_cast_if_present<IntegerAttr>(
          dyn_cast_if_present<Attribute>(folded[0])))
    return attr.getValue();
  // Folded to one of its operands (x + 0).
  for (auto [operand, value] : llvm::zip(op->getOperands(), values))
    if (dyn_cast_if_present<Value>(folded[0]) == operand)
      return value;
  return std::nullopt;
}

/// How the i64 products of a RoundingMul are rounded and shifted on 16
/// lanes: the requantize's high multiply (round 2^30, shift 31), a shift by
/// 32 without a round (the quadrupled form: the high halves) or after
/// adding per-lane rounds (the doubled form), or per-lane round and shift
/// vectors of 8 i64 for the even and the odd lanes.
struct RoundingMode {
  enum Kind { High, HighHalf, Doubled, PerLane } kind;
  Value evenRound, oddRound, evenShift, oddShift;
};

/// A RoundingMul on 16 i32 lanes: the even and the odd lanes of both
/// operands sign-extended in place within i64 lanes (shifts x86 selects
/// away: vpmuldq reads the low half), multiplied, rounded and shifted, the
/// two halves merged. The scalar form, sign-extended to 16 i64 lanes, takes
/// twice the extensions and a truncation per half. `qSwapped` (or null) is
/// q with the lanes of each pair swapped, read from a constant table: its
/// even lanes are q's odd ones, without a shift.
static Value buildRoundingMul(OpBuilder &b, Location loc, Value p, Value q,
                              Value qSwapped, const RoundingMode &mode) {
  Type i64 = b.getI64Type();
  auto wide = VectorType::get({8}, i64);
  auto lanes16 = VectorType::get({16}, b.getI32Type());
  auto splat = [&](int64_t v) -> Value {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(wide, b.getI64IntegerAttr(v)));
  };
  Value c32 = splat(32);
  Value pw = vector::BitCastOp::create(b, loc, wide, p);
  Value qw = vector::BitCastOp::create(b, loc, wide, q);
  auto even = [&](Value v) -> Value {
    return arith::ShRSIOp::create(b, loc, arith::ShLIOp::create(b, loc, v, c32),
                                  c32);
  };
  auto odd = [&](Value v) -> Value {
    return arith::ShRSIOp::create(b, loc, v, c32);
  };
  Value evenProduct = arith::MulIOp::create(b, loc, even(pw), even(qw));
  Value oddQ = qSwapped
                   ? even(vector::BitCastOp::create(b, loc, wide, qSwapped))
                   : odd(qw);
  Value oddProduct = arith::MulIOp::create(b, loc, odd(pw), oddQ);
  // Lane 2i from the even results, 2i + 1 from the odd ones: their low
  // (`half` 0) or high (1) 32 bits, one shuffle.
  auto merge = [&](Value evenResult, Value oddResult, int64_t half) -> Value {
    SmallVector<int64_t> mask;
    for (int64_t i = 0; i < 8; ++i)
      mask.append({2 * i + half, 16 + 2 * i + half});
    return vector::ShuffleOp::create(
        b, loc, vector::BitCastOp::create(b, loc, lanes16, evenResult),
        vector::BitCastOp::create(b, loc, lanes16, oddResult), mask);
  };
  switch (mode.kind) {
  case RoundingMode::HighHalf:
    return merge(evenProduct, oddProduct, 1);
  case RoundingMode::Doubled:
    // The high halves of product + round (2^31 and the upper-half terms).
    return merge(arith::AddIOp::create(b, loc, evenProduct, mode.evenRound),
                 arith::AddIOp::create(b, loc, oddProduct, mode.oddRound), 1);
  case RoundingMode::PerLane:
    return merge(
        arith::ShRSIOp::create(
            b, loc, arith::AddIOp::create(b, loc, evenProduct, mode.evenRound),
            mode.evenShift),
        arith::ShRSIOp::create(
            b, loc, arith::AddIOp::create(b, loc, oddProduct, mode.oddRound),
            mode.oddShift),
        0);
  case RoundingMode::High:
    break;
  }
  // Bits 31..62 of product + 2^30: into the low half (even lanes) and the
  // high half (odd lanes) of each i64 lane.
  Value round = splat(int64_t(1) << 30);
  Value low = arith::ShRUIOp::create(
      b, loc, arith::AddIOp::create(b, loc, evenProduct, round), splat(31));
  Value high = arith::ShLIOp::create(
      b, loc, arith::AddIOp::create(b, loc, oddProduct, round), splat(1));
  Value merged = arith::OrIOp::create(
      b, loc, arith::AndIOp::create(b, loc, low, splat(0xFFFFFFFFll)),
      arith::AndIOp::create(b, loc, high, splat(~0xFFFFFFFFll)));
  return vector::BitCastOp::create(b, loc, lanes16, merged);
}

/// The column constant read by `q` with the lanes of each pair swapped,
/// read at `col`, or null when `q` is not a column of an even length.
static Value swappedTable(OpBuilder &b, Location loc, Value q, Value col,
                          const DenseMap<Value, Value> &columnOf) {
  Value column = columnOf.lookup(q);
  if (!column)
    return Value();
  DenseElementsAttr values = *qnt::getConstantDenseElements(column);
  SmallVector<APInt> pairs(values.getValues<APInt>());
  if (pairs.size() % 2 != 0)
    return Value();
  for (size_t i = 0; i < pairs.size(); i += 2)
    std::swap(pairs[i], pairs[i + 1]);
  Value table = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(values.getType(), pairs));
  Type element = values.getElementType();
  return vector::TransferReadOp::create(
      b, loc, VectorType::get({16}, element), table, ValueRange{col},
      arith::ConstantOp::create(b, loc, b.getZeroAttr(element)),
      ArrayRef<bool>{true});
}

/// How to round `m` on 16 lanes from `col`: the requantize's constant
/// forms, else per-lane tables of its round and shift evaluated per channel
/// (they must depend on constants and column constants only, the shifts in
/// [0, 63]); none otherwise.
static std::optional<RoundingMode>
roundingMode(OpBuilder &b, Location loc, const RoundingMul &m, Value col,
             const DenseMap<Value, DenseElementsAttr> &columns) {
  if (m.constantRound == (int64_t(1) << 30) && m.constantShift == 31)
    return RoundingMode{RoundingMode::High, {}, {}, {}, {}};
  if (m.constantRound == 0 && m.constantShift == 32)
    return RoundingMode{RoundingMode::HighHalf, {}, {}, {}, {}};
  // Channels: the columns' (padded) length, or one when none is read.
  int64_t channels = 1;
  for (const auto &entry : columns)
    channels = std::max<int64_t>(channels, entry.second.getNumElements());
  if (channels > 1 && channels % 16 != 0)
    return std::nullopt;
  SmallVector<int64_t> round, shift;
  for (int64_t c = 0; c < channels; ++c) {
    std::optional<APInt> r =
        m.round ? evaluateColumnOnly(m.round, c, columns) : APInt(64, 0);
    std::optional<APInt> s = evaluateColumnOnly(m.shift, c, columns);
    if (!r || !s || r->getBitWidth() != 64 || s->getBitWidth() != 64 ||
        s->getZExtValue() > 63)
      return std::nullopt;
    round.push_back(r->getSExtValue());
    shift.push_back(s->getSExtValue());
  }
  auto wide = VectorType::get({8}, b.getI64Type());
  // 8 lanes of the even (`parity` 0) or odd channels from `col`.
  auto table = [&](ArrayRef<int64_t> values, int64_t parity) -> Value {
    if (channels == 1)
      return arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(wide, b.getI64IntegerAttr(values[0])));
    SmallVector<int64_t> half;
    for (int64_t c = parity; c < channels; c += 2)
      half.push_back(values[c]);
    auto type = RankedTensorType::get({channels / 2}, b.getI64Type());
    Value constant = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, ArrayRef(half)));
    Value index =
        arith::ShRUIOp::create(b, loc, col, qnt::indexConstant(b, loc, 1));
    return vector::TransferReadOp::create(
        b, loc, wide, constant, ValueRange{index},
        arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0)),
        ArrayRef<bool>{true});
  };
  // A shift by 32 everywhere takes the high halves: no shift at all.
  if (llvm::all_of(shift, [](int64_t v) { return v == 32; }))
    return RoundingMode{
        RoundingMode::Doubled, table(round, 0), table(round, 1), {}, {}};
  return RoundingMode{RoundingMode::PerLane, table(round, 0), table(round, 1),
                      table(shift, 0), table(shift, 1)};
}

Value mlir::qnt::Epilogue::apply(OpBuilder &b, Location loc, Value acc,
                                 Value col, ValueRange position, bool inBounds,
                                 ColumnCache *cache) const {
  auto lanes = [](Type t) { return VectorType::get({16}, t); };
  ColumnCache local;
  ColumnCache &cached = cache ? *cache : local;
  // Each stage's value on these lanes.
  SmallVector<Value> results;
  for (auto [index, stage] : llvm::enumerate(stages)) {
    auto source = [&](int from) { return from < 0 ? acc : results[from]; };
    if (stage.folded) {
      results.push_back(
          source(stage.from[llvm::find(stage.kinds, Input::Chained) -
                            stage.kinds.begin()]));
      continue;
    }
    Block *body = linalg::GenericOp(stage.op).getBody();
    IRMapping map;
    // The column constants by block argument, for derived tables.
    DenseMap<Value, Value> columnOf;
    DenseMap<Value, DenseElementsAttr> columnValues;
    // Body values that depend on column constants and constants only.
    DenseSet<Value> columnOnly;
    for (auto [i, input, kind] : llvm::enumerate(stage.inputs, stage.kinds)) {
      if (kind == Input::Chained) {
        map.map(body->getArgument(i), source(stage.from[i]));
        continue;
      }
      if (kind == Input::Column) {
        columnOf[body->getArgument(i)] = input;
        columnValues[body->getArgument(i)] = *getConstantDenseElements(input);
      }
      Value tensor = input;
      bool isColumn = kind == Input::Column;
      Type element = cast<RankedTensorType>(tensor.getType()).getElementType();
      auto read = [&]() -> Value {
        Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
        SmallVector<Value> indices =
            isColumn ? SmallVector<Value>{col} : SmallVector<Value>(position);
        // Columns are padded to whole vectors; whole tensors are not.
        return vector::TransferReadOp::create(
            b, loc, lanes(element), tensor, indices, zero,
            ArrayRef<bool>{isColumn || inBounds});
      };
      if (!isColumn) {
        map.map(body->getArgument(i), read());
        continue;
      }
      Value &v = cached.reads[{unsigned(index), unsigned(i)}];
      if (!v)
        v = read();
      map.map(body->getArgument(i), v);
      columnOnly.insert(body->getArgument(i));
    }
    for (Operation &op : body->without_terminator()) {
      if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
        Value &v = cached.built[&op];
        if (!v)
          v = arith::ConstantOp::create(
              b, loc,
              DenseElementsAttr::get(lanes(constant.getType()),
                                     cast<TypedAttr>(constant.getValue())));
        map.map(constant.getResult(), v);
        columnOnly.insert(constant.getResult());
        continue;
      }
      // A value from outside the body on all lanes: a constant (hoisted
      // there by canonicalization) as a splat constant, so that the ops
      // on it still see a constant (the narrowing's clamp bounds).
      auto vectorOf = [&](Value v) -> Value {
        if (!map.contains(v)) {
          Attribute constant;
          if (matchPattern(v, m_Constant(&constant)) &&
              isa<IntegerAttr, FloatAttr>(constant))
            map.map(v,
                    arith::ConstantOp::create(
                        b, loc,
                        DenseElementsAttr::get(lanes(v.getType()), constant)));
          else
            map.map(v,
                    vector::BroadcastOp::create(b, loc, lanes(v.getType()), v));
        }
        return map.lookup(v);
      };
      if (std::optional<RoundingMul> m = matchRoundingMul(op)) {
        // The rounding tables depend on the channels only: derived once.
        auto [it, first] = cached.roundings.try_emplace(&op);
        auto &[kind, tables] = it->second;
        if (first) {
          kind = -1;
          if (std::optional<RoundingMode> mode =
                  roundingMode(b, loc, *m, col, columnValues)) {
            kind = mode->kind;
            tables = {m->q ? swappedTable(b, loc, m->q, col, columnOf)
                           : Value(),
                      mode->evenRound, mode->oddRound, mode->evenShift,
                      mode->oddShift};
          }
        }
        if (kind >= 0) {
          RoundingMode mode{RoundingMode::Kind(kind), tables[1], tables[2],
                            tables[3], tables[4]};
          // A constant multiplier is a splat: its lanes swapped are itself.
          Value q = m->q, qSwapped = tables[0];
          if (!q) {
            q = arith::ConstantOp::create(
                b, loc,
                DenseElementsAttr::get(lanes(b.getI32Type()),
                                       b.getI32IntegerAttr(*m->constantQ)));
            qSwapped = q;
          } else {
            q = vectorOf(q);
          }
          map.map(op.getResult(0),
                  buildRoundingMul(b, loc, vectorOf(m->p), q, qSwapped, mode));
          continue;
        }
      }
      // An op on column values alone is the same for every accumulator.
      bool perColumn = op.getNumResults() == 1 &&
                       llvm::all_of(op.getOperands(), [&](Value v) {
                         return columnOnly.contains(v);
                       });
      if (perColumn)
        if (Value v = cached.built.lookup(&op)) {
          map.map(op.getResult(0), v);
          columnOnly.insert(op.getResult(0));
          continue;
        }
      for (Value operand : op.getOperands())
        (void)vectorOf(operand);
      Operation *clone = b.clone(op, map);
      clone->getResult(0).setType(lanes(op.getResult(0).getType()));
      if (perColumn) {
        cached.built[&op] = clone->getResult(0);
        columnOnly.insert(op.getResult(0));
      }
    }
    results.push_back(map.lookup(body->getTerminator()->getOperand(0)));
  }
  return results.back();
}

// A value of a stage body for one column: computed from the accumulator
// (dependent; integers within [lo, hi]) or a known constant.
namespace {
using Wide = __int128;
struct Bound {
  bool dependent = false;
  bool isFloat = false;
  Wide lo = 0, hi = 0; // integers: the range, or the value when constant
  double value = 0;    // float constants
};
} // namespace

static bool fitsSigned(Wide lo, Wide hi, unsigned width) {
  Wide min = -(Wide(1) << (width - 1)), max = (Wide(1) << (width - 1)) - 1;
  return min <= lo && hi <= max;
}

bool mlir::qnt::Epilogue::isNonDecreasing(
    std::optional<ArrayRef<std::pair<int64_t, int64_t>>> accRange) const {
  for (const Stage &stage : stages)
    if (stage.folded || stage.producer ||
        llvm::is_contained(stage.kinds, Input::Full))
      return false;
  // The column constants' values, read once.
  SmallVector<SmallVector<std::optional<DenseElementsAttr>>> columns;
  for (const Stage &stage : stages) {
    columns.emplace_back();
    for (auto [input, kind] : llvm::zip(stage.inputs, stage.kinds))
      columns.back().push_back(kind == Input::Column
                                   ? getConstantDenseElements(input)
                                   : std::nullopt);
  }
  int64_t n = getResultType().getShape().back();
  for (int64_t col = 0; col < n; ++col) {
    SmallVector<Bound> results;
    for (size_t s = 0; s < stages.size(); ++s) {
      const Stage &stage = stages[s];
      Block *body = linalg::GenericOp(stage.op).getBody();
      DenseMap<Value, Bound> bounds;
      // The value of a body argument or constant, or of an op computed.
      auto lookup = [&](Value v) -> std::optional<Bound> {
        if (auto it = bounds.find(v); it != bounds.end())
          return it->second;
        Bound b;
        if (auto arg = dyn_cast<BlockArgument>(v)) {
          if (arg.getOwner() != body ||
              arg.getArgNumber() >= stage.kinds.size())
            return std::nullopt;
          unsigned i = arg.getArgNumber();
          if (stage.kinds[i] == Input::Chained) {
            if (stage.from[i] >= 0)
              return results[stage.from[i]];
            if (!accRange) {
              b.dependent = b.isFloat = true;
              return b;
            }
            b.dependent = true;
            b.lo = (*accRange)[col].first;
            b.hi = (*accRange)[col].second;
            return b;
          }
          DenseElementsAttr values = *columns[s][i];
          if (auto ints = dyn_cast<DenseIntElementsAttr>(values)) {
            b.lo = b.hi =
                (*(ints.getValues<APInt>().begin() + col)).getSExtValue();
            return b;
          }
          b.isFloat = true;
          b.value =
              (*(values.getValues<APFloat>().begin() + col)).convertToDouble();
          return b;
        }
        Attribute attr;
        if (!matchPattern(v, m_Constant(&attr)))
          return std::nullopt;
        if (auto i = dyn_cast<IntegerAttr>(attr)) {
          b.lo = b.hi = i.getValue().getSExtValue();
          return b;
        }
        if (auto f = dyn_cast<FloatAttr>(attr)) {
          b.isFloat = true;
          b.value = f.getValueAsDouble();
          return b;
        }
        return std::nullopt;
      };
      for (Operation &op : body->without_terminator()) {
        SmallVector<Bound> in;
        bool anyDependent = false;
        for (Value operand : op.getOperands()) {
          std::optional<Bound> b = lookup(operand);
          if (!b)
            return false;
          anyDependent |= b->dependent;
          in.push_back(*b);
        }
        Type type = op.getResult(0).getType();
        unsigned width =
            isa<IntegerType>(type) ? type.getIntOrFloatBitWidth() : 0;
        Bound out;
        auto integer = [&](Wide lo, Wide hi) {
          out.lo = lo;
          out.hi = hi;
          return width && width <= 64 && fitsSigned(lo, hi, width);
        };
        bool ok = true;
        // The same rules compute constants from constants (the
        // requantize's rounding term 1 << (s - 1)) as points.
        out.dependent = anyDependent;
        const Bound &a = in[0];
        // The second operand is a constant (b) unless noted.
        auto constB = [&](auto pred) {
          return in.size() == 2 && !in[1].dependent && pred(in[1]);
        };
        auto isInt = [](const Bound &b) { return !b.isFloat; };
        if (isa<arith::ExtSIOp>(op)) {
          ok = integer(a.lo, a.hi);
        } else if (isa<arith::ExtUIOp>(op)) {
          ok = a.lo >= 0 && integer(a.lo, a.hi);
        } else if (isa<arith::TruncIOp>(op)) {
          ok = integer(a.lo, a.hi);
        } else if (isa<arith::AddIOp>(op)) {
          ok = integer(a.lo + in[1].lo, a.hi + in[1].hi);
        } else if (isa<arith::SubIOp>(op)) {
          ok = constB(isInt) && integer(a.lo - in[1].lo, a.hi - in[1].lo);
        } else if (isa<arith::MulIOp>(op)) {
          const Bound &x = in[0].dependent ? in[0] : in[1];
          const Bound &c = in[0].dependent ? in[1] : in[0];
          ok = !c.dependent && !c.isFloat && c.lo >= 0 &&
               integer(x.lo * c.lo, x.hi * c.lo);
        } else if (isa<arith::ShLIOp, arith::ShRSIOp, arith::ShRUIOp>(op)) {
          ok = constB([&](const Bound &c) {
            return !c.isFloat && c.lo >= 0 && c.lo < Wide(width);
          });
          if (ok) {
            int shift = int(in[1].lo);
            bool signedShift = isa<arith::ShRSIOp>(op) || a.lo >= 0;
            // A logical shift of a negative value by c, truncated to at
            // most width - c bits, keeps the bits of the arithmetic one.
            if (isa<arith::ShRUIOp>(op) && !signedShift)
              signedShift = llvm::all_of(op.getUsers(), [&](Operation *user) {
                auto trunc = dyn_cast<arith::TruncIOp>(user);
                return trunc && trunc.getType().getIntOrFloatBitWidth() <=
                                    width - unsigned(shift);
              });
            if (isa<arith::ShLIOp>(op))
              ok =
                  integer(a.lo * (Wide(1) << shift), a.hi * (Wide(1) << shift));
            else
              ok = signedShift && integer(a.lo >> shift, a.hi >> shift);
          }
        } else if (isa<arith::MaxSIOp>(op)) {
          ok = integer(std::max(a.lo, in[1].lo), std::max(a.hi, in[1].hi));
        } else if (isa<arith::MinSIOp>(op)) {
          ok = integer(std::min(a.lo, in[1].lo), std::min(a.hi, in[1].hi));
        } else if (isa<arith::AddFOp, arith::MaximumFOp, arith::MinimumFOp>(
                       op)) {
          // (maximumf / minimumf propagate NaN like the pool's maximumf;
          // maxnumf would not.)
          out.isFloat = true;
        } else if (isa<arith::SubFOp>(op)) {
          out.isFloat = true;
          ok = constB([](const Bound &c) { return c.isFloat; });
        } else if (isa<arith::MulFOp, arith::DivFOp>(op)) {
          // x * c and x / c with c > 0 (also in sign: -0 stays below +0).
          out.isFloat = true;
          bool dependentRhs = in[1].dependent;
          const Bound &c = dependentRhs ? in[0] : in[1];
          ok = !c.dependent && c.isFloat && c.value > 0 &&
               (!dependentRhs || isa<arith::MulFOp>(op));
        } else {
          ok = false;
        }
        // Integer ops take integer operands; float ones float (float
        // constants are not folded: an op of them only is refused).
        for (const Bound &b : in)
          ok &= b.isFloat == out.isFloat;
        ok &= anyDependent || !out.isFloat;
        if (!ok)
          return false;
        bounds[op.getResult(0)] = out;
      }
      std::optional<Bound> yielded =
          lookup(body->getTerminator()->getOperand(0));
      if (!yielded)
        return false;
      results.push_back(*yielded);
    }
  }
  return true;
}

void mlir::qnt::Epilogue::replace(RewriterBase &rewriter, Value fused) const {
  rewriter.replaceOp(stages.back().op, fused);
  for (const Stage &stage : llvm::reverse(ArrayRef(stages).drop_back()))
    rewriter.eraseOp(stage.op);
}

void mlir::qnt::applyKernelPatterns(Operation *root,
                                    const FrozenRewritePatternSet &patterns) {
  GreedyRewriteConfig config;
  config.enableFolding(false)
      .enableConstantCSE(false)
      .setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled)
      .setStrictness(GreedyRewriteStrictness::ExistingOps)
      .setMaxIterations(1);
  // One iteration rewrites every matching op; "did not converge" only
  // means the driver did not run a second, empty iteration.
  (void)applyPatternsGreedily(root, patterns, config);
}
