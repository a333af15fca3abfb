module {
  func.func @main(%arg0: tensor<1x12xf32>) -> tensor<3x4xf32> {
    %0 = qnt.observe %arg0 activation #qnt.scheme<u8, affine> "arg0" : tensor<1x12xf32>
    %1 = tosa.const_shape  {values = dense<[3, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
    %2 = tosa.reshape %0, %1 : (tensor<1x12xf32>, !tosa.shape<2>) -> tensor<3x4xf32>
    %3 = tosa.exp %2 : (tensor<3x4xf32>) -> tensor<3x4xf32>
    %4 = qnt.observe %3 activation #qnt.scheme<u8, affine> "exp_0" : tensor<3x4xf32>
    return %4 : tensor<3x4xf32>
  }
}

