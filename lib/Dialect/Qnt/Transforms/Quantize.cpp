//===- Quantize.cpp - From a calibrated graph to the fake-quant graph -----===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Every qnt.observe becomes a qnt.fake_quant whose !quant.uniform type holds
//
//   activations  (s, z) = chooseQuantParams(calibrator(stats), scheme)
//   weights      (s, z)[c] = chooseQuantParams(min/max of channel c, scheme)
//   bias         s_b[c] = s_in * s_w[c], z = 0, int32; when |b / s_b| would
//                exceed 2^31 - 1, s_b[c] = |b| / (2^31 - 1) instead
//
// Concat shares one (s, z) over its inputs and output: the union of their
// ranges. Same-scale ops pass their input's type on.
//
//===----------------------------------------------------------------------===//

#include "qnt/Calibration/Calibrators.h"
#include "qnt/Dialect/Qnt/IR/Qnt.h"
#include "qnt/Dialect/Qnt/Transforms/Passes.h"
#include "qnt/Dialect/Qnt/Utils/ConstantUtils.h"
#include "qnt/Dialect/Qnt/Utils/Numerics.h"

#include "llvm/ADT/DenseMap.h"

#include <cfloat>
#include <cmath>

namespace mlir {
namespace qnt {
#define GEN_PASS_DEF_QNTQUANTIZEPASS
#include "qnt/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace qnt
} // namespace mlir

using namespace mlir;
using namespace mlir::qnt;

/// Ops whose output has the parameters of their input (shared with
/// --qnt-insert-observers).
static bool isSameScale(Operation *op) { return QntDialect::isSameScaleOp(op); }

/// The activation observer `value` comes from, looking through same-scale
/// ops.
static ObserveOp getObserver(Value value) {
  while (Operation *def = value.getDefiningOp()) {
    if (auto observe = dyn_cast<ObserveOp>(def))
      return observe.getRole() == ObserveRole::Activation ? observe
                                                          : ObserveOp();
    if (!isSameScale(def))
      return {};
    value = def->getOperand(0);
  }
  return {};
}

/// The fake_quant that gives `value` its parameters, looking through
/// same-scale ops.
static FakeQuantOp getQuantizer(Value value) {
  while (Operation *def = value.getDefiningOp()) {
    if (auto fq = dyn_cast<FakeQuantOp>(def))
      return fq;
    if (!isSameScale(def))
      return {};
    value = def->getOperand(0);
  }
  return {};
}

/// Whether every use of `value` reaches `target` through same-scale ops only.
static bool feedsOnly(Value value, Operation *target) {
  for (Operation *user : value.getUsers()) {
    if (user == target)
      continue;
    if (!isSameScale(user) || !feedsOnly(user->getResult(0), target))
      return false;
  }
  return true;
}

static QuantRange getGrid(SchemeAttr scheme) {
  return getQuantRange(scheme.getBits(), scheme.getIsSigned(),
                       scheme.getNarrowRange());
}

/// The integer type that stores a grid of `bits` bits.
static IntegerType getStorageType(MLIRContext *context, unsigned bits) {
  return IntegerType::get(context, bits <= 8 ? 8 : bits <= 16 ? 16 : 32);
}

static quant::UniformQuantizedType
getPerTensorType(MLIRContext *context, SchemeAttr scheme, QuantParams params) {
  QuantRange grid = getGrid(scheme);
  return quant::UniformQuantizedType::get(
      scheme.getIsSigned() ? quant::QuantizationFlags::Signed : 0,
      getStorageType(context, scheme.getBits()), Float32Type::get(context),
      params.scale, params.zeroPoint, grid.qmin, grid.qmax);
}

namespace {

struct QntQuantizePass
    : public qnt::impl::QntQuantizePassBase<QntQuantizePass> {
  using Base::Base;
  void runOnOperation() override;

private:
  LogicalResult quantizeWeights(ObserveOp op);
  void quantizeBias(Operation *anchor, Value weights, Value input,
                    unsigned biasIndex, tosa::AddOp biasAdd);
};

} // namespace

LogicalResult QntQuantizePass::quantizeWeights(ObserveOp op) {
  std::optional<SmallVector<float>> values =
      getConstantF32Values(op.getInput());
  if (!values)
    return op.emitOpError("observes weights that are not a constant; "
                          "quantize them as an activation instead");
  for (auto [i, v] : llvm::enumerate(*values))
    if (!std::isfinite(v))
      return op.emitOpError("has a non-finite weight (")
             << v << ") at element " << i;
  SchemeAttr scheme = op.getScheme();
  QuantRange grid = getGrid(scheme);
  auto type = op.getInput().getType();
  MLIRContext *context = op.getContext();
  OpBuilder builder(op);

  quant::QuantizedType qtype;
  if (!scheme.getAxis()) {
    auto [lo, hi] = std::minmax_element(values->begin(), values->end());
    auto params = chooseQuantParams(*lo, *hi, grid, scheme.getSymmetric());
    if (!params)
      return op.emitOpError("has non-finite weights");
    qtype = getPerTensorType(context, scheme, *params);
  } else {
    int64_t axis = *scheme.getAxis();
    ArrayRef<int64_t> shape = type.getShape();
    int64_t channels = shape[axis];
    int64_t inner = 1;
    for (int64_t d : shape.drop_front(axis + 1))
      inner *= d;
    SmallVector<double> lo(channels, INFINITY), hi(channels, -INFINITY);
    for (auto [i, v] : llvm::enumerate(*values)) {
      int64_t c = (static_cast<int64_t>(i) / inner) % channels;
      lo[c] = std::min(lo[c], double(v));
      hi[c] = std::max(hi[c], double(v));
    }
    SmallVector<double> scales;
    SmallVector<int64_t> zeroPoints;
    for (int64_t c = 0; c < channels; ++c) {
      // An empty channel (a zero-sized dimension elsewhere) has range 0.
      double l = std::isfinite(lo[c]) ? lo[c] : 0.0;
      double h = std::isfinite(hi[c]) ? hi[c] : 0.0;
      auto params = chooseQuantParams(l, h, grid, scheme.getSymmetric());
      if (!params)
        return op.emitOpError("has non-finite weights in channel ") << c;
      scales.push_back(params->scale);
      zeroPoints.push_back(params->zeroPoint);
    }
    qtype = quant::UniformQuantizedPerAxisType::get(
        scheme.getIsSigned() ? quant::QuantizationFlags::Signed : 0,
        getStorageType(context, scheme.getBits()), Float32Type::get(context),
        scales, zeroPoints, axis, grid.qmin, grid.qmax);
  }
  auto fq = FakeQuantOp::create(builder, op.getLoc(), type, op.getInput(),
                                TypeAttr::get(qtype));
  op.replaceAllUsesWith(fq.getResult());
  op.erase();
  return success();
}

/// Scales of the weights' output channels, or none when they are not
/// fake-quantized.
static std::optional<SmallVector<double>> getWeightScales(Value weights) {
  auto fq = weights.getDefiningOp<FakeQuantOp>();
  if (!fq)
    return std::nullopt;
  if (auto perTensor = dyn_cast<quant::UniformQuantizedType>(fq.getQtype()))
    return SmallVector<double>{perTensor.getScale()};
  auto perAxis = cast<quant::UniformQuantizedPerAxisType>(fq.getQtype());
  return SmallVector<double>(perAxis.getScales());
}

void QntQuantizePass::quantizeBias(Operation *anchor, Value weights,
                                   Value input, unsigned biasIndex,
                                   tosa::AddOp biasAdd) {
  std::optional<SmallVector<double>> weightScales = getWeightScales(weights);
  FakeQuantOp inputFq = getQuantizer(input);
  if (!weightScales || !inputFq)
    return; // a float neighbour: the bias stays float
  auto inputType = dyn_cast<quant::UniformQuantizedType>(inputFq.getQtype());
  if (!inputType)
    return;
  Operation *owner = biasAdd ? biasAdd.getOperation() : anchor;
  Value bias = owner->getOperand(biasIndex);
  std::optional<SmallVector<float>> values = getConstantF32Values(bias);
  if (!values)
    return;
  auto biasType = cast<RankedTensorType>(bias.getType());
  int64_t channels =
      std::max<int64_t>(weightScales->size(), biasType.getShape().back());
  if (biasType.getShape().back() != channels && biasType.getShape().back() != 1)
    return; // does not line up with the weights' channels
  if (weightScales->size() != 1 &&
      static_cast<int64_t>(weightScales->size()) != channels)
    return;

  // Expand a broadcast bias to one value per channel.
  SmallVector<float> perChannel(channels);
  for (int64_t c = 0; c < channels; ++c)
    perChannel[c] = (*values)[values->size() == 1 ? 0 : c];
  SmallVector<int64_t> shape(biasType.getShape());
  shape.back() = channels;
  auto expandedType = RankedTensorType::get(shape, biasType.getElementType());

  constexpr double kInt32Max = 2147483647.0;
  double sIn = inputType.getScale();
  SmallVector<double> scales;
  for (int64_t c = 0; c < channels; ++c) {
    double scale = sIn * (*weightScales)[weightScales->size() == 1 ? 0 : c];
    // The type's scale must be a positive normal f32 for the parser.
    scale = std::max(scale, double(FLT_MIN));
    double needed = std::fabs(double(perChannel[c])) / kInt32Max;
    if (needed > scale) {
      if (remarks)
        anchor->emitRemark("bias of channel ")
            << c << " does not fit int32 at s_in * s_w = " << scale
            << "; its scale is widened to " << needed;
      scale = needed;
    }
    scales.push_back(scale);
  }

  OpBuilder builder(owner);
  Value constant = bias;
  if (expandedType != biasType)
    constant = createF32Constant(builder, owner->getLoc(), expandedType,
                                 perChannel, "qnt_bias");
  MLIRContext *context = anchor->getContext();
  auto qtype = quant::UniformQuantizedPerAxisType::get(
      quant::QuantizationFlags::Signed, IntegerType::get(context, 32),
      Float32Type::get(context), scales, SmallVector<int64_t>(channels, 0),
      expandedType.getRank() - 1, std::numeric_limits<int32_t>::min(),
      std::numeric_limits<int32_t>::max());
  auto fq = FakeQuantOp::create(builder, owner->getLoc(), expandedType,
                                constant, TypeAttr::get(qtype));
  owner->setOperand(biasIndex, fq.getResult());
}

/// The bias add of a matmul unit: the matmul, single-use reshapes, then an
/// add with a constant.
static std::pair<tosa::AddOp, unsigned> getMatmulBiasAdd(tosa::MatMulOp op) {
  Value value = op.getResult();
  while (value.hasOneUse()) {
    Operation *user = *value.getUsers().begin();
    if (auto reshape = dyn_cast<tosa::ReshapeOp>(user)) {
      value = reshape.getResult();
      continue;
    }
    auto add = dyn_cast<tosa::AddOp>(user);
    if (!add)
      break;
    unsigned constIndex = add.getInput1() == value ? 1 : 0;
    if (getConstantF32Values(add->getOperand(constIndex)))
      return {add, constIndex};
    break;
  }
  return {tosa::AddOp(), 0};
}

void QntQuantizePass::runOnOperation() {
  func::FuncOp func = getOperation();
  MLIRContext *context = &getContext();

  std::optional<Calibrator> kind = parseCalibrator(calibration);
  if (!kind) {
    func.emitError("--qnt-quantize: unknown calibration '")
        << calibration << "'; expected minmax, ema, percentile, entropy or mse";
    return signalPassFailure();
  }
  if (!(percentile >= 50.0 && percentile <= 100.0)) {
    func.emitError("--qnt-quantize: percentile must be in [50, 100], got ")
        << percentile;
    return signalPassFailure();
  }
  if (entropyBins < 2 || entropyStartBin < 1 || entropyStartBin > entropyBins ||
      !(entropySmoothing > 0.0)) {
    func.emitError("--qnt-quantize: entropy options need entropy-bins >= 2, "
                   "1 <= entropy-start-bin <= entropy-bins and "
                   "entropy-smoothing > 0");
    return signalPassFailure();
  }

  // 1. A range per activation observer, from its statistics.
  SmallVector<ObserveOp> activations, weights;
  func.walk([&](ObserveOp op) {
    (op.getRole() == ObserveRole::Activation ? activations : weights)
        .push_back(op);
  });
  DenseMap<Operation *, qnt::Range> ranges;
  for (ObserveOp op : activations) {
    StatsAttr stats = op.getStatsAttr();
    if (!stats) {
      op.emitOpError("has no statistics; run quant-calibrate first");
      return signalPassFailure();
    }
    CalibrationInput input;
    input.min = stats.getMinValue();
    input.max = stats.getMaxValue();
    input.emaMin = stats.getEmaMinValue();
    input.emaMax = stats.getEmaMaxValue();
    input.count = stats.getCount();
    input.hist = HistogramView{stats.getHist(), stats.getHistMinValue(),
                               stats.getHistMaxValue()};
    CalibratorOptions options;
    options.kind = *kind;
    options.percentile = percentile;
    options.entropyBins = entropyBins;
    options.entropyStartBin = entropyStartBin;
    options.entropySmoothing = entropySmoothing;
    options.grid = getGrid(op.getScheme());
    options.symmetric = op.getScheme().getSymmetric();
    std::string why;
    std::optional<qnt::Range> range = calibrate(input, options, &why);
    if (!range) {
      op.emitOpError("cannot be calibrated: ") << why;
      return signalPassFailure();
    }
    if (stats.getCount() == 0)
      op.emitWarning("saw no finite value during calibration; its range is "
                     "[0, 0] (scale 1)");
    ranges[op] = *range;
  }

  // 2. Concat: one range over its inputs and output. Iterate until nothing
  // widens: a concat feeding a concat must end with one range for both.
  SmallVector<std::pair<OpOperand *, ObserveOp>> requantize;
  SmallVector<std::pair<OpOperand *, ObserveOp>> constantInputs;
  SmallVector<tosa::ConcatOp> concats;
  func.walk([&](tosa::ConcatOp concat) {
    if (!concat->hasAttr(QntDialect::kKeepFloatAttrName))
      concats.push_back(concat);
  });
  auto outputObserver = [&](tosa::ConcatOp concat) -> ObserveOp {
    if (!concat->getResult(0).hasOneUse())
      return {};
    auto observer = dyn_cast<ObserveOp>(*concat->getUsers().begin());
    return observer && ranges.count(observer) ? observer : ObserveOp();
  };
  bool widened = true;
  for (int round = 0; widened && round < 64; ++round) {
    widened = false;
    for (tosa::ConcatOp concat : concats) {
      ObserveOp output = outputObserver(concat);
      if (!output)
        continue;
      qnt::Range merged = ranges[output];
      auto merge = [&](double lo, double hi) {
        merged.lo = std::min(merged.lo, lo);
        merged.hi = std::max(merged.hi, hi);
      };
      for (OpOperand &operand : concat->getOpOperands()) {
        if (ObserveOp observer = getObserver(operand.get())) {
          if (feedsOnly(observer.getResult(), concat))
            merge(ranges[observer].lo, ranges[observer].hi);
        } else if (auto values = getConstantF32Values(operand.get())) {
          auto [lo, hi] = std::minmax_element(values->begin(), values->end());
          if (lo != values->end())
            merge(*lo, *hi);
        }
      }
      auto update = [&](ObserveOp observer) {
        qnt::Range &r = ranges[observer];
        if (r.lo != merged.lo || r.hi != merged.hi) {
          r = merged;
          widened = true;
        }
      };
      update(output);
      for (OpOperand &operand : concat->getOpOperands())
        if (ObserveOp observer = getObserver(operand.get()))
          if (feedsOnly(observer.getResult(), concat))
            update(observer);
    }
  }
  for (tosa::ConcatOp concat : concats) {
    ObserveOp output = outputObserver(concat);
    if (!output)
      continue;
    for (OpOperand &operand : concat->getOpOperands()) {
      if (ObserveOp observer = getObserver(operand.get())) {
        if (!feedsOnly(observer.getResult(), concat))
          requantize.push_back({&operand, output});
      } else if (getConstantF32Values(operand.get())) {
        constantInputs.push_back({&operand, output});
      } else {
        concat.emitWarning("input ")
            << operand.getOperandNumber()
            << " has no quantization parameters; the concat's inputs do not "
               "share one scale";
      }
    }
  }

  // 3. Activation observers become fake_quant.
  DenseMap<Operation *, FakeQuantOp> replacements;
  for (ObserveOp op : activations) {
    SchemeAttr scheme = op.getScheme();
    qnt::Range range = ranges[op];
    auto params = chooseQuantParams(range.lo, range.hi, getGrid(scheme),
                                    scheme.getSymmetric());
    if (!params) {
      op.emitOpError("got a non-finite range [")
          << range.lo << ", " << range.hi << "]";
      return signalPassFailure();
    }
    if (remarks)
      op.emitRemark("'") << op.getName() << "': " << calibration << " range ["
                         << range.lo << ", " << range.hi << "] -> scale "
                         << params->scale << ", zero point "
                         << params->zeroPoint;
    OpBuilder builder(op);
    auto fq = FakeQuantOp::create(
        builder, op.getLoc(), op.getType(), op.getInput(),
        TypeAttr::get(getPerTensorType(context, scheme, *params)));
    replacements[op] = fq;
  }
  // Requantize concat inputs that keep their own parameters for other users;
  // constant inputs get the shared parameters.
  requantize.append(constantInputs.begin(), constantInputs.end());
  for (auto [operand, output] : requantize) {
    FakeQuantOp shared = replacements[output];
    OpBuilder builder(operand->getOwner());
    auto fq = FakeQuantOp::create(builder, operand->getOwner()->getLoc(),
                                  operand->get().getType(), operand->get(),
                                  shared.getQtypeAttr());
    operand->set(fq.getResult());
  }
  for (auto [op, fq] : replacements) {
    op->replaceAllUsesWith(fq->getResults());
    op->erase();
  }

  // 4. Weights from the constants.
  for (ObserveOp op : weights)
    if (failed(quantizeWeights(op)))
      return signalPassFailure();

  // 5. Biases at s_in * s_w.
  func.walk([&](Operation *op) {
    if (op->hasAttr(QntDialect::kKeepFloatAttrName))
      return;
    if (isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::TransposeConv2DOp>(
            op))
      quantizeBias(op, op->getOperand(1), op->getOperand(0), 2, {});
    else if (auto matmul = dyn_cast<tosa::MatMulOp>(op))
      if (auto [add, index] = getMatmulBiasAdd(matmul); add)
        quantizeBias(op, matmul.getB(), matmul.getA(), index, add);
  });

  // 6. Same-scale ops pass their input's parameters on.
  func.walk([&](Operation *op) {
    if (!isSameScale(op) || op->getNumResults() != 1)
      return;
    FakeQuantOp source = getQuantizer(op->getOperand(0));
    if (!source)
      return;
    Value result = op->getResult(0);
    if (llvm::any_of(result.getUsers(), [&](Operation *user) {
          auto fq = dyn_cast<FakeQuantOp>(user);
          return fq && fq.getQtype() == source.getQtype();
        }))
      return;
    auto resultType = dyn_cast<RankedTensorType>(result.getType());
    if (!resultType || !resultType.getElementType().isF32() ||
        !isa<quant::UniformQuantizedType>(source.getQtype()))
      return; // per-axis parameters do not survive a layout change
    OpBuilder builder(op->getContext());
    builder.setInsertionPointAfter(op);
    auto fq = FakeQuantOp::create(builder, op->getLoc(), resultType, result,
                                  source.getQtypeAttr());
    result.replaceAllUsesExcept(fq.getResult(), fq);
  });
}
