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
