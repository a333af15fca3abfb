// RUN: quant-opt %s --split-input-file --verify-diagnostics --qnt-quantize

func.func @no_stats(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  // expected-error@+1 {{'qnt.observe' op has no statistics; run quant-calibrate first}}
  %0 = qnt.observe %x activation #qnt.scheme<u8, affine> "x" : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @weights_not_constant(%w: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qnt.observe' op observes weights that are not a constant; quantize them as an activation instead}}
  %0 = qnt.observe %w weight #qnt.scheme<i8, symmetric, narrow, axis = 0> "w" : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @nan_weight() -> tensor<2x4xf32> {
  %w = "tosa.const"() <{values = dense<[[1.0, 0x7FC00000, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0]]> : tensor<2x4xf32>}> : () -> tensor<2x4xf32>
  // expected-error@+1 {{'qnt.observe' op has a non-finite weight (nan) at element 1}}
  %0 = qnt.observe %w weight #qnt.scheme<i8, symmetric, narrow, axis = 0> "w" : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @saw_nothing(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  // expected-warning@+1 {{saw no finite value during calibration; its range is [0, 0] (scale 1)}}
  %0 = qnt.observe %x activation #qnt.scheme<u8, affine> "x" {stats = #qnt.stats<count = 0, nan_count = 4, min = 0.0, max = 0.0, ema_min = 0.0, ema_max = 0.0>} : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

// RUN: %expect_exit 1 -- quant-opt %s --split-input-file --qnt-quantize="calibration=kl" 2>&1 | FileCheck %s --check-prefix=KIND
// KIND: error: --qnt-quantize: unknown calibration 'kl'; expected minmax, ema, percentile, entropy or mse
// RUN: %expect_exit 1 -- quant-opt %s --split-input-file --qnt-quantize="calibration=percentile percentile=0" 2>&1 | FileCheck %s --check-prefix=PCT
// PCT: error: --qnt-quantize: percentile must be in [50, 100], got 0
func.func @options(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  return %x : tensor<1x4xf32>
}
