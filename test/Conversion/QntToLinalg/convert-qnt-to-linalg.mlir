// RUN: quant-opt %s --split-input-file --convert-qnt-to-linalg | FileCheck %s

// A conv + ReLU unit with per-channel weights: the input is quantized once
// (u8 stored as i8 offset by -128, so zero point 0 becomes -128), the conv
// runs on i8 with an i32 bias at s_in * s_w[c], the requantize is integer
// only, and the output is dequantized once.
// CHECK-LABEL: func.func @conv_relu
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32>
// CHECK: %[[Q:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<1x2x2x1xf32>) outs(%{{.*}} : tensor<1x2x2x1xi8>)
// CHECK: math.roundeven
// CHECK: arith.trunci {{.*}} : i32 to i8
// CHECK-NOT: f32
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}127]]], {{\[\[\[}}-127]]]]> : tensor<2x1x1x1xi8>}>
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[1024, -256]> : tensor<2xi32>}>
// CHECK-DAG: %[[ZP:.*]] = "tosa.const"() <{values = dense<-128> : tensor<1xi8>}>
// CHECK: %[[ACC:.*]] = tosa.conv2d %[[Q]], %[[W]], %[[B]], %[[ZP]], %{{.*}} {acc_type = i32
// CHECK-SAME: -> tensor<1x2x2x2xi32>
// CHECK-NOT: f32
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[ACC]], %{{.*}}, %{{.*}} : tensor<1x2x2x2xi32>, tensor<2xi32>, tensor<2xi32>) outs(%{{.*}} : tensor<1x2x2x2xi8>)
// CHECK-NOT: f32
// CHECK: arith.extsi {{.*}} : i8 to i32
// CHECK: arith.sitofp {{.*}} : i32 to f32
// CHECK: return
func.func @conv_relu(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32> {
  %0 = qnt.fake_quant %x, !quant.uniform<u8:f32, 6.250000e-02> : tensor<1x2x2x1xf32>
  %w = "tosa.const"() {values = dense<[[[[0.9921875]]], [[[-1.984375]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %wq = qnt.fake_quant %w, !quant.uniform<i8<-127:127>:f32:0, {7.812500e-03,1.562500e-02}> : tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<[0.5, -0.25]> : tensor<2xf32>} : () -> tensor<2xf32>
  %bq = qnt.fake_quant %b, !quant.uniform<i32:f32:0, {4.8828125E-4,9.765625E-4}> : tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %0, %wq, %bq, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %r = tosa.clamp %y {min_val = 0.0 : f32, max_val = 0x7F800000 : f32, qnt.fused = true} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %o = qnt.fake_quant %r, !quant.uniform<u8:f32, 6.250000e-02> : tensor<1x2x2x2xf32>
  return %o : tensor<1x2x2x2xf32>
}


// -----

// Concat with differing scales: the input with another scale is requantized
// (integer only) in front of the concat, which runs on i8; max pooling,
// transpose and reshape run on i8 too. Average pooling averages
// (q - z) * 2^7 in i16, so its output is rounded once, by the requantize to
// its own fake_quant.
// CHECK-LABEL: func.func @same_scale_ops
// CHECK: %[[A:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x2x1xi8>)
// CHECK: %[[B:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x2x1xi8>)
// CHECK: %[[AC:.*]] = linalg.generic {{.*}} ins(%[[A]] : tensor<1x2x2x1xi8>) outs(%{{.*}} : tensor<1x2x2x1xi32>)
// CHECK: %[[AR:.*]] = linalg.generic {{.*}} ins(%[[AC]] : tensor<1x2x2x1xi32>) outs(%{{.*}} : tensor<1x2x2x1xi8>)
// CHECK-NOT: f32
// CHECK: %[[C:.*]] = tosa.concat %[[AR]], %[[B]] {axis = 3 : i32} : (tensor<1x2x2x1xi8>, tensor<1x2x2x1xi8>) -> tensor<1x2x2x2xi8>
// CHECK: %[[P:.*]] = tosa.max_pool2d %[[C]] {{.*}} -> tensor<1x1x1x2xi8>
// CHECK: %[[Z16:.*]] = "tosa.const"() <{values = dense<0> : tensor<1xi16>}>
// CHECK: %[[V:.*]] = tosa.avg_pool2d %{{.*}}, %[[Z16]], %[[Z16]] {acc_type = i32{{.*}} : (tensor<1x2x2x2xi16>, tensor<1xi16>, tensor<1xi16>) -> tensor<1x1x1x2xi16>
// CHECK: %[[T:.*]] = tosa.transpose %[[P]] {{.*}} -> tensor<1x1x2x1xi8>
// CHECK: %[[R:.*]] = tosa.reshape %[[T]], %{{.*}} -> tensor<1x2xi8>
// CHECK-NOT: f32
// CHECK: tensor.empty() : tensor<1x2xf32>
// CHECK: arith.sitofp
func.func @same_scale_ops(%a: tensor<1x2x2x1xf32>, %b: tensor<1x2x2x1xf32>) -> (tensor<1x2xf32>, tensor<1x1x1x2xf32>) {
  %0 = qnt.fake_quant %a, !quant.uniform<u8:f32, 6.250000e-02:10> : tensor<1x2x2x1xf32>
  %1 = qnt.fake_quant %b, !quant.uniform<u8:f32, 1.250000e-01:10> : tensor<1x2x2x1xf32>
  %2 = qnt.fake_quant %0, !quant.uniform<u8:f32, 1.250000e-01:10> : tensor<1x2x2x1xf32>
  %3 = tosa.concat %2, %1 {axis = 3 : i32} : (tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32>
  %4 = tosa.max_pool2d %3 {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2x2xf32>) -> tensor<1x1x1x2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %5 = tosa.avg_pool2d %3, %z, %z {acc_type = f32, kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x2xf32>
  %6 = tosa.transpose %4 {perms = array<i32: 0, 1, 3, 2>} : (tensor<1x1x1x2xf32>) -> tensor<1x1x2x1xf32>
  %s = tosa.const_shape {values = dense<[1, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %7 = tosa.reshape %6, %s : (tensor<1x1x2x1xf32>, !tosa.shape<2>) -> tensor<1x2xf32>
  %8 = qnt.fake_quant %7, !quant.uniform<u8:f32, 1.250000e-01:10> : tensor<1x2xf32>
  %9 = qnt.fake_quant %5, !quant.uniform<u8:f32, 1.250000e-01:10> : tensor<1x1x1x2xf32>
  return %8, %9 : tensor<1x2xf32>, tensor<1x1x1x2xf32>
}

// -----

// Ops left in float (qnt.keep_float), or without quantized inputs or
// weights, run in float behind a dequantize; the fake_quant after them
// quantizes again.
// CHECK-LABEL: func.func @keep_float
// CHECK: %[[Q:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x2x1xi8>)
// CHECK: %[[D:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x2x1xf32>)
// CHECK: tosa.conv2d %[[D]], %{{.*}} {acc_type = f32
// CHECK-SAME: qnt.keep_float = true
func.func @keep_float(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32> {
  %0 = qnt.fake_quant %x, !quant.uniform<u8:f32, 6.250000e-02> : tensor<1x2x2x1xf32>
  %w = "tosa.const"() {values = dense<[[[[0.5]]], [[[-1.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %0, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, qnt.keep_float = true} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %o = qnt.fake_quant %y, !quant.uniform<u8:f32, 6.250000e-02> : tensor<1x2x2x2xf32>
  return %o : tensor<1x2x2x2xf32>
}

// -----

// A pad value other than 0 is quantized on the grid: 1.5 / 0.5 = 3, stored
// as 3 - 128 = -125.
// CHECK-LABEL: func.func @pad_value
// CHECK: %[[V:.*]] = "tosa.const"() <{values = dense<-125> : tensor<1xi8>}>
// CHECK: tosa.pad %{{.*}}, %{{.*}}, %[[V]] : (tensor<1x4xi8>, !tosa.shape<4>, tensor<1xi8>) -> tensor<1x6xi8>
func.func @pad_value(%x: tensor<1x4xf32>) -> tensor<1x6xf32> {
  %0 = qnt.fake_quant %x, !quant.uniform<u8:f32, 5.000000e-01> : tensor<1x4xf32>
  %p = tosa.const_shape {values = dense<[0, 0, 1, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %c = "tosa.const"() <{values = dense<1.5> : tensor<1xf32>}> : () -> tensor<1xf32>
  %1 = tosa.pad %0, %p, %c : (tensor<1x4xf32>, !tosa.shape<4>, tensor<1xf32>) -> tensor<1x6xf32>
  %2 = qnt.fake_quant %1, !quant.uniform<u8:f32, 5.000000e-01> : tensor<1x6xf32>
  return %2 : tensor<1x6xf32>
}

// -----

// 16-bit inputs to an add get 28 - 16 = 12 bits of headroom (20 for 8-bit
// ones), so (q - z) << shift cannot overflow int32. That also bounds the
// rescaled inputs (below 2^28, multipliers at most 1/2): the requantize of
// %a (1/6 = 2^-2 * 0.667) takes the doubled high multiply, whose rounding
// constant 2^31 is folded with the second rounding's half (e = 2: 2^1 in
// the upper 32 bits, 2^31 + 2^33), and the short second rounding. %b's
// multiplier is 1/2, exact on an even value: (q - z) << 11, no multiply.
// CHECK-LABEL: func.func @add16
// CHECK: arith.constant 12 : i32
// CHECK: arith.shli
// CHECK: } -> tensor<1x4xi32>
// CHECK: linalg.generic
// CHECK-NEXT: ^bb0(%[[IN:.*]]: i32, %{{.*}}: i32):
// CHECK: arith.addi %[[IN]], %[[IN]] : i32
// CHECK: arith.addi %{{.*}}, %c10737418240_i64 : i64
// CHECK: arith.shrsi %{{.*}}, %c32_i64{{.*}} : i64
// CHECK: arith.shrsi %[[IN]], %c31_i32 : i32
// CHECK-NOT: arith.andi
// CHECK: linalg.yield
// CHECK: %[[B:.*]] = linalg.generic {{.*}} ins(%{{[0-9]+}} : tensor<1x4xi32>)
// CHECK-NEXT: ^bb0(%[[QB:.*]]: i32, %{{.*}}: i32):
// CHECK-NEXT: %[[S:.*]] = arith.constant 11 : i32
// CHECK-NEXT: %[[BS:.*]] = arith.shli %[[QB]], %[[S]] : i32
// CHECK-NEXT: linalg.yield %[[BS]]
// CHECK: tosa.add %{{.*}}, %[[B]]
func.func @add16(%a: tensor<1x4xf32>, %b: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = qnt.fake_quant %a, !quant.uniform<i16:f32, 1.000000e-03> : tensor<1x4xf32>
  %1 = qnt.fake_quant %b, !quant.uniform<i16:f32, 3.000000e-03> : tensor<1x4xf32>
  %2 = tosa.add %0, %1 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %3 = qnt.fake_quant %2, !quant.uniform<i16:f32, 6.000000e-03> : tensor<1x4xf32>
  return %3 : tensor<1x4xf32>
}

// -----

// An 8-bit input's rescale stays in i32 (ConvertQntToLinalg.cpp,
// splitRescale): %a's 1/6 = 1431655765 * 2^-31 * 2^-2, with L = 20 and
// s = 31 - 20 + 2 = 13, is d * (m0 >> 13) + ((d * (m0 & 8191) + 2^10 +
// 2^12 - [d < 0] * 2^11) >> 13); the [d < 0] term because zero point 10
// leaves values below it. %b's 1/2 is (q - z) << 19.
// CHECK-LABEL: func.func @add8
// CHECK: linalg.generic
// CHECK: ^bb0(%[[D:.*]]: i32, %{{.*}}: i32):
// CHECK: %[[ML:.*]] = arith.constant 5461 : i32
// CHECK: %[[P:.*]] = arith.muli %[[D]], %[[ML]] : i32
// CHECK: %[[C:.*]] = arith.constant 5120 : i32
// CHECK: %[[L:.*]] = arith.addi %[[P]], %[[C]] : i32
// CHECK: %[[N:.*]] = arith.shrsi %[[D]], %{{.*}} : i32
// CHECK: %[[NT:.*]] = arith.shli %[[N]], %{{.*}} : i32
// CHECK: %[[L2:.*]] = arith.addi %[[L]], %[[NT]] : i32
// CHECK: %[[LS:.*]] = arith.shrsi %[[L2]], %{{.*}} : i32
// CHECK: %[[MH:.*]] = arith.constant 174762 : i32
// CHECK: %[[H:.*]] = arith.muli %[[D]], %[[MH]] : i32
// CHECK: %[[R:.*]] = arith.addi %[[H]], %[[LS]] : i32
// CHECK: linalg.yield %[[R]]
// CHECK: arith.constant 19 : i32
// CHECK: tosa.add
func.func @add8(%a: tensor<1x4xf32>, %b: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = qnt.fake_quant %a, !quant.uniform<u8:f32, 1.000000e-01:10> : tensor<1x4xf32>
  %1 = qnt.fake_quant %b, !quant.uniform<u8:f32, 3.000000e-01> : tensor<1x4xf32>
  %2 = tosa.add %0, %1 : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %3 = qnt.fake_quant %2, !quant.uniform<u8:f32, 4.000000e-01> : tensor<1x4xf32>
  return %3 : tensor<1x4xf32>
}

// -----

// An accumulator read by an op without integer lowering is dequantized
// exactly (s_in * s_w * acc, clamped by its fused activation) in front of it.
// CHECK-LABEL: func.func @float_reader
// CHECK: %[[ACC:.*]] = tosa.conv2d {{.*}} -> tensor<1x2x2x1xi32>
// CHECK: %[[F:.*]] = linalg.generic {{.*}} ins(%[[ACC]] : tensor<1x2x2x1xi32>) outs(%{{.*}} : tensor<1x2x2x1xf32>)
// CHECK:   arith.sitofp
// CHECK:   arith.mulf
// CHECK:   arith.maximumf
// CHECK: tosa.sigmoid %[[F]]
func.func @float_reader(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32> {
  %0 = qnt.fake_quant %x, !quant.uniform<u8:f32, 6.250000e-02> : tensor<1x2x2x1xf32>
  %w = "tosa.const"() {values = dense<0.5> : tensor<1x1x1x1xf32>} : () -> tensor<1x1x1x1xf32>
  %wq = qnt.fake_quant %w, !quant.uniform<i8:f32, 7.812500e-03> : tensor<1x1x1x1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %0, %wq, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  %r = tosa.clamp %y {min_val = 0.0 : f32, max_val = 0x7F800000 : f32, qnt.fused = true} : (tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
  %s = tosa.sigmoid %r : (tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
  return %s : tensor<1x2x2x1xf32>
}
