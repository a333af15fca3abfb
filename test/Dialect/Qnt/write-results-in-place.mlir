// RUN: quant-opt %s --split-input-file --qnt-write-results-in-place | FileCheck %s

// The result is a reshape of an alloc filled in a loop that yields the
// buffer it was given: the alloc becomes a view of the out-param and the
// copy goes.
// CHECK-LABEL: func.func @in_place
// CHECK-SAME: (%[[OUT:.*]]: memref<1x4x8xi32>)
// CHECK: %[[FLAT:.*]] = memref.collapse_shape %[[OUT]] {{\[}}[0, 1, 2]] : memref<1x4x8xi32> into memref<32xi32>
// CHECK: %[[VIEW:.*]] = memref.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [4, 8] : memref<32xi32> into memref<4x8xi32>
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[VIEW]])
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.copy
// CHECK: return
func.func @in_place(%out: memref<1x4x8xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %v = arith.constant dense<7> : vector<8xi32>
  %a = memref.alloc() : memref<4x8xi32>
  %r = scf.for %i = %c0 to %c4 step %c1 iter_args(%b = %a) -> (memref<4x8xi32>) {
    vector.transfer_write %v, %b[%i, %c0] {in_bounds = [true]} : vector<8xi32>, memref<4x8xi32>
    scf.yield %b : memref<4x8xi32>
  }
  %e = memref.expand_shape %r [[0, 1], [2]] output_shape [1, 4, 8] : memref<4x8xi32> into memref<1x4x8xi32>
  memref.copy %e, %out : memref<1x4x8xi32> to memref<1x4x8xi32>
  return
}

// -----

// Left alone: the out-param is also read; the loop yields another buffer;
// the source is an argument, not an alloc.
// CHECK-LABEL: func.func @not_in_place
// CHECK-COUNT-3: memref.copy
func.func @not_in_place(%in: memref<8xi32>, %o1: memref<8xi32>, %o2: memref<8xi32>, %o3: memref<8xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %a = memref.alloc() : memref<8xi32>
  %x = memref.load %o1[%c0] : memref<8xi32>
  memref.store %x, %a[%c0] : memref<8xi32>
  memref.copy %a, %o1 : memref<8xi32> to memref<8xi32>
  %b = memref.alloc() : memref<8xi32>
  %r = scf.for %i = %c0 to %c1 step %c1 iter_args(%t = %b) -> (memref<8xi32>) {
    scf.yield %in : memref<8xi32>
  }
  memref.copy %r, %o2 : memref<8xi32> to memref<8xi32>
  memref.copy %in, %o3 : memref<8xi32> to memref<8xi32>
  return
}
