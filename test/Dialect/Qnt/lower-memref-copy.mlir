// RUN: quant-opt %s --qnt-lower-memref-copy | FileCheck %s

// A copy into a strided subview (how bufferization writes a padded tensor)
// becomes linalg.copy; a contiguous one stays (it becomes memcpy).
// CHECK-LABEL: func.func @copies
// CHECK-SAME: (%[[A:.*]]: memref<4x4xi8>, %[[B:.*]]: memref<6x6xi8>, %[[C:.*]]: memref<4x4xi8>)
// CHECK: %[[S:.*]] = memref.subview %[[B]][1, 1] [4, 4] [1, 1]
// CHECK: linalg.copy ins(%[[A]] : memref<4x4xi8>) outs(%[[S]] : memref<4x4xi8, strided<[6, 1], offset: 7>>)
// CHECK: memref.copy %[[A]], %[[C]] : memref<4x4xi8> to memref<4x4xi8>
func.func @copies(%a: memref<4x4xi8>, %b: memref<6x6xi8>, %c: memref<4x4xi8>) {
  %s = memref.subview %b[1, 1] [4, 4] [1, 1] : memref<6x6xi8> to memref<4x4xi8, strided<[6, 1], offset: 7>>
  memref.copy %a, %s : memref<4x4xi8> to memref<4x4xi8, strided<[6, 1], offset: 7>>
  memref.copy %a, %c : memref<4x4xi8> to memref<4x4xi8>
  return
}
