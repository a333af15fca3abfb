#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the shipped example
# through quant-opt, printing what each step did.
#
# At this stage of the project the pipeline is the qnt dialect and its folds:
# a fake-quant convolution is canonicalized, which snaps its constant weights
# onto their int8 grid. Later stages run a real model end to end here.
set -euo pipefail
source "$(dirname "$0")/common.sh"

qnt_install_packages
qnt_build quant-opt

example="$QNT_ROOT/examples/quickstart/conv-fake-quant.mlir"
opt="$QNT_BUILD/bin/quant-opt"

echo
echo "== input: $example"
grep -v '^//' "$example"
echo
echo "== quant-opt --canonicalize"
"$opt" "$example" --canonicalize
echo
echo "== int8 weight levels (w / s[c]) after folding"
"$opt" "$example" --canonicalize |
  /usr/bin/python3 -c '
import re, sys
text = sys.stdin.read()
weights = re.search(r"arith.constant dense<(.*?)> : tensor<2x1x1x3xf32>", text).group(1)
values = [float(v) for v in re.findall(r"-?[0-9.]+(?:e[-+]?[0-9]+)?", weights)]
scales = [0.005859375, 0.017578125]
for c in range(2):
    levels = [values[3 * c + i] / scales[c] for i in range(3)]
    print(f"channel {c}: scale {scales[c]:.9g}  levels " +
          " ".join(f"{l:+.4f}" for l in levels))
'
