// RUN: quant-opt %s --qnt-profile-kernels | FileCheck %s

// Every top-level loop nest and copy is bracketed by enter/exit calls with
// its id; the module records the ids' names: ONNX node names (a fused
// location's, without repeats), else file:line:col (the file's base name).
// CHECK: module attributes {qnt.profile_kernels = ["/conv/Conv + /conv/Clip", "/add/Add", "profile-kernels.mlir:{{[0-9]+}}:{{[0-9]+}}"]}
// CHECK-DAG: func.func private @qnt_profile_enter(i64)
// CHECK-DAG: func.func private @qnt_profile_exit(i64)
// CHECK-LABEL: func.func @main
// CHECK: %[[A:.*]] = memref.alloc
// CHECK: %[[ID0:.*]] = arith.constant 0 : i64
// CHECK: call @qnt_profile_enter(%[[ID0]])
// CHECK: scf.for
// CHECK: call @qnt_profile_exit(%[[ID0]])
// CHECK: %[[ID1:.*]] = arith.constant 1 : i64
// CHECK: call @qnt_profile_enter(%[[ID1]])
// CHECK: scf.for
// CHECK: call @qnt_profile_exit(%[[ID1]])
// CHECK: %[[ID2:.*]] = arith.constant 2 : i64
// CHECK: call @qnt_profile_enter(%[[ID2]])
// CHECK-NEXT: memref.copy
// CHECK-NEXT: call @qnt_profile_exit(%[[ID2]])
// CHECK: memref.dealloc %[[A]]
// CHECK-NEXT: return
func.func @main(%x: memref<8xf32>, %y: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %a = memref.alloc() : memref<8xf32>
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %x[%i] : memref<8xf32>
    memref.store %v, %a[%i] : memref<8xf32>
  } loc(fused["/conv/Conv", "/conv/Clip", "/conv/Conv"])
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %a[%i] : memref<8xf32>
    %w = arith.addf %v, %v : f32
    memref.store %w, %a[%i] : memref<8xf32>
  } loc("/add/Add")
  memref.copy %a, %y : memref<8xf32> to memref<8xf32>
  memref.dealloc %a : memref<8xf32>
  return
}
