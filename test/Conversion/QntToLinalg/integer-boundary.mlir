// RUN: quant-opt %s --split-input-file --convert-qnt-to-linalg | FileCheck %s --implicit-check-not=f32

// The imported form of pre-quantized ONNX models (QLinearConv, ...):
// integers come in through qnt.dequantize and leave through qnt.quantize,
// as i8 holding the u8 bits. Inside, u8 is stored offset by -128 (the top
// bit flipped), so the uint8 weights with zero point 120 become i8 with
// zero point -8, the input zero point 128 becomes 0, and no float is left.
// CHECK-LABEL: func.func @affine_weights
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x2x1xi8>) -> tensor<1x2x2x2xi8>
// CHECK: %[[XS:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<1x2x2x1xi8>)
// CHECK:   arith.xori %{{.*}}, %{{.*}} : i8
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}-128]]], {{\[\[\[}}127]]]]> : tensor<2x1x1x1xi8>}>
// CHECK-DAG: %[[XZ:.*]] = "tosa.const"() <{values = dense<0> : tensor<1xi8>}>
// CHECK-DAG: %[[WZ:.*]] = "tosa.const"() <{values = dense<-8> : tensor<1xi8>}>
// CHECK: %[[ACC:.*]] = tosa.conv2d %[[XS]], %[[W]], %{{.*}}, %[[XZ]], %[[WZ]] {acc_type = i32
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[ACC]] : tensor<1x2x2x2xi32>) outs(%{{.*}} : tensor<1x2x2x2xi8>)
// CHECK: %[[BITS:.*]] = linalg.generic {{.*}} ins(%[[R]] : tensor<1x2x2x2xi8>)
// CHECK:   arith.xori
// CHECK: return %[[BITS]]
func.func @affine_weights(%x: tensor<1x2x2x1xi8>) -> tensor<1x2x2x2xi8>
    attributes {qnt.signature = (tensor<1x2x2x1xui8>) -> tensor<1x2x2x2xui8>} {
  %0 = qnt.dequantize %x, !quant.uniform<u8:f32, 6.250000e-02:128> : tensor<1x2x2x1xi8> -> tensor<1x2x2x1xf32>
  %w = "tosa.const"() {values = dense<[[[[-1.2]]], [[[1.35]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %wq = qnt.fake_quant %w, !quant.uniform<u8:f32, 1.000000e-02:120> : tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %0, %wq, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %o = qnt.quantize %y, !quant.uniform<u8:f32, 6.250000e-02:3> : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xi8>
  return %o : tensor<1x2x2x2xi8>
}

// -----

// A matmul of two quantized activations (QLinearMatMul of two runtime
// tensors) multiplies i8 by i8 with both zero points; int8 output bits are
// the storage itself.
// CHECK-LABEL: func.func @activation_matmul
// CHECK-SAME: (%[[A:.*]]: tensor<1x2x3xi8>, %[[B:.*]]: tensor<1x3x4xi8>)
// CHECK-DAG: %[[AZ:.*]] = "tosa.const"() <{values = dense<5> : tensor<1xi8>}>
// CHECK-DAG: %[[BZ:.*]] = "tosa.const"() <{values = dense<-2> : tensor<1xi8>}>
// CHECK: %[[ACC:.*]] = tosa.matmul %[[A]], %[[B]], %[[AZ]], %[[BZ]] : (tensor<1x2x3xi8>, tensor<1x3x4xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x4xi32>
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[ACC]] : tensor<1x2x4xi32>) outs(%{{.*}} : tensor<1x2x4xi8>)
// CHECK: return %[[R]]
func.func @activation_matmul(%a: tensor<1x2x3xi8>, %b: tensor<1x3x4xi8>) -> tensor<1x2x4xi8> {
  %0 = qnt.dequantize %a, !quant.uniform<i8:f32, 0.5:5> : tensor<1x2x3xi8> -> tensor<1x2x3xf32>
  %1 = qnt.dequantize %b, !quant.uniform<i8:f32, 0.25:-2> : tensor<1x3x4xi8> -> tensor<1x3x4xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %m = tosa.matmul %0, %1, %zp, %zp : (tensor<1x2x3xf32>, tensor<1x3x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x4xf32>
  %o = qnt.quantize %m, !quant.uniform<i8:f32, 1.0> : tensor<1x2x4xf32> -> tensor<1x2x4xi8>
  return %o : tensor<1x2x4xi8>
}

// -----

// int32 results at the accumulator's own scale (ConvInteger, MatMulInteger)
// are the accumulator: no requantize.
// CHECK-LABEL: func.func @int32_sums
// CHECK-SAME: (%[[A:.*]]: tensor<1x2x3xi8>, %[[B:.*]]: tensor<1x3x4xi8>) -> tensor<1x2x4xi32>
// CHECK: %[[ACC:.*]] = tosa.matmul %[[A]], %[[B]]
// CHECK-NEXT: return %[[ACC]]
func.func @int32_sums(%a: tensor<1x2x3xi8>, %b: tensor<1x3x4xi8>) -> tensor<1x2x4xi32> {
  %0 = qnt.dequantize %a, !quant.uniform<i8:f32, 1.0:3> : tensor<1x2x3xi8> -> tensor<1x2x3xf32>
  %1 = qnt.dequantize %b, !quant.uniform<i8:f32, 1.0> : tensor<1x3x4xi8> -> tensor<1x3x4xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %m = tosa.matmul %0, %1, %zp, %zp : (tensor<1x2x3xf32>, tensor<1x3x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x4xf32>
  %o = qnt.quantize %m, !quant.uniform<i32:f32, 1.0> : tensor<1x2x4xf32> -> tensor<1x2x4xi32>
  return %o : tensor<1x2x4xi32>
}

// -----

// Grouped convolutions (grouped QLinearConv: one conv per group) are
// concatenated as accumulators, their per-channel scales side by side, and
// requantized once: 1/16 and 1/8 share m0 = 2^30 (a constant), and differ in
// the right shift (3, 2) and its half 2^(e-1) (4, 2; the output zero point
// 0 adds nothing to it), per-channel operands. The convolutions' weights
// bound the accumulators (|acc| <= 255 * |w|), so the high multiply is
// doubled with the half added in its upper 32 bits, and the second
// rounding is (high + (acc >> 31)) >> e.
// CHECK-LABEL: func.func @grouped
// CHECK: %[[A:.*]] = tosa.conv2d {{.*}} -> tensor<1x2x2x1xi32>
// CHECK: %[[B:.*]] = tosa.conv2d {{.*}} -> tensor<1x2x2x1xi32>
// CHECK: %[[C:.*]] = tosa.concat %[[A]], %[[B]] {axis = 3 : i32} : (tensor<1x2x2x1xi32>, tensor<1x2x2x1xi32>) -> tensor<1x2x2x2xi32>
// CHECK-DAG: %[[E:.*]] = arith.constant dense<[3, 2]> : tensor<2xi32>
// CHECK-DAG: %[[HALF:.*]] = arith.constant dense<[4, 2]> : tensor<2xi32>
// CHECK: linalg.generic {{.*}} ins(%[[C]], %[[E]], %[[HALF]] : tensor<1x2x2x2xi32>, tensor<2xi32>, tensor<2xi32>) outs(%{{.*}} : tensor<1x2x2x2xi8>)
// CHECK: ^bb0(%[[ACC:.*]]: i32, %[[EA:.*]]: i32, %[[HA:.*]]: i32, %{{.*}}: i8):
// CHECK: %[[X2:.*]] = arith.addi %[[ACC]], %[[ACC]] : i32
// CHECK: %[[P:.*]] = arith.muli %{{.*}}, %c1073741824_i64 : i64
// CHECK: %[[HW:.*]] = arith.extsi %[[HA]] : i32 to i64
// CHECK: %[[UP:.*]] = arith.shli %[[HW]], %c32_i64 : i64
// CHECK: %[[R:.*]] = arith.addi %[[UP]], %c2147483648_i64 : i64
// CHECK: %[[S:.*]] = arith.addi %[[P]], %[[R]] : i64
// CHECK: %[[H:.*]] = arith.shrsi %[[S]], %{{.*}} : i64
// CHECK: %[[HIGH:.*]] = arith.trunci %[[H]] : i64 to i32
// CHECK: %[[SIGN:.*]] = arith.shrsi %[[ACC]], %c31_i32 : i32
// CHECK: %[[S2:.*]] = arith.addi %[[HIGH]], %[[SIGN]] : i32
// CHECK: arith.shrsi %[[S2]], %[[EA]] : i32
// CHECK-NOT: arith.andi
// CHECK: linalg.yield
func.func @grouped(%x: tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi8> {
  %0 = qnt.dequantize %x, !quant.uniform<i8:f32, 1.0> : tensor<1x2x2x2xi8> -> tensor<1x2x2x2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %s = tosa.const_shape {values = dense<[1, 2, 2, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %o0 = tosa.const_shape {values = dense<[0, 0, 0, 0]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %o1 = tosa.const_shape {values = dense<[0, 0, 0, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %x0 = tosa.slice %0, %o0, %s : (tensor<1x2x2x2xf32>, !tosa.shape<4>, !tosa.shape<4>) -> tensor<1x2x2x1xf32>
  %x1 = tosa.slice %0, %o1, %s : (tensor<1x2x2x2xf32>, !tosa.shape<4>, !tosa.shape<4>) -> tensor<1x2x2x1xf32>
  %w0 = "tosa.const"() {values = dense<0.0625> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %w1 = "tosa.const"() {values = dense<0.125> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %q0 = qnt.fake_quant %w0, !quant.uniform<i8:f32, 0.0625> : tensor<1x1x1x1xf32>
  %q1 = qnt.fake_quant %w1, !quant.uniform<i8:f32, 0.125> : tensor<1x1x1x1xf32>
  %c0 = tosa.conv2d %x0, %q0, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  %c1 = tosa.conv2d %x1, %q1, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  %c = tosa.concat %c0, %c1 {axis = 3 : i32} : (tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32>
  %y = qnt.quantize %c, !quant.uniform<i8:f32, 1.0> : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xi8>
  return %y : tensor<1x2x2x2xi8>
}
