// RUN: quant-translate --import-onnx %S/Inputs/lowering.onnx -o %t.mlir
// RUN: quant-opt --verify-each %t.mlir --tosa-to-linalg-pipeline | FileCheck %s
// RUN: quant-translate --import-onnx - --mlir-print-debuginfo < %S/Inputs/lowering.onnx | FileCheck %s --check-prefix=STDIN

// A small CNN without BatchNorm (conv, relu6, depthwise, residual add,
// leaky relu, pools, pad, mean, flatten, gemm, softmax) imports and lowers
// through --tosa-to-linalg-pipeline, the path of --qnt-lower-to-llvm.

// CHECK-LABEL: func.func @main(
// CHECK-SAME:      tensor<1x3x16x16xf32> {onnx.name = "x"}
// CHECK-SAME:      -> (tensor<1x10xf32> {onnx.name = "y"})
// CHECK-NOT:   tosa.conv2d
// CHECK:       linalg.conv_2d_nhwc_fhwc
// CHECK:       linalg.depthwise_conv_2d_nhwc_hwcm
// CHECK:       linalg.pooling_nhwc_max
// CHECK:       linalg.batch_matmul
// CHECK:       return

// STDIN: func.func @main(%arg0: tensor<1x3x16x16xf32> {onnx.name = "x"} loc("x")) -> (tensor<1x10xf32> {onnx.name = "y"})
// STDIN: tosa.conv2d {{.*}} loc(#[[CONV1:.*]])
// STDIN: #[[CONV1]] = loc("conv1")
