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

// -----

// Unsigned grids cross the boundary as i8 holding the u8 bit pattern (the
// storage with its top bit flipped); the recorded signature says ui8, which
// is what quant-run reads and writes.
// CHECK-LABEL: func.func @u8_io
// CHECK-SAME: (%[[X:.*]]: tensor<1x4xi8>) -> tensor<1x4xi8>
// CHECK-SAME: qnt.signature = (tensor<1x4xui8>) -> tensor<1x4xui8>
// CHECK: arith.xori %{{.*}}, %{{.*}} : i8
// CHECK-NOT: f32
// CHECK: arith.xori %{{.*}}, %{{.*}} : i8
// CHECK: return
func.func @u8_io(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = qnt.fake_quant %x, !quant.uniform<u8:f32, 6.250000e-02:10> : tensor<1x4xf32>
  %1 = tosa.transpose %0 {perms = array<i32: 0, 1>} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %2 = qnt.fake_quant %1, !quant.uniform<u8:f32, 1.250000e-01:3> : tensor<1x4xf32>
  return %2 : tensor<1x4xf32>
}

// -----

// Only entry (public) functions get integer boundaries; a private callee
// keeps float ones so that its calls type-check. An argument used by two
// identical fake_quant ops becomes one integer input.
// CHECK-LABEL: func.func private @callee
// CHECK-SAME: (%{{.*}}: tensor<1x4xf32>) -> tensor<1x4xf32>
// CHECK-LABEL: func.func @caller
// CHECK-SAME: (%{{.*}}: tensor<1x4xi8>) -> (tensor<1x4xi8>, tensor<1x4xi8>)
func.func private @callee(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = qnt.fake_quant %x, !quant.uniform<i8:f32, 1.250000e-01> : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}
func.func @caller(%x: tensor<1x4xf32>) -> (tensor<1x4xf32>, tensor<1x4xf32>) {
  %0 = qnt.fake_quant %x, !quant.uniform<i8:f32, 1.250000e-01> : tensor<1x4xf32>
  %1 = qnt.fake_quant %x, !quant.uniform<i8:f32, 1.250000e-01> : tensor<1x4xf32>
  %2 = func.call @callee(%0) : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %3 = qnt.fake_quant %2, !quant.uniform<i8:f32, 1.250000e-01> : tensor<1x4xf32>
  return %1, %3 : tensor<1x4xf32>, tensor<1x4xf32>
}
