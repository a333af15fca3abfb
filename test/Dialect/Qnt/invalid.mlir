// RUN: quant-opt %s --split-input-file --verify-diagnostics

//===----------------------------------------------------------------------===//
// qnt.batch_norm
//===----------------------------------------------------------------------===//

func.func @bn_axis_out_of_range(%x: tensor<1x4xf32>, %p: tensor<4xf32>) -> tensor<1x4xf32> {
  // expected-error@+1 {{'qnt.batch_norm' op attribute 'axis' = 2 is out of range for an input of rank 2}}
  %0 = qnt.batch_norm %x, %p, %p, %p, %p {axis = 2 : i64, epsilon = 1.0e-5 : f32} : tensor<1x4xf32>, tensor<4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @bn_negative_axis(%x: tensor<1x4xf32>, %p: tensor<4xf32>) -> tensor<1x4xf32> {
  // expected-error@+1 {{'qnt.batch_norm' op attribute 'axis' = -1 is out of range for an input of rank 2}}
  %0 = qnt.batch_norm %x, %p, %p, %p, %p {axis = -1 : i64, epsilon = 1.0e-5 : f32} : tensor<1x4xf32>, tensor<4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @bn_negative_epsilon(%x: tensor<1x4xf32>, %p: tensor<4xf32>) -> tensor<1x4xf32> {
  // expected-error@+1 {{'qnt.batch_norm' op attribute 'epsilon' must be finite and >= 0, got -1.000000e-03}}
  %0 = qnt.batch_norm %x, %p, %p, %p, %p {axis = 1 : i64, epsilon = -1.0e-3 : f32} : tensor<1x4xf32>, tensor<4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @bn_nan_epsilon(%x: tensor<1x4xf32>, %p: tensor<4xf32>) -> tensor<1x4xf32> {
  // expected-error@+1 {{'qnt.batch_norm' op attribute 'epsilon' must be finite and >= 0, got nan}}
  %0 = qnt.batch_norm %x, %p, %p, %p, %p {axis = 1 : i64, epsilon = 0x7FC00000 : f32} : tensor<1x4xf32>, tensor<4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @bn_channel_mismatch(%x: tensor<1x4xf32>, %p: tensor<3xf32>) -> tensor<1x4xf32> {
  // expected-error@+1 {{'qnt.batch_norm' op has 3 values per parameter but input dimension 1 (attribute 'axis') has 4 channels}}
  %0 = qnt.batch_norm %x, %p, %p, %p, %p {axis = 1 : i64, epsilon = 1.0e-5 : f32} : tensor<1x4xf32>, tensor<3xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @bn_element_type(%x: tensor<1x4xf32>, %p: tensor<4xf16>) -> tensor<1x4xf32> {
  // expected-error@+1 {{'qnt.batch_norm' op parameter element type 'f16' does not match the input element type 'f32'}}
  %0 = qnt.batch_norm %x, %p, %p, %p, %p {axis = 1 : i64, epsilon = 1.0e-5 : f32} : tensor<1x4xf32>, tensor<4xf16>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @bn_param_types_differ(%x: tensor<1x4xf32>, %p: tensor<4xf32>, %q: tensor<?xf32>) -> tensor<1x4xf32> {
  // expected-error@+1 {{'qnt.batch_norm' op failed to verify that all of {gamma, beta, mean, variance} have same type}}
  %0 = "qnt.batch_norm"(%x, %p, %p, %q, %p) {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<1x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<?xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @bn_param_rank(%x: tensor<1x4xf32>, %p: tensor<1x4xf32>) -> tensor<1x4xf32> {
  // expected-error@+1 {{'qnt.batch_norm' op operand #1 must be 1D tensor of floating-point values, but got 'tensor<1x4xf32>'}}
  %0 = qnt.batch_norm %x, %p, %p, %p, %p {axis = 1 : i64, epsilon = 1.0e-5 : f32} : tensor<1x4xf32>, tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

func.func @bn_integer_input(%x: tensor<1x4xi8>, %p: tensor<4xf32>) -> tensor<1x4xi8> {
  // expected-error@+1 {{'qnt.batch_norm' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<1x4xi8>'}}
  %0 = qnt.batch_norm %x, %p, %p, %p, %p {axis = 1 : i64, epsilon = 1.0e-5 : f32} : tensor<1x4xi8>, tensor<4xf32>
  return %0 : tensor<1x4xi8>
}

// -----

//===----------------------------------------------------------------------===//
// #qnt.scheme syntax
//===----------------------------------------------------------------------===//

func.func @scheme_bad_grid(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{expected a grid like 'u8' or 'i8', got 'x8'}}
  %0 = qnt.observe %x activation #qnt.scheme<x8, affine> "x" : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @scheme_bad_mode(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{expected 'symmetric' or 'affine'}}
  %0 = qnt.observe %x activation #qnt.scheme<u8, asymmetric> "x" : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @scheme_bad_flag(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{expected 'narrow' or 'axis'}}
  %0 = qnt.observe %x activation #qnt.scheme<u8, affine, wide> "x" : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// qnt.observe
//===----------------------------------------------------------------------===//

func.func @observe_bad_role(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{custom op 'qnt.observe' expected string or keyword containing one of the following enum values for attribute 'role' [activation, weight]}}
  %0 = qnt.observe %x bias #qnt.scheme<u8, affine> "x" : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @observe_empty_name(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'qnt.observe' op attribute 'name' must not be empty}}
  %0 = qnt.observe %x activation #qnt.scheme<u8, affine> "" : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @observe_one_bit(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'qnt.observe' op attribute 'scheme' asks for 1 bits; expected 2 to 16}}
  %0 = qnt.observe %x activation #qnt.scheme<u1, affine> "x" : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @observe_too_many_bits(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'qnt.observe' op attribute 'scheme' asks for 32 bits; expected 2 to 16}}
  %0 = qnt.observe %x activation #qnt.scheme<i32, symmetric> "x" : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @observe_axis_out_of_range(%w: tensor<8x3xf32>) -> tensor<8x3xf32> {
  // expected-error@+1 {{'qnt.observe' op attribute 'scheme' has axis = 2, out of range for an input of rank 2}}
  %0 = qnt.observe %w weight #qnt.scheme<i8, symmetric, narrow, axis = 2> "w" : tensor<8x3xf32>
  return %0 : tensor<8x3xf32>
}

// -----

func.func @observe_negative_axis(%w: tensor<8x3xf32>) -> tensor<8x3xf32> {
  // expected-error@+1 {{'qnt.observe' op attribute 'scheme' has axis = -1, out of range for an input of rank 2}}
  %0 = qnt.observe %w weight #qnt.scheme<i8, symmetric, axis = -1> "w" : tensor<8x3xf32>
  return %0 : tensor<8x3xf32>
}

// -----

func.func @stats_negative_count(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'qnt.observe' op attribute 'stats' has a negative count -1}}
  %0 = qnt.observe %x activation #qnt.scheme<u8, affine> "x" {stats = #qnt.stats<count = -1, min = 0.0, max = 0.0, ema_min = 0.0, ema_max = 0.0>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @stats_negative_nan_count(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'qnt.observe' op attribute 'stats' has a negative nan_count -2}}
  %0 = qnt.observe %x activation #qnt.scheme<u8, affine> "x" {stats = #qnt.stats<count = 0, nan_count = -2, min = 0.0, max = 0.0, ema_min = 0.0, ema_max = 0.0>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @stats_negative_inf_count(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'qnt.observe' op attribute 'stats' has a negative inf_count -3}}
  %0 = qnt.observe %x activation #qnt.scheme<u8, affine> "x" {stats = #qnt.stats<count = 0, inf_count = -3, min = 0.0, max = 0.0, ema_min = 0.0, ema_max = 0.0>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @stats_min_above_max(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'qnt.observe' op attribute 'stats' has min = 3.000000e+00 > max = 1.000000e+00}}
  %0 = qnt.observe %x activation #qnt.scheme<u8, affine> "x" {stats = #qnt.stats<count = 4, min = 3.0, max = 1.0, ema_min = 0.0, ema_max = 1.0>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @stats_ema_min_above_ema_max(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'qnt.observe' op attribute 'stats' has ema_min = 2.000000e+00 > ema_max = 1.000000e+00}}
  %0 = qnt.observe %x activation #qnt.scheme<u8, affine> "x" {stats = #qnt.stats<count = 4, min = 0.0, max = 3.0, ema_min = 2.0, ema_max = 1.0>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @stats_infinite_max(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'qnt.observe' op attribute 'stats' has a non-finite min/max (0.000000e+00, INF)}}
  %0 = qnt.observe %x activation #qnt.scheme<u8, affine> "x" {stats = #qnt.stats<count = 4, min = 0.0, max = 0x7FF0000000000000, ema_min = 0.0, ema_max = 1.0>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @stats_negative_bin(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'qnt.observe' op attribute 'stats' has a negative count -1 in histogram bin 1}}
  %0 = qnt.observe %x activation #qnt.scheme<u8, affine> "x" {stats = #qnt.stats<count = 4, min = 0.0, max = 1.0, ema_min = 0.0, ema_max = 1.0, hist = [2, -1, 3], hist_min = 0.0, hist_max = 1.0>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @stats_bin_sum(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'qnt.observe' op attribute 'stats' has histogram counts adding up to 5 but count = 4}}
  %0 = qnt.observe %x activation #qnt.scheme<u8, affine> "x" {stats = #qnt.stats<count = 4, min = 0.0, max = 1.0, ema_min = 0.0, ema_max = 1.0, hist = [2, 0, 3], hist_min = 0.0, hist_max = 1.0>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @stats_hist_range_inverted(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'qnt.observe' op attribute 'stats' has hist_min = 1.000000e+00 > hist_max = 0.000000e+00}}
  %0 = qnt.observe %x activation #qnt.scheme<u8, affine> "x" {stats = #qnt.stats<count = 4, min = 0.0, max = 1.0, ema_min = 0.0, ema_max = 1.0, hist = [4], hist_min = 1.0, hist_max = 0.0>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @stats_hist_range_too_small(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'qnt.observe' op attribute 'stats' has a histogram range [0.000000e+00, 1.000000e+00] that does not cover [min, max] = [0.000000e+00, 2.000000e+00]}}
  %0 = qnt.observe %x activation #qnt.scheme<u8, affine> "x" {stats = #qnt.stats<count = 4, min = 0.0, max = 2.0, ema_min = 0.0, ema_max = 2.0, hist = [4], hist_min = 0.0, hist_max = 1.0>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @stats_range_without_bins(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'qnt.observe' op attribute 'stats' has a histogram range but no bins}}
  %0 = qnt.observe %x activation #qnt.scheme<u8, affine> "x" {stats = #qnt.stats<count = 4, min = 0.0, max = 2.0, ema_min = 0.0, ema_max = 2.0, hist_min = 0.0, hist_max = 2.0>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @stats_missing_field(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{struct is missing required parameter: ema_max}}
  %0 = qnt.observe %x activation #qnt.scheme<u8, affine> "x" {stats = #qnt.stats<count = 4, min = 0.0, max = 2.0, ema_min = 0.0>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// qnt.fake_quant
//===----------------------------------------------------------------------===//

func.func @fq_not_uniform(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'qnt.fake_quant' op attribute 'qtype' must be a per-tensor or per-axis !quant.uniform type, got '!quant.any<i8:f32>'}}
  %0 = qnt.fake_quant %x, !quant.any<i8:f32> : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @fq_expressed_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'qnt.fake_quant' op attribute 'qtype' expresses 'f16' but the float elements are 'f32'}}
  %0 = qnt.fake_quant %x, !quant.uniform<u8:f16, 0.1:128> : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @fq_zero_point(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'qnt.fake_quant' op attribute 'qtype' has zero point 300 outside the storage range [0, 255]}}
  %0 = qnt.fake_quant %x, !quant.uniform<u8:f32, 0.1:300> : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @fq_zero_point_narrow(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'qnt.fake_quant' op attribute 'qtype' has zero point -128 outside the storage range [-127, 127]}}
  %0 = qnt.fake_quant %x, !quant.uniform<i8<-127:127>:f32, 0.1:-128> : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @fq_axis_out_of_range(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qnt.fake_quant' op attribute 'qtype' quantizes dimension 2, out of range for an input of rank 2}}
  %0 = qnt.fake_quant %x, !quant.uniform<i8:f32:2, {0.1, 0.2}> : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @fq_scale_count(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qnt.fake_quant' op attribute 'qtype' has 2 scales but input dimension 1 has size 3}}
  %0 = qnt.fake_quant %x, !quant.uniform<i8:f32:1, {0.1, 0.2}> : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @fq_per_axis_zero_point(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qnt.fake_quant' op attribute 'qtype' has zero point 256 for channel 1 outside the storage range [0, 255]}}
  %0 = qnt.fake_quant %x, !quant.uniform<u8:f32:0, {0.1:0, 0.2:256}> : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Scales are checked by the upstream !quant.uniform parser already; the
// verifier repeats the check for types built in C++ (see the unit tests).
func.func @fq_zero_scale(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{scale 0.000000e+00 out of expressed type range}}
  %0 = qnt.fake_quant %x, !quant.uniform<u8:f32, 0.0:128> : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @fq_result_type(%x: tensor<4xf32>) -> tensor<2x2xf32> {
  // expected-error@+1 {{'qnt.fake_quant' op requires the same type for all operands and results}}
  %0 = "qnt.fake_quant"(%x) {qtype = !quant.uniform<u8:f32, 0.1:128>} : (tensor<4xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @fq_integer_input(%x: tensor<4xi8>) -> tensor<4xi8> {
  // expected-error@+1 {{'qnt.fake_quant' op operand #0 must be ranked tensor of floating-point values, but got 'tensor<4xi8>'}}
  %0 = qnt.fake_quant %x, !quant.uniform<u8:f32, 0.1:128> : tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @fq_not_a_quantized_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'qnt.fake_quant' op attribute 'qtype' failed to satisfy constraint: quantized type}}
  %0 = qnt.fake_quant %x, f32 : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// qnt.quantize / qnt.dequantize

func.func @quantize_width(%x: tensor<4xf32>) -> tensor<4xi16> {
  // expected-error@+1 {{'qnt.quantize' op integer elements 'i16' do not hold the 8-bit storage of '!quant.uniform<u8:f32, 1.000000e-01:128>'}}
  %0 = qnt.quantize %x, !quant.uniform<u8:f32, 0.1:128> : tensor<4xf32> -> tensor<4xi16>
  return %0 : tensor<4xi16>
}

// -----

func.func @quantize_shape(%x: tensor<4xf32>) -> tensor<2x2xi8> {
  // expected-error@+1 {{'qnt.quantize' op float type 'tensor<4xf32>' and integer type 'tensor<2x2xi8>' have different shapes}}
  %0 = qnt.quantize %x, !quant.uniform<i8:f32, 0.1> : tensor<4xf32> -> tensor<2x2xi8>
  return %0 : tensor<2x2xi8>
}

// -----

func.func @quantize_zero_point(%x: tensor<4xf32>) -> tensor<4xi8> {
  // expected-error@+1 {{'qnt.quantize' op attribute 'qtype' has zero point 300 outside the storage range [0, 255]}}
  %0 = qnt.quantize %x, !quant.uniform<u8:f32, 0.1:300> : tensor<4xf32> -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @dequantize_axis(%q: tensor<2x3xi8>) -> tensor<2x3xf32> {
  // expected-error@+1 {{'qnt.dequantize' op attribute 'qtype' has 2 scales but input dimension 1 has size 3}}
  %0 = qnt.dequantize %q, !quant.uniform<i8:f32:1, {0.1, 0.2}> : tensor<2x3xi8> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @dequantize_expressed(%q: tensor<4xi8>) -> tensor<4xf32> {
  // expected-error@+1 {{'qnt.dequantize' op attribute 'qtype' expresses 'f16' but the float elements are 'f32'}}
  %0 = qnt.dequantize %q, !quant.uniform<i8:f16, 0.1> : tensor<4xi8> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @dequantize_any(%q: tensor<4xi8>) -> tensor<4xf32> {
  // expected-error@+1 {{'qnt.dequantize' op attribute 'qtype' must be a per-tensor or per-axis !quant.uniform type, got '!quant.any<i8:f32>'}}
  %0 = qnt.dequantize %q, !quant.any<i8:f32> : tensor<4xi8> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

//===----------------------------------------------------------------------===//
// qnt.pack_s8
//===----------------------------------------------------------------------===//

// -----

func.func @pack_three(%a: vector<16xi32>) -> vector<64xi8> {
  // expected-error@+1 {{'qnt.pack_s8' op takes 2 or 4 vectors, not 3}}
  %0 = qnt.pack_s8 %a, %a, %a : vector<16xi32>, vector<16xi32>, vector<16xi32> -> vector<64xi8>
  return %0 : vector<64xi8>
}

// -----

func.func @pack_lanes(%a: vector<16xi32>) -> vector<64xi8> {
  // expected-error@+1 {{'qnt.pack_s8' op packs 2 vectors of 16 lanes into 32 lanes, not 64}}
  %0 = qnt.pack_s8 %a, %a : vector<16xi32>, vector<16xi32> -> vector<64xi8>
  return %0 : vector<64xi8>
}
