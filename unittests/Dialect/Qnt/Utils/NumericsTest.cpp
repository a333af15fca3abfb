//===- NumericsTest.cpp - Tests of the numerics reference -----------------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qnt/Dialect/Qnt/Utils/Numerics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

using namespace mlir::qnt;

namespace {

constexpr QuantRange kU8{0, 255};
constexpr QuantRange kI8{-128, 127};
constexpr QuantRange kI8Narrow{-127, 127};
constexpr float kFltMax = std::numeric_limits<float>::max();
constexpr float kFltMin = std::numeric_limits<float>::min();
constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

//===----------------------------------------------------------------------===//
// Grids
//===----------------------------------------------------------------------===//

TEST(QuantRange, Grids) {
  auto check = [](unsigned bits, bool isSigned, bool narrow, int64_t qmin,
                  int64_t qmax) {
    QuantRange range = getQuantRange(bits, isSigned, narrow);
    EXPECT_EQ(range.qmin, qmin) << bits << isSigned << narrow;
    EXPECT_EQ(range.qmax, qmax) << bits << isSigned << narrow;
  };
  check(8, false, false, 0, 255);
  check(8, true, false, -128, 127);
  check(8, true, true, -127, 127);
  check(7, false, false, 0, 127); // reduce_range
  check(4, true, false, -8, 7);
  check(2, false, false, 0, 3);
  check(16, true, false, -32768, 32767);
  check(32, true, false, std::numeric_limits<int32_t>::min(),
        std::numeric_limits<int32_t>::max());
}

//===----------------------------------------------------------------------===//
// Rounding and quantize/dequantize
//===----------------------------------------------------------------------===//

TEST(Rounding, HalfToEven) {
  EXPECT_EQ(roundHalfToEven(0.5), 0.0);
  EXPECT_EQ(roundHalfToEven(1.5), 2.0);
  EXPECT_EQ(roundHalfToEven(2.5), 2.0);
  EXPECT_EQ(roundHalfToEven(-0.5), 0.0);
  EXPECT_EQ(roundHalfToEven(-1.5), -2.0);
  EXPECT_EQ(roundHalfToEven(-2.5), -2.0);
  EXPECT_EQ(roundHalfToEven(2.4999999), 2.0);
  EXPECT_EQ(roundHalfToEven(2.5000001), 3.0);
}

TEST(Quantize, TiesToEven) {
  EXPECT_EQ(quantize(0.5f, 1.0f, 0, kI8), 0);
  EXPECT_EQ(quantize(1.5f, 1.0f, 0, kI8), 2);
  EXPECT_EQ(quantize(2.5f, 1.0f, 0, kI8), 2);
  EXPECT_EQ(quantize(-2.5f, 1.0f, 0, kI8), -2);
  // The tie is on x / s, before the zero point is added.
  EXPECT_EQ(quantize(-0.5f, 1.0f, 128, kU8), 128);
  EXPECT_EQ(quantize(0.5f, 1.0f, 3, kU8), 3);
  EXPECT_EQ(quantize(1.25f, 0.5f, 0, kI8), 2);
  EXPECT_EQ(quantize(1.75f, 0.5f, 0, kI8), 4);
}

TEST(Quantize, Saturation) {
  EXPECT_EQ(quantize(1000.0f, 1.0f, 0, kI8), 127);
  EXPECT_EQ(quantize(-1000.0f, 1.0f, 0, kI8), -128);
  EXPECT_EQ(quantize(-1000.0f, 1.0f, 0, kI8Narrow), -127);
  EXPECT_EQ(quantize(1000.0f, 0.1f, 10, kU8), 255);
  EXPECT_EQ(quantize(-1.0f, 0.1f, 0, kU8), 0);
  EXPECT_EQ(quantize(kInf, 0.1f, 0, kI8), 127);
  EXPECT_EQ(quantize(-kInf, 0.1f, 0, kI8), -128);
  EXPECT_EQ(quantize(kFltMax, kFltMin, 0, kU8), 255);
  EXPECT_EQ(quantize(-kFltMax, kFltMin, 0, kU8), 0);
  // Beyond int64 before clamping: must not overflow.
  EXPECT_EQ(quantize(3.0e38f, 1.0e-30f, 0, kI8), 127);
}

TEST(Quantize, NaNMapsToZeroPoint) {
  EXPECT_EQ(quantize(kNaN, 0.1f, 7, kU8), 7);
  EXPECT_EQ(fakeQuantize(kNaN, 0.1f, 7, kU8), 0.0f);
}

TEST(Quantize, TinyAndHugeScales) {
  EXPECT_EQ(quantize(3.0f * kFltMin, kFltMin, 0, kI8), 3);
  EXPECT_EQ(dequantize(3, kFltMin, 0), 3.0f * kFltMin);
  EXPECT_EQ(quantize(1.0e38f, 1.0e38f, 0, kI8), 1);
  EXPECT_EQ(quantize(2.0e38f, 1.0e38f, 0, kI8), 2);
  EXPECT_EQ(dequantize(-3, 1.0e38f, 0), -3.0e38f);
  EXPECT_TRUE(std::isinf(dequantize(127, 1.0e37f, -128)))
      << "255 * 1e37 overflows float; dequantize does not hide it";
}

TEST(Quantize, DequantizeIsExactOnTheGrid) {
  EXPECT_EQ(dequantize(128, 0.1f, 128), 0.0f);
  EXPECT_EQ(dequantize(0, 0.25f, 128), -32.0f);
  EXPECT_EQ(dequantize(-127, 0.5f, 0), -63.5f);
}

TEST(Quantize, FakeQuantizeIsIdempotent) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> value(-50.0f, 50.0f);
  std::uniform_real_distribution<float> logScale(-8.0f, 2.0f);
  std::uniform_int_distribution<int> zero(0, 255);
  for (int i = 0; i < 100000; ++i) {
    float scale = std::pow(10.0f, logScale(rng));
    int64_t zp = zero(rng);
    float once = fakeQuantize(value(rng), scale, zp, kU8);
    ASSERT_EQ(fakeQuantize(once, scale, zp, kU8), once)
        << "scale " << scale << " zp " << zp;
  }
}

//===----------------------------------------------------------------------===//
// Scale and zero point from a range
//===----------------------------------------------------------------------===//

TEST(ChooseQuantParams, Affine) {
  auto params = chooseQuantParams(-1.0, 3.0, kU8, /*symmetric=*/false);
  ASSERT_TRUE(params);
  EXPECT_FLOAT_EQ(params->scale, 4.0f / 255.0f);
  EXPECT_EQ(params->zeroPoint, 64); // 0 - rne(-1 / (4/255)) = rne(63.75)
  EXPECT_EQ(quantize(0.0f, params->scale, params->zeroPoint, kU8), 64);
  EXPECT_EQ(dequantize(64, params->scale, params->zeroPoint), 0.0f);
}

TEST(ChooseQuantParams, RangeIsExtendedToContainZero) {
  auto positive = chooseQuantParams(2.0, 5.0, kU8, false);
  ASSERT_TRUE(positive);
  EXPECT_EQ(positive->zeroPoint, 0);
  EXPECT_FLOAT_EQ(positive->scale, 5.0f / 255.0f);

  auto negative = chooseQuantParams(-5.0, -2.0, kU8, false);
  ASSERT_TRUE(negative);
  EXPECT_EQ(negative->zeroPoint, 255);
  EXPECT_FLOAT_EQ(negative->scale, 5.0f / 255.0f);

  auto signedGrid = chooseQuantParams(1.0, 2.0, kI8, false);
  ASSERT_TRUE(signedGrid);
  EXPECT_EQ(signedGrid->zeroPoint, -128);
}

TEST(ChooseQuantParams, Symmetric) {
  auto narrow = chooseQuantParams(-2.0, 1.0, kI8Narrow, true);
  ASSERT_TRUE(narrow);
  EXPECT_EQ(narrow->zeroPoint, 0);
  EXPECT_FLOAT_EQ(narrow->scale, 2.0f / 127.0f);

  // Full int8: the positive side has 127 levels, so +amax must still fit.
  auto full = chooseQuantParams(-1.0, 2.0, kI8, true);
  ASSERT_TRUE(full);
  EXPECT_EQ(full->zeroPoint, 0);
  EXPECT_FLOAT_EQ(full->scale, 2.0f / 127.0f);
  EXPECT_EQ(quantize(2.0f, full->scale, 0, kI8), 127);
  EXPECT_EQ(quantize(-2.0f, full->scale, 0, kI8), -127);

  auto unsignedGrid = chooseQuantParams(-3.0, 1.0, kU8, true);
  ASSERT_TRUE(unsignedGrid);
  EXPECT_EQ(unsignedGrid->zeroPoint, 128);
  EXPECT_FLOAT_EQ(unsignedGrid->scale, 3.0f / 127.0f);
}

TEST(ChooseQuantParams, ZeroRange) {
  for (bool symmetric : {false, true}) {
    for (QuantRange range : {kU8, kI8, kI8Narrow}) {
      auto params = chooseQuantParams(0.0, 0.0, range, symmetric);
      ASSERT_TRUE(params);
      EXPECT_EQ(params->scale, 1.0f);
      EXPECT_GE(params->zeroPoint, range.qmin);
      EXPECT_LE(params->zeroPoint, range.qmax);
      EXPECT_EQ(fakeQuantize(0.0f, params->scale, params->zeroPoint, range),
                0.0f);
    }
  }
}

TEST(ChooseQuantParams, TinyAndHugeRanges) {
  for (bool symmetric : {false, true}) {
    auto tiny = chooseQuantParams(0.0, 1.0e-40, kI8Narrow, symmetric);
    ASSERT_TRUE(tiny);
    EXPECT_GE(tiny->scale, getMinScale());
    EXPECT_TRUE(std::isfinite(tiny->scale));

    auto huge = chooseQuantParams(-kFltMax, kFltMax, kU8, symmetric);
    ASSERT_TRUE(huge);
    EXPECT_TRUE(std::isfinite(huge->scale));
    EXPECT_GT(huge->scale, 0.0f);
  }
}

TEST(ChooseQuantParams, RejectsBadRanges) {
  EXPECT_FALSE(chooseQuantParams(std::nan(""), 1.0, kU8, false));
  EXPECT_FALSE(chooseQuantParams(0.0, kInf, kU8, false));
  EXPECT_FALSE(chooseQuantParams(2.0, 1.0, kU8, true));
}

TEST(ChooseQuantParams, ZeroIsExactAndEndpointsAreNear) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> lo(-100.0, 0.0), hi(0.0, 100.0);
  for (int i = 0; i < 20000; ++i) {
    double rmin = lo(rng), rmax = hi(rng);
    for (bool symmetric : {false, true}) {
      QuantRange range = symmetric ? kI8Narrow : kU8;
      auto p = chooseQuantParams(rmin, rmax, range, symmetric);
      ASSERT_TRUE(p);
      ASSERT_EQ(fakeQuantize(0.0f, p->scale, p->zeroPoint, range), 0.0f);
      for (double x : {rmin, rmax}) {
        float y = fakeQuantize(float(x), p->scale, p->zeroPoint, range);
        // Within half a step, plus the zero point rounding (another half).
        ASSERT_LE(std::fabs(y - x), 1.0001 * p->scale)
            << "[" << rmin << ", " << rmax << "] sym " << symmetric;
      }
    }
  }
}

//===----------------------------------------------------------------------===//
// Fixed-point multipliers
//===----------------------------------------------------------------------===//

TEST(QuantizeMultiplier, PowersOfTwo) {
  auto half = quantizeMultiplier(0.5);
  ASSERT_TRUE(half);
  EXPECT_EQ(half->multiplier, 1 << 30);
  EXPECT_EQ(half->shift, 0);
  auto one = quantizeMultiplier(1.0);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->multiplier, 1 << 30);
  EXPECT_EQ(one->shift, 1);
  auto quarter = quantizeMultiplier(0.25);
  ASSERT_TRUE(quarter);
  EXPECT_EQ(quarter->multiplier, 1 << 30);
  EXPECT_EQ(quarter->shift, -1);
}

TEST(QuantizeMultiplier, RoundingUpToTheNextPowerOfTwo) {
  auto almostOne = quantizeMultiplier(1.0 - 1e-12);
  ASSERT_TRUE(almostOne);
  EXPECT_EQ(almostOne->multiplier, 1 << 30);
  EXPECT_EQ(almostOne->shift, 1);
}

TEST(QuantizeMultiplier, EdgeCases) {
  auto zero = quantizeMultiplier(0.0);
  ASSERT_TRUE(zero);
  EXPECT_EQ(zero->multiplier, 0);
  auto tiny = quantizeMultiplier(1.0e-12);
  ASSERT_TRUE(tiny);
  EXPECT_EQ(tiny->multiplier, 0);
  EXPECT_FALSE(quantizeMultiplier(-0.5));
  EXPECT_FALSE(quantizeMultiplier(std::nan("")));
  EXPECT_FALSE(quantizeMultiplier(double(kInf)));
  EXPECT_FALSE(quantizeMultiplier(double(1 << 30)));
}

TEST(QuantizeMultiplier, RelativeErrorAndNormalization) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> logM(-9.0, 4.0);
  for (int i = 0; i < 100000; ++i) {
    double m = std::pow(10.0, logM(rng));
    auto qm = quantizeMultiplier(m);
    ASSERT_TRUE(qm);
    ASSERT_GE(qm->multiplier, int32_t(1) << 30) << m;
    ASSERT_GE(qm->shift, -31);
    ASSERT_LE(qm->shift, 30);
    ASSERT_LE(std::fabs(toReal(*qm) - m), m * std::ldexp(1.0, -31)) << m;
  }
}

TEST(FixedPoint, SaturatingRoundingDoublingHighMul) {
  constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
  constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
  EXPECT_EQ(saturatingRoundingDoublingHighMul(kMin, kMin), kMax);
  EXPECT_EQ(saturatingRoundingDoublingHighMul(1 << 30, 1 << 30), 1 << 29);
  EXPECT_EQ(saturatingRoundingDoublingHighMul(kMax, kMax), kMax - 1);
  // 3 * 2^30 / 2^31 = 1.5 rounds up; -1.5 rounds to -1 (ties toward +inf).
  EXPECT_EQ(saturatingRoundingDoublingHighMul(3, 1 << 30), 2);
  EXPECT_EQ(saturatingRoundingDoublingHighMul(-3, 1 << 30), -1);
}

TEST(FixedPoint, RoundingDivideByPOT) {
  EXPECT_EQ(roundingDivideByPOT(5, 1), 3);
  EXPECT_EQ(roundingDivideByPOT(-5, 1), -3);
  EXPECT_EQ(roundingDivideByPOT(4, 1), 2);
  EXPECT_EQ(roundingDivideByPOT(-4, 1), -2);
  EXPECT_EQ(roundingDivideByPOT(6, 2), 2);   // 1.5 -> 2
  EXPECT_EQ(roundingDivideByPOT(-6, 2), -2); // -1.5 -> -2
  EXPECT_EQ(roundingDivideByPOT(-7, 0), -7);
  EXPECT_EQ(roundingDivideByPOT(std::numeric_limits<int32_t>::min(), 31), -1);
}

/// round(x * m0 * 2^shift / 2^31), ties away from zero, exactly.
static int64_t exactRequantize(int32_t x, QuantizedMultiplier qm) {
  __int128 num = __int128(x) * qm.multiplier;
  int exponent = 31 - qm.shift;
  if (exponent <= 0)
    return static_cast<int64_t>(num << -exponent);
  __int128 den = __int128(1) << exponent;
  __int128 absNum = num < 0 ? -num : num;
  __int128 q = (absNum + den / 2) / den;
  return static_cast<int64_t>(num < 0 ? -q : q);
}

TEST(FixedPoint, AgreesWithExactRationalRounding) {
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int32_t> acc(-(1 << 24), 1 << 24);
  std::uniform_int_distribution<int32_t> wide(
      std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
  std::uniform_real_distribution<double> logM(-6.0, 0.0);
  int64_t trials = 0, exact = 0;
  for (int i = 0; i < 400000; ++i) {
    auto qm = quantizeMultiplier(std::pow(10.0, logM(rng)));
    ASSERT_TRUE(qm);
    int32_t x = (i % 4 == 0) ? wide(rng) : acc(rng);
    int64_t want = exactRequantize(x, *qm);
    int64_t got = multiplyByQuantizedMultiplier(x, *qm);
    ++trials;
    if (got == want) {
      ++exact;
      continue;
    }
    // Two roundings may differ from one by a single unit, and only when the
    // first one lands exactly on a tie of the second (double rounding).
    ASSERT_LE(std::llabs(got - want), 1)
        << "x " << x << " m0 " << qm->multiplier << " shift " << qm->shift;
    int exponent = -qm->shift;
    ASSERT_GT(exponent, 0) << "a single rounding must be exact";
    int32_t high = saturatingRoundingDoublingHighMul(x, qm->multiplier);
    int64_t mask = (int64_t(1) << exponent) - 1;
    ASSERT_EQ(int64_t(high) & mask, int64_t(1) << (exponent - 1))
        << "x " << x << " m0 " << qm->multiplier << " shift " << qm->shift;
  }
  // Most values are not next to a tie; the rest are explained above.
  EXPECT_GE(double(exact) / double(trials), 0.95) << exact << "/" << trials;
}

TEST(FixedPoint, ExactWhenNoRoundingIsNeeded) {
  // M = 2^-k divides multiples of 2^k exactly.
  for (int k = 0; k <= 20; ++k) {
    auto qm = quantizeMultiplier(std::ldexp(1.0, -k));
    ASSERT_TRUE(qm);
    for (int32_t v : {-1000, -3, 0, 1, 77, 1023})
      ASSERT_EQ(multiplyByQuantizedMultiplier(v * (int32_t(1) << k), *qm), v)
          << "k " << k << " v " << v;
  }
}

TEST(FixedPoint, PositiveShiftIsExactThenSaturates) {
  auto qm = quantizeMultiplier(1000.0);
  ASSERT_TRUE(qm);
  EXPECT_GT(qm->shift, 0);
  EXPECT_EQ(multiplyByQuantizedMultiplier(3, *qm), 3000);
  EXPECT_EQ(multiplyByQuantizedMultiplier(-(1 << 21), *qm), -2097152000);
  EXPECT_EQ(multiplyByQuantizedMultiplier(1 << 22, *qm),
            std::numeric_limits<int32_t>::max());
  EXPECT_EQ(
      multiplyByQuantizedMultiplier(std::numeric_limits<int32_t>::min(), *qm),
      std::numeric_limits<int32_t>::min());
}

TEST(Requantize, AddsZeroPointAndClamps) {
  auto qm = quantizeMultiplier(0.5);
  ASSERT_TRUE(qm);
  EXPECT_EQ(requantize(100, *qm, 10, kU8), 60);
  EXPECT_EQ(requantize(1000, *qm, 10, kU8), 255);
  EXPECT_EQ(requantize(-1000, *qm, 10, kU8), 0);
  // Without a right shift only SRDHM rounds: ties toward +infinity.
  EXPECT_EQ(requantize(-3, *qm, 0, kI8), -1);
  EXPECT_EQ(requantize(3, *qm, 0, kI8), 2);
  // With one, the last rounding is RDBPOT's: ties away from zero.
  auto quarter = quantizeMultiplier(0.25);
  ASSERT_TRUE(quarter);
  EXPECT_EQ(requantize(-6, *quarter, 0, kI8), -2);
  EXPECT_EQ(requantize(6, *quarter, 0, kI8), 2);
  EXPECT_EQ(requantize(-5, *quarter, 0, kI8), -1);
}

TEST(QuantizeBias, RoundsAndSaturates) {
  bool saturated = true;
  EXPECT_EQ(quantizeBias(0.25f, 0.1, &saturated), 2); // 2.5 -> 2
  EXPECT_FALSE(saturated);
  EXPECT_EQ(quantizeBias(-0.35f, 0.1, &saturated), -3);
  EXPECT_EQ(quantizeBias(1.0e9f, 1.0e-3, &saturated),
            std::numeric_limits<int32_t>::max());
  EXPECT_TRUE(saturated);
  EXPECT_EQ(quantizeBias(-1.0e9f, 1.0e-3, &saturated),
            std::numeric_limits<int32_t>::min());
  EXPECT_TRUE(saturated);
}

} // namespace
