// RUN: quant-translate --import-onnx %S/Inputs/qdq.onnx | FileCheck %s
// RUN: quant-translate --import-onnx %S/Inputs/qdq.onnx | quant-opt --verify-each -o /dev/null

// QuantizeLinear + DequantizeLinear pairs become one qnt.fake_quant:
// per-tensor uint8 on the activation, per-axis int8 on the weight (axis 0,
// which stays 0 in OHWI). A DequantizeLinear of an int8 initializer becomes
// a fake_quant of the dequantized constant.

// CHECK-LABEL: func.func @main(
// CHECK-DAG:   %[[W:.*]] = "tosa.const"() <{values = dense<{{.*}}> : tensor<3x1x1x2xf32>}>
// CHECK-DAG:   %[[W8:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}1.100000e+00, 0.899999976, -7.800000e-01]]]{{.*}}> : tensor<3x1x1x3xf32>}>
// CHECK:       %[[XQ:.*]] = qnt.fake_quant %arg0, !quant.uniform<u8:f32, 0.05000000074505806:128> : tensor<1x2x2x2xf32>
// CHECK-NEXT:  %[[WQ:.*]] = qnt.fake_quant %[[W]], !quant.uniform<i8:f32:0, {0.0099999997764825821,0.019999999552965164,0.029999999329447746}> : tensor<3x1x1x2xf32>
// CHECK-NEXT:  %[[T:.*]] = tosa.transpose %[[XQ]] {perms = array<i32: 0, 2, 3, 1>}
// CHECK-NEXT:  %[[C:.*]] = tosa.conv2d %[[T]], %[[WQ]]
// CHECK-NEXT:  %[[W8Q:.*]] = qnt.fake_quant %[[W8]], !quant.uniform<i8:f32:0, {{.*}}> : tensor<3x1x1x3xf32>
// CHECK-NEXT:  tosa.conv2d %[[C]], %[[W8Q]]

// RUN: quant-translate --import-onnx %S/Inputs/qdq_depthwise.onnx | FileCheck %s --check-prefix=DEPTHWISE
// RUN: quant-translate --import-onnx %S/Inputs/qdq_depthwise.onnx | quant-opt --convert-qnt-to-linalg | FileCheck %s --check-prefix=DEPTHWISE-INT

// The per-channel fake_quant of depthwise weights moves with the OHWI ->
// HWCM reshape and transpose (axis 0 -> 2), so it sits on the constant the
// convolution reads and the integer lowering turns it into an i8 depthwise
// convolution.
// DEPTHWISE-LABEL: func.func @main(
// DEPTHWISE:       %[[W:.*]] = qnt.fake_quant %{{.*}}, !quant.uniform<i8:f32:2, {0.0099999997764825821,0.019999999552965164,0.029999999329447746}> : tensor<3x3x3x1xf32>
// DEPTHWISE:       tosa.depthwise_conv2d %{{.*}}, %[[W]]
// DEPTHWISE-INT-LABEL: func.func @main(
// DEPTHWISE-INT:       tosa.depthwise_conv2d {{.*}} {acc_type = i32, {{.*}} : (tensor<1x4x4x3xi8>, tensor<3x3x3x1xi8>, tensor<3xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x3xi32>
