#!/usr/bin/python3
"""Exports torchvision's MobileNetV2 with random weights to ONNX.

  export_mobilenetv2.py OUT.onnx [--seed 0] [--check-bin build/bin]

torchvision.models.mobilenet_v2(weights=None) (torchvision 0.14, Debian's
python3-torchvision) built after torch.manual_seed(seed), so its weights are
torchvision's random initialization, deterministic. With the default
BatchNorm statistics (mean 0, variance 1) the activations of that random
network vanish layer by layer (logits about 1e-9, the same for every input),
which would make calibration and any int8-vs-float check meaningless. So the
BatchNorm statistics are then estimated from BN_BATCHES x 16 random normal
images (train mode, cumulative averages, no gradient, weights unchanged):
every layer's output is normalized as in a trained network and the logits
differ between inputs. Then eval().

Exported with opset 13 for a 1x3x224x224 float input named "input" (output
"logits", 1x1000) with a symbolic batch dimension, so
`quant-translate --import-onnx --batch-size N` picks the batch. PyTorch's
exporter folds the eval-mode BatchNorms into the convolutions (the graph has
Conv, Clip, Add, GlobalAveragePool, Flatten, Gemm). The file is about 14 MB;
it is generated (the benchmark writes it into the build directory), not
committed.

With --check-bin, the exported file is imported with
<bin>/quant-translate --import-onnx, which must succeed.
"""
import argparse
import os
import subprocess
import sys

import torch


BN_BATCHES = 4


@torch.no_grad()
def build(seed):
    """The model in eval() mode (see the module docstring)."""
    import torchvision
    torch.manual_seed(seed)
    model = torchvision.models.mobilenet_v2(weights=None)
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.reset_running_stats()
            module.momentum = None  # cumulative average over the batches
    model.train()
    generator = torch.Generator().manual_seed(seed + 1000)
    for _ in range(BN_BATCHES):
        model(torch.randn(16, 3, 224, 224, generator=generator))
    return model.eval()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--check-bin",
                        help="directory of quant-translate: import the "
                        "exported file with it")
    args = parser.parse_args()

    model = build(args.seed)
    example = torch.zeros(1, 3, 224, 224)
    with torch.no_grad():
        torch.onnx.export(model, example, args.out, opset_version=13,
                          input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"},
                                        "logits": {0: "batch"}},
                          do_constant_folding=True)
    params = sum(p.numel() for p in model.parameters())
    print(f"wrote {args.out} ({os.path.getsize(args.out):,} bytes, "
          f"{params:,} parameters, seed {args.seed})")
    if args.check_bin:
        tool = os.path.join(args.check_bin, "quant-translate")
        result = subprocess.run([tool, "--import-onnx", args.out, "-o",
                                 os.devnull], capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"quant-translate --import-onnx {args.out} failed:\n"
                     f"{result.stderr}")
        print(f"imported by {tool}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
