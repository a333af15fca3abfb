// RUN: quant-opt %s --split-input-file --canonicalize | FileCheck %s

// A fake_quant of a constant folds to the constant of the dequantized values.
// Scale 0.5 makes every tie exact: 0.25 / 0.5 = 0.5 -> 0, 0.75 -> 2 (even),
// 1.25 -> 2, 0.6 -> 1; 100 and -100 saturate at 255 and 0 (zero point 128).
// CHECK-LABEL: func.func @fold_constant_per_tensor
// CHECK: %[[C:.*]] = arith.constant dense<[0.000000e+00, 1.000000e+00, 0.000000e+00, 1.000000e+00, 6.350000e+01, -6.400000e+01, 5.000000e-01]> : tensor<7xf32>
// CHECK-NOT: qnt.fake_quant
// CHECK: return %[[C]]
func.func @fold_constant_per_tensor() -> tensor<7xf32> {
  %c = arith.constant dense<[0.25, 0.75, -0.25, 1.25, 100.0, -100.0, 0.6]> : tensor<7xf32>
  %0 = qnt.fake_quant %c, !quant.uniform<u8:f32, 0.5:128> : tensor<7xf32>
  return %0 : tensor<7xf32>
}

// -----

// Per axis 0: row 0 has scale 0.5, row 1 scale 0.25; the narrow range clips
// -100 at -127 levels.
// CHECK-LABEL: func.func @fold_constant_per_axis0
// CHECK: %[[C:.*]] = arith.constant dense<{{\[}}[5.000000e-01, -5.000000e-01, -6.350000e+01], [2.500000e-01, -2.500000e-01, 1.000000e+00]]> : tensor<2x3xf32>
// CHECK: return %[[C]]
func.func @fold_constant_per_axis0() -> tensor<2x3xf32> {
  %c = arith.constant dense<[[0.3, -0.3, -100.0], [0.3, -0.3, 1.0]]> : tensor<2x3xf32>
  %0 = qnt.fake_quant %c, !quant.uniform<i8<-127:127>:f32:0, {0.5, 0.25}> : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Per axis 1 (the innermost dimension): the channel changes every element.
// CHECK-LABEL: func.func @fold_constant_per_axis1
// CHECK: %[[C:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 7.500000e-01], [-1.000000e+00, -7.500000e-01]]> : tensor<2x2xf32>
// CHECK: return %[[C]]
func.func @fold_constant_per_axis1() -> tensor<2x2xf32> {
  %c = arith.constant dense<[[0.9, 0.7], [-0.9, -0.7]]> : tensor<2x2xf32>
  %0 = qnt.fake_quant %c, !quant.uniform<i8:f32:1, {1.0, 0.25}> : tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Splats and tosa.const fold too. -1.0 / 0.1 + 3 = -7 saturates at 0, which
// dequantizes to 0.1 * (0 - 3) = -0.3.
// CHECK-LABEL: func.func @fold_splat_and_tosa_const
// CHECK-DAG: %[[A:.*]] = arith.constant dense<-3.000000e-01> : tensor<2x2xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: return %[[A]], %[[B]]
func.func @fold_splat_and_tosa_const() -> (tensor<2x2xf32>, tensor<2xf32>) {
  %c = arith.constant dense<-1.0> : tensor<2x2xf32>
  %0 = qnt.fake_quant %c, !quant.uniform<u8:f32, 0.1:3> : tensor<2x2xf32>
  %t = "tosa.const"() {values = dense<[1.2, 1.6]> : tensor<2xf32>} : () -> tensor<2xf32>
  %1 = qnt.fake_quant %t, !quant.uniform<i8:f32, 1.0> : tensor<2xf32>
  return %0, %1 : tensor<2x2xf32>, tensor<2xf32>
}

// -----

// Two identical fake_quant in a row collapse into one.
// CHECK-LABEL: func.func @collapse_identical
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[A:.*]] = qnt.fake_quant %[[X]], !quant.uniform<u8:f32, 1.000000e-01:128>
// CHECK-NOT: qnt.fake_quant
// CHECK: return %[[A]]
func.func @collapse_identical(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qnt.fake_quant %x, !quant.uniform<u8:f32, 0.1:128> : tensor<4xf32>
  %1 = qnt.fake_quant %0, !quant.uniform<u8:f32, 0.1:128> : tensor<4xf32>
  %2 = qnt.fake_quant %1, !quant.uniform<u8:f32, 0.1:128> : tensor<4xf32>
  return %2 : tensor<4xf32>
}

// -----

// Negative tests: different parameters are a real requantization; a
// non-constant input, observers and batch norms stay.
// CHECK-LABEL: func.func @keep
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[P:.*]]: tensor<4xf32>)
// CHECK: %[[A:.*]] = qnt.fake_quant %[[X]], !quant.uniform<u8:f32, 1.000000e-01:128>
// CHECK: %[[B:.*]] = qnt.fake_quant %[[A]], !quant.uniform<u8:f32, 2.000000e-01:128>
// CHECK: %[[C:.*]] = qnt.observe %[[B]] activation
// CHECK: %[[D:.*]] = qnt.batch_norm %[[C]], %[[P]], %[[P]], %[[P]], %[[P]]
// CHECK: return %[[D]]
func.func @keep(%x: tensor<4xf32>, %p: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qnt.fake_quant %x, !quant.uniform<u8:f32, 0.1:128> : tensor<4xf32>
  %1 = qnt.fake_quant %0, !quant.uniform<u8:f32, 0.2:128> : tensor<4xf32>
  %2 = qnt.observe %1 activation #qnt.scheme<u8, affine> "x" : tensor<4xf32>
  %3 = qnt.batch_norm %2, %p, %p, %p, %p {axis = 0 : i64, epsilon = 0.0 : f32} : tensor<4xf32>, tensor<4xf32>
  return %3 : tensor<4xf32>
}

// -----

// Large constants stored as resources fold into a new resource.
// CHECK-LABEL: func.func @fold_resource
// CHECK: %[[C:.*]] = arith.constant dense_resource<fake_quant> : tensor<2xf32>
// CHECK: return %[[C]]
// CHECK: fake_quant: "0x040000000000803F00000040"
func.func @fold_resource() -> tensor<2xf32> {
  %c = arith.constant dense_resource<weights> : tensor<2xf32>
  %0 = qnt.fake_quant %c, !quant.uniform<i8:f32, 1.0> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      weights: "0x040000009A99993F3333F33F"
    }
  }
#-}

// -----

// Integers made from floats and read back with the same parameters are one
// fake_quant; with other parameters they stay integers.
// CHECK-LABEL: func.func @dequantize_of_quantize
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-DAG: %[[Q:.*]] = qnt.quantize %[[X]], !quant.uniform<u8:f32, 1.000000e-01:128>
// CHECK-DAG: %[[FQ:.*]] = qnt.fake_quant %[[X]], !quant.uniform<u8:f32, 1.000000e-01:128> : tensor<4xf32>
// CHECK: %[[D:.*]] = qnt.dequantize %[[Q]], !quant.uniform<u8:f32, 2.000000e-01:128>
// CHECK: return %[[FQ]], %[[D]]
func.func @dequantize_of_quantize(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %q = qnt.quantize %x, !quant.uniform<u8:f32, 0.1:128> : tensor<4xf32> -> tensor<4xi8>
  %0 = qnt.dequantize %q, !quant.uniform<u8:f32, 0.1:128> : tensor<4xi8> -> tensor<4xf32>
  %1 = qnt.dequantize %q, !quant.uniform<u8:f32, 0.2:128> : tensor<4xi8> -> tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}
