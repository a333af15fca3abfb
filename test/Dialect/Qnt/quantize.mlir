// RUN: quant-opt %s --split-input-file --qnt-quantize | FileCheck %s

// Ranges are chosen so that every scale is a power of two and prints exactly:
// u8 affine over [0, 15.9375] has scale 2^-4 = 0.0625 and zero point 0.

// Concat: the inputs and the output share one set of parameters, the union
// of their ranges ([-16, 15.875] -> scale 0.125, zero point 128).
// CHECK-LABEL: func.func @concat
// CHECK: %[[A:.*]] = qnt.fake_quant %arg0, !quant.uniform<u8:f32, 1.250000e-01:128>
// CHECK: %[[B:.*]] = qnt.fake_quant %arg1, !quant.uniform<u8:f32, 1.250000e-01:128>
// CHECK: %[[C:.*]] = tosa.concat %[[A]], %[[B]]
// CHECK: qnt.fake_quant %[[C]], !quant.uniform<u8:f32, 1.250000e-01:128>
func.func @concat(%a: tensor<1x2x2x1xf32>, %b: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32> {
  %0 = qnt.observe %a activation #qnt.scheme<u8, affine> "a" {stats = #qnt.stats<count = 4, min = 0.0, max = 15.875, ema_min = 0.0, ema_max = 15.875>} : tensor<1x2x2x1xf32>
  %1 = qnt.observe %b activation #qnt.scheme<u8, affine> "b" {stats = #qnt.stats<count = 4, min = -16.0, max = 1.0, ema_min = -16.0, ema_max = 1.0>} : tensor<1x2x2x1xf32>
  %2 = tosa.concat %0, %1 {axis = 3 : i32} : (tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32>
  %3 = qnt.observe %2 activation #qnt.scheme<u8, affine> "c" {stats = #qnt.stats<count = 8, min = -16.0, max = 15.875, ema_min = -16.0, ema_max = 15.875>} : tensor<1x2x2x2xf32>
  return %3 : tensor<1x2x2x2xf32>
}

// -----

// An input that another op also uses keeps its own parameters and is
// requantized in front of the concat.
// CHECK-LABEL: func.func @concat_shared_input
// CHECK: %[[A:.*]] = qnt.fake_quant %arg0, !quant.uniform<u8:f32, 6.250000e-02>
// CHECK: %[[B:.*]] = qnt.fake_quant %arg1, !quant.uniform<u8:f32, 1.250000e-01>
// CHECK: %[[R:.*]] = qnt.fake_quant %[[A]], !quant.uniform<u8:f32, 1.250000e-01>
// CHECK: %[[C:.*]] = tosa.concat %[[R]], %[[B]]
// CHECK: qnt.fake_quant %[[C]], !quant.uniform<u8:f32, 1.250000e-01>
// CHECK: tosa.exp %[[A]]
func.func @concat_shared_input(%a: tensor<1x2x2x1xf32>, %b: tensor<1x2x2x1xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x1xf32>) {
  %0 = qnt.observe %a activation #qnt.scheme<u8, affine> "a" {stats = #qnt.stats<count = 4, min = 0.0, max = 15.9375, ema_min = 0.0, ema_max = 15.9375>} : tensor<1x2x2x1xf32>
  %1 = qnt.observe %b activation #qnt.scheme<u8, affine> "b" {stats = #qnt.stats<count = 4, min = 0.0, max = 31.875, ema_min = 0.0, ema_max = 31.875>} : tensor<1x2x2x1xf32>
  %2 = tosa.concat %0, %1 {axis = 3 : i32} : (tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32>
  %3 = qnt.observe %2 activation #qnt.scheme<u8, affine> "c" {stats = #qnt.stats<count = 8, min = 0.0, max = 31.875, ema_min = 0.0, ema_max = 31.875>} : tensor<1x2x2x2xf32>
  %4 = tosa.exp %0 : (tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
  %5 = qnt.observe %4 activation #qnt.scheme<u8, affine> "e" {stats = #qnt.stats<count = 4, min = 1.0, max = 15.9375, ema_min = 1.0, ema_max = 15.9375>} : tensor<1x2x2x1xf32>
  return %3, %5 : tensor<1x2x2x2xf32>, tensor<1x2x2x1xf32>
}

// -----

// Add: both inputs and the output keep three distinct parameter sets.
// CHECK-LABEL: func.func @add
// CHECK: %[[A:.*]] = qnt.fake_quant %arg0, !quant.uniform<u8:f32, 6.250000e-02>
// CHECK: %[[B:.*]] = qnt.fake_quant %arg1, !quant.uniform<u8:f32, 1.250000e-01>
// CHECK: %[[S:.*]] = tosa.add %[[A]], %[[B]]
// CHECK: qnt.fake_quant %[[S]], !quant.uniform<u8:f32, 2.500000e-01>
func.func @add(%a: tensor<1x4xf32>, %b: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = qnt.observe %a activation #qnt.scheme<u8, affine> "a" {stats = #qnt.stats<count = 4, min = 0.0, max = 15.9375, ema_min = 0.0, ema_max = 15.9375>} : tensor<1x4xf32>
  %1 = qnt.observe %b activation #qnt.scheme<u8, affine> "b" {stats = #qnt.stats<count = 4, min = 0.0, max = 31.875, ema_min = 0.0, ema_max = 31.875>} : tensor<1x4xf32>
  %2 = tosa.add %0, %1 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %3 = qnt.observe %2 activation #qnt.scheme<u8, affine> "s" {stats = #qnt.stats<count = 4, min = 0.0, max = 63.75, ema_min = 0.0, ema_max = 63.75>} : tensor<1x4xf32>
  return %3 : tensor<1x4xf32>
}

// -----

// Max-pool and reshape pass their input's parameters on.
// CHECK-LABEL: func.func @same_scale
// CHECK: %[[A:.*]] = qnt.fake_quant %arg0, !quant.uniform<u8:f32, 6.250000e-02>
// CHECK: %[[P:.*]] = tosa.max_pool2d %[[A]]
// CHECK: %[[PQ:.*]] = qnt.fake_quant %[[P]], !quant.uniform<u8:f32, 6.250000e-02>
// CHECK: %[[R:.*]] = tosa.reshape %[[PQ]]
// CHECK: %[[RQ:.*]] = qnt.fake_quant %[[R]], !quant.uniform<u8:f32, 6.250000e-02>
// CHECK: return %[[RQ]]
func.func @same_scale(%a: tensor<1x4x4x1xf32>) -> tensor<1x4xf32> {
  %0 = qnt.observe %a activation #qnt.scheme<u8, affine> "a" {stats = #qnt.stats<count = 16, min = 0.0, max = 15.9375, ema_min = 0.0, ema_max = 15.9375>} : tensor<1x4x4x1xf32>
  %1 = tosa.max_pool2d %0 {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x1xf32>) -> tensor<1x2x2x1xf32>
  %s = tosa.const_shape {values = dense<[1, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %2 = tosa.reshape %1, %s : (tensor<1x2x2x1xf32>, !tosa.shape<2>) -> tensor<1x4xf32>
  return %2 : tensor<1x4xf32>
}

// -----

// Conv: weights per output channel (symmetric, narrow: max |w| / 127), bias
// int32 at s_in * s_w[c] with zero point 0. s_in = 2^-4, s_w = [2^-7, 2^-6].
// CHECK-LABEL: func.func @conv_bias
// CHECK: %[[X:.*]] = qnt.fake_quant %arg0, !quant.uniform<u8:f32, 6.250000e-02>
// CHECK: %[[W:.*]] = qnt.fake_quant %{{.*}}, !quant.uniform<i8<-127:127>:f32:0, {7.812500e-03,1.562500e-02}>
// CHECK: %[[B:.*]] = qnt.fake_quant %{{.*}}, !quant.uniform<i32:f32:0, {4.8828125E-4,9.765625E-4}>
// CHECK: tosa.conv2d %[[X]], %[[W]], %[[B]]
func.func @conv_bias(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32> {
  %0 = qnt.observe %x activation #qnt.scheme<u8, affine> "x" {stats = #qnt.stats<count = 4, min = 0.0, max = 15.9375, ema_min = 0.0, ema_max = 15.9375>} : tensor<1x2x2x1xf32>
  %w = "tosa.const"() {values = dense<[[[[0.9921875]]], [[[-1.984375]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %wo = qnt.observe %w weight #qnt.scheme<i8, symmetric, narrow, axis = 0> "w" : tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<[0.5, -0.25]> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %0, %wo, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %r = tosa.clamp %y {min_val = 0.0 : f32, max_val = 0x7F800000 : f32, qnt.fused = true} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %o = qnt.observe %r activation #qnt.scheme<u8, affine> "y" {stats = #qnt.stats<count = 8, min = 0.0, max = 15.9375, ema_min = 0.0, ema_max = 15.9375>} : tensor<1x2x2x2xf32>
  return %o : tensor<1x2x2x2xf32>
}

// -----

// Degenerate data: a zero range and an all-zero weight channel still give
// finite, non-zero scales (1.0).
// CHECK-LABEL: func.func @degenerate
// CHECK: qnt.fake_quant %arg0, !quant.uniform<u8:f32, 1.000000e+00>
// CHECK: qnt.fake_quant %{{.*}}, !quant.uniform<i8<-127:127>:f32:0, {1.000000e+00,1.562500e-02}>
func.func @degenerate(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32> {
  %0 = qnt.observe %x activation #qnt.scheme<u8, affine> "x" {stats = #qnt.stats<count = 4, min = 0.0, max = 0.0, ema_min = 0.0, ema_max = 0.0>} : tensor<1x2x2x1xf32>
  %w = "tosa.const"() {values = dense<[[[[0.0]]], [[[-1.984375]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %wo = qnt.observe %w weight #qnt.scheme<i8, symmetric, narrow, axis = 0> "w" : tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %0, %wo, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// EMA and min/max differ on the same statistics.
// RUN: quant-opt %s --split-input-file --qnt-quantize="calibration=ema" | FileCheck %s --check-prefix=EMA
// CHECK-LABEL: func.func @ema
// CHECK: !quant.uniform<u8:f32, 1.250000e-01>
// EMA-LABEL: func.func @ema
// EMA: !quant.uniform<u8:f32, 6.250000e-02>
func.func @ema(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = qnt.observe %x activation #qnt.scheme<u8, affine> "x" {stats = #qnt.stats<count = 4, min = 0.0, max = 31.875, ema_min = 0.0, ema_max = 15.9375>} : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

// Bias overflow guard: s_in * s_w = 2^-4 * 2^-7 = 2^-11, and a bias of 2^21
// would need 2^32 levels; that channel's scale widens to 2^21 / (2^31 - 1).
// RUN: quant-opt %s --split-input-file --qnt-quantize="remarks=true" 2>&1 | FileCheck %s --check-prefix=GUARD
// GUARD: remark: bias of channel 0 does not fit int32 at s_in * s_w = 4.882812e-04; its scale is widened to 9.765625e-04
// GUARD-LABEL: func.func @bias_overflow
// GUARD: qnt.fake_quant %{{.*}}, !quant.uniform<i32:f32:0, {9.765625{{[0-9]*}}E-4}>
func.func @bias_overflow(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32> {
  %0 = qnt.observe %x activation #qnt.scheme<u8, affine> "x" {stats = #qnt.stats<count = 4, min = 0.0, max = 15.9375, ema_min = 0.0, ema_max = 15.9375>} : tensor<1x2x2x1xf32>
  %w = "tosa.const"() {values = dense<0.9921875> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %wo = qnt.observe %w weight #qnt.scheme<i8, symmetric, narrow, axis = 0> "w" : tensor<1x1x1x1xf32>
  %b = "tosa.const"() {values = dense<2097152.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %0, %wo, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  return %y : tensor<1x2x2x1xf32>
}

// -----

// A concat feeding a concat: one set of parameters for all five tensors.
// CHECK-LABEL: func.func @concat_of_concat
// CHECK: qnt.fake_quant %arg0, [[T:!quant.uniform<u8:f32, [^>]*>]]
// CHECK: qnt.fake_quant %arg1, [[T]]
// CHECK: qnt.fake_quant %arg2, [[T]]
// CHECK: qnt.fake_quant %{{.*}}, [[T]]
// CHECK: qnt.fake_quant %{{.*}}, [[T]]
func.func @concat_of_concat(%a: tensor<1x2x2x1xf32>, %b: tensor<1x2x2x1xf32>, %c: tensor<1x2x2x1xf32>) -> tensor<1x2x2x3xf32> {
  %0 = qnt.observe %a activation #qnt.scheme<u8, affine> "a" {stats = #qnt.stats<count = 4, min = 0.0, max = 1.0, ema_min = 0.0, ema_max = 1.0>} : tensor<1x2x2x1xf32>
  %1 = qnt.observe %b activation #qnt.scheme<u8, affine> "b" {stats = #qnt.stats<count = 4, min = 0.0, max = 2.0, ema_min = 0.0, ema_max = 2.0>} : tensor<1x2x2x1xf32>
  %2 = qnt.observe %c activation #qnt.scheme<u8, affine> "c" {stats = #qnt.stats<count = 4, min = 0.0, max = 100.0, ema_min = 0.0, ema_max = 100.0>} : tensor<1x2x2x1xf32>
  %3 = tosa.concat %0, %1 {axis = 3 : i32} : (tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32>
  %4 = qnt.observe %3 activation #qnt.scheme<u8, affine> "ab" {stats = #qnt.stats<count = 8, min = 0.0, max = 2.0, ema_min = 0.0, ema_max = 2.0>} : tensor<1x2x2x2xf32>
  %5 = tosa.concat %4, %2 {axis = 3 : i32} : (tensor<1x2x2x2xf32>, tensor<1x2x2x1xf32>) -> tensor<1x2x2x3xf32>
  %6 = qnt.observe %5 activation #qnt.scheme<u8, affine> "abc" {stats = #qnt.stats<count = 12, min = 0.0, max = 100.0, ema_min = 0.0, ema_max = 100.0>} : tensor<1x2x2x3xf32>
  return %6 : tensor<1x2x2x3xf32>
}

// -----

// A constant concat input gets the shared parameters too: [0, 15.9375].
// CHECK-LABEL: func.func @concat_constant
// CHECK: %[[A:.*]] = qnt.fake_quant %arg0, !quant.uniform<u8:f32, 6.250000e-02>
// CHECK: %[[K:.*]] = "tosa.const"
// CHECK: %[[KQ:.*]] = qnt.fake_quant %[[K]], !quant.uniform<u8:f32, 6.250000e-02>
// CHECK: tosa.concat %[[A]], %[[KQ]]
func.func @concat_constant(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32> {
  %0 = qnt.observe %x activation #qnt.scheme<u8, affine> "x" {stats = #qnt.stats<count = 4, min = 0.0, max = 1.0, ema_min = 0.0, ema_max = 1.0>} : tensor<1x2x2x1xf32>
  %k = "tosa.const"() <{values = dense<15.9375> : tensor<1x2x2x1xf32>}> : () -> tensor<1x2x2x1xf32>
  %1 = tosa.concat %0, %k {axis = 3 : i32} : (tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32>
  %2 = qnt.observe %1 activation #qnt.scheme<u8, affine> "c" {stats = #qnt.stats<count = 8, min = 0.0, max = 1.0, ema_min = 0.0, ema_max = 1.0>} : tensor<1x2x2x2xf32>
  return %2 : tensor<1x2x2x2xf32>
}

// -----

// Unfused clamps and reverses are same-scale ops, as for
// --qnt-insert-observers: they pass their parameters on, the concat behind
// them is unified (x also feeds the conv, so it keeps its scale and is
// requantized in front of the concat), and a conv behind a clamp gets its
// int32 bias.
// CHECK-LABEL: func.func @through_clamp_and_reverse
// CHECK: %[[X:.*]] = qnt.fake_quant %arg0, !quant.uniform<u8:f32, 6.250000e-02>
// CHECK: %[[Y:.*]] = qnt.fake_quant %arg1, !quant.uniform<u8:f32, 1.250000e-01>
// CHECK: %[[R:.*]] = tosa.clamp %[[X]]
// CHECK: %[[RQ:.*]] = qnt.fake_quant %[[R]], !quant.uniform<u8:f32, 6.250000e-02>
// CHECK: %[[T:.*]] = tosa.reverse %[[Y]]
// CHECK: %[[TQ:.*]] = qnt.fake_quant %[[T]], !quant.uniform<u8:f32, 1.250000e-01>
// CHECK: %[[REQ:.*]] = qnt.fake_quant %[[RQ]], !quant.uniform<u8:f32, 1.250000e-01>
// CHECK: tosa.concat %[[REQ]], %[[TQ]]
// CHECK: !quant.uniform<i32:f32:0,
func.func @through_clamp_and_reverse(%x: tensor<1x4x4x2xf32>, %y: tensor<1x4x4x2xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x4x3xf32>) {
  %0 = qnt.observe %x activation #qnt.scheme<u8, affine> "x" {stats = #qnt.stats<count = 32, min = 0.0, max = 15.9375, ema_min = 0.0, ema_max = 15.9375>} : tensor<1x4x4x2xf32>
  %1 = qnt.observe %y activation #qnt.scheme<u8, affine> "y" {stats = #qnt.stats<count = 32, min = 0.0, max = 31.875, ema_min = 0.0, ema_max = 31.875>} : tensor<1x4x4x2xf32>
  %r = tosa.clamp %0 {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %t = tosa.reverse %1 {axis = 1 : i32} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %c = tosa.concat %r, %t {axis = 3 : i32} : (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) -> tensor<1x4x4x4xf32>
  %co = qnt.observe %c activation #qnt.scheme<u8, affine> "c" {stats = #qnt.stats<count = 64, min = 0.0, max = 31.875, ema_min = 0.0, ema_max = 31.875>} : tensor<1x4x4x4xf32>
  %w = "tosa.const"() <{values = dense<[[[[0.5, -0.25]]], [[[1.0, 0.125]]], [[[-0.75, 0.3]]]]> : tensor<3x1x1x2xf32>}> : () -> tensor<3x1x1x2xf32>
  %wo = qnt.observe %w weight #qnt.scheme<i8, symmetric, narrow, axis = 0> "w" : tensor<3x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<[0.1, -0.2, 0.3]> : tensor<3xf32>}> : () -> tensor<3xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %cv = tosa.conv2d %r, %wo, %b, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<3x1x1x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x3xf32>
  return %co, %cv : tensor<1x4x4x4xf32>, tensor<1x4x4x3xf32>
}
