// RUN: quant-translate --import-onnx %S/Inputs/softmax.onnx | FileCheck %s
// RUN: quant-translate --import-onnx %S/Inputs/reducemean.onnx | FileCheck %s --check-prefix=MEAN
// RUN: quant-translate --import-onnx %S/Inputs/softmax.onnx | quant-opt --verify-each --tosa-to-linalg-pipeline -o /dev/null
// RUN: quant-translate --import-onnx %S/Inputs/reducemean.onnx | quant-opt --verify-each --tosa-to-linalg-pipeline -o /dev/null

// Softmax is exp(x - max(x)) / sum(exp(x - max(x))); on the channels of an
// NHWC value it reduces axis 3.

// CHECK-LABEL: func.func @main(
// CHECK:       %[[MAX:.*]] = tosa.reduce_max %arg0 {axis = 1 : i32} : (tensor<2x10xf32>) -> tensor<2x1xf32>
// CHECK-NEXT:  %[[SUB:.*]] = tosa.sub %arg0, %[[MAX]]
// CHECK-NEXT:  %[[EXP:.*]] = tosa.exp %[[SUB]]
// CHECK-NEXT:  %[[SUM:.*]] = tosa.reduce_sum %[[EXP]] {axis = 1 : i32}
// CHECK-NEXT:  %[[INV:.*]] = tosa.reciprocal %[[SUM]]
// CHECK-NEXT:  %[[Y:.*]] = tosa.mul %[[EXP]], %[[INV]], %{{.*}} : (tensor<2x10xf32>, tensor<2x1xf32>, tensor<1xi8>) -> tensor<2x10xf32>
// CHECK:       %[[C:.*]] = tosa.conv2d
// CHECK-NEXT:  %[[CMAX:.*]] = tosa.reduce_max %[[C]] {axis = 3 : i32} : (tensor<1x2x2x3xf32>) -> tensor<1x2x2x1xf32>
// CHECK:       tosa.reduce_sum %{{.*}} {axis = 3 : i32}

// ReduceMean (axes as an input since opset 18) over H and W: reduce_sum on
// NHWC axes 1 and 2, then a multiplication by 1/16.
// MEAN-LABEL: func.func @main(
// MEAN-SAME:      -> (tensor<1x3xf32> {onnx.name = "y"})
// MEAN-DAG:   %[[SIXTEENTH:.*]] = "tosa.const"() <{values = dense<6.250000e-02> : tensor<1x1x1x1xf32>}>
// MEAN:       %[[C:.*]] = tosa.conv2d
// MEAN-NEXT:  %[[S1:.*]] = tosa.reduce_sum %[[C]] {axis = 1 : i32} : (tensor<1x4x4x3xf32>) -> tensor<1x1x4x3xf32>
// MEAN-NEXT:  %[[S2:.*]] = tosa.reduce_sum %[[S1]] {axis = 2 : i32} : (tensor<1x1x4x3xf32>) -> tensor<1x1x1x3xf32>
// MEAN-NEXT:  tosa.mul %[[S2]], %[[SIXTEENTH]]
// keepdims = 0: [1,3,1,1] held as [1,1,1,3] reshapes to [1,3] directly.
// MEAN-NOT:   tosa.transpose
// MEAN:       tosa.reshape {{.*}} -> tensor<1x3xf32>
