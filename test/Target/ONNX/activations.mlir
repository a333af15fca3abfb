// RUN: quant-translate --import-onnx %S/Inputs/activations.onnx | FileCheck %s
// RUN: quant-translate --import-onnx %S/Inputs/clip_opset7.onnx | FileCheck %s --check-prefix=CLIP7
// RUN: quant-translate --import-onnx %S/Inputs/activations.onnx | quant-opt --verify-each --tosa-to-linalg-pipeline -o /dev/null

// Activations keep the NHWC layout of the conv: no transposes in between.

// CHECK-LABEL: func.func @main(
// CHECK-DAG:   %[[ZERO:.*]] = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1x1x1x1xf32>}>
// CHECK-DAG:   %[[ALPHA:.*]] = "tosa.const"() <{values = dense<1.000000e-01> : tensor<1x1x1x1xf32>}>
// CHECK-DAG:   %[[SHIFT:.*]] = "tosa.const"() <{values = dense<0> : tensor<1xi8>}>
// CHECK:       tosa.transpose
// CHECK:       %[[CONV:.*]] = tosa.conv2d
// Relu: [0, +inf].
// CHECK-NEXT:  %[[RELU:.*]] = tosa.clamp %[[CONV]] {max_val = 0x7F800000 : f32, min_val = 0.000000e+00 : f32} : (tensor<1x3x3x2xf32>) -> tensor<1x3x3x2xf32>
// Clip with constant min/max inputs (opset 11+).
// CHECK-NEXT:  %[[RELU6:.*]] = tosa.clamp %[[RELU]] {max_val = 6.000000e+00 : f32, min_val = 0.000000e+00 : f32}
// A missing min is -inf.
// CHECK-NEXT:  %[[CLIP:.*]] = tosa.clamp %[[RELU6]] {max_val = 4.000000e+00 : f32, min_val = 0xFF800000 : f32}
// LeakyRelu: x >= 0 ? x : alpha * x.
// CHECK-NEXT:  %[[GE:.*]] = tosa.greater_equal %[[CLIP]], %[[ZERO]] : {{.*}} -> tensor<1x3x3x2xi1>
// CHECK-NEXT:  %[[SCALED:.*]] = tosa.mul %[[CLIP]], %[[ALPHA]], %[[SHIFT]]
// CHECK-NEXT:  %[[LEAKY:.*]] = tosa.select %[[GE]], %[[CLIP]], %[[SCALED]]
// CHECK-NEXT:  %[[SIG:.*]] = tosa.sigmoid %[[LEAKY]]
// CHECK-NEXT:  %[[TANH:.*]] = tosa.tanh %[[SIG]]
// CHECK-NEXT:  %[[OUT:.*]] = tosa.transpose %[[TANH]] {perms = array<i32: 0, 3, 1, 2>}
// CHECK-NEXT:  return %[[OUT]]

// Before opset 11, Clip's bounds are attributes.
// CLIP7: module attributes {onnx.opset_version = 7 : i64
// CLIP7: tosa.clamp %arg0 {max_val = 1.000000e+00 : f32, min_val = -1.000000e+00 : f32} : (tensor<2x3xf32>) -> tensor<2x3xf32>
