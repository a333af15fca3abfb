// RUN: quant-opt %s --split-input-file --verify-diagnostics

// The qnt.fused marking is verified wherever it appears.

func.func @fused_not_unit(%x: tensor<4xf32>, %c: tensor<4xf32>) -> tensor<4xf32> {
  %s = tosa.add %x, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // expected-error@+1 {{'tosa.clamp' op attribute 'qnt.fused' must be 'true', got 1 : i32}}
  %r = tosa.clamp %s {min_val = 0.0 : f32, max_val = 6.0 : f32, qnt.fused = 1 : i32} : (tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @fused_not_clamp(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'tosa.abs' op carries 'qnt.fused' but only tosa.clamp can be a fused activation}}
  %r = tosa.abs %x {qnt.fused = true} : (tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @fused_min_not_zero(%x: tensor<4xf32>, %c: tensor<4xf32>) -> tensor<4xf32> {
  %s = tosa.add %x, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // expected-error@+1 {{'tosa.clamp' op carries 'qnt.fused' but does not clamp at 0 from below (min_val = -1.000000e+00 : f32)}}
  %r = tosa.clamp %s {min_val = -1.0 : f32, max_val = 6.0 : f32, qnt.fused = true} : (tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @fused_max_not_positive(%x: tensor<4xf32>, %c: tensor<4xf32>) -> tensor<4xf32> {
  %s = tosa.add %x, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // expected-error@+1 {{'tosa.clamp' op carries 'qnt.fused' but its max_val 0.000000e+00 : f32 is not positive}}
  %r = tosa.clamp %s {min_val = 0.0 : f32, max_val = 0.0 : f32, qnt.fused = true} : (tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// expected-error@+1 {{'func.func' op attribute 'qnt.signature' must be a function type, got i32}}
func.func @bad_signature() attributes {qnt.signature = i32} {
  return
}

// -----

// expected-error@+1 {{'builtin.module' op attribute 'qnt.profile_kernels' must be an array of strings on a module, got [1]}}
module attributes {qnt.profile_kernels = [1]} {
}

// -----

// expected-error@+1 {{'func.func' op attribute 'qnt.profile_kernels' must be an array of strings on a module, got ["a"]}}
func.func @profile_names_on_func() attributes {qnt.profile_kernels = ["a"]} {
  return
}

// -----

// expected-error@+1 {{'func.func' op has unknown qnt attribute 'qnt.bogus'}}
func.func @unknown_attribute() attributes {qnt.bogus} {
  return
}
