// RUN: quant-opt %s --split-input-file --allow-unregistered-dialect --qnt-stack-buffers="max-bytes=1024 max-alloc-bytes=512" | FileCheck %s
// RUN: %expect_exit 1 -- quant-opt %s --allow-unregistered-dialect --qnt-stack-buffers=max-bytes=-5 2>&1 | FileCheck %s --check-prefix=BADOPT
// BADOPT: for the --max-bytes option: '-5' value invalid for ulong argument

// Top-level static buffers move to the stack in order while each is at
// most 512 bytes and all at most 1024: 256 + 512 bytes, not the 1024-byte
// one (too large alone), then 256 more (1024 in all), not the last (the
// budget is spent).
// CHECK-LABEL: func.func @budget
// CHECK: memref.alloca() {alignment = 64 : i64} : memref<64xf32>
// CHECK: memref.alloca() : memref<2x256xi8>
// CHECK: memref.alloc() : memref<256xf32>
// CHECK: memref.alloca() : memref<64xi32>
// CHECK: memref.alloc() : memref<4xi8>
func.func @budget(%out: memref<4xi8>) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
  %b = memref.alloc() : memref<2x256xi8>
  %c = memref.alloc() : memref<256xf32>
  %d = memref.alloc() : memref<64xi32>
  %e = memref.alloc() : memref<4xi8>
  "test.use"(%a, %b, %c, %d, %e) : (memref<64xf32>, memref<2x256xi8>, memref<256xf32>, memref<64xi32>, memref<4xi8>) -> ()
  return
}

// -----

// Not moved: a buffer allocated in a loop (an alloca there would grow the
// stack on every iteration), a dynamic shape, a buffer whose view is
// returned.
// CHECK-LABEL: func.func @kept
// CHECK: scf.for
// CHECK: memref.alloc() : memref<8xf32>
// CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: %[[R:.*]] = memref.alloc() : memref<2x4xf32>
// CHECK: %[[V:.*]] = memref.collapse_shape %[[R]]
// CHECK: return %[[V]]
// CHECK-NOT: memref.alloca
func.func @kept(%n: index) -> memref<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    %t = memref.alloc() : memref<8xf32>
    "test.use"(%t) : (memref<8xf32>) -> ()
  }
  %d = memref.alloc(%n) : memref<?xf32>
  "test.use"(%d) : (memref<?xf32>) -> ()
  %r = memref.alloc() : memref<2x4xf32>
  %v = memref.collapse_shape %r [[0, 1]] : memref<2x4xf32> into memref<8xf32>
  return %v : memref<8xf32>
}
