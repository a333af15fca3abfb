// RUN: quant-opt %s --split-input-file --qnt-lower-gemm | FileCheck %s
// RUN: quant-opt %s --split-input-file --qnt-lower-gemm=narrow=each | FileCheck %s --check-prefix=EACH

// A 3x3 convolution, K = 27 padded to 28, N = 20 in one 32-lane tile (J = 2),
// M = 4 rows below the 12-row tile: one kernel of 4 rows. With 3 channels
// the im2col copies each kernel row's 3 taps x 3 channels as one run of 9
// bytes of the input row, sign bit flipped, into A = [M, 28], and zeroes
// the K padding; the accumulators start from init plus
// -(z_a + 128) * colsum(w) = -(-5 + 128) * 27 = -3321 per real column
// (init read masked past column 20); the padded columns are neither stored
// nor sliced: the second vector's first 4 lanes are written as a vector<4>.
// CHECK-LABEL: func.func @conv
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x4x3xi8>, %[[INIT:.*]]: tensor<1x2x2x20xi32>)
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0], [1], [2, 3]] : tensor<1x4x4x3xi8> into tensor<1x4x12xi8>
// CHECK: %[[APAD:.*]] = scf.for {{.*}} -> (tensor<4x28xi8>)
// CHECK: %[[SPAN:.*]] = vector.transfer_read %[[ROWS]]{{.*}} : tensor<1x4x12xi8>, vector<9xi8>
// CHECK: %[[U:.*]] = arith.xori %[[SPAN]], %{{.*}} : vector<9xi8>
// CHECK: vector.transfer_write %[[U]], %{{.*}} : vector<9xi8>, tensor<4x28xi8>
// CHECK: vector.transfer_write %{{.*}}, %{{.*}}[%{{.*}}, %c27{{.*}}] {{.*}} : vector<1xi8>, tensor<4x28xi8>
// CHECK-DAG: %[[W:.*]] = arith.constant dense<"0x{{[0-9A-F]+}}"> : tensor<1x7x128xi8>
// CHECK-DAG: %[[CORR:.*]] = arith.constant dense<[-3321, {{.*}}, -3321, 0, {{.*}}, 0]> : tensor<32xi32>
// CHECK: %[[C:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[INIT2:.*]]) -> (tensor<4x20xi32>) {
// CHECK-COUNT-4: vector.transfer_read {{.*}} {in_bounds = [true]} : tensor<4x20xi32>, vector<16xi32>
// CHECK:   scf.for {{.*}} -> (vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>) {
// CHECK:     vector.transfer_read %[[W]]
// CHECK:     vector.transfer_read %[[APAD]]{{.*}} : tensor<4x28xi8>, vector<4xi8>
// CHECK:     vector.broadcast {{.*}} : vector<1xi32> to vector<16xi32>
// CHECK-COUNT-2: qnt.dot_u8s8
// CHECK:   vector.transfer_write %{{.*}} {in_bounds = [true]} : vector<16xi32>, tensor<4x20xi32>
// CHECK:   %[[LAST:.*]] = vector.extract_strided_slice %{{.*}} {offsets = [0], sizes = [4], strides = [1]} : vector<16xi32> to vector<4xi32>
// CHECK:   vector.transfer_write %[[LAST]], {{.*}} {in_bounds = [true]} : vector<4xi32>, tensor<4x20xi32>
// CHECK-NOT: tensor.extract_slice
// CHECK: %[[R:.*]] = tensor.expand_shape %[[C]] {{\[}}[0, 1, 2], [3]] output_shape [1, 2, 2, 20]
// CHECK: return %[[R]]
func.func @conv(%x: tensor<1x4x4x3xi8>, %init: tensor<1x2x2x20xi32>) -> tensor<1x2x2x20xi32> {
  %w = arith.constant dense<1> : tensor<20x3x3x3xi8>
  %za = arith.constant -5 : i32
  %zw = arith.constant 0 : i32
  %y = linalg.conv_2d_nhwc_fhwc_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w, %za, %zw : tensor<1x4x4x3xi8>, tensor<20x3x3x3xi8>, i32, i32) outs(%init : tensor<1x2x2x20xi32>) -> tensor<1x2x2x20xi32>
  return %y : tensor<1x2x2x20xi32>
}

// -----

// A matmul with a bias broadcast as init (tosa-to-linalg's form): the bias
// joins the correction, init is never read; 64 columns (J = 4) in 6-row
// tiles, 8 = 6 + 2 rows (a 2-row kernel for the rest).
// CHECK-LABEL: func.func @matmul_bias
// CHECK-DAG: %[[CORR:.*]] = arith.constant dense<[5, 6, 7, {{.*}}]> : tensor<64xi32>
// CHECK: tensor.empty() : tensor<8x64xi32>
// CHECK: scf.for
// CHECK:   scf.for {{.*}} step %c6
// CHECK-NOT: vector.transfer_read {{.*}} : tensor<8x64xi32>
// CHECK-COUNT-24: qnt.dot_u8s8
// CHECK: scf.for
// CHECK:   scf.for {{.*}} step %c2
// CHECK-COUNT-8: qnt.dot_u8s8
func.func @matmul_bias(%a: tensor<1x8x4xi8>) -> tensor<1x8x64xi32> {
  %b = arith.constant dense<0> : tensor<1x4x64xi8>
  %bias = arith.constant dense<[5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68]> : tensor<64xi32>
  %e = tensor.empty() : tensor<1x8x64xi32>
  %init = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%bias : tensor<64xi32>) outs(%e : tensor<1x8x64xi32>) {
  ^bb0(%in: i32, %out: i32):
    linalg.yield %in : i32
  } -> tensor<1x8x64xi32>
  %za = arith.constant -128 : i32
  %zb = arith.constant 0 : i32
  %y = linalg.quantized_batch_matmul ins(%a, %b, %za, %zb : tensor<1x8x4xi8>, tensor<1x4x64xi8>, i32, i32) outs(%init : tensor<1x8x64xi32>) -> tensor<1x8x64xi32>
  return %y : tensor<1x8x64xi32>
}

// -----

// Affine weights (zero point 3) and runtime weights are left alone.
// CHECK-LABEL: func.func @not_lowered
// CHECK-NOT: qnt.dot_u8s8
// CHECK: linalg.quantized_batch_matmul
// CHECK: linalg.quantized_batch_matmul
func.func @not_lowered(%a: tensor<1x8x4xi8>, %w: tensor<1x4x16xi8>, %init: tensor<1x8x16xi32>) -> (tensor<1x8x16xi32>, tensor<1x8x16xi32>) {
  %b = arith.constant dense<1> : tensor<1x4x16xi8>
  %za = arith.constant 0 : i32
  %zb = arith.constant 3 : i32
  %z0 = arith.constant 0 : i32
  %y = linalg.quantized_batch_matmul ins(%a, %b, %za, %zb : tensor<1x8x4xi8>, tensor<1x4x16xi8>, i32, i32) outs(%init : tensor<1x8x16xi32>) -> tensor<1x8x16xi32>
  %r = linalg.quantized_batch_matmul ins(%a, %w, %za, %z0 : tensor<1x8x4xi8>, tensor<1x4x16xi8>, i32, i32) outs(%init : tensor<1x8x16xi32>) -> tensor<1x8x16xi32>
  return %y, %r : tensor<1x8x16xi32>, tensor<1x8x16xi32>
}

// -----

// f32: K advances by one with vector FMAs of a broadcast activation; a 1x1
// convolution reads its input directly (no im2col).
// CHECK-LABEL: func.func @conv1x1_f32
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x3x8xf32>
// CHECK: %[[A:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1, 2], [3]] : tensor<1x3x3x8xf32> into tensor<9x8xf32>
// CHECK-DAG: arith.constant dense<{{.*}}> : tensor<1x8x16xf32>
// CHECK: vector.transfer_read %[[A]]{{.*}} : tensor<9x8xf32>, vector<1xf32>
// CHECK: vector.broadcast {{.*}} : vector<1xf32> to vector<16xf32>
// CHECK: vector.fma
func.func @conv1x1_f32(%x: tensor<1x3x3x8xf32>, %init: tensor<1x3x3x16xf32>) -> tensor<1x3x3x16xf32> {
  %w = arith.constant dense<0.25> : tensor<16x1x1x8xf32>
  %y = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x3x3x8xf32>, tensor<16x1x1x8xf32>) outs(%init : tensor<1x3x3x16xf32>) -> tensor<1x3x3x16xf32>
  return %y : tensor<1x3x3x16xf32>
}

// -----

// An elementwise consumer of the accumulators (the requantize to i8) runs
// in the kernel on the accumulators in registers: its body on 16 lanes, its
// per-channel constants read as vectors, and the kernel stores i8.
// CHECK-LABEL: func.func @fused_requantize
// CHECK: scf.for {{.*}} -> (tensor<4x16xi8>)
// CHECK: qnt.dot_u8s8
// CHECK: vector.transfer_read %{{.*}} : tensor<16xi32>, vector<16xi32>
// CHECK: arith.muli {{.*}} : vector<16xi32>
// CHECK: arith.trunci {{.*}} : vector<16xi32> to vector<16xi8>
// CHECK: vector.transfer_write {{.*}} : vector<16xi8>, tensor<4x16xi8>
// CHECK-NOT: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x2x2x16xi32>
func.func @fused_requantize(%x: tensor<1x4x4x4xi8>) -> tensor<1x2x2x16xi8> {
  %w = arith.constant dense<1> : tensor<16x3x3x4xi8>
  %za = arith.constant 0 : i32
  %zw = arith.constant 0 : i32
  %z = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x2x2x16xi32>
  %init = linalg.fill ins(%z : i32) outs(%e : tensor<1x2x2x16xi32>) -> tensor<1x2x2x16xi32>
  %y = linalg.conv_2d_nhwc_fhwc_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w, %za, %zw : tensor<1x4x4x4xi8>, tensor<16x3x3x4xi8>, i32, i32) outs(%init : tensor<1x2x2x16xi32>) -> tensor<1x2x2x16xi32>
  %m = arith.constant dense<3> : tensor<16xi32>
  %o = tensor.empty() : tensor<1x2x2x16xi8>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%y, %m : tensor<1x2x2x16xi32>, tensor<16xi32>) outs(%o : tensor<1x2x2x16xi8>) {
  ^bb0(%in: i32, %mult: i32, %out: i8):
    %p = arith.muli %in, %mult : i32
    %t = arith.trunci %p : i32 to i8
    linalg.yield %t : i8
  } -> tensor<1x2x2x16xi8>
  return %r : tensor<1x2x2x16xi8>
}

// -----

// The same for a matmul: the activations flipped by packRows (K = 37 padded
// to 40, the padding flipped -128s), the consumer in the kernel.
// CHECK-LABEL: func.func @matmul_fused_requantize
// CHECK: scf.for {{.*}} -> (tensor<6x40xi8>)
// CHECK: vector.transfer_read %{{.*}}, %c-128_i8 : tensor<6x37xi8>, vector<40xi8>
// CHECK: scf.for {{.*}} -> (tensor<6x16xi8>)
// CHECK: qnt.dot_u8s8
// CHECK: arith.trunci {{.*}} : vector<16xi32> to vector<16xi8>
// CHECK: vector.transfer_write {{.*}} : vector<16xi8>, tensor<6x16xi8>
// CHECK-NOT: linalg.generic
func.func @matmul_fused_requantize(%a: tensor<1x6x37xi8>) -> tensor<1x6x16xi8> {
  %b = arith.constant dense<1> : tensor<1x37x16xi8>
  %za = arith.constant 4 : i32
  %zb = arith.constant 0 : i32
  %z = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x6x16xi32>
  %init = linalg.fill ins(%z : i32) outs(%e : tensor<1x6x16xi32>) -> tensor<1x6x16xi32>
  %y = linalg.quantized_batch_matmul ins(%a, %b, %za, %zb : tensor<1x6x37xi8>, tensor<1x37x16xi8>, i32, i32) outs(%init : tensor<1x6x16xi32>) -> tensor<1x6x16xi32>
  %m = arith.constant dense<3> : tensor<16xi32>
  %o = tensor.empty() : tensor<1x6x16xi8>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%y, %m : tensor<1x6x16xi32>, tensor<16xi32>) outs(%o : tensor<1x6x16xi8>) {
  ^bb0(%in: i32, %mult: i32, %out: i8):
    %p = arith.muli %in, %mult : i32
    %t = arith.trunci %p : i32 to i8
    linalg.yield %t : i8
  } -> tensor<1x6x16xi8>
  return %r : tensor<1x6x16xi8>
}

// -----

// tosa-to-linalg's form of an int8 convolution whose zero points are both
// 0: the plain named op on i8 with an i32 result. It is the int8 kernel
// with z_a = 0: the correction is -128 * colsum(w) = -128 * 8 per column.
// CHECK-LABEL: func.func @conv_i8_plain
// CHECK-DAG: arith.constant dense<-1024> : tensor<16xi32>
// CHECK: qnt.dot_u8s8
// CHECK-NOT: linalg.conv_2d_nhwc_fhwc
func.func @conv_i8_plain(%x: tensor<1x3x3x8xi8>) -> tensor<1x3x3x16xi32> {
  %w = arith.constant dense<1> : tensor<16x1x1x8xi8>
  %z = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x3x3x16xi32>
  %init = linalg.fill ins(%z : i32) outs(%e : tensor<1x3x3x16xi32>) -> tensor<1x3x3x16xi32>
  %y = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x3x3x8xi8>, tensor<16x1x1x8xi8>) outs(%init : tensor<1x3x3x16xi32>) -> tensor<1x3x3x16xi32>
  return %y : tensor<1x3x3x16xi32>
}

// -----

// A padded 3x3 convolution reads its input in place (implicit GEMM): one
// pass writes the padded input, sign bit flipped, as a flat [6 * 6 * 16]
// tensor (pad rows of the flipped zero point -3 ^ 0x80 = 125, or left
// padding, the source row, right padding); the kernel's rows are output
// pixels within an output row (4 per tile), a kernel row's 3 * 16 taps one
// run of 12 K steps at the row's offset (96 bytes per padded row), the
// tile's rows 16 bytes apart. No im2col, no tensor.pad.
// CHECK-LABEL: func.func @conv_padded
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x4x16xi8>)
// CHECK-DAG: %[[PADV:.*]] = arith.constant dense<125> : vector<64xi8>
// CHECK-DAG: %[[ROWS:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0], [1], [2, 3]] : tensor<1x4x4x16xi8> into tensor<1x4x64xi8>
// CHECK-NOT: tensor.pad
// CHECK: %[[P:.*]] = scf.for {{.*}} -> (tensor<576xi8>)
// CHECK: scf.if %{{.*}} -> (tensor<576xi8>)
// CHECK: vector.transfer_write %[[PADV]]
// CHECK: %[[D:.*]] = vector.transfer_read %[[ROWS]]{{.*}} : tensor<1x4x64xi8>, vector<64xi8>
// CHECK: %[[U:.*]] = arith.xori %[[D]]
// CHECK: vector.transfer_write %[[U]], %{{.*}} : vector<64xi8>, tensor<576xi8>
// CHECK: } else {
// CHECK: vector.transfer_write %[[PADV]]
// CHECK: scf.for {{.*}} step %c4{{.*}} -> (tensor<16x16xi32>)
// CHECK: scf.for %{{.*}} = %{{.*}} to %c3{{.*}} -> (vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>)
// CHECK: arith.muli %{{.*}}, %c96
// CHECK: scf.for %{{.*}} = %{{.*}} to %c12{{.*}} -> (vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>)
// CHECK: %[[A0:.*]] = vector.transfer_read %[[P]][%{{.*}}]{{.*}} : tensor<576xi8>, vector<4xi8>
// CHECK: qnt.dot_u8s8
// CHECK: %[[O1:.*]] = arith.addi %{{.*}}, %c16
// CHECK: vector.transfer_read %[[P]][%[[O1]]]{{.*}} : tensor<576xi8>, vector<4xi8>
// CHECK-COUNT-3: qnt.dot_u8s8
// CHECK-NOT: tensor.pad
func.func @conv_padded(%x: tensor<1x4x4x16xi8>) -> tensor<1x4x4x16xi32> {
  %zp = arith.constant -3 : i8
  %p = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zp : i8
  } : tensor<1x4x4x16xi8> to tensor<1x6x6x16xi8>
  %w = arith.constant dense<1> : tensor<16x3x3x16xi8>
  %za = arith.constant -3 : i32
  %zw = arith.constant 0 : i32
  %z = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x4x4x16xi32>
  %init = linalg.fill ins(%z : i32) outs(%e : tensor<1x4x4x16xi32>) -> tensor<1x4x4x16xi32>
  %y = linalg.conv_2d_nhwc_fhwc_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%p, %w, %za, %zw : tensor<1x6x6x16xi8>, tensor<16x3x3x16xi8>, i32, i32) outs(%init : tensor<1x4x4x16xi32>) -> tensor<1x4x4x16xi32>
  return %y : tensor<1x4x4x16xi32>
}

// -----

// With dilation the im2col stays, reading the unpadded source through the
// padding: directly for windows inside it, else with clamped indices
// selecting the pad value (the zero point) outside; the padded tensor is
// not built.
// CHECK-LABEL: func.func @conv_padded_dilated
// CHECK-SAME: (%[[X:.*]]: tensor<1x6x6x16xi8>)
// CHECK-NOT: tensor.pad
// CHECK: scf.for
// CHECK: scf.if %{{.*}} -> (tensor<1x4x4x3x3x16xi8>)
// CHECK: %[[D:.*]] = vector.transfer_read %[[X]]{{.*}} : tensor<1x6x6x16xi8>, vector<16xi8>
// CHECK: arith.xori %[[D]]
// CHECK: } else {
// CHECK: %[[V:.*]] = vector.transfer_read %[[X]]{{.*}} : tensor<1x6x6x16xi8>, vector<16xi8>
// CHECK: %[[S:.*]] = arith.select %{{.*}}, %[[V]], %{{.*}} : vector<16xi8>
// CHECK: arith.xori %[[S]]
// CHECK-NOT: tensor.pad
// CHECK: qnt.dot_u8s8
func.func @conv_padded_dilated(%x: tensor<1x6x6x16xi8>) -> tensor<1x4x4x16xi32> {
  %zp = arith.constant -3 : i8
  %p = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zp : i8
  } : tensor<1x6x6x16xi8> to tensor<1x8x8x16xi8>
  %w = arith.constant dense<1> : tensor<16x3x3x16xi8>
  %za = arith.constant -3 : i32
  %zw = arith.constant 0 : i32
  %z = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x4x4x16xi32>
  %init = linalg.fill ins(%z : i32) outs(%e : tensor<1x4x4x16xi32>) -> tensor<1x4x4x16xi32>
  %y = linalg.conv_2d_nhwc_fhwc_q {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%p, %w, %za, %zw : tensor<1x8x8x16xi8>, tensor<16x3x3x16xi8>, i32, i32) outs(%init : tensor<1x4x4x16xi32>) -> tensor<1x4x4x16xi32>
  return %y : tensor<1x4x4x16xi32>
}

// -----

// A residual add after the convolution: its other input, computed after the
// convolution by an elementwise generic for the add alone (a residual
// branch's rescale), runs in the epilogue too, on the same lanes: the kernel
// reads the skip tensor at its rows and columns ([M, N] view), widens it and
// adds it, and writes i8; no generic is left.
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @conv_residual
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x2x16xi8>, %[[SKIP:.*]]: tensor<1x2x2x16xi8>)
// CHECK-NOT: linalg.generic
// CHECK: %[[VIEW:.*]] = tensor.collapse_shape %[[SKIP]] {{\[}}[0, 1, 2], [3]] : tensor<1x2x2x16xi8> into tensor<4x16xi8>
// CHECK: scf.for {{.*}} -> (tensor<4x16xi8>)
// CHECK: qnt.dot_u8s8
// CHECK: %[[R:.*]] = vector.transfer_read %[[VIEW]][%{{.*}}, %{{.*}}]{{.*}} : tensor<4x16xi8>, vector<16xi8>
// CHECK: %[[W:.*]] = arith.extsi %[[R]] : vector<16xi8> to vector<16xi32>
// CHECK: %[[S:.*]] = arith.addi %{{.*}}, %[[W]] : vector<16xi32>
// CHECK: arith.trunci %[[S]] : vector<16xi32> to vector<16xi8>
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @conv_residual(%x: tensor<1x2x2x16xi8>, %skip: tensor<1x2x2x16xi8>) -> tensor<1x2x2x16xi8> {
  %w = arith.constant dense<1> : tensor<16x1x1x16xi8>
  %za = arith.constant 0 : i32
  %zw = arith.constant 0 : i32
  %z = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x2x2x16xi32>
  %init = linalg.fill ins(%z : i32) outs(%e : tensor<1x2x2x16xi32>) -> tensor<1x2x2x16xi32>
  %y = linalg.conv_2d_nhwc_fhwc_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w, %za, %zw : tensor<1x2x2x16xi8>, tensor<16x1x1x16xi8>, i32, i32) outs(%init : tensor<1x2x2x16xi32>) -> tensor<1x2x2x16xi32>
  %e1 = tensor.empty() : tensor<1x2x2x16xi32>
  %wide = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%skip : tensor<1x2x2x16xi8>) outs(%e1 : tensor<1x2x2x16xi32>) {
  ^bb0(%in: i8, %out: i32):
    %v = arith.extsi %in : i8 to i32
    linalg.yield %v : i32
  } -> tensor<1x2x2x16xi32>
  %e2 = tensor.empty() : tensor<1x2x2x16xi8>
  %sum = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%y, %wide : tensor<1x2x2x16xi32>, tensor<1x2x2x16xi32>) outs(%e2 : tensor<1x2x2x16xi8>) {
  ^bb0(%a: i32, %b: i32, %out: i8):
    %s = arith.addi %a, %b : i32
    %t = arith.trunci %s : i32 to i8
    linalg.yield %t : i8
  } -> tensor<1x2x2x16xi8>
  return %sum : tensor<1x2x2x16xi8>
}

// -----

// The same skip input read by a second user: its generic stays, moved above
// the kernel, and the epilogue reads its result.
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @conv_residual_shared
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x2x16xi8>, %[[SKIP:.*]]: tensor<1x2x2x16xi8>)
// CHECK: %[[WIDE:.*]] = linalg.generic {{.*}} ins(%[[SKIP]] : tensor<1x2x2x16xi8>) outs(%{{.*}} : tensor<1x2x2x16xi32>)
// CHECK: %[[VIEW:.*]] = tensor.collapse_shape %[[WIDE]] {{\[}}[0, 1, 2], [3]] : tensor<1x2x2x16xi32> into tensor<4x16xi32>
// CHECK: scf.for {{.*}} -> (tensor<4x16xi8>)
// CHECK: qnt.dot_u8s8
// CHECK: %[[R:.*]] = vector.transfer_read %[[VIEW]][%{{.*}}, %{{.*}}]{{.*}} : tensor<4x16xi32>, vector<16xi32>
// CHECK: %[[S:.*]] = arith.addi %{{.*}}, %[[R]] : vector<16xi32>
// CHECK: arith.trunci %[[S]] : vector<16xi32> to vector<16xi8>
// CHECK: return %{{.*}}, %[[WIDE]]
func.func @conv_residual_shared(%x: tensor<1x2x2x16xi8>, %skip: tensor<1x2x2x16xi8>) -> (tensor<1x2x2x16xi8>, tensor<1x2x2x16xi32>) {
  %w = arith.constant dense<1> : tensor<16x1x1x16xi8>
  %za = arith.constant 0 : i32
  %zw = arith.constant 0 : i32
  %z = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x2x2x16xi32>
  %init = linalg.fill ins(%z : i32) outs(%e : tensor<1x2x2x16xi32>) -> tensor<1x2x2x16xi32>
  %y = linalg.conv_2d_nhwc_fhwc_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w, %za, %zw : tensor<1x2x2x16xi8>, tensor<16x1x1x16xi8>, i32, i32) outs(%init : tensor<1x2x2x16xi32>) -> tensor<1x2x2x16xi32>
  %e1 = tensor.empty() : tensor<1x2x2x16xi32>
  %wide = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%skip : tensor<1x2x2x16xi8>) outs(%e1 : tensor<1x2x2x16xi32>) {
  ^bb0(%in: i8, %out: i32):
    %v = arith.extsi %in : i8 to i32
    linalg.yield %v : i32
  } -> tensor<1x2x2x16xi32>
  %e2 = tensor.empty() : tensor<1x2x2x16xi8>
  %sum = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%y, %wide : tensor<1x2x2x16xi32>, tensor<1x2x2x16xi32>) outs(%e2 : tensor<1x2x2x16xi8>) {
  ^bb0(%a: i32, %b: i32, %out: i8):
    %s = arith.addi %a, %b : i32
    %t = arith.trunci %s : i32 to i8
    linalg.yield %t : i8
  } -> tensor<1x2x2x16xi8>
  return %sum, %wide : tensor<1x2x2x16xi8>, tensor<1x2x2x16xi32>
}

// -----

// Convolutions concatenated along the channels: the concat becomes a chain
// of insert_slices into one tensor, and each kernel whose columns fill
// whole tiles is built at its slot and writes into an extract_slice of the
// chain at that slot (bufferized in place), not into a tensor of its own
// (N = 32: a 12-row kernel, then a 4-row one, on the same slot).
// CHECK-LABEL: func.func @conv_concat
// CHECK-NOT: tensor.concat
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x4x4x48xi32>
// CHECK: %[[S0:.*]] = tensor.extract_slice %[[E]][0, 0, 0, 0] [1, 4, 4, 16] [1, 1, 1, 1]
// CHECK: %[[V0:.*]] = tensor.collapse_shape %[[S0]] {{\[}}[0, 1, 2], [3]] : tensor<1x4x4x16xi32> into tensor<16x16xi32>
// CHECK: %[[K0:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[V0]]) -> (tensor<16x16xi32>)
// CHECK: %[[R0:.*]] = tensor.expand_shape %[[K0]]
// CHECK: %[[I0:.*]] = tensor.insert_slice %[[R0]] into %[[E]][0, 0, 0, 0] [1, 4, 4, 16]
// CHECK: %[[S1:.*]] = tensor.extract_slice %[[I0]][0, 0, 0, 16] [1, 4, 4, 32] [1, 1, 1, 1]
// CHECK: %[[V1:.*]] = tensor.collapse_shape %[[S1]]
// CHECK: %[[K1:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[V1]]) -> (tensor<16x32xi32>)
// CHECK: %[[K2:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[K1]]) -> (tensor<16x32xi32>)
// CHECK: %[[R1:.*]] = tensor.expand_shape %[[K2]]
// CHECK: %[[I1:.*]] = tensor.insert_slice %[[R1]] into %[[I0]][0, 0, 0, 16] [1, 4, 4, 32]
// CHECK: return %[[I1]]
func.func @conv_concat(%x: tensor<1x4x4x16xi8>) -> tensor<1x4x4x48xi32> {
  %za = arith.constant -3 : i32
  %zw = arith.constant 0 : i32
  %z = arith.constant 0 : i32
  %w0 = arith.constant dense<1> : tensor<16x1x1x16xi8>
  %w1 = arith.constant dense<2> : tensor<32x1x1x16xi8>
  %e0 = tensor.empty() : tensor<1x4x4x16xi32>
  %i0 = linalg.fill ins(%z : i32) outs(%e0 : tensor<1x4x4x16xi32>) -> tensor<1x4x4x16xi32>
  %y0 = linalg.conv_2d_nhwc_fhwc_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w0, %za, %zw : tensor<1x4x4x16xi8>, tensor<16x1x1x16xi8>, i32, i32) outs(%i0 : tensor<1x4x4x16xi32>) -> tensor<1x4x4x16xi32>
  %e1 = tensor.empty() : tensor<1x4x4x32xi32>
  %i1 = linalg.fill ins(%z : i32) outs(%e1 : tensor<1x4x4x32xi32>) -> tensor<1x4x4x32xi32>
  %y1 = linalg.conv_2d_nhwc_fhwc_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w1, %za, %zw : tensor<1x4x4x16xi8>, tensor<32x1x1x16xi8>, i32, i32) outs(%i1 : tensor<1x4x4x32xi32>) -> tensor<1x4x4x32xi32>
  %c = tensor.concat dim(3) %y0, %y1 : (tensor<1x4x4x16xi32>, tensor<1x4x4x32xi32>) -> tensor<1x4x4x48xi32>
  return %c : tensor<1x4x4x48xi32>
}

// -----

// A requantize ending in a clamp within [-128, 127] (bounds defined outside
// the body, where canonicalization hoists them) narrows its bytes four
// vectors at a time: qnt.pack_s8 of the i32 lanes, the clamp once on the
// 64 bytes, a 16-byte slice per row; the 6 rows of the tile as 4 + 2. No
// i32 clamp or truncation is left.
// CHECK-LABEL: func.func @narrow_clamped
// CHECK: %[[P:.*]] = qnt.pack_s8 %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32> -> vector<64xi8>
// CHECK: %[[LO:.*]] = arith.maxsi %[[P]], %{{.*}} : vector<64xi8>
// CHECK: %[[HI:.*]] = arith.minsi %[[LO]], %{{.*}} : vector<64xi8>
// CHECK: vector.extract_strided_slice %[[HI]] {offsets = [0], sizes = [16], strides = [1]}
// CHECK: vector.extract_strided_slice %[[HI]] {offsets = [48], sizes = [16], strides = [1]}
// CHECK: %[[Q:.*]] = qnt.pack_s8 %{{.*}}, %{{.*}} : vector<16xi32>, vector<16xi32> -> vector<32xi8>
// CHECK: arith.maxsi %[[Q]], %{{.*}} : vector<32xi8>
// CHECK-NOT: arith.trunci {{.*}} : vector<16xi32> to vector<16xi8>
// CHECK: return
// With narrow=each the six rows' vectors are clamped, truncated and
// stored one by one.
// EACH-LABEL: func.func @narrow_clamped
// EACH-NOT: qnt.pack_s8
// EACH-COUNT-6: arith.trunci {{.*}} : vector<16xi32> to vector<16xi8>
// EACH-NOT: qnt.pack_s8
// EACH: return
func.func @narrow_clamped(%x: tensor<1x3x4x4xi8>) -> tensor<1x3x2x16xi8> {
  %w = arith.constant dense<1> : tensor<16x1x1x4xi8>
  %za = arith.constant 0 : i32
  %zw = arith.constant 0 : i32
  %z = arith.constant 0 : i32
  %lo = arith.constant -100 : i32
  %hi = arith.constant 120 : i32
  %e = tensor.empty() : tensor<1x3x2x16xi32>
  %init = linalg.fill ins(%z : i32) outs(%e : tensor<1x3x2x16xi32>) -> tensor<1x3x2x16xi32>
  %y = linalg.conv_2d_nhwc_fhwc_q {dilations = dense<1> : tensor<2xi64>, strides = dense<[1, 2]> : tensor<2xi64>} ins(%x, %w, %za, %zw : tensor<1x3x4x4xi8>, tensor<16x1x1x4xi8>, i32, i32) outs(%init : tensor<1x3x2x16xi32>) -> tensor<1x3x2x16xi32>
  %m = arith.constant dense<3> : tensor<16xi32>
  %o = tensor.empty() : tensor<1x3x2x16xi8>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%y, %m : tensor<1x3x2x16xi32>, tensor<16xi32>) outs(%o : tensor<1x3x2x16xi8>) {
  ^bb0(%in: i32, %mult: i32, %out: i8):
    %p = arith.muli %in, %mult : i32
    %a = arith.maxsi %p, %lo : i32
    %b = arith.minsi %a, %hi : i32
    %t = arith.trunci %b : i32 to i8
    linalg.yield %t : i8
  } -> tensor<1x3x2x16xi8>
  return %r : tensor<1x3x2x16xi8>
}

// -----

// A 2x2 max pool at stride 2 of a requantized convolution runs on the
// accumulators: the requantize is non-decreasing over their range (here
// [-36 * 128, 36 * 127]: the product by 3 does not wrap), so each window's
// maximum of four accumulators is requantized once and stored at the pooled
// pixel. A tile is two pooled pixels: 2 conv rows of 4 pixels.
// CHECK-LABEL: func.func @conv_maxpool
// CHECK-NOT: linalg.pooling_nhwc_max
// CHECK: %[[T:.*]] = tensor.empty() : tensor<4x16xi8>
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[T]]) -> (tensor<4x16xi8>)
// CHECK-COUNT-8: qnt.dot_u8s8
// CHECK: %[[R0:.*]] = arith.maxsi %[[ACC:.*]]#0, %[[ACC]]#1 : vector<16xi32>
// CHECK: %[[R1:.*]] = arith.maxsi %[[ACC]]#4, %[[ACC]]#5 : vector<16xi32>
// CHECK: %[[W:.*]] = arith.maxsi %[[R0]], %[[R1]] : vector<16xi32>
// CHECK: arith.muli %[[W]], %{{.*}} : vector<16xi32>
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0, 1, 2], [3]] output_shape [1, 2, 2, 16] : tensor<4x16xi8> into tensor<1x2x2x16xi8>
// CHECK-NOT: linalg.pooling_nhwc_max
func.func @conv_maxpool(%x: tensor<1x6x6x4xi8>) -> tensor<1x2x2x16xi8> {
  %w = arith.constant dense<1> : tensor<16x3x3x4xi8>
  %za = arith.constant 0 : i32
  %zw = arith.constant 0 : i32
  %z = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x4x4x16xi32>
  %init = linalg.fill ins(%z : i32) outs(%e : tensor<1x4x4x16xi32>) -> tensor<1x4x4x16xi32>
  %y = linalg.conv_2d_nhwc_fhwc_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w, %za, %zw : tensor<1x6x6x4xi8>, tensor<16x3x3x4xi8>, i32, i32) outs(%init : tensor<1x4x4x16xi32>) -> tensor<1x4x4x16xi32>
  %m = arith.constant dense<3> : tensor<16xi32>
  %lo = arith.constant -128 : i32
  %hi = arith.constant 127 : i32
  %o = tensor.empty() : tensor<1x4x4x16xi8>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%y, %m : tensor<1x4x4x16xi32>, tensor<16xi32>) outs(%o : tensor<1x4x4x16xi8>) {
  ^bb0(%in: i32, %mult: i32, %out: i8):
    %p = arith.muli %in, %mult : i32
    %a = arith.maxsi %p, %lo : i32
    %b = arith.minsi %a, %hi : i32
    %t = arith.trunci %b : i32 to i8
    linalg.yield %t : i8
  } -> tensor<1x4x4x16xi8>
  %pe = tensor.empty() : tensor<1x2x2x16xi8>
  %min = arith.constant -128 : i8
  %pi = linalg.fill ins(%min : i8) outs(%pe : tensor<1x2x2x16xi8>) -> tensor<1x2x2x16xi8>
  %win = tensor.empty() : tensor<2x2xi8>
  %pool = linalg.pooling_nhwc_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%r, %win : tensor<1x4x4x16xi8>, tensor<2x2xi8>) outs(%pi : tensor<1x2x2x16xi8>) -> tensor<1x2x2x16xi8>
  return %pool : tensor<1x2x2x16xi8>
}

// -----

// Not when the epilogue may decrease: a negative multiplier (column 15), a
// shift that may wrap ((36 * 127) << 20 does not fit i32), a pool at stride
// 1. The pools stay; the requantize runs in the kernel as usual.
// CHECK-LABEL: func.func @conv_maxpool_refused
// CHECK-COUNT-3: linalg.pooling_nhwc_max
func.func @conv_maxpool_refused(%x: tensor<1x6x6x4xi8>) -> (tensor<1x2x2x16xi8>, tensor<1x2x2x16xi8>, tensor<1x3x3x16xi8>) {
  %w = arith.constant dense<1> : tensor<16x3x3x4xi8>
  %za = arith.constant 0 : i32
  %zw = arith.constant 0 : i32
  %z = arith.constant 0 : i32
  %lo = arith.constant -128 : i32
  %hi = arith.constant 127 : i32
  %s20 = arith.constant 20 : i32
  %min = arith.constant -128 : i8
  %e = tensor.empty() : tensor<1x4x4x16xi32>
  %init = linalg.fill ins(%z : i32) outs(%e : tensor<1x4x4x16xi32>) -> tensor<1x4x4x16xi32>
  %y0 = linalg.conv_2d_nhwc_fhwc_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w, %za, %zw : tensor<1x6x6x4xi8>, tensor<16x3x3x4xi8>, i32, i32) outs(%init : tensor<1x4x4x16xi32>) -> tensor<1x4x4x16xi32>
  %y1 = linalg.conv_2d_nhwc_fhwc_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w, %za, %zw : tensor<1x6x6x4xi8>, tensor<16x3x3x4xi8>, i32, i32) outs(%init : tensor<1x4x4x16xi32>) -> tensor<1x4x4x16xi32>
  %y2 = linalg.conv_2d_nhwc_fhwc_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w, %za, %zw : tensor<1x6x6x4xi8>, tensor<16x3x3x4xi8>, i32, i32) outs(%init : tensor<1x4x4x16xi32>) -> tensor<1x4x4x16xi32>
  %neg = arith.constant dense<[3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, -3]> : tensor<16xi32>
  %m = arith.constant dense<3> : tensor<16xi32>
  %o = tensor.empty() : tensor<1x4x4x16xi8>
  %r0 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%y0, %neg : tensor<1x4x4x16xi32>, tensor<16xi32>) outs(%o : tensor<1x4x4x16xi8>) {
  ^bb0(%in: i32, %mult: i32, %out: i8):
    %p = arith.muli %in, %mult : i32
    %a = arith.maxsi %p, %lo : i32
    %b = arith.minsi %a, %hi : i32
    %t = arith.trunci %b : i32 to i8
    linalg.yield %t : i8
  } -> tensor<1x4x4x16xi8>
  %r1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%y1, %m : tensor<1x4x4x16xi32>, tensor<16xi32>) outs(%o : tensor<1x4x4x16xi8>) {
  ^bb0(%in: i32, %mult: i32, %out: i8):
    %p = arith.shli %in, %s20 : i32
    %a = arith.maxsi %p, %lo : i32
    %b = arith.minsi %a, %hi : i32
    %t = arith.trunci %b : i32 to i8
    linalg.yield %t : i8
  } -> tensor<1x4x4x16xi8>
  %r2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%y2, %m : tensor<1x4x4x16xi32>, tensor<16xi32>) outs(%o : tensor<1x4x4x16xi8>) {
  ^bb0(%in: i32, %mult: i32, %out: i8):
    %p = arith.muli %in, %mult : i32
    %a = arith.maxsi %p, %lo : i32
    %b = arith.minsi %a, %hi : i32
    %t = arith.trunci %b : i32 to i8
    linalg.yield %t : i8
  } -> tensor<1x4x4x16xi8>
  %win = tensor.empty() : tensor<2x2xi8>
  %pe = tensor.empty() : tensor<1x2x2x16xi8>
  %pi = linalg.fill ins(%min : i8) outs(%pe : tensor<1x2x2x16xi8>) -> tensor<1x2x2x16xi8>
  %p0 = linalg.pooling_nhwc_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%r0, %win : tensor<1x4x4x16xi8>, tensor<2x2xi8>) outs(%pi : tensor<1x2x2x16xi8>) -> tensor<1x2x2x16xi8>
  %p1 = linalg.pooling_nhwc_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%r1, %win : tensor<1x4x4x16xi8>, tensor<2x2xi8>) outs(%pi : tensor<1x2x2x16xi8>) -> tensor<1x2x2x16xi8>
  %se = tensor.empty() : tensor<1x3x3x16xi8>
  %si = linalg.fill ins(%min : i8) outs(%se : tensor<1x3x3x16xi8>) -> tensor<1x3x3x16xi8>
  %p2 = linalg.pooling_nhwc_max {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%r2, %win : tensor<1x4x4x16xi8>, tensor<2x2xi8>) outs(%si : tensor<1x3x3x16xi8>) -> tensor<1x3x3x16xi8>
  return %p0, %p1, %p2 : tensor<1x2x2x16xi8>, tensor<1x2x2x16xi8>, tensor<1x3x3x16xi8>
}

// -----

// A pool of a channel concatenation (insert_slices into a tensor.empty)
// becomes the concatenation of its parts' pools, so that each part's kernel
// can run its pool; here the parts are arguments, their pools stay. Not
// when the concatenation starts from another tensor (%c: the channels it
// keeps would have no pool).
// CHECK-LABEL: func.func @maxpool_of_concat
// CHECK-SAME: (%[[A:.*]]: tensor<1x4x4x16xi8>, %[[B:.*]]: tensor<1x4x4x8xi8>, %[[C:.*]]: tensor<1x4x4x24xi8>)
// CHECK: tensor.empty() : tensor<2x2xi8>
// CHECK-NEXT: %[[OUT:.*]] = tensor.empty() : tensor<1x2x2x24xi8>
// CHECK: %[[PA:.*]] = linalg.pooling_nhwc_max {{.*}} ins(%[[A]], %{{.*}} : tensor<1x4x4x16xi8>, tensor<2x2xi8>) outs(%{{.*}} : tensor<1x2x2x16xi8>)
// CHECK: %[[S:.*]] = tensor.insert_slice %[[PA]] into %[[OUT]][0, 0, 0, 0] [1, 2, 2, 16] [1, 1, 1, 1]
// CHECK: %[[PB:.*]] = linalg.pooling_nhwc_max {{.*}} ins(%[[B]], %{{.*}} : tensor<1x4x4x8xi8>, tensor<2x2xi8>) outs(%{{.*}} : tensor<1x2x2x8xi8>)
// CHECK: tensor.insert_slice %[[PB]] into %[[S]][0, 0, 0, 16] [1, 2, 2, 8] [1, 1, 1, 1]
// CHECK: %[[KEPT:.*]] = tensor.insert_slice %[[A]] into %[[C]]
// CHECK: linalg.pooling_nhwc_max {{.*}} ins(%[[KEPT]], %{{.*}} : tensor<1x4x4x24xi8>, tensor<2x2xi8>)
func.func @maxpool_of_concat(%a: tensor<1x4x4x16xi8>, %b: tensor<1x4x4x8xi8>, %c: tensor<1x4x4x24xi8>) -> (tensor<1x2x2x24xi8>, tensor<1x2x2x24xi8>) {
  %e = tensor.empty() : tensor<1x4x4x24xi8>
  %s0 = tensor.insert_slice %a into %e[0, 0, 0, 0] [1, 4, 4, 16] [1, 1, 1, 1] : tensor<1x4x4x16xi8> into tensor<1x4x4x24xi8>
  %s1 = tensor.insert_slice %b into %s0[0, 0, 0, 16] [1, 4, 4, 8] [1, 1, 1, 1] : tensor<1x4x4x8xi8> into tensor<1x4x4x24xi8>
  %min = arith.constant -128 : i8
  %pe = tensor.empty() : tensor<1x2x2x24xi8>
  %pi = linalg.fill ins(%min : i8) outs(%pe : tensor<1x2x2x24xi8>) -> tensor<1x2x2x24xi8>
  %win = tensor.empty() : tensor<2x2xi8>
  %p = linalg.pooling_nhwc_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%s1, %win : tensor<1x4x4x24xi8>, tensor<2x2xi8>) outs(%pi : tensor<1x2x2x24xi8>) -> tensor<1x2x2x24xi8>
  %k = tensor.insert_slice %a into %c[0, 0, 0, 0] [1, 4, 4, 16] [1, 1, 1, 1] : tensor<1x4x4x16xi8> into tensor<1x4x4x24xi8>
  %q = linalg.pooling_nhwc_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%k, %win : tensor<1x4x4x24xi8>, tensor<2x2xi8>) outs(%pi : tensor<1x2x2x24xi8>) -> tensor<1x2x2x24xi8>
  return %p, %q : tensor<1x2x2x24xi8>, tensor<1x2x2x24xi8>
}
