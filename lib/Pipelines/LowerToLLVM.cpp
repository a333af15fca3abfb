//===- LowerToLLVM.cpp - The --qnt-lower-to-llvm pipeline -----------------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Upstream passes only, in the order that works for whole models:
//   1. keep the entry signature, expand qnt ops (qnt-expand-ops);
//   2. TOSA to linalg/tensor/arith, fuse elementwise chains;
//   3. one-shot bufferization across function boundaries with identity
//      layouts, results turned into out-params, deallocations inserted (so a
//      benchmark loop does not leak);
//   4. linalg to loops and everything to LLVM, the entry function with the
//      bare-pointer calling convention: main(in0, ..., out0, ...).
//
//===----------------------------------------------------------------------===//

#include "qnt/Pipelines/Pipelines.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

static constexpr const char *kLowerToLLVM =
    "qnt-record-signature,"
    "func.func(qnt-expand-ops),"
    "tosa-to-linalg-pipeline,"
    "func.func(tosa-to-tensor,tosa-to-arith{include-apply-rescale},"
    "canonicalize,"
    "linalg-fuse-elementwise-ops),"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "buffer-results-to-out-params{hoist-static-allocs "
    "modify-public-functions},"
    "buffer-deallocation-pipeline,"
    "func.func(convert-linalg-to-loops),"
    "lower-affine,convert-scf-to-cf,expand-strided-metadata,"
    "finalize-memref-to-llvm,convert-math-to-llvm,convert-math-to-libm,"
    "convert-arith-to-llvm,convert-cf-to-llvm,"
    "convert-func-to-llvm{use-bare-ptr-memref-call-conv},"
    "convert-index-to-llvm,convert-ub-to-llvm,reconcile-unrealized-casts";

LogicalResult mlir::qnt::buildLowerToLLVMPipeline(OpPassManager &pm) {
  return parsePassPipeline(kLowerToLLVM, pm);
}

void mlir::qnt::registerPipelines() {
  PassPipelineRegistration<>(
      "qnt-lower-to-llvm",
      "Lower a float or fake-quant graph (TOSA + qnt) to the LLVM dialect; "
      "the entry function takes bare pointers: main(inputs..., outputs...)",
      [](OpPassManager &pm) { (void)buildLowerToLLVMPipeline(pm); });
}
