#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the shipped
# Fashion-MNIST model (examples/fashion-mnist/model.onnx, 92.17% float)
# through the whole pipeline:
#
#   quant-translate -> --qnt-fold-batch-norm --qnt-fuse-activations
#   -> --qnt-insert-observers -> quant-calibrate (1000 training images)
#   -> --qnt-quantize with each calibrator -> quant-run on the 10,000 test
#   images, int8 simulated in float and native (--convert-qnt-to-linalg)
#
# and prints one table: accuracy, size of the constants and single-thread
# latency at batch 1 and 64, next to PyTorch's own post-training
# quantization of the same model (python3-torch). A copy of the table goes
# to build/fashion-mnist-results.{md,json}.
set -euo pipefail
source "$(dirname "$0")/common.sh"

qnt_install_packages dataset-fashion-mnist python3-torch
qnt_build quant-translate quant-opt quant-calibrate quant-run

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
example="$QNT_ROOT/examples/fashion-mnist"
echo "== PyTorch: post-training quantization of the same model (onednn), latency at 1 thread"
/usr/bin/python3 "$example/pytorch_ptq.py" --bench --json "$work/ptq.json" |
  grep -E "float|ptq|wall" | grep -v "^wrote" || true
echo "== our pipeline: every calibrator, simulated and native int8, then latency (about 2 minutes)"
/usr/bin/python3 "$example/evaluate.py" --bin "$QNT_BUILD/bin" --int8 --latency \
  --pytorch-json "$work/ptq.json" --markdown "$QNT_BUILD/fashion-mnist-results.md" \
  --json "$QNT_BUILD/fashion-mnist-results.json"
