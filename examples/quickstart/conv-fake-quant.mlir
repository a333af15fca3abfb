// A 1x1 convolution in the fake-quant form: input, weights (per output
// channel, symmetric int8, narrow range) and output pass through
// qnt.fake_quant. Canonicalization snaps the constant weights onto their
// int8 grid (w = s[c] * q with q in [-127, 127]) and collapses the repeated
// fake_quant on the input.
func.func @main(%x: tensor<1x2x2x3xf32>) -> tensor<1x2x2x2xf32> {
  %w = "tosa.const"() {values = dense<[[[[0.31, -0.72, 0.05]]], [[[1.9, 0.4, -2.2]]]]> : tensor<2x1x1x3xf32>} : () -> tensor<2x1x1x3xf32>
  %b = "tosa.const"() {values = dense<[0.1, -0.2]> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %x0 = qnt.fake_quant %x, !quant.uniform<u8:f32, 0.0234375:128> : tensor<1x2x2x3xf32>
  %x1 = qnt.fake_quant %x0, !quant.uniform<u8:f32, 0.0234375:128> : tensor<1x2x2x3xf32>
  %wq = qnt.fake_quant %w, !quant.uniform<i8<-127:127>:f32:0, {0.005859375, 0.017578125}> : tensor<2x1x1x3xf32>
  %y = tosa.conv2d %x1, %wq, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x2x2x3xf32>, tensor<2x1x1x3xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %yq = qnt.fake_quant %y, !quant.uniform<u8:f32, 0.05:100> : tensor<1x2x2x2xf32>
  return %yq : tensor<1x2x2x2xf32>
}
