//===- QntOps.td - Qnt dialect operations ------------------*- tablegen -*-===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef QNT_DIALECT_QNT_IR_QNTOPS_TD
#define QNT_DIALECT_QNT_IR_QNTOPS_TD

include "qnt/Dialect/Qnt/IR/QntBase.td"
include "qnt/Dialect/Qnt/IR/QntAttrs.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Qnt_QuantizedTypeAttr
    : TypeAttrBase<"::mlir::quant::QuantizedType", "quantized type">;

//===----------------------------------------------------------------------===//
// BatchNormOp
//===----------------------------------------------------------------------===//

def Qnt_BatchNormOp : Qnt_Op<"batch_norm", [
    Pure, AllTypesMatch<["input", "output"]>,
    AllTypesMatch<["gamma", "beta", "mean", "variance"]>]> {
  let summary = "inference-mode batch normalization";
  let description = [{
    Normalizes `input` per channel along dimension `axis` with the running
    statistics of training:

    ```
    output = (input - mean[c]) / sqrt(variance[c] + epsilon) * gamma[c] + beta[c]
    ```

    This is ONNX `BatchNormalization` in inference mode. It stays one op until
    `--qnt-fold-batch-norm` folds it into the producing convolution or matmul,
    so that no quantization step ever separates a conv from its normalization.

    ```mlir
    %y = qnt.batch_norm %x, %gamma, %beta, %mean, %var
           {axis = 3 : i64, epsilon = 1.0e-05 : f32}
           : tensor<1x8x8x4xf32>, tensor<4xf32>
    ```
  }];
  let arguments = (ins
    RankedTensorOf<[AnyFloat]>:$input,
    1DTensorOf<[AnyFloat]>:$gamma,
    1DTensorOf<[AnyFloat]>:$beta,
    1DTensorOf<[AnyFloat]>:$mean,
    1DTensorOf<[AnyFloat]>:$variance,
    F32Attr:$epsilon,
    I64Attr:$axis
  );
  let results = (outs RankedTensorOf<[AnyFloat]>:$output);
  let assemblyFormat = [{
    $input `,` $gamma `,` $beta `,` $mean `,` $variance attr-dict `:`
    type($input) `,` type($gamma)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// ObserveOp
//===----------------------------------------------------------------------===//

def Qnt_ObserveOp : Qnt_Op<"observe", [Pure, AllTypesMatch<["input", "output"]>]> {
  let summary = "marks a quantization point and carries its statistics";
  let description = [{
    Identity on a float tensor that marks a place where the integer program
    will need a scale. It records

    * `role`: whether it observes an `activation` or a `weight`;
    * `name`: a stable name, taken from the model when there is one (the ONNX
      tensor name), used in reports and to select points from the command line;
    * `scheme`: the quantization scheme asked for (`#qnt.scheme`);
    * `stats` (optional): what calibration saw there (`#qnt.stats`).

    ```mlir
    %1 = qnt.observe %0 activation #qnt.scheme<u8, affine> "conv1"
           : tensor<1x28x28x8xf32>
    %2 = qnt.observe %w weight #qnt.scheme<i8, symmetric, narrow, axis = 0>
           "conv1.weight" : tensor<8x3x3x1xf32>
    %3 = qnt.observe %0 activation #qnt.scheme<u8, affine> "conv1"
           {stats = #qnt.stats<count = 6, min = 0.0, max = 2.0, ema_min = 0.0,
                               ema_max = 2.0>} : tensor<1x2x3xf32>
    ```

    The statistics are per tensor (weights take their per-channel ranges from
    the constants themselves).
  }];
  let arguments = (ins
    RankedTensorOf<[AnyFloat]>:$input,
    Qnt_ObserveRole:$role,
    StrAttr:$name,
    Qnt_SchemeAttr:$scheme,
    OptionalAttr<Qnt_StatsAttr>:$stats
  );
  let results = (outs RankedTensorOf<[AnyFloat]>:$output);
  let assemblyFormat = [{
    $input $role qualified($scheme) $name attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// FakeQuantOp
//===----------------------------------------------------------------------===//

def Qnt_FakeQuantOp : Qnt_Op<"fake_quant", [
    Pure, SameOperandsAndResultType]> {
  let summary = "quantize then dequantize with `!quant.uniform` parameters";
  let description = [{
    Simulates the integer program in float: every element is quantized and
    dequantized with the parameters of `qtype`, a `!quant.uniform` type,
    per tensor or per axis (the `quantized dimension` of the type):

    ```
    q = clamp(round_half_even(x / s) + z, qmin, qmax)
    y = s * (q - z)
    ```

    `qmin`/`qmax` are the storage range of the type (`i8<-127:127>` for a
    narrow range). NaN maps to the zero point, so to 0.0.

    ```mlir
    %y = qnt.fake_quant %x, !quant.uniform<u8:f32, 0.1:128> : tensor<1x8xf32>
    %w = qnt.fake_quant %c, !quant.uniform<i8<-127:127>:f32:0, {0.1, 0.2}>
           : tensor<2x3xf32>
    ```

    Folds: of a constant, to the constant of the dequantized values; of
    another `fake_quant` with the same parameters, to that one (the second
    one is an identity on its grid).
  }];
  let arguments = (ins
    RankedTensorOf<[AnyFloat]>:$input,
    Qnt_QuantizedTypeAttr:$qtype
  );
  let results = (outs RankedTensorOf<[AnyFloat]>:$output);
  let assemblyFormat = "$input `,` $qtype attr-dict `:` type($input)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// QuantizeOp and DequantizeOp
//===----------------------------------------------------------------------===//

def Qnt_QuantizeOp : Qnt_Op<"quantize", [Pure]> {
  let summary = "float to integer storage with `!quant.uniform` parameters";
  let description = [{
    Quantizes every element onto the grid of `qtype` (per tensor or per axis)
    and returns the levels as signless integers of the storage width:

    ```
    q = clamp(round_half_even(x / s) + z, qmin, qmax)      (NaN -> z)
    ```

    An unsigned storage type keeps its bit pattern: level 200 of a `u8` grid
    is the `i8` value -56. This is ONNX `QuantizeLinear` with an integer
    result, used where integers cross the model boundary or reach an integer
    operator (QLinearConv, ConvInteger, ...).

    ```mlir
    %q = qnt.quantize %x, !quant.uniform<u8:f32, 0.1:128>
           : tensor<1x8xf32> -> tensor<1x8xi8>
    ```

    Not upstream's `quant.qcast` + `quant.scast`: their tensors of quantized
    element types reach no TOSA op or bufferization, and upstream's
    `--lower-quant-ops` truncates instead of rounding half to even and does
    not saturate.
  }];
  let arguments = (ins
    RankedTensorOf<[F32]>:$input,
    Qnt_QuantizedTypeAttr:$qtype
  );
  let results = (outs RankedTensorOf<[AnySignlessInteger]>:$output);
  let assemblyFormat =
      "$input `,` $qtype attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Qnt_DequantizeOp : Qnt_Op<"dequantize", [Pure]> {
  let summary = "integer storage to float with `!quant.uniform` parameters";
  let description = [{
    Reads signless integers as levels of `qtype` (the bit pattern of an
    unsigned storage type) and returns their real values:

    ```
    y = s * (q - z)
    ```

    This is ONNX `DequantizeLinear` of a runtime integer tensor.
    Canonicalizes: of a `qnt.quantize` with the same parameters, to one
    `qnt.fake_quant`.

    ```mlir
    %y = qnt.dequantize %q, !quant.uniform<u8:f32, 0.1:128>
           : tensor<1x8xi8> -> tensor<1x8xf32>
    ```
  }];
  let arguments = (ins
    RankedTensorOf<[AnySignlessInteger]>:$input,
    Qnt_QuantizedTypeAttr:$qtype
  );
  let results = (outs RankedTensorOf<[F32]>:$output);
  let assemblyFormat =
      "$input `,` $qtype attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasCanonicalizeMethod = 1;
}

//===----------------------------------------------------------------------===//
// DotU8S8Op
//===----------------------------------------------------------------------===//

def Qnt_DotU8S8Op : Qnt_Op<"dot_u8s8", [Pure,
    AllTypesMatch<["acc", "result"]>, AllTypesMatch<["lhs", "rhs"]>]> {
  let summary = "groups of four u8 x s8 products added to i32 lanes";
  let description = [{
    The dot-product step of the integer microkernels:

    ```
    result[i] = acc[i] + sum_{t < 4} zext(lhs[4i + t]) * sext(rhs[4i + t])
    ```

    with wrapping i32 arithmetic. It is AVX512-VNNI's `vpdpbusd` on 512-bit
    vectors; `--qnt-lower-dot-u8s8` lowers it to that instruction's LLVM
    intrinsic on CPUs that have it and to plain vector arithmetic elsewhere.
    An op of its own rather than `llvm.call_intrinsic` in the kernels: it is
    pure, so bufferization and the vector passes move and fold around it.

    ```mlir
    %r = qnt.dot_u8s8 %acc, %a, %b : vector<16xi32>, vector<64xi8>
    ```
  }];
  let arguments = (ins
    VectorOfLengthAndType<[16], [I32]>:$acc,
    VectorOfLengthAndType<[64], [I8]>:$lhs,
    VectorOfLengthAndType<[64], [I8]>:$rhs
  );
  let results = (outs VectorOfLengthAndType<[16], [I32]>:$result);
  let assemblyFormat =
      "$acc `,` $lhs `,` $rhs attr-dict `:` type($acc) `,` type($lhs)";
}

def Qnt_DotS16S16Op : Qnt_Op<"dot_s16s16", [Pure,
    AllTypesMatch<["acc", "result"]>, AllTypesMatch<["lhs", "rhs"]>]> {
  let summary = "pairs of s16 x s16 products added to i32 lanes";
  let description = [{
    The multiply-accumulate step of the depthwise int8 kernels:

    ```
    result[i] = acc[i] + sum_{t < 2} sext(lhs[2i + t]) * sext(rhs[2i + t])
    ```

    with wrapping i32 arithmetic. It is AVX512-VNNI's `vpdpwssd` on 512-bit
    vectors (one instruction for what `vpmulld` and `vpaddd` do in three
    uops). A depthwise kernel passes each sign-extended i8 input as an i32
    lane, i.e. the pair (x, sign), against the weight pair (w, 0):
    `x * w + sign * 0`. `--qnt-lower-dot-u8s8` lowers it to the intrinsic on
    CPUs that have it and to plain vector arithmetic elsewhere.

    ```mlir
    %r = qnt.dot_s16s16 %acc, %a, %b : vector<16xi32>, vector<32xi16>
    ```
  }];
  let arguments = (ins
    VectorOfLengthAndType<[16], [I32]>:$acc,
    VectorOfLengthAndType<[32], [I16]>:$lhs,
    VectorOfLengthAndType<[32], [I16]>:$rhs
  );
  let results = (outs VectorOfLengthAndType<[16], [I32]>:$result);
  let assemblyFormat =
      "$acc `,` $lhs `,` $rhs attr-dict `:` type($acc) `,` type($lhs)";
}

//===----------------------------------------------------------------------===//
// PackS8Op
//===----------------------------------------------------------------------===//

def Qnt_PackS8Op : Qnt_Op<"pack_s8", [Pure, SameTypeOperands]> {
  let summary = "i32 lanes of two or four vectors saturated to one s8 vector";
  let description = [{
    The narrowing step of the int8 kernels' requantize: the i32 lanes of the
    operands, in order, each saturated to [-128, 127]:

    ```
    result[16 * j + i] = clamp(operand_j[i], -128, 127)
    ```

    for 2 or 4 operands of 16 lanes (a result of 32 or 64 lanes). On x86
    with AVX512-BW it is two or three pack instructions and one dword
    permute (`vpackssdw`, `vpacksswb`, `vpermd`) for what `vpmovsdb` does
    in two uops per operand; a kernel's clamp to its output range then runs
    once per 64 bytes instead of twice per 16 lanes. `--qnt-pack-narrowing`
    forms it, `--qnt-lower-dot-u8s8` lowers it to the intrinsics on VNNI
    CPUs and to clamps, truncations and shuffles elsewhere.

    ```mlir
    %r = qnt.pack_s8 %a, %b : vector<16xi32>, vector<16xi32> -> vector<32xi8>
    ```
  }];
  let arguments = (ins Variadic<VectorOfLengthAndType<[16], [I32]>>:$inputs);
  let results = (outs VectorOfLengthAndType<[32, 64], [I8]>:$result);
  let assemblyFormat =
      "$inputs attr-dict `:` type($inputs) `->` type($result)";
  let hasVerifier = 1;
}

#endif // QNT_DIALECT_QNT_IR_QNTOPS_TD
