// RUN: quant-translate --import-onnx %S/Inputs/shape.onnx | FileCheck %s
// RUN: quant-translate --import-onnx %S/Inputs/squeeze_opset11.onnx | FileCheck %s --check-prefix=OPSET11
// RUN: quant-translate --import-onnx %S/Inputs/shape.onnx | quant-opt --verify-each --tosa-to-linalg-pipeline -o /dev/null

// Reshape (0 copies, -1 infers), Unsqueeze/Squeeze (axes as inputs since
// opset 13), Transpose, Identity. Reshaping an NHWC-held value goes back to
// NCHW first unless only unit dimensions move.

// CHECK-LABEL: func.func @main(
// CHECK-SAME:      -> (tensor<24x1xf32> {onnx.name = "y"}, tensor<1x2x3x4xf32> {onnx.name = "nhwc"}, tensor<1x4xf32> {onnx.name = "z"})
// The weight shared by three convolutions is one constant.
// CHECK:       %[[W:.*]] = "tosa.const"() <{values = dense<{{.*}}> : tensor<4x1x1x2xf32>}>
// CHECK-NOT:   tensor<4x1x1x2xf32>}>
// CHECK:       %[[IN:.*]] = tosa.transpose %arg0 {perms = array<i32: 0, 2, 3, 1>}
// CHECK:       %[[C:.*]] = tosa.conv2d %[[IN]], %[[W]]
// CHECK-NEXT:  %[[NCHW:.*]] = tosa.transpose %[[C]] {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x2x3x4xf32>) -> tensor<1x4x2x3xf32>
// CHECK:       %[[R:.*]] = tosa.reshape %[[NCHW]], %{{.*}} -> tensor<1x24xf32>
// CHECK:       %[[U:.*]] = tosa.reshape %[[R]], %{{.*}} -> tensor<1x1x24xf32>
// CHECK:       %[[S:.*]] = tosa.reshape %[[U]], %{{.*}} -> tensor<1x24xf32>
// CHECK-NEXT:  %[[Y:.*]] = tosa.transpose %[[S]] {perms = array<i32: 1, 0>} : (tensor<1x24xf32>) -> tensor<24x1xf32>
// Transpose to NHWC of an NHWC-held value: nothing to do.
// CHECK-NEXT:  %[[NHWC:.*]] = tosa.conv2d %[[IN]], %[[W]]
// CHECK-NEXT:  %[[C3:.*]] = tosa.conv2d %[[IN]], %[[W]]
// CHECK-NEXT:  %[[GAP:.*]] = tosa.avg_pool2d %[[C3]]
// Squeeze of [1,4,1,1] held as [1,1,1,4]: a reshape, no transpose.
// CHECK-NEXT:  tosa.const_shape
// CHECK-NEXT:  %[[Z:.*]] = tosa.reshape %[[GAP]], %{{.*}} : (tensor<1x1x1x4xf32>, !tosa.shape<2>) -> tensor<1x4xf32>
// CHECK-NEXT:  return %[[Y]], %[[NHWC]], %[[Z]] : tensor<24x1xf32>, tensor<1x2x3x4xf32>, tensor<1x4xf32>

// Before opset 13, the axes are attributes.
// OPSET11:     %[[U:.*]] = tosa.reshape %arg0, %{{.*}} : (tensor<2x3xf32>, !tosa.shape<4>) -> tensor<1x2x3x1xf32>
// OPSET11:     tosa.reshape %[[U]], %{{.*}} : (tensor<1x2x3x1xf32>, !tosa.shape<3>) -> tensor<2x3x1xf32>
