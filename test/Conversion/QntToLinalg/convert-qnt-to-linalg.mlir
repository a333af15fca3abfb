// RUN: quant-opt %s --split-input-file --convert-qnt-to-linalg | FileCheck %s

// A conv + ReLU unit with per-channel weights: the input is quantized once
// (u8 stored as i8 offset by -128, so zero point 0 becomes -128), the conv
// runs on i8 with an i32 bias at s_in * s_w[c], the requantize is integer
// only, and the output is dequantized once.
// CHECK-LABEL: func.func @conv_relu
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32>
// CHECK: %[[Q:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<1x2x2x1xf32>) outs(%{{.*}} : tensor<1x2x2x1xi8>)
// CHECK: math.roundeven
// CHECK: arith.trunci {{.*}} : i32 to i8
// CHECK-NOT: f32
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}127]]], {{\[\[\[}}-127]]]]> : tensor<2x1x1x1xi8>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[1024, -256]> : tensor<2xi32>}>
// CHECK-DAG: %[[ZP:.*]] = "tosa.const"() <{values = dense<-128> : tensor<1xi8>}>
// CHECK: %[[ACC:.*]] = tosa.conv2d %[[Q]], %[[W]], %[[B]], %[[ZP]], %{{.*}} {acc_type = i32
// CHECK-SAME: -> tensor<1x2x2x2xi32>
// CHECK-NOT: f32
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[ACC]], %{{.*}}, %{{.*}} : tensor<1x2x2x2xi32>, tensor<2xi32>, tensor<2xi32>) outs(%{{.*}} : tensor<1x2x2x2xi8>)
// CHECK-NOT: f32
// CHECK: arith.extsi {{.*}} : i8 to i32
// CHECK: arith.sitofp {{.*}} : i32 to f32
// CHECK: return
func.func @conv_relu(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32> {
  %0 = qnt.fake_quant %x, !quant.uniform<u8:f32, 6.250000e-02> : tensor<1x2x2x1xf32>
  %w = "tosa.const"() {values = dense<[[[[0.9921875]]], [[[-1.984375]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %wq = qnt.fake_quant %w, !quant.uniform<i8<-127:127>:f32:0, {7.812500e-03,1.562500e-02}> : tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<[0.5, -0.25]> : tensor<2xf32>} : () -> tensor<2xf32>
  %bq = qnt.fake_quant %b, !quant.uniform<i32:f32:0, {4.8828125E-4,9.765625E-4}> : tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %0, %wq, %bq, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %r = tosa.clamp %y {min_val = 0.0 : f32, max_val = 0x7F800000 : f32, qnt.fused = true} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %o = qnt.fake_quant %r, !quant.uniform<u8:f32, 6.250000e-02> : tensor<1x2x2x2xf32>
  return %o : tensor<1x2x2x2xf32>
}

