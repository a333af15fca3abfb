//===- FoldBatchNorm.cpp - Fold BatchNorm into convs and matmuls ----------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A per-channel affine map along the innermost (channel) dimension,
//
//   A(y)[c] = y[c] * k[c] + s[c],   for BatchNorm  k = gamma / sqrt(var + eps)
//                                                  s = beta - mean * k,
//
// is absorbed by the linear op that produces y:
//
//   after   conv/matmul:  w'[c, ...] = w[c, ...] * k[c]       (output channel)
//                         b'[c]      = b[c] * k[c] + s[c]
//   before  conv (no padding):
//                         w'[o, ..., i] = w[o, ..., i] * k[i] (input channel)
//                         b'[o]         = b[o] + sum_{..., i} w[o, ..., i] s[i]
//
// All arithmetic is done in double and rounded to float once.
//
//===----------------------------------------------------------------------===//

#include "qnt/Dialect/Qnt/IR/Qnt.h"
#include "qnt/Dialect/Qnt/Transforms/Passes.h"
#include "qnt/Dialect/Qnt/Utils/ConstantUtils.h"

#include "mlir/Dialect/Tosa/Utils/ConversionUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

#include <cmath>

namespace mlir {
namespace qnt {
#define GEN_PASS_DEF_QNTFOLDBATCHNORMPASS
#include "qnt/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace qnt
} // namespace mlir

using namespace mlir;
using namespace mlir::qnt;

namespace {

/// y -> y * scale[c] + shift[c] along the innermost dimension.
struct ChannelAffine {
  SmallVector<double> scale;
  SmallVector<double> shift;
};

/// The chain that absorbs an affine: a linear op with constant weights, then
/// reshapes that keep the channel dimension (matmul only), then optionally a
/// constant bias add. Every intermediate result has exactly one use.
struct Absorber {
  Operation *linear = nullptr;
  tosa::AddOp biasAdd;
  /// The constant operand of `biasAdd`, per channel.
  SmallVector<double> biasAddValues;
  int64_t channels = 0;
};

} // namespace

static bool isConvLike(Operation *op) {
  return isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::TransposeConv2DOp>(
      op);
}

/// Per-channel values of a constant of rank `rank` broadcast along every
/// dimension but the innermost, whose size is 1 or `channels`.
static std::optional<SmallVector<double>>
getChannelConstant(Value value, int64_t rank, int64_t channels) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape() || type.getRank() != rank)
    return std::nullopt;
  ArrayRef<int64_t> shape = type.getShape();
  if (llvm::any_of(shape.drop_back(), [](int64_t d) { return d != 1; }) ||
      (shape.back() != 1 && shape.back() != channels))
    return std::nullopt;
  std::optional<SmallVector<float>> values = getConstantF32Values(value);
  if (!values)
    return std::nullopt;
  SmallVector<double> perChannel(channels);
  for (int64_t c = 0; c < channels; ++c)
    perChannel[c] = (*values)[values->size() == 1 ? 0 : c];
  return perChannel;
}

/// Finds the chain producing `top` that can absorb a per-channel affine, or
/// says why there is none.
static FailureOr<Absorber> findAbsorber(Value top, std::string &reason) {
  auto type = dyn_cast<RankedTensorType>(top.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isF32()) {
    reason = "the value is not a statically shaped f32 tensor";
    return failure();
  }
  Absorber absorber;
  absorber.channels = type.getShape().back();
  Value value = top;
  auto singleUse = [&](Value v, StringRef what) {
    if (v.hasOneUse())
      return true;
    reason = ("the " + what +
              " result has other users that need the "
              "unfolded value")
                 .str();
    return false;
  };

  if (auto add = value.getDefiningOp<tosa::AddOp>()) {
    for (auto [input, constant] :
         {std::pair(add.getInput1(), add.getInput2()),
          std::pair(add.getInput2(), add.getInput1())}) {
      std::optional<SmallVector<double>> bias =
          getChannelConstant(constant, type.getRank(), absorber.channels);
      if (!bias)
        continue;
      absorber.biasAdd = add;
      absorber.biasAddValues = std::move(*bias);
      value = input;
      break;
    }
    if (absorber.biasAdd && !singleUse(value, "producer"))
      return failure();
  }

  bool reshaped = false;
  while (auto reshape = value.getDefiningOp<tosa::ReshapeOp>()) {
    auto inputType = dyn_cast<RankedTensorType>(reshape.getInput1().getType());
    if (!inputType || !inputType.hasStaticShape() || inputType.getRank() == 0 ||
        inputType.getShape().back() != absorber.channels) {
      reason = "a reshape changes the channel dimension";
      return failure();
    }
    value = reshape.getInput1();
    reshaped = true;
    if (!singleUse(value, "reshaped"))
      return failure();
  }

  Operation *def = value.getDefiningOp();
  if (!def || !(isConvLike(def) || isa<tosa::MatMulOp>(def)) ||
      (reshaped && !isa<tosa::MatMulOp>(def))) {
    reason = "it does not follow a conv2d, depthwise_conv2d, "
             "transpose_conv2d or matmul";
    return failure();
  }
  if (cast<RankedTensorType>(value.getType()).getShape().back() !=
      absorber.channels) {
    reason = "the channel counts do not line up";
    return failure();
  }
  if (isConvLike(def)) {
    if (!getConstantF32Values(def->getOperand(1))) {
      reason = "the convolution weights are not constant";
      return failure();
    }
    auto biasType = cast<RankedTensorType>(def->getOperand(2).getType());
    if (!getConstantF32Values(def->getOperand(2)) ||
        (biasType.getDimSize(0) != 1 &&
         biasType.getDimSize(0) != absorber.channels)) {
      reason = "the convolution bias is not a constant per channel";
      return failure();
    }
  } else if (!getConstantF32Values(cast<tosa::MatMulOp>(def).getB())) {
    reason = "the matmul weights are not constant";
    return failure();
  }
  absorber.linear = def;
  return absorber;
}

/// Output channel of each element of a linear op's weights.
static int64_t getOutputChannel(Operation *linear, ArrayRef<int64_t> shape,
                                int64_t index) {
  if (isa<tosa::DepthwiseConv2DOp>(linear)) // [KH, KW, C, M]: c * M + m
    return index % (shape[2] * shape[3]);
  if (isa<tosa::MatMulOp>(linear)) // [batch, K, N]
    return index % shape[2];
  // conv2d / transpose_conv2d: [OC, KH, KW, IC]
  return index / (shape[1] * shape[2] * shape[3]);
}

/// Replaces operand `index` of `op` with a new constant holding `values`.
static void replaceConstantOperand(RewriterBase &rewriter, Operation *op,
                                   unsigned index, ArrayRef<float> values) {
  auto type = cast<RankedTensorType>(op->getOperand(index).getType());
  if (static_cast<int64_t>(values.size()) != type.getNumElements()) {
    // A broadcast [.., 1] constant becomes one value per channel [.., C].
    SmallVector<int64_t> shape(type.getShape());
    shape.back() = static_cast<int64_t>(values.size());
    type = RankedTensorType::get(shape, type.getElementType());
  }
  rewriter.setInsertionPoint(op);
  Value constant =
      createF32Constant(rewriter, op->getLoc(), type, values, "qnt_folded");
  Operation *old = op->getOperand(index).getDefiningOp();
  rewriter.modifyOpInPlace(op, [&] { op->setOperand(index, constant); });
  if (old && old->use_empty() && old->hasTrait<OpTrait::ConstantLike>())
    rewriter.eraseOp(old);
}

/// Applies `affine` to the output of `absorber`'s chain. Returns the value
/// that now carries `A(top)`.
static Value absorb(RewriterBase &rewriter, const Absorber &absorber,
                    const ChannelAffine &affine, Value top) {
  Operation *linear = absorber.linear;
  int64_t channels = absorber.channels;
  unsigned weightIndex = 1; // weight of every conv, B of matmul
  Value weights = linear->getOperand(weightIndex);
  auto weightType = cast<RankedTensorType>(weights.getType());
  SmallVector<float> w = *getConstantF32Values(weights);
  for (auto [i, value] : llvm::enumerate(w))
    value = static_cast<float>(
        value *
        affine.scale[getOutputChannel(linear, weightType.getShape(), i)]);
  replaceConstantOperand(rewriter, linear, weightIndex, w);

  bool shiftDone = false;
  if (isConvLike(linear)) {
    SmallVector<float> bias = *getConstantF32Values(linear->getOperand(2));
    SmallVector<float> newBias(channels);
    for (int64_t c = 0; c < channels; ++c) {
      double b = bias[bias.size() == 1 ? 0 : c] * affine.scale[c];
      newBias[c] =
          static_cast<float>(absorber.biasAdd ? b : b + affine.shift[c]);
    }
    replaceConstantOperand(rewriter, linear, 2, newBias);
    shiftDone = !absorber.biasAdd;
  }

  if (absorber.biasAdd) {
    tosa::AddOp add = absorber.biasAdd;
    SmallVector<float> values(channels);
    for (int64_t c = 0; c < channels; ++c)
      values[c] = static_cast<float>(
          absorber.biasAddValues[c] * affine.scale[c] + affine.shift[c]);
    unsigned constIndex =
        getChannelConstant(add.getInput2(),
                           cast<RankedTensorType>(top.getType()).getRank(),
                           channels)
            ? 1
            : 0;
    replaceConstantOperand(rewriter, add, constIndex, values);
    shiftDone = true;
  }
  if (shiftDone || llvm::all_of(affine.shift, [](double s) { return s == 0; }))
    return top;

  // A matmul without a bias add: create one after `top`.
  auto topType = cast<RankedTensorType>(top.getType());
  SmallVector<int64_t> shape(topType.getRank(), 1);
  shape.back() = channels;
  SmallVector<float> shift(affine.shift.begin(), affine.shift.end());
  rewriter.setInsertionPointAfterValue(top);
  Value constant = createF32Constant(
      rewriter, top.getLoc(),
      RankedTensorType::get(shape, rewriter.getF32Type()), shift, "qnt_folded");
  return tosa::AddOp::create(rewriter, top.getLoc(), topType, top, constant);
}

/// The BatchNorm as a per-channel affine, when its parameters are constant.
static std::optional<ChannelAffine> getAffine(BatchNormOp op) {
  auto gamma = getConstantF32Values(op.getGamma());
  auto beta = getConstantF32Values(op.getBeta());
  auto mean = getConstantF32Values(op.getMean());
  auto var = getConstantF32Values(op.getVariance());
  if (!gamma || !beta || !mean || !var)
    return std::nullopt;
  double eps = op.getEpsilon().convertToFloat();
  ChannelAffine affine;
  for (size_t c = 0; c < gamma->size(); ++c) {
    double k = (*gamma)[c] / std::sqrt(double((*var)[c]) + eps);
    affine.scale.push_back(k);
    affine.shift.push_back((*beta)[c] - (*mean)[c] * k);
  }
  return affine;
}

/// Folds `affine`, applied to the input of the convolutions using `value`,
/// into them: `conv(A(x)) = conv'(x)`. Exact only without padding.
static LogicalResult foldForward(RewriterBase &rewriter, Value value,
                                 Value input, const ChannelAffine &affine,
                                 std::string &reason) {
  if (value.use_empty()) {
    reason = "its result is unused";
    return failure();
  }
  for (OpOperand &use : value.getUses()) {
    Operation *user = use.getOwner();
    if (!isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp>(user) ||
        use.getOperandNumber() != 0) {
      reason = "it does not follow a conv2d, depthwise_conv2d, "
               "transpose_conv2d or matmul, and not all its users are "
               "convolutions";
      return failure();
    }
    ArrayRef<int64_t> pad = isa<tosa::Conv2DOp>(user)
                                ? cast<tosa::Conv2DOp>(user).getPad()
                                : cast<tosa::DepthwiseConv2DOp>(user).getPad();
    if (llvm::any_of(pad, [](int64_t p) { return p != 0; })) {
      reason = "the convolution after it pads its input, and padding would "
               "see 0 instead of the BatchNorm's shift";
      return failure();
    }
    if (!getConstantF32Values(user->getOperand(1)) ||
        !getConstantF32Values(user->getOperand(2))) {
      reason = "the convolution after it has non-constant weights or bias";
      return failure();
    }
  }

  SmallVector<Operation *> users(value.getUsers());
  for (Operation *user : users) {
    auto weightType = cast<RankedTensorType>(user->getOperand(1).getType());
    ArrayRef<int64_t> shape = weightType.getShape();
    SmallVector<float> w = *getConstantF32Values(user->getOperand(1));
    SmallVector<float> bias = *getConstantF32Values(user->getOperand(2));
    bool depthwise = isa<tosa::DepthwiseConv2DOp>(user);
    int64_t outChannels = depthwise ? shape[2] * shape[3] : shape[0];
    SmallVector<double> newBias(outChannels);
    for (int64_t o = 0; o < outChannels; ++o)
      newBias[o] = bias[bias.size() == 1 ? 0 : o];
    for (auto [index, value] : llvm::enumerate(w)) {
      int64_t i = static_cast<int64_t>(index);
      // conv2d [OC, KH, KW, IC]; depthwise [KH, KW, C, M].
      int64_t in = depthwise ? (i / shape[3]) % shape[2] : i % shape[3];
      int64_t out = depthwise ? i % (shape[2] * shape[3])
                              : i / (shape[1] * shape[2] * shape[3]);
      newBias[out] += double(value) * affine.shift[in];
      value = static_cast<float>(value * affine.scale[in]);
    }
    replaceConstantOperand(rewriter, user, 1, w);
    replaceConstantOperand(rewriter, user, 2,
                           SmallVector<float>(newBias.begin(), newBias.end()));
    rewriter.modifyOpInPlace(user, [&] { user->setOperand(0, input); });
  }
  return success();
}

namespace {

struct QntFoldBatchNormPass
    : public qnt::impl::QntFoldBatchNormPassBase<QntFoldBatchNormPass> {
  using Base::Base;
  void runOnOperation() override;

private:
  /// Tries to fold one BatchNorm; on failure says why.
  LogicalResult foldBatchNorm(RewriterBase &rewriter, BatchNormOp op,
                              std::string &reason);
  /// Tries to fold one constant mul/add/sub into the op before it.
  LogicalResult foldAffineOp(RewriterBase &rewriter, Operation *op,
                             std::string &reason);
};

} // namespace

/// Erases the constant ops that defined `values` once nothing uses them.
static void eraseDeadConstants(RewriterBase &rewriter, ValueRange values) {
  for (Value value : values) {
    Operation *def = value.getDefiningOp();
    if (def && def->use_empty() && def->hasTrait<OpTrait::ConstantLike>())
      rewriter.eraseOp(def);
  }
}

LogicalResult QntFoldBatchNormPass::foldBatchNorm(RewriterBase &rewriter,
                                                  BatchNormOp op,
                                                  std::string &reason) {
  std::optional<ChannelAffine> affine = getAffine(op);
  if (!affine) {
    reason = "its parameters are not constant";
    return failure();
  }
  auto type = op.getInput().getType();
  if (static_cast<int64_t>(op.getAxis()) != type.getRank() - 1) {
    reason = "its channel axis " + std::to_string(op.getAxis()) +
             " is not the innermost dimension";
    return failure();
  }

  std::string backwardReason;
  if (!op.getInput().hasOneUse()) {
    backwardReason = "its input has other users that need the unfolded value";
  } else if (FailureOr<Absorber> absorber =
                 findAbsorber(op.getInput(), backwardReason);
             succeeded(absorber)) {
    Value result = absorb(rewriter, *absorber, *affine, op.getInput());
    SmallVector<Value> params(op->getOperands().drop_front());
    rewriter.replaceOp(op, result);
    eraseDeadConstants(rewriter, params);
    return success();
  }
  std::string forwardReason;
  if (succeeded(foldForward(rewriter, op.getResult(), op.getInput(), *affine,
                            forwardReason))) {
    SmallVector<Value> params(op->getOperands().drop_front());
    rewriter.eraseOp(op);
    eraseDeadConstants(rewriter, params);
    return success();
  }
  reason = backwardReason + "; " + forwardReason;
  return failure();
}

LogicalResult QntFoldBatchNormPass::foldAffineOp(RewriterBase &rewriter,
                                                 Operation *op,
                                                 std::string &reason) {
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!type || !type.hasStaticShape() || type.getRank() == 0)
    return failure();
  int64_t rank = type.getRank(), channels = type.getShape().back();
  Value input, constant;
  bool commutative = !isa<tosa::SubOp>(op);
  for (unsigned i = 0; i < (commutative ? 2u : 1u); ++i) {
    Value c = op->getOperand(1 - i);
    if (getChannelConstant(c, rank, channels)) {
      input = op->getOperand(i);
      constant = c;
      break;
    }
  }
  if (!input)
    return failure(); // not a per-channel constant affine: nothing to say
  if (input.getType() != op->getResult(0).getType()) {
    reason = "it broadcasts its input to another shape";
    return failure();
  }
  Operation *producer = input.getDefiningOp();
  // A bias add after a matmul is already in canonical form.
  if (!isa<tosa::MulOp>(op) &&
      !(producer && (isConvLike(producer) || isa<tosa::AddOp>(producer))))
    return failure();
  if (!input.hasOneUse()) {
    reason = "its input has other users that need the unfolded value";
    return failure();
  }
  FailureOr<Absorber> absorber = findAbsorber(input, reason);
  if (failed(absorber))
    return failure();

  SmallVector<double> values = *getChannelConstant(constant, rank, channels);
  ChannelAffine affine;
  affine.scale.assign(channels, 1.0);
  affine.shift.assign(channels, 0.0);
  if (isa<tosa::MulOp>(op))
    affine.scale = values;
  else if (isa<tosa::AddOp>(op))
    affine.shift = values;
  else
    for (int64_t c = 0; c < channels; ++c)
      affine.shift[c] = -values[c];
  Value result = absorb(rewriter, *absorber, affine, input);
  SmallVector<Value> operands(op->getOperands());
  rewriter.replaceOp(op, result);
  eraseDeadConstants(rewriter, operands);
  return success();
}

void QntFoldBatchNormPass::runOnOperation() {
  func::FuncOp func = getOperation();
  IRRewriter rewriter(&getContext());
  DenseMap<Operation *, std::string> refusals;

  // Folding one op can enable another (a mul after a BatchNorm): iterate.
  bool changed = true;
  while (changed) {
    changed = false;
    SmallVector<Operation *> candidates;
    func.walk([&](Operation *op) {
      if (isa<BatchNormOp, tosa::MulOp, tosa::AddOp, tosa::SubOp>(op))
        candidates.push_back(op);
    });
    for (Operation *op : candidates) {
      std::string reason;
      LogicalResult folded =
          isa<BatchNormOp>(op)
              ? foldBatchNorm(rewriter, cast<BatchNormOp>(op), reason)
              : foldAffineOp(rewriter, op, reason);
      if (succeeded(folded)) {
        refusals.erase(op);
        changed = true;
        break; // the walk's snapshot may hold erased ops
      }
      if (!reason.empty())
        refusals[op] = reason;
    }
  }

  if (remarks) {
    func.walk([&](Operation *op) {
      auto it = refusals.find(op);
      if (it == refusals.end())
        return;
      if (isa<BatchNormOp>(op))
        op->emitRemark("BatchNorm not folded (it becomes a multiply-add): ")
            << it->second;
      else
        op->emitRemark("constant affine op not folded: ") << it->second;
    });
  }

  // What could not be folded still has to run.
  RewritePatternSet patterns(&getContext());
  populateQntExpandBatchNormPatterns(patterns);
  walkAndApplyPatterns(func, std::move(patterns));
}
