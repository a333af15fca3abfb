//===- Importer.h - ONNX importer internals ---------------------*- C++ -*-===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Private to lib/Target/ONNX: the importer state shared by the driver
// (ImportONNX.cpp) and the operator converters (ONNXOps*.cpp).
//
// Layout. ONNX tensors are NCHW; the TOSA body is NHWC. Every imported tensor
// records whether it is held as the NHWC transpose of its logical (ONNX) 4-D
// value (`nhwc`). Layout-sensitive operators (Conv, pools, BatchNorm) ask for
// NHWC, operators that need the logical order (Flatten, Reshape, graph
// outputs) ask for NCHW, and everything in between works in whatever layout
// its input has, remapping axes. So transposes only appear at the boundaries.
//
// Constants. Initializers and Constant nodes stay host data until an operator
// uses them as an operand; layout changes and reshapes of constants are done
// on the data, so e.g. conv weights become one OHWI `tosa.const`.
//
//===----------------------------------------------------------------------===//

#ifndef QNT_LIB_TARGET_ONNX_IMPORTER_H
#define QNT_LIB_TARGET_ONNX_IMPORTER_H

#include "qnt/Target/ONNX/ImportONNX.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace onnx {
class AttributeProto;
class ModelProto;
class NodeProto;
class TensorProto;
} // namespace onnx

namespace mlir::qnt::onnx_import {

/// Host copy of a constant tensor (initializer, Constant node, or folded).
struct ConstData {
  llvm::SmallVector<int64_t> shape;
  /// The ONNX TensorProto data type of the source.
  int32_t dataType = 0;
  /// True when the values are in `floats`, false when in `ints`.
  bool isFloat = true;
  std::vector<float> floats;
  std::vector<int64_t> ints;

  int64_t numElements() const;
  /// Value `i` as a double, whichever vector holds it.
  double at(int64_t i) const {
    return isFloat ? static_cast<double>(floats[i])
                   : static_cast<double>(ints[i]);
  }
};
using ConstDataPtr = std::shared_ptr<const ConstData>;

/// Quantization parameters of a Q/DQ node or a QLinear operand. The output
/// of a QuantizeLinear (or QLinearConv, ConvInteger, ...) stays pending: a
/// DequantizeLinear with the same parameters makes it one qnt.fake_quant of
/// the float source; any other integer reader makes it a qnt.quantize.
struct PendingQuant {
  std::string nodeName;
  ConstDataPtr scale;
  ConstDataPtr zeroPoint;  // null: zero points 0
  int32_t storageType = 0; // ONNX data type of the quantized values
  int64_t axis = 1;        // logical axis, -1 per tensor
  /// The qnt.quantize of the source, once an integer reader needed it.
  Value storage;
};

/// A fake-quantized constant (pre-quantized weights): its float data and
/// !quant.uniform type, both in the physical layout of the tensor.
struct FakeQuantConst {
  ConstDataPtr data;
  quant::QuantizedType type;
};

/// A tensor of the graph as the importer holds it.
struct Tensor {
  /// The IR value; null for a constant not materialized yet.
  Value value;
  /// Contents, when known at import time.
  ConstDataPtr data;
  /// Physical shape (the shape of `value`).
  llvm::SmallVector<int64_t> shape;
  /// Held as the NHWC transpose of a logical NCHW tensor.
  bool nhwc = false;
  /// Output of a QuantizeLinear: only a DequantizeLinear may read it.
  std::shared_ptr<PendingQuant> quant;
  /// The source of a quantized value (`quant` set).
  std::shared_ptr<Tensor> quantInput;
  /// ONNX name of the constant, used to name resource blobs.
  std::string constName;
  /// Non-zero for a runtime integer tensor (an integer graph input or a
  /// materialized quantize): its ONNX data type. `value` holds the storage
  /// as signless iN (unsigned types as their bit pattern), in the logical
  /// layout.
  int32_t intType = 0;
  /// Set when `value` is a qnt.fake_quant of constant data: layout changes
  /// then move the data and the quantized axis, and keep one fake_quant on
  /// the constant the consumer reads.
  std::shared_ptr<FakeQuantConst> fakeQuant;

  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  /// Shape in the ONNX (logical) layout.
  llvm::SmallVector<int64_t> logicalShape() const;
};

/// "UINT8", or "data type 42" for unknown ones.
std::string dataTypeName(int32_t dataType);

/// "[1,3,224,224]".
std::string shapeString(llvm::ArrayRef<int64_t> shape);

class Importer;

/// Reads the contents of a TensorProto; `what` names it in diagnostics.
FailureOr<ConstDataPtr> readTensorProto(const onnx::TensorProto &proto,
                                        Location loc, llvm::StringRef what);

/// Normalizes a possibly negative ONNX axis; `what` names it in the error.
FailureOr<int64_t> normalizeAxis(Importer &im, int64_t axis, int64_t rank,
                                 llvm::StringRef what);

/// Physical position of logical axis `axis` of a 4-D tensor held in NHWC.
int64_t nhwcPosition(int64_t axis);

/// Imports one ONNX model. One instance per model.
class Importer {
public:
  Importer(MLIRContext *context, const onnx::ModelProto &model,
           llvm::StringRef bufferName, const ONNXImportOptions &options);

  OwningOpRef<ModuleOp> run();

  /// Names of the supported operators, sorted, comma-separated.
  static std::string supportedOps();

  //===--------------------------------------------------------------------===//
  // Used by the operator converters.
  //===--------------------------------------------------------------------===//

  /// Starts an error at the current node: "<OpType> node '<name>': ".
  InFlightDiagnostic nodeError();

  // Attributes of the current node.
  const onnx::AttributeProto *attr(llvm::StringRef name) const;
  int64_t attrInt(llvm::StringRef name, int64_t defaultValue) const;
  float attrFloat(llvm::StringRef name, float defaultValue) const;
  std::string attrString(llvm::StringRef name,
                         llvm::StringRef defaultValue) const;
  std::optional<llvm::SmallVector<int64_t>>
  attrInts(llvm::StringRef name) const;

  // Inputs and outputs of the current node.
  bool hasInput(int index) const;
  llvm::StringRef inputName(int index) const;
  int numInputs() const;
  llvm::StringRef opType() const;
  int numOutputs() const;
  llvm::StringRef outputName(int index) const;
  /// The node's name, or its first output's when it has none.
  llvm::StringRef nodeName() const;
  /// A float data operand (not a pending QuantizeLinear output).
  FailureOr<Tensor> input(int index);
  /// Whatever is bound to the input, pending quantization included.
  FailureOr<Tensor> rawInput(int index);
  /// Input `index` read as integers with `params` (QLinear* operands,
  /// DequantizeLinear): the float tensor holding their real values, a
  /// qnt.fake_quant of the source where parameters agree.
  FailureOr<Tensor> dequantizedInput(int index, const PendingQuant &params);
  /// The runtime integers of a pending quantization (qnt.quantize of its
  /// source in the logical layout, made once).
  Tensor quantizedStorage(const Tensor &pending);
  /// Converts the current node's attributes with the converter of `opType`
  /// on `inputs` instead of the node's own (ONNX names kept for
  /// diagnostics): QLinearConv and ConvInteger reuse Conv, QLinearMatMul and
  /// MatMulInteger reuse MatMul. Returns the converter's output 0.
  FailureOr<Tensor>
  convertAs(llvm::StringRef opType,
            llvm::ArrayRef<std::pair<int, std::optional<Tensor>>> inputs);
  /// An input that must be a constant; `what` says what it is for.
  FailureOr<ConstDataPtr> constInput(int index, llvm::StringRef what);
  /// Optional constant input as int64 values (axes, pads, shapes).
  FailureOr<std::optional<llvm::SmallVector<int64_t>>>
  constIntsInput(int index, llvm::StringRef what);
  void setOutput(int index, Tensor tensor);
  int64_t opset() const { return opsetVersion; }

  // Building blocks.
  OpBuilder &builder() { return b; }
  Location loc() const { return nodeLoc; }
  RankedTensorType f32Type(llvm::ArrayRef<int64_t> shape);
  /// The IR value of `tensor`, creating the `tosa.const` of a constant.
  Value materialize(const Tensor &tensor);
  /// A float constant tensor.
  Tensor constant(llvm::ArrayRef<int64_t> shape, std::vector<float> values,
                  llvm::StringRef name = "");
  /// A splat float constant (printed compactly whatever its size).
  Value splat(llvm::ArrayRef<int64_t> shape, float value);
  /// Pads with `value`; `padding` is [before0, after0, before1, ...] in
  /// physical order.
  Value padConstant(const Tensor &tensor, llvm::ArrayRef<int64_t> padding,
                    float value);
  /// `tensor<1xf32>` zero, used for TOSA zero points and pad constants.
  Value zeroPoint();
  /// `tensor<1xi8>` zero, the shift of tosa.mul.
  Value mulShift();
  /// `!tosa.shape<N>` constant.
  Value shapeConstant(llvm::ArrayRef<int64_t> values);
  /// A runtime value held in the given layout.
  Tensor fromValue(Value value, bool nhwc = false);
  /// qnt.fake_quant of `tensor` with `type` (axis physical); remembered as a
  /// FakeQuantConst when `tensor` is constant data.
  Tensor fakeQuantize(const Tensor &tensor, quant::QuantizedType type);

  // Layout and shape changes; all fold on constants.
  Tensor toNHWC(const Tensor &tensor);
  Tensor toNCHW(const Tensor &tensor);
  /// Physical transpose; the result is not NHWC-tagged.
  Tensor transpose(const Tensor &tensor, llvm::ArrayRef<int64_t> perms);
  /// Physical reshape; the result is not NHWC-tagged.
  Tensor reshape(const Tensor &tensor, llvm::ArrayRef<int64_t> shape);
  /// The tensor with its row-major order equal to the logical order, ready
  /// for a logical reshape. Avoids a transpose when only unit dimensions
  /// move (e.g. [N,C,1,1] held as [N,1,1,C]).
  Tensor forReshape(const Tensor &tensor);
  /// Reshapes to `shape` in the logical (ONNX) order.
  Tensor reshapeLogical(const Tensor &tensor, llvm::ArrayRef<int64_t> shape);

  /// Broadcasts two operands to equal ranks (numpy rules) in one layout.
  LogicalResult broadcast(Tensor &lhs, Tensor &rhs,
                          llvm::SmallVector<int64_t> &resultShape,
                          bool &resultNHWC);

  /// Elementwise helpers on same-rank operands; the result is in lhs' layout
  /// with the broadcast physical shape.
  FailureOr<Tensor> binary(llvm::StringRef opType, Tensor lhs, Tensor rhs);

private:
  LogicalResult importInitializers();
  LogicalResult importNode(const onnx::NodeProto &node);
  LogicalResult dispatch(llvm::StringRef opType);
  void setConstantInsertionPoint();

  MLIRContext *context;
  const onnx::ModelProto &model;
  std::string bufferName;
  ONNXImportOptions options;
  OpBuilder b;
  Location nodeLoc;
  const onnx::NodeProto *node = nullptr;
  int64_t opsetVersion = 21;

  llvm::StringMap<Tensor> tensors;
  /// Set by convertAs: (ONNX input index, tensor) per converter input.
  std::optional<llvm::SmallVector<std::pair<int, std::optional<Tensor>>>>
      inputOverrides;
  std::optional<Tensor> overrideOutput;
  llvm::DenseMap<const ConstData *, Value> constCache;
  llvm::DenseMap<const ConstData *, ConstDataPtr> nhwcConstCache;
  std::vector<ConstDataPtr> liveConstants;
  llvm::DenseMap<Value, Value> nhwcCache, nchwCache;
  Value zeroPointValue, mulShiftValue;
  Operation *lastConstant = nullptr;
};

//===----------------------------------------------------------------------===//
// Operator converters, by family (ONNXOps*.cpp).
//===----------------------------------------------------------------------===//

using ConvertFn = LogicalResult (*)(Importer &);

struct OpConverter {
  const char *opType;
  ConvertFn convert;
};

/// Conv, pools, BatchNormalization, Gemm, MatMul.
llvm::ArrayRef<OpConverter> getNNConverters();
/// Activations, elementwise arithmetic, Softmax, ReduceMean.
llvm::ArrayRef<OpConverter> getMathConverters();
/// Shape and data movement ops, constants.
llvm::ArrayRef<OpConverter> getShapeConverters();
/// QuantizeLinear, DequantizeLinear, QLinearConv, QLinearMatMul,
/// ConvInteger, MatMulInteger.
llvm::ArrayRef<OpConverter> getQuantConverters();

/// Reads the scale/zero point inputs `scaleIndex`, `scaleIndex + 1` of the
/// current node for an input of logical shape `shape`, quantized along
/// `axis` when the scale has more than one element. Without a zero point
/// the storage type is `defaultStorage`, or when 0 that of input
/// `scaleIndex - 1`, or UINT8.
FailureOr<PendingQuant> readQuantParams(Importer &im, int scaleIndex,
                                        llvm::ArrayRef<int64_t> shape,
                                        int64_t axis,
                                        int32_t defaultStorage = 0);
/// The !quant.uniform type of `params`; `axis` is the physical quantized
/// dimension when per-axis.
FailureOr<quant::QuantizedType> quantizedType(Importer &im,
                                              const PendingQuant &params,
                                              std::optional<int64_t> axis);

} // namespace mlir::qnt::onnx_import

#endif // QNT_LIB_TARGET_ONNX_IMPORTER_H
