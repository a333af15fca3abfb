// The same model with batch 2 with activation observers on values numpy reproduces
// exactly (IEEE mul and clamp), and a weight observer calibration skips.
func.func @main(%x: tensor<2x2x3xf32>) -> tensor<2x2x3xf32> {
  %o = qnt.observe %x activation #qnt.scheme<u8, affine> "input" : tensor<2x2x3xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %c = "tosa.const"() {values = dense<[[[0.5, -2.0, 3.0]]]> : tensor<1x1x3xf32>} : () -> tensor<1x1x3xf32>
  %w = qnt.observe %c weight #qnt.scheme<i8, symmetric, narrow> "scale" : tensor<1x1x3xf32>
  %m = tosa.mul %o, %w, %shift : (tensor<2x2x3xf32>, tensor<1x1x3xf32>, tensor<1xi8>) -> tensor<2x2x3xf32>
  %p = qnt.observe %m activation #qnt.scheme<u8, affine> "scaled" : tensor<2x2x3xf32>
  %r = tosa.clamp %p {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<2x2x3xf32>) -> tensor<2x2x3xf32>
  %q = qnt.observe %r activation #qnt.scheme<u8, affine> "clamped" : tensor<2x2x3xf32>
  return %q : tensor<2x2x3xf32>
}
