#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the shipped model
# through the pipeline as far as it exists today, printing what each step did.
#
#   import (quant-translate) -> fold BatchNorm + fuse activations (quant-opt)
#   -> run natively on 128 Fashion-MNIST images (quant-run), compared with
#   PyTorch's outputs for the same model.
#
# The model is test/models/cnn (exported by utils/models/export_cnn.py);
# calibration, quantization and the int8 program come with later stages.
set -euo pipefail
source "$(dirname "$0")/common.sh"

qnt_install_packages
qnt_build quant-translate quant-opt quant-run

bin="$QNT_BUILD/bin"
model="$QNT_ROOT/test/models/cnn"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo
echo "== 1. quant-translate --import-onnx $model/cnn.onnx"
"$bin/quant-translate" --import-onnx "$model/cnn.onnx" -o "$work/float.mlir"
echo "== 2. quant-opt --qnt-fold-batch-norm --qnt-fuse-activations"
"$bin/quant-opt" "$work/float.mlir" --qnt-fold-batch-norm \
  --qnt-fuse-activations -o "$work/folded.mlir"
echo "== 3. quant-run on 128 images, unfolded and folded"
"$bin/quant-run" "$work/float.mlir" --input "$model/inputs.npy" \
  --output "$work/float.npy" --bench 200 >"$work/float.bench"
"$bin/quant-run" "$work/folded.mlir" --input "$model/inputs.npy" \
  --output "$work/folded.npy" --bench 200 >"$work/folded.bench"

echo
echo "== excerpt of the folded graph (first conv unit)"
grep -m1 -A1 "tosa.conv2d" "$work/folded.mlir" | cut -c1-160

/usr/bin/python3 - "$work" "$model" <<'PY'
import collections, re, sys
import numpy as np

work, model = sys.argv[1], sys.argv[2]
def ops(path):
    text = open(path).read()
    return collections.Counter(re.findall(r"= (?:\")?((?:tosa|qnt)\.[a-z_0-9]+)", text)), text
float_ops, _ = ops(f"{work}/float.mlir")
folded_ops, folded = ops(f"{work}/folded.mlir")
want = np.load(f"{model}/outputs.npy")
def latency(name):
    m = re.search(r"median ([0-9.]+) ms", open(f"{work}/{name}.bench").read())
    return float(m.group(1))

print()
print(f"{'':34}{'imported':>12}{'folded':>12}")
for op in ("qnt.batch_norm", "tosa.conv2d", "tosa.depthwise_conv2d",
           "tosa.clamp", "tosa.add", "tosa.matmul"):
    print(f"{op:34}{float_ops[op]:>12}{folded_ops[op]:>12}")
print(f"{'fused activations (qnt.fused)':34}{'-':>12}{folded.count('qnt.fused = true'):>12}")
for name in ("float", "folded"):
    got = np.load(f"{work}/{name}.npy")
    err = np.abs(got.astype(np.float64) - want).max()
    agree = (got.argmax(1) == want.argmax(1)).mean() * 100
    print(f"{name + ': max |out - PyTorch|':34}{err:>12.3g}"
          f"  top-1 agreement {agree:.1f}% on {len(got)} images,"
          f" latency {latency(name):.3f} ms (batch 1, median of 200)")
PY
