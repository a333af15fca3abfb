// RUN: quant-translate --import-onnx %S/Inputs/gemm.onnx | FileCheck %s
// RUN: quant-translate --import-onnx %S/Inputs/gemm.onnx | quant-opt --verify-each --tosa-to-linalg-pipeline -o /dev/null

// Gemm (transB folded into the constant, alpha, beta folded into C) and
// MatMul, both as tosa.matmul on 3-D operands.

// CHECK-LABEL: func.func @main(
// CHECK-SAME:      %[[X:[^:]*]]: tensor<2x8xf32> {onnx.name = "x"}, %[[X3:[^:]*]]: tensor<2x3x4xf32> {onnx.name = "x3"})
// CHECK-DAG:   %[[W:.*]] = "tosa.const"() <{values = dense<{{.*}}> : tensor<1x8x4xf32>}>
// CHECK-DAG:   %[[ZP:.*]] = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}>
// CHECK-DAG:   %[[ALPHA:.*]] = "tosa.const"() <{values = dense<5.000000e-01> : tensor<1x1xf32>}>
// CHECK-DAG:   %[[C:.*]] = "tosa.const"() <{values = dense<{{.*}}> : tensor<1x4xf32>}>
// CHECK-DAG:   %[[M:.*]] = "tosa.const"() <{values = dense<{{.*}}> : tensor<1x4x3xf32>}>
// CHECK-DAG:   %[[M3:.*]] = "tosa.const"() <{values = dense<{{.*}}> : tensor<1x4x5xf32>}>
// CHECK:       %[[A:.*]] = tosa.reshape %[[X]], %{{.*}} -> tensor<1x2x8xf32>
// CHECK-NEXT:  %[[MM:.*]] = tosa.matmul %[[A]], %[[W]], %[[ZP]], %[[ZP]] : (tensor<1x2x8xf32>, tensor<1x8x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x4xf32>
// CHECK:       %[[MM2:.*]] = tosa.reshape %[[MM]], %{{.*}} -> tensor<2x4xf32>
// CHECK-NEXT:  %[[SC:.*]] = tosa.mul %[[MM2]], %[[ALPHA]]
// CHECK-NEXT:  %[[G:.*]] = tosa.add %[[SC]], %[[C]] : (tensor<2x4xf32>, tensor<1x4xf32>) -> tensor<2x4xf32>
// CHECK:       %[[G3:.*]] = tosa.reshape %[[G]], %{{.*}} -> tensor<1x2x4xf32>
// CHECK-NEXT:  tosa.matmul %[[G3]], %[[M]], %[[ZP]], %[[ZP]]
// [2,3,4] x [4,5]: the batch folds into the rows.
// CHECK:       %[[R:.*]] = tosa.reshape %[[X3]], %{{.*}} -> tensor<1x6x4xf32>
// CHECK-NEXT:  %[[MM3:.*]] = tosa.matmul %[[R]], %[[M3]], %[[ZP]], %[[ZP]] : {{.*}} -> tensor<1x6x5xf32>
// CHECK:       tosa.reshape %[[MM3]], %{{.*}} -> tensor<2x3x5xf32>
