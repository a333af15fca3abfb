//===- Calibrators.h - Ranges from calibration statistics -------*- C++ -*-===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Calibrators turn the statistics of one activation observer (Statistics.h)
// into the range [lo, hi] to quantize with. The formulas are at the top of
// lib/Calibration/Calibrators.cpp; in short:
//
//   minmax      [min, max]
//   ema         [emaMin, emaMax]
//   percentile  the (100-p)% and p% points of the histogram (only the upper
//               one for a non-negative tensor, lo = 0)
//   entropy     TensorRT's KL search on the histogram of |x|, with the zero
//               spike of a non-negative tensor left out and 2^bits levels
//               (one-sided) for a non-negative tensor
//   mse         the clipping threshold minimising the squared error of
//               fakeQuantize on the target grid over the histogram
//
// Every result contains 0, is finite and has lo <= hi. An observer that saw
// nothing, or saw only zeros, gives [0, 0] (chooseQuantParams then picks
// scale 1).
//
// Within a histogram bin, values are taken to be uniform over the part of the
// bin that lies inside [min, max].
//
// This is pure C++ (plus header-only LLVM ADT) on top of the numerics
// reference (qnt/Dialect/Qnt/Utils/Numerics.h).
//
//===----------------------------------------------------------------------===//

#ifndef QNT_CALIBRATION_CALIBRATORS_H
#define QNT_CALIBRATION_CALIBRATORS_H

#include "qnt/Dialect/Qnt/Utils/Numerics.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>

namespace mlir {
namespace qnt {

class ObserverStatistics;

/// An equal-width histogram: `counts[i]` covers `[lo + i*w, lo + (i+1)*w)`
/// with `w = (hi - lo) / counts.size()`.
struct HistogramView {
  llvm::ArrayRef<int64_t> counts;
  double lo = 0.0;
  double hi = 0.0;
};

/// What a calibrator looks at: the statistics of one observer. `count` is the
/// number of finite values seen; the histogram holds them all and covers
/// [min, max].
struct CalibrationInput {
  double min = 0.0;
  double max = 0.0;
  double emaMin = 0.0;
  double emaMax = 0.0;
  HistogramView hist;
  int64_t count = 0;
};

/// Views the statistics of an observer (which must outlive the view).
CalibrationInput getCalibrationInput(const ObserverStatistics &stats);

/// A real range to quantize with.
struct Range {
  double lo;
  double hi;
};

enum class Calibrator { MinMax, Ema, Percentile, Entropy, Mse };

struct CalibratorOptions {
  Calibrator kind = Calibrator::MinMax;
  /// Percentile calibrator: the percentage of values kept, in [50, 100].
  double percentile = 99.99;
  /// Entropy calibrator: bins of the |x| histogram (TensorRT: 2048), the
  /// smallest candidate threshold in bins (TensorRT: 128), and the smoothing
  /// probability given to empty bins (TensorRT: 1e-4; needs
  /// entropySmoothing * entropyBins < 1).
  int64_t entropyBins = 2048;
  int64_t entropyStartBin = 128;
  double entropySmoothing = 1e-4;
  /// Entropy calibrator, for tests only: keep the bin holding the zeros of a
  /// non-negative tensor (the naive search; see DESIGN.md, KL pitfall).
  bool entropyKeepZeroBin = false;
  /// MSE calibrator: number of candidate thresholds, max|x| * k / n for
  /// k = 1..n.
  int64_t mseCandidates = 1024;
  /// The target integer grid and scheme (entropy: number of levels; mse: the
  /// quantizer whose error is measured).
  QuantRange grid = {0, 255};
  bool symmetric = false;
};

/// Returns the range to quantize the observed values with; see the file
/// comment. Returns std::nullopt on invalid options or inconsistent statistics
/// (non-finite or inverted min/max, bad histogram bounds, negative counts),
/// with the reason in `why`. On success, `why` (if given) receives a note when
/// the calibrator had to fall back (e.g. to min/max on an empty histogram),
/// and is cleared otherwise.
std::optional<Range> calibrate(const CalibrationInput &input,
                               const CalibratorOptions &options,
                               std::string *why = nullptr);

/// Parses "minmax", "ema", "percentile", "entropy" or "mse".
std::optional<Calibrator> parseCalibrator(llvm::StringRef name);

/// The name parseCalibrator accepts.
llvm::StringRef stringifyCalibrator(Calibrator kind);

} // namespace qnt
} // namespace mlir

#endif // QNT_CALIBRATION_CALIBRATORS_H
