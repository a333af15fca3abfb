// RUN: quant-translate --import-onnx %S/Inputs/conv.onnx | FileCheck %s
// RUN: quant-translate --import-onnx %S/Inputs/conv.onnx --batch-size=4 | FileCheck %s --check-prefix=BATCH
// RUN: quant-translate --import-onnx %S/Inputs/conv.onnx | quant-opt --verify-each --tosa-to-linalg-pipeline -o /dev/null

// Conv: NCHW at the boundary, NHWC/OHWI inside, one transpose each way.
// Large weights are resource blobs named after the initializer.

// BATCH: func.func @main(%{{.*}}: tensor<4x3x8x8xf32> {onnx.name = "x"}) -> (tensor<4x2x2x2xf32> {onnx.name = "y"})

// CHECK-LABEL: func.func @main(
// CHECK-SAME:      %[[X:.*]]: tensor<1x3x8x8xf32> {onnx.name = "x"}) -> (tensor<1x2x2x2xf32> {onnx.name = "y"})
// CHECK-DAG:   %[[W1:.*]] = "tosa.const"() <{values = dense_resource<w1> : tensor<4x3x3x3xf32>}>
// CHECK-DAG:   %[[B1:.*]] = "tosa.const"() <{values = dense<[{{.*}}]> : tensor<4xf32>}>
// CHECK-DAG:   %[[ZP:.*]] = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}>
// CHECK-DAG:   %[[W3:.*]] = "tosa.const"() <{values = dense_resource<w3> : tensor<3x3x4x2xf32>}>
// CHECK:       %[[T:.*]] = tosa.transpose %[[X]] {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x3x8x8xf32>) -> tensor<1x8x8x3xf32>
// CHECK:       %[[C1:.*]] = tosa.conv2d %[[T]], %[[W1]], %[[B1]], %[[ZP]], %[[ZP]] {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : {{.*}} -> tensor<1x8x8x4xf32>
// SAME_UPPER with stride 2 on 8: total padding 1, at the end.
// CHECK:       %[[C2:.*]] = tosa.conv2d %[[C1]], %{{.*}}, %{{.*}}, %[[ZP]], %[[ZP]] {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 1, 0, 1>, stride = array<i64: 2, 2>} : {{.*}} -> tensor<1x4x4x4xf32>
// group = C: depthwise with HWCM weights (multiplier 2).
// CHECK:       %[[DW:.*]] = tosa.depthwise_conv2d %[[C2]], %[[W3]], %{{.*}}, %[[ZP]], %[[ZP]] {{.*}}pad = array<i64: 1, 1, 1, 1>{{.*}} -> tensor<1x4x4x8xf32>
// group = 2: one convolution per group, concatenated on channels.
// CHECK:       %[[S0:.*]] = tosa.slice %[[DW]], {{.*}} -> tensor<1x4x4x4xf32>
// CHECK:       %[[G0:.*]] = tosa.conv2d %[[S0]], {{.*}} -> tensor<1x4x4x2xf32>
// CHECK:       %[[S1:.*]] = tosa.slice %[[DW]], {{.*}} -> tensor<1x4x4x4xf32>
// CHECK:       %[[G1:.*]] = tosa.conv2d %[[S1]], {{.*}} -> tensor<1x4x4x2xf32>
// CHECK:       %[[CAT:.*]] = tosa.concat %[[G0]], %[[G1]] {axis = 3 : i32}
// Asymmetric pads [t=0, l=1, b=1, r=0], stride 2: the bottom padding is never
// read (TOSA wants exact windows) and the unread last column is sliced off.
// CHECK:       %[[TAIL:.*]] = tosa.slice %[[CAT]], {{.*}} -> tensor<1x4x3x4xf32>
// CHECK:       %[[C5:.*]] = tosa.conv2d %[[TAIL]], {{.*}}pad = array<i64: 0, 0, 1, 0>, stride = array<i64: 2, 2>{{.*}} -> tensor<1x2x2x2xf32>
// CHECK:       %[[OUT:.*]] = tosa.transpose %[[C5]] {perms = array<i32: 0, 3, 1, 2>}
// CHECK:       return %[[OUT]] : tensor<1x2x2x2xf32>
// CHECK:       dialect_resources
// CHECK:       w1: "0x04000000
