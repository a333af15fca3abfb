#!/usr/bin/python3
"""Exports the small test CNN to ONNX with reference inputs and outputs.

The network has every structure the pipeline must handle: Conv+BN+ReLU
blocks, a residual add, a channel concat, a depthwise conv, max and global
average pooling, a ReLU6 (Clip) and a linear layer. Weights are random but
deterministic (seed 0), and the BatchNorm statistics are randomized so that
folding them is not an identity. The inputs are the first images of
Fashion-MNIST's test set (Debian's dataset-fashion-mnist), scaled to [0, 1].

  export_cnn.py OUT_DIR [--count N]
writes OUT_DIR/cnn.onnx, OUT_DIR/inputs.npy (N x 1 x 28 x 28 float32) and
OUT_DIR/outputs.npy (N x 10, PyTorch's outputs).
"""
import argparse
import os
import sys

import numpy as np
import onnx
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(__file__))
from fashion_mnist import load  # noqa: E402


def conv_bn(cin, cout, k=3, stride=1, groups=1, act=nn.ReLU):
    layers = [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups,
                        bias=False),
              nn.BatchNorm2d(cout)]
    if act is not None:
        layers.append(act())
    return nn.Sequential(*layers)


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = conv_bn(1, 8)
        self.pool1 = nn.MaxPool2d(2)
        self.block = conv_bn(8, 16)
        self.res = conv_bn(16, 16, act=None)
        self.branch_a = conv_bn(16, 8, k=1)
        self.branch_b = nn.Sequential(conv_bn(16, 16, groups=16),
                                      nn.Conv2d(16, 8, 1), nn.ReLU())
        self.pool2 = nn.MaxPool2d(2)
        self.down = conv_bn(16, 32, stride=2, act=nn.ReLU6)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = self.pool1(self.stem(x))
        x = self.block(x)
        x = torch.relu(self.res(x) + x)
        x = torch.cat([self.branch_a(x), self.branch_b(x)], dim=1)
        x = self.down(self.pool2(x))
        return self.fc(torch.flatten(self.gap(x), 1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--count", type=int, default=128)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    torch.manual_seed(0)
    model = SmallCNN()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.3, 0.3)
    model.eval()

    inputs, _ = load("test", args.count)
    with torch.no_grad():
        outputs = model(torch.from_numpy(inputs)).numpy()

    path = os.path.join(args.out, "cnn.onnx")
    # PRESERVE + no constant folding keeps BatchNormalization as its own node
    # (the EVAL mode exporter would fuse it into the conv), which is what the
    # importer and --qnt-fold-batch-norm must handle.
    torch.onnx.export(model, torch.from_numpy(inputs[:1]), path,
                      input_names=["image"], output_names=["logits"],
                      opset_version=13, do_constant_folding=False,
                      training=torch.onnx.TrainingMode.PRESERVE)
    ops = sorted({n.op_type for n in onnx.load(path).graph.node})
    np.save(os.path.join(args.out, "inputs.npy"), inputs)
    np.save(os.path.join(args.out, "outputs.npy"), outputs.astype(np.float32))
    print(f"wrote {path} ({os.path.getsize(path)} bytes), ops: {ops}")


if __name__ == "__main__":
    main()
