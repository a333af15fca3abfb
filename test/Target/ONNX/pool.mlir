// RUN: quant-translate --import-onnx %S/Inputs/pool.onnx | FileCheck %s
// RUN: quant-translate --import-onnx %S/Inputs/pool.onnx | quant-opt --verify-each --tosa-to-linalg-pipeline -o /dev/null

// Concat on channels (axis 1 -> 3 in NHWC), pools, GlobalAveragePool and a
// Flatten that needs no transpose ([1,5,1,1] held as [1,1,1,5]).

// CHECK-LABEL: func.func @main(
// CHECK-SAME:      -> (tensor<1x5xf32> {onnx.name = "y"})
// CHECK-DAG:   %[[ZP:.*]] = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}>
// CHECK-DAG:   %[[COUNT:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}0.444444448], [0.666666686], [0.444444448]], {{.*}}> : tensor<1x3x3x1xf32>}>
// CHECK:       %[[A:.*]] = tosa.conv2d
// CHECK:       %[[B:.*]] = tosa.conv2d
// CHECK:       %[[CAT:.*]] = tosa.concat %[[A]], %[[B]] {axis = 3 : i32} : (tensor<1x10x10x2xf32>, tensor<1x10x10x3xf32>) -> tensor<1x10x10x5xf32>
// CHECK:       %[[MP:.*]] = tosa.max_pool2d %[[CAT]] {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : {{.*}} -> tensor<1x5x5x5xf32>
// ceil_mode: an extra end padding gives the last, partial window.
// CHECK:       %[[MPC:.*]] = tosa.max_pool2d %[[MP]] {kernel = array<i64: 2, 2>, pad = array<i64: 0, 1, 0, 1>, stride = array<i64: 2, 2>} : {{.*}} -> tensor<1x3x3x5xf32>
// CHECK:       %[[AP:.*]] = tosa.avg_pool2d %[[MPC]], %[[ZP]], %[[ZP]] {acc_type = f32, kernel = array<i64: 3, 3>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>}
// count_include_pad: rescale by valid / kernel elements per position.
// CHECK:       %[[API:.*]] = tosa.avg_pool2d %[[AP]], %[[ZP]], %[[ZP]] {acc_type = f32, kernel = array<i64: 3, 3>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>}
// CHECK-NEXT:  %[[INC:.*]] = tosa.mul %[[API]], %[[COUNT]]
// CHECK-NEXT:  %[[GAP:.*]] = tosa.avg_pool2d %[[INC]], %[[ZP]], %[[ZP]] {acc_type = f32, kernel = array<i64: 3, 3>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : {{.*}} -> tensor<1x1x1x5xf32>
// CHECK-NOT:   tosa.transpose
// CHECK:       %[[FLAT:.*]] = tosa.reshape %[[GAP]], %{{.*}} : (tensor<1x1x1x5xf32>, !tosa.shape<2>) -> tensor<1x5xf32>
// CHECK-NEXT:  return %[[FLAT]]
