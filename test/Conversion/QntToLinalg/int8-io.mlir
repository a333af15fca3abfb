// RUN: quant-opt %s --split-input-file --convert-qnt-to-linalg="int8-io" | FileCheck %s

// With int8-io and signed grids the program is integer from end to end: no
// f32 anywhere in the function.
// CHECK-LABEL: func.func @add_int8_io
// CHECK-SAME: (%[[A:.*]]: tensor<1x4xi8>, %[[B:.*]]: tensor<1x4xi8>) -> tensor<1x4xi8>
// CHECK-NOT: f32
// CHECK: tosa.add {{.*}} : (tensor<1x4xi32>, tensor<1x4xi32>) -> tensor<1x4xi32>
// CHECK-NOT: f32
// CHECK: return %{{.*}} : tensor<1x4xi8>
func.func @add_int8_io(%a: tensor<1x4xf32>, %b: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = qnt.fake_quant %a, !quant.uniform<i8:f32, 6.250000e-02> : tensor<1x4xf32>
  %1 = qnt.fake_quant %b, !quant.uniform<i8:f32, 1.250000e-01:3> : tensor<1x4xf32>
  %2 = tosa.add %0, %1 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %3 = qnt.fake_quant %2, !quant.uniform<i8:f32, 2.500000e-01:-1> : tensor<1x4xf32>
  return %3 : tensor<1x4xf32>
}
