// RUN: quant-translate --import-onnx %S/Inputs/qlinear.onnx | FileCheck %s
// RUN: quant-translate --import-onnx %S/Inputs/qmatmul.onnx | FileCheck %s --check-prefix=MATMUL
// RUN: quant-translate --import-onnx %S/Inputs/requantize.onnx | FileCheck %s --check-prefix=REQUANT

// QLinearConv is Q(Conv(DQ(x), DQ(w), DQ(B))): the uint8 graph input is
// read by qnt.dequantize (i8 holding the u8 bits, ui8 in qnt.signature);
// the weights are dequantized constants with their fake_quant on the OHWI
// (axis 0) or HWCM (axis 2) operand, the int32 bias at s_x * s_w[c]; the
// tensor between the two convolutions is one fake_quant (both nodes agree
// on its parameters), and the uint8 graph output a qnt.quantize, in NHWC,
// then transposed as integers.

// CHECK-LABEL: func.func @main(
// CHECK-SAME:    %[[X:.*]]: tensor<1x2x6x6xi8> {onnx.name = "x"}
// CHECK-SAME:    -> (tensor<1x4x6x6xi8> {onnx.name = "y1"}, tensor<1x4x2x2xf32> {onnx.name = "out"})
// CHECK-SAME:    qnt.signature = (tensor<1x2x6x6xui8>) -> (tensor<1x4x6x6xui8>, tensor<1x4x2x2xf32>)
// CHECK:       %[[XD:.*]] = qnt.dequantize %[[X]], !quant.uniform<u8:f32, 0.019999999552965164:128> : tensor<1x2x6x6xi8> -> tensor<1x2x6x6xf32>
// CHECK:       %[[XT:.*]] = tosa.transpose %[[XD]]
// CHECK:       %[[W1:.*]] = qnt.fake_quant %{{.*}}, !quant.uniform<i8:f32:0, {0.0040000001899898052,0.0060000000521540642,0.0030000000260770321,0.004999999888241291}> : tensor<4x3x3x2xf32>
// CHECK:       %[[B1:.*]] = qnt.fake_quant %{{.*}}, !quant.uniform<i32:f32:0, {8.0000002011656676E-5,1.1999999836087225E-4,5.9999999180436123E-5,9.9999995529651691E-5}> : tensor<4xf32>
// CHECK:       %[[C1:.*]] = tosa.conv2d %[[XT]], %[[W1]], %[[B1]], {{.*}} pad = array<i64: 1, 1, 1, 1>
// CHECK:       %[[Y1:.*]] = qnt.fake_quant %[[C1]], !quant.uniform<u8:f32, 0.05000000074505806:10> : tensor<1x6x6x4xf32>
// CHECK:       %[[S:.*]] = tosa.slice %[[Y1]]
// CHECK:       %[[W2:.*]] = qnt.fake_quant %{{.*}}, !quant.uniform<u8:f32, 0.0099999997764825821:120> : tensor<3x3x4x1xf32>
// CHECK:       %[[C2:.*]] = tosa.depthwise_conv2d %[[S]], %[[W2]], {{.*}} stride = array<i64: 2, 2>
// CHECK:       %[[OUT:.*]] = qnt.fake_quant %[[C2]], !quant.uniform<u8:f32, 0.039999999105930328> : tensor<1x2x2x4xf32>
// CHECK:       %[[Q1:.*]] = qnt.quantize %[[C1]], !quant.uniform<u8:f32, 0.05000000074505806:10> : tensor<1x6x6x4xf32> -> tensor<1x6x6x4xi8>
// CHECK:       %[[Q1T:.*]] = tosa.transpose %[[Q1]] {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x6x6x4xi8>) -> tensor<1x4x6x6xi8>
// CHECK:       %[[OUTT:.*]] = tosa.transpose %[[OUT]]
// CHECK:       return %[[Q1T]], %[[OUTT]]

// QLinearMatMul with constant per-column weights ([1, K, N], axis 2);
// MatMulInteger of two runtime tensors at scale 1 with their zero points;
// ConvInteger with uint8 weights (zero point 5). The integer results are
// int32 quantizes at scale 1 (the exact sums).

// MATMUL-LABEL: func.func @main(
// MATMUL-SAME:    %[[A:[^:]*]]: tensor<16x32xi8> {onnx.name = "a"}, %[[B2:[^:]*]]: tensor<32x6xi8> {onnx.name = "b2"}, %[[XC:[^:]*]]: tensor<1x2x9x9xi8> {onnx.name = "xc"}
// MATMUL-SAME:    qnt.signature = (tensor<16x32xui8>, tensor<32x6xi8>, tensor<1x2x9x9xui8>) -> (tensor<16x6xui8>, tensor<16x6xi32>, tensor<1x3x9x9xi32>)
// MATMUL:       %[[AD:.*]] = qnt.dequantize %[[A]], !quant.uniform<u8:f32, 0.029999999329447746:100>
// MATMUL:       %[[BQ:.*]] = qnt.fake_quant %{{.*}}, !quant.uniform<i8:f32:2, {{.*}}> : tensor<1x32x6xf32>
// MATMUL:       %[[MM:.*]] = tosa.matmul %{{.*}}, %[[BQ]]
// MATMUL:       qnt.dequantize %[[A]], !quant.uniform<u8:f32, 1.000000e+00:100>
// MATMUL:       qnt.dequantize %[[B2]], !quant.uniform<i8:f32, 1.000000e+00:3>
// MATMUL:       %[[MI:.*]] = tosa.matmul
// MATMUL:       qnt.dequantize %[[XC]], !quant.uniform<u8:f32, 1.000000e+00:7>
// MATMUL:       %[[WC:.*]] = qnt.fake_quant %{{.*}}, !quant.uniform<u8:f32, 1.000000e+00:5> : tensor<3x3x3x2xf32>
// MATMUL:       %[[CI:.*]] = tosa.conv2d %{{.*}}, %[[WC]]
// MATMUL:       qnt.quantize %{{.*}}, !quant.uniform<u8:f32, 0.10000000149011612:128> : tensor<16x6xf32> -> tensor<16x6xi8>
// MATMUL:       qnt.quantize %{{.*}}, !quant.uniform<i32:f32, 1.000000e+00> : tensor<16x6xf32> -> tensor<16x6xi32>
// MATMUL:       qnt.quantize %[[CI]], !quant.uniform<i32:f32, 1.000000e+00> : tensor<1x9x9x3xf32> -> tensor<1x9x9x3xi32>

// A DequantizeLinear with other parameters than its QuantizeLinear reads
// the integers: a quantize and a dequantize.

// REQUANT-LABEL: func.func @main(
// REQUANT:       %[[Q:.*]] = qnt.quantize %arg0, !quant.uniform<u8:f32, 0.10000000149011612> : tensor<2xf32> -> tensor<2xi8>
// REQUANT:       %[[D:.*]] = qnt.dequantize %[[Q]], !quant.uniform<u8:f32, 0.20000000298023224> : tensor<2xi8> -> tensor<2xf32>
// REQUANT:       return %[[D]]
