// RUN: quant-opt %s --split-input-file --verify-diagnostics --qnt-instrument-observers | FileCheck %s

// Activation observers become runtime calls with their index, the batch, the
// sample size and the buffer address; weight observers become their input.
// CHECK-LABEL: module
// CHECK: func.func private @qnt_observe(i64, i64, i64, i64)
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[B0:.*]] = bufferization.to_buffer %[[X]] read_only : tensor<2x3x4xf32> to memref<2x3x4xf32>
// CHECK: %[[P0:.*]] = memref.extract_aligned_pointer_as_index %[[B0]]
// CHECK-DAG: %[[ID0:.*]] = arith.constant 0 : i64
// CHECK-DAG: %[[N:.*]] = arith.constant 2 : i64
// CHECK-DAG: %[[S:.*]] = arith.constant 12 : i64
// CHECK: %[[A0:.*]] = arith.index_cast %[[P0]] : index to i64
// CHECK: call @qnt_observe(%[[ID0]], %[[N]], %[[S]], %[[A0]])
// CHECK: %[[E:.*]] = tosa.exp %[[X]]
// CHECK: %[[C:.*]] = "tosa.const"
// CHECK-NOT: qnt.observe
// CHECK: %[[Y:.*]] = tosa.add %[[E]], %[[C]]
// CHECK: bufferization.to_buffer %[[Y]]
// CHECK: %[[ID1:.*]] = arith.constant 1 : i64
// CHECK: call @qnt_observe(%[[ID1]]
// CHECK: return %[[Y]]
func.func @main(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %o = qnt.observe %x activation #qnt.scheme<u8, affine> "input" : tensor<2x3x4xf32>
  %e = tosa.exp %o : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %c = "tosa.const"() {values = dense<1.0> : tensor<2x3x4xf32>} : () -> tensor<2x3x4xf32>
  %w = qnt.observe %c weight #qnt.scheme<i8, symmetric, narrow> "w" : tensor<2x3x4xf32>
  %y = tosa.add %e, %w : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %p = qnt.observe %y activation #qnt.scheme<u8, affine> "out" : tensor<2x3x4xf32>
  return %p : tensor<2x3x4xf32>
}

// -----

func.func @dynamic(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error@+1 {{'qnt.observe' op cannot be calibrated: expected a statically shaped f32 tensor, got 'tensor<?x4xf32>'}}
  %o = qnt.observe %x activation #qnt.scheme<u8, affine> "input" : tensor<?x4xf32>
  return %o : tensor<?x4xf32>
}

// -----

// expected-error@+1 {{'func.func' op conflicts with the calibration runtime function @qnt_observe}}
func.func private @qnt_observe(f32)
func.func @clash(%x: tensor<4xf32>) -> tensor<4xf32> {
  %o = qnt.observe %x activation #qnt.scheme<u8, affine> "input" : tensor<4xf32>
  return %o : tensor<4xf32>
}
