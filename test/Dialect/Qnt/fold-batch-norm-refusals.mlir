// RUN: quant-opt %s --split-input-file --verify-diagnostics --qnt-fold-batch-norm="remarks=true" | FileCheck %s
// RUN: quant-opt %s --split-input-file --qnt-fold-batch-norm | FileCheck %s --check-prefix=QUIET

// Each BatchNorm here cannot be folded: the pass says why (with remarks) and
// turns it into a per-channel multiply-add so the program still runs.
// QUIET-NOT: remark

// CHECK-LABEL: func.func @weights_not_constant
// CHECK: tosa.conv2d %{{.*}}, %arg1
// CHECK: tosa.rsqrt
// CHECK-NOT: qnt.batch_norm
func.func @weights_not_constant(%x: tensor<1x4x4x1xf32>, %w: tensor<2x1x1x1xf32>, %p: tensor<2xf32>) -> tensor<1x4x4x2xf32> {
  %b = "tosa.const"() {values = dense<[0.5, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %g = "tosa.const"() {values = dense<[4.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  // expected-remark@+1 {{BatchNorm not folded (it becomes a multiply-add): the convolution weights are not constant}}
  %z = qnt.batch_norm %y, %g, %g, %g, %g {axis = 3 : i64, epsilon = 1.0 : f32} : tensor<1x4x4x2xf32>, tensor<2xf32>
  return %z : tensor<1x4x4x2xf32>
}

// -----

// CHECK-LABEL: func.func @conv_result_used_twice
// CHECK: %[[Y:.*]] = tosa.conv2d
// CHECK: tosa.rsqrt
// CHECK: return %{{.*}}, %[[Y]]
func.func @conv_result_used_twice(%x: tensor<1x4x4x1xf32>) -> (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) {
  %w = "tosa.const"() {values = dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<[0.5, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %g = "tosa.const"() {values = dense<[4.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  // expected-remark@+1 {{BatchNorm not folded (it becomes a multiply-add): its input has other users that need the unfolded value}}
  %z = qnt.batch_norm %y, %g, %g, %g, %g {axis = 3 : i64, epsilon = 1.0 : f32} : tensor<1x4x4x2xf32>, tensor<2xf32>
  return %z, %y : tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>
}

// -----

// CHECK-LABEL: func.func @params_not_constant
// CHECK: tosa.rsqrt
func.func @params_not_constant(%x: tensor<1x4x4x2xf32>, %g: tensor<2xf32>) -> tensor<1x4x4x2xf32> {
  // expected-remark@+1 {{BatchNorm not folded (it becomes a multiply-add): its parameters are not constant}}
  %z = qnt.batch_norm %x, %g, %g, %g, %g {axis = 3 : i64, epsilon = 1.0 : f32} : tensor<1x4x4x2xf32>, tensor<2xf32>
  return %z : tensor<1x4x4x2xf32>
}

// -----

// CHECK-LABEL: func.func @axis_not_innermost
// CHECK: tosa.rsqrt
func.func @axis_not_innermost(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %g = "tosa.const"() {values = dense<[4.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  // expected-remark@+1 {{BatchNorm not folded (it becomes a multiply-add): its channel axis 1 is not the innermost dimension}}
  %z = qnt.batch_norm %x, %g, %g, %g, %g {axis = 1 : i64, epsilon = 1.0 : f32} : tensor<1x2x4x4xf32>, tensor<2xf32>
  return %z : tensor<1x2x4x4xf32>
}

// -----

// Padding would see 0, not the BatchNorm's shift: folding forward is not exact.
// CHECK-LABEL: func.func @before_padded_conv
// CHECK: tosa.rsqrt
// CHECK: tosa.conv2d
func.func @before_padded_conv(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> {
  %g = "tosa.const"() {values = dense<[4.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  // expected-remark@+1 {{the convolution after it pads its input, and padding would see 0 instead of the BatchNorm's shift}}
  %n = qnt.batch_norm %x, %g, %g, %g, %g {axis = 3 : i64, epsilon = 1.0 : f32} : tensor<1x4x4x2xf32>, tensor<2xf32>
  %w = "tosa.const"() {values = dense<1.0> : tensor<2x3x3x2xf32>} : () -> tensor<2x3x3x2xf32>
  %b = "tosa.const"() {values = dense<[0.5, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %n, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x3x3x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  return %y : tensor<1x4x4x2xf32>
}

// -----

// CHECK-LABEL: func.func @after_clamp
// CHECK: tosa.clamp
// CHECK: tosa.rsqrt
func.func @after_clamp(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> {
  %c = tosa.clamp %x {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %g = "tosa.const"() {values = dense<[4.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  // expected-remark@+1 {{it does not follow a conv2d, depthwise_conv2d, transpose_conv2d or matmul}}
  %z = qnt.batch_norm %c, %g, %g, %g, %g {axis = 3 : i64, epsilon = 1.0 : f32} : tensor<1x4x4x2xf32>, tensor<2xf32>
  return %z : tensor<1x4x4x2xf32>
}

// -----

// A constant mul after a conv whose result is also returned stays.
// CHECK-LABEL: func.func @mul_with_shared_input
// CHECK: tosa.mul
func.func @mul_with_shared_input(%x: tensor<1x4x4x1xf32>) -> (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) {
  %w = "tosa.const"() {values = dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<[0.5, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %k = "tosa.const"() {values = dense<[[[[2.0, 0.5]]]]> : tensor<1x1x1x2xf32>} : () -> tensor<1x1x1x2xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  // expected-remark@+1 {{constant affine op not folded: its input has other users that need the unfolded value}}
  %a = tosa.mul %y, %k, %shift : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x4x4x2xf32>
  return %a, %y : tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>
}

// -----

// A constant mul that broadcasts a 1-channel conv to 2 channels is not a
// per-channel scale of the conv.
// CHECK-LABEL: func.func @broadcasting_mul
// CHECK: tosa.mul
func.func @broadcasting_mul(%x: tensor<1x4x4x1xf32>) -> tensor<1x4x4x2xf32> {
  %w = "tosa.const"() {values = dense<1.0> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %b, %b {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x1xf32>
  %k = "tosa.const"() {values = dense<[[[[2.0, -1.0]]]]> : tensor<1x1x1x2xf32>} : () -> tensor<1x1x1x2xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  // expected-remark@+1 {{constant affine op not folded: it broadcasts its input to another shape}}
  %a = tosa.mul %y, %k, %shift : (tensor<1x4x4x1xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x4x4x2xf32>
  return %a : tensor<1x4x4x2xf32>
}
