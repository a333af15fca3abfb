//===- Pipelines.h - Registered pass pipelines ------------------*- C++ -*-===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef QNT_PIPELINES_PIPELINES_H
#define QNT_PIPELINES_PIPELINES_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringRef.h"

namespace mlir {
class OpPassManager;

namespace qnt {

/// Adds `--qnt-lower-to-llvm` to `pm` (a module pass manager): from the float
/// or fake-quant graph (TOSA + qnt) to the LLVM dialect, with the entry
/// function taking its inputs and outputs as bare pointers. `vnni` (auto,
/// on, off) selects vpdpbusd in the int8 kernels; `profile` times every
/// kernel (--qnt-profile-kernels); `amx` (auto, on, off) runs the int8
/// GEMMs on AMX tiles; `stackBytes` bounds the intermediate buffers put on
/// the stack (--qnt-stack-buffers; 0: none); `narrow` (auto, pack, each)
/// selects how the kernels narrow requantized vectors to int8.
LogicalResult buildLowerToLLVMPipeline(OpPassManager &pm,
                                       StringRef vnni = "auto",
                                       bool profile = false,
                                       StringRef amx = "auto",
                                       uint64_t stackBytes = 262144,
                                       StringRef narrow = "auto");

/// Registers the pipelines with the pass registry.
void registerPipelines();

} // namespace qnt
} // namespace mlir

#endif // QNT_PIPELINES_PIPELINES_H
