#!/usr/bin/python3
# ===- calibrators_reference.py - numpy reference of the calibrators -----=== #
#
# Part of the quantization compiler, under the Apache License v2.0 with LLVM
# Exceptions. SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# ===---------------------------------------------------------------------=== #
"""numpy reference of the calibrators in lib/Calibration/Calibrators.cpp.

Written from the semantics documented at the top of Calibrators.cpp, in
numpy's own style (matrices, cumulative sums, closed forms), not translated
from the C++. It builds fixed test histograms deterministically, computes the
range every calibrator gives on each, and writes CalibratorsReference.inc,
which CalibratorsTest.cpp includes:

    /usr/bin/python3 calibrators_reference.py [--out PATH] [--verbose]

test/Calibration/calibrators-reference.test regenerates the file and diffs it
against the committed one.

Where floating-point summation order could decide an argmin, the script checks
that it cannot: the entropy search must win by a clear relative margin (the
C++ sums in another order), and the MSE errors are summed sequentially in bin
order, which is part of the documented semantics, so exact ties resolve the
same way (to the larger threshold) on both sides.
"""

import argparse
import math
import os
import sys

import numpy as np

F32 = np.float32
F32_MAX = float(np.finfo(np.float32).max)
F32_TINY = float(np.finfo(np.float32).tiny)
NUM_BINS = 2048  # ObserverStatistics::kNumBins
EMA = 0.01

# The options of the C++ defaults.
ENTROPY_BINS = 2048
ENTROPY_START = 128
ENTROPY_EPS = 1e-4
MSE_CANDIDATES = 1024

# Relative KL margin the entropy winner must have over every other candidate.
KL_MARGIN = 1e-9


# ===------------------------------------------------------------------=== #
# The numerics contract (qnt/Dialect/Qnt/Utils/Numerics.h), vectorized.
# ===------------------------------------------------------------------=== #


def to_float_scale(scale):
    return F32(min(max(scale, F32_TINY), F32_MAX))


def choose_quant_params(rmin, rmax, qmin, qmax, symmetric):
    rmin, rmax = min(rmin, 0.0), max(rmax, 0.0)
    if symmetric:
        zero_point = 0 if qmin < 0 else (qmin + qmax + 1) // 2
        amax = max(-rmin, rmax)
        half = float(min(zero_point - qmin, qmax - zero_point))
        return (F32(1.0) if amax == 0.0 else to_float_scale(amax / half),
                zero_point)
    if rmax - rmin == 0.0:
        return F32(1.0), qmin
    scale = to_float_scale((rmax - rmin) / float(qmax - qmin))
    zero_point = float(qmin) - round(rmin / float(scale))  # ties to even
    return scale, int(min(max(zero_point, qmin), qmax))


def fake_quantize(x, scale, zero_point, qmin, qmax):
    """float32 QuantizeLinear then DequantizeLinear of the doubles x."""
    scaled = x.astype(F32) / scale
    q = np.clip(np.rint(scaled.astype(np.float64)) + zero_point, qmin, qmax)
    return scale * (q.astype(np.int64) - zero_point).astype(F32)


# ===------------------------------------------------------------------=== #
# Calibrators.
# ===------------------------------------------------------------------=== #


def to_range(lo, hi):
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    return (lo if lo != 0.0 else 0.0, hi if hi != 0.0 else 0.0)  # no -0.0


def abs_max(case):
    return max(-min(case["min"], 0.0), max(case["max"], 0.0))


def clip_at(case, t):
    """[min, max] with 0 in it, clipped to [-t, t]."""
    return to_range(max(min(case["min"], 0.0), -t),
                    min(max(case["max"], 0.0), t))


def bin_width(case):
    n, lo, hi = len(case["counts"]), case["lo"], case["hi"]
    width = (hi - lo) / n
    return width if math.isfinite(width) else hi / n - lo / n


def spans(case):
    """(counts, u, v): every bin's span inside [min, max]."""
    counts = np.asarray(case["counts"], dtype=np.int64)
    n, lo, width = len(counts), case["lo"], bin_width(case)
    edges = np.clip(lo + np.arange(n + 1, dtype=np.float64) * width,
                    case["min"], case["max"])
    return counts, edges[:-1], edges[1:]


def quantile(case, fraction):
    counts, u, v = spans(case)
    cumulative = np.cumsum(counts)  # exact in int64
    target = fraction * float(cumulative[-1])
    hits = np.flatnonzero((counts > 0) &
                          (cumulative.astype(np.float64) >= target))
    if len(hits) == 0:
        return float(v[np.flatnonzero(counts > 0)[-1]])
    i = hits[0]
    before = float(cumulative[i] - counts[i])
    t = min(max((target - before) / float(counts[i]), 0.0), 1.0)
    return float(u[i] + t * (v[i] - u[i]))


def percentile(case, p):
    hi = quantile(case, p / 100.0)
    lo = 0.0 if case["min"] >= 0.0 else quantile(case, (100.0 - p) / 100.0)
    return to_range(lo, hi)


def abs_histogram(case, bins, skip_zero_bin):
    """The histogram of |x| over [0, amax]: each bin's values are uniform over
    its span, folded at 0 and split over the new bins by overlap."""
    counts, u, v = spans(case)
    amax = abs_max(case)
    keep = counts > 0
    if skip_zero_bin:
        zero_bin = math.floor(-case["lo"] / bin_width(case))
        if 0 <= zero_bin < len(counts):
            keep[zero_bin] = False
    c, u, v = counts[keep].astype(np.float64), u[keep], v[keep]
    # Pieces [a, b] of |x| with their masses.
    pos = u >= 0.0
    neg = v <= 0.0
    mid = ~pos & ~neg
    length = np.where(mid, v - u, 1.0)
    zeros = np.zeros(mid.sum())
    a = np.concatenate([u[pos], -v[neg], zeros, zeros])
    b = np.concatenate([v[pos], -u[neg], -u[mid], v[mid]])
    mass = np.concatenate([c[pos], c[neg], c[mid] * (-u[mid] / length[mid]),
                           c[mid] * (v[mid] / length[mid])])
    pa, pb = a / amax * bins, b / amax * bins
    g = np.zeros(bins)
    point = ~(pb > pa)
    np.add.at(g, np.minimum(np.floor(pa[point]), bins - 1).astype(np.int64),
              mass[point])
    pa, pb, mass = pa[~point], pb[~point], mass[~point]
    k = np.arange(bins, dtype=np.float64)
    overlap = np.minimum(pb[:, None], k + 1) - np.maximum(pa[:, None], k)
    overlap = np.where(overlap > 0.0, overlap, 0.0)
    g += (mass[:, None] * (overlap / (pb - pa)[:, None])).sum(axis=0)
    return g


def smoothed(x, eps):
    zeros = x == 0.0
    return np.where(zeros, eps, x / x.sum() * (1.0 - eps * zeros.sum()))


def entropy_levels(case, qmin, qmax, symmetric):
    if case["min"] < 0.0:
        return (qmax - qmin + 1) // 2
    if not symmetric:
        return qmax - qmin + 1
    zero_point = 0 if qmin < 0 else (qmin + qmax + 1) // 2
    return min(zero_point - qmin, qmax - zero_point) + 1


def kl_divergences(g, levels):
    """KL(P_i || Q_i) for i = ENTROPY_START..len(g) (inf: Q all zero)."""
    bins = len(g)
    kls = []
    for i in range(ENTROPY_START, bins + 1):
        p = g[:i].copy()
        p[-1] += g[i:].sum()
        if levels >= i:
            q = g[:i].copy()
        else:
            # Group of bin k: the last j with floor(j*i/levels) <= k.
            group = ((np.arange(i) + 1) * levels - 1) // i
            nonzero = p != 0.0
            mass = np.bincount(group, weights=g[:i], minlength=levels)
            members = np.bincount(group, weights=nonzero, minlength=levels)
            share = np.divide(mass, members, out=np.zeros(levels),
                              where=members > 0)
            q = np.where(nonzero, share[group], 0.0)
        if not q.any():
            kls.append(math.inf)
            continue
        ps, qs = smoothed(p, ENTROPY_EPS), smoothed(q, ENTROPY_EPS)
        kls.append(float(np.sum(ps * np.log(ps / qs))))
    return np.array(kls)


def entropy(case, qmin, qmax, symmetric, keep_zero_bin=False):
    """(range, chosen number of bins; 0: nothing left, t = amax)."""
    non_negative = case["min"] >= 0.0
    skip = non_negative and case["min"] == 0.0 and not keep_zero_bin
    g = abs_histogram(case, ENTROPY_BINS, skip)
    amax = abs_max(case)
    if not g.any():
        return clip_at(case, amax), 0
    kls = kl_divergences(g, entropy_levels(case, qmin, qmax, symmetric))
    best = int(np.argmin(kls))
    assert math.isfinite(kls[best])
    others = np.delete(kls, best)
    others = others[np.isfinite(others)]
    if len(others):
        gap = float(np.min(np.abs(others - kls[best])))
        assert gap > KL_MARGIN * max(abs(kls[best]), 1e-300), (
            "%s: KL winner not clear (gap %g)" % (case["name"], gap))
    chosen = best + ENTROPY_START
    t = min(amax * (chosen / ENTROPY_BINS), amax)
    return clip_at(case, t), chosen


def mse(case, qmin, qmax, symmetric):
    amax = abs_max(case)
    if amax > F32_MAX:
        return to_range(case["min"], case["max"])
    counts, u, v = spans(case)
    nonempty = counts > 0
    c = counts[nonempty].astype(np.float64)
    centers = 0.5 * u[nonempty] + 0.5 * v[nonempty]
    errors, ranges = [], []
    for k in range(1, MSE_CANDIDATES + 1):
        lo, hi = clip_at(case, amax * (k / MSE_CANDIDATES))
        scale, zero_point = choose_quant_params(lo, hi, qmin, qmax, symmetric)
        diff = centers - fake_quantize(centers, scale, zero_point, qmin,
                                       qmax).astype(np.float64)
        # Summed in bin order, as documented.
        errors.append(float(np.cumsum(c * (diff * diff))[-1]))
        ranges.append((lo, hi))
    errors = np.array(errors)
    return ranges[int(np.flatnonzero(errors == errors.min())[-1])]


def calibrate(case, kind, p=99.99, qmin=0, qmax=255, symmetric=False,
              keep_zero_bin=False):
    """(lo, hi, entropy bin or -1), with the special cases of the C++."""
    if case["count"] == 0:
        return 0.0, 0.0, -1
    if kind == "minmax":
        return to_range(case["min"], case["max"]) + (-1,)
    if kind == "ema":
        return to_range(case["ema_min"], case["ema_max"]) + (-1,)
    if abs_max(case) == 0.0:
        return 0.0, 0.0, -1
    if sum(case["counts"]) == 0:
        return to_range(case["min"], case["max"]) + (-1,)
    if kind == "percentile":
        return percentile(case, p) + (-1,)
    if kind == "entropy":
        (lo, hi), chosen = entropy(case, qmin, qmax, symmetric, keep_zero_bin)
        return lo, hi, chosen
    if kind == "mse":
        return mse(case, qmin, qmax, symmetric) + (-1,)
    raise ValueError(kind)


# ===------------------------------------------------------------------=== #
# Test histograms.
# ===------------------------------------------------------------------=== #


def pow2_histogram(samples):
    """ObserverStatistics (Statistics.h) on float32 samples, per sample."""
    flat = np.concatenate(samples).astype(np.float64)
    vmin, vmax = float(flat.min()), float(flat.max())
    e = math.frexp(max(abs(vmin), abs(vmax), F32_TINY))[1] - 1 - 11  # ilogb
    while (math.floor(math.ldexp(vmax, -e)) -
           math.floor(math.ldexp(vmin, -e)) >= NUM_BINS):
        e += 1
    offset = math.floor(math.ldexp(vmin, -e))
    bins = np.floor(np.ldexp(flat, -e)).astype(np.int64) - offset
    ema_min, ema_max = float(samples[0].min()), float(samples[0].max())
    for s in samples[1:]:
        ema_min += EMA * (float(s.min()) - ema_min)
        ema_max += EMA * (float(s.max()) - ema_max)
    return dict(counts=np.bincount(bins, minlength=NUM_BINS).tolist(),
                lo=math.ldexp(float(offset), e),
                hi=math.ldexp(float(offset + NUM_BINS), e), min=vmin,
                max=vmax, ema_min=ema_min, ema_max=ema_max, count=len(flat),
                samples=samples)


def dyadic_case(lo, density, extra=()):
    """2048 bins of width 2^-8 from lo; counts = round(density(centre));
    min and max inside the first and last non-empty bins."""
    width = 2.0**-8
    centers = lo + (np.arange(NUM_BINS) + 0.5) * width
    counts = np.floor(density(centers) + 0.5).astype(np.int64)
    for bin, count in extra:
        counts[bin] += count
    nonzero = np.flatnonzero(counts)
    return dict(counts=counts.tolist(), lo=lo, hi=lo + NUM_BINS * width,
                min=lo + (nonzero[0] + 0.25) * width,
                max=lo + (nonzero[-1] + 0.625) * width,
                count=int(counts.sum()))


def make_cases():
    cases = []
    width = 2.0**-8

    # Post-ReLU: a spike of exact zeros, an exponential body, a long sparse
    # tail of outliers.
    def relu_density(x):
        return np.where(x < width, 600000.0,
                        300000.0 * width / 0.5 * np.exp(-x / 0.5))
    case = dyadic_case(0.0, relu_density,
                       extra=[(700, 3), (900, 2), (1300, 1), (1700, 1),
                              (2040, 1)])
    case.update(name="post_relu", min=0.0, ema_min=0.0, ema_max=5.5)
    cases.append(case)

    def gauss(x):
        return 1e6 * width * np.exp(-0.5 * (x / 0.9)**2) / (0.9 * math.sqrt(
            2 * math.pi))
    case = dyadic_case(-4.0, gauss)
    case.update(name="gaussian", ema_min=-2.9, ema_max=3.0)
    cases.append(case)

    def skewed(x):  # x + 1 ~ Gamma(2, 0.7)
        y = np.maximum(x + 1.0, 0.0)
        return 5e5 * width * y * np.exp(-y / 0.7) / 0.49
    case = dyadic_case(-1.25, skewed, extra=[(1900, 2)])
    case.update(name="skewed", ema_min=-0.9, ema_max=4.25)
    cases.append(case)

    case = pow2_histogram([np.zeros(100, dtype=F32)] * 3)
    case.update(name="all_zero")
    cases.append(case)

    rng = np.random.default_rng(20240611)
    case = pow2_histogram(
        [rng.uniform(2.0001, 2.0009, 64).astype(F32) for _ in range(4)])
    case.update(name="one_bin")
    cases.append(case)

    cases.append(dict(name="tiny3", counts=[5, 0, 7], lo=-1.0, hi=2.0,
                      min=-0.75, max=1.5, ema_min=-0.5, ema_max=1.25,
                      count=12))

    samples = []
    for s in range(8):
        x = rng.normal(0.4, 1.0, 256)
        x[rng.integers(0, 256, 3)] *= 6.0  # outliers
        samples.append(x.astype(F32))
    case = pow2_histogram(samples)
    case.update(name="sampled_signed")
    cases.append(case)

    samples = [np.maximum(rng.normal(-0.2, 1.0, 256) *
                          rng.exponential(1.0, 256), 0.0).astype(F32)
               for _ in range(8)]
    case = pow2_histogram(samples)
    case.update(name="sampled_relu")
    cases.append(case)

    for case in cases:
        case.setdefault("samples", [])
        counts = np.asarray(case["counts"])
        assert counts.sum() == case["count"], case["name"]
    return cases


# Calibrator configurations: (kind, percentile, qmin, qmax, symmetric,
# keep zero bin).
U8 = (0, 255, False)
S8 = (-128, 127, True)
CONFIGS = [("minmax", 99.99) + U8 + (False,),
           ("ema", 99.99) + U8 + (False,),
           ("percentile", 99.99) + U8 + (False,),
           ("percentile", 99.9) + U8 + (False,),
           ("percentile", 100.0) + U8 + (False,),
           ("entropy", 99.99) + U8 + (False,),
           ("entropy", 99.99) + S8 + (False,),
           ("entropy", 99.99) + U8 + (True,),
           ("mse", 99.99) + U8 + (False,),
           ("mse", 99.99) + S8 + (False,)]


# ===------------------------------------------------------------------=== #
# Output.
# ===------------------------------------------------------------------=== #


def c_double(x):
    assert math.isfinite(x)
    return "%.17g" % x


def c_float(x):
    s = "%.9g" % x
    if "." not in s and "e" not in s and "n" not in s:
        s += ".0"
    return s + "f"


def wrap(items, indent="    ", width=80):
    lines, line = [], indent
    for item in items:
        piece = item + ","
        if len(line) + len(piece) + 1 > width and line.strip():
            lines.append(line.rstrip())
            line = indent
        line += piece + " "
    if line.strip():
        lines.append(line.rstrip())
    return "\n".join(lines)


def render(cases, verbose):
    out = ["// GENERATED by unittests/Calibration/reference/"
           "calibrators_reference.py;",
           "// do not edit. The test histograms and the ranges the numpy "
           "reference gives;",
           "// test/Calibration/calibrators-reference.test checks that "
           "this file is fresh.",
           "// clang-format off",
           ""]
    for index, case in enumerate(cases):
        out.append("static const int64_t kCounts%d[] = {" % index)
        out.append(wrap(str(c) for c in case["counts"]))
        out.append("};")
        flat = [float(x) for s in case["samples"] for x in s]
        if flat:
            out.append("static const float kSamples%d[] = {" % index)
            out.append(wrap(c_float(x) for x in flat))
            out.append("};")
        out.append("")
    out.append("static const ReferenceHistogram kReferenceHistograms[] = {")
    for index, case in enumerate(cases):
        samples = case["samples"]
        fields = ['"%s"' % case["name"], "kCounts%d" % index,
                  str(len(case["counts"])), c_double(case["lo"]),
                  c_double(case["hi"]), c_double(case["min"]),
                  c_double(case["max"]), c_double(case["ema_min"]),
                  c_double(case["ema_max"]), str(case["count"]),
                  "kSamples%d" % index if samples else "nullptr",
                  str(len(samples)),
                  str(len(samples[0]) if samples else 0)]
        out.append("    {" + ", ".join(fields) + "},")
    out.append("};")
    out.append("")
    out.append("static const ReferenceResult kReferenceResults[] = {")
    for index, case in enumerate(cases):
        for kind, p, qmin, qmax, symmetric, keep in CONFIGS:
            if keep and not (case["min"] == 0.0 and case["max"] > 0.0):
                continue
            lo, hi, chosen = calibrate(case, kind, p, qmin, qmax, symmetric,
                                       keep)
            if verbose:
                print("%-15s %-10s p=%-6g [%d,%d]%s%s -> [%.9g, %.9g]%s" %
                      (case["name"], kind, p, qmin, qmax,
                       " sym" if symmetric else "",
                       " keep0" if keep else "", lo, hi,
                       " bin %d" % chosen if chosen >= 0 else ""),
                      file=sys.stderr)
            fields = [str(index), '"%s"' % kind, c_double(p), str(qmin),
                      str(qmax), "true" if symmetric else "false",
                      "true" if keep else "false", c_double(lo),
                      c_double(hi), str(chosen)]
            out.append("    {" + ", ".join(fields) + "},")
    out.append("};")
    out.append("// clang-format on")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)),
        "CalibratorsReference.inc"))
    parser.add_argument("--verbose", action="store_true",
                        help="print every result to stderr")
    args = parser.parse_args()
    text = render(make_cases(), args.verbose)
    with open(args.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
