#!/usr/bin/python3
"""Fashion-MNIST from Debian's dataset-fashion-mnist as .npy tensors.

  fashion_mnist.py --split train|test --count N --out images.npy [--labels l.npy]
writes N images as float32 N x 1 x 28 x 28 scaled to [0, 1] (and the labels
as int64).
"""
import argparse
import gzip
import os

import numpy as np

ROOT = "/usr/share/datasets/fashion-mnist"
FILES = {"train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
         "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}


def load(split, count=None):
    """Returns (images float32 [N,1,28,28] in [0,1], labels int64 [N])."""
    images_file, labels_file = FILES[split]
    with gzip.open(os.path.join(ROOT, images_file)) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16)
    with gzip.open(os.path.join(ROOT, labels_file)) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    images = images.reshape(-1, 1, 28, 28)[:count]
    return images.astype(np.float32) / 255.0, labels[:count].astype(np.int64)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=FILES, default="train")
    parser.add_argument("--count", type=int, default=None)
    parser.add_argument("--out", required=True)
    parser.add_argument("--labels")
    args = parser.parse_args()
    images, labels = load(args.split, args.count)
    np.save(args.out, images)
    if args.labels:
        np.save(args.labels, labels)


if __name__ == "__main__":
    main()
