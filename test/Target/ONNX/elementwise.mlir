// RUN: quant-translate --import-onnx %S/Inputs/elementwise.onnx | FileCheck %s
// RUN: quant-translate --import-onnx %S/Inputs/elementwise.onnx | quant-opt --verify-each --tosa-to-linalg-pipeline -o /dev/null

// Numpy broadcasting with equal ranks; constants are laid out for NHWC at
// import time: the channel vector [3,1,1] becomes [1,1,1,3], the row [4]
// (the W axis) becomes [1,1,4,1].

// CHECK-LABEL: func.func @main(
// CHECK-SAME:      %[[X:[^:]*]]: tensor<1x3x2x4xf32> {onnx.name = "x"}, %[[X2:[^:]*]]: tensor<1x3x2x4xf32> {onnx.name = "x2"}, %[[V:[^:]*]]: tensor<2x5xf32> {onnx.name = "v"})
// CHECK-SAME:      -> (tensor<1x3x2x4xf32> {onnx.name = "y"}, tensor<2x5xf32> {onnx.name = "z"})
// CHECK-DAG:   %[[CHAN:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00]]]]> : tensor<1x1x1x3xf32>}>
// CHECK-DAG:   %[[HALF:.*]] = "tosa.const"() <{values = dense<5.000000e-01> : tensor<1x1x1x1xf32>}>
// CHECK-DAG:   %[[SHIFT:.*]] = "tosa.const"() <{values = dense<0> : tensor<1xi8>}>
// CHECK-DAG:   %[[ROW:.*]] = "tosa.const"() <{values = dense<{{.*}}> : tensor<1x1x4x1xf32>}>
// CHECK-DAG:   %[[VB:.*]] = "tosa.const"() <{values = dense<{{.*}}> : tensor<1x5xf32>}>
// CHECK:       %[[CONV:.*]] = tosa.conv2d
// CHECK-NEXT:  %[[ADD:.*]] = tosa.add %[[CONV]], %[[CHAN]] : (tensor<1x2x4x3xf32>, tensor<1x1x1x3xf32>) -> tensor<1x2x4x3xf32>
// CHECK-NEXT:  %[[MUL:.*]] = tosa.mul %[[ADD]], %[[HALF]], %[[SHIFT]]
// A runtime NCHW operand is transposed to meet the NHWC one.
// CHECK-NEXT:  %[[X2T:.*]] = tosa.transpose %[[X2]] {perms = array<i32: 0, 2, 3, 1>}
// CHECK-NEXT:  %[[SUB:.*]] = tosa.sub %[[MUL]], %[[X2T]]
// Div is a multiplication by the reciprocal.
// CHECK-NEXT:  %[[INV:.*]] = tosa.reciprocal %[[ROW]]
// CHECK-NEXT:  %[[DIV:.*]] = tosa.mul %[[SUB]], %[[INV]], %[[SHIFT]] : (tensor<1x2x4x3xf32>, tensor<1x1x4x1xf32>, tensor<1xi8>) -> tensor<1x2x4x3xf32>
// 2-D values never see a transpose.
// CHECK-NEXT:  %[[Z:.*]] = tosa.add %[[V]], %[[VB]] : (tensor<2x5xf32>, tensor<1x5xf32>) -> tensor<2x5xf32>
// CHECK-NEXT:  %[[Y:.*]] = tosa.transpose %[[DIV]] {perms = array<i32: 0, 3, 1, 2>}
// CHECK-NEXT:  return %[[Y]], %[[Z]]
