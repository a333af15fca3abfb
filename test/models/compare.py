"""compare.py GOT.npy WANT.npy ATOL: exits 1 unless |got - want| <= atol."""
import sys

import numpy as np

got, want, atol = np.load(sys.argv[1]), np.load(sys.argv[2]), float(sys.argv[3])
if got.shape != want.shape:
    sys.exit(f"shape {got.shape} != {want.shape}")
err = float(np.abs(got.astype(np.float64) - want).max())
print(f"{got.shape[0]} samples, max abs error {err:.3g} (tolerance {atol:g})")
sys.exit(0 if err <= atol else 1)
