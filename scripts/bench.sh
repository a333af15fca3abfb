#!/usr/bin/env bash
# The benchmark of issue 9 (not part of the test suite): installs what is
# missing (python3-torch, python3-torchvision, the Fashion-MNIST data set),
# builds the tools, and prints in one run, single thread:
#   - GEMM 512^3 and conv shapes from real networks (and their neighbouring
#     shapes, to find cliffs): our int8 GOP/s next to
#     the measured VNNI peak (utils/bench/vnni_peak.c) and PyTorch/oneDNN int8;
#   - the Fashion-MNIST model and MobileNetV2 (torchvision, random weights)
#     at batch 1 and 64: our float and int8, PyTorch float and int8, ratios;
#   - the compile time of MobileNetV2's whole pipeline.
# Writes the table to build/performance.md and the numbers to
# build/performance.json. About 5.5 minutes on a 2-core machine.
set -euo pipefail
source "$(dirname "$0")/common.sh"

qnt_install_packages dataset-fashion-mnist python3-torch python3-torchvision
qnt_build quant-translate quant-opt quant-calibrate quant-run

echo "== benchmarks (scratch files in $QNT_BUILD/bench)"
/usr/bin/python3 "$QNT_ROOT/utils/bench/run_benchmarks.py" \
  --bin "$QNT_BUILD/bin" --work "$QNT_BUILD/bench" \
  --markdown "$QNT_BUILD/performance.md" --json "$QNT_BUILD/performance.json"
echo "== wrote $QNT_BUILD/performance.md and $QNT_BUILD/performance.json"
