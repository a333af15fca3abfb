//===- ImportONNX.h - ONNX model importer -----------------------*- C++ -*-===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Translates an ONNX model (a serialized ModelProto) into the float graph of
// the compiler: one `func.func @main` whose signature follows the ONNX graph
// (NCHW at the boundary) and whose body is TOSA in NHWC plus `qnt` ops.
//
//===----------------------------------------------------------------------===//

#ifndef QNT_TARGET_ONNX_IMPORTONNX_H
#define QNT_TARGET_ONNX_IMPORTONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>

namespace mlir {
class MLIRContext;
class DialectRegistry;

namespace qnt {

struct ONNXImportOptions {
  /// Size that replaces symbolic or unknown leading (batch) dimensions of the
  /// graph inputs.
  int64_t batchSize = 1;
};

/// Adds the dialects the importer produces to `registry`.
void registerONNXImportDialects(DialectRegistry &registry);

/// Imports the serialized ONNX model in `bytes`. `bufferName` names the model
/// in diagnostics. Returns null after emitting a diagnostic on bad input.
OwningOpRef<ModuleOp> importONNXModel(llvm::StringRef bytes,
                                      llvm::StringRef bufferName,
                                      MLIRContext *context,
                                      const ONNXImportOptions &options = {});

/// Registers `--import-onnx` (and its `--batch-size` option) with the
/// mlir-translate registry.
void registerONNXImportTranslation();

} // namespace qnt
} // namespace mlir

#endif // QNT_TARGET_ONNX_IMPORTONNX_H
