// RUN: quant-opt %s --split-input-file --verify-diagnostics --qnt-fuse-activations="remarks=true" | FileCheck %s

// CHECK-LABEL: func.func @conv_relu
// CHECK: %[[Y:.*]] = tosa.conv2d
// CHECK: tosa.clamp %[[Y]] {max_val = 0x7F800000 : f32, min_val = 0.000000e+00 : f32, qnt.fused = true}
func.func @conv_relu(%x: tensor<1x4x4x1xf32>, %w: tensor<2x1x1x1xf32>, %b: tensor<2xf32>, %zp: tensor<1xf32>) -> tensor<1x4x4x2xf32> {
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %r = tosa.clamp %y {min_val = 0.0 : f32, max_val = 0x7F800000 : f32} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  return %r : tensor<1x4x4x2xf32>
}

// -----

// CHECK-LABEL: func.func @depthwise_relu6
// CHECK: tosa.clamp %{{.*}} {max_val = 6.000000e+00 : f32, min_val = 0.000000e+00 : f32, qnt.fused = true}
func.func @depthwise_relu6(%x: tensor<1x4x4x1xf32>, %w: tensor<1x1x1x2xf32>, %b: tensor<2xf32>, %zp: tensor<1xf32>) -> tensor<1x4x4x2xf32> {
  %y = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x1xf32>, tensor<1x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %r = tosa.clamp %y {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  return %r : tensor<1x4x4x2xf32>
}

// -----

// The residual add and the matmul (bias add) units; Clip(0, 3).
// CHECK-LABEL: func.func @add_and_matmul
// CHECK: tosa.clamp %{{.*}} {max_val = 3.000000e+00 : f32, min_val = 0.000000e+00 : f32, qnt.fused = true}
// CHECK: tosa.clamp %{{.*}} {max_val = 0x7F800000 : f32, min_val = 0.000000e+00 : f32, qnt.fused = true}
func.func @add_and_matmul(%a: tensor<1x2x3xf32>, %b: tensor<1x3x4xf32>, %c: tensor<1x2x4xf32>, %zp: tensor<1xf32>) -> (tensor<1x2x4xf32>, tensor<1x2x4xf32>) {
  %s = tosa.add %c, %c : (tensor<1x2x4xf32>, tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %r1 = tosa.clamp %s {min_val = 0.0 : f32, max_val = 3.0 : f32} : (tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %m = tosa.matmul %a, %b, %zp, %zp : (tensor<1x2x3xf32>, tensor<1x3x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x4xf32>
  %r2 = tosa.clamp %m {min_val = 0.0 : f32, max_val = 0x7F800000 : f32} : (tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  return %r1, %r2 : tensor<1x2x4xf32>, tensor<1x2x4xf32>
}

// -----

// Negative tests: a clamp that does not start at 0, a producer that is not
// an anchor, and an anchor whose result is also used elsewhere.
// CHECK-LABEL: func.func @not_fused
// CHECK-NOT: qnt.fused
func.func @not_fused(%x: tensor<1x4x4x2xf32>, %c: tensor<1x4x4x2xf32>) -> (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) {
  %s = tosa.add %x, %c : (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  // expected-remark@+1 {{activation not fused: it does not clamp at 0 from below (not a ReLU, ReLU6 or Clip(0, x))}}
  %r1 = tosa.clamp %s {min_val = -1.0 : f32, max_val = 1.0 : f32} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %p = tosa.max_pool2d %x {kernel = array<i64: 1, 1>, stride = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  // expected-remark@+1 {{activation not fused: its input is not produced by a conv2d, depthwise_conv2d, transpose_conv2d, matmul or add}}
  %r2 = tosa.clamp %p {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %t = tosa.add %c, %c : (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  // expected-remark@+1 {{activation not fused: the producer's result has other users}}
  %r3 = tosa.clamp %t {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %u = tosa.add %r3, %t : (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  return %r1, %r2, %u : tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>
}

// -----

// Rewrites of the neighbours after fusion keep the IR valid: CSE merges the
// two adds, so the unit is no longer intact (getFusedProducer ignores it),
// and canonicalization folds the add of zero away.
// RUN: quant-opt %s --split-input-file --qnt-fuse-activations --cse --canonicalize -o /dev/null
// CHECK-LABEL: func.func @rewritten_later
func.func @rewritten_later(%x: tensor<4xf32>, %c: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %s = tosa.add %x, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %r = tosa.clamp %s {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  %t = tosa.add %x, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %z = "tosa.const"() {values = dense<0.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %u = tosa.add %t, %z : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %q = tosa.clamp %u {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  return %r, %q : tensor<4xf32>, tensor<4xf32>
}
