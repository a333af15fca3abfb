// RUN: quant-opt %s --split-input-file --verify-diagnostics --convert-qnt-to-linalg

func.func @affine_weights(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32> {
  %0 = qnt.fake_quant %x, !quant.uniform<u8:f32, 6.250000e-02> : tensor<1x2x2x1xf32>
  %w = "tosa.const"() {values = dense<[[[[0.5]]], [[[-1.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %wq = qnt.fake_quant %w, !quant.uniform<i8:f32:0, {7.812500e-03:3,1.562500e-02:-2}> : tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-error@+1 {{'tosa.conv2d' op cannot be lowered: its per-channel weights have different zero points (one is needed)}}
  %y = tosa.conv2d %0, %wq, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %o = qnt.fake_quant %y, !quant.uniform<u8:f32, 6.250000e-02> : tensor<1x2x2x2xf32>
  return %o : tensor<1x2x2x2xf32>
}

// -----

func.func @depthwise_scales(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x4xf32> {
  %0 = qnt.fake_quant %x, !quant.uniform<u8:f32, 6.250000e-02> : tensor<1x2x2x2xf32>
  %w = "tosa.const"() {values = dense<0.5> : tensor<1x1x2x2xf32>} : () -> tensor<1x1x2x2xf32>
  %wq = qnt.fake_quant %w, !quant.uniform<i8<-127:127>:f32:2, {7.812500e-03,1.562500e-02}> : tensor<1x1x2x2xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-error@+1 {{'tosa.depthwise_conv2d' op cannot be lowered: its per-channel weight scales (2) do not follow its 4 output channels}}
  %y = tosa.depthwise_conv2d %0, %wq, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>, tensor<1x1x2x2xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x4xf32>
  %o = qnt.fake_quant %y, !quant.uniform<u8:f32, 6.250000e-02> : tensor<1x2x2x4xf32>
  return %o : tensor<1x2x2x4xf32>
}

// -----

func.func @wide_activations(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32> {
  %0 = qnt.fake_quant %x, !quant.uniform<i16:f32, 1.000000e-03> : tensor<1x2x2x1xf32>
  %w = "tosa.const"() {values = dense<[[[[0.5]]], [[[-1.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %wq = qnt.fake_quant %w, !quant.uniform<i8<-127:127>:f32:0, {7.812500e-03,1.562500e-02}> : tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-error@+1 {{'tosa.conv2d' op cannot be lowered: only 8-bit activations can feed a convolution, got '!quant.uniform<i16:f32, 1.000000e-03>'}}
  %y = tosa.conv2d %0, %wq, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %o = qnt.fake_quant %y, !quant.uniform<u8:f32, 6.250000e-02> : tensor<1x2x2x2xf32>
  return %o : tensor<1x2x2x2xf32>
}

// -----

func.func @float_bias(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32> {
  %0 = qnt.fake_quant %x, !quant.uniform<u8:f32, 6.250000e-02> : tensor<1x2x2x1xf32>
  %w = "tosa.const"() {values = dense<0.5> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %wq = qnt.fake_quant %w, !quant.uniform<i8:f32, 7.812500e-03> : tensor<1x1x1x1xf32>
  %b = "tosa.const"() {values = dense<0.25> : tensor<1xf32>} : () -> tensor<1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-error@+1 {{'tosa.conv2d' op cannot be lowered: its bias is not fake-quantized}}
  %y = tosa.conv2d %0, %wq, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  %o = qnt.fake_quant %y, !quant.uniform<u8:f32, 6.250000e-02> : tensor<1x2x2x1xf32>
  return %o : tensor<1x2x2x1xf32>
}

// -----

func.func @bias_scale(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32> {
  %0 = qnt.fake_quant %x, !quant.uniform<u8:f32, 6.250000e-02> : tensor<1x2x2x1xf32>
  %w = "tosa.const"() {values = dense<0.5> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %wq = qnt.fake_quant %w, !quant.uniform<i8:f32, 7.812500e-03> : tensor<1x1x1x1xf32>
  %b = "tosa.const"() {values = dense<0.25> : tensor<1xf32>} : () -> tensor<1xf32>
  %bq = qnt.fake_quant %b, !quant.uniform<i32:f32, 1.0e-03> : tensor<1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-error@+1 {{'tosa.conv2d' op cannot be lowered: the bias scale 1.000000e-03 of channel 0 is not s_in * s_w = 4.882812e-04 (widened to avoid int32 overflow?)}}
  %y = tosa.conv2d %0, %wq, %bq, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  %o = qnt.fake_quant %y, !quant.uniform<u8:f32, 6.250000e-02> : tensor<1x2x2x1xf32>
  return %o : tensor<1x2x2x1xf32>
}

// -----

func.func @per_row_zero_points(%a: tensor<1x2x3xi8>, %b: tensor<1x3x4xi8>) -> tensor<1x2x4xf32> {
  // expected-warning@+1 {{per-axis dequantize of an activation: the ops reading it run in float}}
  %0 = qnt.dequantize %a, !quant.uniform<u8:f32:1, {1.0:1, 1.0:2}> : tensor<1x2x3xi8> -> tensor<1x2x3xf32>
  %1 = qnt.dequantize %b, !quant.uniform<i8:f32, 1.0> : tensor<1x3x4xi8> -> tensor<1x3x4xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %m = tosa.matmul %0, %1, %zp, %zp : (tensor<1x2x3xf32>, tensor<1x3x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x4xf32>
  return %m : tensor<1x2x4xf32>
}

// -----

func.func @bias_overflow(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32> {
  %0 = qnt.fake_quant %x, !quant.uniform<u8:f32, 6.250000e-02> : tensor<1x2x2x1xf32>
  %w = "tosa.const"() {values = dense<0.5> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %wq = qnt.fake_quant %w, !quant.uniform<i8:f32, 7.812500e-03> : tensor<1x1x1x1xf32>
  %b = "tosa.const"() {values = dense<1.0e+7> : tensor<1xf32>} : () -> tensor<1xf32>
  %bq = qnt.fake_quant %b, !quant.uniform<i32:f32, 4.8828125E-4> : tensor<1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  // expected-error@+1 {{'tosa.conv2d' op cannot be lowered: the bias of channel 0 does not fit int32 at scale 4.882812e-04}}
  %y = tosa.conv2d %0, %wq, %bq, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  %o = qnt.fake_quant %y, !quant.uniform<u8:f32, 6.250000e-02> : tensor<1x2x2x1xf32>
  return %o : tensor<1x2x2x1xf32>
}
