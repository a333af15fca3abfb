//===- Passes.h - Qnt dialect passes ----------------------------*- C++ -*-===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef QNT_DIALECT_QNT_TRANSFORMS_PASSES_H
#define QNT_DIALECT_QNT_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"
#include "qnt/Dialect/Qnt/IR/Qnt.h"

namespace mlir {
class RewritePatternSet;

namespace qnt {

#define GEN_PASS_DECL
#include "qnt/Dialect/Qnt/Transforms/Passes.h.inc"

/// Patterns expanding qnt.observe, qnt.batch_norm and qnt.fake_quant into
/// float TOSA / linalg (see --qnt-expand-ops).
void populateQntExpandOpsPatterns(RewritePatternSet &patterns);

/// The pattern rewriting qnt.batch_norm into a per-channel multiply-add in
/// TOSA (part of the above; used alone where a BatchNorm cannot be folded).
void populateQntExpandBatchNormPatterns(RewritePatternSet &patterns);

/// Patterns lowering qnt.dot_u8s8 to vpdpbusd (`vnni`) or to vector
/// arithmetic (see --qnt-lower-dot-u8s8).
void populateQntLowerDotU8S8Patterns(RewritePatternSet &patterns, bool vnni);

/// Patterns rewriting convolutions and matmuls with constant weights into
/// packed GEMM microkernels (see --qnt-lower-gemm).
void populateQntLowerGemmPatterns(RewritePatternSet &patterns, bool amx = false,
                                  bool packNarrowing = true);

/// Patterns vectorizing depthwise convolutions over channels (see
/// --qnt-lower-depthwise).
void populateQntLowerDepthwisePatterns(RewritePatternSet &patterns,
                                       bool packNarrowing = true);

/// Patterns vectorizing max and sum pooling over channels (see
/// --qnt-lower-pooling).
void populateQntLowerPoolingPatterns(RewritePatternSet &patterns);

/// The pattern rewriting strided memref.copy into linalg.copy (see
/// --qnt-lower-memref-copy).
void populateQntLowerMemRefCopyPatterns(RewritePatternSet &patterns);

/// The pattern letting kernels write an out-param instead of a buffer copied
/// into it (see --qnt-write-results-in-place).
void populateQntWriteResultsInPlacePatterns(RewritePatternSet &patterns);

/// The pattern rewriting tosa.rescale parameters held in resource blobs as
/// dense constants (see --qnt-inline-rescale-params).
void populateQntInlineRescaleParamsPatterns(RewritePatternSet &patterns);

/// The pattern storing the lane of a one-lane masked store with a scalar
/// store (see --qnt-scalarize-single-lane-stores).
void populateQntScalarizeSingleLaneStoresPatterns(RewritePatternSet &patterns);

/// Whether this process can use AMX-INT8 tiles: the host CPU has them and
/// the OS grants the tile state (which the first call asks for; the answer
/// is kept for the process).
bool hostHasAMX();

/// Whether the host CPU has AVX512-VNNI (vpdpbusd on 512-bit vectors).
bool hostHasVNNI();

/// Whether the kernels should narrow requantized vectors one at a time on
/// this host (narrow=auto): on AMD Zen with AVX-512 (Zen 4 on), where a
/// saturating truncation per vector beats packing four (measured on Zen 4);
/// elsewhere they pack.
bool hostNarrowsEachVector();

/// The narrow option of --qnt-lower-gemm and --qnt-lower-depthwise (`pass`)
/// as "pack four at a time": pack, each or auto (hostNarrowsEachVector);
/// another value is an error on `op`.
FailureOr<bool> parseNarrowOption(Operation *op, StringRef pass,
                                  StringRef narrow);

/// The module attribute naming the kernels timed by --qnt-profile-kernels,
/// and the runtime functions its probes call.
constexpr StringLiteral kProfileKernelsAttrName =
    QntDialect::kProfileKernelsAttrName;
constexpr StringLiteral kProfileEnterName = "qnt_profile_enter";
constexpr StringLiteral kProfileExitName = "qnt_profile_exit";

/// The attribute holding the entry function's tensor signature.
constexpr StringLiteral kSignatureAttrName = QntDialect::kSignatureAttrName;

#define GEN_PASS_REGISTRATION
#include "qnt/Dialect/Qnt/Transforms/Passes.h.inc"

} // namespace qnt
} // namespace mlir

#endif // QNT_DIALECT_QNT_TRANSFORMS_PASSES_H
