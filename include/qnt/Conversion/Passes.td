//===- Passes.td - Conversion passes -----------------------*- tablegen -*-===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef QNT_CONVERSION_PASSES_TD
#define QNT_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertQntToLinalgPass : Pass<"convert-qnt-to-linalg", "func::FuncOp"> {
  let summary = "Lower the fake-quant graph to an integer program";
  let description = [{
    Rewrites the fake-quant graph of `--qnt-quantize` into integers
    (docs/IntegerLowering.md): the model inputs are quantized once, every
    quantized activation is held as `i8`/`i16` (unsigned grids offset by
    `-2^(bits-1)` so the sign-extending quantized linalg ops see the right
    values), convolutions and matmuls run as TOSA integer ops with `i32`
    accumulators and `i32` bias (lowered by tosa-to-linalg to
    `linalg.conv_2d_nhwc_fhwc_q`, `linalg.depthwise_conv_2d_nhwc_hwcm_q`,
    `linalg.quantized_batch_matmul`), every change of scale is the
    fixed-point requantize of `Numerics.h` as a `linalg.generic` (per
    channel, with a fused activation's bounds as its clamp), add rescales
    both inputs to a common scale with 20 bits of headroom, same-scale ops
    run on the integers, and the outputs are dequantized once. Ops without
    an integer lowering get a dequantize in front of them.

    With `int8-io`, an entry argument that is only fake-quantized per tensor
    becomes the integer tensor itself, and a quantized result is returned as
    integers in the same way: the program is integer from end to end, and
    the caller quantizes and dequantizes. Signed grids are `i8` values;
    unsigned grids are held as `i8` carrying the `u8` bit pattern, and the
    function's `qnt.signature` records `ui8` for them, so `quant-run` reads
    and writes uint8 data.
  }];
  let options = [
    Option<"int8IO", "int8-io", "bool", /*default=*/"false",
           "Take and return quantized integers instead of floats at the "
           "entry's boundary">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::tosa::TosaDialect",
  ];
}

#endif // QNT_CONVERSION_PASSES_TD
