//===- LowerToLLVM.cpp - The --qnt-lower-to-llvm pipeline -----------------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Upstream passes and ours, in the order that works for whole models:
//   1. keep the entry signature, expand qnt ops (qnt-expand-ops);
//   2. TOSA to linalg/tensor/arith, fuse elementwise chains;
//   3. one-shot bufferization across function boundaries with identity
//      layouts, results turned into out-params, small top-level buffers on
//      the stack, deallocations inserted for the others (so a benchmark
//      loop does not leak);
//   4. convolutions and matmuls with constant weights as packed GEMM
//      microkernels (qnt-lower-gemm: f32 FMA, int8 vpdpbusd on VNNI CPUs,
//      their int8 inputs stored as u8 bits by qnt-flip-int8-activations);
//   5. linalg to loops and everything to LLVM, the entry function with the
//      bare-pointer calling convention: main(in0, ..., out0, ...);
//   6. one-lane masked stores as scalar stores (an LLVM 22 x86 miscompile,
//      qnt-scalarize-single-lane-stores).
//
//===----------------------------------------------------------------------===//

#include "qnt/Dialect/Qnt/Transforms/Passes.h"
#include "qnt/Pipelines/Pipelines.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

/// `@VNNI@` stands for the vnni option of --qnt-lower-dot-u8s8, `@AMX@` for
/// the amx option of --qnt-lower-gemm, `@NARROW@` for the narrow option of
/// --qnt-lower-gemm and --qnt-lower-depthwise, `@STACK@` for the max-bytes
/// option of --qnt-stack-buffers, `@PROFILE@` for qnt-profile-kernels when
/// the profile option is on.
static constexpr const char *kLowerToLLVM =
    "qnt-record-signature,"
    "func.func(qnt-expand-ops,qnt-inline-rescale-params),"
    "tosa-to-linalg-pipeline,"
    "func.func(tosa-to-tensor,tosa-to-arith{include-apply-rescale},"
    "canonicalize,qnt-flip-int8-activations,qnt-lower-gemm{amx=@AMX@ "
    "narrow=@NARROW@},"
    "qnt-lower-depthwise{narrow=@NARROW@},qnt-lower-"
    "pooling,"
    "canonicalize,"
    "linalg-fuse-elementwise-ops),"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "buffer-results-to-out-params{hoist-static-allocs "
    "modify-public-functions},"
    "func.func(qnt-write-results-in-place,qnt-stack-buffers{max-bytes=@STACK@})"
    ","
    "buffer-deallocation-pipeline,"
    "func.func(qnt-lower-memref-copy,convert-linalg-to-loops),@PROFILE@"
    "qnt-lower-dot-u8s8{vnni=@VNNI@},"
    "lower-affine,convert-scf-to-cf,convert-vector-to-llvm{enable-amx},"
    "expand-strided-metadata,"
    "finalize-memref-to-llvm,convert-math-to-llvm,convert-math-to-libm,"
    "convert-arith-to-llvm,convert-cf-to-llvm,"
    "convert-func-to-llvm{use-bare-ptr-memref-call-conv},"
    "convert-index-to-llvm,convert-ub-to-llvm,reconcile-unrealized-casts,"
    "qnt-scalarize-single-lane-stores";

LogicalResult mlir::qnt::buildLowerToLLVMPipeline(OpPassManager &pm,
                                                  StringRef vnni, bool profile,
                                                  StringRef amx,
                                                  uint64_t stackBytes,
                                                  StringRef narrow) {
  std::string pipeline = kLowerToLLVM;
  pipeline.replace(pipeline.find("@VNNI@"), 6, vnni.str());
  pipeline.replace(pipeline.find("@AMX@"), 5, amx.str());
  for (size_t at = pipeline.find("@NARROW@"); at != std::string::npos;
       at = pipeline.find("@NARROW@", at + narrow.size()))
    pipeline.replace(at, 8, narrow.str());
  pipeline.replace(pipeline.find("@STACK@"), 7, std::to_string(stackBytes));
  pipeline.replace(pipeline.find("@PROFILE@"), 9,
                   profile ? "qnt-profile-kernels," : "");
  return parsePassPipeline(pipeline, pm);
}

namespace {
struct LowerToLLVMOptions : public PassPipelineOptions<LowerToLLVMOptions> {
  Option<std::string> vnni{
      *this, "vnni",
      llvm::cl::desc("Use AVX512-VNNI's vpdpbusd in the int8 kernels: auto "
                     "(if the host has it), on, off"),
      llvm::cl::init("auto")};
  Option<std::string> amx{
      *this, "amx",
      llvm::cl::desc("Run the int8 GEMMs on AMX tiles: auto (if the host has "
                     "AMX-INT8), on, off"),
      llvm::cl::init("auto")};
  Option<std::string> narrow{
      *this, "narrow",
      llvm::cl::desc("How the int8 kernels narrow requantized vectors: auto "
                     "(each on an AMD Zen host with AVX-512, else pack), pack "
                     "(four or two at a time), each (one saturating "
                     "truncation per vector)"),
      llvm::cl::init("auto")};
  Option<uint64_t> stackBytes{
      *this, "stack-bytes",
      llvm::cl::desc("Put the function's small intermediate buffers on its "
                     "stack, at most this many bytes in all "
                     "(--qnt-stack-buffers; 0: all on the heap)"),
      llvm::cl::init(262144)};
  Option<bool> profile{
      *this, "profile",
      llvm::cl::desc("Time every kernel: calls of qnt_profile_enter/exit "
                     "around each loop nest (quant-run --profile)"),
      llvm::cl::init(false)};
};
} // namespace

void mlir::qnt::registerPipelines() {
  PassPipelineRegistration<LowerToLLVMOptions>(
      "qnt-lower-to-llvm",
      "Lower a float, fake-quant or integer graph (TOSA + qnt) to the LLVM "
      "dialect; the entry function takes bare pointers: main(inputs..., "
      "outputs...)",
      [](OpPassManager &pm, const LowerToLLVMOptions &options) {
        (void)buildLowerToLLVMPipeline(pm, options.vnni, options.profile,
                                       options.amx, options.stackBytes,
                                       options.narrow);
      });
}
