#!/usr/bin/python3
"""The Fashion-MNIST example network.

The architecture of utils/models/export_cnn.py's SmallCNN (Conv+BN+ReLU
blocks, a residual add, a channel concat of a 1x1 branch and a depthwise
separable branch, max and global average pooling, a ReLU6 and a linear
layer) with its channels doubled (8/16/32 -> 16/32/64) so that a few epochs
of training reach >= 90% test accuracy; about 35k parameters.

Two changes from SmallCNN keep the forward friendly to PyTorch's FX graph
mode quantization without changing the exported ONNX graph: the ReLU after
the residual add is an nn.ReLU module (`res_relu`) instead of torch.relu,
and nothing else in the forward is functional except `+`, torch.cat and
torch.flatten, which FX quantizes as they are.
"""
import torch
from torch import nn


def conv_bn(cin, cout, k=3, stride=1, groups=1, act=nn.ReLU):
    layers = [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups,
                        bias=False),
              nn.BatchNorm2d(cout)]
    if act is not None:
        layers.append(act())
    return nn.Sequential(*layers)


class FashionCNN(nn.Module):
    def __init__(self, width=2):
        super().__init__()
        c1, c2, c3 = 8 * width, 16 * width, 32 * width
        self.stem = conv_bn(1, c1)
        self.pool1 = nn.MaxPool2d(2)
        self.block = conv_bn(c1, c2)
        self.res = conv_bn(c2, c2, act=None)
        self.res_relu = nn.ReLU()
        self.branch_a = conv_bn(c2, c2 // 2, k=1)
        self.branch_b = nn.Sequential(conv_bn(c2, c2, groups=c2),
                                      nn.Conv2d(c2, c2 // 2, 1), nn.ReLU())
        self.pool2 = nn.MaxPool2d(2)
        self.down = conv_bn(c2, c3, stride=2, act=nn.ReLU6)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c3, 10)

    def forward(self, x):
        x = self.pool1(self.stem(x))             # 28x28 -> 14x14
        x = self.block(x)
        x = self.res_relu(self.res(x) + x)       # residual add
        x = torch.cat([self.branch_a(x), self.branch_b(x)], dim=1)
        x = self.down(self.pool2(x))             # 14 -> 7 -> 4
        return self.fc(torch.flatten(self.gap(x), 1))


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())


if __name__ == "__main__":
    m = FashionCNN()
    print(m)
    print("parameters:", parameter_count(m))
