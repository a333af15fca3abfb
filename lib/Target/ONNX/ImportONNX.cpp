//===- ImportONNX.cpp - ONNX model importer -------------------------------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The importer's driver: parses the ModelProto, reads initializers, builds
// `func.func @main` from the graph inputs and outputs, walks the nodes in
// their (topological) order, and owns the constant and layout machinery the
// operator converters share. See Importer.h for the layout scheme.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qnt/Dialect/Qnt/IR/Qnt.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/SourceMgr.h"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <numeric>

using namespace mlir;
using namespace mlir::qnt;
using namespace mlir::qnt::onnx_import;

/// Constants with more elements than this are printed as resource blobs, so
/// that the imported module stays readable.
static constexpr int64_t kInlineConstantLimit = 64;

/// Opsets the converters follow (ai.onnx domain).
static constexpr int64_t kMinOpset = 7;
static constexpr int64_t kMaxOpset = 21;

//===----------------------------------------------------------------------===//
// ConstData and Tensor
//===----------------------------------------------------------------------===//

int64_t ConstData::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    if (llvm::MulOverflow(n, d, n))
      return -1;
  return n;
}

FailureOr<int64_t> mlir::qnt::onnx_import::normalizeAxis(Importer &im,
                                                         int64_t axis,
                                                         int64_t rank,
                                                         StringRef what) {
  if (axis < -rank || axis >= rank)
    return im.nodeError() << what << " " << axis << " is out of range for rank "
                          << rank;
  return axis < 0 ? axis + rank : axis;
}

int64_t mlir::qnt::onnx_import::nhwcPosition(int64_t axis) {
  static constexpr int64_t positions[] = {0, 3, 1, 2};
  return positions[axis];
}

SmallVector<int64_t> Tensor::logicalShape() const {
  if (!nhwc)
    return shape;
  return {shape[0], shape[3], shape[1], shape[2]};
}

std::string mlir::qnt::onnx_import::dataTypeName(int32_t dataType) {
  if (!onnx::TensorProto_DataType_IsValid(dataType))
    return ("data type " + Twine(dataType)).str();
  return onnx::TensorProto_DataType_Name(
      static_cast<onnx::TensorProto_DataType>(dataType));
}

std::string mlir::qnt::onnx_import::shapeString(ArrayRef<int64_t> shape) {
  std::string result = "[";
  llvm::raw_string_ostream os(result);
  llvm::interleave(shape, os, ",");
  os << "]";
  return result;
}

/// Reads the contents of a TensorProto. Floating-point data becomes float32,
/// integer and bool data int64.
FailureOr<ConstDataPtr>
mlir::qnt::onnx_import::readTensorProto(const onnx::TensorProto &proto,
                                        Location loc, StringRef what) {
  auto data = std::make_shared<ConstData>();
  for (int64_t dim : proto.dims()) {
    if (dim < 0)
      return emitError(loc) << what << " '" << proto.name()
                            << "' has a negative dimension " << dim;
    data->shape.push_back(dim);
  }
  // Initializers are held in memory: refuse shapes that cannot be.
  if (data->numElements() < 0 || data->numElements() > (int64_t(1) << 32))
    return emitError(loc) << what << " '" << proto.name()
                          << "' has an unsupported number of elements (shape "
                          << "overflows or exceeds 2^32 elements)";
  data->dataType = proto.data_type();
  if (proto.data_location() == onnx::TensorProto::EXTERNAL)
    return emitError(loc) << what << " '" << proto.name()
                          << "' keeps its data in an external file, which is "
                             "not supported";

  int64_t count = data->numElements();
  const std::string &raw = proto.raw_data();
  bool hasRaw = proto.has_raw_data();
  auto checkCount = [&](int64_t have) -> LogicalResult {
    if (have == count)
      return success();
    return emitError(loc) << what << " '" << proto.name() << "' has " << have
                          << " values but its shape "
                          << shapeString(data->shape) << " holds " << count;
  };
  // Copies `raw` as little-endian values of type T into `out`.
  auto readRaw = [&](auto tag, auto &out) -> LogicalResult {
    using T = decltype(tag);
    if (failed(checkCount(raw.size() / sizeof(T))) ||
        raw.size() % sizeof(T) != 0)
      return failure();
    out.resize(count);
    for (int64_t i = 0; i < count; ++i)
      out[i] = static_cast<std::remove_reference_t<decltype(out[0])>>(
          llvm::support::endian::read<T, llvm::endianness::little>(
              raw.data() + i * sizeof(T)));
    return success();
  };

  switch (proto.data_type()) {
  case onnx::TensorProto::FLOAT:
    if (hasRaw)
      return failed(readRaw(float(), data->floats))
                 ? FailureOr<ConstDataPtr>()
                 : FailureOr<ConstDataPtr>(data);
    if (failed(checkCount(proto.float_data_size())))
      return failure();
    data->floats.assign(proto.float_data().begin(), proto.float_data().end());
    return ConstDataPtr(data);
  case onnx::TensorProto::DOUBLE:
    if (hasRaw)
      return failed(readRaw(double(), data->floats))
                 ? FailureOr<ConstDataPtr>()
                 : FailureOr<ConstDataPtr>(data);
    if (failed(checkCount(proto.double_data_size())))
      return failure();
    data->floats.assign(proto.double_data().begin(), proto.double_data().end());
    return ConstDataPtr(data);
  default:
    break;
  }

  data->isFloat = false;
  LogicalResult status = success();
  switch (proto.data_type()) {
  case onnx::TensorProto::INT8:
    status = hasRaw ? readRaw(int8_t(), data->ints) : success();
    break;
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::BOOL:
    status = hasRaw ? readRaw(uint8_t(), data->ints) : success();
    break;
  case onnx::TensorProto::INT16:
    status = hasRaw ? readRaw(int16_t(), data->ints) : success();
    break;
  case onnx::TensorProto::UINT16:
    status = hasRaw ? readRaw(uint16_t(), data->ints) : success();
    break;
  case onnx::TensorProto::INT32:
    status = hasRaw ? readRaw(int32_t(), data->ints) : success();
    break;
  case onnx::TensorProto::INT64:
    if (hasRaw)
      status = readRaw(int64_t(), data->ints);
    else if (succeeded(status = checkCount(proto.int64_data_size())))
      data->ints.assign(proto.int64_data().begin(), proto.int64_data().end());
    return failed(status) ? FailureOr<ConstDataPtr>()
                          : FailureOr<ConstDataPtr>(data);
  default:
    return emitError(loc) << what << " '" << proto.name()
                          << "' has unsupported data type "
                          << dataTypeName(proto.data_type())
                          << " (supported: FLOAT, DOUBLE and integer types)";
  }
  if (failed(status))
    return failure();
  if (!hasRaw) {
    // The small integer types are stored widened in int32_data.
    if (failed(checkCount(proto.int32_data_size())))
      return failure();
    data->ints.assign(proto.int32_data().begin(), proto.int32_data().end());
  }
  return ConstDataPtr(data);
}

/// Transposes constant data: result dimension i is input dimension perms[i].
static ConstDataPtr transposeData(const ConstData &in,
                                  ArrayRef<int64_t> perms) {
  auto out = std::make_shared<ConstData>();
  out->dataType = in.dataType;
  out->isFloat = in.isFloat;
  int64_t rank = in.shape.size();
  SmallVector<int64_t> inStrides(rank, 1);
  for (int64_t i = rank - 2; i >= 0; --i)
    inStrides[i] = inStrides[i + 1] * in.shape[i + 1];
  for (int64_t p : perms)
    out->shape.push_back(in.shape[p]);
  int64_t count = in.numElements();
  out->floats.resize(in.isFloat ? count : 0);
  out->ints.resize(in.isFloat ? 0 : count);
  SmallVector<int64_t> index(rank, 0);
  for (int64_t o = 0; o < count; ++o) {
    int64_t offset = 0;
    for (int64_t i = 0; i < rank; ++i)
      offset += index[i] * inStrides[perms[i]];
    if (in.isFloat)
      out->floats[o] = in.floats[offset];
    else
      out->ints[o] = in.ints[offset];
    // Advance the output index in row-major order.
    for (int64_t i = rank - 1; i >= 0; --i) {
      if (++index[i] < out->shape[i])
        break;
      index[i] = 0;
    }
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Importer: node context
//===----------------------------------------------------------------------===//

Importer::Importer(MLIRContext *context, const onnx::ModelProto &model,
                   StringRef bufferName, const ONNXImportOptions &options)
    : context(context), model(model), bufferName(bufferName.str()),
      options(options), b(context), nodeLoc(UnknownLoc::get(context)) {}

InFlightDiagnostic Importer::nodeError() {
  InFlightDiagnostic diag = emitError(nodeLoc);
  if (node)
    diag << node->op_type() << " node '"
         << (node->name().empty() ? StringRef("<unnamed>")
                                  : StringRef(node->name()))
         << "': ";
  return diag;
}

const onnx::AttributeProto *Importer::attr(StringRef name) const {
  for (const onnx::AttributeProto &attribute : node->attribute())
    if (attribute.name() == name)
      return &attribute;
  return nullptr;
}

int64_t Importer::attrInt(StringRef name, int64_t defaultValue) const {
  const onnx::AttributeProto *attribute = attr(name);
  return attribute ? attribute->i() : defaultValue;
}

float Importer::attrFloat(StringRef name, float defaultValue) const {
  const onnx::AttributeProto *attribute = attr(name);
  return attribute ? attribute->f() : defaultValue;
}

std::string Importer::attrString(StringRef name, StringRef defaultValue) const {
  const onnx::AttributeProto *attribute = attr(name);
  return attribute ? attribute->s() : defaultValue.str();
}

std::optional<SmallVector<int64_t>> Importer::attrInts(StringRef name) const {
  const onnx::AttributeProto *attribute = attr(name);
  if (!attribute)
    return std::nullopt;
  return SmallVector<int64_t>(attribute->ints().begin(),
                              attribute->ints().end());
}

bool Importer::hasInput(int index) const {
  if (inputOverrides)
    return index < (int)inputOverrides->size() &&
           (*inputOverrides)[index].second.has_value();
  return index < node->input_size() && !node->input(index).empty();
}

StringRef Importer::inputName(int index) const {
  if (inputOverrides) {
    int original = (*inputOverrides)[index].first;
    return original >= 0 && original < node->input_size()
               ? StringRef(node->input(original))
               : StringRef();
  }
  return index < node->input_size() ? StringRef(node->input(index))
                                    : StringRef();
}

int Importer::numInputs() const {
  return inputOverrides ? inputOverrides->size() : node->input_size();
}

StringRef Importer::opType() const { return node->op_type(); }

int Importer::numOutputs() const { return node->output_size(); }

StringRef Importer::outputName(int index) const { return node->output(index); }

StringRef Importer::nodeName() const {
  if (!node->name().empty())
    return node->name();
  // Unnamed nodes are known by their first output, if they have one.
  return node->output_size() ? StringRef(node->output(0))
                             : StringRef(node->op_type());
}

FailureOr<Tensor> Importer::rawInput(int index) {
  if (!hasInput(index))
    return nodeError() << "missing input " << index;
  if (inputOverrides)
    return *(*inputOverrides)[index].second;
  auto it = tensors.find(node->input(index));
  if (it == tensors.end())
    return nodeError() << "input " << index << " '" << node->input(index)
                       << "' is not defined: no graph input, initializer or "
                          "earlier node output has this name";
  return it->second;
}

FailureOr<Tensor> Importer::input(int index) {
  FailureOr<Tensor> tensor = rawInput(index);
  if (failed(tensor))
    return failure();
  if (tensor->quant || tensor->intType)
    return nodeError() << "input '" << inputName(index) << "' holds "
                       << dataTypeName(tensor->quant
                                           ? tensor->quant->storageType
                                           : tensor->intType)
                       << " integers"
                       << (tensor->quant ? " (the output of node '" +
                                               tensor->quant->nodeName + "')"
                                         : std::string())
                       << "; only DequantizeLinear, QLinearConv, "
                          "QLinearMatMul, ConvInteger, MatMulInteger and "
                          "graph outputs read integer tensors";
  if (tensor->data && !tensor->data->isFloat)
    return nodeError() << "input '" << inputName(index)
                       << "' has unsupported data type "
                       << dataTypeName(tensor->data->dataType)
                       << " for a data operand (only FLOAT)";
  return tensor;
}

FailureOr<ConstDataPtr> Importer::constInput(int index, StringRef what) {
  FailureOr<Tensor> tensor = rawInput(index);
  if (failed(tensor))
    return failure();
  if (!tensor->data)
    return nodeError() << "input '" << inputName(index) << "' (" << what
                       << ") must be a constant (an initializer or a "
                          "Constant node)";
  return tensor->data;
}

FailureOr<std::optional<SmallVector<int64_t>>>
Importer::constIntsInput(int index, StringRef what) {
  if (!hasInput(index))
    return std::optional<SmallVector<int64_t>>();
  FailureOr<ConstDataPtr> data = constInput(index, what);
  if (failed(data))
    return failure();
  SmallVector<int64_t> values;
  // Integer data directly: going through double would round above 2^53.
  if (!(*data)->isFloat)
    values.assign((*data)->ints.begin(), (*data)->ints.end());
  else
    for (int64_t i = 0, e = (*data)->numElements(); i < e; ++i)
      values.push_back(static_cast<int64_t>((*data)->at(i)));
  return std::optional<SmallVector<int64_t>>(std::move(values));
}

void Importer::setOutput(int index, Tensor tensor) {
  if (inputOverrides) {
    if (index == 0)
      overrideOutput = std::move(tensor);
    return;
  }
  if (index < node->output_size() && !node->output(index).empty())
    tensors[node->output(index)] = std::move(tensor);
}

FailureOr<Tensor>
Importer::convertAs(StringRef opType,
                    ArrayRef<std::pair<int, std::optional<Tensor>>> inputs) {
  inputOverrides.emplace(inputs.begin(), inputs.end());
  overrideOutput.reset();
  LogicalResult converted = dispatch(opType);
  inputOverrides.reset();
  if (failed(converted))
    return failure();
  assert(overrideOutput && "the converter set no output");
  return *overrideOutput;
}

//===----------------------------------------------------------------------===//
// Importer: constants and layout
//===----------------------------------------------------------------------===//

RankedTensorType Importer::f32Type(ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, b.getF32Type());
}

void Importer::setConstantInsertionPoint() {
  // Constants go to the top of the body, in creation order, so that they
  // dominate every use.
  if (lastConstant)
    b.setInsertionPointAfter(lastConstant);
  else
    b.setInsertionPointToStart(b.getInsertionBlock());
}

/// Blob names are printed as identifiers; keep the ONNX name readable.
static std::string blobName(StringRef name) {
  std::string result;
  for (char c : name)
    result.push_back(llvm::isAlnum(c) || c == '_' || c == '.' ? c : '_');
  if (result.empty() || llvm::isDigit(result.front()))
    result.insert(0, "onnx_");
  return result;
}

Value Importer::materialize(const Tensor &tensor) {
  if (tensor.value)
    return tensor.value;
  assert(tensor.data && tensor.data->isFloat && "not a float constant");
  const ConstData *data = tensor.data.get();
  if (Value cached = constCache.lookup(data))
    return cached;
  RankedTensorType type = f32Type(tensor.shape);
  ArrayRef<float> values = data->floats;
  ElementsAttr attr;
  if (data->numElements() > kInlineConstantLimit)
    attr = DenseResourceElementsAttr::get(
        type,
        blobName(tensor.constName.empty() ? "onnx_const" : tensor.constName),
        HeapAsmResourceBlob::allocateAndCopyInferAlign(values));
  else
    attr = DenseElementsAttr::get(type, values);
  OpBuilder::InsertionGuard guard(b);
  setConstantInsertionPoint();
  auto op = tosa::ConstOp::create(b, nodeLoc, type, attr);
  lastConstant = op;
  // The cache is keyed by address: keep the data alive so that the address
  // is never reused by another constant.
  constCache[data] = op;
  liveConstants.push_back(tensor.data);
  return op;
}

Tensor Importer::constant(ArrayRef<int64_t> shape, std::vector<float> values,
                          StringRef name) {
  auto data = std::make_shared<ConstData>();
  data->shape.assign(shape.begin(), shape.end());
  data->dataType = onnx::TensorProto::FLOAT;
  data->floats = std::move(values);
  Tensor tensor;
  tensor.data = data;
  tensor.shape.assign(shape.begin(), shape.end());
  tensor.constName = name.str();
  return tensor;
}

Value Importer::splat(ArrayRef<int64_t> shape, float value) {
  OpBuilder::InsertionGuard guard(b);
  setConstantInsertionPoint();
  RankedTensorType type = f32Type(shape);
  auto op = tosa::ConstOp::create(b, nodeLoc, type,
                                  DenseElementsAttr::get(type, value));
  lastConstant = op;
  return op;
}

Value Importer::padConstant(const Tensor &tensor, ArrayRef<int64_t> padding,
                            float value) {
  Value result = materialize(tensor);
  SmallVector<int64_t> shape = tensor.shape;
  int64_t rank = shape.size();
  if (rank <= 3) {
    for (int64_t i = 0; i < rank; ++i)
      shape[i] += padding[2 * i] + padding[2 * i + 1];
    return tosa::PadOp::create(b, nodeLoc, f32Type(shape), result,
                               shapeConstant(padding),
                               materialize(constant({1}, {value})));
  }
  // TOSA level 8K caps !tosa.shape ranks at 6, so the validation in
  // --tosa-to-linalg-pipeline rejects tosa.pad (whose padding is a
  // !tosa.shape<2 * rank>) beyond rank 3. Concatenate splats instead.
  for (int64_t axis = 0; axis < rank; ++axis) {
    int64_t before = padding[2 * axis], after = padding[2 * axis + 1];
    if (before == 0 && after == 0)
      continue;
    SmallVector<Value> parts;
    SmallVector<int64_t> block = shape;
    if (before > 0) {
      block[axis] = before;
      parts.push_back(splat(block, value));
    }
    parts.push_back(result);
    if (after > 0) {
      block[axis] = after;
      parts.push_back(splat(block, value));
    }
    shape[axis] += before + after;
    result = tosa::ConcatOp::create(b, nodeLoc, f32Type(shape), parts,
                                    b.getI32IntegerAttr(axis));
  }
  return result;
}

Value Importer::zeroPoint() {
  if (!zeroPointValue) {
    Tensor zero = constant({1}, {0.0f});
    zeroPointValue = materialize(zero);
  }
  return zeroPointValue;
}

Value Importer::mulShift() {
  if (!mulShiftValue) {
    OpBuilder::InsertionGuard guard(b);
    setConstantInsertionPoint();
    auto type = RankedTensorType::get({1}, b.getI8Type());
    auto op = tosa::ConstOp::create(b, nodeLoc, type,
                                    DenseElementsAttr::get(type, int8_t(0)));
    lastConstant = op;
    mulShiftValue = op;
  }
  return mulShiftValue;
}

Value Importer::shapeConstant(ArrayRef<int64_t> values) {
  auto attrType =
      RankedTensorType::get({(int64_t)values.size()}, b.getIndexType());
  return tosa::ConstShapeOp::create(
      b, nodeLoc, tosa::shapeType::get(context, values.size()),
      DenseIntElementsAttr::get(attrType, values));
}

Tensor Importer::fromValue(Value value, bool nhwc) {
  Tensor tensor;
  tensor.value = value;
  auto type = cast<RankedTensorType>(value.getType());
  tensor.shape.assign(type.getShape().begin(), type.getShape().end());
  tensor.nhwc = nhwc;
  return tensor;
}

Tensor Importer::fakeQuantize(const Tensor &tensor, quant::QuantizedType type) {
  Value value = FakeQuantOp::create(b, nodeLoc, f32Type(tensor.shape),
                                    materialize(tensor), TypeAttr::get(type));
  Tensor result = fromValue(value, tensor.nhwc);
  if (!tensor.value && tensor.data)
    result.fakeQuant =
        std::make_shared<FakeQuantConst>(FakeQuantConst{tensor.data, type});
  return result;
}

/// `type` with its quantized dimension moved to `axis`.
static quant::QuantizedType withAxis(quant::QuantizedType type, int64_t axis) {
  auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(type);
  if (!perAxis)
    return type;
  return quant::UniformQuantizedPerAxisType::get(
      perAxis.getFlags(), perAxis.getStorageType(), perAxis.getExpressedType(),
      perAxis.getScales(), perAxis.getZeroPoints(), axis,
      perAxis.getStorageTypeMin(), perAxis.getStorageTypeMax());
}

/// The quantized dimension of `type`, -1 per tensor.
static int64_t quantizedAxis(quant::QuantizedType type) {
  auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(type);
  return perAxis ? perAxis.getQuantizedDimension() : -1;
}

Tensor Importer::transpose(const Tensor &tensor, ArrayRef<int64_t> perms) {
  if (llvm::equal(perms, llvm::seq<int64_t>(0, perms.size()))) {
    Tensor result = tensor;
    result.nhwc = false;
    return result;
  }
  if (tensor.fakeQuant) {
    // Transpose the constant; the quantized dimension moves with it.
    Tensor data;
    data.data = transposeData(*tensor.fakeQuant->data, perms);
    data.shape = data.data->shape;
    data.constName = tensor.constName;
    int64_t axis = quantizedAxis(tensor.fakeQuant->type);
    int64_t moved = axis < 0 ? -1 : llvm::find(perms, axis) - perms.begin();
    Tensor result = fakeQuantize(data, withAxis(tensor.fakeQuant->type, moved));
    result.nhwc = false;
    return result;
  }
  if (!tensor.value && tensor.data) {
    Tensor result;
    result.data = transposeData(*tensor.data, perms);
    result.shape = result.data->shape;
    result.constName = tensor.constName;
    return result;
  }
  SmallVector<int64_t> shape;
  for (int64_t p : perms)
    shape.push_back(tensor.shape[p]);
  SmallVector<int32_t> perms32(perms.begin(), perms.end());
  Value value =
      tosa::TransposeOp::create(b, nodeLoc, f32Type(shape), materialize(tensor),
                                b.getDenseI32ArrayAttr(perms32));
  return fromValue(value);
}

Tensor Importer::reshape(const Tensor &tensor, ArrayRef<int64_t> shape) {
  if (llvm::equal(tensor.shape, shape)) {
    Tensor result = tensor;
    result.nhwc = false;
    return result;
  }
  if (tensor.fakeQuant) {
    // Reshape the constant when the quantized dimension survives whole:
    // same size, same number of elements before it.
    int64_t axis = quantizedAxis(tensor.fakeQuant->type);
    int64_t moved = -1;
    if (axis >= 0) {
      int64_t before = 1, newBefore = 1;
      for (int64_t d = 0; d < axis; ++d)
        before *= tensor.shape[d];
      for (int64_t d = 0, e = shape.size(); d < e; newBefore *= shape[d++])
        if (newBefore == before && shape[d] == tensor.shape[axis]) {
          moved = d;
          break;
        }
    }
    if (axis < 0 || moved >= 0) {
      auto data = std::make_shared<ConstData>(*tensor.fakeQuant->data);
      data->shape.assign(shape.begin(), shape.end());
      Tensor constant;
      constant.data = data;
      constant.shape = data->shape;
      constant.constName = tensor.constName;
      return fakeQuantize(constant, withAxis(tensor.fakeQuant->type, moved));
    }
  }
  if (!tensor.value && tensor.data) {
    auto data = std::make_shared<ConstData>(*tensor.data);
    data->shape.assign(shape.begin(), shape.end());
    Tensor result;
    result.data = data;
    result.shape = data->shape;
    result.constName = tensor.constName;
    return result;
  }
  Value value = tosa::ReshapeOp::create(
      b, nodeLoc, f32Type(shape), materialize(tensor), shapeConstant(shape));
  return fromValue(value);
}

Tensor Importer::toNHWC(const Tensor &tensor) {
  assert(tensor.rank() == 4 && "NHWC needs a 4-D tensor");
  if (tensor.nhwc)
    return tensor;
  if (tensor.value)
    if (Value cached = nhwcCache.lookup(tensor.value))
      return fromValue(cached, /*nhwc=*/true);
  // A weight shared by several convolutions is permuted once.
  if (!tensor.value && tensor.data)
    if (ConstDataPtr cached = nhwcConstCache.lookup(tensor.data.get())) {
      Tensor result = tensor;
      result.data = cached;
      result.shape = cached->shape;
      result.nhwc = true;
      return result;
    }
  Tensor result = transpose(tensor, {0, 2, 3, 1});
  result.nhwc = true;
  if (!tensor.value && tensor.data) {
    nhwcConstCache[tensor.data.get()] = result.data;
    liveConstants.push_back(tensor.data);
  }
  if (tensor.value) {
    nhwcCache[tensor.value] = result.value;
    nchwCache[result.value] = tensor.value;
  }
  return result;
}

Tensor Importer::toNCHW(const Tensor &tensor) {
  if (!tensor.nhwc)
    return tensor;
  if (tensor.value)
    if (Value cached = nchwCache.lookup(tensor.value))
      return fromValue(cached);
  Tensor result = transpose(tensor, {0, 3, 1, 2});
  if (tensor.value) {
    nchwCache[tensor.value] = result.value;
    nhwcCache[result.value] = tensor.value;
  }
  return result;
}

/// True when the row-major order of an NHWC-held tensor is its logical
/// order: only unit dimensions move between the two layouts (e.g. [N,C,1,1]
/// held as [N,1,1,C]).
static bool keepsLogicalOrder(const Tensor &tensor) {
  if (!tensor.nhwc)
    return true;
  SmallVector<int64_t> logical = tensor.logicalShape();
  SmallVector<int64_t> logicalOrder, physicalOrder;
  for (int64_t axis = 0; axis < 4; ++axis)
    if (logical[axis] != 1)
      logicalOrder.push_back(axis);
  static constexpr int64_t physicalToLogical[] = {0, 2, 3, 1};
  for (int64_t axis : physicalToLogical)
    if (logical[axis] != 1)
      physicalOrder.push_back(axis);
  return logicalOrder == physicalOrder;
}

Tensor Importer::forReshape(const Tensor &tensor) {
  if (!tensor.nhwc)
    return tensor;
  if (keepsLogicalOrder(tensor))
    return reshape(tensor, tensor.logicalShape());
  return toNCHW(tensor);
}

Tensor Importer::reshapeLogical(const Tensor &tensor, ArrayRef<int64_t> shape) {
  if (keepsLogicalOrder(tensor))
    return reshape(tensor, shape);
  return reshape(toNCHW(tensor), shape);
}

LogicalResult Importer::broadcast(Tensor &lhs, Tensor &rhs,
                                  SmallVector<int64_t> &resultShape,
                                  bool &resultNHWC) {
  SmallVector<int64_t> lhsShape = lhs.logicalShape();
  SmallVector<int64_t> rhsShape = rhs.logicalShape();
  int64_t rank = std::max(lhsShape.size(), rhsShape.size());
  // Numpy broadcasting aligns trailing dimensions.
  lhsShape.insert(lhsShape.begin(), rank - lhsShape.size(), 1);
  rhsShape.insert(rhsShape.begin(), rank - rhsShape.size(), 1);
  SmallVector<int64_t> logical;
  for (auto [l, r] : llvm::zip(lhsShape, rhsShape)) {
    if (l != r && l != 1 && r != 1)
      return nodeError() << "operand shapes " << shapeString(lhs.logicalShape())
                         << " and " << shapeString(rhs.logicalShape())
                         << " do not broadcast";
    logical.push_back(l == 1 ? r : l);
  }
  resultNHWC = rank == 4 && (lhs.nhwc || rhs.nhwc);
  for (auto [tensor, shape] :
       {std::pair<Tensor *, SmallVector<int64_t> *>(&lhs, &lhsShape),
        {&rhs, &rhsShape}}) {
    if (resultNHWC) {
      // A constant channel vector [C,1,1] becomes [1,1,1,C] here.
      if (!tensor->nhwc)
        *tensor = toNHWC(reshape(*tensor, *shape));
      continue;
    }
    *tensor = reshape(toNCHW(*tensor), *shape);
  }
  resultShape = logical;
  if (resultNHWC)
    resultShape = {logical[0], logical[2], logical[3], logical[1]};
  return success();
}

FailureOr<Tensor> Importer::binary(StringRef opType, Tensor lhs, Tensor rhs) {
  SmallVector<int64_t> shape;
  bool nhwc;
  if (failed(broadcast(lhs, rhs, shape, nhwc)))
    return failure();
  RankedTensorType type = f32Type(shape);
  Value l = materialize(lhs), r = materialize(rhs);
  Value result;
  if (opType == "Add")
    result = tosa::AddOp::create(b, nodeLoc, type, l, r);
  else if (opType == "Sub")
    result = tosa::SubOp::create(b, nodeLoc, type, l, r);
  else if (opType == "Mul")
    result = tosa::MulOp::create(b, nodeLoc, type, l, r, mulShift());
  else if (opType == "Div") {
    // TOSA has no float division: multiply by the reciprocal.
    Value reciprocal = tosa::ReciprocalOp::create(b, nodeLoc, r.getType(), r);
    result = tosa::MulOp::create(b, nodeLoc, type, l, reciprocal, mulShift());
  } else {
    llvm_unreachable("unknown binary op");
  }
  return fromValue(result, nhwc);
}

//===----------------------------------------------------------------------===//
// Importer: driver
//===----------------------------------------------------------------------===//

static constexpr int kNumFamilies = 4;

static ArrayRef<OpConverter> getConverterFamily(int family) {
  switch (family) {
  case 0:
    return getNNConverters();
  case 1:
    return getMathConverters();
  case 2:
    return getShapeConverters();
  default:
    return getQuantConverters();
  }
}

std::string Importer::supportedOps() {
  SmallVector<StringRef> names;
  for (int family = 0; family < kNumFamilies; ++family)
    for (const OpConverter &converter : getConverterFamily(family))
      names.push_back(converter.opType);
  llvm::sort(names);
  return llvm::join(names, ", ");
}

LogicalResult Importer::dispatch(StringRef opType) {
  for (int family = 0; family < kNumFamilies; ++family)
    for (const OpConverter &converter : getConverterFamily(family))
      if (opType == converter.opType)
        return converter.convert(*this);
  return nodeError() << "unsupported operator '" << opType
                     << "'; supported operators: " << supportedOps();
}

LogicalResult Importer::importNode(const onnx::NodeProto &proto) {
  node = &proto;
  // Unnamed nodes are located by their first output, the name users see in
  // tools like Netron.
  StringRef name = proto.name();
  if (name.empty() && proto.output_size() > 0)
    name = proto.output(0);
  if (name.empty())
    name = proto.op_type();
  nodeLoc = NameLoc::get(b.getStringAttr(name));
  if (!proto.domain().empty() && proto.domain() != "ai.onnx")
    return nodeError() << "unsupported operator '" << proto.op_type()
                       << "' of domain '" << proto.domain()
                       << "'; supported operators (domain ai.onnx): "
                       << supportedOps();
  return dispatch(proto.op_type());
}

LogicalResult Importer::importInitializers() {
  Location loc = NameLoc::get(b.getStringAttr(bufferName));
  const onnx::GraphProto &graph = model.graph();
  if (graph.sparse_initializer_size() > 0)
    return emitError(loc) << "sparse initializer '"
                          << graph.sparse_initializer(0).values().name()
                          << "' is not supported";
  for (const onnx::TensorProto &proto : graph.initializer()) {
    FailureOr<ConstDataPtr> data = readTensorProto(
        proto, NameLoc::get(b.getStringAttr(proto.name())), "initializer");
    if (failed(data))
      return failure();
    Tensor tensor;
    tensor.data = *data;
    tensor.shape = (*data)->shape;
    tensor.constName = proto.name();
    tensors[proto.name()] = std::move(tensor);
  }
  return success();
}

/// Reads the static shape of a graph input; the leading dimension may be
/// symbolic and takes the batch size. `dataType` is its ONNX element type:
/// FLOAT, or the integers quantized models take (UINT8, INT8, INT32).
static FailureOr<SmallVector<int64_t>>
readInputShape(const onnx::ValueInfoProto &info, int64_t batchSize,
               Location loc, int32_t &dataType) {
  const onnx::TypeProto &type = info.type();
  if (!type.has_tensor_type())
    return emitError(loc) << "graph input '" << info.name()
                          << "' is not a tensor (sequences, maps and optionals "
                             "are not supported)";
  const onnx::TypeProto::Tensor &tensorType = type.tensor_type();
  dataType = tensorType.elem_type();
  if (dataType != onnx::TensorProto::FLOAT &&
      dataType != onnx::TensorProto::UINT8 &&
      dataType != onnx::TensorProto::INT8 &&
      dataType != onnx::TensorProto::INT32)
    return emitError(loc) << "graph input '" << info.name()
                          << "' has unsupported data type "
                          << dataTypeName(dataType)
                          << " (supported: FLOAT, and UINT8, INT8, INT32 for "
                             "quantized operators)";
  if (!tensorType.has_shape())
    return emitError(loc) << "graph input '" << info.name()
                          << "' has no shape; static shapes are required";
  SmallVector<int64_t> shape;
  for (auto [index, dim] : llvm::enumerate(tensorType.shape().dim())) {
    if (dim.has_dim_value() && dim.dim_value() > 0) {
      shape.push_back(dim.dim_value());
      continue;
    }
    if (index == 0) {
      shape.push_back(batchSize);
      continue;
    }
    return emitError(loc) << "graph input '" << info.name() << "' dimension "
                          << index << " ('" << dim.dim_param()
                          << "') is not static; only the leading (batch) "
                             "dimension may be symbolic";
  }
  return shape;
}

OwningOpRef<ModuleOp> Importer::run() {
  const onnx::GraphProto &graph = model.graph();
  Location fileLoc = NameLoc::get(b.getStringAttr(bufferName));

  for (const onnx::OperatorSetIdProto &opset : model.opset_import())
    if (opset.domain().empty() || opset.domain() == "ai.onnx")
      opsetVersion = opset.version();
  if (opsetVersion < kMinOpset || opsetVersion > kMaxOpset) {
    emitError(fileLoc) << "ONNX opset " << opsetVersion
                       << " is not supported (supported: " << kMinOpset
                       << " to " << kMaxOpset << ")";
    return nullptr;
  }

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  module->getOperation()->setAttr("onnx.opset_version",
                                  b.getI64IntegerAttr(opsetVersion));
  if (!model.producer_name().empty())
    module->getOperation()->setAttr(
        "onnx.producer",
        b.getStringAttr(model.producer_name() +
                        (model.producer_version().empty()
                             ? ""
                             : " " + model.producer_version())));
  b.setInsertionPointToEnd(module->getBody());

  if (failed(importInitializers()))
    return nullptr;

  // Graph inputs that are also initializers are constants with a default
  // (IR version < 4 lists every initializer as an input).
  SmallVector<const onnx::ValueInfoProto *> inputs;
  SmallVector<Type> argTypes;
  SmallVector<int32_t> argDataTypes;
  SmallVector<Location> argLocs;
  for (const onnx::ValueInfoProto &info : graph.input()) {
    if (tensors.count(info.name()))
      continue;
    Location loc = NameLoc::get(b.getStringAttr(info.name()));
    int32_t dataType;
    FailureOr<SmallVector<int64_t>> shape =
        readInputShape(info, options.batchSize, loc, dataType);
    if (failed(shape))
      return nullptr;
    inputs.push_back(&info);
    argDataTypes.push_back(dataType);
    argTypes.push_back(
        dataType == onnx::TensorProto::FLOAT
            ? Type(f32Type(*shape))
            : RankedTensorType::get(
                  *shape, b.getIntegerType(
                              dataType == onnx::TensorProto::INT32 ? 32 : 8)));
    argLocs.push_back(loc);
  }

  auto func =
      func::FuncOp::create(b, fileLoc, "main", b.getFunctionType(argTypes, {}));
  Block *body = func.addEntryBlock();
  for (auto [index, info] : llvm::enumerate(inputs)) {
    BlockArgument arg = body->getArgument(index);
    arg.setLoc(argLocs[index]);
    func.setArgAttr(index, "onnx.name", b.getStringAttr(info->name()));
    Tensor tensor = fromValue(arg);
    if (argDataTypes[index] != onnx::TensorProto::FLOAT)
      tensor.intType = argDataTypes[index];
    tensors[info->name()] = tensor;
  }
  b.setInsertionPointToEnd(body);

  for (const onnx::NodeProto &proto : graph.node())
    if (failed(importNode(proto)))
      return nullptr;

  node = nullptr;
  nodeLoc = fileLoc;
  SmallVector<Value> results;
  SmallVector<int32_t> resultDataTypes;
  for (const onnx::ValueInfoProto &info : graph.output()) {
    nodeLoc = NameLoc::get(b.getStringAttr(info.name()));
    auto it = tensors.find(info.name());
    if (it == tensors.end()) {
      emitError(nodeLoc) << "graph output '" << info.name()
                         << "' is not produced by any node";
      return nullptr;
    }
    Tensor output = it->second;
    if (output.quant) {
      int32_t type = output.quant->storageType;
      if (type != onnx::TensorProto::UINT8 && type != onnx::TensorProto::INT8 &&
          type != onnx::TensorProto::INT32) {
        emitError(nodeLoc) << "graph output '" << info.name() << "' holds "
                           << dataTypeName(type)
                           << " integers; integer graph outputs must be "
                              "UINT8, INT8 or INT32";
        return nullptr;
      }
      output = quantizedStorage(output);
    }
    if (output.intType) {
      // Unsigned storage is returned as its bit pattern in signless i8;
      // qnt.signature tells quant-run to write uint8.
      results.push_back(output.value);
      resultDataTypes.push_back(output.intType);
      continue;
    }
    if (output.data && !output.data->isFloat) {
      emitError(nodeLoc) << "graph output '" << info.name()
                         << "' has unsupported data type "
                         << dataTypeName(it->second.data->dataType)
                         << " (only FLOAT)";
      return nullptr;
    }
    results.push_back(materialize(toNCHW(output)));
    resultDataTypes.push_back(onnx::TensorProto::FLOAT);
  }
  func::ReturnOp::create(b, fileLoc, results);
  // Layout changes of fake-quantized weights leave the fake_quants of the
  // intermediate layouts unused.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(*body)))
    if (op.use_empty() && isa<FakeQuantOp, tosa::ConstOp>(op))
      op.erase();
  func.setType(b.getFunctionType(argTypes, TypeRange(ValueRange(results))));
  for (auto [index, info] : llvm::enumerate(graph.output()))
    func.setResultAttr(index, "onnx.name", b.getStringAttr(info.name()));
  // uint8 boundaries hold the bit pattern in i8: record the real types.
  auto boundary = [&](TypeRange types, ArrayRef<int32_t> dataTypes) {
    SmallVector<Type> result;
    for (auto [type, dataType] : llvm::zip(types, dataTypes))
      result.push_back(dataType == onnx::TensorProto::UINT8
                           ? cast<RankedTensorType>(type).clone(
                                 b.getIntegerType(8, /*isSigned=*/false))
                           : type);
    return result;
  };
  if (llvm::is_contained(argDataTypes, onnx::TensorProto::UINT8) ||
      llvm::is_contained(resultDataTypes, onnx::TensorProto::UINT8))
    func->setAttr(QntDialect::kSignatureAttrName,
                  TypeAttr::get(b.getFunctionType(
                      boundary(argTypes, argDataTypes),
                      boundary(func.getResultTypes(), resultDataTypes))));

  if (failed(verify(*module)))
    return nullptr;
  return module;
}

//===----------------------------------------------------------------------===//
// Public entry points
//===----------------------------------------------------------------------===//

void mlir::qnt::registerONNXImportDialects(DialectRegistry &registry) {
  registry.insert<func::FuncDialect, tosa::TosaDialect, quant::QuantDialect,
                  QntDialect>();
}

OwningOpRef<ModuleOp>
mlir::qnt::importONNXModel(StringRef bytes, StringRef bufferName,
                           MLIRContext *context,
                           const ONNXImportOptions &options) {
  DialectRegistry registry;
  registerONNXImportDialects(registry);
  context->appendDialectRegistry(registry);
  context->loadDialect<func::FuncDialect, tosa::TosaDialect,
                       quant::QuantDialect, QntDialect>();

  Location fileLoc = NameLoc::get(StringAttr::get(context, bufferName));
  if (options.batchSize <= 0) {
    emitError(fileLoc) << "batch size must be > 0, got " << options.batchSize;
    return nullptr;
  }
  onnx::ModelProto model;
  if (bytes.size() > static_cast<size_t>(INT_MAX) ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    emitError(fileLoc) << "cannot parse '" << bufferName
                       << "' as an ONNX model: the protobuf is truncated or "
                          "corrupt";
    return nullptr;
  }
  if (!model.has_graph() || model.graph().node_size() == 0 ||
      model.graph().output_size() == 0) {
    emitError(fileLoc) << "'" << bufferName
                       << "' is not an ONNX model: it has no graph with nodes "
                          "and outputs (truncated or corrupt file?)";
    return nullptr;
  }
  return Importer(context, model, bufferName, options).run();
}

void mlir::qnt::registerONNXImportTranslation() {
  static llvm::cl::opt<int64_t> batchSize(
      "batch-size",
      llvm::cl::desc("Size that replaces symbolic or unknown leading "
                     "dimensions of the ONNX graph inputs (default 1)"),
      llvm::cl::init(1));
  static TranslateToMLIRRegistration registration(
      "import-onnx", "Import an ONNX model into TOSA + qnt",
      [](llvm::SourceMgr &sourceMgr, MLIRContext *context) {
        const llvm::MemoryBuffer *buffer =
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
        // The input is binary: report "<file>: error: <message>" rather than
        // a source line, and name the node of verifier errors.
        StringRef file = buffer->getBufferIdentifier();
        ScopedDiagnosticHandler handler(context, [file](Diagnostic &diag) {
          auto print = [&](Diagnostic &d, StringRef severity) {
            std::string message = d.str();
            llvm::errs() << file << ": " << severity << ": " << message;
            if (auto name = dyn_cast<NameLoc>(d.getLocation()))
              if (!StringRef(message).contains(name.getName().getValue()))
                llvm::errs() << " [at '" << name.getName().getValue() << "']";
            llvm::errs() << "\n";
          };
          StringRef severity =
              diag.getSeverity() == DiagnosticSeverity::Error     ? "error"
              : diag.getSeverity() == DiagnosticSeverity::Warning ? "warning"
                                                                  : "note";
          print(diag, severity);
          for (Diagnostic &note : diag.getNotes())
            print(note, "note");
          return success();
        });
        ONNXImportOptions options;
        options.batchSize = batchSize;
        OwningOpRef<ModuleOp> module =
            importONNXModel(buffer->getBuffer(), buffer->getBufferIdentifier(),
                            context, options);
        return OwningOpRef<Operation *>(module.release());
      },
      registerONNXImportDialects);
}
