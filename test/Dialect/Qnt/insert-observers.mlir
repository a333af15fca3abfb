// RUN: quant-opt %s --split-input-file --qnt-insert-observers | FileCheck %s
// RUN: quant-opt %s --split-input-file --qnt-insert-observers="activations=symmetric-i8" | FileCheck %s --check-prefix=SYM
// RUN: quant-opt %s --split-input-file --qnt-insert-observers="weights=per-tensor-symmetric" | FileCheck %s --check-prefix=PTS
// RUN: quant-opt %s --split-input-file --qnt-insert-observers="weights=per-channel-affine" | FileCheck %s --check-prefix=PCA
// RUN: quant-opt %s --split-input-file --qnt-insert-observers="weights=per-tensor-affine" | FileCheck %s --check-prefix=PTA
// RUN: quant-opt %s --split-input-file --qnt-insert-observers="bits=4" | FileCheck %s --check-prefix=B4
// RUN: quant-opt %s --split-input-file --qnt-insert-observers="reduce-range" | FileCheck %s --check-prefix=RR
// RUN: quant-opt %s --split-input-file --qnt-insert-observers="activations=symmetric-i8 bits=6 reduce-range" | FileCheck %s --check-prefix=SYMRR
// RUN: quant-opt %s --split-input-file --qnt-insert-observers="skip-names=conv2" | FileCheck %s --check-prefix=SKIPN
// RUN: quant-opt %s --split-input-file --qnt-insert-observers="skip-ops=add,tosa.avg_pool2d" | FileCheck %s --check-prefix=SKIPO
// RUN: quant-opt %s --split-input-file --qnt-insert-observers="keep-first" | FileCheck %s --check-prefix=FIRST
// RUN: quant-opt %s --split-input-file --qnt-insert-observers="keep-last" | FileCheck %s --check-prefix=LAST
// RUN: quant-opt %s --split-input-file --qnt-insert-observers --qnt-insert-observers | FileCheck %s --check-prefix=TWICE

// Conv + ReLU is one unit: the weight observer (OHWI, axis 0) before the
// conv, the activation observer after the fused clamp only, named after the
// ReLU node; the model input is named by its `onnx.name`.
// CHECK-LABEL: func.func @conv_relu
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x4x1xf32> {onnx.name = "input"})
// CHECK-NEXT: %[[XO:.*]] = qnt.observe %[[X]] activation #qnt.scheme<u8, affine> "input" : tensor<1x4x4x1xf32>
// CHECK: %[[W:.*]] = "tosa.const"() {{.*}} : () -> tensor<2x1x1x1xf32>
// CHECK: %[[WO:.*]] = qnt.observe %[[W]] weight #qnt.scheme<i8, symmetric, narrow, axis = 0> "conv1.weight" : tensor<2x1x1x1xf32>
// CHECK-NEXT: %[[Y:.*]] = tosa.conv2d %[[XO]], %[[WO]],
// CHECK-NEXT: %[[R:.*]] = tosa.clamp %[[Y]] {{.*}}qnt.fused = true
// CHECK-NEXT: %[[RO:.*]] = qnt.observe %[[R]] activation #qnt.scheme<u8, affine> "relu1" : tensor<1x4x4x2xf32>
// CHECK-NEXT: return %[[RO]]
// CHECK-NOT: qnt.observe
func.func @conv_relu(%x: tensor<1x4x4x1xf32> {onnx.name = "input"}) -> tensor<1x4x4x2xf32> {
  %w = "tosa.const"() {values = dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<[0.5, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32> loc("conv1")
  %r = tosa.clamp %y {min_val = 0.0 : f32, max_val = 0x7F800000 : f32, qnt.fused = true} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> loc("relu1")
  return %r : tensor<1x4x4x2xf32>
}

// -----

// The importer's Gemm: reshape -> matmul -> reshape -> add(const) -> ReLU is
// one unit. B is [batch, K, N]: per-channel axis 2. The leading reshape is
// same-scale: the input is observed before it, nothing after it.
// CHECK-LABEL: func.func @gemm
// CHECK-SAME: (%[[X:.*]]: tensor<1x3xf32>)
// CHECK-NEXT: %[[XO:.*]] = qnt.observe %[[X]] activation #qnt.scheme<u8, affine> "arg0"
// CHECK-NOT: qnt.observe {{.*}} activation
// CHECK: %[[BO:.*]] = qnt.observe %{{.*}} weight #qnt.scheme<i8, symmetric, narrow, axis = 2> "fc.weight" : tensor<1x3x2xf32>
// CHECK-NEXT: tosa.matmul %{{.*}}, %[[BO]],
// CHECK-NOT: qnt.observe
// CHECK: %[[R:.*]] = tosa.clamp
// CHECK-NEXT: %[[RO:.*]] = qnt.observe %[[R]] activation #qnt.scheme<u8, affine> "fc.relu" : tensor<1x2xf32>
// CHECK-NEXT: return %[[RO]]
func.func @gemm(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %bm = "tosa.const"() {values = dense<[[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]]> : tensor<1x3x2xf32>} : () -> tensor<1x3x2xf32>
  %c = "tosa.const"() {values = dense<[[0.5, -0.5]]> : tensor<1x2xf32>} : () -> tensor<1x2xf32>
  %s3 = tosa.const_shape {values = dense<[1, 1, 3]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %a = tosa.reshape %x, %s3 : (tensor<1x3xf32>, !tosa.shape<3>) -> tensor<1x1x3xf32> loc("fc")
  %mm = tosa.matmul %a, %bm, %zp, %zp : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32> loc("fc")
  %s2 = tosa.const_shape {values = dense<[1, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %r2 = tosa.reshape %mm, %s2 : (tensor<1x1x2xf32>, !tosa.shape<2>) -> tensor<1x2xf32> loc("fc")
  %add = tosa.add %r2, %c : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32> loc("fc")
  %r = tosa.clamp %add {min_val = 0.0 : f32, max_val = 0x7F800000 : f32, qnt.fused = true} : (tensor<1x2xf32>) -> tensor<1x2xf32> loc("fc.relu")
  return %r : tensor<1x2xf32>
}

// -----

// Depthwise weights are [KH, KW, C, M]: per channel along C (axis 2) when
// M == 1, along M (axis 3) when C == 1, per tensor otherwise (the output
// channel c * M + m spans two dimensions).
// CHECK-LABEL: func.func @depthwise
// CHECK: qnt.observe %{{.*}} weight #qnt.scheme<i8, symmetric, narrow, axis = 2> "dw_m1.weight" : tensor<1x1x2x1xf32>
// CHECK: qnt.observe %{{.*}} weight #qnt.scheme<i8, symmetric, narrow, axis = 3> "dw_c1.weight" : tensor<1x1x1x2xf32>
// CHECK: qnt.observe %{{.*}} weight #qnt.scheme<i8, symmetric, narrow> "dw_mixed.weight" : tensor<1x1x2x2xf32>
// PTS-LABEL: func.func @depthwise
// PTS: qnt.observe %{{.*}} weight #qnt.scheme<i8, symmetric, narrow> "dw_m1.weight"
// PTS: qnt.observe %{{.*}} weight #qnt.scheme<i8, symmetric, narrow> "dw_c1.weight"
// PTS: qnt.observe %{{.*}} weight #qnt.scheme<i8, symmetric, narrow> "dw_mixed.weight"
func.func @depthwise(%x: tensor<1x4x4x2xf32>, %x1: tensor<1x4x4x1xf32>) -> (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>, tensor<1x4x4x4xf32>) {
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %w1 = "tosa.const"() {values = dense<[[[[1.0], [2.0]]]]> : tensor<1x1x2x1xf32>} : () -> tensor<1x1x2x1xf32>
  %w2 = "tosa.const"() {values = dense<[[[[1.0, 2.0]]]]> : tensor<1x1x1x2xf32>} : () -> tensor<1x1x1x2xf32>
  %w4 = "tosa.const"() {values = dense<1.0> : tensor<1x1x2x2xf32>} : () -> tensor<1x1x2x2xf32>
  %b2 = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %b4 = "tosa.const"() {values = dense<0.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %y1 = tosa.depthwise_conv2d %x, %w1, %b2, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<1x1x2x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32> loc("dw_m1")
  %y2 = tosa.depthwise_conv2d %x1, %w2, %b2, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x1xf32>, tensor<1x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32> loc("dw_c1")
  %y3 = tosa.depthwise_conv2d %x, %w4, %b4, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<1x1x2x2xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x4xf32> loc("dw_mixed")
  return %y1, %y2, %y3 : tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>, tensor<1x4x4x4xf32>
}

// -----

// Transpose conv weights are OHWI too: axis 0.
// CHECK-LABEL: func.func @transpose_conv
// CHECK: %[[WO:.*]] = qnt.observe %{{.*}} weight #qnt.scheme<i8, symmetric, narrow, axis = 0> "up.weight" : tensor<2x1x1x1xf32>
// CHECK-NEXT: %[[Y:.*]] = tosa.transpose_conv2d %{{.*}}, %[[WO]],
// CHECK-NEXT: qnt.observe %[[Y]] activation #qnt.scheme<u8, affine> "up"
func.func @transpose_conv(%x: tensor<1x4x4x1xf32>) -> tensor<1x4x4x2xf32> {
  %w = "tosa.const"() {values = dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>} : () -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.transpose_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, out_pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32> loc("up")
  return %y : tensor<1x4x4x2xf32>
}

// -----

// A residual add of two activations is its own unit (with its fused ReLU);
// both conv outputs and the add's output are observed, nothing between the
// add and its clamp.
// CHECK-LABEL: func.func @residual_add
// CHECK: %[[Y1:.*]] = tosa.conv2d
// CHECK-NEXT: %[[Y1O:.*]] = qnt.observe %[[Y1]] activation #qnt.scheme<u8, affine> "conv1"
// CHECK: %[[Y2:.*]] = tosa.conv2d %[[Y1O]]
// CHECK-NEXT: %[[Y2O:.*]] = qnt.observe %[[Y2]] activation #qnt.scheme<u8, affine> "conv2"
// CHECK-NEXT: %[[S:.*]] = tosa.add %[[Y2O]], %[[Y1O]]
// CHECK-NEXT: %[[R:.*]] = tosa.clamp %[[S]]
// CHECK-NEXT: %[[RO:.*]] = qnt.observe %[[R]] activation #qnt.scheme<u8, affine> "relu"
// CHECK-NEXT: return %[[RO]]
// SKIPO-LABEL: func.func @residual_add
// SKIPO: qnt.observe {{.*}} "conv1"
// SKIPO: qnt.observe {{.*}} "conv2"
// SKIPO: tosa.add {{.*}} {qnt.keep_float = true}
// SKIPO-NOT: qnt.observe {{.*}} activation
// SKIPO: return
// Observing twice changes nothing.
// TWICE-LABEL: func.func @residual_add
// TWICE-COUNT-6: qnt.observe
// TWICE-NOT: qnt.observe
// TWICE: return
func.func @residual_add(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> {
  %w = "tosa.const"() {values = dense<1.0> : tensor<2x1x1x2xf32>} : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y1 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32> loc("conv1")
  %y2 = tosa.conv2d %y1, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32> loc("conv2")
  %s = tosa.add %y2, %y1 : (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> loc("add")
  %r = tosa.clamp %s {min_val = 0.0 : f32, max_val = 0x7F800000 : f32, qnt.fused = true} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> loc("relu")
  return %r : tensor<1x4x4x2xf32>
}

// -----

// Concat: its inputs and its output are observed. %x is observed once as the
// model input; the max_pool2d result keeps the scale of the conv output it
// pools, which is already observed, so it gets no second observer.
// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x2x2xf32>, %[[Z:.*]]: tensor<1x4x4x2xf32>)
// CHECK-NEXT: %[[XO:.*]] = qnt.observe %[[X]] activation {{.*}} "arg0"
// CHECK-NEXT: %[[ZO:.*]] = qnt.observe %[[Z]] activation {{.*}} "arg1"
// CHECK: %[[Y:.*]] = tosa.conv2d %[[ZO]]
// CHECK-NEXT: %[[YO:.*]] = qnt.observe %[[Y]] activation {{.*}} "conv"
// CHECK-NEXT: %[[P:.*]] = tosa.max_pool2d %[[YO]]
// CHECK-NEXT: %[[C:.*]] = tosa.concat %[[XO]], %[[P]], %[[XO]] {axis = 3 : i32}
// CHECK-NEXT: %[[CO:.*]] = qnt.observe %[[C]] activation {{.*}} "cat"
// CHECK-NEXT: return %[[CO]]
// SKIPN-LABEL: func.func @concat
// SKIPN-COUNT-4: qnt.observe {{.*}} activation
// SKIPN-NOT: qnt.observe {{.*}} activation
// SKIPN: return
func.func @concat(%x: tensor<1x2x2x2xf32>, %z: tensor<1x4x4x2xf32>) -> tensor<1x2x2x6xf32> {
  %w = "tosa.const"() {values = dense<1.0> : tensor<2x1x1x2xf32>} : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %z, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32> loc("conv")
  %p = tosa.max_pool2d %y {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32> loc("pool")
  %c = tosa.concat %x, %p, %x {axis = 3 : i32} : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x6xf32> loc("cat")
  return %c : tensor<1x2x2x6xf32>
}

// -----

// max_pool2d keeps its input's scale (no observer); avg_pool2d gets one.
// CHECK-LABEL: func.func @pools
// CHECK: %[[Y:.*]] = tosa.conv2d
// CHECK-NEXT: %[[YO:.*]] = qnt.observe %[[Y]] activation {{.*}} "conv"
// CHECK-NEXT: %[[M:.*]] = tosa.max_pool2d %[[YO]]
// CHECK-NEXT: %[[A:.*]] = tosa.avg_pool2d %[[YO]]
// CHECK-NEXT: %[[AO:.*]] = qnt.observe %[[A]] activation {{.*}} "gap"
// CHECK-NEXT: return %[[M]], %[[AO]]
// SKIPO-LABEL: func.func @pools
// SKIPO: qnt.observe {{.*}} "conv"
// SKIPO: tosa.avg_pool2d {{.*}}qnt.keep_float = true
// SKIPO-NEXT: return
func.func @pools(%x: tensor<1x4x4x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x1x1x2xf32>) {
  %w = "tosa.const"() {values = dense<1.0> : tensor<2x1x1x2xf32>} : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32> loc("conv")
  %m = tosa.max_pool2d %y {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32> loc("pool")
  %a = tosa.avg_pool2d %y, %zp, %zp {acc_type = f32, kernel = array<i64: 4, 4>, stride = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>} : (tensor<1x4x4x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x2xf32> loc("gap")
  return %m, %a : tensor<1x2x2x2xf32>, tensor<1x1x1x2xf32>
}

// -----

// Ops without an integer lowering get an observer on their output; same-scale
// ops (transpose, unfused clamp) get none; constants never.
// CHECK-LABEL: func.func @float_ops
// CHECK-NEXT: %[[XO:.*]] = qnt.observe %{{.*}} activation {{.*}} "arg0"
// CHECK: %[[S:.*]] = tosa.sigmoid %[[XO]]
// CHECK-NEXT: %[[SO:.*]] = qnt.observe %[[S]] activation {{.*}} "sig"
// CHECK-NEXT: %[[T:.*]] = tosa.transpose %[[SO]]
// CHECK-NEXT: %[[C:.*]] = tosa.clamp %[[T]]
// CHECK-NEXT: %[[E:.*]] = tosa.exp %[[C]]
// CHECK-NEXT: %[[EO:.*]] = qnt.observe %[[E]] activation {{.*}} "exp"
// CHECK-NEXT: %[[R:.*]] = tosa.reduce_sum %[[EO]]
// CHECK-NEXT: %[[RO:.*]] = qnt.observe %[[R]] activation {{.*}} "sum"
// CHECK-NEXT: %[[M:.*]] = tosa.mul %[[EO]], %[[RO]]
// CHECK-NEXT: %[[MO:.*]] = qnt.observe %[[M]] activation {{.*}} "mul"
// CHECK-NEXT: %[[A:.*]] = tosa.add %[[MO]], %{{.*}} :
// CHECK-NEXT: %[[AO:.*]] = qnt.observe %[[A]] activation {{.*}} "bias_without_linear"
// CHECK-NEXT: return %[[AO]]
func.func @float_ops(%x: tensor<1x2x3x4xf32>) -> tensor<1x3x2x4xf32> {
  %c = "tosa.const"() {values = dense<1.0> : tensor<1x1x1x4xf32>} : () -> tensor<1x1x1x4xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %s = tosa.sigmoid %x : (tensor<1x2x3x4xf32>) -> tensor<1x2x3x4xf32> loc("sig")
  %t = tosa.transpose %s {perms = array<i32: 0, 2, 1, 3>} : (tensor<1x2x3x4xf32>) -> tensor<1x3x2x4xf32> loc("t")
  %cl = tosa.clamp %t {min_val = -1.0 : f32, max_val = 1.0 : f32} : (tensor<1x3x2x4xf32>) -> tensor<1x3x2x4xf32> loc("clip")
  %e = tosa.exp %cl : (tensor<1x3x2x4xf32>) -> tensor<1x3x2x4xf32> loc("exp")
  %r = tosa.reduce_sum %e {axis = 3 : i32} : (tensor<1x3x2x4xf32>) -> tensor<1x3x2x1xf32> loc("sum")
  %m = tosa.mul %e, %r, %shift : (tensor<1x3x2x4xf32>, tensor<1x3x2x1xf32>, tensor<1xi8>) -> tensor<1x3x2x4xf32> loc("mul")
  %a = tosa.add %m, %c : (tensor<1x3x2x4xf32>, tensor<1x1x1x4xf32>) -> tensor<1x3x2x4xf32> loc("bias_without_linear")
  return %a : tensor<1x3x2x4xf32>
}

// -----

// Names: without a NameLoc, "<kind>_<index>" (index among the function's ops
// of that kind); equal names made unique with "#2", "#3"; a node name inside
// a FusedLoc or a CallSiteLoc is found.
// CHECK-LABEL: func.func @names
// CHECK: qnt.observe %{{.*}} weight {{.*}} "conv2d_0.weight"
// CHECK: qnt.observe %{{.*}} activation {{.*}} "conv2d_0"
// CHECK: qnt.observe %{{.*}} weight {{.*}} "conv2d_1.weight"
// CHECK: qnt.observe %{{.*}} activation {{.*}} "conv2d_1"
// CHECK: qnt.observe %{{.*}} weight {{.*}} "same.weight"
// CHECK: qnt.observe %{{.*}} activation {{.*}} "same"
// CHECK: qnt.observe %{{.*}} weight {{.*}} "same.weight#2"
// CHECK: qnt.observe %{{.*}} activation {{.*}} "same#2"
// CHECK: qnt.observe %{{.*}} activation {{.*}} "same#3"
// CHECK: qnt.observe %{{.*}} activation {{.*}} "in_callee"
func.func @names(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> {
  %w = "tosa.const"() {values = dense<1.0> : tensor<2x1x1x2xf32>} : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y1 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %y2 = tosa.conv2d %y1, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  %y3 = tosa.conv2d %y2, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32> loc("same")
  %y4 = tosa.conv2d %y3, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32> loc(fused["file.mlir":1:1, "same"])
  %s = tosa.sigmoid %y4 : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> loc("same")
  %t = tosa.tanh %s : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> loc(callsite("in_callee" at "caller"))
  return %t : tensor<1x4x4x2xf32>
}

// -----

// Schemes selected by the options (bits, reduce-range, activation and weight
// schemes), on one conv and one matmul.
// CHECK-LABEL: func.func @schemes
// SYM-LABEL: func.func @schemes
// SYM: qnt.observe {{.*}} activation #qnt.scheme<i8, symmetric> "arg0"
// SYM: qnt.observe {{.*}} weight #qnt.scheme<i8, symmetric, narrow, axis = 0> "conv.weight"
// SYM: qnt.observe {{.*}} activation #qnt.scheme<i8, symmetric> "conv"
// PTS-LABEL: func.func @schemes
// PTS: qnt.observe {{.*}} activation #qnt.scheme<u8, affine> "arg0"
// PTS: qnt.observe {{.*}} weight #qnt.scheme<i8, symmetric, narrow> "conv.weight"
// PTS: qnt.observe {{.*}} weight #qnt.scheme<i8, symmetric, narrow> "mm.weight"
// PCA-LABEL: func.func @schemes
// PCA: qnt.observe {{.*}} weight #qnt.scheme<i8, affine, axis = 0> "conv.weight"
// PCA: qnt.observe {{.*}} weight #qnt.scheme<i8, affine, axis = 2> "mm.weight"
// PTA-LABEL: func.func @schemes
// PTA: qnt.observe {{.*}} weight #qnt.scheme<i8, affine> "conv.weight"
// PTA: qnt.observe {{.*}} weight #qnt.scheme<i8, affine> "mm.weight"
// B4-LABEL: func.func @schemes
// B4: qnt.observe {{.*}} activation #qnt.scheme<u4, affine> "arg0"
// B4: qnt.observe {{.*}} weight #qnt.scheme<i4, symmetric, narrow, axis = 0> "conv.weight"
// B4: qnt.observe {{.*}} activation #qnt.scheme<u4, affine> "conv"
// RR-LABEL: func.func @schemes
// RR: qnt.observe {{.*}} activation #qnt.scheme<u7, affine> "arg0"
// RR: qnt.observe {{.*}} weight #qnt.scheme<i8, symmetric, narrow, axis = 0> "conv.weight"
// RR: qnt.observe {{.*}} activation #qnt.scheme<u7, affine> "conv"
// SYMRR-LABEL: func.func @schemes
// SYMRR: qnt.observe {{.*}} activation #qnt.scheme<i5, symmetric> "arg0"
// SYMRR: qnt.observe {{.*}} weight #qnt.scheme<i6, symmetric, narrow, axis = 0> "conv.weight"
func.func @schemes(%x: tensor<1x1x1x2xf32>) -> tensor<1x1x3xf32> {
  %w = "tosa.const"() {values = dense<1.0> : tensor<2x1x1x2xf32>} : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %bm = "tosa.const"() {values = dense<1.0> : tensor<1x2x3xf32>} : () -> tensor<1x2x3xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x1x1x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x2xf32> loc("conv")
  %s = tosa.const_shape {values = dense<[1, 1, 2]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %a = tosa.reshape %y, %s : (tensor<1x1x1x2xf32>, !tosa.shape<3>) -> tensor<1x1x2xf32> loc("flatten")
  %m = tosa.matmul %a, %bm, %zp, %zp : (tensor<1x1x2xf32>, tensor<1x2x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x3xf32> loc("mm")
  return %m : tensor<1x1x3xf32>
}

// -----

// Keeping ops in float: a kept op gets qnt.keep_float = true and no weight
// observer; a value is observed only where a quantized op produces or
// consumes it (looking through same-scale ops).
// CHECK-LABEL: func.func @keep
// CHECK-NOT: keep_float
// CHECK-COUNT-3: qnt.observe {{.*}} weight
// CHECK: return

// skip-names=conv2: conv2 stays float; conv1 is quantized, so its output is
// observed, and conv2's output feeds the quantized conv3, so it is observed
// too.
// SKIPN-LABEL: func.func @keep
// SKIPN: qnt.observe %{{.*}} activation {{.*}} "input"
// SKIPN: qnt.observe {{.*}} weight {{.*}} "conv1.weight"
// SKIPN: qnt.observe {{.*}} activation {{.*}} "conv1"
// SKIPN-NOT: "conv2.weight"
// SKIPN: tosa.conv2d {{.*}}qnt.keep_float = true
// SKIPN: qnt.observe {{.*}} activation {{.*}} "conv2"
// SKIPN: qnt.observe {{.*}} weight {{.*}} "conv3.weight"
// SKIPN: qnt.observe {{.*}} activation {{.*}} "conv3"

// keep-first: the model input only feeds conv1 (through the NCHW -> NHWC
// transpose, a same-scale op) and is not observed.
// FIRST-LABEL: func.func @keep
// FIRST-NOT: qnt.observe
// FIRST: tosa.conv2d {{.*}}qnt.keep_float = true
// FIRST-NEXT: %[[Y1O:.*]] = qnt.observe {{.*}} activation {{.*}} "conv1"
// FIRST: qnt.observe {{.*}} weight {{.*}} "conv2.weight"
// FIRST: qnt.observe {{.*}} activation {{.*}} "conv2"
// FIRST: qnt.observe {{.*}} weight {{.*}} "conv3.weight"
// FIRST: qnt.observe {{.*}} activation {{.*}} "conv3"

// keep-last: the last unit's output only feeds `return` and is not observed.
// LAST-LABEL: func.func @keep
// LAST: qnt.observe %{{.*}} activation {{.*}} "input"
// LAST: qnt.observe {{.*}} "conv1.weight"
// LAST: qnt.observe {{.*}} "conv1"
// LAST: qnt.observe {{.*}} "conv2.weight"
// LAST: qnt.observe {{.*}} "conv2"
// LAST-NOT: qnt.observe
// LAST: %[[Y:.*]] = tosa.conv2d {{.*}}qnt.keep_float = true
// LAST-NEXT: return %[[Y]]
func.func @keep(%x: tensor<1x2x4x4xf32> {onnx.name = "input"}) -> tensor<1x4x4x2xf32> {
  %w = "tosa.const"() {values = dense<1.0> : tensor<2x1x1x2xf32>} : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %t = tosa.transpose %x {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x2x4x4xf32>) -> tensor<1x4x4x2xf32> loc("conv1")
  %y1 = tosa.conv2d %t, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32> loc("conv1")
  %y2 = tosa.conv2d %y1, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32> loc("conv2")
  %y3 = tosa.conv2d %y2, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32> loc("conv3")
  return %y3 : tensor<1x4x4x2xf32>
}

// -----

// Non-constant weights get no weight observer (the argument carrying them
// is an input like any other); an empty function, a declaration and a
// function with no tensor op are left alone.
// CHECK-LABEL: func.func @dynamic_weights
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x4x2xf32>, %[[W:.*]]: tensor<2x1x1x2xf32>)
// CHECK-NEXT: %[[XO:.*]] = qnt.observe %[[X]] activation {{.*}} "arg0"
// CHECK-NEXT: %[[WO:.*]] = qnt.observe %[[W]] activation {{.*}} "arg1"
// CHECK-NOT: weight
// CHECK: tosa.conv2d %[[XO]], %[[WO]],
func.func @dynamic_weights(%x: tensor<1x4x4x2xf32>, %w: tensor<2x1x1x2xf32>) -> tensor<1x4x4x2xf32> {
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32>
  return %y : tensor<1x4x4x2xf32>
}

// CHECK-LABEL: func.func @empty
// CHECK-NEXT: return
func.func @empty() {
  return
}

// CHECK-LABEL: func.func private @declaration
func.func private @declaration(tensor<2xf32>) -> tensor<2xf32>

// A value that only reaches `return`, through same-scale ops, needs no scale.
// CHECK-LABEL: func.func @passthrough
// CHECK-NOT: qnt.observe
// CHECK: return
func.func @passthrough(%x: tensor<2x3xf32>, %i: tensor<2xi32>) -> (tensor<3x2xf32>, tensor<2xi32>) {
  %t = tosa.transpose %x {perms = array<i32: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %t, %i : tensor<3x2xf32>, tensor<2xi32>
}

// A concat input whose source has no observer of its own (here a block
// argument of a non-entry block) is observed where it enters the concat,
// once even when it also reaches the concat through a same-scale op.
// CHECK-LABEL: func.func @concat_unobserved_source
// CHECK-NOT: qnt.observe
// CHECK: ^bb1(%[[Y:.*]]: tensor<1x2xf32>):
// CHECK-NEXT: %[[YO:.*]] = qnt.observe %[[Y]] activation #qnt.scheme<u8, affine> "arg0"
// CHECK-NEXT: %[[T:.*]] = tosa.identity %[[YO]]
// CHECK-NEXT: %[[C:.*]] = tosa.concat %[[YO]], %[[T]]
// CHECK-NEXT: qnt.observe %[[C]] activation #qnt.scheme<u8, affine> "concat_0"
func.func @concat_unobserved_source(%x: tensor<1x2xf32>) -> tensor<1x4xf32> {
  cf.br ^bb1(%x : tensor<1x2xf32>)
^bb1(%y: tensor<1x2xf32>):
  %t = tosa.identity %y : (tensor<1x2xf32>) -> tensor<1x2xf32>
  %c = tosa.concat %y, %t {axis = 1 : i32} : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x4xf32>
  return %c : tensor<1x4xf32>
}

// -----

// A fused clamp whose unit a later rewrite broke (its conv has another user)
// is a plain clamp: the conv's output is observed, the clamp keeps its scale.
// CHECK-LABEL: func.func @broken_unit
// CHECK: %[[Y:.*]] = tosa.conv2d
// CHECK-NEXT: %[[YO:.*]] = qnt.observe %[[Y]] activation {{.*}} "conv"
// CHECK-NEXT: %[[R:.*]] = tosa.clamp %[[YO]] {{.*}}qnt.fused = true
// CHECK-NEXT: return %[[R]], %[[YO]]
func.func @broken_unit(%x: tensor<1x4x4x2xf32>) -> (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) {
  %w = "tosa.const"() {values = dense<1.0> : tensor<2x1x1x2xf32>} : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() {values = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x2xf32> loc("conv")
  %r = tosa.clamp %y {min_val = 0.0 : f32, max_val = 6.0 : f32, qnt.fused = true} : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> loc("relu")
  return %r, %y : tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>
}
