"""int8io.py FQ.mlir INPUTS.npy OUT_DIR make|check

make:  quantizes the float inputs to uint8 with the parameters of the model's
       input fake_quant (u8 grid), into OUT_DIR/q.npy.
check: dequantizes OUT_DIR/q-out.npy (uint8) with the output fake_quant's
       parameters and compares with OUT_DIR/float-io.npy, the same integer
       program with float I/O: they must be identical."""
import re
import sys

import numpy as np

text = open(sys.argv[1]).read()
types = re.findall(r"!quant\.uniform<u8:f32, ([0-9.eE+-]+)(?::(-?\d+))?>", text)
scale_in, zp_in = float(types[0][0]), int(types[0][1] or 0)
scale_out, zp_out = float(types[-1][0]), int(types[-1][1] or 0)
out = sys.argv[3]
if sys.argv[4] == "make":
    x = np.load(sys.argv[2])
    q = np.clip(np.round(x / np.float32(scale_in)) + zp_in, 0, 255)
    np.save(f"{out}/q.npy", q.astype(np.uint8))
    sys.exit(0)
q = np.load(f"{out}/q-out.npy")
assert q.dtype == np.uint8, q.dtype
got = np.float32(scale_out) * (q.astype(np.float32) - np.float32(zp_out))
want = np.load(f"{out}/float-io.npy")
print(f"uint8 I/O vs float I/O: identical = {np.array_equal(got, want)}")
