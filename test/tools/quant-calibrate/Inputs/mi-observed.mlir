module {
  func.func @main(%arg0: tensor<2x3xf32>, %arg1: tensor<1x4xf32>) -> (tensor<2x3xf32>, tensor<1x4xf32>) {
    %0 = qnt.observe %arg0 activation #qnt.scheme<u8, affine> "arg0" : tensor<2x3xf32>
    %1 = qnt.observe %arg1 activation #qnt.scheme<u8, affine> "arg1" : tensor<1x4xf32>
    %2 = tosa.exp %0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %3 = qnt.observe %2 activation #qnt.scheme<u8, affine> "exp_0" : tensor<2x3xf32>
    %4 = tosa.exp %1 : (tensor<1x4xf32>) -> tensor<1x4xf32>
    %5 = qnt.observe %4 activation #qnt.scheme<u8, affine> "exp_1" : tensor<1x4xf32>
    return %3, %5 : tensor<2x3xf32>, tensor<1x4xf32>
  }
}

