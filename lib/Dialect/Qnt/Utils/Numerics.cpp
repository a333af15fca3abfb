//===- Numerics.cpp - Scalar reference of the numerics contract -----------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// See Numerics.h for the formulas. All float32 arithmetic here is plain IEEE
// single precision: do not build this file with -ffast-math.
//
//===----------------------------------------------------------------------===//

#include "qnt/Dialect/Qnt/Utils/Numerics.h"

#include <algorithm>
#include <cassert>
#include <cfenv>
#include <cmath>
#include <limits>

namespace mlir {
namespace qnt {

QuantRange getQuantRange(unsigned bits, bool isSigned, bool narrowRange) {
  assert(bits >= 2 && bits <= 32 && "bit width out of range");
  QuantRange range;
  if (isSigned) {
    range.qmin = -(int64_t(1) << (bits - 1));
    range.qmax = (int64_t(1) << (bits - 1)) - 1;
  } else {
    range.qmin = 0;
    range.qmax = (int64_t(1) << bits) - 1;
  }
  if (narrowRange)
    ++range.qmin;
  return range;
}

float getMinScale() { return std::numeric_limits<float>::min(); }

double roundHalfToEven(double x) {
  // std::nearbyint follows the current rounding mode; the default one is
  // round-to-nearest-even, which is what we want. Be explicit about it.
  if (std::fegetround() == FE_TONEAREST)
    return std::nearbyint(x);
  double lower = std::floor(x);
  double diff = x - lower;
  if (diff > 0.5)
    return lower + 1.0;
  if (diff < 0.5)
    return lower;
  return std::fmod(lower, 2.0) == 0.0 ? lower : lower + 1.0;
}

/// Rounds a positive double scale to float32, keeping it finite and at least
/// the smallest normal float.
static float toFloatScale(double scale) {
  double clamped = std::clamp(scale, double(getMinScale()),
                              double(std::numeric_limits<float>::max()));
  return static_cast<float>(clamped);
}

std::optional<QuantParams> chooseQuantParams(double rmin, double rmax,
                                             QuantRange range, bool symmetric) {
  if (!std::isfinite(rmin) || !std::isfinite(rmax) || rmin > rmax)
    return std::nullopt;
  assert(range.qmin < range.qmax && "empty grid");
  rmin = std::min(rmin, 0.0);
  rmax = std::max(rmax, 0.0);

  QuantParams params;
  if (symmetric) {
    params.zeroPoint = range.qmin < 0 ? 0 : (range.qmin + range.qmax + 1) / 2;
    double amax = std::max(-rmin, rmax);
    // The side of the grid with fewer levels decides, so that +-amax both fit.
    double halfLevels = double(
        std::min(params.zeroPoint - range.qmin, range.qmax - params.zeroPoint));
    params.scale = amax == 0.0 ? 1.0f : toFloatScale(amax / halfLevels);
    return params;
  }

  if (rmax - rmin == 0.0) {
    params.scale = 1.0f;
    params.zeroPoint = range.qmin;
    return params;
  }
  params.scale = toFloatScale((rmax - rmin) / double(range.qmax - range.qmin));
  // rmin <= 0, so the zero point is >= qmin; it can only exceed qmax by
  // rounding when rmax is tiny compared with -rmin.
  double zeroPoint =
      double(range.qmin) - roundHalfToEven(rmin / double(params.scale));
  params.zeroPoint = static_cast<int64_t>(
      std::clamp(zeroPoint, double(range.qmin), double(range.qmax)));
  return params;
}

int64_t quantize(float x, float scale, int64_t zeroPoint, QuantRange range) {
  if (std::isnan(x))
    return std::clamp(zeroPoint, range.qmin, range.qmax);
  float scaled = x / scale;
  double q = roundHalfToEven(double(scaled)) + double(zeroPoint);
  q = std::clamp(q, double(range.qmin), double(range.qmax));
  return static_cast<int64_t>(q);
}

float dequantize(int64_t q, float scale, int64_t zeroPoint) {
  return scale * static_cast<float>(q - zeroPoint);
}

float fakeQuantize(float x, float scale, int64_t zeroPoint, QuantRange range) {
  return dequantize(quantize(x, scale, zeroPoint, range), scale, zeroPoint);
}

std::optional<QuantizedMultiplier> quantizeMultiplier(double m) {
  if (!std::isfinite(m) || m < 0.0 || m >= double(int64_t(1) << 30))
    return std::nullopt;
  if (m == 0.0)
    return QuantizedMultiplier{0, 0};
  int exponent;
  double fraction = std::frexp(m, &exponent); // m = fraction * 2^exponent
  int64_t fixed = static_cast<int64_t>(
      roundHalfToEven(fraction * double(int64_t(1) << 31)));
  if (fixed == (int64_t(1) << 31)) {
    fixed /= 2;
    ++exponent;
  }
  if (exponent < -31)
    return QuantizedMultiplier{0, 0};
  if (exponent > 30) // m rounded up to 2^30
    return std::nullopt;
  return QuantizedMultiplier{static_cast<int32_t>(fixed), exponent};
}

double toReal(QuantizedMultiplier qm) {
  return std::ldexp(double(qm.multiplier), qm.shift - 31);
}

int32_t saturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
  if (a == b && a == std::numeric_limits<int32_t>::min())
    return std::numeric_limits<int32_t>::max();
  int64_t ab = int64_t(a) * int64_t(b);
  int64_t nudge = ab >= 0 ? (int64_t(1) << 30) : (1 - (int64_t(1) << 30));
  // C++ integer division truncates toward zero, as gemmlowp relies on.
  return static_cast<int32_t>((ab + nudge) / (int64_t(1) << 31));
}

int32_t roundingDivideByPOT(int32_t x, int exponent) {
  assert(exponent >= 0 && exponent <= 31 && "exponent out of range");
  int64_t mask = (int64_t(1) << exponent) - 1;
  int64_t remainder = int64_t(x) & mask;
  int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return static_cast<int32_t>((int64_t(x) >> exponent) +
                              (remainder > threshold ? 1 : 0));
}

int32_t multiplyByQuantizedMultiplier(int32_t x, QuantizedMultiplier qm) {
  int leftShift = std::max(qm.shift, 0);
  int rightShift = std::max(-qm.shift, 0);
  // SaturatingRoundingDoublingHighMul(x * 2^leftShift, m0), computed in int64
  // so that the left shift cannot overflow: |x * m0| < 2^62, and the result
  // saturates instead of wrapping. Without a left shift this is exactly
  // gemmlowp's function, INT32_MIN^2 included.
  int64_t ab = int64_t(x) * int64_t(qm.multiplier);
  int down = 31 - leftShift;
  int64_t half = int64_t(1) << (down - 1);
  int64_t nudge = ab >= 0 ? half : 1 - half;
  int64_t high = (ab + nudge) / (int64_t(1) << down);
  high = std::clamp<int64_t>(high, std::numeric_limits<int32_t>::min(),
                             std::numeric_limits<int32_t>::max());
  return roundingDivideByPOT(static_cast<int32_t>(high), rightShift);
}

int64_t requantize(int32_t acc, QuantizedMultiplier qm, int64_t zeroPoint,
                   QuantRange range) {
  int64_t y = int64_t(multiplyByQuantizedMultiplier(acc, qm)) + zeroPoint;
  return std::clamp(y, range.qmin, range.qmax);
}

int32_t quantizeBias(float bias, double scale, bool *saturated) {
  constexpr double lo = std::numeric_limits<int32_t>::min();
  constexpr double hi = std::numeric_limits<int32_t>::max();
  double q = std::isnan(bias) ? 0.0 : roundHalfToEven(double(bias) / scale);
  bool clipped = q < lo || q > hi;
  if (saturated)
    *saturated = clipped;
  return static_cast<int32_t>(std::clamp(q, lo, hi));
}

} // namespace qnt
} // namespace mlir
