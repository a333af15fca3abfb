func.func @main(%x: tensor<1x4x4x3xf32>) -> (tensor<1x4x4x3xf32>, tensor<1x2x3xf32>) {
  %g = "tosa.const"() {values = dense<[1.0, 2.0, 0.5]> : tensor<3xf32>} : () -> tensor<3xf32>
  %b = "tosa.const"() {values = dense<[0.1, -0.2, 0.0]> : tensor<3xf32>} : () -> tensor<3xf32>
  %y = qnt.batch_norm %x, %g, %b, %b, %g {axis = 3 : i64, epsilon = 1.0e-5 : f32} : tensor<1x4x4x3xf32>, tensor<3xf32>
  %o = qnt.observe %y activation #qnt.scheme<u8, affine> "y" : tensor<1x4x4x3xf32>
  %q = qnt.fake_quant %o, !quant.uniform<u8:f32, 0.05:100> : tensor<1x4x4x3xf32>
  %c = "tosa.const"() {values = dense<[[[0.3, -0.3, 7.0], [0.3, -0.3, 1.0]]]> : tensor<1x2x3xf32>} : () -> tensor<1x2x3xf32>
  %id = tosa.identity %c : (tensor<1x2x3xf32>) -> tensor<1x2x3xf32>
  %w = qnt.fake_quant %id, !quant.uniform<i8<-127:127>:f32:1, {0.5, 0.25}> : tensor<1x2x3xf32>
  return %q, %w : tensor<1x4x4x3xf32>, tensor<1x2x3xf32>
}
