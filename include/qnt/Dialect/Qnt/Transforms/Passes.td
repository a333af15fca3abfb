//===- Passes.td - Qnt dialect passes ----------------------*- tablegen -*-===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef QNT_DIALECT_QNT_TRANSFORMS_PASSES_TD
#define QNT_DIALECT_QNT_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def QntExpandOpsPass : Pass<"qnt-expand-ops", "func::FuncOp"> {
  let summary = "Expand qnt ops into float TOSA and linalg so the graph runs";
  let description = [{
    Makes a float or fake-quant graph executable by upstream lowerings:

    * `qnt.observe` becomes its input (an observer only marks a point);
    * `qnt.batch_norm` becomes a per-channel multiply-add in TOSA,
      `x * m + (beta - mean * m)` with `m = gamma * rsqrt(variance + epsilon)`
      (`--qnt-fold-batch-norm` removes it before this wherever it can);
    * `qnt.fake_quant` becomes an elementwise `linalg.generic` computing the
      numerics contract in float32: `q = clamp(roundeven(x / s) + z, qmin,
      qmax)`, NaN -> z, `y = (q - z) * s`, with per-axis scales and zero
      points read along the quantized dimension;
    * the `qnt.fused` marking of activations is dropped (it describes the
      TOSA graph, which lowering takes apart).

    ```mlir
    %y = qnt.fake_quant %x, !quant.uniform<u8:f32, 0.5:128> : tensor<4xf32>
    // becomes
    %y = linalg.generic {...} ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
      ^bb0(%in: f32, %out: f32):
        %d = arith.divf %in, %s : f32
        %r = math.roundeven %d : f32
        ...
    }
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::tosa::TosaDialect",
  ];
}

def QntFoldBatchNormPass : Pass<"qnt-fold-batch-norm", "func::FuncOp"> {
  let summary = "Fold BatchNorm and per-channel affine chains into convs and matmuls";
  let description = [{
    With `k = gamma / sqrt(var + eps)` and `s = beta - mean * k` per channel:

    * a `qnt.batch_norm` after a `tosa.conv2d`, `tosa.depthwise_conv2d`,
      `tosa.transpose_conv2d` or `tosa.matmul` with constant weights folds
      into them: `w' = w * k[c]` per output channel, `b' = b * k + s`
      (a matmul's bias is the constant `tosa.add` after it, created when
      there is none; reshapes that keep the channel dimension are looked
      through);
    * a `qnt.batch_norm` before a `tosa.conv2d` or `tosa.depthwise_conv2d`
      without padding folds forward: `w' = w * k[i]` per input channel,
      `b' = b + sum(w * s[i])` (padding would see 0 instead of `s`);
    * `tosa.mul`, `tosa.add`, `tosa.sub` by a constant broadcast along the
      channel dimension right after such an op fold the same way (the shape
      other frontends give BatchNorm).

    Nothing folds when the weights or parameters are not constant, when an
    intermediate result has other users that need the unfolded value, or when
    the channel dimension is not the innermost one. A `qnt.batch_norm` that
    cannot be folded becomes a per-channel multiply-add so the program still
    runs. With `remarks`, every refusal is reported with its reason.

    ```mlir
    %y = tosa.conv2d %x, %w, %b, %zp, %zp {...}
    %z = qnt.batch_norm %y, %gamma, %beta, %mean, %var {axis = 3 : i64, ...}
    // becomes
    %z = tosa.conv2d %x, %w_folded, %b_folded, %zp, %zp {...}
    ```
  }];
  let options = [
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Report every BatchNorm or affine chain that is not folded, and why">,
  ];
  let dependentDialects = ["::mlir::tosa::TosaDialect"];
}

def QntFuseActivationsPass : Pass<"qnt-fuse-activations", "func::FuncOp"> {
  let summary = "Make conv/matmul/add + ReLU, ReLU6 or Clip(0, x) one quantization unit";
  let description = [{
    A `tosa.clamp` that clamps at 0 from below (ReLU: `[0, +inf]`, ReLU6:
    `[0, 6]`, `Clip(0, x)`) right after a `tosa.conv2d`,
    `tosa.depthwise_conv2d`, `tosa.transpose_conv2d`, `tosa.matmul` or
    `tosa.add` whose only user it is gets the attribute `qnt.fused = true`:

    ```mlir
    %y = tosa.conv2d %x, %w, %b, %zp, %zp {...}
    %r = tosa.clamp %y {min_val = 0.0 : f32, max_val = 6.0 : f32, qnt.fused = true}
    ```

    The pair is then one quantization unit: observers go after the clamp,
    never between, and the integer lowering folds the clamp into the
    requantization of the producer. The dialect verifies the marking (a
    clamp at 0 with a positive upper bound); consumers take the unit from
    `QntDialect::getFusedProducer`, which checks it is still intact. `--qnt-expand-ops` drops it before lowering. With
    `remarks`, clamps that are not fused are reported with the reason.
  }];
  let options = [
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Report activations that are not fused, and why">,
  ];
  let dependentDialects = ["::mlir::tosa::TosaDialect"];
}

def QntInsertObserversPass : Pass<"qnt-insert-observers", "func::FuncOp"> {
  let summary = "Place qnt.observe wherever the integer program needs a scale";
  let description = [{
    Inserts `qnt.observe` on a float TOSA graph (after BatchNorm folding and
    activation fusion) exactly where the integer program will need a scale:

    * activations: the model inputs, the outputs of conv2d /
      depthwise_conv2d / transpose_conv2d / matmul units (after their bias
      add and their fused activation, never inside a unit), the outputs of
      residual adds, the inputs and output of concat, the outputs of
      avg_pool2d and of ops that have no integer lowering; same-scale ops
      (max_pool2d, reshape, transpose, pad, slice, unfused clamp) get none;
    * weights: the constant weight operand of every quantized conv and
      matmul, with the weight scheme; their ranges come from the constants
      themselves, so calibration leaves them alone.

    Ops left in float (by ONNX node name, by op kind, or the first/last conv
    or matmul) get `qnt.keep_float = true` and no weight observer; their
    activations are observed only where a quantized neighbour needs a scale.
    Observer names come from the ONNX node names in the op locations (the
    entry argument's `onnx.name` for inputs), made unique.

    ```mlir
    %y = tosa.conv2d %x, %w, ...
    %r = tosa.clamp %y {..., qnt.fused = true}
    // becomes
    %wo = qnt.observe %w weight #qnt.scheme<i8, symmetric, narrow, axis = 0> "conv1.weight"
    %y = tosa.conv2d %x, %wo, ...
    %r = tosa.clamp %y {..., qnt.fused = true}
    %ro = qnt.observe %r activation #qnt.scheme<u8, affine> "conv1"
    ```
  }];
  let options = [
    Option<"activations", "activations", "std::string",
           /*default=*/"\"asymmetric-u8\"",
           "Activation scheme: asymmetric-u8 (default) or symmetric-i8">,
    Option<"weights", "weights", "std::string",
           /*default=*/"\"per-channel-symmetric\"",
           "Weight scheme: per-channel-symmetric (default), "
           "per-tensor-symmetric, per-channel-affine, per-tensor-affine">,
    Option<"bits", "bits", "unsigned", /*default=*/"8",
           "Bit width of activations and weights (2 to 16)">,
    Option<"reduceRange", "reduce-range", "bool", /*default=*/"false",
           "Use one bit less for activations (PyTorch's reduce_range)">,
    ListOption<"skipNames", "skip-names", "std::string",
               "ONNX node names of ops to leave in float">,
    ListOption<"skipOps", "skip-ops", "std::string",
               "Op kinds to leave in float (conv2d, depthwise_conv2d, "
               "transpose_conv2d, matmul, add, avg_pool2d, concat)">,
    Option<"keepFirst", "keep-first", "bool", /*default=*/"false",
           "Leave the first conv/matmul in float">,
    Option<"keepLast", "keep-last", "bool", /*default=*/"false",
           "Leave the last conv/matmul in float">,
  ];
  let dependentDialects = ["::mlir::qnt::QntDialect"];
}

def QntQuantizePass : Pass<"qnt-quantize", "func::FuncOp"> {
  let summary = "Turn a calibrated graph into the fake-quant graph";
  let description = [{
    Replaces every `qnt.observe` of a calibrated graph with `qnt.fake_quant`:

    * activations: the range comes from the chosen calibrator
      (`calibration=minmax|ema|percentile|entropy|mse`) applied to the
      observer's statistics, the parameters from the observer's scheme
      (`chooseQuantParams`, so the range always contains 0);
    * weights: per output channel (or per tensor, as the scheme says)
      straight from the constant values;
    * bias of a quantized conv, depthwise conv, transpose conv or matmul
      unit: an int32 `fake_quant` with scale `s_in * s_w[c]` and zero point
      0; a channel whose bias would not fit int32 gets a wider scale
      `|b| / (2^31 - 1)` (a remark says so);
    * concat: one set of parameters for all inputs and the output, from the
      union of their ranges; an input whose observer also feeds other ops
      keeps its own parameters and gets an explicit requantizing
      `fake_quant` in front of the concat;
    * add: each input keeps its parameters, the output has its own;
    * same-scale ops (max_pool2d, reshape, transpose, pad, slice, identity)
      pass their input's parameters on: their result gets a `fake_quant`
      with the same type, which documents the scale for the integer
      lowering and changes no value;
    * ops with no integer lowering keep computing in float between the
      fake_quant of their inputs and of their output.

    ```mlir
    %0 = qnt.observe %x activation #qnt.scheme<u8, affine> "x" {stats = ...}
    // becomes, with calibration=minmax and stats min = 0, max = 2.55
    %0 = qnt.fake_quant %x, !quant.uniform<u8:f32, 0.01:0>
    ```
  }];
  let options = [
    Option<"calibration", "calibration", "std::string",
           /*default=*/"\"minmax\"",
           "Activation calibrator: minmax, ema, percentile, entropy, mse">,
    Option<"percentile", "percentile", "double", /*default=*/"99.99",
           "Percentile (in percent) of the percentile calibrator">,
    Option<"entropyBins", "entropy-bins", "int64_t", /*default=*/"2048",
           "Histogram bins of the entropy (KL) calibrator">,
    Option<"entropyStartBin", "entropy-start-bin", "int64_t",
           /*default=*/"128",
           "Smallest candidate threshold of the entropy calibrator, in bins">,
    Option<"entropySmoothing", "entropy-smoothing", "double",
           /*default=*/"1e-4",
           "Smoothing of empty bins in the entropy calibrator">,
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Report the range chosen for every activation and widened biases">,
  ];
  let dependentDialects = [
    "::mlir::qnt::QntDialect",
    "::mlir::quant::QuantDialect",
    "::mlir::tosa::TosaDialect",
  ];
}

def QntInstrumentObserversPass
    : Pass<"qnt-instrument-observers", "ModuleOp"> {
  let summary = "Turn activation observers into calls to the calibration runtime";
  let description = [{
    For calibration: every activation `qnt.observe` becomes its input plus a
    call that hands the tensor to the runtime,

    ```mlir
    %m = bufferization.to_buffer %x read_only : tensor<1x8xf32> to memref<1x8xf32>
    %p = memref.extract_aligned_pointer_as_index %m : memref<1x8xf32> -> index
    func.call @qnt_observe(%id, %samples, %size, %address) : (i64, i64, i64, i64) -> ()
    ```

    where `%id` is the observer's position among the module's activation
    observers in walk order and `@qnt_observe` a private declaration
    (resolved to the runtime of `quant-calibrate`). The call also passes the
    number of samples the tensor holds and their size: with `batch-size` set,
    a tensor whose dimension 0 is not that batch is not batch-major and is
    reported as 0 samples (one record per run). Weight observers become their
    input. Used by `quant-calibrate`.
  }];
  let options = [
    Option<"batchSize", "batch-size", "int64_t", /*default=*/"0",
           "The entry's batch dimension (0: dimension 0 of every observed "
           "tensor is its batch)">,
  ];
  let dependentDialects = [
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::arith::ArithDialect",
  ];
}

def QntRecordSignaturePass : Pass<"qnt-record-signature", "ModuleOp"> {
  let summary = "Record the entry function's tensor signature before lowering";
  let description = [{
    Stores the type of the entry function, `(tensor<...>) -> tensor<...>`, as
    the attribute `qnt.signature` on it. Lowering to LLVM with the bare-pointer
    calling convention erases shapes from the signature; `quant-run` reads
    this attribute to check and batch the inputs of an already lowered
    module. Does nothing when there is no entry function or it already has
    a recorded signature (`--convert-qnt-to-linalg=int8-io` records `ui8`
    for unsigned integer boundaries held as `i8`).
  }];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"main\"",
           "Name of the entry function">,
  ];
}

def QntLowerDotU8S8Pass : Pass<"qnt-lower-dot-u8s8", "ModuleOp"> {
  let summary = "Lower qnt.dot_u8s8, qnt.dot_s16s16 and qnt.pack_s8 to "
                "AVX-512 (VNNI, BW) or to vector arithmetic";
  let description = [{
    With `vnni` (the default where the host CPU has AVX512-VNNI), every
    `qnt.dot_u8s8` becomes a call of the LLVM intrinsic
    `llvm.x86.avx512.vpdpbusd.512` and every `qnt.dot_s16s16` one of
    `llvm.x86.avx512.vpdpwssd.512`, which the x86 backend selects as one
    `vpdpbusd` (`vpdpwssd`) instruction, and every `qnt.pack_s8` two or
    three calls of `llvm.x86.avx512.packssdw.512` / `packsswb.512` and a
    dword shuffle (`vpermd`) that puts the lanes, which the packs interleave
    within 128-bit lanes, back in order (every CPU with AVX512-VNNI has
    AVX512-BW). Without it, the same arithmetic in vector ops (products
    widened to i32, four or two lanes summed; clamps, truncations and
    concatenating shuffles), correct on every CPU.
  }];
  let options = [
    Option<"vnni", "vnni", "std::string", /*default=*/"\"auto\"",
           "Use AVX512-VNNI's vpdpbusd: auto (if the host has it), on, off">
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::vector::VectorDialect"];
}

def QntFlipInt8ActivationsPass
    : Pass<"qnt-flip-int8-activations", "func::FuncOp"> {
  let summary = "Store the int8 inputs of the u8 x s8 kernels as their u8 "
                "bits";
  let description = [{
    The int8 kernels of `--qnt-lower-gemm` and `--qnt-lower-depthwise`
    multiply u8 x s8 (`vpdpbusd`, `tdpbusd`) and read an s8 activation `a`
    as `a xor 0x80`, flipping it in a copy of their input. This pass makes
    an elementwise `linalg.generic` with an i8 tensor result (a
    requantize) that an int8 convolution or matmul reads (directly or
    through a `tensor.pad`) yield its value xor 0x80 instead, and gives
    each of its users a generic that flips it back:

    ```mlir
    %u = linalg.generic ... { ...; %f = arith.xori %v, %c-128_i8; linalg.yield %f }
    %a = linalg.generic ins(%u) ... { %x = arith.xori %in, %c-128_i8; linalg.yield %x }
    %y = linalg.conv_2d_nhwc_fhwc_q ins(%a, ...)
    ```

    The IR means the same. The kernels read through the flip back (the u8
    bits are what they need: no flip, often no copy); where a producing
    kernel runs the generic in its epilogue the xor is one op per 64
    bytes, and a flip back that another user keeps (a residual add) fuses
    into it. Runs in `--qnt-lower-to-llvm` before the kernel passes.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

// The narrow option of the int8 kernels' passes (--qnt-lower-gemm,
// --qnt-lower-depthwise).
defvar NarrowOption =
    Option<"narrow", "narrow", "std::string", /*default=*/"\"pack\"",
           "How a requantize to int8 narrows its i32 vectors before they "
           "are stored: pack (four or two vectors at a time, qnt.pack_s8: "
           "vpackssdw, vpacksswb, vpermd and one clamp per 64 bytes; the "
           "faster form on the Intel Xeon hosts measured), each (one "
           "saturating truncation per 16 outputs, vpmovsdb; faster on AMD "
           "Zen 4, see docs/performance.md), auto (each on an AMD Zen "
           "host with AVX-512, else pack); --qnt-lower-to-llvm passes "
           "auto">;

def QntLowerGemmPass : Pass<"qnt-lower-gemm", "func::FuncOp"> {
  let summary = "Convolutions and matmuls with constant weights as packed "
                "register-tiled GEMM microkernels";
  let description = [{
    Rewrites `linalg.conv_2d_nhwc_fhwc(_q)` and one-batch
    `linalg.(quantized_)batch_matmul` on tensors with constant weights (for
    int8: symmetric) into one GEMM each, over output pixels x output
    channels, K = KH * KW * C. For int8:

    ```
    C[m, n] = init[m, n] - (z_a + 128) * colsum(w)[n] + sum_k u[m, k] * w[n, k]
    ```

    with `u = a xor 0x80` (the u8 value of the s8 activation storage), four
    bytes of K per `qnt.dot_u8s8` (vpdpbusd); for f32 a vector FMA per K.
    A KHxKW convolution with dilation 1 reads its activations in place
    ("implicit GEMM") from a padded copy of its input (int8: sign bit
    flipped), written in one pass, when that is no more work than im2col:
    per kernel row the KW * C taps are one contiguous run of the padded
    row (int8: read in whole K steps of 4 bytes, the bytes past the run
    weighing 0); its row tiles stay within an output row (on AMX tiles,
    when each run is whole 64-byte K steps, an A tile is 16 pixels of an
    output row, loaded with the pixels' stride). A 1x1 convolution and a
    matmul read their activations as rows (int8: flipped once into the
    rows and K the kernel needs: whole AMX tiles, or K steps of 4).
    Otherwise the activations are packed once (im2col; int8: K padded to a
    multiple of 4). The weights are packed at compile time to `[N/NR][K/KS][NR * KS]`,
    and the zero-point correction and a constant init (fill or broadcast
    bias) are added as the accumulators start. The kernel keeps MR x NR
    accumulators (NR = 16, 32, 48 or 64 lanes, MR = 16, 12, 8 or 6 rows) in
    registers through the K loop; the last M % MR rows get a kernel of
    their height, and a last, partial column tile computes and stores only
    its columns (the result is [M, N], nothing to slice). The elementwise
    consumers of a convolution's or a matmul's accumulators (the
    requantize) run on them in registers; a requantize to int8 that ends in
    a clamp within [-128, 127] narrows its vectors four at a time
    (`qnt.pack_s8`, the clamp once per 64 bytes) with narrow=pack, each by
    itself with narrow=each. A convolution whose
    result (or fused consumer's) is only an input of a `tensor.concat`
    along the channels writes into
    its slot of the result: the concat becomes a chain of
    `tensor.insert_slice`s that bufferizes in place. A
    `linalg.pooling_nhwc_max` with a p x p window at stride p (no padding,
    dilation 1) that is the only use of a convolution read in place on
    vectors, with a constant init, runs on its accumulators when the fused
    consumers are non-decreasing in them over their range (a requantize
    whose products and shifts cannot wrap, a clamp; float: adds, positive
    scales, `maximumf`/`minimumf`): the maximum of each window's p * p
    accumulators is requantized once, and only the pooled result is
    stored, bit for bit what the pool of the requantized result is (a 1x1
    convolution so pooled reads its input in place too). A max pool of a
    channel concatenation (insert_slices into a `tensor.empty`) first
    becomes the concatenation of its parts' pools, so that each part's
    kernel pools into its slot of the pooled result. Other forms (affine
    weights, runtime weights, dynamic shapes, batches) are left alone.
  }];
  let options = [
    NarrowOption,
    Option<"amx", "amx", "std::string", /*default=*/"\"off\"",
           "int8 GEMMs on AMX tiles (tdpbusd): K a multiple of 64 "
           "(convolutions read in place: each kernel row padded to 64 bytes "
           "when that adds at most half of K and a row of output pixels "
           "fills at least half of its 16-pixel tiles), or for rows read "
           "from a 1x1 convolution's or a matmul's input any K that is "
           "more than half of K padded to 64: auto (if the host has "
           "AMX-INT8), on, off; the running process must have the AMX tile "
           "state from the OS">
  ];
  let dependentDialects = ["::mlir::amx::AMXDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::qnt::QntDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
}

def QntLowerMemRefCopyPass : Pass<"qnt-lower-memref-copy", "func::FuncOp"> {
  let summary = "Strided memref.copy as linalg.copy, so it becomes loops";
  let description = [{
    Bufferization writes padded and concatenated tensors with `memref.copy`
    into strided subviews, which the LLVM lowering turns into calls of the
    generic runtime routine `memrefCopy` (element by element). As
    `linalg.copy` they become loops (after `convert-linalg-to-loops`) whose
    contiguous innermost dimension LLVM vectorizes. Contiguous copies are
    left alone: they already become `memcpy`.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def QntLowerDepthwisePass : Pass<"qnt-lower-depthwise", "func::FuncOp"> {
  let summary = "Depthwise convolutions vectorized over 16 channels";
  let description = [{
    Rewrites `linalg.depthwise_conv_2d_nhwc_hwcm(_q)` on tensors (channel
    multiplier 1, constant weights; int8: symmetric) into loops over output
    pixels whose body handles 16 channels per vector with the taps unrolled
    (a last partial block of channels with masked reads and writes):

    ```
    acc[c] = init[c] - z_x * sum_t w[t, c] + sum_t x[pixel(t), c] * w[t, c]
    ```

    int8 with dilation 1 first rewrites the (padded) input of each image,
    a ring of KH rows ahead of the output rows, as u8 quads: four adjacent
    columns interleaved per channel, plus 128, one quad every second
    column at an odd stride and every fourth at an even one. One
    `qnt.dot_u8s8` (`vpdpbusd`) then adds four taps of a kernel row for 16
    channels, with the row's weights shifted by the first tap column's
    offset into its quad (`(w0, w1, w2, 0)`, `(0, w0, w1, w2)`, or at an
    even stride `(0, 0, w0, w1)` and a second quad; more quads for wider
    rows); at stride 1 two output columns share the quad reads. With dilation,
    input bytes are sign-extended to i32 lanes and multiplied-added with
    `qnt.dot_s16s16` (`vpdpwssd`) against a table of i16 weight pairs
    `(w, 0)`. f32 uses vector FMAs. The zero-point (and +128)
    correction and a constant init are added as the accumulators start.
    With a constant init, the chain of elementwise consumers that read only
    per-channel constants besides the result (the bias add, the requantize
    to i8 or a `tosa.rescale`) runs on the accumulators before they are
    stored, so an int8 layer writes its i8 output and no i32 tensor;
    output columns are computed eight at a time; with narrow=pack a
    requantize to int8 narrows their vectors four at a time
    (`qnt.pack_s8`), with narrow=each one by one.
  }];
  let options = [
    NarrowOption
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::qnt::QntDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
}

def QntLowerPoolingPass : Pass<"qnt-lower-pooling", "func::FuncOp"> {
  let summary = "Max and sum pooling vectorized over 16 channels";
  let description = [{
    Rewrites `linalg.pooling_nhwc_max` and `linalg.pooling_nhwc_sum` on
    tensors (static shapes; i8/i16/i32 or f32) into loops over output pixels
    whose body combines the unrolled window taps 16 channels at a time
    (`maxsi`/`maximumf`, or an add of the input widened to the accumulator;
    a last partial block with masked reads and writes). The named ops
    reduce over the window innermost, which leaves nothing for LLVM to
    vectorize.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def QntProfileKernelsPass : Pass<"qnt-profile-kernels", "ModuleOp"> {
  let summary = "Time every kernel of the lowered program (quant-run --profile)";
  let description = [{
    Wraps each top-level loop nest and copy of every function body, on
    buffers after `convert-linalg-to-loops`, in calls

    ```
    func.call @qnt_profile_enter(%id) : (i64) -> ()
    ... the kernel ...
    func.call @qnt_profile_exit(%id) : (i64) -> ()
    ```

    and records, as the module attribute `qnt.profile_kernels`, the name of
    kernel `id`: its source location (for an imported ONNX model, the node
    names of the ops it came from). `quant-run --profile` provides the two
    functions and prints the time per kernel. The pipeline
    `--qnt-lower-to-llvm=profile=1` runs this pass; nothing else does.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect"];
}

def QntScalarizeSingleLaneStoresPass
    : Pass<"qnt-scalarize-single-lane-stores", "ModuleOp"> {
  let summary = "Masked stores with one lane set as scalar stores (an LLVM 22 "
                "x86 miscompile)";
  let description = [{
    Rewrites every `llvm.intr.masked.store` whose mask is a constant with
    exactly one lane set into an `llvm.extractelement` of that lane and an
    `llvm.store` at its address:

    ```
    llvm.intr.masked.store %v, %p, %mask {alignment = 1 : i32}
        : vector<16xi8>, vector<16xi1> into !llvm.ptr  // mask: lane 0 only
    // becomes
    %e = llvm.extractelement %v[%c0 : i64] : vector<16xi8>
    llvm.store %e, %p {alignment = 1 : i64} : i8, !llvm.ptr
    ```

    LLVM 22's x86 backend (llvm/llvm-project issue 179489, fixed after
    22.1; Debian's 22.1.8 has it) selects such a store of a truncated
    vector as a scalar store of the untruncated element: `vmovss` writes 4
    bytes for lane 0 of `trunc <16 x i32> to <16 x i8>`. The kernels'
    last partial block of 16 channels stored one lane so when the channel
    count was 1 mod 16 (an int8 depthwise with 17 or 145 channels wrote 3
    bytes of the next pixel); they now store partial blocks as narrower
    vectors, and this pass keeps any one-lane masked store the pipeline
    still produces correct. The last pass of `--qnt-lower-to-llvm`.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def QntStackBuffersPass : Pass<"qnt-stack-buffers", "func::FuncOp"> {
  let summary = "Small intermediate buffers of a function on its stack";
  let description = [{
    Replaces `memref.alloc`s of the function's top level (not in a loop or
    any other region) with a static shape by `memref.alloca`s, in order,
    while each is at most `max-alloc-bytes` and their sum at most
    `max-bytes`, unless a view of the buffer is returned. Runs after
    bufferization and before the deallocation pipeline, which then leaves
    them alone. A small model's intermediate tensors then cost no
    `malloc`/`free` per call (Fashion-MNIST at batch 1: 19 of them), and
    the stack the function needs stays bounded by `max-bytes`; larger
    buffers stay on the heap.
  }];
  let options = [
    Option<"maxBytes", "max-bytes", "uint64_t", /*default=*/"262144",
           "Bytes of buffers moved to the stack at most, in all">,
    Option<"maxAllocBytes", "max-alloc-bytes", "uint64_t",
           /*default=*/"65536", "Bytes of one buffer moved to the stack at "
           "most">
  ];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def QntWriteResultsInPlacePass
    : Pass<"qnt-write-results-in-place", "func::FuncOp"> {
  let summary = "Let the kernels write the entry's out-params, not a copy";
  let description = [{
    After `buffer-results-to-out-params`, a function ends with
    `memref.copy %result, %out` wherever `%result` is not a plain alloc
    (its `hoist-static-allocs` handles only that case). When `%result` is a
    reshape of an alloc, possibly threaded through `scf.for` loops that
    yield the buffer they were given, and `%out` is an argument used only by
    the copy, the alloc is replaced by a view of `%out` with the alloc's
    shape (`expand_shape(collapse_shape(%out))`, identity layouts, the same
    number of elements) and the copy is erased: the kernels write the result
    where the caller wants it. Runs before the deallocation pipeline.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def QntInlineRescaleParamsPass
    : Pass<"qnt-inline-rescale-params", "func::FuncOp"> {
  let summary = "Give tosa.rescale dense multiplier and shift constants";
  let description = [{
    Rewrites the multiplier and shift operands of `tosa.rescale` that are
    `tosa.const` ops holding `dense_resource` blobs into `tosa.const` ops
    with the same values inline. LLVM 22's `tosa-to-linalg` reads
    per-channel rescale parameters only from dense constants; from a blob it
    builds an empty shift tensor and reads it out of bounds. Runs in
    `--qnt-lower-to-llvm` before the TOSA lowering.
  }];
  let dependentDialects = ["::mlir::tosa::TosaDialect"];
}

#endif // QNT_DIALECT_QNT_TRANSFORMS_PASSES_TD
