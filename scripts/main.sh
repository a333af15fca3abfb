#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the shipped
# Fashion-MNIST model (examples/fashion-mnist/model.onnx, 92.17% float)
# through the pipeline as far as it exists today:
#
#   quant-translate -> --qnt-fold-batch-norm --qnt-fuse-activations
#   -> --qnt-insert-observers -> quant-calibrate (1000 training images)
#   -> --qnt-quantize with each calibrator -> quant-run on the 10,000 test
#   images, int8 simulated in float and native (--convert-qnt-to-linalg)
#
# and prints the accuracy table, next to PyTorch's own post-training
# quantization of the same model when python3-torch is installed.
set -euo pipefail
source "$(dirname "$0")/common.sh"

qnt_install_packages dataset-fashion-mnist
qnt_build quant-translate quant-opt quant-calibrate quant-run

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
example="$QNT_ROOT/examples/fashion-mnist"
pytorch=()
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "== PyTorch post-training quantization of the same model (onednn)"
  /usr/bin/python3 "$example/pytorch_ptq.py" --json "$work/ptq.json" |
    grep -E "float|ptq|wall" || true
  pytorch=(--pytorch-json "$work/ptq.json")
else
  echo "== python3-torch is not installed: PyTorch's numbers are left out"
fi
echo "== our pipeline, every calibrator, simulated and native int8 (about 3 minutes)"
/usr/bin/python3 "$example/evaluate.py" --bin "$QNT_BUILD/bin" --int8 "${pytorch[@]}"
