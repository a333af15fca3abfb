// RUN: quant-opt %s --split-input-file --qnt-flip-int8-activations | FileCheck %s

// A requantize read by an int8 convolution and by another generic yields
// its value xor 0x80; each user gets its own flip back.
// CHECK-LABEL: func.func @flipped
// CHECK: %[[U:.*]] = linalg.generic
// CHECK:   %[[T:.*]] = arith.trunci
// CHECK:   %[[F:.*]] = arith.xori %[[T]], %{{.*}} : i8
// CHECK:   linalg.yield %[[F]]
// CHECK: %[[B1:.*]] = linalg.generic {{.*}} ins(%[[U]] : tensor<1x2x2x4xi8>)
// CHECK:   arith.xori %{{.*}}, %{{.*}} : i8
// CHECK: %[[B2:.*]] = linalg.generic {{.*}} ins(%[[U]] : tensor<1x2x2x4xi8>)
// CHECK:   arith.xori %{{.*}}, %{{.*}} : i8
// CHECK-DAG: linalg.conv_2d_nhwc_fhwc_q {{.*}} ins(%[[B1]]
// CHECK-DAG: linalg.generic {{.*}} ins(%[[B2]]
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @flipped(%acc: tensor<1x2x2x4xi32>) -> (tensor<1x2x2x8xi32>, tensor<1x2x2x4xi32>) {
  %e = tensor.empty() : tensor<1x2x2x4xi8>
  %q = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%acc : tensor<1x2x2x4xi32>) outs(%e : tensor<1x2x2x4xi8>) {
  ^bb0(%in: i32, %out: i8):
    %t = arith.trunci %in : i32 to i8
    linalg.yield %t : i8
  } -> tensor<1x2x2x4xi8>
  %w = arith.constant dense<1> : tensor<8x1x1x4xi8>
  %z = arith.constant 0 : i32
  %i = tensor.empty() : tensor<1x2x2x8xi32>
  %y = linalg.conv_2d_nhwc_fhwc_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%q, %w, %z, %z : tensor<1x2x2x4xi8>, tensor<8x1x1x4xi8>, i32, i32) outs(%i : tensor<1x2x2x8xi32>) -> tensor<1x2x2x8xi32>
  %e2 = tensor.empty() : tensor<1x2x2x4xi32>
  %s = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%q : tensor<1x2x2x4xi8>) outs(%e2 : tensor<1x2x2x4xi32>) {
  ^bb0(%in: i8, %out: i32):
    %x = arith.extsi %in : i8 to i32
    linalg.yield %x : i32
  } -> tensor<1x2x2x4xi32>
  return %y, %s : tensor<1x2x2x8xi32>, tensor<1x2x2x4xi32>
}

// -----

// Without an int8 kernel among its users a generic stays as it is.
// CHECK-LABEL: func.func @unflipped
// CHECK-NOT: arith.xori
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @unflipped(%acc: tensor<1x2x2x4xi32>) -> tensor<1x2x2x4xi8> {
  %e = tensor.empty() : tensor<1x2x2x4xi8>
  %q = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%acc : tensor<1x2x2x4xi32>) outs(%e : tensor<1x2x2x4xi8>) {
  ^bb0(%in: i32, %out: i8):
    %t = arith.trunci %in : i32 to i8
    linalg.yield %t : i8
  } -> tensor<1x2x2x4xi8>
  return %q : tensor<1x2x2x4xi8>
}
