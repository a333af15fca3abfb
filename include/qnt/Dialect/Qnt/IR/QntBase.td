//===- QntBase.td - Qnt dialect definition -----------------*- tablegen -*-===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef QNT_DIALECT_QNT_IR_QNTBASE_TD
#define QNT_DIALECT_QNT_IR_QNTBASE_TD

include "mlir/IR/OpBase.td"

def Qnt_Dialect : Dialect {
  let name = "qnt";
  let cppNamespace = "::mlir::qnt";
  let summary = "Quantization vocabulary of the int8 compilation pipeline";
  let description = [{
    The `qnt` dialect carries what post-training quantization needs on top of
    a float TOSA graph:

    * `qnt.batch_norm`: inference batch normalization, kept as one op until
      `--qnt-fold-batch-norm` folds it into the producing convolution;
    * `qnt.observe`: a quantization point, with the scheme asked for and, once
      the model has been calibrated, the statistics seen on real data;
    * `qnt.fake_quant`: quantize-then-dequantize with parameters given as an
      upstream `!quant.uniform` type (per tensor or per axis);
    * `qnt.quantize`, `qnt.dequantize`: float to integer storage and back,
      where integers cross the model boundary (pre-quantized ONNX models).

    Scale, zero point, storage type and axis are never reinvented here: they
    are the upstream `quant` dialect's types. This dialect is named `qnt`
    (namespace `mlir::qnt`) because upstream already owns `quant`.
  }];
  // Not TOSA: loading TOSA loads this dialect (see registerAllDialects), so
  // the reverse dependency would recurse.
  let dependentDialects = ["::mlir::quant::QuantDialect",
                           "::mlir::arith::ArithDialect"];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    /// `true` on a `tosa.clamp` fused into the op producing its input (see
    /// --qnt-fuse-activations). Not a unit attribute: the TOSA clamp parser
    /// does not accept those in its attribute dictionary.
    static constexpr ::llvm::StringLiteral kFusedAttrName = "qnt.fused";
    /// `true` on an op that --qnt-insert-observers leaves in float.
    static constexpr ::llvm::StringLiteral kKeepFloatAttrName =
        "qnt.keep_float";
    /// The entry function's tensor signature (see --qnt-record-signature).
    static constexpr ::llvm::StringLiteral kSignatureAttrName =
        "qnt.signature";
    /// On a module: the names of the kernels --qnt-profile-kernels timed.
    static constexpr ::llvm::StringLiteral kProfileKernelsAttrName =
        "qnt.profile_kernels";

    /// Whether `op` may produce the input of a fused activation.
    static bool isFusionAnchor(::mlir::Operation *op);
    /// Whether `op`'s result has the quantization parameters of its first
    /// operand: data movement, max pooling and clamps (a fused clamp belongs
    /// to its unit instead). Shared by every pass that propagates scales.
    static bool isSameScaleOp(::mlir::Operation *op);
    /// The anchor of the unit `op` closes: non-null when `op` is a clamp
    /// marked `qnt.fused` whose input still comes from an anchor that only
    /// the clamp uses (rewrites after fusion may have broken the unit).
    static ::mlir::Operation *getFusedProducer(::mlir::Operation *op);
  }];
}

class Qnt_Op<string mnemonic, list<Trait> traits = []>
    : Op<Qnt_Dialect, mnemonic, traits>;

#endif // QNT_DIALECT_QNT_IR_QNTBASE_TD
