#!/usr/bin/env bash
# Benchmark (not a test): calibrate the test CNN on N Fashion-MNIST training
# images and report wall time and peak memory of quant-calibrate.
#   utils/bench/calibrate_cnn.sh [N=1000]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${QNT_BUILD:-$root/build}/bin
count=${1:-1000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

/usr/bin/python3 "$root/utils/models/fashion_mnist.py" --split train \
  --count "$count" --out "$work/calib.npy"
"$bin/quant-translate" --import-onnx "$root/test/models/cnn/cnn.onnx" |
  "$bin/quant-opt" --qnt-fold-batch-norm --qnt-fuse-activations \
    --qnt-insert-observers -o "$work/observed.mlir"
echo "observers: $(grep -c 'activation #qnt.scheme' "$work/observed.mlir") activation," \
  "$(grep -c 'weight #qnt.scheme' "$work/observed.mlir") weight"
/usr/bin/time -f "quant-calibrate: %e s wall, %M KiB peak resident memory" \
  "$bin/quant-calibrate" "$work/observed.mlir" --data "$work/calib.npy" \
  -o "$work/calibrated.mlir" --stats-out "$work/stats.json" 2>&1 |
  grep -v '^calibrating:'
