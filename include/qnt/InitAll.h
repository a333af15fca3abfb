//===- InitAll.h - Register everything of the compiler ----------*- C++ -*-===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef QNT_INITALL_H
#define QNT_INITALL_H

namespace mlir {
class DialectRegistry;

namespace qnt {

/// Adds the dialects of this project to `registry`.
void registerAllDialects(DialectRegistry &registry);

/// Registers the passes and pass pipelines of this project.
void registerAllPasses();

/// Makes the tools print op locations unless told otherwise
/// (--mlir-print-debuginfo=false): they carry the ONNX node names that name
/// observers and select ops on the command line, and a textual pipeline
/// (quant-translate | quant-opt | ...) would lose them otherwise.
void printLocationsByDefault();

} // namespace qnt
} // namespace mlir

#endif // QNT_INITALL_H
