//===- Statistics.h - Calibration statistics of one observer ----*- C++ -*-===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// What calibration records at one quantization point, updated one sample
// (one slice along the batch dimension) at a time, in data order:
//
//   min, max       of the finite values;
//   ema_min/max    ema += 0.01 * (sample_min - ema), started at the first
//                  sample (PyTorch's MovingAverageMinMaxObserver with one
//                  sample per update);
//   histogram      2048 bins of width 2^e over [o * 2^e, (o + 2048) * 2^e]:
//                  e = max(smallest e with floor(max/2^e) - floor(min/2^e)
//                  < 2048, ilogb(max(|min|, |max|)) - 11), o = floor(min/2^e).
//
// When the range grows, e grows and pairs of bins merge: every old bin lies
// inside one new bin, so no count is lost or split, and the final histogram is
// exactly the direct histogram of all values on the final grid. It depends on
// the data and not on how samples were grouped into batches. NaN and +-Inf
// are counted and left out of every statistic.
//
//===----------------------------------------------------------------------===//

#ifndef QNT_CALIBRATION_STATISTICS_H
#define QNT_CALIBRATION_STATISTICS_H

#include <cstdint>
#include <vector>

namespace mlir {
namespace qnt {

class ObserverStatistics {
public:
  static constexpr int64_t kNumBins = 2048;
  static constexpr double kEmaConstant = 0.01;

  /// Adds one sample of `size` values.
  void addSample(const float *values, int64_t size);

  int64_t getCount() const { return count; }
  int64_t getNanCount() const { return nanCount; }
  int64_t getInfCount() const { return infCount; }
  /// 0 when no finite value was seen.
  double getMin() const { return count ? min : 0.0; }
  double getMax() const { return count ? max : 0.0; }
  double getEmaMin() const { return count ? emaMin : 0.0; }
  double getEmaMax() const { return count ? emaMax : 0.0; }
  /// Empty when no finite value was seen.
  const std::vector<int64_t> &getHistogram() const { return histogram; }
  double getHistogramMin() const;
  double getHistogramMax() const;

private:
  /// Makes the histogram window cover [min, max], merging bins as needed.
  void cover();

  int64_t count = 0, nanCount = 0, infCount = 0;
  double min = 0.0, max = 0.0, emaMin = 0.0, emaMax = 0.0;
  /// Bin width 2^exponent; the window holds absolute bins
  /// [offset, offset + kNumBins), absolute bin of x = floor(x / 2^exponent).
  int exponent = 0;
  int64_t offset = 0;
  std::vector<int64_t> histogram;
};

} // namespace qnt
} // namespace mlir

#endif // QNT_CALIBRATION_STATISTICS_H
