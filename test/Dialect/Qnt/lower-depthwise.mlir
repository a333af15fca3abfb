// RUN: quant-opt %s --split-input-file --qnt-lower-depthwise | FileCheck %s
// RUN: quant-opt %s --split-input-file --qnt-lower-depthwise=narrow=each | FileCheck %s --check-prefix=EACH
// RUN: %expect_exit 1 -- quant-opt %s --split-input-file --qnt-lower-depthwise=narrow=sometimes 2>&1 | FileCheck %s --check-prefix=BADOPT
// BADOPT: error: --qnt-lower-depthwise: option narrow must be auto, pack or each, got 'sometimes'

// int8, dilation 1: quads. Per image, a ring of 3 rows of quads (4
// adjacent input columns interleaved per channel: the four 16-byte reads
// concatenated and permuted, + 128 by the xor) is built ahead of the
// output rows; per pair of output columns (stride 1)
// and kernel row, one quad read feeds two qnt.dot_u8s8: the weights
// (w0, w1, w2, 0) for the even column and (0, w0, w1, w2) for the odd one.
// The correction is -(z_x + 128) * sum_t w[t, c] = -131 * 9 = -1179, plus
// init (read: it is an argument).
// CHECK-LABEL: func.func @depthwise_q
// CHECK-DAG: %[[W:.*]] = arith.constant dense<"0x{{(01010100)+}}{{(00010101)+}}"> : tensor<2x3x1x128xi8>
// CHECK-DAG: %[[CORR:.*]] = arith.constant dense<-1179> : tensor<32xi32>
// CHECK-DAG: %[[FLIP:.*]] = arith.constant dense<-128> : vector<64xi8>
// CHECK-DAG: %[[RING:.*]] = tensor.empty() : tensor<3x1x128xi8>
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %[[RING]])
// CHECK: %[[AB:.*]] = vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, {{.*}}, 31] : vector<16xi8>, vector<16xi8>
// CHECK: %[[CD:.*]] = vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, {{.*}}, 31] : vector<16xi8>, vector<16xi8>
// CHECK: %[[ALL:.*]] = vector.shuffle %[[AB]], %[[CD]] [0, 1, 2, {{.*}}, 63] : vector<32xi8>, vector<32xi8>
// CHECK: %[[Q:.*]] = vector.shuffle %[[ALL]], %[[ALL]] [0, 16, 32, 48, 1, 17, 33, 49, {{.*}}, 15, 31, 47, 63] : vector<64xi8>, vector<64xi8>
// CHECK: %[[U:.*]] = arith.xori %[[Q]], %[[FLIP]] : vector<64xi8>
// CHECK: vector.transfer_write %[[U]], {{.*}} : vector<64xi8>, tensor<3x1x128xi8>
// The output pairs, 16 channels at a time.
// CHECK: scf.for %[[CH:.*]] = %{{.*}} to %c32{{[_0-9]*}} step %c16{{[_0-9]*}} iter_args({{.*}}) -> (tensor<1x2x2x32xi32>)
// CHECK:   %[[C0:.*]] = vector.transfer_read %[[CORR]][%[[CH]]]
// CHECK:   %[[I0:.*]] = vector.transfer_read %{{.*}} : tensor<1x2x2x32xi32>, vector<16xi32>
// CHECK:   %[[S0:.*]] = arith.addi %[[C0]], %[[I0]] : vector<16xi32>
// CHECK:   %[[S1:.*]] = arith.addi %{{.*}}, %{{.*}} : vector<16xi32>
// CHECK:   %[[X:.*]] = vector.transfer_read %{{.*}} : tensor<3x1x128xi8>, vector<64xi8>
// CHECK:   %[[WE:.*]] = vector.transfer_read %[[W]][%c0{{.*}}, %c0{{.*}}, %c0{{.*}}, %{{.*}}]
// CHECK:   qnt.dot_u8s8 %[[S0]], %[[X]], %[[WE]] : vector<16xi32>, vector<64xi8>
// CHECK:   %[[WO:.*]] = vector.transfer_read %[[W]][%c1{{.*}}, %c0{{.*}}, %c0{{.*}}, %{{.*}}]
// CHECK:   qnt.dot_u8s8 %[[S1]], %[[X]], %[[WO]] : vector<16xi32>, vector<64xi8>
// CHECK-COUNT-4: qnt.dot_u8s8
// CHECK:   vector.transfer_write {{.*}} : vector<16xi32>, tensor<1x2x2x32xi32>
// CHECK:   vector.transfer_write {{.*}} : vector<16xi32>, tensor<1x2x2x32xi32>
// CHECK: tensor.expand_shape {{.*}} : tensor<1x2x2x32xi32> into tensor<1x2x2x32x1xi32>
func.func @depthwise_q(%x: tensor<1x4x4x32xi8>, %init: tensor<1x2x2x32x1xi32>) -> tensor<1x2x2x32x1xi32> {
  %w = arith.constant dense<1> : tensor<3x3x32x1xi8>
  %zx = arith.constant 3 : i32
  %zw = arith.constant 0 : i32
  %y = linalg.depthwise_conv_2d_nhwc_hwcm_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w, %zx, %zw : tensor<1x4x4x32xi8>, tensor<3x3x32x1xi8>, i32, i32) outs(%init : tensor<1x2x2x32x1xi32>) -> tensor<1x2x2x32x1xi32>
  return %y : tensor<1x2x2x32x1xi32>
}

// -----

// int8 with dilation 2: the taps unrolled, input bytes sign-extended,
// multiplied-added with the table of i16 weight pairs (1, 0) (0x0001
// 0x0000: the i32 1 in little-endian bytes) by qnt.dot_s16s16, onto the
// correction -z_x * sum_t w[t, c] = -3 * 9 = -27.
// CHECK-LABEL: func.func @depthwise_dilated
// CHECK-DAG: %[[W:.*]] = arith.constant dense<"0x01000000{{(01000000)+}}"> : tensor<9x64xi16>
// CHECK-DAG: %[[CORR:.*]] = arith.constant dense<-27> : tensor<32xi32>
// CHECK: scf.for
// CHECK:   scf.for
// CHECK:     scf.for
// CHECK:       scf.for %[[CH:.*]] = %{{.*}} to %c32 step %c16
// CHECK:         %[[C:.*]] = vector.transfer_read %[[CORR]][%[[CH]]]
// CHECK:         %[[X:.*]] = arith.extsi %{{.*}} : vector<16xi8> to vector<16xi32>
// CHECK:         %[[P:.*]] = vector.bitcast %[[X]] : vector<16xi32> to vector<32xi16>
// CHECK:         qnt.dot_s16s16 %[[C]], %[[P]], %{{.*}} : vector<16xi32>, vector<32xi16>
// CHECK-COUNT-8: qnt.dot_s16s16
// CHECK:         vector.transfer_write {{.*}} : vector<16xi32>, tensor<1x2x2x32xi32>
func.func @depthwise_dilated(%x: tensor<1x6x6x32xi8>) -> tensor<1x2x2x32x1xi32> {
  %w = arith.constant dense<1> : tensor<3x3x32x1xi8>
  %zx = arith.constant 3 : i32
  %zw = arith.constant 0 : i32
  %z = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x2x2x32x1xi32>
  %init = linalg.fill ins(%z : i32) outs(%e : tensor<1x2x2x32x1xi32>) -> tensor<1x2x2x32x1xi32>
  %y = linalg.depthwise_conv_2d_nhwc_hwcm_q {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w, %zx, %zw : tensor<1x6x6x32xi8>, tensor<3x3x32x1xi8>, i32, i32) outs(%init : tensor<1x2x2x32x1xi32>) -> tensor<1x2x2x32x1xi32>
  return %y : tensor<1x2x2x32x1xi32>
}

// -----

// f32 with a zero fill as init: FMAs from the (zero) constant, init never
// read.
// CHECK-LABEL: func.func @depthwise_f
// CHECK-NOT: vector.transfer_read {{.*}} : tensor<1x2x2x16x1xf32>
// CHECK-COUNT-9: vector.fma {{.*}} : vector<16xf32>
func.func @depthwise_f(%x: tensor<1x4x4x16xf32>) -> tensor<1x2x2x16x1xf32> {
  %w = arith.constant dense<0.5> : tensor<3x3x16x1xf32>
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x2x16x1xf32>
  %init = linalg.fill ins(%z : f32) outs(%e : tensor<1x2x2x16x1xf32>) -> tensor<1x2x2x16x1xf32>
  %y = linalg.depthwise_conv_2d_nhwc_hwcm {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x4x4x16xf32>, tensor<3x3x16x1xf32>) outs(%init : tensor<1x2x2x16x1xf32>) -> tensor<1x2x2x16x1xf32>
  return %y : tensor<1x2x2x16x1xf32>
}

// -----

// 8 channels: one partial block, its tensor reads masked (no in_bounds
// attribute: out of bounds allowed), its 8 lanes written as a vector<8>,
// the tables padded to 16; a multiplier of 2 is left.
// CHECK-LABEL: func.func @partial_and_not_lowered
// CHECK-DAG: arith.constant dense<{{.*}}> : tensor<9x16xf32>
// CHECK: vector.transfer_read %{{[a-z0-9_]+}}[{{.*}}], %{{[a-z0-9_]+}} : tensor<1x2x2x8xf32>, vector<16xf32>
// CHECK: vector.transfer_read %{{[a-z0-9_]+}}[{{.*}}], %{{[a-z0-9_]+}} : tensor<1x4x4x8xf32>, vector<16xf32>
// CHECK: %[[LANES:.*]] = vector.extract_strided_slice %{{.*}} {offsets = [0], sizes = [8], strides = [1]} : vector<16xf32> to vector<8xf32>
// CHECK: vector.transfer_write %[[LANES]], %{{[a-z0-9_]+}}[{{.*}}] {in_bounds = [true]} : vector<8xf32>, tensor<1x2x2x8xf32>
// CHECK: linalg.depthwise_conv_2d_nhwc_hwcm {{.*}} -> tensor<1x2x2x16x2xf32>
func.func @partial_and_not_lowered(%x: tensor<1x4x4x8xf32>, %i: tensor<1x2x2x8x1xf32>, %y: tensor<1x4x4x16xf32>, %j: tensor<1x2x2x16x2xf32>) -> (tensor<1x2x2x8x1xf32>, tensor<1x2x2x16x2xf32>) {
  %w = arith.constant dense<0.5> : tensor<3x3x8x1xf32>
  %v = arith.constant dense<0.5> : tensor<3x3x16x2xf32>
  %a = linalg.depthwise_conv_2d_nhwc_hwcm {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x4x4x8xf32>, tensor<3x3x8x1xf32>) outs(%i : tensor<1x2x2x8x1xf32>) -> tensor<1x2x2x8x1xf32>
  %b = linalg.depthwise_conv_2d_nhwc_hwcm {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%y, %v : tensor<1x4x4x16xf32>, tensor<3x3x16x2xf32>) outs(%j : tensor<1x2x2x16x2xf32>) -> tensor<1x2x2x16x2xf32>
  return %a, %b : tensor<1x2x2x8x1xf32>, tensor<1x2x2x16x2xf32>
}

// -----

// The plain named op on i8 (both zero points 0): the int8 kernel; the
// correction is only the -128 * sum_t w[t, c] of the quads.
// CHECK-LABEL: func.func @depthwise_i8_plain
// CHECK: arith.constant dense<-1152> : tensor<16xi32>
// CHECK-COUNT-6: qnt.dot_u8s8
// CHECK-NOT: linalg.depthwise_conv_2d_nhwc_hwcm
func.func @depthwise_i8_plain(%x: tensor<1x4x4x16xi8>) -> tensor<1x2x2x16x1xi32> {
  %w = arith.constant dense<1> : tensor<3x3x16x1xi8>
  %z = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x2x2x16x1xi32>
  %init = linalg.fill ins(%z : i32) outs(%e : tensor<1x2x2x16x1xi32>) -> tensor<1x2x2x16x1xi32>
  %y = linalg.depthwise_conv_2d_nhwc_hwcm {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w : tensor<1x4x4x16xi8>, tensor<3x3x16x1xi8>) outs(%init : tensor<1x2x2x16x1xi32>) -> tensor<1x2x2x16x1xi32>
  return %y : tensor<1x2x2x16x1xi32>
}

// -----

// The consumers of an int8 depthwise convolution with a constant init, a
// bias add and a requantize (here a shift and truncation), run on the
// accumulators: the kernel writes the i8 result, no i32 tensor or generic
// is left. The bias starts the accumulators with the correction:
// c - (-3 + 128) * 9 = c - 1125.
#col = affine_map<(d0, d1, d2, d3) -> (d3)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @depthwise_epilogue
// CHECK-DAG: %[[CORR:.*]] = arith.constant dense<[-1125, -1124, -1123, {{.*}}, -1110]> : tensor<16xi32>
// CHECK-DAG: %[[OUT:.*]] = tensor.empty() : tensor<1x2x2x16xi8>
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[OUT]], %{{.*}} = %{{.*}}) -> (tensor<1x2x2x16xi8>, tensor<3x1x64xi8>)
// CHECK: scf.for %[[CH:.*]] = %{{.*}} to %{{.*}} step %c16{{[_0-9]*}} iter_args(%[[T:.*]] = %{{.*}}) -> (tensor<1x2x2x16xi8>)
// CHECK: vector.transfer_read %[[CORR]][%[[CH]]]
// CHECK-COUNT-6: qnt.dot_u8s8
// CHECK-NOT: arith.addi {{.*}} : vector<16xi32>
// CHECK: %[[H:.*]] = arith.shrsi %{{.*}}, %{{.*}} : vector<16xi32>
// CHECK: %[[Q:.*]] = arith.trunci %[[H]] : vector<16xi32> to vector<16xi8>
// CHECK: vector.transfer_write %[[Q]], %[[T]][%{{.*}}, %{{.*}}, %{{.*}}, %[[CH]]] {{.*}} : vector<16xi8>, tensor<1x2x2x16xi8>
// CHECK-NOT: linalg.generic
// CHECK-NOT: tensor.collapse_shape
func.func @depthwise_epilogue(%x: tensor<1x4x4x16xi8>) -> tensor<1x2x2x16xi8> {
  %w = arith.constant dense<1> : tensor<3x3x16x1xi8>
  %zx = arith.constant -3 : i32
  %zw = arith.constant 0 : i32
  %z = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x2x2x16x1xi32>
  %init = linalg.fill ins(%z : i32) outs(%e : tensor<1x2x2x16x1xi32>) -> tensor<1x2x2x16x1xi32>
  %y = linalg.depthwise_conv_2d_nhwc_hwcm_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w, %zx, %zw : tensor<1x4x4x16xi8>, tensor<3x3x16x1xi8>, i32, i32) outs(%init : tensor<1x2x2x16x1xi32>) -> tensor<1x2x2x16x1xi32>
  %c = tensor.collapse_shape %y [[0], [1], [2], [3, 4]] : tensor<1x2x2x16x1xi32> into tensor<1x2x2x16xi32>
  %bias = arith.constant dense<[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]> : tensor<16xi32>
  %e2 = tensor.empty() : tensor<1x2x2x16xi32>
  %b = linalg.generic {indexing_maps = [#col, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%bias, %c : tensor<16xi32>, tensor<1x2x2x16xi32>) outs(%e2 : tensor<1x2x2x16xi32>) {
  ^bb0(%in: i32, %in_1: i32, %out: i32):
    %s = arith.addi %in, %in_1 : i32
    linalg.yield %s : i32
  } -> tensor<1x2x2x16xi32>
  %e3 = tensor.empty() : tensor<1x2x2x16xi8>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : tensor<1x2x2x16xi32>) outs(%e3 : tensor<1x2x2x16xi8>) {
  ^bb0(%in: i32, %out: i8):
    %c2 = arith.constant 2 : i32
    %h = arith.shrsi %in, %c2 : i32
    %t = arith.trunci %h : i32 to i8
    linalg.yield %t : i8
  } -> tensor<1x2x2x16xi8>
  return %r : tensor<1x2x2x16xi8>
}

// -----

// A padded input: no padded tensor is built. Quads inside the source read
// it directly; the others read it with clamped indices and select the pad
// value outside.
// CHECK-LABEL: func.func @depthwise_padded
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x4x16xi8>)
// CHECK-NOT: tensor.pad
// CHECK: scf.if %{{.*}} -> (tensor<3x2x64xi8>)
// CHECK-COUNT-4: vector.transfer_read %[[X]]{{.*}} : tensor<1x4x4x16xi8>, vector<16xi8>
// CHECK: } else {
// CHECK: %[[V:.*]] = vector.transfer_read %[[X]]{{.*}} : tensor<1x4x4x16xi8>, vector<16xi8>
// CHECK: arith.select %{{.*}}, %[[V]], %{{.*}} : vector<16xi8>
// CHECK-NOT: tensor.pad
func.func @depthwise_padded(%x: tensor<1x4x4x16xi8>) -> tensor<1x4x4x16x1xi32> {
  %zp = arith.constant 5 : i8
  %p = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zp : i8
  } : tensor<1x4x4x16xi8> to tensor<1x6x6x16xi8>
  %w = arith.constant dense<1> : tensor<3x3x16x1xi8>
  %zx = arith.constant 5 : i32
  %zw = arith.constant 0 : i32
  %z = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x4x4x16x1xi32>
  %init = linalg.fill ins(%z : i32) outs(%e : tensor<1x4x4x16x1xi32>) -> tensor<1x4x4x16x1xi32>
  %y = linalg.depthwise_conv_2d_nhwc_hwcm_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%p, %w, %zx, %zw : tensor<1x6x6x16xi8>, tensor<3x3x16x1xi8>, i32, i32) outs(%init : tensor<1x4x4x16x1xi32>) -> tensor<1x4x4x16x1xi32>
  return %y : tensor<1x4x4x16x1xi32>
}

// -----

// The requantize's rounding high multiply with per-channel multipliers in
// the epilogue: even and odd lanes multiplied within i64 lanes; the odd
// lanes' multipliers from a table with each pair swapped (m1, m0, m3, m2,
// ...), read without a shift.
#col = affine_map<(d0, d1, d2, d3) -> (d3)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @depthwise_high_mul
// CHECK-DAG: %[[M:.*]] = arith.constant dense<[1073741824, 1073741825, 1073741826, {{.*}}]> : tensor<16xi32>
// CHECK: %[[MV:.*]] = vector.transfer_read %[[M]]
// CHECK: %[[SW:.*]] = arith.constant dense<[1073741825, 1073741824, 1073741827, 1073741826, {{.*}}]> : tensor<16xi32>
// CHECK: %[[SV:.*]] = vector.transfer_read %[[SW]]
// CHECK: %[[QW:.*]] = vector.bitcast %[[MV]] : vector<16xi32> to vector<8xi64>
// CHECK: %[[EVEN:.*]] = arith.muli %{{.*}}, %{{.*}} : vector<8xi64>
// CHECK: %[[SWW:.*]] = vector.bitcast %[[SV]] : vector<16xi32> to vector<8xi64>
// CHECK: %[[SHL:.*]] = arith.shli %[[SWW]], %{{.*}} : vector<8xi64>
// CHECK: %[[ODDQ:.*]] = arith.shrsi %[[SHL]], %{{.*}} : vector<8xi64>
// CHECK: arith.muli %{{.*}}, %[[ODDQ]] : vector<8xi64>
// CHECK: vector.bitcast %{{.*}} : vector<8xi64> to vector<16xi32>
// CHECK: arith.trunci %{{.*}} : vector<16xi32> to vector<16xi8>
func.func @depthwise_high_mul(%x: tensor<1x4x4x16xi8>) -> tensor<1x2x2x16xi8> {
  %w = arith.constant dense<1> : tensor<3x3x16x1xi8>
  %zx = arith.constant 0 : i32
  %zw = arith.constant 0 : i32
  %z = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x2x2x16x1xi32>
  %init = linalg.fill ins(%z : i32) outs(%e : tensor<1x2x2x16x1xi32>) -> tensor<1x2x2x16x1xi32>
  %y = linalg.depthwise_conv_2d_nhwc_hwcm_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w, %zx, %zw : tensor<1x4x4x16xi8>, tensor<3x3x16x1xi8>, i32, i32) outs(%init : tensor<1x2x2x16x1xi32>) -> tensor<1x2x2x16x1xi32>
  %c = tensor.collapse_shape %y [[0], [1], [2], [3, 4]] : tensor<1x2x2x16x1xi32> into tensor<1x2x2x16xi32>
  %m = arith.constant dense<[1073741824, 1073741825, 1073741826, 1073741827, 1073741828, 1073741829, 1073741830, 1073741831, 1073741832, 1073741833, 1073741834, 1073741835, 1073741836, 1073741837, 1073741838, 1073741839]> : tensor<16xi32>
  %e2 = tensor.empty() : tensor<1x2x2x16xi8>
  %r = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c, %m : tensor<1x2x2x16xi32>, tensor<16xi32>) outs(%e2 : tensor<1x2x2x16xi8>) {
  ^bb0(%in: i32, %mul: i32, %out: i8):
    %a = arith.extsi %in : i32 to i64
    %b = arith.extsi %mul : i32 to i64
    %p = arith.muli %a, %b : i64
    %h = arith.constant 1073741824 : i64
    %s = arith.addi %p, %h : i64
    %c31 = arith.constant 31 : i64
    %d = arith.shrsi %s, %c31 : i64
    %t = arith.trunci %d : i64 to i32
    %q = arith.trunci %t : i32 to i8
    linalg.yield %q : i8
  } -> tensor<1x2x2x16xi8>
  return %r : tensor<1x2x2x16xi8>
}

// -----

// Its doubled form, (2x * m + 2^31) >> 32 (logical, as canonicalization
// leaves it), for accumulators with a bound: the high halves of the even
// and odd products merged by one shuffle.
#col = affine_map<(d0, d1, d2, d3) -> (d3)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @depthwise_high_mul_doubled
// CHECK: %[[EVEN:.*]] = arith.muli %{{.*}}, %{{.*}} : vector<8xi64>
// CHECK: %[[ODD:.*]] = arith.muli %{{.*}}, %{{.*}} : vector<8xi64>
// CHECK-DAG: %[[E:.*]] = arith.addi %[[EVEN]], %{{.*}} : vector<8xi64>
// CHECK-DAG: %[[O:.*]] = arith.addi %[[ODD]], %{{.*}} : vector<8xi64>
// CHECK-DAG: %[[EB:.*]] = vector.bitcast %[[E]] : vector<8xi64> to vector<16xi32>
// CHECK-DAG: %[[OB:.*]] = vector.bitcast %[[O]] : vector<8xi64> to vector<16xi32>
// CHECK: vector.shuffle %[[EB]], %[[OB]] [1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31] : vector<16xi32>, vector<16xi32>
func.func @depthwise_high_mul_doubled(%x: tensor<1x4x4x16xi8>) -> tensor<1x2x2x16xi8> {
  %w = arith.constant dense<1> : tensor<3x3x16x1xi8>
  %zx = arith.constant 0 : i32
  %zw = arith.constant 0 : i32
  %z = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x2x2x16x1xi32>
  %init = linalg.fill ins(%z : i32) outs(%e : tensor<1x2x2x16x1xi32>) -> tensor<1x2x2x16x1xi32>
  %y = linalg.depthwise_conv_2d_nhwc_hwcm_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w, %zx, %zw : tensor<1x4x4x16xi8>, tensor<3x3x16x1xi8>, i32, i32) outs(%init : tensor<1x2x2x16x1xi32>) -> tensor<1x2x2x16x1xi32>
  %c = tensor.collapse_shape %y [[0], [1], [2], [3, 4]] : tensor<1x2x2x16x1xi32> into tensor<1x2x2x16xi32>
  %m = arith.constant dense<1073741824> : tensor<16xi32>
  %e2 = tensor.empty() : tensor<1x2x2x16xi8>
  %r = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c, %m : tensor<1x2x2x16xi32>, tensor<16xi32>) outs(%e2 : tensor<1x2x2x16xi8>) {
  ^bb0(%in: i32, %mul: i32, %out: i8):
    %in2 = arith.addi %in, %in : i32
    %a = arith.extsi %in2 : i32 to i64
    %b = arith.extsi %mul : i32 to i64
    %p = arith.muli %a, %b : i64
    %h = arith.constant 2147483648 : i64
    %s = arith.addi %p, %h : i64
    %c32 = arith.constant 32 : i64
    %d = arith.shrui %s, %c32 : i64
    %t = arith.trunci %d : i64 to i32
    %q = arith.trunci %t : i32 to i8
    linalg.yield %q : i8
  } -> tensor<1x2x2x16xi8>
  return %r : tensor<1x2x2x16xi8>
}

// -----

// tosa.rescale's body (per-channel multiplier and shift s, round
// 2^(s - 1) computed from s): the round and the shift are evaluated per
// channel at build time into tables of 8 i64 for the even and the odd
// channels (s = 33 + c here: round 2^(32 + c)), the low halves of the
// shifted products merged by one shuffle. (The body's scalar ops are
// cloned as well; nothing uses them, canonicalization removes them.)
#col = affine_map<(d0, d1, d2, d3) -> (d3)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @depthwise_rescale_tables
// CHECK-DAG: arith.constant dense<[4294967296, 17179869184, {{.*}}]> : tensor<8xi64>
// CHECK-DAG: arith.constant dense<[8589934592, 34359738368, {{.*}}]> : tensor<8xi64>
// CHECK-DAG: %[[SE:.*]] = arith.constant dense<[33, 35, 37, 39, 41, 43, 45, 47]> : tensor<8xi64>
// CHECK-DAG: %[[SO:.*]] = arith.constant dense<[34, 36, 38, 40, 42, 44, 46, 48]> : tensor<8xi64>
// CHECK-DAG: vector.transfer_read %[[SE]]
// CHECK-DAG: vector.transfer_read %[[SO]]
// CHECK-DAG: arith.shrsi %{{.*}}, %{{.*}} : vector<8xi64>
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30] : vector<16xi32>, vector<16xi32>
func.func @depthwise_rescale_tables(%x: tensor<1x4x4x16xi8>) -> tensor<1x2x2x16xi8> {
  %w = arith.constant dense<1> : tensor<3x3x16x1xi8>
  %zx = arith.constant 0 : i32
  %zw = arith.constant 0 : i32
  %z = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x2x2x16x1xi32>
  %init = linalg.fill ins(%z : i32) outs(%e : tensor<1x2x2x16x1xi32>) -> tensor<1x2x2x16x1xi32>
  %y = linalg.depthwise_conv_2d_nhwc_hwcm_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w, %zx, %zw : tensor<1x4x4x16xi8>, tensor<3x3x16x1xi8>, i32, i32) outs(%init : tensor<1x2x2x16x1xi32>) -> tensor<1x2x2x16x1xi32>
  %c = tensor.collapse_shape %y [[0], [1], [2], [3, 4]] : tensor<1x2x2x16x1xi32> into tensor<1x2x2x16xi32>
  %m = arith.constant dense<1073741824> : tensor<16xi32>
  %sh = arith.constant dense<[33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48]> : tensor<16xi8>
  %e2 = tensor.empty() : tensor<1x2x2x16xi8>
  %r = linalg.generic {indexing_maps = [#id, #col, #col, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c, %m, %sh : tensor<1x2x2x16xi32>, tensor<16xi32>, tensor<16xi8>) outs(%e2 : tensor<1x2x2x16xi8>) {
  ^bb0(%in: i32, %mul: i32, %s: i8, %out: i8):
    %one = arith.constant 1 : i64
    %a = arith.extsi %in : i32 to i64
    %b = arith.extsi %mul : i32 to i64
    %p = arith.muli %a, %b : i64
    %s64 = arith.extui %s : i8 to i64
    %r1 = arith.shli %one, %s64 : i64
    %r2 = arith.shrui %r1, %one : i64
    %sum = arith.addi %p, %r2 : i64
    %d = arith.shrsi %sum, %s64 : i64
    %t = arith.trunci %d : i64 to i32
    %q = arith.trunci %t : i32 to i8
    linalg.yield %q : i8
  } -> tensor<1x2x2x16xi8>
  return %r : tensor<1x2x2x16xi8>
}

// -----

// Eight output columns per step; the 7 columns of this row are the rest
// (no loop of steps). With narrow=pack (the pass's default) their requantized
// bytes are narrowed four at a time: qnt.pack_s8 of four i32 vectors, the
// clamp on the 64 bytes, then two together, the last alone. With
// narrow=each every vector is truncated and stored by itself.
// CHECK-LABEL: func.func @depthwise_narrowed
// CHECK: scf.for
// CHECK-COUNT-21: qnt.dot_u8s8
// CHECK-NOT: qnt.dot_u8s8
// CHECK: %[[P:.*]] = qnt.pack_s8 %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32> -> vector<64xi8>
// CHECK: %[[L:.*]] = arith.maxsi %[[P]], %{{.*}} : vector<64xi8>
// CHECK: arith.minsi %[[L]], %{{.*}} : vector<64xi8>
// CHECK-COUNT-4: vector.transfer_write {{.*}} : vector<16xi8>, tensor<1x1x7x16xi8>
// CHECK: %[[T:.*]] = arith.trunci %{{.*}} : vector<16xi32> to vector<16xi8>
// CHECK: qnt.pack_s8 %{{.*}}, %{{.*}} : vector<16xi32>, vector<16xi32> -> vector<32xi8>
// CHECK-COUNT-2: vector.transfer_write {{.*}} : vector<16xi8>, tensor<1x1x7x16xi8>
// CHECK: vector.transfer_write %[[T]], {{.*}} : vector<16xi8>, tensor<1x1x7x16xi8>
// EACH-LABEL: func.func @depthwise_narrowed
// EACH-NOT: qnt.pack_s8
// EACH-COUNT-7: vector.transfer_write {{.*}} : vector<16xi8>, tensor<1x1x7x16xi8>
// EACH-NOT: qnt.pack_s8
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @depthwise_narrowed(%x: tensor<1x3x9x16xi8>) -> tensor<1x1x7x16xi8> {
  %w = arith.constant dense<1> : tensor<3x3x16x1xi8>
  %zx = arith.constant -3 : i32
  %zw = arith.constant 0 : i32
  %z = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x1x7x16x1xi32>
  %init = linalg.fill ins(%z : i32) outs(%e : tensor<1x1x7x16x1xi32>) -> tensor<1x1x7x16x1xi32>
  %y = linalg.depthwise_conv_2d_nhwc_hwcm_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w, %zx, %zw : tensor<1x3x9x16xi8>, tensor<3x3x16x1xi8>, i32, i32) outs(%init : tensor<1x1x7x16x1xi32>) -> tensor<1x1x7x16x1xi32>
  %c = tensor.collapse_shape %y [[0], [1], [2], [3, 4]] : tensor<1x1x7x16x1xi32> into tensor<1x1x7x16xi32>
  %e3 = tensor.empty() : tensor<1x1x7x16xi8>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<1x1x7x16xi32>) outs(%e3 : tensor<1x1x7x16xi8>) {
  ^bb0(%in: i32, %out: i8):
    %c2 = arith.constant 2 : i32
    %lo = arith.constant -50 : i32
    %hi = arith.constant 60 : i32
    %h = arith.shrsi %in, %c2 : i32
    %a = arith.maxsi %h, %lo : i32
    %b = arith.minsi %a, %hi : i32
    %t = arith.trunci %b : i32 to i8
    linalg.yield %t : i8
  } -> tensor<1x1x7x16xi8>
  return %r : tensor<1x1x7x16xi8>
}
