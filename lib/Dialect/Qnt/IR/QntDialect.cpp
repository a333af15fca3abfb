//===- QntDialect.cpp - Qnt dialect and attributes ------------------------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qnt/Dialect/Qnt/IR/Qnt.h"
#include "qnt/Dialect/Qnt/Utils/Numerics.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::qnt;

#include "qnt/Dialect/Qnt/IR/QntOpsDialect.cpp.inc"

#include "qnt/Dialect/Qnt/IR/QntEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "qnt/Dialect/Qnt/IR/QntAttrs.cpp.inc"

void QntDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "qnt/Dialect/Qnt/IR/QntAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "qnt/Dialect/Qnt/IR/QntOps.cpp.inc"
      >();
}

Operation *QntDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  if (arith::ConstantOp::isBuildableWith(value, type))
    return arith::ConstantOp::create(builder, loc, type,
                                     cast<TypedAttr>(value));
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Discardable attributes
//===----------------------------------------------------------------------===//

bool QntDialect::isFusionAnchor(Operation *op) {
  return isa<tosa::Conv2DOp, tosa::DepthwiseConv2DOp, tosa::TransposeConv2DOp,
             tosa::MatMulOp, tosa::AddOp>(op);
}

bool QntDialect::isSameScaleOp(Operation *op) {
  return isa<tosa::ClampOp, tosa::MaxPool2dOp, tosa::ReshapeOp,
             tosa::TransposeOp, tosa::PadOp, tosa::SliceOp, tosa::IdentityOp,
             tosa::TileOp, tosa::ReverseOp>(op) &&
         op->getNumOperands() > 0 && op->getNumResults() == 1;
}

Operation *QntDialect::getFusedProducer(Operation *op) {
  auto clamp = dyn_cast<tosa::ClampOp>(op);
  if (!clamp || !clamp->hasAttr(kFusedAttrName))
    return nullptr;
  Value input = clamp.getInput();
  Operation *producer = input.getDefiningOp();
  if (!producer || !isFusionAnchor(producer) || !input.hasOneUse())
    return nullptr;
  return producer;
}

/// `qnt.fused = true` marks a tosa.clamp at 0 from below as the activation of
/// the op producing its input. Only what the clamp itself says is verified:
/// rewrites of its neighbours (canonicalization, CSE) must not make the IR
/// invalid. Consumers take the unit from getFusedProducer, which checks the
/// producer is still an anchor that only the clamp uses.
static LogicalResult verifyFused(Operation *op, Attribute value) {
  auto flag = dyn_cast<BoolAttr>(value);
  if (!flag || !flag.getValue())
    return op->emitOpError("attribute 'qnt.fused' must be 'true', got ")
           << value;
  auto clamp = dyn_cast<tosa::ClampOp>(op);
  if (!clamp)
    return op->emitOpError("carries 'qnt.fused' but only tosa.clamp can be "
                           "a fused activation");
  auto minVal = dyn_cast<FloatAttr>(clamp.getMinValAttr());
  auto maxVal = dyn_cast<FloatAttr>(clamp.getMaxValAttr());
  if (!minVal || !minVal.getValue().isZero())
    return op->emitOpError("carries 'qnt.fused' but does not clamp at 0 "
                           "from below (min_val = ")
           << clamp.getMinValAttr() << ")";
  if (!maxVal || !(maxVal.getValueAsDouble() > 0.0))
    return op->emitOpError("carries 'qnt.fused' but its max_val ")
           << clamp.getMaxValAttr() << " is not positive";
  return success();
}

LogicalResult QntDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attr) {
  if (attr.getName() == kFusedAttrName)
    return verifyFused(op, attr.getValue());
  if (attr.getName() == kKeepFloatAttrName) {
    auto flag = dyn_cast<BoolAttr>(attr.getValue());
    if (!flag || !flag.getValue())
      return op->emitOpError("attribute 'qnt.keep_float' must be 'true', got ")
             << attr.getValue();
    return success();
  }
  if (attr.getName() == kSignatureAttrName) {
    auto type = dyn_cast<TypeAttr>(attr.getValue());
    if (!type || !isa<FunctionType>(type.getValue()))
      return op->emitOpError("attribute 'qnt.signature' must be a function "
                             "type, got ")
             << attr.getValue();
    return success();
  }
  if (attr.getName() == kProfileKernelsAttrName) {
    auto names = dyn_cast<ArrayAttr>(attr.getValue());
    if (!isa<ModuleOp>(op) || !names ||
        !llvm::all_of(names, [](Attribute a) { return isa<StringAttr>(a); }))
      return op->emitOpError("attribute 'qnt.profile_kernels' must be an "
                             "array of strings on a module, got ")
             << attr.getValue();
    return success();
  }
  return op->emitOpError("has unknown qnt attribute '")
         << attr.getName().getValue() << "'";
}

//===----------------------------------------------------------------------===//
// SchemeAttr
//===----------------------------------------------------------------------===//

// #qnt.scheme<u8, affine>
// #qnt.scheme<i8, symmetric, narrow, axis = 0>

int64_t SchemeAttr::getQMin() const {
  return getQuantRange(getBits(), getIsSigned(), getNarrowRange()).qmin;
}

int64_t SchemeAttr::getQMax() const {
  return getQuantRange(getBits(), getIsSigned(), getNarrowRange()).qmax;
}

Attribute SchemeAttr::parse(AsmParser &parser, Type) {
  if (parser.parseLess())
    return {};

  // The grid: `u<bits>` or `i<bits>` (`i8` lexes as an integer type, which
  // the parser also accepts as a keyword).
  llvm::SMLoc gridLoc = parser.getCurrentLocation();
  StringRef grid;
  if (parser.parseKeyword(&grid))
    return {};
  bool isSigned = grid.starts_with("i");
  unsigned bits;
  if (!(isSigned || grid.starts_with("u")) ||
      grid.drop_front().getAsInteger(10, bits))
    return parser.emitError(gridLoc, "expected a grid like 'u8' or 'i8', got '")
               << grid << "'",
           Attribute();

  StringRef mode;
  llvm::SMLoc modeLoc;
  if (parser.parseComma() ||
      (modeLoc = parser.getCurrentLocation(), parser.parseKeyword(&mode)))
    return {};
  if (mode != "symmetric" && mode != "affine")
    return parser.emitError(modeLoc, "expected 'symmetric' or 'affine'"),
           Attribute();

  bool narrow = false;
  std::optional<int64_t> axis;
  while (succeeded(parser.parseOptionalComma())) {
    StringRef flag;
    llvm::SMLoc flagLoc = parser.getCurrentLocation();
    if (parser.parseKeyword(&flag))
      return {};
    if (flag == "narrow") {
      narrow = true;
    } else if (flag == "axis") {
      int64_t value;
      if (parser.parseEqual() || parser.parseInteger(value))
        return {};
      axis = value;
    } else {
      return parser.emitError(flagLoc, "expected 'narrow' or 'axis'"),
             Attribute();
    }
  }
  if (parser.parseGreater())
    return {};
  return SchemeAttr::get(parser.getContext(), bits, isSigned,
                         mode == "symmetric", narrow, axis);
}

void SchemeAttr::print(AsmPrinter &printer) const {
  printer << '<' << (getIsSigned() ? 'i' : 'u') << getBits() << ", "
          << (getSymmetric() ? "symmetric" : "affine");
  if (getNarrowRange())
    printer << ", narrow";
  if (getAxis())
    printer << ", axis = " << *getAxis();
  printer << '>';
}
