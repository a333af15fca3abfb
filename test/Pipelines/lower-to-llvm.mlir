// RUN: quant-opt %s --qnt-lower-to-llvm | FileCheck %s
// RUN: quant-opt %s --qnt-lower-to-llvm=stack-bytes=0 | FileCheck %s --check-prefix=HEAP
// RUN: %expect_exit 1 -- quant-opt %s --qnt-lower-to-llvm=stack-bytes=abc 2>&1 | FileCheck %s --check-prefix=BADOPT
// BADOPT: for the --stack-bytes option: 'abc' value invalid for ulong argument

// The whole float graph reaches the LLVM dialect; the entry takes bare
// pointers (inputs, then outputs) and remembers its tensor signature. Its
// one intermediate buffer (the ReLU6's 128 bytes) is on the stack; with
// stack-bytes=0 it is allocated and freed.
// CHECK-NOT: tosa.
// CHECK-NOT: qnt.
// CHECK-NOT: linalg.
// CHECK: llvm.func @main(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-SAME: qnt.signature = (tensor<1x4x4x3xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x32xf32>)
// CHECK: llvm.alloca
// CHECK-NOT: llvm.call @malloc
// CHECK-NOT: llvm.call @free
// HEAP: llvm.func @main
// HEAP-DAG: llvm.call @malloc
// HEAP-DAG: llvm.call @free
func.func @main(%x: tensor<1x4x4x3xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x32xf32>) {
  %w = "tosa.const"() {values = dense<0.5> : tensor<2x1x1x3xf32>} : () -> tensor<2x1x1x3xf32>
  %b = "tosa.const"() {values = dense<[0.1, -0.2]> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x3xf32>, tensor<2x1x1x3xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %r = tosa.clamp %y {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  %p = tosa.max_pool2d %r {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32>
  %s = tosa.const_shape {values = dense<[1, 32]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %f = tosa.reshape %r, %s : (tensor<1x4x4x2xf32>, !tosa.shape<2>) -> tensor<1x32xf32>
  %e = tosa.exp %f : (tensor<1x32xf32>) -> tensor<1x32xf32>
  return %p, %e : tensor<1x2x2x2xf32>, tensor<1x32xf32>
}
