// RUN: quant-opt %s --split-input-file | quant-opt --split-input-file | FileCheck %s
// RUN: quant-opt %s --split-input-file --mlir-print-op-generic | quant-opt --split-input-file | FileCheck %s
// RUN: quant-opt %s --emit-bytecode | quant-opt | FileCheck %s --check-prefix=BYTECODE

// Every op form survives print -> parse -> print, in the custom and the
// generic syntax and through bytecode.

// CHECK-LABEL: func.func @batch_norm
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x8x4xf32>, %[[G:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>, %[[M:.*]]: tensor<4xf32>, %[[V:.*]]: tensor<4xf32>)
// CHECK: %[[Y:.*]] = qnt.batch_norm %[[X]], %[[G]], %[[B]], %[[M]], %[[V]] {axis = 3 : i64, epsilon = 1.000000e-03 : f32} : tensor<1x8x8x4xf32>, tensor<4xf32>
// CHECK: return %[[Y]]
// BYTECODE-LABEL: func.func @batch_norm
// BYTECODE: qnt.batch_norm
func.func @batch_norm(%x: tensor<1x8x8x4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>,
                      %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<1x8x8x4xf32> {
  %y = qnt.batch_norm %x, %g, %b, %m, %v {axis = 3 : i64, epsilon = 1.0e-3 : f32}
         : tensor<1x8x8x4xf32>, tensor<4xf32>
  return %y : tensor<1x8x8x4xf32>
}

// -----

// CHECK-LABEL: func.func @batch_norm_nchw_dynamic
// CHECK: qnt.batch_norm %{{.*}} {axis = 1 : i64, epsilon = 0.000000e+00 : f32} : tensor<?x3x?x?xf16>, tensor<?xf16>
func.func @batch_norm_nchw_dynamic(%x: tensor<?x3x?x?xf16>, %p: tensor<?xf16>) -> tensor<?x3x?x?xf16> {
  %y = qnt.batch_norm %x, %p, %p, %p, %p {axis = 1 : i64, epsilon = 0.0 : f32}
         : tensor<?x3x?x?xf16>, tensor<?xf16>
  return %y : tensor<?x3x?x?xf16>
}

// -----

// CHECK-LABEL: func.func @observe
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x8x4xf32>, %[[W:.*]]: tensor<8x3x3x4xf32>)
// CHECK: %[[A:.*]] = qnt.observe %[[X]] activation #qnt.scheme<u8, affine> "input" : tensor<1x8x8x4xf32>
// CHECK: %[[B:.*]] = qnt.observe %[[A]] activation #qnt.scheme<i8, symmetric> "sym" : tensor<1x8x8x4xf32>
// CHECK: %[[C:.*]] = qnt.observe %[[B]] activation #qnt.scheme<u7, affine> "reduce_range" : tensor<1x8x8x4xf32>
// CHECK: qnt.observe %[[W]] weight #qnt.scheme<i8, symmetric, narrow, axis = 0> "conv.weight" : tensor<8x3x3x4xf32>
// CHECK: qnt.observe %[[W]] weight #qnt.scheme<u4, affine, axis = 3> "w4" : tensor<8x3x3x4xf32>
// CHECK: qnt.observe %[[W]] weight #qnt.scheme<i16, symmetric, narrow> "w16" : tensor<8x3x3x4xf32>
// BYTECODE-LABEL: func.func @observe
// BYTECODE: #qnt.scheme<i8, symmetric, narrow, axis = 0>
func.func @observe(%x: tensor<1x8x8x4xf32>, %w: tensor<8x3x3x4xf32>)
    -> (tensor<1x8x8x4xf32>, tensor<8x3x3x4xf32>, tensor<8x3x3x4xf32>, tensor<8x3x3x4xf32>) {
  %0 = qnt.observe %x activation #qnt.scheme<u8, affine> "input" : tensor<1x8x8x4xf32>
  %1 = qnt.observe %0 activation #qnt.scheme<i8, symmetric> "sym" : tensor<1x8x8x4xf32>
  %2 = qnt.observe %1 activation #qnt.scheme<u7, affine> "reduce_range" : tensor<1x8x8x4xf32>
  %3 = qnt.observe %w weight #qnt.scheme<i8, symmetric, narrow, axis = 0> "conv.weight" : tensor<8x3x3x4xf32>
  %4 = qnt.observe %w weight #qnt.scheme<u4, affine, axis = 3> "w4" : tensor<8x3x3x4xf32>
  %5 = qnt.observe %w weight #qnt.scheme<i16, symmetric, narrow> "w16" : tensor<8x3x3x4xf32>
  return %2, %3, %4, %5 : tensor<1x8x8x4xf32>, tensor<8x3x3x4xf32>, tensor<8x3x3x4xf32>, tensor<8x3x3x4xf32>
}

// -----

// Statistics print in their shortest exact form, so a calibrated module
// round-trips bit for bit.
// CHECK-LABEL: func.func @observe_stats
// CHECK: qnt.observe %{{.*}} activation #qnt.scheme<u8, affine> "relu1"
// CHECK-SAME: {stats = #qnt.stats<count = 6, min = -1.000000e+00, max = 0.30000000000000004, ema_min = -0.98999999999999999, ema_max = 3.000000e-01, hist = [2, 0, 4], hist_min = -1.000000e+00, hist_max = 5.000000e-01>}
// CHECK: qnt.observe %{{.*}} activation #qnt.scheme<u8, affine> "with_nan"
// CHECK-SAME: {stats = #qnt.stats<count = 0, nan_count = 3, inf_count = 1, min = 0.000000e+00, max = 0.000000e+00, ema_min = 0.000000e+00, ema_max = 0.000000e+00>}
func.func @observe_stats(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = qnt.observe %x activation #qnt.scheme<u8, affine> "relu1" {stats = #qnt.stats<count = 6, min = -1.0, max = 0.30000000000000004, ema_min = -0.99, ema_max = 0.3, hist = [2, 0, 4], hist_min = -1.0, hist_max = 0.5>} : tensor<2x3xf32>
  %1 = qnt.observe %0 activation #qnt.scheme<u8, affine> "with_nan" {stats = #qnt.stats<count = 0, nan_count = 3, inf_count = 1, min = 0.0, max = 0.0, ema_min = 0.0, ema_max = 0.0>} : tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @fake_quant
// CHECK-SAME: (%[[X:.*]]: tensor<1x8xf32>, %[[W:.*]]: tensor<2x3xf32>)
// CHECK: %[[A:.*]] = qnt.fake_quant %[[X]], !quant.uniform<u8:f32, 1.000000e-01:128> : tensor<1x8xf32>
// CHECK: qnt.fake_quant %[[A]], !quant.uniform<i8:f32, 0.0123456789> : tensor<1x8xf32>
// CHECK: qnt.fake_quant %[[W]], !quant.uniform<i8<-127:127>:f32:0, {1.000000e-01,2.500000e-01}> : tensor<2x3xf32>
// CHECK: qnt.fake_quant %[[W]], !quant.uniform<u8:f32:1, {1.000000e-01:1,2.000000e-01:2,3.000000e-01:255}> : tensor<2x3xf32>
// BYTECODE-LABEL: func.func @fake_quant
// BYTECODE: !quant.uniform<i8<-127:127>:f32:0, {1.000000e-01,2.500000e-01}>
func.func @fake_quant(%x: tensor<1x8xf32>, %w: tensor<2x3xf32>)
    -> (tensor<1x8xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = qnt.fake_quant %x, !quant.uniform<u8:f32, 0.1:128> : tensor<1x8xf32>
  %1 = qnt.fake_quant %0, !quant.uniform<i8:f32, 0.0123456789> : tensor<1x8xf32>
  %2 = qnt.fake_quant %w, !quant.uniform<i8<-127:127>:f32:0, {0.1, 0.25}> : tensor<2x3xf32>
  %3 = qnt.fake_quant %w, !quant.uniform<u8:f32:1, {0.1:1, 0.2:2, 0.3:255}> : tensor<2x3xf32>
  return %1, %2, %3 : tensor<1x8xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @fake_quant_dynamic
// CHECK: qnt.fake_quant %{{.*}}, !quant.uniform<i8:f16:0, {1.000000e-01,2.000000e-01}> : tensor<?x4xf16>
func.func @fake_quant_dynamic(%x: tensor<?x4xf16>) -> tensor<?x4xf16> {
  %0 = qnt.fake_quant %x, !quant.uniform<i8:f16:0, {0.1, 0.2}> : tensor<?x4xf16>
  return %0 : tensor<?x4xf16>
}

// -----

// CHECK-LABEL: func.func @quantize_dequantize
// CHECK-SAME: (%[[X:.*]]: tensor<1x8xf32>, %[[Q:.*]]: tensor<2x3xi8>)
// CHECK: qnt.quantize %[[X]], !quant.uniform<u8:f32, 1.000000e-01:128> : tensor<1x8xf32> -> tensor<1x8xi8>
// CHECK: qnt.quantize %[[X]], !quant.uniform<i32:f32, 1.000000e+00> : tensor<1x8xf32> -> tensor<1x8xi32>
// CHECK: qnt.dequantize %[[Q]], !quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01:3,3.000000e-01}> : tensor<2x3xi8> -> tensor<2x3xf32>
func.func @quantize_dequantize(%x: tensor<1x8xf32>, %q: tensor<2x3xi8>)
    -> (tensor<1x8xi8>, tensor<1x8xi32>, tensor<2x3xf32>) {
  %0 = qnt.quantize %x, !quant.uniform<u8:f32, 0.1:128> : tensor<1x8xf32> -> tensor<1x8xi8>
  %1 = qnt.quantize %x, !quant.uniform<i32:f32, 1.0> : tensor<1x8xf32> -> tensor<1x8xi32>
  %2 = qnt.dequantize %q, !quant.uniform<i8:f32:1, {0.1, 0.2:3, 0.3}> : tensor<2x3xi8> -> tensor<2x3xf32>
  return %0, %1, %2 : tensor<1x8xi8>, tensor<1x8xi32>, tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @pack_s8
// CHECK: qnt.pack_s8 %{{.*}}, %{{.*}} : vector<16xi32>, vector<16xi32> -> vector<32xi8>
// CHECK: qnt.pack_s8 %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32> -> vector<64xi8>
func.func @pack_s8(%a: vector<16xi32>, %b: vector<16xi32>) -> (vector<32xi8>, vector<64xi8>) {
  %0 = qnt.pack_s8 %a, %b : vector<16xi32>, vector<16xi32> -> vector<32xi8>
  %1 = qnt.pack_s8 %a, %b, %a, %b : vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32> -> vector<64xi8>
  return %0, %1 : vector<32xi8>, vector<64xi8>
}
