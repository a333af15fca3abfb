//===- InitAll.cpp - Register everything of the compiler ------------------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qnt/InitAll.h"
#include "qnt/Conversion/Passes.h"
#include "qnt/Dialect/Qnt/IR/Qnt.h"
#include "qnt/Dialect/Qnt/Transforms/Passes.h"
#include "qnt/Pipelines/Pipelines.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"

void mlir::qnt::registerAllDialects(DialectRegistry &registry) {
  registry.insert<QntDialect>();
  // `qnt.fused` lives on tosa.clamp, whose custom parser does not load the
  // dialect an attribute name refers to; without this, the marking would go
  // unverified in files that hold no qnt op.
  registry.addExtension(+[](MLIRContext *context, tosa::TosaDialect *) {
    context->getOrLoadDialect<QntDialect>();
  });
}

void mlir::qnt::registerAllPasses() {
  registerQntPasses();
  registerQntConversionPasses();
  registerPipelines();
}

void mlir::qnt::printLocationsByDefault() {
  registerAsmPrinterCLOptions();
  auto &options = llvm::cl::getRegisteredOptions();
  auto it = options.find("mlir-print-debuginfo");
  if (it != options.end())
    static_cast<llvm::cl::opt<bool> *>(it->second)->setInitialValue(true);
}
