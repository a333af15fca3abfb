"""lsb.py INT.npy FQ.npy MIN_SHARE: the integer program against the fake-quant
simulation. One LSB is the output grid step (the smallest non-zero gap between
simulated values, which all lie on the grid); fails unless at least MIN_SHARE
of the elements are within one LSB."""
import sys

import numpy as np

got, want = np.load(sys.argv[1]), np.load(sys.argv[2])
steps = np.diff(np.unique(want))
lsb = steps[steps > 0].min()
within = (np.abs(got - want) <= lsb * 1.001).mean()
exact = (got == want).mean()
print(f"{got.size} elements, LSB {lsb:.6g}: {within * 100:.2f}% within 1 LSB, "
      f"{exact * 100:.2f}% exact")
sys.exit(0 if within >= float(sys.argv[3]) else 1)
