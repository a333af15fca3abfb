// RUN: quant-opt %s --qnt-scalarize-single-lane-stores --split-input-file | FileCheck %s

// Lane 0 of a one-lane mask: the element stored at the base address.
// CHECK-LABEL: llvm.func @lane0
// CHECK-SAME: (%[[V:.*]]: vector<16xi8>, %[[P:.*]]: !llvm.ptr)
// CHECK: %[[I:.*]] = llvm.mlir.constant(0 : i64) : i64
// CHECK: %[[E:.*]] = llvm.extractelement %[[V]][%[[I]] : i64] : vector<16xi8>
// CHECK-NOT: llvm.getelementptr
// CHECK: llvm.store %[[E]], %[[P]] {alignment = 1 : i64} : i8, !llvm.ptr
// CHECK-NOT: masked.store
llvm.func @lane0(%v: vector<16xi8>, %p: !llvm.ptr) {
  %m = llvm.mlir.constant(dense<[true, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false]> : vector<16xi1>) : vector<16xi1>
  llvm.intr.masked.store %v, %p, %m {alignment = 1 : i32} : vector<16xi8>, vector<16xi1> into !llvm.ptr
  llvm.return
}

// -----

// Lane 3 of i32 lanes at a 64-byte aligned base: offset 12, aligned to 4.
// CHECK-LABEL: llvm.func @lane3
// CHECK-SAME: (%[[V:.*]]: vector<8xi32>, %[[P:.*]]: !llvm.ptr)
// CHECK: %[[I:.*]] = llvm.mlir.constant(3 : i64) : i64
// CHECK: %[[E:.*]] = llvm.extractelement %[[V]][%[[I]] : i64] : vector<8xi32>
// CHECK: %[[A:.*]] = llvm.getelementptr %[[P]][3] : (!llvm.ptr) -> !llvm.ptr, i32
// CHECK: llvm.store %[[E]], %[[A]] {alignment = 4 : i64} : i32, !llvm.ptr
llvm.func @lane3(%v: vector<8xi32>, %p: !llvm.ptr) {
  %m = llvm.mlir.constant(dense<[false, false, false, true, false, false, false, false]> : vector<8xi1>) : vector<8xi1>
  llvm.intr.masked.store %v, %p, %m {alignment = 64 : i32} : vector<8xi32>, vector<8xi1> into !llvm.ptr
  llvm.return
}

// -----

// Two lanes, or a mask known only at run time: left alone (the backend
// selects those right).
// CHECK-LABEL: llvm.func @kept
// CHECK-COUNT-2: llvm.intr.masked.store
// CHECK-NOT: llvm.store
llvm.func @kept(%v: vector<16xi8>, %p: !llvm.ptr, %dyn: vector<16xi1>) {
  %m = llvm.mlir.constant(dense<[true, true, false, false, false, false, false, false, false, false, false, false, false, false, false, false]> : vector<16xi1>) : vector<16xi1>
  llvm.intr.masked.store %v, %p, %m {alignment = 1 : i32} : vector<16xi8>, vector<16xi1> into !llvm.ptr
  llvm.intr.masked.store %v, %p, %dyn {alignment = 1 : i32} : vector<16xi8>, vector<16xi1> into !llvm.ptr
  llvm.return
}

// -----

// i1 lanes are bits in memory, not bytes: left alone.
// CHECK-LABEL: llvm.func @bits
// CHECK: llvm.intr.masked.store
// CHECK-NOT: llvm.store
llvm.func @bits(%v: vector<16xi1>, %p: !llvm.ptr) {
  %m = llvm.mlir.constant(dense<[true, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false]> : vector<16xi1>) : vector<16xi1>
  llvm.intr.masked.store %v, %p, %m {alignment = 1 : i32} : vector<16xi1>, vector<16xi1> into !llvm.ptr
  llvm.return
}
