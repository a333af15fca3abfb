//===- Statistics.cpp - Calibration statistics of one observer ------------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// See Statistics.h for the definitions. Bin indices are computed as
// floor(ldexp(double(x), -e)): scaling a float by a power of two in double is
// exact, so every value lands in the same bin however the histogram got there.
//
//===----------------------------------------------------------------------===//

#include "qnt/Calibration/Statistics.h"

#include <algorithm>
#include <cassert>
#include <cfloat>
#include <cmath>

using namespace mlir::qnt;

/// Absolute bin of `x` at width 2^exponent.
static int64_t getBin(double x, int exponent) {
  return static_cast<int64_t>(std::floor(std::ldexp(x, -exponent)));
}

/// The canonical exponent for values in [lo, hi] (see Statistics.h).
static int getExponent(double lo, double hi) {
  double maxAbs = std::max({std::fabs(lo), std::fabs(hi), double(FLT_MIN)});
  int exponent = std::ilogb(maxAbs) - 11;
  while (getBin(hi, exponent) - getBin(lo, exponent) >=
         ObserverStatistics::kNumBins)
    ++exponent;
  return exponent;
}

void ObserverStatistics::cover() {
  int target = getExponent(min, max);
  if (histogram.empty()) {
    exponent = target;
    offset = getBin(min, exponent);
    histogram.assign(kNumBins, 0);
    return;
  }
  assert(target >= exponent && "the range only grows");
  // Merge pairs of bins until the width is right: absolute bin a -> a / 2
  // (floor division), which keeps every old bin inside one new bin.
  while (exponent < target) {
    std::vector<int64_t> merged(kNumBins, 0);
    int64_t newOffset =
        getBin(std::ldexp(double(offset), exponent), exponent + 1);
    for (int64_t i = 0; i < kNumBins; ++i) {
      if (!histogram[i])
        continue;
      int64_t a = offset + i;
      int64_t merged_a = a >= 0 ? a / 2 : -((-a + 1) / 2);
      merged[merged_a - newOffset] += histogram[i];
    }
    histogram = std::move(merged);
    offset = newOffset;
    ++exponent;
  }
  // Slide the window to start at the bin of min: the bins it leaves hold
  // nothing, since every value seen lies in [min, max].
  int64_t newOffset = getBin(min, exponent);
  if (newOffset == offset)
    return;
  std::vector<int64_t> moved(kNumBins, 0);
  for (int64_t i = 0; i < kNumBins; ++i) {
    if (!histogram[i])
      continue;
    int64_t j = offset + i - newOffset;
    assert(j >= 0 && j < kNumBins && "a non-empty bin left the window");
    moved[j] = histogram[i];
  }
  histogram = std::move(moved);
  offset = newOffset;
}

void ObserverStatistics::addSample(const float *values, int64_t size) {
  float sampleMin = INFINITY, sampleMax = -INFINITY;
  int64_t finite = 0;
  for (int64_t i = 0; i < size; ++i) {
    float v = values[i];
    if (std::isnan(v)) {
      ++nanCount;
    } else if (std::isinf(v)) {
      ++infCount;
    } else {
      sampleMin = std::min(sampleMin, v);
      sampleMax = std::max(sampleMax, v);
      ++finite;
    }
  }
  if (!finite)
    return;

  if (count == 0) {
    min = sampleMin;
    max = sampleMax;
    emaMin = sampleMin;
    emaMax = sampleMax;
  } else {
    min = std::min(min, double(sampleMin));
    max = std::max(max, double(sampleMax));
    emaMin += kEmaConstant * (sampleMin - emaMin);
    emaMax += kEmaConstant * (sampleMax - emaMax);
  }
  count += finite;

  cover();
  for (int64_t i = 0; i < size; ++i)
    if (std::isfinite(values[i]))
      ++histogram[getBin(values[i], exponent) - offset];
}

double ObserverStatistics::getHistogramMin() const {
  return histogram.empty() ? 0.0 : std::ldexp(double(offset), exponent);
}

double ObserverStatistics::getHistogramMax() const {
  return histogram.empty() ? 0.0
                           : std::ldexp(double(offset + kNumBins), exponent);
}
