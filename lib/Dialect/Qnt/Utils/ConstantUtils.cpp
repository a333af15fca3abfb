//===- ConstantUtils.cpp - Read and create float constants ----------------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qnt/Dialect/Qnt/Utils/ConstantUtils.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

std::optional<SmallVector<float>> mlir::qnt::getF32Values(Attribute attr) {
  if (auto dense = dyn_cast_or_null<DenseFPElementsAttr>(attr)) {
    if (!dense.getElementType().isF32())
      return std::nullopt;
    auto values = dense.getValues<float>();
    return SmallVector<float>(values.begin(), values.end());
  }
  if (auto resource = dyn_cast_or_null<DenseF32ResourceElementsAttr>(attr))
    if (std::optional<ArrayRef<float>> values = resource.tryGetAsArrayRef())
      return SmallVector<float>(*values);
  return std::nullopt;
}

std::optional<SmallVector<float>> mlir::qnt::getConstantF32Values(Value value) {
  Attribute attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  std::optional<SmallVector<float>> values = getF32Values(attr);
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!values || !type || !type.hasStaticShape() ||
      static_cast<int64_t>(values->size()) != type.getNumElements())
    return std::nullopt;
  return values;
}

std::optional<SmallVector<int8_t>>
mlir::qnt::getConstantInt8Values(Value value) {
  ElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)) ||
      !attr.getElementType().isInteger(8))
    return std::nullopt;
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr))
    return SmallVector<int8_t>(dense.getValues<int8_t>());
  if (auto resource = dyn_cast<DenseI8ResourceElementsAttr>(attr))
    if (std::optional<ArrayRef<int8_t>> data = resource.tryGetAsArrayRef())
      return SmallVector<int8_t>(*data);
  return std::nullopt;
}

std::optional<DenseElementsAttr>
mlir::qnt::getConstantDenseElements(Value value) {
  ElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr))
    return dense;
  auto type = dyn_cast<RankedTensorType>(attr.getType());
  if (!type || !type.hasStaticShape())
    return std::nullopt;
  auto fromBlob = [&](auto resource) -> std::optional<DenseElementsAttr> {
    if (!resource)
      return std::nullopt;
    auto data = resource.tryGetAsArrayRef();
    if (!data || int64_t(data->size()) != type.getNumElements())
      return std::nullopt;
    return DenseElementsAttr::get(type, *data);
  };
  if (auto r = dyn_cast<DenseI8ResourceElementsAttr>(attr))
    return fromBlob(r);
  if (auto r = dyn_cast<DenseI16ResourceElementsAttr>(attr))
    return fromBlob(r);
  if (auto r = dyn_cast<DenseI32ResourceElementsAttr>(attr))
    return fromBlob(r);
  if (auto r = dyn_cast<DenseI64ResourceElementsAttr>(attr))
    return fromBlob(r);
  if (auto r = dyn_cast<DenseF32ResourceElementsAttr>(attr))
    return fromBlob(r);
  return std::nullopt;
}

ElementsAttr mlir::qnt::createF32Elements(RankedTensorType type,
                                          ArrayRef<float> values,
                                          StringRef hint) {
  if (type.getNumElements() <= kInlineConstantLimit)
    return DenseElementsAttr::get(type, values);
  Attribute resource = DenseF32ResourceElementsAttr::get(
      type, hint, HeapAsmResourceBlob::allocateAndCopyInferAlign(values));
  return cast<ElementsAttr>(resource);
}

Value mlir::qnt::createF32Constant(OpBuilder &builder, Location loc,
                                   RankedTensorType type,
                                   ArrayRef<float> values, StringRef hint) {
  return tosa::ConstOp::create(builder, loc, type,
                               createF32Elements(type, values, hint));
}
