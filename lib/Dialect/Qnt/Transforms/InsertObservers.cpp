//===- InsertObservers.cpp - Place qnt.observe at quantization points -----===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The top-level ops of a function are partitioned into
//
//   units        conv2d / depthwise_conv2d / transpose_conv2d / matmul, for a
//                matmul the single-use reshapes after it, an optional bias
//                add (a constant broadcast along the channel dimension) and
//                an optional fused clamp: one output scale, so one observer
//                after the last op and none inside;
//   residual add a tosa.add of two activations (and its fused clamp);
//   avg_pool2d, concat, and every other op producing a float tensor (ops the
//                integer program has no direct lowering for: sigmoid, exp,
//                mul, reduce_*, ...): each one group;
//   same-scale   max_pool2d, reshape, transpose, pad, slice, identity, tile,
//                reverse and clamps closing no unit: they keep their input's
//                scale and get no observer;
//   constants    never observed.
//
// A group is quantized unless it is left in float (skip-names, skip-ops,
// keep-first, keep-last). A candidate value (a function argument, a group
// output) gets an activation observer when its producer is quantized or one
// of its consumers, looking through same-scale ops, is. A quantized concat's
// input whose source (through same-scale ops) has no observer gets one
// itself. Quantized units with constant weights get a weight observer on
// operand 1.
//
//===----------------------------------------------------------------------===//

#include "qnt/Dialect/Qnt/IR/Qnt.h"
#include "qnt/Dialect/Qnt/Transforms/Passes.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSet.h"

namespace mlir {
namespace qnt {
#define GEN_PASS_DEF_QNTINSERTOBSERVERSPASS
#include "qnt/Dialect/Qnt/Transforms/Passes.h.inc"
} // namespace qnt
} // namespace mlir

using namespace mlir;
using namespace mlir::qnt;

/// Op kinds accepted by `skip-ops`.
static constexpr StringLiteral kSkippableKinds[] = {"conv2d",
                                                    "depthwise_conv2d",
                                                    "transpose_conv2d",
                                                    "matmul",
                                                    "add",
                                                    "avg_pool2d",
                                                    "concat"};

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// The ONNX node name carried by `loc`: the outermost NameLoc, also inside a
/// FusedLoc (first one found), a CallSiteLoc (callee first) or an OpaqueLoc.
static std::optional<StringRef> getNodeName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc)) {
    if (!name.getName().getValue().empty())
      return name.getName().getValue();
    return getNodeName(name.getChildLoc());
  }
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location inner : fused.getLocations())
      if (std::optional<StringRef> name = getNodeName(inner))
        return name;
    return std::nullopt;
  }
  if (auto callSite = dyn_cast<CallSiteLoc>(loc)) {
    if (std::optional<StringRef> name = getNodeName(callSite.getCallee()))
      return name;
    return getNodeName(callSite.getCaller());
  }
  if (auto opaque = dyn_cast<OpaqueLoc>(loc))
    return getNodeName(opaque.getFallbackLocation());
  return std::nullopt;
}

/// `tosa.conv2d` -> `conv2d`; other dialects' ops lose their prefix as well.
static StringRef getKind(Operation *op) { return op->getName().stripDialect(); }

static bool isFloatTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa<FloatType>(tensor.getElementType());
}

static bool isConstant(Operation *op) {
  return op &&
         (op->hasTrait<OpTrait::ConstantLike>() || isa<tosa::ConstShapeOp>(op));
}

static bool isConstantValue(Value value) {
  return isConstant(value.getDefiningOp());
}

/// Linear ops that start a unit and may carry weights.
static bool isLinearAnchor(Operation *op) {
  return isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::TransposeConv2DOp,
             tosa::MatMulOp>(op);
}

/// Ops whose output has the scale of their (first) input. (A fused clamp is
/// part of its unit, which is formed before the clamp is reached; a fused
/// clamp whose unit was broken by later rewrites is a plain clamp.)
static bool isSameScale(Operation *op) { return QntDialect::isSameScaleOp(op); }

/// Ops that already are a quantization point.
static bool isQuantizationPoint(Operation *op) {
  return isa_and_nonnull<ObserveOp, FakeQuantOp>(op);
}

/// Whether `value` is already followed by a quantization point.
static bool hasQuantizationPointUser(Value value) {
  return llvm::any_of(value.getUsers(), isQuantizationPoint);
}

/// A constant that broadcasts along every dimension but the innermost: the
/// shape of a bias.
static bool isChannelConstant(Value value) {
  if (!isConstantValue(value))
    return false;
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.getRank() > 0 &&
         llvm::all_of(type.getShape().drop_back(),
                      [](int64_t d) { return d == 1; });
}

/// The single user of the op result `value` if it has exactly one use, in
/// the same block (a unit never reaches into a nested region).
static Operation *getSingleUser(Value value) {
  if (!value.hasOneUse())
    return nullptr;
  Operation *user = *value.getUsers().begin();
  Operation *def = value.getDefiningOp();
  return def && user->getBlock() == def->getBlock() ? user : nullptr;
}

/// If `value` is closed by a fused clamp (an intact unit), the clamp's
/// result; else `value`.
static Value throughFusedClamp(Value value, SmallVectorImpl<Operation *> &ops) {
  auto clamp = dyn_cast_or_null<tosa::ClampOp>(getSingleUser(value));
  if (!clamp || !value.getDefiningOp() ||
      QntDialect::getFusedProducer(clamp) != value.getDefiningOp())
    return value;
  ops.push_back(clamp);
  return clamp.getResult();
}

/// The per-channel axis of the weights of `anchor` (weight type `type`), or
/// std::nullopt when only a per-tensor scale fits.
static std::optional<int64_t> getWeightAxis(Operation *anchor,
                                            RankedTensorType type) {
  if (isa<tosa::DepthwiseConv2DOp>(anchor)) {
    // [KH, KW, C, M]: output channel c * M + m spans two dimensions, which
    // one quantized dimension cannot express unless one of them is 1. With
    // M == 1 the channel is C (axis 2); with C == 1 it is M (axis 3);
    // otherwise per-tensor.
    if (type.getRank() != 4)
      return std::nullopt;
    if (type.getDimSize(3) == 1)
      return 2;
    if (type.getDimSize(2) == 1)
      return 3;
    return std::nullopt;
  }
  if (isa<tosa::MatMulOp>(anchor)) // B: [batch, K, N]
    return type.getRank() == 3 ? std::optional<int64_t>(2) : std::nullopt;
  // conv2d / transpose_conv2d: OHWI.
  return type.getRank() >= 1 ? std::optional<int64_t>(0) : std::nullopt;
}

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

namespace {

enum class GroupKind { Unit, ResidualAdd, Other };

/// Ops that share one output scale.
struct Group {
  GroupKind kind;
  /// The op that names the group's kind: the anchor of a unit, else the op.
  Operation *key;
  /// Every op of the group, in program order.
  SmallVector<Operation *> ops;
  /// The values leaving the group (one for units and adds).
  SmallVector<Value> outputs;
  bool keepFloat = false;
};

struct QntInsertObserversPass
    : public qnt::impl::QntInsertObserversPassBase<QntInsertObserversPass> {
  using Base::Base;
  void runOnOperation() override;

private:
  LogicalResult parseOptions(func::FuncOp func);

  SchemeAttr activationScheme;
  /// Weight scheme without its axis, and whether it is per channel.
  SchemeAttr weightScheme;
  bool perChannel = true;
};

} // namespace

LogicalResult QntInsertObserversPass::parseOptions(func::FuncOp func) {
  MLIRContext *ctx = &getContext();
  // The option itself does not print as a number.
  unsigned width = bits;
  if (width < 2 || width > 16)
    return func.emitError("option 'bits' of --qnt-insert-observers must be "
                          "between 2 and 16, got ")
           << width;
  if (reduceRange && width < 3)
    return func.emitError("option 'reduce-range' of --qnt-insert-observers "
                          "needs 'bits' of at least 3 (activations would "
                          "have ")
           << width - 1 << " bit), got bits=" << width;
  unsigned activationBits = reduceRange ? width - 1 : width;

  if (activations == "asymmetric-u8")
    activationScheme = SchemeAttr::get(ctx, activationBits, /*isSigned=*/false,
                                       /*symmetric=*/false,
                                       /*narrowRange=*/false, std::nullopt);
  else if (activations == "symmetric-i8")
    activationScheme = SchemeAttr::get(ctx, activationBits, /*isSigned=*/true,
                                       /*symmetric=*/true,
                                       /*narrowRange=*/false, std::nullopt);
  else
    return func.emitError("option 'activations' of --qnt-insert-observers "
                          "has unknown value '")
           << activations << "'; expected 'asymmetric-u8' or 'symmetric-i8'";

  if (weights == "per-channel-symmetric" || weights == "per-tensor-symmetric")
    weightScheme =
        SchemeAttr::get(ctx, width, /*isSigned=*/true,
                        /*symmetric=*/true, /*narrowRange=*/true, std::nullopt);
  else if (weights == "per-channel-affine" || weights == "per-tensor-affine")
    weightScheme = SchemeAttr::get(ctx, width, /*isSigned=*/true,
                                   /*symmetric=*/false, /*narrowRange=*/false,
                                   std::nullopt);
  else
    return func.emitError("option 'weights' of --qnt-insert-observers has "
                          "unknown value '")
           << weights
           << "'; expected 'per-channel-symmetric', 'per-tensor-symmetric', "
              "'per-channel-affine' or 'per-tensor-affine'";
  perChannel = StringRef(weights).starts_with("per-channel");

  for (const std::string &kind : skipOps) {
    StringRef name = StringRef(kind);
    name.consume_front("tosa.");
    if (!llvm::is_contained(kSkippableKinds, name))
      return func.emitError("option 'skip-ops' of --qnt-insert-observers has "
                            "unknown op kind '")
             << kind
             << "'; expected conv2d, depthwise_conv2d, transpose_conv2d, "
                "matmul, add, avg_pool2d or concat";
  }
  return success();
}

void QntInsertObserversPass::runOnOperation() {
  func::FuncOp func = getOperation();
  if (failed(parseOptions(func)))
    return signalPassFailure();
  if (func.isExternal())
    return;
  MLIRContext *ctx = &getContext();
  Region &body = func.getBody();

  llvm::StringSet<> skipNameSet;
  for (const std::string &name : skipNames)
    skipNameSet.insert(name);
  llvm::StringSet<> skipKindSet;
  for (const std::string &kind : skipOps)
    skipKindSet.insert(StringRef(kind).starts_with("tosa.")
                           ? StringRef(kind).drop_front(5)
                           : StringRef(kind));

  // Partition the top-level ops into groups.
  SmallVector<Group> groups;
  DenseMap<Operation *, unsigned> groupOf;
  // Index of each op among the top-level ops of its kind, for fallback names.
  DenseMap<Operation *, unsigned> kindIndex;
  llvm::StringMap<unsigned> kindCounts;
  SmallVector<unsigned> linearUnits; // group indices, in program order

  for (Block &block : body) {
    for (Operation &opRef : block) {
      Operation *op = &opRef;
      kindIndex[op] = kindCounts[getKind(op)]++;
      if (groupOf.count(op) || op->getNumResults() == 0 || isConstant(op) ||
          isQuantizationPoint(op) || isSameScale(op))
        continue;

      Group group;
      group.key = op;
      group.ops.push_back(op);
      if (isLinearAnchor(op)) {
        group.kind = GroupKind::Unit;
        Value out = op->getResult(0);
        if (isa<tosa::MatMulOp>(op)) {
          while (auto reshape =
                     dyn_cast_or_null<tosa::ReshapeOp>(getSingleUser(out))) {
            group.ops.push_back(reshape);
            out = reshape.getResult();
          }
        }
        if (auto add = dyn_cast_or_null<tosa::AddOp>(getSingleUser(out))) {
          Value other =
              add.getInput1() == out ? add.getInput2() : add.getInput1();
          if (other != out && isChannelConstant(other)) {
            group.ops.push_back(add);
            out = add.getResult();
          }
        }
        out = throughFusedClamp(out, group.ops);
        group.outputs.push_back(out);
        linearUnits.push_back(groups.size());
      } else if (auto add = dyn_cast<tosa::AddOp>(op);
                 add && !isConstantValue(add.getInput1()) &&
                 !isConstantValue(add.getInput2())) {
        group.kind = GroupKind::ResidualAdd;
        group.outputs.push_back(throughFusedClamp(add.getResult(), group.ops));
      } else {
        group.kind = GroupKind::Other;
        if (op->getNumResults() == 1)
          group.outputs.push_back(
              throughFusedClamp(op->getResult(0), group.ops));
        else
          llvm::append_range(group.outputs, op->getResults());
      }

      // Left in float by name (any op of the group) or by kind.
      for (Operation *member : group.ops)
        if (std::optional<StringRef> name = getNodeName(member->getLoc()))
          if (skipNameSet.contains(*name))
            group.keepFloat = true;
      if (skipKindSet.contains(getKind(op)))
        group.keepFloat = true;

      for (Operation *member : group.ops)
        groupOf[member] = groups.size();
      groups.push_back(std::move(group));
    }
  }
  if (!linearUnits.empty()) {
    if (keepFirst)
      groups[linearUnits.front()].keepFloat = true;
    if (keepLast)
      groups[linearUnits.back()].keepFloat = true;
  }
  for (Group &group : groups)
    if (group.keepFloat)
      group.key->setAttr(QntDialect::kKeepFloatAttrName,
                         BoolAttr::get(ctx, true));

  auto isQuantizedOp = [&](Operation *op) {
    Operation *top = body.findAncestorOpInRegion(*op);
    if (!top)
      return false;
    auto it = groupOf.find(top);
    return it != groupOf.end() && !groups[it->second].keepFloat;
  };

  // Whether a consumer of `value`, looking through same-scale ops, is
  // quantized.
  auto hasQuantizedConsumer = [&](Value value) {
    SmallVector<Value> worklist = {value};
    DenseSet<Value> seen;
    while (!worklist.empty()) {
      Value current = worklist.pop_back_val();
      if (!seen.insert(current).second)
        continue;
      for (Operation *user : current.getUsers()) {
        if (user->getParentRegion() == &body && !groupOf.count(user) &&
            isSameScale(user)) {
          worklist.push_back(user->getResult(0));
          continue;
        }
        if (isQuantizedOp(user))
          return true;
      }
    }
    return false;
  };

  // Values to observe, in program order, with their names.
  struct Point {
    Value value;
    std::string name;
  };
  SmallVector<Point> points;
  DenseSet<Value> observed;
  auto fallbackName = [&](Operation *op) {
    return (getKind(op) + "_" + Twine(kindIndex.lookup(op))).str();
  };
  auto nameOfOp = [&](Operation *op) {
    if (std::optional<StringRef> name = getNodeName(op->getLoc()))
      return name->str();
    return fallbackName(op);
  };
  auto consider = [&](Value value, bool producerQuantized, std::string name) {
    if (!isFloatTensor(value.getType()) || hasQuantizationPointUser(value) ||
        observed.count(value))
      return;
    if (!producerQuantized && !hasQuantizedConsumer(value))
      return;
    observed.insert(value);
    points.push_back({value, std::move(name)});
  };

  // Model inputs.
  for (BlockArgument arg : body.front().getArguments()) {
    std::string name;
    if (auto onnxName =
            func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "onnx.name");
        onnxName && !onnxName.getValue().empty())
      name = onnxName.getValue().str();
    else
      name = ("arg" + Twine(arg.getArgNumber())).str();
    consider(arg, /*producerQuantized=*/false, name);
  }

  // Group outputs.
  for (Group &group : groups) {
    for (Value out : group.outputs) {
      // The last op of the group that has a node name.
      std::string name;
      for (Operation *member : llvm::reverse(group.ops))
        if (std::optional<StringRef> nodeName = getNodeName(member->getLoc())) {
          name = nodeName->str();
          break;
        }
      if (name.empty())
        name = fallbackName(group.key);
      if (group.outputs.size() > 1)
        name += ":" + std::to_string(cast<OpResult>(out).getResultNumber());
      consider(out, !group.keepFloat, name);
    }
  }

  // Inputs of quantized concats whose source has no observer.
  for (Group &group : groups) {
    auto concat = dyn_cast<tosa::ConcatOp>(group.key);
    if (!concat || group.keepFloat)
      continue;
    for (Value input : concat->getOperands()) {
      Value source = input;
      while (Operation *def = source.getDefiningOp()) {
        if (def->getParentRegion() != &body || groupOf.count(def) ||
            !isSameScale(def))
          break;
        source = def->getOperand(0);
      }
      if (isConstantValue(source) || observed.count(source) ||
          isQuantizationPoint(source.getDefiningOp()) ||
          hasQuantizationPointUser(source))
        continue;
      Operation *def = input.getDefiningOp();
      consider(input, /*producerQuantized=*/true,
               def ? nameOfOp(def)
                   : ("arg" + Twine(cast<BlockArgument>(input).getArgNumber()))
                         .str());
    }
  }

  // Names in use: existing observers first, then ours in program order.
  llvm::StringSet<> usedNames;
  func.walk([&](ObserveOp op) { usedNames.insert(op.getName()); });
  auto makeUnique = [&](StringRef name) {
    std::string unique = name.str();
    for (unsigned n = 2; usedNames.contains(unique); ++n)
      unique = (name + "#" + Twine(n)).str();
    usedNames.insert(unique);
    return unique;
  };

  OpBuilder builder(ctx);
  // Weight observers of quantized units.
  for (Group &group : groups) {
    if (group.kind != GroupKind::Unit || group.keepFloat ||
        group.key->getNumOperands() < 2)
      continue;
    Operation *anchor = group.key;
    Value weight = anchor->getOperand(1);
    auto type = dyn_cast<RankedTensorType>(weight.getType());
    if (!type || !isFloatTensor(type) || !isConstantValue(weight))
      continue;
    std::optional<int64_t> axis =
        perChannel ? getWeightAxis(anchor, type) : std::nullopt;
    auto scheme = SchemeAttr::get(
        ctx, weightScheme.getBits(), weightScheme.getIsSigned(),
        weightScheme.getSymmetric(), weightScheme.getNarrowRange(), axis);
    std::string name = nameOfOp(anchor) + ".weight";
    builder.setInsertionPoint(anchor);
    auto observer =
        ObserveOp::create(builder, weight.getLoc(), weight, ObserveRole::Weight,
                          makeUnique(name), scheme,
                          /*stats=*/nullptr);
    anchor->setOperand(1, observer.getResult());
  }

  // Activation observers, right after the definition; the arguments' ones at
  // the function entry, in argument order.
  Operation *lastArgObserver = nullptr;
  for (Point &point : points) {
    Value value = point.value;
    if (auto arg = dyn_cast<BlockArgument>(value)) {
      if (lastArgObserver && lastArgObserver->getBlock() == arg.getOwner())
        builder.setInsertionPointAfter(lastArgObserver);
      else
        builder.setInsertionPointToStart(arg.getOwner());
    } else {
      builder.setInsertionPointAfterValue(value);
    }
    auto observer = ObserveOp::create(builder, value.getLoc(), value,
                                      ObserveRole::Activation,
                                      makeUnique(point.name), activationScheme,
                                      /*stats=*/nullptr);
    value.replaceAllUsesExcept(observer.getResult(), observer);
    if (isa<BlockArgument>(value))
      lastArgObserver = observer;
  }
}
