// RUN: quant-opt %s --split-input-file --qnt-expand-ops | FileCheck %s
// RUN: quant-opt %s --split-input-file --qnt-expand-ops --tosa-to-linalg-pipeline | FileCheck %s --check-prefix=LOWERS

// LOWERS-NOT: qnt.

// CHECK-LABEL: func.func @observe_is_identity
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @observe_is_identity(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qnt.observe %x activation #qnt.scheme<u8, affine> "x" : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @batch_norm
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x2x3xf32>, %[[G:.*]]: tensor<3xf32>, %[[B:.*]]: tensor<3xf32>, %[[M:.*]]: tensor<3xf32>, %[[V:.*]]: tensor<3xf32>)
// CHECK-DAG: %[[EPS:.*]] = "tosa.const"() <{values = dense<1.000000e-03> : tensor<1x1x1x1xf32>}>
// CHECK-DAG: %[[SHAPE:.*]] = tosa.const_shape {values = dense<[1, 1, 1, 3]> : tensor<4xindex>}
// CHECK-DAG: %[[V4:.*]] = tosa.reshape %[[V]], %[[SHAPE]]
// CHECK: %[[VE:.*]] = tosa.add %[[V4]], %[[EPS]]
// CHECK: %[[INV:.*]] = tosa.rsqrt %[[VE]]
// CHECK: %[[G4:.*]] = tosa.reshape %[[G]], %[[SHAPE]]
// CHECK: %[[MULT:.*]] = tosa.mul %[[G4]], %[[INV]]
// CHECK: %[[M4:.*]] = tosa.reshape %[[M]], %[[SHAPE]]
// CHECK: %[[MM:.*]] = tosa.mul %[[M4]], %[[MULT]]
// CHECK: %[[B4:.*]] = tosa.reshape %[[B]], %[[SHAPE]]
// CHECK: %[[OFF:.*]] = tosa.sub %[[B4]], %[[MM]]
// CHECK: %[[XS:.*]] = tosa.mul %[[X]], %[[MULT]]
// CHECK: %[[Y:.*]] = tosa.add %[[XS]], %[[OFF]] : (tensor<1x2x2x3xf32>, tensor<1x1x1x3xf32>) -> tensor<1x2x2x3xf32>
// CHECK: return %[[Y]]
func.func @batch_norm(%x: tensor<1x2x2x3xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>,
                      %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<1x2x2x3xf32> {
  %0 = qnt.batch_norm %x, %g, %b, %m, %v {axis = 3 : i64, epsilon = 1.0e-3 : f32} : tensor<1x2x2x3xf32>, tensor<3xf32>
  return %0 : tensor<1x2x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @fake_quant_per_tensor
// CHECK-SAME: (%[[X:.*]]: tensor<2x4xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x4xf32>
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<2x4xf32>) outs(%[[E]] : tensor<2x4xf32>)
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[S:.*]] = arith.constant 5.000000e-01 : f32
// CHECK: %[[Z:.*]] = arith.constant 1.280000e+02 : f32
// CHECK: %[[D:.*]] = arith.divf %[[IN]], %[[S]] : f32
// CHECK: %[[R:.*]] = math.roundeven %[[D]] : f32
// CHECK: %[[Q0:.*]] = arith.addf %[[R]], %[[Z]] : f32
// CHECK: %[[LO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[Q1:.*]] = arith.maximumf %[[Q0]], %[[LO]] : f32
// CHECK: %[[HI:.*]] = arith.constant 2.550000e+02 : f32
// CHECK: %[[Q2:.*]] = arith.minimumf %[[Q1]], %[[HI]] : f32
// CHECK: %[[NAN:.*]] = arith.cmpf uno, %[[IN]], %[[IN]] : f32
// CHECK: %[[Q:.*]] = arith.select %[[NAN]], %{{.*}}, %[[Q2]] : f32
// CHECK: %[[C:.*]] = arith.subf %[[Q]], %[[Z]] : f32
// CHECK: %[[OUT:.*]] = arith.mulf %[[C]], %[[S]] : f32
// CHECK: linalg.yield %[[OUT]] : f32
// CHECK: return %[[Y]]
func.func @fake_quant_per_tensor(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = qnt.fake_quant %x, !quant.uniform<u8:f32, 0.5:128> : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Per axis: scales and zero points are read along the quantized dimension.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @fake_quant_per_axis
// CHECK-DAG: %[[SC:.*]] = arith.constant dense<[5.000000e-01, 2.500000e-01, 1.250000e-01]> : tensor<3xf32>
// CHECK-DAG: %[[ZP:.*]] = arith.constant dense<0.000000e+00> : tensor<3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[CH]], #[[CH]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%{{.*}}, %[[SC]], %[[ZP]] : tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>)
// CHECK: arith.constant -1.270000e+02 : f32
// CHECK: arith.constant 1.270000e+02 : f32
func.func @fake_quant_per_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = qnt.fake_quant %x, !quant.uniform<i8<-127:127>:f32:1, {0.5, 0.25, 0.125}> : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Dynamic dimensions are taken from the input.
// CHECK-LABEL: func.func @fake_quant_dynamic
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[D0:.*]] = tensor.dim %{{.*}}, %[[C0]] : tensor<?x4xf32>
// CHECK: tensor.empty(%[[D0]]) : tensor<?x4xf32>
func.func @fake_quant_dynamic(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = qnt.fake_quant %x, !quant.uniform<i8:f32, 0.5> : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// The fused marking is dropped before lowering.
// CHECK-LABEL: func.func @drops_fused
// CHECK: tosa.clamp
// CHECK-NOT: qnt.fused
func.func @drops_fused(%x: tensor<4xf32>, %c: tensor<4xf32>) -> tensor<4xf32> {
  %s = tosa.add %x, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %r = tosa.clamp %s {min_val = 0.0 : f32, max_val = 6.0 : f32, qnt.fused = true} : (tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// quantize: the fake_quant's level, converted through i64 and clamped again
// in integers (a 32-bit qmax rounds up in f32), truncated to the storage
// (unsigned levels keep their bit pattern).
// CHECK-LABEL: func.func @quantize
// CHECK: linalg.generic
// CHECK:   arith.divf
// CHECK:   math.roundeven
// CHECK:   %[[I:.*]] = arith.fptosi %{{.*}} : f32 to i64
// CHECK:   %[[HI:.*]] = arith.minsi %[[I]], %{{.*}} : i64
// CHECK:   %[[LO:.*]] = arith.maxsi %[[HI]], %{{.*}} : i64
// CHECK:   arith.trunci %[[LO]] : i64 to i8
// CHECK: -> tensor<4xi8>
// LOWERS-LABEL: func.func @quantize
func.func @quantize(%x: tensor<4xf32>) -> tensor<4xi8> {
  %0 = qnt.quantize %x, !quant.uniform<u8:f32, 0.5:128> : tensor<4xf32> -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

// dequantize: s * (q - z) with q - z in i64, unsigned storage zero-extended;
// per axis, scales and zero points are read along the quantized dimension.
// CHECK-LABEL: func.func @dequantize
// CHECK-DAG: %[[S:.*]] = arith.constant dense<[5.000000e-01, 2.500000e-01]> : tensor<2xf32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<[1.000000e+00, 2.550000e+02]> : tensor<2xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[S]], %[[Z]] : tensor<2x3xi8>, tensor<2xf32>, tensor<2xf32>)
// CHECK: ^bb0(%[[Q:.*]]: i8, %[[SC:.*]]: f32, %[[ZP:.*]]: f32, %{{.*}}: f32):
// CHECK:   %[[W:.*]] = arith.extui %[[Q]] : i8 to i64
// CHECK:   %[[ZI:.*]] = arith.fptosi %[[ZP]] : f32 to i64
// CHECK:   %[[C:.*]] = arith.subi %[[W]], %[[ZI]] : i64
// CHECK:   %[[F:.*]] = arith.sitofp %[[C]] : i64 to f32
// CHECK:   arith.mulf %[[SC]], %[[F]] : f32
// LOWERS-LABEL: func.func @dequantize
func.func @dequantize(%q: tensor<2x3xi8>) -> tensor<2x3xf32> {
  %0 = qnt.dequantize %q, !quant.uniform<u8:f32:0, {0.5:1, 0.25:255}> : tensor<2x3xi8> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
