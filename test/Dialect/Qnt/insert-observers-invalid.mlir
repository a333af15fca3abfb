// Bad options of --qnt-insert-observers are reported on the function, naming
// the option and the value. Each RUN line gives sed one case (from its CASE
// line to the next END line) so that it sees only the diagnostic it causes.

// RUN: sed -n '\|^// CASE activations$|,\|^// END|p' %s | quant-opt --verify-diagnostics --qnt-insert-observers="activations=asymmetric-i8"
// RUN: sed -n '\|^// CASE weights$|,\|^// END|p' %s | quant-opt --verify-diagnostics --qnt-insert-observers="weights=per-row-symmetric"
// RUN: sed -n '\|^// CASE bits-low$|,\|^// END|p' %s | quant-opt --verify-diagnostics --qnt-insert-observers="bits=1"
// RUN: sed -n '\|^// CASE bits-high$|,\|^// END|p' %s | quant-opt --verify-diagnostics --qnt-insert-observers="bits=17"
// RUN: sed -n '\|^// CASE reduce-range$|,\|^// END|p' %s | quant-opt --verify-diagnostics --qnt-insert-observers="bits=2 reduce-range"
// RUN: sed -n '\|^// CASE skip-ops$|,\|^// END|p' %s | quant-opt --verify-diagnostics --qnt-insert-observers="skip-ops=conv2d,relu"
// The edges of the valid range are accepted.
// RUN: sed -n '\|^// CASE valid$|,\|^// END|p' %s | quant-opt --verify-diagnostics --qnt-insert-observers="bits=2"
// RUN: sed -n '\|^// CASE valid$|,\|^// END|p' %s | quant-opt --verify-diagnostics --qnt-insert-observers="bits=3 reduce-range"
// RUN: sed -n '\|^// CASE valid$|,\|^// END|p' %s | quant-opt --verify-diagnostics --qnt-insert-observers="bits=16 skip-ops=tosa.conv2d,concat"

// CASE activations
// expected-error@+1 {{option 'activations' of --qnt-insert-observers has unknown value 'asymmetric-i8'; expected 'asymmetric-u8' or 'symmetric-i8'}}
func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
// END

// CASE weights
// expected-error@+1 {{option 'weights' of --qnt-insert-observers has unknown value 'per-row-symmetric'; expected 'per-channel-symmetric', 'per-tensor-symmetric', 'per-channel-affine' or 'per-tensor-affine'}}
func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
// END

// CASE bits-low
// expected-error@+1 {{option 'bits' of --qnt-insert-observers must be between 2 and 16, got 1}}
func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
// END

// CASE bits-high
// expected-error@+1 {{option 'bits' of --qnt-insert-observers must be between 2 and 16, got 17}}
func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
// END

// CASE reduce-range
// expected-error@+1 {{option 'reduce-range' of --qnt-insert-observers needs 'bits' of at least 3 (activations would have 1 bit), got bits=2}}
func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
// END

// CASE skip-ops
// expected-error@+1 {{option 'skip-ops' of --qnt-insert-observers has unknown op kind 'relu'; expected conv2d, depthwise_conv2d, transpose_conv2d, matmul, add, avg_pool2d or concat}}
func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
// END

// CASE valid
func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
// END
