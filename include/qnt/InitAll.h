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

} // namespace qnt
} // namespace mlir

#endif // QNT_INITALL_H
