// RUN: quant-translate --import-onnx %S/Inputs/batchnorm.onnx | FileCheck %s
// RUN: quant-translate --import-onnx %S/Inputs/batchnorm.onnx | quant-opt --verify-each -o /dev/null

// BatchNormalization becomes qnt.batch_norm on the NHWC value: axis 3.

// CHECK-LABEL: func.func @main(
// CHECK-DAG:   %[[GAMMA:.*]] = "tosa.const"() <{values = dense<[0.736{{.*}}]> : tensor<4xf32>}>
// CHECK:       %[[CONV:.*]] = tosa.conv2d
// CHECK:       %[[BN:.*]] = qnt.batch_norm %[[CONV]], %[[GAMMA]], %{{.*}}, %{{.*}}, %{{.*}} {axis = 3 : i64, epsilon = 1.000000e-03 : f32} : tensor<1x4x4x4xf32>, tensor<4xf32>
// CHECK-NEXT:  %[[RELU:.*]] = tosa.clamp %[[BN]] {max_val = 0x7F800000 : f32, min_val = 0.000000e+00 : f32}
// CHECK-NEXT:  %[[OUT:.*]] = tosa.transpose %[[RELU]] {perms = array<i32: 0, 3, 1, 2>}
// CHECK-NEXT:  return %[[OUT]]
