"""Independent numpy computation of the calibration statistics.

  reference.py make DIR            writes DIR/data.npy (37 samples 2x3, with
                                   a NaN and an Inf) and DIR/empty.npy
  reference.py check DIR/stats.json DIR/data.npy
                                   recomputes every statistic of
                                   observed-b1.mlir from the data and compares
                                   exactly with quant-calibrate's JSON.
"""
import json
import math
import sys

import numpy as np

BINS = 2048


def observed_values(x):
    """What each activation observer of observed-b1.mlir sees, per sample."""
    scaled = x * np.array([0.5, -2.0, 3.0], np.float32)
    clamped = np.clip(scaled, np.float32(0), np.float32(6))
    # tosa.clamp propagates NaN, as np.clip does.
    return {"input": x, "scaled": scaled, "clamped": clamped}


def expected(samples):
    finite = [s[np.isfinite(s)] for s in samples]
    allv = np.concatenate(finite).astype(np.float64)
    lo, hi = allv.min(), allv.max()
    ema_lo = ema_hi = None
    for f in finite:
        if f.size == 0:
            continue
        if ema_lo is None:
            ema_lo, ema_hi = float(f.min()), float(f.max())
        else:
            ema_lo += 0.01 * (float(f.min()) - ema_lo)
            ema_hi += 0.01 * (float(f.max()) - ema_hi)
    # Canonical grid: the smallest exponent e >= ilogb(max|x|) - 11 with
    # floor(max / 2^e) - floor(min / 2^e) < 2048, window from floor(min / 2^e).
    max_abs = max(abs(lo), abs(hi), float(np.finfo(np.float32).tiny))
    e = math.frexp(max_abs)[1] - 1 - 11
    while math.floor(math.ldexp(hi, -e)) - math.floor(math.ldexp(lo, -e)) >= BINS:
        e += 1
    o = math.floor(math.ldexp(lo, -e))
    bins = np.floor(np.ldexp(allv, -e)).astype(np.int64) - o
    hist = np.bincount(bins, minlength=BINS)
    nan = sum(int(np.isnan(s).sum()) for s in samples)
    inf = sum(int(np.isinf(s).sum()) for s in samples)
    return {"count": int(allv.size), "nan_count": nan, "inf_count": inf,
            "min": float(lo), "max": float(hi), "ema_min": ema_lo,
            "ema_max": ema_hi, "hist_min": math.ldexp(o, e),
            "hist_max": math.ldexp(o + BINS, e), "hist": hist.tolist()}


def main():
    if sys.argv[1] == "shapes":
        return
    if sys.argv[1] == "make":
        rng = np.random.default_rng(3)
        x = (rng.standard_normal((37, 2, 3)) * 4).astype(np.float32)
        x[5, 1, 0] = np.nan
        x[20, 0, 2] = np.inf
        np.save(f"{sys.argv[2]}/data.npy", x)
        np.save(f"{sys.argv[2]}/empty.npy", np.zeros((0, 2, 3), np.float32))
        np.save(f"{sys.argv[2]}/wrong.npy", np.zeros((4, 3, 2), np.float32))
        return
    stats = json.load(open(sys.argv[2]))
    x = np.load(sys.argv[3])
    values = observed_values(x)
    assert stats["samples"] == len(x)
    names = [o["name"] for o in stats["observers"]]
    assert names == ["input", "scaled", "clamped"], names
    for observer in stats["observers"]:
        want = expected(list(values[observer["name"]]))
        for key, value in want.items():
            got = observer[key]
            assert got == value, (observer["name"], key, got, value)
        print(f"{observer['name']}: exact ({want['count']} values, "
              f"{want['nan_count']} NaN, {want['inf_count']} Inf)")


if __name__ == "__main__":
    main()


def make_shapes(out):
    """Data for the batch-layout tests in errors.test / layouts.test."""
    rng = np.random.default_rng(4)
    np.save(f"{out}/nb.npy", rng.standard_normal((5, 12)).astype(np.float32))
    np.save(f"{out}/nb2.npy", rng.standard_normal((3, 6)).astype(np.float32))
    np.save(f"{out}/mix.npy", rng.standard_normal((4, 3)).astype(np.float32))
    np.save(f"{out}/miy.npy", rng.standard_normal((4, 4)).astype(np.float32))


if __name__ == "__main__" and len(sys.argv) > 2 and sys.argv[1] == "shapes":
    make_shapes(sys.argv[2])
