// RUN: quant-opt %s --split-input-file --qnt-lower-pooling | FileCheck %s

// 2x2 max pooling on i8, stride 2, 32 channels: per pixel two 16-lane
// blocks, four taps each, combined with maxsi onto init.
// CHECK-LABEL: func.func @max_i8
// CHECK: scf.for
// CHECK:   scf.for
// CHECK:     scf.for
// CHECK:       vector.transfer_read {{.*}} : tensor<1x2x2x32xi8>, vector<16xi8>
// CHECK-COUNT-4: arith.maxsi {{.*}} : vector<16xi8>
// CHECK:       vector.transfer_write {{.*}} : vector<16xi8>, tensor<1x2x2x32xi8>
// CHECK-NOT: linalg.pooling_nhwc_max
func.func @max_i8(%x: tensor<1x4x4x32xi8>, %init: tensor<1x2x2x32xi8>) -> tensor<1x2x2x32xi8> {
  %w = tensor.empty() : tensor<2x2xi8>
  %y = linalg.pooling_nhwc_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%x, %w : tensor<1x4x4x32xi8>, tensor<2x2xi8>) outs(%init : tensor<1x2x2x32xi8>) -> tensor<1x2x2x32xi8>
  return %y : tensor<1x2x2x32xi8>
}

// -----

// Sum pooling of i16 into i32 (the integer average pool): the input lanes
// are sign-extended before they are added.
// CHECK-LABEL: func.func @sum_i16
// CHECK-COUNT-9: arith.extsi {{.*}} : vector<16xi16> to vector<16xi32>
func.func @sum_i16(%x: tensor<1x3x3x16xi16>, %init: tensor<1x1x1x16xi32>) -> tensor<1x1x1x16xi32> {
  %w = tensor.empty() : tensor<3x3xi32>
  %y = linalg.pooling_nhwc_sum {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%x, %w : tensor<1x3x3x16xi16>, tensor<3x3xi32>) outs(%init : tensor<1x1x1x16xi32>) -> tensor<1x1x1x16xi32>
  return %y : tensor<1x1x1x16xi32>
}

// -----

// 24 channels: one whole block in the loop, then the last 8 channels as a
// masked block (no in_bounds attribute: reads may run past), its 8 lanes
// written as a vector<8>.
// CHECK-LABEL: func.func @max_c24
// CHECK: scf.for {{.*}} to %c16 step %c16
// CHECK: vector.transfer_read {{.*}} {in_bounds = [true]} : tensor<1x2x2x24xf32>, vector<16xf32>
// CHECK: } 
// CHECK: %[[C16:.*]] = arith.constant 16 : index
// CHECK: vector.transfer_read %{{[a-z0-9_]+}}[%{{.*}}, %{{.*}}, %{{.*}}, %[[C16]]], %{{[a-z0-9_]+}} : tensor<1x2x2x24xf32>, vector<16xf32>
// CHECK-COUNT-4: arith.maximumf {{.*}} : vector<16xf32>
// CHECK: %[[LANES:.*]] = vector.extract_strided_slice %{{.*}} {offsets = [0], sizes = [8], strides = [1]} : vector<16xf32> to vector<8xf32>
// CHECK: vector.transfer_write %[[LANES]], %{{[a-z0-9_]+}}[%{{.*}}, %{{.*}}, %{{.*}}, %[[C16]]] {in_bounds = [true]} : vector<8xf32>, tensor<1x2x2x24xf32>
func.func @max_c24(%x: tensor<1x4x4x24xf32>, %init: tensor<1x2x2x24xf32>) -> tensor<1x2x2x24xf32> {
  %w = tensor.empty() : tensor<2x2xf32>
  %y = linalg.pooling_nhwc_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%x, %w : tensor<1x4x4x24xf32>, tensor<2x2xf32>) outs(%init : tensor<1x2x2x24xf32>) -> tensor<1x2x2x24xf32>
  return %y : tensor<1x2x2x24xf32>
}
