"""Inputs and numpy reference for bn-fake-quant.mlir.

  bn_fake_quant.py make DIR    writes DIR/x.npy (1 image), DIR/x5.npy (5)
  bn_fake_quant.py check DIR   compares DIR/y*.npy with the reference
"""
import sys

import numpy as np

GAMMA = np.array([1.0, 2.0, 0.5], np.float32)
BETA = np.array([0.1, -0.2, 0.0], np.float32)


def fake_quant(v, scale, zero, lo, hi):
    # The numerics contract in float32: x / s, round half to even, clamp.
    s = np.float32(scale)
    q = np.clip(np.round(v / s) + np.float32(zero), lo, hi)
    return ((q - np.float32(zero)) * s).astype(np.float32)


def reference(x):
    # bn-fake-quant.mlir uses beta as the mean and gamma as the variance.
    mult = GAMMA / np.sqrt(GAMMA + np.float32(1e-5))
    y = x * mult + (BETA - BETA * mult)
    return fake_quant(y, 0.05, 100, 0, 255)


def main():
    mode, out = sys.argv[1], sys.argv[2]
    rng = np.random.default_rng(0)
    if mode == "make":
        x = (rng.standard_normal((5, 4, 4, 3)) * 3).astype(np.float32)
        x[0, 0, 0, 0] = np.nan  # NaN quantizes to the zero point: 0.0
        np.save(f"{out}/x.npy", x[:1])
        np.save(f"{out}/x5.npy", x)
        return
    x = np.load(f"{out}/x5.npy")
    y = np.load(f"{out}/y5.npy")
    want = np.where(np.isnan(x), np.float32(0), reference(x))
    # Away from rounding ties the result must be identical; the BN chain may
    # differ from numpy's by one ulp before rounding, which moves at most a
    # few values by one quantization step (0.05).
    diff = np.abs(y - want)
    assert y.shape == (5, 4, 4, 3), y.shape
    assert diff.max() <= 0.05 + 1e-6, diff.max()
    assert (diff > 0).mean() < 0.01, (diff > 0).mean()
    assert y[0, 0, 0, 0] == 0.0
    w = np.load(f"{out}/w.npy")
    assert w.shape == (5, 2, 3), w.shape
    one = np.array([[0.5, -0.5, 7.0], [0.25, -0.25, 1.0]], np.float32)
    assert (w == one).all(), w
    single = np.load(f"{out}/y1.npy")
    assert (single == y[:1]).all()
    print("ok: 5 batches, max diff", float(diff.max()))


if __name__ == "__main__":
    main()
