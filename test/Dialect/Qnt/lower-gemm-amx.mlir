// RUN: quant-opt %s --split-input-file --qnt-lower-gemm=amx=on | FileCheck %s
// RUN: %expect_exit 1 -- quant-opt %s --split-input-file --qnt-lower-gemm=amx=maybe 2>&1 | FileCheck %s --check-prefix=BADOPT
// BADOPT: error: --qnt-lower-gemm: option amx must be auto, on or off, got 'maybe'
// RUN: %expect_exit 1 -- quant-opt %s --split-input-file --qnt-lower-gemm=narrow=maybe 2>&1 | FileCheck %s --check-prefix=BADNARROW
// BADNARROW: error: --qnt-lower-gemm: option narrow must be auto, pack or each, got 'maybe'

// K = 256 (a multiple of 64): AMX tiles. The activations flipped into
// whole tiles, 32 rows (the last 12 zero) by 256 (packRows); N = 20 columns
// padded to 32: one 2 x 2 block of 16 x 16 C tiles (row tiles 16 + 4 valid
// rows), four tdpbusd steps each (u8 lhs, s8 weights packed
// [N/16][K/4][64]), the C tile stored to a scratch buffer, and its valid
// rows finished on vectors with the correction -(z_a + 128) * colsum(w) =
// -(3 + 128) * 256 into [20, 20]: of the second column tile only the first
// 4 lanes are stored (no slice).
// CHECK-LABEL: func.func @matmul_amx
// CHECK-DAG: %[[W:.*]] = arith.constant dense<"0x{{[0-9A-F]+}}"> : tensor<2x64x64xi8>
// CHECK-DAG: %[[CORR:.*]] = arith.constant dense<[-33536, {{.*}}, -33536, 0, {{.*}}, 0]> : tensor<32xi32>
// CHECK-DAG: %[[A:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<32x256xi8> to memref<32x256xi8>
// CHECK-DAG: %[[B:.*]] = bufferization.to_buffer %[[W]] read_only : tensor<2x64x64xi8> to memref<2x64x64xi8>
// CHECK-DAG: %[[S:.*]] = memref.alloca() : memref<16x16xi32>
// CHECK: tensor.empty() : tensor<20x20xi32>
// CHECK-NOT: scf.for
// CHECK: amx.tile_zero : !amx.tile<16x16xi32>
// CHECK-COUNT-4: amx.tile_muli %{{.*}} zext, %{{.*}}, %{{.*}} : !amx.tile<16x64xi8>, !amx.tile<16x64xi8>, !amx.tile<16x16xi32>
// CHECK: amx.tile_store %[[S]]
// CHECK: vector.transfer_read %[[S]]
// CHECK: %[[LAST:.*]] = vector.extract_strided_slice %{{.*}} {offsets = [0], sizes = [4], strides = [1]} : vector<16xi32> to vector<4xi32>
// CHECK: vector.transfer_write %[[LAST]], {{.*}} : vector<4xi32>, tensor<20x20xi32>
// CHECK-NOT: tensor.extract_slice
func.func @matmul_amx(%a: tensor<1x20x256xi8>) -> tensor<1x20x20xi32> {
  %b = arith.constant dense<1> : tensor<1x256x20xi8>
  %za = arith.constant 3 : i32
  %zb = arith.constant 0 : i32
  %z = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x20x20xi32>
  %init = linalg.fill ins(%z : i32) outs(%e : tensor<1x20x20xi32>) -> tensor<1x20x20xi32>
  %c = linalg.quantized_batch_matmul ins(%a, %b, %za, %zb : tensor<1x20x256xi8>, tensor<1x256x20xi8>, i32, i32) outs(%init : tensor<1x20x20xi32>) -> tensor<1x20x20xi32>
  return %c : tensor<1x20x20xi32>
}

// -----

// K = 31: whole 64-byte steps would more than double it: the vpdpbusd
// kernel even with amx (K = 33 would be padded to 64 for AMX tiles).
// CHECK-LABEL: func.func @matmul_small_k
// CHECK-NOT: amx.
// CHECK: qnt.dot_u8s8
func.func @matmul_small_k(%a: tensor<1x20x31xi8>) -> tensor<1x20x20xi32> {
  %b = arith.constant dense<1> : tensor<1x31x20xi8>
  %za = arith.constant 3 : i32
  %zb = arith.constant 0 : i32
  %z = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x20x20xi32>
  %init = linalg.fill ins(%z : i32) outs(%e : tensor<1x20x20xi32>) -> tensor<1x20x20xi32>
  %c = linalg.quantized_batch_matmul ins(%a, %b, %za, %zb : tensor<1x20x31xi8>, tensor<1x31x20xi8>, i32, i32) outs(%init : tensor<1x20x20xi32>) -> tensor<1x20x20xi32>
  return %c : tensor<1x20x20xi32>
}

// -----

// A padded 3x3 convolution with 64 channels read in place on AMX tiles:
// the flipped, padded input is one flat tensor (22 * 22 * 64 bytes and 768
// of slack: the 12 pixels a last tile reads past a row); an A tile is 16
// pixels of an output row, a reinterpret_cast at the tile's offset with the
// pixels' stride (64 bytes) and 64 bytes of one kernel row's run; the 20-pixel
// rows are a full tile and a 4-pixel one, taken together with both column
// tiles (a 2 x 2 block: 2 A and 2 B loads, 4 tdpbusd per K step, 9 steps);
// the four C tiles are stored, each to its own scratch buffer, then each
// tile's rows are finished in a loop, four rows per iteration, the partial
// tile's over its 4 valid rows only.
// CHECK-LABEL: func.func @conv_amx_in_place
// CHECK: %[[A:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<31744xi8> to memref<31744xi8>
// CHECK: %[[S0:.*]] = memref.alloca() : memref<16x16xi32>
// CHECK: %[[S1:.*]] = memref.alloca() : memref<16x16xi32>
// CHECK: %[[S2:.*]] = memref.alloca() : memref<16x16xi32>
// CHECK: %[[S3:.*]] = memref.alloca() : memref<16x16xi32>
// CHECK: scf.for {{.*}} -> (tensor<400x32xi32>)
// CHECK-COUNT-4: amx.tile_zero
// CHECK: %[[V:.*]] = memref.reinterpret_cast %[[A]] to offset: [%{{.*}}], sizes: [16, 64], strides: [64, 1] : memref<31744xi8> to memref<16x64xi8, strided<[64, 1], offset: ?>>
// CHECK: amx.tile_load %[[V]][%{{.*}}, %{{.*}}] : memref<16x64xi8, strided<[64, 1], offset: ?>>
// CHECK-COUNT-4: amx.tile_muli
// CHECK-COUNT-32: amx.tile_muli
// CHECK-NOT: amx.tile_muli
// CHECK: amx.tile_store %[[S0]]
// CHECK: amx.tile_store %[[S1]]
// CHECK: amx.tile_store %[[S2]]
// CHECK: amx.tile_store %[[S3]]
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %c16{{(_[0-9]+)?}} step %c4
// CHECK: vector.transfer_read %[[S0]][%[[I]], %{{.*}}]
// CHECK-COUNT-3: vector.transfer_read %[[S0]]
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %c4{{(_[0-9]+)?}} step %c4
// CHECK: vector.transfer_read %[[S2]][%[[J]], %{{.*}}]
// CHECK-COUNT-3: vector.transfer_read %[[S2]]
// CHECK-NOT: vector.transfer_read %[[S2]]
// CHECK: scf.for
// CHECK: vector.transfer_read %[[S1]]
func.func @conv_amx_in_place(%x: tensor<1x20x20x64xi8>) -> tensor<1x20x20x32xi32> {
  %zp = arith.constant 3 : i8
  %p = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zp : i8
  } : tensor<1x20x20x64xi8> to tensor<1x22x22x64xi8>
  %w = arith.constant dense<1> : tensor<32x3x3x64xi8>
  %za = arith.constant 3 : i32
  %zw = arith.constant 0 : i32
  %z = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x20x20x32xi32>
  %init = linalg.fill ins(%z : i32) outs(%e : tensor<1x20x20x32xi32>) -> tensor<1x20x20x32xi32>
  %y = linalg.conv_2d_nhwc_fhwc_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%p, %w, %za, %zw : tensor<1x22x22x64xi8>, tensor<32x3x3x64xi8>, i32, i32) outs(%init : tensor<1x20x20x32xi32>) -> tensor<1x20x20x32xi32>
  return %y : tensor<1x20x20x32xi32>
}
