//===- ONNXOpsShape.cpp - ONNX shape, constant and data movement ops ------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Concat, Flatten, Reshape, Transpose, Squeeze, Unsqueeze, Pad, Identity,
// Dropout and Constant.
//
// The reshaping ops need the logical order of their input (Importer::
// forReshape); Concat, Transpose and Pad remap their axes instead.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qnt/Dialect/Qnt/IR/Qnt.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "llvm/ADT/STLExtras.h"

#include <onnx/onnx_pb.h>

#include <cmath>

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::onnx_import;

/// Logical axis held at each physical position of an NHWC tensor.
static constexpr int64_t kNHWCToLogical[] = {0, 2, 3, 1};

static int64_t product(ArrayRef<int64_t> values) {
  int64_t result = 1;
  for (int64_t v : values)
    result *= v;
  return result;
}

//===----------------------------------------------------------------------===//
// Concat, Transpose, Pad
//===----------------------------------------------------------------------===//

static LogicalResult convertConcat(Importer &im) {
  SmallVector<Tensor> inputs;
  for (int i = 0, e = im.numInputs(); i < e; ++i) {
    FailureOr<Tensor> tensor = im.input(i);
    if (failed(tensor))
      return failure();
    inputs.push_back(*tensor);
  }
  if (inputs.empty())
    return im.nodeError() << "needs at least one input";
  int64_t rank = inputs.front().rank();
  FailureOr<int64_t> axis =
      normalizeAxis(im, im.attrInt("axis", 0), rank, "axis");
  if (failed(axis))
    return failure();
  SmallVector<int64_t> shape = inputs.front().logicalShape();
  shape[*axis] = 0;
  for (auto [index, tensor] : llvm::enumerate(inputs)) {
    SmallVector<int64_t> other = tensor.logicalShape();
    bool match = static_cast<int64_t>(other.size()) == rank;
    for (int64_t d = 0; match && d < rank; ++d)
      match = d == *axis || other[d] == shape[d];
    if (!match)
      return im.nodeError()
             << "input '" << im.inputName(index) << "' has shape "
             << shapeString(other) << ", which does not match input '"
             << im.inputName(0) << "' "
             << shapeString(inputs.front().logicalShape()) << " outside axis "
             << *axis;
    shape[*axis] += other[*axis];
  }
  // Stay in NHWC when any input already is.
  bool nhwc =
      rank == 4 && llvm::any_of(inputs, [](const Tensor &t) { return t.nhwc; });
  SmallVector<Value> values;
  for (Tensor &tensor : inputs)
    values.push_back(
        im.materialize(nhwc ? im.toNHWC(tensor) : im.toNCHW(tensor)));
  int64_t physical = nhwc ? nhwcPosition(*axis) : *axis;
  if (nhwc)
    shape = {shape[0], shape[2], shape[3], shape[1]};
  OpBuilder &b = im.builder();
  Value value = tosa::ConcatOp::create(b, im.loc(), im.f32Type(shape), values,
                                       b.getI32IntegerAttr(physical));
  im.setOutput(0, im.fromValue(value, nhwc));
  return success();
}

static LogicalResult convertTranspose(Importer &im) {
  FailureOr<Tensor> x = im.input(0);
  if (failed(x))
    return failure();
  int64_t rank = x->rank();
  SmallVector<int64_t> perm = im.attrInts("perm").value_or(
      llvm::to_vector(llvm::reverse(llvm::seq<int64_t>(0, rank))));
  SmallVector<int64_t> sorted = perm;
  llvm::sort(sorted);
  if (!llvm::equal(sorted, llvm::seq<int64_t>(0, rank)))
    return im.nodeError() << "attribute 'perm' " << shapeString(perm)
                          << " is not a permutation of the " << rank
                          << " dimensions";
  // On an NHWC-held input, compose with the layout: one transpose at most.
  SmallVector<int64_t> physical = perm;
  if (x->nhwc)
    for (int64_t &p : physical)
      p = nhwcPosition(p);
  im.setOutput(0, im.transpose(*x, physical));
  return success();
}

static LogicalResult convertPad(Importer &im) {
  FailureOr<Tensor> x = im.input(0);
  if (failed(x))
    return failure();
  std::string mode = im.attrString("mode", "constant");
  if (mode != "constant")
    return im.nodeError() << "unsupported attribute value mode = '" << mode
                          << "' (only 'constant')";
  int64_t rank = x->rank();
  SmallVector<int64_t> pads;
  float padValue = 0.0f;
  std::optional<SmallVector<int64_t>> axes;
  if (im.opset() < 11) {
    std::optional<SmallVector<int64_t>> attrPads = im.attrInts("pads");
    if (!attrPads)
      return im.nodeError() << "missing attribute 'pads'";
    pads = *attrPads;
    padValue = im.attrFloat("value", 0.0f);
  } else {
    FailureOr<std::optional<SmallVector<int64_t>>> inputPads =
        im.constIntsInput(1, "pads");
    if (failed(inputPads))
      return failure();
    if (!*inputPads)
      return im.nodeError() << "missing input 'pads'";
    pads = **inputPads;
    if (im.hasInput(2)) {
      FailureOr<ConstDataPtr> value = im.constInput(2, "constant_value");
      if (failed(value))
        return failure();
      if ((*value)->numElements() != 1)
        return im.nodeError() << "constant_value must be a scalar";
      padValue = static_cast<float>((*value)->at(0));
    }
    FailureOr<std::optional<SmallVector<int64_t>>> inputAxes =
        im.constIntsInput(3, "axes");
    if (failed(inputAxes))
      return failure();
    axes = *inputAxes;
  }

  SmallVector<int64_t> begin(rank, 0), end(rank, 0);
  SmallVector<int64_t> axisList =
      axes ? *axes : llvm::to_vector(llvm::seq<int64_t>(0, rank));
  if (pads.size() != 2 * axisList.size())
    return im.nodeError() << "'pads' has " << pads.size()
                          << " values; expected " << 2 * axisList.size();
  for (auto [index, axis] : llvm::enumerate(axisList)) {
    FailureOr<int64_t> normalized = normalizeAxis(im, axis, rank, "axis");
    if (failed(normalized))
      return failure();
    begin[*normalized] = pads[index];
    end[*normalized] = pads[index + axisList.size()];
  }
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return im.nodeError() << "negative 'pads' (cropping) are not supported";

  SmallVector<int64_t> padding;
  for (int64_t physical = 0; physical < rank; ++physical) {
    int64_t axis = x->nhwc ? kNHWCToLogical[physical] : physical;
    padding.push_back(begin[axis]);
    padding.push_back(end[axis]);
  }
  Value value = im.padConstant(*x, padding, padValue);
  im.setOutput(0, im.fromValue(value, x->nhwc));
  return success();
}

//===----------------------------------------------------------------------===//
// Reshaping ops (logical order)
//===----------------------------------------------------------------------===//

static void setReshaped(Importer &im, const Tensor &x,
                        ArrayRef<int64_t> shape) {
  im.setOutput(0, im.reshapeLogical(x, shape));
}

static LogicalResult convertFlatten(Importer &im) {
  FailureOr<Tensor> x = im.input(0);
  if (failed(x))
    return failure();
  int64_t rank = x->rank();
  int64_t axis = im.attrInt("axis", 1);
  if (axis < -rank || axis > rank)
    return im.nodeError() << "axis " << axis << " is out of range for rank "
                          << rank;
  if (axis < 0)
    axis += rank;
  SmallVector<int64_t> logical = x->logicalShape();
  ArrayRef<int64_t> dims = logical;
  setReshaped(im, *x,
              {product(dims.take_front(axis)), product(dims.drop_front(axis))});
  return success();
}

static LogicalResult convertReshape(Importer &im) {
  FailureOr<Tensor> x = im.input(0);
  if (failed(x))
    return failure();
  SmallVector<int64_t> requested;
  if (im.opset() < 5) {
    requested = im.attrInts("shape").value_or(SmallVector<int64_t>());
  } else {
    FailureOr<std::optional<SmallVector<int64_t>>> shape =
        im.constIntsInput(1, "shape");
    if (failed(shape))
      return failure();
    if (!*shape)
      return im.nodeError() << "missing input 'shape'";
    requested = **shape;
  }
  SmallVector<int64_t> logical = x->logicalShape();
  bool allowZero = im.attrInt("allowzero", 0) != 0;
  SmallVector<int64_t> shape;
  int64_t inferred = -1;
  for (auto [index, dim] : llvm::enumerate(requested)) {
    if (dim == 0 && !allowZero) {
      // 0 copies the input dimension.
      if (index >= logical.size())
        return im.nodeError()
               << "shape " << shapeString(requested) << " copies dimension "
               << index << " of an input of rank " << logical.size();
      shape.push_back(logical[index]);
    } else if (dim == -1) {
      if (inferred >= 0)
        return im.nodeError()
               << "shape " << shapeString(requested) << " has more than one -1";
      inferred = index;
      shape.push_back(1);
    } else if (dim < 0) {
      return im.nodeError() << "shape " << shapeString(requested)
                            << " has an invalid dimension " << dim;
    } else {
      shape.push_back(dim);
    }
  }
  int64_t total = product(logical), known = product(shape);
  if (inferred >= 0 && known != 0 && total % known == 0)
    shape[inferred] = total / known;
  if (product(shape) != total)
    return im.nodeError() << "cannot reshape input '" << im.inputName(0) << "' "
                          << shapeString(logical) << " (" << total
                          << " elements) to " << shapeString(requested);
  setReshaped(im, *x, shape);
  return success();
}

/// Squeeze/Unsqueeze axes: an attribute before opset 13, an input since.
static FailureOr<std::optional<SmallVector<int64_t>>> readAxes(Importer &im) {
  if (im.opset() < 13)
    return im.attrInts("axes");
  return im.constIntsInput(1, "axes");
}

static LogicalResult convertSqueeze(Importer &im) {
  FailureOr<Tensor> x = im.input(0);
  FailureOr<std::optional<SmallVector<int64_t>>> axes = failure();
  if (failed(x) || failed(axes = readAxes(im)))
    return failure();
  SmallVector<int64_t> logical = x->logicalShape();
  int64_t rank = logical.size();
  SmallVector<bool> drop(rank, false);
  if (!*axes) {
    for (int64_t d = 0; d < rank; ++d)
      drop[d] = logical[d] == 1;
  }
  for (int64_t axis : axes->value_or(SmallVector<int64_t>())) {
    FailureOr<int64_t> normalized = normalizeAxis(im, axis, rank, "axis");
    if (failed(normalized))
      return failure();
    if (logical[*normalized] != 1)
      return im.nodeError() << "cannot squeeze axis " << axis << " of size "
                            << logical[*normalized] << " (input shape "
                            << shapeString(logical) << ")";
    drop[*normalized] = true;
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d)
    if (!drop[d])
      shape.push_back(logical[d]);
  setReshaped(im, *x, shape);
  return success();
}

static LogicalResult convertUnsqueeze(Importer &im) {
  FailureOr<Tensor> x = im.input(0);
  FailureOr<std::optional<SmallVector<int64_t>>> axes = failure();
  if (failed(x) || failed(axes = readAxes(im)))
    return failure();
  if (!*axes)
    return im.nodeError() << "missing 'axes'";
  SmallVector<int64_t> logical = x->logicalShape();
  int64_t rank = logical.size() + (*axes)->size();
  SmallVector<bool> inserted(rank, false);
  for (int64_t axis : **axes) {
    FailureOr<int64_t> normalized = normalizeAxis(im, axis, rank, "axis");
    if (failed(normalized))
      return failure();
    if (inserted[*normalized])
      return im.nodeError() << "axis " << axis << " is repeated";
    inserted[*normalized] = true;
  }
  SmallVector<int64_t> shape;
  auto next = logical.begin();
  for (int64_t d = 0; d < rank; ++d)
    shape.push_back(inserted[d] ? 1 : *next++);
  setReshaped(im, *x, shape);
  return success();
}

//===----------------------------------------------------------------------===//
// Identity, Dropout, Constant
//===----------------------------------------------------------------------===//

static LogicalResult convertIdentity(Importer &im) {
  // Dropout is the identity at inference; its mask output stays undefined.
  FailureOr<Tensor> x = im.rawInput(0);
  if (failed(x))
    return failure();
  im.setOutput(0, *x);
  return success();
}

static LogicalResult convertConstant(Importer &im) {
  auto data = std::make_shared<ConstData>();
  data->dataType = onnx::TensorProto::FLOAT;
  if (const onnx::AttributeProto *value = im.attr("value")) {
    FailureOr<ConstDataPtr> tensor =
        readTensorProto(value->t(), im.loc(), "Constant value");
    if (failed(tensor))
      return failure();
    data = std::make_shared<ConstData>(**tensor);
  } else if (const onnx::AttributeProto *value = im.attr("value_float")) {
    data->floats = {value->f()};
  } else if (const onnx::AttributeProto *value = im.attr("value_floats")) {
    data->floats.assign(value->floats().begin(), value->floats().end());
    data->shape = {static_cast<int64_t>(data->floats.size())};
  } else if (const onnx::AttributeProto *value = im.attr("value_int")) {
    data->isFloat = false;
    data->dataType = onnx::TensorProto::INT64;
    data->ints = {value->i()};
  } else if (const onnx::AttributeProto *value = im.attr("value_ints")) {
    data->isFloat = false;
    data->dataType = onnx::TensorProto::INT64;
    data->ints.assign(value->ints().begin(), value->ints().end());
    data->shape = {static_cast<int64_t>(data->ints.size())};
  } else {
    return im.nodeError() << "unsupported Constant form (sparse_value, "
                             "value_string and value_strings are not "
                             "supported)";
  }
  Tensor tensor;
  tensor.data = data;
  tensor.shape = data->shape;
  tensor.constName = im.outputName(0).str();
  im.setOutput(0, tensor);
  return success();
}

//===----------------------------------------------------------------------===//
// Registration
//===----------------------------------------------------------------------===//

ArrayRef<OpConverter> mlir::qnt::onnx_import::getShapeConverters() {
  static const OpConverter converters[] = {
      {"Concat", convertConcat},       {"Constant", convertConstant},
      {"Dropout", convertIdentity},    {"Flatten", convertFlatten},
      {"Identity", convertIdentity},   {"Pad", convertPad},
      {"Reshape", convertReshape},     {"Squeeze", convertSqueeze},
      {"Transpose", convertTranspose}, {"Unsqueeze", convertUnsqueeze},
  };
  return converters;
}
