// RUN: quant-translate --import-onnx %S/Inputs/pad.onnx | FileCheck %s
// RUN: quant-translate --import-onnx %S/Inputs/pad.onnx | quant-opt --verify-each --tosa-to-linalg-pipeline -o /dev/null

// Pad (constant mode) of 4-D tensors: concatenations with splat constants,
// because TOSA's level 8K rejects tosa.pad's !tosa.shape<8> padding beyond
// rank 3. In NHWC, the pads follow the layout.

// CHECK-LABEL: func.func @main(
// CHECK-DAG:   %[[TOP:.*]] = "tosa.const"() <{values = dense<5.000000e-01> : tensor<1x2x1x2xf32>}>
// CHECK-DAG:   %[[LEFT:.*]] = "tosa.const"() <{values = dense<5.000000e-01> : tensor<1x2x4x2xf32>}>
// CHECK-DAG:   %[[ZW:.*]] = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1x4x1x2xf32>}>
// pads [0,0,1,2, 0,0,1,0] on NCHW [1,2,2,2]: H by (1,1), W by (2,0).
// CHECK:       %[[H:.*]] = tosa.concat %[[TOP]], %arg0, %{{.*}} {axis = 2 : i32} : {{.*}} -> tensor<1x2x4x2xf32>
// CHECK-NEXT:  %[[W:.*]] = tosa.concat %[[LEFT]], %[[H]] {axis = 3 : i32} : {{.*}} -> tensor<1x2x4x4xf32>
// CHECK-NEXT:  %[[T:.*]] = tosa.transpose %[[W]] {perms = array<i32: 0, 2, 3, 1>}
// CHECK-NEXT:  %[[C:.*]] = tosa.conv2d %[[T]]
// W pads (1,1) of the NHWC value: physical axis 2.
// CHECK-NEXT:  %[[P:.*]] = tosa.concat %[[ZW]], %[[C]], %{{.*}} {axis = 2 : i32} : {{.*}} -> tensor<1x4x6x2xf32>
// CHECK-NEXT:  %[[Y:.*]] = tosa.transpose %[[P]] {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x4x6x2xf32>) -> tensor<1x2x4x6xf32>
// CHECK-NEXT:  return %[[Y]]
