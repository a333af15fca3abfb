//===- StatisticsTest.cpp - Tests of the calibration statistics -----------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "qnt/Calibration/Statistics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

using mlir::qnt::ObserverStatistics;

namespace {

constexpr int64_t kBins = ObserverStatistics::kNumBins;

/// The histogram of all finite `values` computed directly on the grid the
/// statistics ended with.
static std::vector<int64_t> directHistogram(const ObserverStatistics &stats,
                                            const std::vector<float> &values) {
  double width = (stats.getHistogramMax() - stats.getHistogramMin()) / kBins;
  int exponent = std::ilogb(width);
  EXPECT_EQ(std::ldexp(1.0, exponent), width) << "bin width is a power of 2";
  int64_t offset =
      static_cast<int64_t>(std::ldexp(stats.getHistogramMin(), -exponent));
  std::vector<int64_t> counts(kBins, 0);
  for (float v : values) {
    if (!std::isfinite(v))
      continue;
    int64_t bin =
        static_cast<int64_t>(std::floor(std::ldexp(double(v), -exponent)));
    EXPECT_GE(bin - offset, 0);
    EXPECT_LT(bin - offset, kBins);
    ++counts[bin - offset];
  }
  return counts;
}

static std::vector<std::vector<float>> randomSamples(std::mt19937 &rng,
                                                     int samples, int size) {
  std::vector<std::vector<float>> out(samples, std::vector<float>(size));
  for (int s = 0; s < samples; ++s) {
    // Ranges that grow by orders of magnitude, and shift sign.
    double scale = std::pow(10.0, s % 7 - 2);
    std::normal_distribution<float> dist(s % 3 == 0 ? -scale : scale / 3,
                                         scale);
    for (float &v : out[s])
      v = dist(rng);
  }
  return out;
}

TEST(ObserverStatistics, HistogramEqualsDirectHistogram) {
  std::mt19937 rng(5);
  auto samples = randomSamples(rng, 40, 500);
  ObserverStatistics stats;
  std::vector<float> all;
  for (auto &s : samples) {
    stats.addSample(s.data(), s.size());
    all.insert(all.end(), s.begin(), s.end());
  }
  EXPECT_EQ(stats.getCount(), 40 * 500);
  EXPECT_EQ(stats.getMin(), *std::min_element(all.begin(), all.end()));
  EXPECT_EQ(stats.getMax(), *std::max_element(all.begin(), all.end()));
  EXPECT_LE(stats.getHistogramMin(), stats.getMin());
  EXPECT_GE(stats.getHistogramMax(), stats.getMax());
  EXPECT_EQ(stats.getHistogram(), directHistogram(stats, all));
}

TEST(ObserverStatistics, HistogramDoesNotDependOnSampleOrder) {
  std::mt19937 rng(6);
  auto samples = randomSamples(rng, 30, 200);
  ObserverStatistics forward, backward;
  for (auto &s : samples)
    forward.addSample(s.data(), s.size());
  for (auto it = samples.rbegin(); it != samples.rend(); ++it)
    backward.addSample(it->data(), it->size());
  EXPECT_EQ(forward.getHistogram(), backward.getHistogram());
  EXPECT_EQ(forward.getHistogramMin(), backward.getHistogramMin());
  EXPECT_EQ(forward.getHistogramMax(), backward.getHistogramMax());
  EXPECT_EQ(forward.getMin(), backward.getMin());
  EXPECT_EQ(forward.getMax(), backward.getMax());
}

TEST(ObserverStatistics, MovingAveragePerSample) {
  float a[] = {-1.0f, 2.0f}, b[] = {-3.0f, 4.0f}, c[] = {0.5f, 1.0f};
  ObserverStatistics stats;
  stats.addSample(a, 2);
  EXPECT_EQ(stats.getEmaMin(), -1.0);
  EXPECT_EQ(stats.getEmaMax(), 2.0);
  stats.addSample(b, 2);
  stats.addSample(c, 2);
  double emaMin = -1.0, emaMax = 2.0;
  emaMin += 0.01 * (-3.0 - emaMin);
  emaMax += 0.01 * (4.0 - emaMax);
  emaMin += 0.01 * (0.5 - emaMin);
  emaMax += 0.01 * (1.0 - emaMax);
  EXPECT_EQ(stats.getEmaMin(), emaMin);
  EXPECT_EQ(stats.getEmaMax(), emaMax);
}

TEST(ObserverStatistics, NanAndInfAreCountedAndLeftOut) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  float values[] = {nan, 1.0f, -inf, 3.0f, inf, nan};
  ObserverStatistics stats;
  stats.addSample(values, 6);
  EXPECT_EQ(stats.getCount(), 2);
  EXPECT_EQ(stats.getNanCount(), 2);
  EXPECT_EQ(stats.getInfCount(), 2);
  EXPECT_EQ(stats.getMin(), 1.0);
  EXPECT_EQ(stats.getMax(), 3.0);
  int64_t total = 0;
  for (int64_t c : stats.getHistogram())
    total += c;
  EXPECT_EQ(total, 2);
}

TEST(ObserverStatistics, OnlyNonFiniteValues) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  float values[] = {nan, nan};
  ObserverStatistics stats;
  stats.addSample(values, 2);
  EXPECT_EQ(stats.getCount(), 0);
  EXPECT_EQ(stats.getNanCount(), 2);
  EXPECT_TRUE(stats.getHistogram().empty());
  EXPECT_EQ(stats.getMin(), 0.0);
}

TEST(ObserverStatistics, ZeroRange) {
  std::vector<float> zeros(100, 0.0f);
  ObserverStatistics stats;
  stats.addSample(zeros.data(), zeros.size());
  stats.addSample(zeros.data(), zeros.size());
  EXPECT_EQ(stats.getMin(), 0.0);
  EXPECT_EQ(stats.getMax(), 0.0);
  EXPECT_LE(stats.getHistogramMin(), 0.0);
  EXPECT_GT(stats.getHistogramMax(), 0.0);
  EXPECT_EQ(stats.getHistogram()[0], 200);
}

TEST(ObserverStatistics, HugeGrowthKeepsEveryCount) {
  float tiny[] = {1e-30f, 2e-30f}, huge[] = {-3e30f, 1e30f};
  ObserverStatistics stats;
  stats.addSample(tiny, 2);
  stats.addSample(huge, 2);
  int64_t total = 0;
  for (int64_t c : stats.getHistogram())
    total += c;
  EXPECT_EQ(total, 4);
  EXPECT_EQ(stats.getHistogram(),
            directHistogram(stats, {1e-30f, 2e-30f, -3e30f, 1e30f}));
}

} // namespace
