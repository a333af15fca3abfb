//===- KernelUtils.cpp - Shared by the microkernel passes -----------------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "KernelUtils.h"

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
  if (yield.getValues().size() != 1 ||
      yield.getValues()[0] != generic.getBody()->getArgument(0) ||
      map != AffineMap::get(rank, 0,
                            getAffineDimExpr(rank - 1, generic.getContext())))
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

Value mlir::qnt::buildPixelLoops(
    OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Value output,
    function_ref<Value(OpBuilder &, ValueRange, Value)> body) {
  SmallVector<Value> ivs;
  std::function<Value(OpBuilder &, unsigned, Value)> nest =
      [&](OpBuilder &b, unsigned dim, Value carried) -> Value {
    if (dim == shape.size())
      return body(b, ivs, carried);
    return scf::ForOp::create(
               b, loc, indexConstant(b, loc, 0),
               indexConstant(b, loc, shape[dim]), indexConstant(b, loc, 1),
               ValueRange{carried},
               [&](OpBuilder &b, Location, Value iv, ValueRange args) {
                 ivs.push_back(iv);
                 Value next = nest(b, dim + 1, args[0]);
                 ivs.pop_back();
                 scf::YieldOp::create(b, loc, next);
               })
        .getResult(0);
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

std::optional<qnt::Epilogue> mlir::qnt::Epilogue::match(Value result,
                                                        Operation *anchor) {
  Epilogue e;
  Value value = result;
  // A whole-tensor input must exist where the kernel is built (the
  // producers to move are collected once the chain is known).
  auto availableAtAnchor = [&](Value v) {
    llvm::SetVector<Operation *> producers;
    return isAvailableBefore(v, anchor, producers);
  };
  while (value.hasOneUse()) {
    auto generic = dyn_cast<linalg::GenericOp>(*value.getUsers().begin());
    auto valueType = cast<RankedTensorType>(value.getType());
    if (!generic || generic.getNumDpsInits() != 1 ||
        generic.getNumParallelLoops() != generic.getNumLoops() ||
        !generic.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>() ||
        cast<RankedTensorType>(generic.getResult(0).getType()).getShape() !=
            valueType.getShape())
      break;
    unsigned rank = generic.getNumLoops();
    AffineMap column = AffineMap::get(
        rank, 0, getAffineDimExpr(rank - 1, generic.getContext()));
    Stage stage{generic, {}, {}};
    bool ok = true, chained = false;
    for (OpOperand *in : generic.getDpsInputOperands()) {
      AffineMap map = generic.getMatchingIndexingMap(in);
      auto inType = dyn_cast<RankedTensorType>(in->get().getType());
      if (in->get() == value && map.isIdentity() && !chained) {
        chained = true;
        stage.inputs.push_back(Value());
        stage.kinds.push_back(Input::Chained);
      } else if (inType && inType.getRank() == 1 && map == column &&
                 getConstantDenseElements(in->get())) {
        // Constants whose values are known (the GEMM pads them to its
        // column tiles).
        stage.inputs.push_back(in->get());
        stage.kinds.push_back(Input::Column);
      } else if (inType && map.isIdentity() &&
                 inType.getShape() == valueType.getShape() &&
                 availableAtAnchor(in->get())) {
        stage.inputs.push_back(in->get());
        stage.kinds.push_back(Input::Full);
      } else {
        ok = false;
      }
    }
    // Only scalar arith in the body, and the output value unused.
    Block *body = generic.getBody();
    ok &= chained && generic.getIndexingMapsArray().back().isIdentity() &&
          body->getArgument(body->getNumArguments() - 1).use_empty();
    for (Operation &op : body->without_terminator())
      ok &= op.getDialect()->getNamespace() == "arith" && !op.getNumRegions() &&
            op.getNumResults() == 1;
    if (!ok)
      break;
    e.stages.push_back(std::move(stage));
    value = generic.getResult(0);
  }
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

bool mlir::qnt::Epilogue::dropFullInputStages() {
  auto first = llvm::find_if(stages, [](const Stage &s) {
    return llvm::is_contained(s.kinds, Input::Full);
  });
  stages.erase(first, stages.end());
  producers.clear();
  return !stages.empty();
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
  if (stages.size() < 2 || stages[0].folded)
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

/// The requantize's rounding high multiply in a scalar body,
/// trunc_i32((sext(p) * sext(q) + 2^30) >> 31) with p, q of i32, or its
/// doubled form trunc_i32((sext(p) * sext(q) + 2^31) >> 32) (p = 2x).
struct RoundingHighMul {
  Value p, q;
  bool doubled;
};
static std::optional<RoundingHighMul> matchRoundingHighMul(Operation &op) {
  auto trunc = dyn_cast<arith::TruncIOp>(op);
  if (!trunc || !trunc.getType().isInteger(32) ||
      !trunc.getIn().getType().isInteger(64))
    return std::nullopt;
  // Arithmetic or logical: the truncation keeps bits 31..62 or 32..63,
  // the same in both (canonicalization makes the >> 32 logical).
  Operation *shift = trunc.getIn().getDefiningOp();
  APInt c;
  if (!isa_and_nonnull<arith::ShRSIOp, arith::ShRUIOp>(shift) ||
      !matchPattern(shift->getOperand(1), m_ConstantInt(&c)) ||
      (c != 31 && c != 32))
    return std::nullopt;
  bool doubled = c == 32;
  auto add = shift->getOperand(0).getDefiningOp<arith::AddIOp>();
  if (!add)
    return std::nullopt;
  Value product = add.getLhs(), round = add.getRhs();
  if (!matchPattern(round, m_ConstantInt(&c)))
    std::swap(product, round);
  if (!matchPattern(round, m_ConstantInt(&c)) ||
      c != (int64_t(1) << (doubled ? 31 : 30)))
    return std::nullopt;
  auto mul = product.getDefiningOp<arith::MulIOp>();
  if (!mul)
    return std::nullopt;
  auto lhs = mul.getLhs().getDefiningOp<arith::ExtSIOp>();
  auto rhs = mul.getRhs().getDefiningOp<arith::ExtSIOp>();
  if (!lhs || !rhs || !lhs.getIn().getType().isInteger(32) ||
      !rhs.getIn().getType().isInteger(32))
    return std::nullopt;
  return RoundingHighMul{lhs.getIn(), rhs.getIn(), doubled};
}

/// The rounding high multiply on 16 i32 lanes: the even and the odd lanes
/// of both operands sign-extended in place within i64 lanes (shifts x86
/// selects away: vpmuldq reads the low half), multiplied, rounded and
/// shifted, the two halves merged. The scalar form, sign-extended to 16 i64
/// lanes, takes twice the extensions and a truncation per half. `qSwapped`
/// (or null) is q with the lanes of each pair swapped, read from a
/// constant table: its even lanes are q's odd ones, without a shift.
static Value buildRoundingHighMul(OpBuilder &b, Location loc, Value p, Value q,
                                  Value qSwapped, bool doubled) {
  Type i64 = b.getI64Type();
  auto wide = VectorType::get({8}, i64);
  auto splat = [&](int64_t v) -> Value {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(wide, b.getI64IntegerAttr(v)));
  };
  Value c32 = splat(32), round = splat(int64_t(1) << 30);
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
  auto lanes16 = VectorType::get({16}, b.getI32Type());
  if (doubled) {
    // The high halves of product + 2^31: lane 2i from the even products,
    // 2i + 1 from the odd ones, one shuffle.
    Value half = splat(int64_t(1) << 31);
    Value even = vector::BitCastOp::create(
        b, loc, lanes16, arith::AddIOp::create(b, loc, evenProduct, half));
    Value odd = vector::BitCastOp::create(
        b, loc, lanes16, arith::AddIOp::create(b, loc, oddProduct, half));
    SmallVector<int64_t> mask;
    for (int64_t i = 0; i < 8; ++i)
      mask.append({2 * i + 1, 16 + 2 * i + 1});
    return vector::ShuffleOp::create(b, loc, even, odd, mask);
  }
  // Bits 31..62 of product + 2^30: into the low half (even lanes) and the
  // high half (odd lanes) of each i64 lane.
  Value low = arith::ShRUIOp::create(
      b, loc, arith::AddIOp::create(b, loc, evenProduct, round), splat(31));
  Value high = arith::ShLIOp::create(
      b, loc, arith::AddIOp::create(b, loc, oddProduct, round), splat(1));
  Value merged = arith::OrIOp::create(
      b, loc, arith::AndIOp::create(b, loc, low, splat(0xFFFFFFFFll)),
      arith::AndIOp::create(b, loc, high, splat(~0xFFFFFFFFll)));
  return vector::BitCastOp::create(b, loc, lanes16, merged);
}

Value mlir::qnt::Epilogue::apply(OpBuilder &b, Location loc, Value acc,
                                 Value col, ValueRange position) const {
  auto lanes = [](Type t) { return VectorType::get({16}, t); };
  for (const Stage &stage : stages) {
    if (stage.folded)
      continue;
    Block *body = linalg::GenericOp(stage.op).getBody();
    IRMapping map;
    // The column constants by block argument, for swapped tables.
    DenseMap<Value, Value> columnOf;
    for (auto [i, input, kind] : llvm::enumerate(stage.inputs, stage.kinds)) {
      if (kind == Input::Chained) {
        map.map(body->getArgument(i), acc);
        continue;
      }
      if (kind == Input::Column)
        columnOf[body->getArgument(i)] = input;
      Type element = cast<RankedTensorType>(input.getType()).getElementType();
      Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(element));
      SmallVector<Value> indices = kind == Input::Column
                                       ? SmallVector<Value>{col}
                                       : SmallVector<Value>(position);
      map.map(body->getArgument(i), vector::TransferReadOp::create(
                                        b, loc, lanes(element), input, indices,
                                        zero, ArrayRef<bool>{true}));
    }
    for (Operation &op : body->without_terminator()) {
      if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
        auto splat = DenseElementsAttr::get(
            lanes(constant.getType()), cast<TypedAttr>(constant.getValue()));
        map.map(constant.getResult(), arith::ConstantOp::create(b, loc, splat));
        continue;
      }
      auto vectorOf = [&](Value v) -> Value {
        if (!map.contains(v))
          map.map(v,
                  vector::BroadcastOp::create(b, loc, lanes(v.getType()), v));
        return map.lookup(v);
      };
      if (auto operands = matchRoundingHighMul(op)) {
        Value swapped;
        if (Value column = columnOf.lookup(operands->q)) {
          DenseElementsAttr values = *getConstantDenseElements(column);
          SmallVector<APInt> pairs(values.getValues<APInt>());
          if (pairs.size() % 2 == 0) {
            for (size_t i = 0; i < pairs.size(); i += 2)
              std::swap(pairs[i], pairs[i + 1]);
            Value table = arith::ConstantOp::create(
                b, loc, DenseElementsAttr::get(values.getType(), pairs));
            Type element = values.getElementType();
            swapped = vector::TransferReadOp::create(
                b, loc, lanes(element), table, ValueRange{col},
                arith::ConstantOp::create(b, loc, b.getZeroAttr(element)),
                ArrayRef<bool>{true});
          }
        }
        map.map(op.getResult(0),
                buildRoundingHighMul(b, loc, vectorOf(operands->p),
                                     vectorOf(operands->q), swapped,
                                     operands->doubled));
        continue;
      }
      for (Value operand : op.getOperands())
        (void)vectorOf(operand);
      Operation *clone = b.clone(op, map);
      clone->getResult(0).setType(lanes(op.getResult(0).getType()));
    }
    acc = map.lookup(body->getTerminator()->getOperand(0));
  }
  return acc;
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
