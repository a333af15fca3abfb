//===- quant-translate.cpp - The quantization compiler's translator -------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// mlir-translate with the translations of this project:
//
//   quant-translate --import-onnx model.onnx -o model.mlir [--batch-size N]
//
//===----------------------------------------------------------------------===//

#include "qnt/InitAll.h"
#include "qnt/Target/ONNX/ImportONNX.h"

#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  mlir::qnt::registerONNXImportTranslation();
  mlir::qnt::printLocationsByDefault();
  return mlir::failed(mlir::mlirTranslateMain(
             argc, argv, "Quantization compiler translator"))
             ? 1
             : 0;
}
