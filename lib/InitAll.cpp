//===- InitAll.cpp - Register everything of the compiler ------------------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qnt/InitAll.h"
#include "qnt/Dialect/Qnt/IR/Qnt.h"
#include "qnt/Dialect/Qnt/Transforms/Passes.h"
#include "qnt/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"

void mlir::qnt::registerAllDialects(DialectRegistry &registry) {
  registry.insert<QntDialect>();
}

void mlir::qnt::registerAllPasses() {
  registerQntPasses();
  registerPipelines();
}
