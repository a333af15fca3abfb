// RUN: quant-opt %s --split-input-file --verify-diagnostics --qnt-expand-ops

func.func @fake_quant_f16(%x: tensor<4xf16>) -> tensor<4xf16> {
  // expected-error@+1 {{'qnt.fake_quant' op cannot be expanded: only f32 tensors are supported, got 'tensor<4xf16>'}}
  %0 = qnt.fake_quant %x, !quant.uniform<u8:f16, 0.5:128> : tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

func.func @batch_norm_dynamic(%x: tensor<?x3xf32>, %p: tensor<3xf32>) -> tensor<?x3xf32> {
  // expected-error@+1 {{'qnt.batch_norm' op cannot be expanded: dynamic shapes are not supported}}
  %0 = qnt.batch_norm %x, %p, %p, %p, %p {axis = 1 : i64, epsilon = 0.0 : f32} : tensor<?x3xf32>, tensor<3xf32>
  return %0 : tensor<?x3xf32>
}
