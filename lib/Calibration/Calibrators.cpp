//===- Calibrators.cpp - Ranges from calibration statistics ---------------===//
//
// Part of the quantization compiler, under the Apache License v2.0 with LLVM
// Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Notation: min, max, emaMin, emaMax and the histogram h[0..n) of one
// observer; w = (hi - lo) / n; N = sum h. A tensor is non-negative when
// min >= 0. min0 = min(min, 0), max0 = max(max, 0), amax = max(-min0, max0).
//
// Bins. The values of bin i lie in [lo + i*w, lo + (i+1)*w) and in
// [min, max], so bin i is taken to hold h[i] values spread uniformly over its
// span [u_i, v_i] = [clamp(lo + i*w, min, max), clamp(lo + (i+1)*w, min, max)]
// (a point when u_i == v_i). Its representative value is c_i = u_i/2 + v_i/2.
//
// Clipping a tensor at t > 0: [-min(t, -min0), min(t, max0)], i.e. [min, max]
// extended to contain 0 and clipped to [-t, t]; for a non-negative tensor
// this is [0, min(t, max)].
//
//   minmax      [min0, max0]
//   ema         [min(emaMin, 0), max(emaMax, 0)]
//   percentile  Q(f) = u_i + (f*N - C_i) / h[i] * (v_i - u_i), where i is the
//               first non-empty bin with C_i + h[i] >= f*N and C_i = sum of
//               h[0..i) (the CDF of the bins' uniform spreads);
//               hi = Q(p/100), lo = non-negative ? 0 : Q((100-p)/100);
//               then extended to contain 0.
//   entropy     TensorRT's KL search, on a histogram of |x|:
//               1. Re-binning: g[0..B) over [0, amax], B = entropyBins. Each
//                  bin's spread [u_i, v_i] is folded at 0 (a part [u, 0]
//                  becomes [0, -u], keeping its share of h[i]) and every
//                  piece's count is split over the bins of g in proportion
//                  to the overlap (positions x / amax * B); a point goes
//                  whole to bin min(floor(x / amax * B), B-1). g is real.
//               2. Zero bin: for a non-negative tensor with min == 0 (it holds
//                  exact zeros, e.g. post-ReLU), the source bin containing 0
//                  is left out before re-binning. We only have bins, so this
//                  also drops the few positive values in [0, w), w <= amax /
//                  1024; the spike of zeros otherwise drags the threshold to
//                  a fraction of max (DESIGN.md, first KL pitfall).
//               3. Levels L: signed tensor (qmax-qmin+1)/2 (128 for 8 bits,
//                  TensorRT's |x| levels); non-negative tensor, one-sided:
//                  qmax-qmin+1 (256) for the asymmetric scheme, and
//                  min(z-qmin, qmax-z)+1 for the symmetric one (the levels
//                  [0, t] really gets).
//               4. For i = entropyStartBin..B:
//                    P = g[0..i), P[i-1] += sum g[i..B)       (clipped mass)
//                    Q: groups G_j = [floor(j*i/L), floor((j+1)*i/L)),
//                       j < L: every bin in exactly one group, groups of
//                       floor(i/L) or ceil(i/L) bins. (Groups of i/L bins
//                       with the i mod L remainder bins mishandled, or all
//                       put into the last group, as in the usual copies of
//                       TensorRT's pseudo-code, get the last level wrong:
//                       for i = 255, L = 128 it would span 128 bins.)
//                       Q[k] = sum g[G_j] / #{m in G_j: P[m] != 0} if
//                       P[k] != 0 else 0, for k in G_j.
//                       As in TensorRT, Q quantizes g[0..i) without the
//                       clipped mass. With L >= i, Q = g[0..i).
//                    smooth(X) = X / sum X, then each zero entry becomes
//                       eps = entropySmoothing and each non-zero one is
//                       scaled by (1 - eps * #zeros): the mass comes from the
//                       non-zero bins in proportion, so it never goes
//                       negative (TensorRT/MXNet subtract an equal share,
//                       which can on fractional counts).
//                    KL_i = sum_k P'[k] log(P'[k] / Q'[k]) with P', Q' the
//                       smoothed P, Q; +inf when Q is all zero.
//                  i* = the first i with the smallest KL_i;
//                  t = amax * (i* / B), the upper edge of P's last bin (so
//                  nothing P kept is clipped).
//               5. The range clipped at t. If nothing is left after step 2
//                  (all values in the zero bin), t = amax.
//   mse         For t_k = amax * (k / K), k = 1..K (K = mseCandidates): the
//               range clipped at t_k, (s, z) = chooseQuantParams(range, grid,
//               symmetric), E_k = sum over bins in order of
//               h[i] * (c_i - fakeQuantize(float(c_i), s, z, grid))^2, which
//               clamps to the grid. The largest t_k with the smallest E_k.
//               amax > FLT_MAX (not float data) falls back to min/max.
//
// Special cases: count == 0 or amax == 0 gives [0, 0]. A histogram calibrator
// on an empty histogram (no bins, or N == 0) with count > 0 falls back to
// minmax and says so. Results are finite, and zeros are +0.0.
//
//===----------------------------------------------------------------------===//

#include "qnt/Calibration/Calibrators.h"

#include "qnt/Calibration/Statistics.h"

#include "llvm/ADT/StringSwitch.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

using namespace mlir;
using namespace mlir::qnt;

static constexpr double kInf = std::numeric_limits<double>::infinity();

static void setWhy(std::string *why, const std::string &message) {
  if (why)
    *why = message;
}

static Range extendToZero(double lo, double hi) {
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  // No -0.0 in results.
  return {lo == 0.0 ? 0.0 : lo, hi == 0.0 ? 0.0 : hi};
}

static bool isNonNegative(const CalibrationInput &input) {
  return input.min >= 0.0;
}

static double getAbsMax(const CalibrationInput &input) {
  return std::max(-std::min(input.min, 0.0), std::max(input.max, 0.0));
}

/// The range of `input` clipped at `t` (see the file comment).
static Range clipAt(const CalibrationInput &input, double t) {
  double min0 = std::min(input.min, 0.0), max0 = std::max(input.max, 0.0);
  return extendToZero(-std::min(t, -min0), std::min(t, max0));
}

namespace {
/// A histogram with the span of each bin inside [min, max].
class Bins {
public:
  explicit Bins(const CalibrationInput &input) : input(input) {
    double n = double(input.hist.counts.size());
    width = (input.hist.hi - input.hist.lo) / n;
    if (!std::isfinite(width)) // hi - lo overflows
      width = input.hist.hi / n - input.hist.lo / n;
  }

  int64_t size() const { return input.hist.counts.size(); }
  int64_t count(int64_t i) const { return input.hist.counts[i]; }

  /// [u_i, v_i].
  std::pair<double, double> span(int64_t i) const {
    return {clampToData(input.hist.lo + double(i) * width),
            clampToData(input.hist.lo + double(i + 1) * width)};
  }

  /// The index of the bin containing 0, or -1.
  int64_t getZeroBin() const {
    double position = std::floor(-input.hist.lo / width);
    if (!(position >= 0.0 && position < double(size())))
      return -1;
    return static_cast<int64_t>(position);
  }

private:
  double clampToData(double x) const {
    return std::clamp(x, input.min, input.max);
  }

  const CalibrationInput &input;
  double width;
};
} // namespace

//===----------------------------------------------------------------------===//
// Percentile
//===----------------------------------------------------------------------===//

/// The value below which a fraction `f` of the histogram's `total` counts lie.
static double getQuantile(const Bins &bins, double f, int64_t total) {
  double target = f * double(total);
  double before = 0.0;
  double last = 0.0;
  for (int64_t i = 0, e = bins.size(); i < e; ++i) {
    if (bins.count(i) == 0)
      continue;
    double c = double(bins.count(i));
    auto [u, v] = bins.span(i);
    if (before + c >= target) {
      double fraction = std::clamp((target - before) / c, 0.0, 1.0);
      return u + fraction * (v - u);
    }
    before += c;
    last = v;
  }
  return last; // only reachable through rounding of f * total
}

static Range calibratePercentile(const CalibrationInput &input,
                                 const CalibratorOptions &options,
                                 int64_t total) {
  Bins bins(input);
  double hi = getQuantile(bins, options.percentile / 100.0, total);
  double lo =
      isNonNegative(input)
          ? 0.0
          : getQuantile(bins, (100.0 - options.percentile) / 100.0, total);
  return extendToZero(lo, hi);
}

//===----------------------------------------------------------------------===//
// Entropy
//===----------------------------------------------------------------------===//

/// Adds `mass` spread uniformly over [a, b] (0 <= a <= b <= amax) to `g`.
static void spreadAbs(std::vector<double> &g, double a, double b, double amax,
                      double mass) {
  int64_t numBins = g.size();
  double pa = a / amax * double(numBins), pb = b / amax * double(numBins);
  if (!(pb > pa)) {
    int64_t k = std::min(static_cast<int64_t>(std::floor(pa)), numBins - 1);
    g[k] += mass;
    return;
  }
  int64_t first = static_cast<int64_t>(std::floor(pa));
  int64_t last = std::min(static_cast<int64_t>(std::ceil(pb)) - 1, numBins - 1);
  double length = pb - pa;
  for (int64_t k = first; k <= last; ++k) {
    double overlap = std::min(pb, double(k + 1)) - std::max(pa, double(k));
    if (overlap > 0.0)
      g[k] += mass * (overlap / length);
  }
}

/// The histogram of |x| with `numBins` bins over [0, amax], leaving out bin
/// `skipBin` of the source (-1: none).
static std::vector<double> rebinAbs(const Bins &bins, int64_t numBins,
                                    double amax, int64_t skipBin) {
  std::vector<double> g(numBins, 0.0);
  for (int64_t i = 0, e = bins.size(); i < e; ++i) {
    if (bins.count(i) == 0 || i == skipBin)
      continue;
    double c = double(bins.count(i));
    auto [u, v] = bins.span(i);
    if (u >= 0.0) {
      spreadAbs(g, u, v, amax, c);
    } else if (v <= 0.0) {
      spreadAbs(g, -v, -u, amax, c);
    } else {
      // Straddles 0: v - u > 0 and finite (at most one bin wide).
      double length = v - u;
      spreadAbs(g, 0.0, -u, amax, c * (-u / length));
      spreadAbs(g, 0.0, v, amax, c * (v / length));
    }
  }
  return g;
}

/// Normalizes `x` and gives each zero entry probability `eps`, taking it from
/// the non-zero entries in proportion. `x` must not be all zero.
static void smooth(std::vector<double> &x, double eps) {
  double sum = 0.0;
  int64_t zeros = 0;
  for (double v : x) {
    sum += v;
    zeros += v == 0.0;
  }
  double keep = 1.0 - eps * double(zeros);
  for (double &v : x)
    v = v == 0.0 ? eps : v / sum * keep;
}

/// KL(P || Q) of the smoothed distributions; +inf when Q is all zero.
static double getKlDivergence(std::vector<double> &p, std::vector<double> &q,
                              double eps) {
  if (std::all_of(q.begin(), q.end(), [](double v) { return v == 0.0; }))
    return kInf;
  smooth(p, eps);
  smooth(q, eps);
  double kl = 0.0;
  for (size_t k = 0, e = p.size(); k < e; ++k)
    kl += p[k] * std::log(p[k] / q[k]);
  return kl;
}

static int64_t getEntropyLevels(const CalibratorOptions &options,
                                bool nonNegative) {
  QuantRange grid = options.grid;
  int64_t all = grid.qmax - grid.qmin + 1;
  if (!nonNegative)
    return all / 2;
  if (!options.symmetric)
    return all;
  int64_t zeroPoint = grid.qmin < 0 ? 0 : (grid.qmin + grid.qmax + 1) / 2;
  return std::min(zeroPoint - grid.qmin, grid.qmax - zeroPoint) + 1;
}

/// The number of bins i* of the |x| histogram `g` below the KL threshold, or
/// 0 when `g` is empty.
static int64_t searchEntropyThreshold(const std::vector<double> &g,
                                      int64_t startBin, int64_t levels,
                                      double eps) {
  int64_t numBins = g.size();
  // outliers[i] = sum g[i..B).
  std::vector<double> outliers(numBins + 1, 0.0);
  for (int64_t k = numBins - 1; k >= 0; --k)
    outliers[k] = outliers[k + 1] + g[k];
  if (outliers[0] == 0.0)
    return 0;

  double bestKl = kInf;
  int64_t best = numBins;
  std::vector<double> p, q;
  for (int64_t i = startBin; i <= numBins; ++i) {
    p.assign(g.begin(), g.begin() + i);
    p[i - 1] += outliers[i];
    if (levels >= i) {
      q.assign(g.begin(), g.begin() + i);
    } else {
      q.assign(i, 0.0);
      for (int64_t j = 0; j < levels; ++j) {
        int64_t begin = j * i / levels, end = (j + 1) * i / levels;
        double mass = 0.0;
        int64_t nonZero = 0;
        for (int64_t k = begin; k < end; ++k) {
          mass += g[k];
          nonZero += p[k] != 0.0;
        }
        if (nonZero == 0)
          continue; // then mass == 0 too: g[k] > 0 implies p[k] > 0
        double share = mass / double(nonZero);
        for (int64_t k = begin; k < end; ++k)
          q[k] = p[k] != 0.0 ? share : 0.0;
      }
    }
    double kl = getKlDivergence(p, q, eps);
    if (kl < bestKl) {
      bestKl = kl;
      best = i;
    }
  }
  return best;
}

static Range calibrateEntropy(const CalibrationInput &input,
                              const CalibratorOptions &options,
                              std::string *why) {
  Bins bins(input);
  bool nonNegative = isNonNegative(input);
  double amax = getAbsMax(input);
  int64_t skipBin = -1;
  if (nonNegative && input.min == 0.0 && !options.entropyKeepZeroBin)
    skipBin = bins.getZeroBin();
  std::vector<double> g = rebinAbs(bins, options.entropyBins, amax, skipBin);
  int64_t levels = getEntropyLevels(options, nonNegative);
  int64_t bestBin = searchEntropyThreshold(g, options.entropyStartBin, levels,
                                           options.entropySmoothing);
  if (bestBin == 0) {
    setWhy(why, "entropy: no values outside the zero bin; kept max");
    return clipAt(input, amax);
  }
  double t =
      std::min(amax * (double(bestBin) / double(options.entropyBins)), amax);
  return clipAt(input, t);
}

//===----------------------------------------------------------------------===//
// MSE
//===----------------------------------------------------------------------===//

static Range calibrateMse(const CalibrationInput &input,
                          const CalibratorOptions &options, std::string *why) {
  double amax = getAbsMax(input);
  if (amax > double(FLT_MAX)) {
    setWhy(why, "mse: values beyond the float range; fell back to min/max");
    return extendToZero(input.min, input.max);
  }
  // The non-empty bins: counts and representative values.
  Bins bins(input);
  std::vector<double> counts, centers;
  for (int64_t i = 0, e = bins.size(); i < e; ++i) {
    if (bins.count(i) == 0)
      continue;
    auto [u, v] = bins.span(i);
    counts.push_back(double(bins.count(i)));
    centers.push_back(0.5 * u + 0.5 * v);
  }

  int64_t numCandidates = options.mseCandidates;
  double bestError = kInf;
  Range best = clipAt(input, amax);
  for (int64_t k = 1; k <= numCandidates; ++k) {
    double t = amax * (double(k) / double(numCandidates));
    Range range = clipAt(input, t);
    std::optional<QuantParams> params =
        chooseQuantParams(range.lo, range.hi, options.grid, options.symmetric);
    if (!params)
      continue;
    double error = 0.0;
    for (size_t b = 0, e = counts.size(); b < e; ++b) {
      float fq = fakeQuantize(static_cast<float>(centers[b]), params->scale,
                              params->zeroPoint, options.grid);
      double diff = centers[b] - double(fq);
      double term = counts[b] * (diff * diff);
      error += term;
    }
    if (std::isnan(error))
      continue;
    if (error <= bestError) {
      bestError = error;
      best = range;
    }
  }
  return best;
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

/// Checks the options of the chosen calibrator; returns the problem or "".
static std::string checkOptions(const CalibratorOptions &options) {
  switch (options.kind) {
  case Calibrator::MinMax:
  case Calibrator::Ema:
    return "";
  case Calibrator::Percentile:
    if (!(options.percentile >= 50.0 && options.percentile <= 100.0))
      return "percentile must be in [50, 100]";
    return "";
  case Calibrator::Entropy:
    if (options.entropyBins < 1 || options.entropyBins > 8192)
      return "entropy bins must be in [1, 8192]";
    if (options.entropyStartBin < 1 ||
        options.entropyStartBin > options.entropyBins)
      return "entropy start bin must be in [1, entropy bins]";
    if (!(options.entropySmoothing > 0.0 &&
          options.entropySmoothing * double(options.entropyBins) < 1.0))
      return "entropy smoothing must be in (0, 1 / entropy bins)";
    break;
  case Calibrator::Mse:
    if (options.mseCandidates < 1 || options.mseCandidates > (1 << 16))
      return "mse candidates must be in [1, 65536]";
    break;
  }
  if (options.grid.qmin >= options.grid.qmax ||
      options.grid.qmax - options.grid.qmin > (int64_t(1) << 32))
    return "the integer grid must have qmin < qmax and at most 2^32 levels";
  return "";
}

/// Checks the histogram; returns the problem or "". Sets `total` to N.
static std::string checkHistogram(const HistogramView &hist, int64_t &total) {
  total = 0;
  if (hist.counts.empty())
    return "";
  if (!std::isfinite(hist.lo) || !std::isfinite(hist.hi) ||
      !(hist.lo < hist.hi))
    return "histogram bounds must be finite with lo < hi";
  for (int64_t c : hist.counts) {
    if (c < 0)
      return "histogram has a negative count";
    if (c > std::numeric_limits<int64_t>::max() - total)
      return "histogram counts overflow";
    total += c;
  }
  return "";
}

namespace mlir {
namespace qnt {

CalibrationInput getCalibrationInput(const ObserverStatistics &stats) {
  CalibrationInput input;
  input.min = stats.getMin();
  input.max = stats.getMax();
  input.emaMin = stats.getEmaMin();
  input.emaMax = stats.getEmaMax();
  input.hist.counts = stats.getHistogram();
  input.hist.lo = stats.getHistogramMin();
  input.hist.hi = stats.getHistogramMax();
  input.count = stats.getCount();
  return input;
}

std::optional<Range> calibrate(const CalibrationInput &input,
                               const CalibratorOptions &options,
                               std::string *why) {
  setWhy(why, "");
  auto fail = [&](const std::string &message) -> std::optional<Range> {
    setWhy(why,
           std::string(stringifyCalibrator(options.kind)) + ": " + message);
    return std::nullopt;
  };
  if (std::string problem = checkOptions(options); !problem.empty())
    return fail(problem);
  if (input.count < 0)
    return fail("negative count");
  if (input.count == 0)
    return Range{0.0, 0.0};
  if (!std::isfinite(input.min) || !std::isfinite(input.max) ||
      !(input.min <= input.max))
    return fail("min and max must be finite with min <= max");

  switch (options.kind) {
  case Calibrator::MinMax:
    return extendToZero(input.min, input.max);
  case Calibrator::Ema:
    if (!std::isfinite(input.emaMin) || !std::isfinite(input.emaMax))
      return fail("EMA min and max must be finite");
    return extendToZero(input.emaMin, input.emaMax);
  case Calibrator::Percentile:
  case Calibrator::Entropy:
  case Calibrator::Mse:
    break;
  }
  int64_t total;
  if (std::string problem = checkHistogram(input.hist, total); !problem.empty())
    return fail(problem);
  if (getAbsMax(input) == 0.0)
    return Range{0.0, 0.0};
  if (total == 0) {
    setWhy(why, std::string(stringifyCalibrator(options.kind)) +
                    ": empty histogram; fell back to min/max");
    return extendToZero(input.min, input.max);
  }

  switch (options.kind) {
  case Calibrator::Percentile:
    return calibratePercentile(input, options, total);
  case Calibrator::Entropy:
    return calibrateEntropy(input, options, why);
  case Calibrator::Mse:
    return calibrateMse(input, options, why);
  default:
    break;
  }
  return std::nullopt; // unreachable
}

std::optional<Calibrator> parseCalibrator(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<Calibrator>>(name)
      .Case("minmax", Calibrator::MinMax)
      .Case("ema", Calibrator::Ema)
      .Case("percentile", Calibrator::Percentile)
      .Case("entropy", Calibrator::Entropy)
      .Case("mse", Calibrator::Mse)
      .Default(std::nullopt);
}

llvm::StringRef stringifyCalibrator(Calibrator kind) {
  switch (kind) {
  case Calibrator::MinMax:
    return "minmax";
  case Calibrator::Ema:
    return "ema";
  case Calibrator::Percentile:
    return "percentile";
  case Calibrator::Entropy:
    return "entropy";
  case Calibrator::Mse:
    return "mse";
  }
  return "unknown";
}

} // namespace qnt
} // namespace mlir
