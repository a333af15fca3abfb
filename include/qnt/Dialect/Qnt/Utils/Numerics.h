//===- Numerics.h - Scalar reference of the numerics contract ---*- C++ -*-===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The scalar C++ reference of the numerics contract (docs/Numerics.md). Every
// pass that computes quantization parameters and every lowering that emits
// integer arithmetic must agree with these functions bit for bit.
//
//   quantize     q = clamp(round_half_even(x / s) + z, qmin, qmax)   (float32)
//   dequantize   x = s * (q - z)                                     (float32)
//   affine       s = (max' - min') / (qmax - qmin),  z = qmin - rne(min' / s)
//                with min' = min(min, 0), max' = max(max, 0)
//   symmetric    s = max(|min|, |max|) / min(z - qmin, qmax - z)
//                with z = 0 (signed) or (qmin + qmax + 1) / 2 (unsigned)
//   multiplier   M = m0 * 2^(shift - 31),  m0 in [2^30, 2^31)
//   requantize   y = RDBPOT(SRDHM(x * 2^max(shift, 0), m0), max(-shift, 0))
//                (gemmlowp / TFLite MultiplyByQuantizedMultiplier)
//
// This header depends on nothing but the C++ standard library.
//
//===----------------------------------------------------------------------===//

#ifndef QNT_DIALECT_QNT_UTILS_NUMERICS_H
#define QNT_DIALECT_QNT_UTILS_NUMERICS_H

#include <cstdint>
#include <optional>

namespace mlir {
namespace qnt {

/// The integer grid `[qmin, qmax]` of a quantized value.
struct QuantRange {
  int64_t qmin;
  int64_t qmax;
};

/// Returns the grid of a `bits`-bit integer: `[0, 2^bits - 1]` when unsigned,
/// `[-2^(bits-1), 2^(bits-1) - 1]` when signed, and with the lowest level
/// dropped when `narrowRange` (`[-127, 127]` for signed 8 bits). `bits` must be
/// in [2, 32].
QuantRange getQuantRange(unsigned bits, bool isSigned, bool narrowRange);

/// Scale and zero point of a uniform affine quantization.
struct QuantParams {
  /// Always a finite float32 value >= the smallest normal float.
  float scale;
  int64_t zeroPoint;
};

/// Smallest scale this library ever chooses: the smallest normal float.
/// Smaller scales would make `x / s` overflow or lose all precision.
float getMinScale();

/// Chooses scale and zero point for values in `[rmin, rmax]` on the grid
/// `range`. The range is first extended to contain 0, so that 0 (zero padding,
/// ReLU) is exact. A zero range (all values 0) gives scale 1. Returns
/// std::nullopt when `rmin`/`rmax` are not finite or `rmin > rmax`.
std::optional<QuantParams> chooseQuantParams(double rmin, double rmax,
                                             QuantRange range, bool symmetric);

/// Rounds to the nearest integer, ties to even (IEEE roundTiesToEven).
double roundHalfToEven(double x);

/// Quantizes one value in float32 arithmetic, like ONNX QuantizeLinear:
/// `clamp(round_half_even(x / scale) + zeroPoint, qmin, qmax)`. NaN maps to the
/// zero point (clamped), +-Inf saturate.
int64_t quantize(float x, float scale, int64_t zeroPoint, QuantRange range);

/// Dequantizes one value in float32 arithmetic: `scale * (q - zeroPoint)`.
float dequantize(int64_t q, float scale, int64_t zeroPoint);

/// `dequantize(quantize(x))`.
float fakeQuantize(float x, float scale, int64_t zeroPoint, QuantRange range);

/// A real multiplier as `multiplier * 2^(shift - 31)`.
struct QuantizedMultiplier {
  /// In [2^30, 2^31) for a non-zero multiplier, 0 for a zero one.
  int32_t multiplier;
  /// In [-31, 30].
  int shift;
};

/// Represents the real multiplier `m` (finite, >= 0) as an int32 fixed-point
/// multiplier and a shift. Multipliers below 2^-32 become 0 (every int32
/// product then rounds to 0 or +-1 at most); returns std::nullopt for
/// negative, non-finite or too large (>= 2^30) multipliers.
std::optional<QuantizedMultiplier> quantizeMultiplier(double m);

/// The real value `multiplier * 2^(shift - 31)` (exact in double).
double toReal(QuantizedMultiplier qm);

/// gemmlowp SaturatingRoundingDoublingHighMul: `round(a * b / 2^31)`, ties
/// toward +infinity, saturating the single overflow case (INT32_MIN^2).
int32_t saturatingRoundingDoublingHighMul(int32_t a, int32_t b);

/// gemmlowp RoundingDivideByPOT: `round(x / 2^exponent)`, ties away from zero.
/// `exponent` must be in [0, 31].
int32_t roundingDivideByPOT(int32_t x, int exponent);

/// TFLite MultiplyByQuantizedMultiplier: `x * M` rounded in two steps. Equal
/// to TFLite's wherever that does not overflow; with a positive shift the
/// product is formed in int64 and the result saturates to int32 instead.
int32_t multiplyByQuantizedMultiplier(int32_t x, QuantizedMultiplier qm);

/// Requantizes an int32 accumulator to the output grid:
/// `clamp(multiplyByQuantizedMultiplier(acc, qm) + zeroPoint, qmin, qmax)`.
int64_t requantize(int32_t acc, QuantizedMultiplier qm, int64_t zeroPoint,
                   QuantRange range);

/// Quantizes a bias to int32 with scale `scale` (= s_in * s_w) and zero point
/// 0, saturating to the int32 range. `saturated` (optional) tells whether it
/// had to.
int32_t quantizeBias(float bias, double scale, bool *saturated = nullptr);

} // namespace qnt
} // namespace mlir

#endif // QNT_DIALECT_QNT_UTILS_NUMERICS_H
