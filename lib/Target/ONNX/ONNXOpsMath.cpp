//===- ONNXOpsMath.cpp - ONNX activations and arithmetic ------------------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Relu, Clip, LeakyRelu, Sigmoid, Tanh, Add, Sub, Mul, Div, Softmax and
// ReduceMean. None of them cares about the layout: they run in the layout of
// their input and remap axes when they have some.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "llvm/ADT/STLExtras.h"

#include <limits>

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::onnx_import;

/// Physical axis of logical `axis`.
static int64_t physicalAxis(const Tensor &tensor, int64_t axis) {
  return tensor.nhwc ? nhwcPosition(axis) : axis;
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

static Tensor clamp(Importer &im, const Tensor &x, float lo, float hi) {
  OpBuilder &b = im.builder();
  Value value =
      tosa::ClampOp::create(b, im.loc(), im.f32Type(x.shape), im.materialize(x),
                            b.getF32FloatAttr(lo), b.getF32FloatAttr(hi));
  return im.fromValue(value, x.nhwc);
}

static LogicalResult convertRelu(Importer &im) {
  FailureOr<Tensor> x = im.input(0);
  if (failed(x))
    return failure();
  im.setOutput(0, clamp(im, *x, 0.0f, std::numeric_limits<float>::infinity()));
  return success();
}

static LogicalResult convertClip(Importer &im) {
  FailureOr<Tensor> x = im.input(0);
  if (failed(x))
    return failure();
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
  if (im.opset() < 11) {
    lo = im.attrFloat("min", lo);
    hi = im.attrFloat("max", hi);
  } else {
    // Since opset 11 the bounds are optional inputs; TOSA wants constants.
    for (auto [index, bound, what] :
         {std::tuple<int, float *, const char *>(1, &lo, "min"),
          {2, &hi, "max"}}) {
      if (!im.hasInput(index))
        continue;
      FailureOr<ConstDataPtr> data = im.constInput(index, what);
      if (failed(data))
        return failure();
      if ((*data)->numElements() != 1)
        return im.nodeError()
               << what << " '" << im.inputName(index) << "' must be a scalar";
      *bound = static_cast<float>((*data)->at(0));
    }
  }
  if (lo > hi)
    return im.nodeError() << "min " << lo << " is greater than max " << hi;
  im.setOutput(0, clamp(im, *x, lo, hi));
  return success();
}

static LogicalResult convertLeakyRelu(Importer &im) {
  FailureOr<Tensor> x = im.input(0);
  if (failed(x))
    return failure();
  float alpha = im.attrFloat("alpha", 0.01f);
  SmallVector<int64_t> ones(x->rank(), 1);
  OpBuilder &b = im.builder();
  Location loc = im.loc();
  // x >= 0 ? x : alpha * x, exact for any alpha.
  Value input = im.materialize(*x);
  Value positive = tosa::GreaterEqualOp::create(
      b, loc, RankedTensorType::get(x->shape, b.getI1Type()), input,
      im.materialize(im.constant(ones, {0.0f})));
  Value scaled = tosa::MulOp::create(b, loc, input.getType(), input,
                                     im.materialize(im.constant(ones, {alpha})),
                                     im.mulShift());
  Value value =
      tosa::SelectOp::create(b, loc, input.getType(), positive, input, scaled);
  im.setOutput(0, im.fromValue(value, x->nhwc));
  return success();
}

template <typename OpTy>
static LogicalResult convertUnary(Importer &im) {
  FailureOr<Tensor> x = im.input(0);
  if (failed(x))
    return failure();
  Value value = OpTy::create(im.builder(), im.loc(), im.f32Type(x->shape),
                             im.materialize(*x));
  im.setOutput(0, im.fromValue(value, x->nhwc));
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise binary
//===----------------------------------------------------------------------===//

static LogicalResult convertBinary(Importer &im) {
  FailureOr<Tensor> lhs = im.input(0), rhs = failure();
  if (failed(lhs) || failed(rhs = im.input(1)))
    return failure();
  FailureOr<Tensor> result =
      im.binary(im.opType(), std::move(*lhs), std::move(*rhs));
  if (failed(result))
    return failure();
  im.setOutput(0, *result);
  return success();
}

//===----------------------------------------------------------------------===//
// Softmax and reductions
//===----------------------------------------------------------------------===//

/// Reduces one physical axis, keeping it with size 1.
template <typename OpTy>
static Value reduce(Importer &im, Value input, int64_t axis) {
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[axis] = 1;
  return OpTy::create(im.builder(), im.loc(), im.f32Type(shape), input,
                      im.builder().getI32IntegerAttr(axis));
}

static LogicalResult convertSoftmax(Importer &im) {
  FailureOr<Tensor> x = im.input(0);
  if (failed(x))
    return failure();
  int64_t rank = x->rank();
  FailureOr<int64_t> axis = normalizeAxis(
      im, im.attrInt("axis", im.opset() < 13 ? 1 : -1), rank, "axis");
  if (failed(axis))
    return failure();

  Tensor input = *x;
  int64_t reduceAxis = physicalAxis(input, *axis);
  SmallVector<int64_t> restore;
  if (im.opset() < 13 && *axis != rank - 1) {
    // Before opset 13, Softmax works on the input coerced to 2-D at `axis`.
    restore = x->logicalShape();
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < rank; ++i)
      (i < *axis ? outer : inner) *= restore[i];
    input = im.reshapeLogical(*x, {outer, inner});
    reduceAxis = 1;
  }

  // exp(x - max(x)) / sum(exp(x - max(x))): the shift keeps exp finite.
  OpBuilder &b = im.builder();
  Location loc = im.loc();
  Value in = im.materialize(input);
  Type type = in.getType();
  Value max = reduce<tosa::ReduceMaxOp>(im, in, reduceAxis);
  Value shifted = tosa::SubOp::create(b, loc, type, in, max);
  Value exp = tosa::ExpOp::create(b, loc, type, shifted);
  Value sum = reduce<tosa::ReduceSumOp>(im, exp, reduceAxis);
  Value inverse = tosa::ReciprocalOp::create(b, loc, sum.getType(), sum);
  Value value = tosa::MulOp::create(b, loc, type, exp, inverse, im.mulShift());
  Tensor result = im.fromValue(value, input.nhwc);
  if (!restore.empty())
    result = im.reshape(result, restore);
  im.setOutput(0, result);
  return success();
}

static LogicalResult convertReduceMean(Importer &im) {
  FailureOr<Tensor> x = im.input(0);
  if (failed(x))
    return failure();
  int64_t rank = x->rank();
  std::optional<SmallVector<int64_t>> axesList;
  if (im.opset() < 18) {
    axesList = im.attrInts("axes");
  } else {
    FailureOr<std::optional<SmallVector<int64_t>>> axesInput =
        im.constIntsInput(1, "axes");
    if (failed(axesInput))
      return failure();
    axesList = *axesInput;
  }
  bool keepDims = im.attrInt("keepdims", 1) != 0;
  if (!axesList || axesList->empty()) {
    if (im.attrInt("noop_with_empty_axes", 0) != 0) {
      im.setOutput(0, *x);
      return success();
    }
    axesList = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  }
  SmallVector<bool> reduced(rank, false);
  for (int64_t axis : *axesList) {
    FailureOr<int64_t> normalized = normalizeAxis(im, axis, rank, "axis");
    if (failed(normalized))
      return failure();
    reduced[*normalized] = true;
  }

  Tensor input = *x;
  if (input.nhwc && !keepDims) {
    // Dropping dimensions keeps the NHWC order only if the kept logical axes
    // are still in logical order physically.
    SmallVector<int64_t> kept;
    for (int64_t physical = 0; physical < 4; ++physical) {
      static constexpr int64_t toLogical[] = {0, 2, 3, 1};
      if (!reduced[toLogical[physical]])
        kept.push_back(toLogical[physical]);
    }
    if (!llvm::is_sorted(kept))
      input = im.toNCHW(input);
  }

  SmallVector<int64_t> logical = x->logicalShape();
  int64_t count = 1;
  Value value = im.materialize(input);
  for (int64_t axis = 0; axis < rank; ++axis) {
    if (!reduced[axis])
      continue;
    count *= logical[axis];
    value = reduce<tosa::ReduceSumOp>(im, value, physicalAxis(input, axis));
  }
  Tensor sum = im.fromValue(value, input.nhwc);
  FailureOr<Tensor> mean = im.binary(
      "Mul", sum,
      im.constant(SmallVector<int64_t>(rank, 1), {1.0f / float(count)}));
  if (failed(mean))
    return failure();
  Tensor result = *mean;
  if (!keepDims) {
    SmallVector<int64_t> shape;
    for (int64_t physical = 0; physical < rank; ++physical) {
      int64_t axis = physical;
      if (input.nhwc) {
        static constexpr int64_t toLogical[] = {0, 2, 3, 1};
        axis = toLogical[physical];
      }
      if (!reduced[axis])
        shape.push_back(result.shape[physical]);
    }
    result = im.reshape(result, shape);
  }
  im.setOutput(0, result);
  return success();
}

//===----------------------------------------------------------------------===//
// Registration
//===----------------------------------------------------------------------===//

ArrayRef<OpConverter> mlir::qnt::onnx_import::getMathConverters() {
  static const OpConverter converters[] = {
      {"Add", convertBinary},
      {"Clip", convertClip},
      {"Div", convertBinary},
      {"LeakyRelu", convertLeakyRelu},
      {"Mul", convertBinary},
      {"ReduceMean", convertReduceMean},
      {"Relu", convertRelu},
      {"Sigmoid", convertUnary<tosa::SigmoidOp>},
      {"Softmax", convertSoftmax},
      {"Sub", convertBinary},
      {"Tanh", convertUnary<tosa::TanhOp>},
  };
  return converters;
}
