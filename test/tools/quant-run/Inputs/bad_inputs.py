"""Writes malformed and mismatching tensor files into DIR for errors.test."""
import sys

import numpy as np

out = sys.argv[1]
np.save(f"{out}/f64.npy", np.zeros((1, 4, 4, 3), np.float64))
np.save(f"{out}/shape.npy", np.zeros((1, 4, 4, 2), np.float32))
np.save(f"{out}/batch.npy", np.zeros((2, 4, 4, 3), np.float32))
np.save(f"{out}/ok.npy", np.zeros((1, 4, 4, 3), np.float32))
np.save(f"{out}/bool.npy", np.zeros((1, 4, 4, 3), np.bool_))
np.save(f"{out}/fortran.npy", np.asfortranarray(np.zeros((1, 4, 4, 3), np.float32)))
with open(f"{out}/ok.npy", "rb") as f:
    data = f.read()
with open(f"{out}/truncated.npy", "wb") as f:
    f.write(data[:-7])
with open(f"{out}/magic.npy", "wb") as f:
    f.write(b"PK\x03\x04 not numpy at all")
with open(f"{out}/corrupt.pb", "wb") as f:
    f.write(b"\xff\xff\xff\xff\x0f")
