// RUN: quant-opt %s --split-input-file --qnt-fold-batch-norm | FileCheck %s

// Every case uses the same BatchNorm: gamma [4, 2], beta [1, -1],
// mean [0.5, 2], var [3, 15], eps 1, so k = gamma / sqrt(var + eps) = [2, 0.5]
// and s = beta - mean * k = [0, -2]. Folded: w' = w * k, b' = b * k + s.

// CHECK-LABEL: func.func @conv2d
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}2.000000e+00]]], {{\[\[\[}}1.000000e+00]]]]> : tensor<2x1x1x1xf32>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[1.000000e+00, -2.500000e+00]> : tensor<2xf32>}>
// CHECK: %[[Y:.*]] = tosa.conv2d %{{.*}}, %[[W]], %[[B]]
// CHECK-NOT: qnt.batch_norm
// CHECK: return %[[Y]]
func.func @conv2d(%x: tensor<1x4x4x1xf32>) -> tensor<1x4x4x2xf32> {
  %w = "tosa.const"() {values = dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<[0.5, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %g = "tosa.const"() {values = dense<[4.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %be = "tosa.const"() {values = dense<[1.0, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %m = "tosa.const"() {values = dense<[0.5, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %v = "tosa.const"() {values = dense<[3.0, 15.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %z = qnt.batch_norm %y, %g, %be, %m, %v {axis = 3 : i64, epsilon = 1.0 : f32} : tensor<1x4x4x2xf32>, tensor<2xf32>
  return %z : tensor<1x4x4x2xf32>
}

// -----

// A broadcast bias [1] becomes one bias per channel.
// CHECK-LABEL: func.func @conv2d_broadcast_bias
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[2.000000e+00, -1.500000e+00]> : tensor<2xf32>}>
// CHECK: tosa.conv2d %{{.*}}, %{{.*}}, %[[B]]
func.func @conv2d_broadcast_bias(%x: tensor<1x4x4x1xf32>) -> tensor<1x4x4x2xf32> {
  %w = "tosa.const"() {values = dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<1.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x1xf32>, tensor<2x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %g = "tosa.const"() {values = dense<[4.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %be = "tosa.const"() {values = dense<[1.0, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %m = "tosa.const"() {values = dense<[0.5, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %v = "tosa.const"() {values = dense<[3.0, 15.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %z = qnt.batch_norm %y, %g, %be, %m, %v {axis = 3 : i64, epsilon = 1.0 : f32} : tensor<1x4x4x2xf32>, tensor<2xf32>
  return %z : tensor<1x4x4x2xf32>
}

// -----

// Depthwise weights are [KH, KW, C, M]; output channel c * M + m. Here C = 1,
// M = 2: the multiplier index is the channel.
// CHECK-LABEL: func.func @depthwise
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}2.000000e+00, 1.000000e+00]]]]> : tensor<1x1x1x2xf32>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[1.000000e+00, -2.500000e+00]> : tensor<2xf32>}>
// CHECK: tosa.depthwise_conv2d %{{.*}}, %[[W]], %[[B]]
// CHECK-NOT: qnt.batch_norm
func.func @depthwise(%x: tensor<1x4x4x1xf32>) -> tensor<1x4x4x2xf32> {
  %w = "tosa.const"() {values = dense<[[[[1.0, 2.0]]]]> : tensor<1x1x1x2xf32>} : () -> tensor<1x1x1x2xf32>
  %b = "tosa.const"() {values = dense<[0.5, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x1xf32>, tensor<1x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %g = "tosa.const"() {values = dense<[4.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %be = "tosa.const"() {values = dense<[1.0, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %m = "tosa.const"() {values = dense<[0.5, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %v = "tosa.const"() {values = dense<[3.0, 15.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %z = qnt.batch_norm %y, %g, %be, %m, %v {axis = 3 : i64, epsilon = 1.0 : f32} : tensor<1x4x4x2xf32>, tensor<2xf32>
  return %z : tensor<1x4x4x2xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_conv
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}2.000000e+00]]], {{\[\[\[}}1.000000e+00]]]]> : tensor<2x1x1x1xf32>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[1.000000e+00, -2.500000e+00]> : tensor<2xf32>}>
// CHECK: tosa.transpose_conv2d %{{.*}}, %[[W]], %[[B]]
// CHECK-NOT: qnt.batch_norm
func.func @transpose_conv(%x: tensor<1x4x4x1xf32>) -> tensor<1x4x4x2xf32> {
  %w = "tosa.const"() {values = dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<[0.5, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.transpose_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, out_pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %g = "tosa.const"() {values = dense<[4.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %be = "tosa.const"() {values = dense<[1.0, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %m = "tosa.const"() {values = dense<[0.5, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %v = "tosa.const"() {values = dense<[3.0, 15.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %z = qnt.batch_norm %y, %g, %be, %m, %v {axis = 3 : i64, epsilon = 1.0 : f32} : tensor<1x4x4x2xf32>, tensor<2xf32>
  return %z : tensor<1x4x4x2xf32>
}

// -----

// The importer's Gemm: reshape, matmul with constant B [1, K, N], reshape,
// bias add. B's columns scale; the bias add absorbs b * k + s.
// CHECK-LABEL: func.func @gemm
// CHECK: %[[B:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}2.000000e+00, 5.000000e-01], [4.000000e+00, 1.000000e+00]]]> : tensor<1x2x2xf32>}>
// CHECK: %[[MM:.*]] = tosa.matmul %{{.*}}, %[[B]]
// CHECK: %[[R:.*]] = tosa.reshape %[[MM]]
// CHECK: %[[C:.*]] = "tosa.const"() <{values = dense<{{\[\[}}1.000000e+00, -2.500000e+00]]> : tensor<1x2xf32>}>
// CHECK: %[[Y:.*]] = tosa.add %[[R]], %[[C]]
// CHECK-NOT: qnt.batch_norm
// CHECK: return %[[Y]]
func.func @gemm(%a: tensor<1x1x2xf32>) -> tensor<1x2xf32> {
  %bm = "tosa.const"() {values = dense<[[[1.0, 1.0], [2.0, 2.0]]]> : tensor<1x2x2xf32>} : () -> tensor<1x2x2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %mm = tosa.matmul %a, %bm, %zp, %zp : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %s = tosa.const_shape {values = dense<[1, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %r = tosa.reshape %mm, %s : (tensor<1x1x2xf32>, !tosa.shape<2>) -> tensor<1x2xf32>
  %c = "tosa.const"() {values = dense<[[0.5, -1.0]]> : tensor<1x2xf32>} : () -> tensor<1x2xf32>
  %y = tosa.add %r, %c : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  %g = "tosa.const"() {values = dense<[4.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %be = "tosa.const"() {values = dense<[1.0, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %m = "tosa.const"() {values = dense<[0.5, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %v = "tosa.const"() {values = dense<[3.0, 15.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %z = qnt.batch_norm %y, %g, %be, %m, %v {axis = 1 : i64, epsilon = 1.0 : f32} : tensor<1x2xf32>, tensor<2xf32>
  return %z : tensor<1x2xf32>
}

// -----

// A matmul without a bias add gets one for the shift.
// CHECK-LABEL: func.func @matmul_no_bias
// CHECK: %[[B:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}2.000000e+00, 5.000000e-01]]]> : tensor<1x1x2xf32>}>
// CHECK: %[[MM:.*]] = tosa.matmul %{{.*}}, %[[B]]
// CHECK: %[[S:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}0.000000e+00, -2.000000e+00]]]> : tensor<1x1x2xf32>}>
// CHECK: %[[Y:.*]] = tosa.add %[[MM]], %[[S]]
// CHECK: return %[[Y]]
func.func @matmul_no_bias(%a: tensor<1x1x1xf32>) -> tensor<1x1x2xf32> {
  %bm = "tosa.const"() {values = dense<[[[1.0, 1.0]]]> : tensor<1x1x2xf32>} : () -> tensor<1x1x2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %mm = tosa.matmul %a, %bm, %zp, %zp : (tensor<1x1x1xf32>, tensor<1x1x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %g = "tosa.const"() {values = dense<[4.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %be = "tosa.const"() {values = dense<[1.0, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %m = "tosa.const"() {values = dense<[0.5, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %v = "tosa.const"() {values = dense<[3.0, 15.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %z = qnt.batch_norm %mm, %g, %be, %m, %v {axis = 2 : i64, epsilon = 1.0 : f32} : tensor<1x1x2xf32>, tensor<2xf32>
  return %z : tensor<1x1x2xf32>
}

// -----

// A BatchNorm before an unpadded conv folds forward, per input channel:
// w'[o, .., i] = w * k[i], b'[o] = b[o] + sum_i w[o, .., i] * s[i].
// Weights [[1, 1], [2, 3]] (OC = 2, IC = 2), bias [0.5, -1]:
// w' = [[2, 0.5], [4, 1.5]], b' = [0.5 + 1 * -2, -1 + 3 * -2] = [-1.5, -7].
// CHECK-LABEL: func.func @before_conv
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x4x2xf32>)
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}2.000000e+00, 5.000000e-01]]], {{\[\[\[}}4.000000e+00, 1.500000e+00]]]]> : tensor<2x1x1x2xf32>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[-1.500000e+00, -7.000000e+00]> : tensor<2xf32>}>
// CHECK: tosa.conv2d %[[X]], %[[W]], %[[B]]
// CHECK-NOT: qnt.batch_norm
func.func @before_conv(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> {
  %g = "tosa.const"() {values = dense<[4.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %be = "tosa.const"() {values = dense<[1.0, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %m = "tosa.const"() {values = dense<[0.5, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %v = "tosa.const"() {values = dense<[3.0, 15.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %n = qnt.batch_norm %x, %g, %be, %m, %v {axis = 3 : i64, epsilon = 1.0 : f32} : tensor<1x4x4x2xf32>, tensor<2xf32>
  %w = "tosa.const"() {values = dense<[[[[1.0, 1.0]]], [[[2.0, 3.0]]]]> : tensor<2x1x1x2xf32>} : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() {values = dense<[0.5, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %n, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  return %y : tensor<1x4x4x2xf32>
}

// -----

// Per-channel constant mul, add and sub after a conv (another frontend's
// BatchNorm): w' = w * [2, 0.5], b' = (b * [2, 0.5] + [1, 1]) - [0, 3].
// CHECK-LABEL: func.func @affine_chain
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}2.000000e+00]]], {{\[\[\[}}1.000000e+00]]]]> : tensor<2x1x1x1xf32>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[2.000000e+00, -2.500000e+00]> : tensor<2xf32>}>
// CHECK: %[[Y:.*]] = tosa.conv2d %{{.*}}, %[[W]], %[[B]]
// CHECK-NEXT: return %[[Y]]
func.func @affine_chain(%x: tensor<1x4x4x1xf32>) -> tensor<1x4x4x2xf32> {
  %w = "tosa.const"() {values = dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<[0.5, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %k = "tosa.const"() {values = dense<[[[[2.0, 0.5]]]]> : tensor<1x1x1x2xf32>} : () -> tensor<1x1x1x2xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %a = tosa.mul %y, %k, %shift : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>, tensor<1xi8>) -> tensor<1x4x4x2xf32>
  %one = "tosa.const"() {values = dense<1.0> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %c = tosa.add %one, %a : (tensor<1x1x1x1xf32>, tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %s = "tosa.const"() {values = dense<[[[[0.0, 3.0]]]]> : tensor<1x1x1x2xf32>} : () -> tensor<1x1x1x2xf32>
  %d = tosa.sub %c, %s : (tensor<1x4x4x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x4x4x2xf32>
  return %d : tensor<1x4x4x2xf32>
}
