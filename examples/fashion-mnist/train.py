#!/usr/bin/python3
"""Trains the Fashion-MNIST example network and exports it to ONNX.

  train.py [--epochs N] [--out DIR]

Trains model.FashionCNN on the 60,000 training images of Debian's
dataset-fashion-mnist (pixels scaled to [0, 1], no normalization: the
stem's BatchNorm absorbs it), with a fixed seed, deterministic algorithms
and 2 threads, AdamW with a one-cycle learning rate, and simple
augmentation (random horizontal flip, random shift by up to 2 pixels).
After every epoch it prints the mean training loss and the accuracy on the
10,000 test images. It then writes into DIR (default: this directory)

  model.onnx          opset 13, BatchNormalization kept as its own node
                      (exported as utils/models/export_cnn.py does), input
                      "image" [1,1,28,28], output "logits" [1,10]
  model.pt            the state dict
  float_accuracy.txt  the final test accuracy as a fraction, e.g. 0.9187

and fails (exit status 1) if the test accuracy is below 90%.
"""
import argparse
import os
import sys
import time

import numpy as np
import onnx
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "utils", "models"))
from fashion_mnist import load  # noqa: E402
from model import FashionCNN, parameter_count  # noqa: E402

SEED = 0
THREADS = 2
MIN_ACCURACY = 0.90


def augment(x, gen):
    """Random horizontal flip and random shift by up to 2 pixels (zero fill)."""
    n = x.shape[0]
    flip = torch.rand(n, generator=gen) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    padded = nn.functional.pad(x, (2, 2, 2, 2))
    dy = torch.randint(0, 5, (n,), generator=gen)
    dx = torch.randint(0, 5, (n,), generator=gen)
    r = torch.arange(28)
    rows = (dy[:, None] + r)[:, :, None]          # n x 28 x 1
    cols = (dx[:, None] + r)[:, None, :]          # n x 1 x 28
    b = torch.arange(n)[:, None, None]
    return padded[b, 0, rows, cols].unsqueeze(1)


@torch.no_grad()
def accuracy(model, images, labels, batch=1000):
    model.eval()
    correct = 0
    for i in range(0, len(images), batch):
        logits = model(images[i:i + batch])
        correct += (logits.argmax(1) == labels[i:i + batch]).sum().item()
    return correct / len(images)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lr", type=float, default=4e-3)
    parser.add_argument("--no-augment", action="store_true")
    parser.add_argument("--out", default=HERE)
    args = parser.parse_args()

    start = time.time()
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(THREADS)
    gen = torch.Generator().manual_seed(SEED)

    train_x, train_y = (torch.from_numpy(a) for a in load("train"))
    test_x, test_y = (torch.from_numpy(a) for a in load("test"))
    model = FashionCNN()
    print(f"FashionCNN: {parameter_count(model)} parameters; "
          f"{len(train_x)} training, {len(test_x)} test images; "
          f"torch {torch.__version__}, {THREADS} threads", flush=True)

    steps = (len(train_x) + args.batch - 1) // args.batch
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=args.lr, epochs=args.epochs, steps_per_epoch=steps)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(1, args.epochs + 1):
        t0 = time.time()
        model.train()
        perm = torch.randperm(len(train_x), generator=gen)
        total = 0.0
        for i in range(steps):
            idx = perm[i * args.batch:(i + 1) * args.batch]
            x = train_x[idx]
            if not args.no_augment:
                x = augment(x, gen)
            loss = loss_fn(model(x), train_y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        acc = accuracy(model, test_x, test_y)
        print(f"epoch {epoch}/{args.epochs}: loss {total / len(train_x):.4f}"
              f"  test accuracy {acc:.4f}  ({time.time() - t0:.1f} s)",
              flush=True)
    train_time = time.time() - start

    model.eval()
    acc = accuracy(model, test_x, test_y)
    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "model.onnx")
    # As utils/models/export_cnn.py: PRESERVE + no constant folding keeps
    # BatchNormalization as its own (inference) node.
    torch.onnx.export(model, test_x[:1], onnx_path,
                      input_names=["image"], output_names=["logits"],
                      opset_version=13, do_constant_folding=False,
                      training=torch.onnx.TrainingMode.PRESERVE)
    onnx_model = onnx.load(onnx_path)
    onnx.checker.check_model(onnx_model)
    ops = sorted({n.op_type for n in onnx_model.graph.node})
    pt_path = os.path.join(args.out, "model.pt")
    torch.save(model.state_dict(), pt_path)
    with open(os.path.join(args.out, "float_accuracy.txt"), "w") as f:
        f.write(f"{acc:.4f}\n")

    print(f"training time {train_time:.1f} s; final test accuracy {acc:.4f} "
          f"({round(acc * len(test_x))}/{len(test_x)})")
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path)} bytes), "
          f"ops: {ops}")
    print(f"wrote {pt_path} ({os.path.getsize(pt_path)} bytes)")
    if acc < MIN_ACCURACY:
        print(f"error: test accuracy {acc:.4f} < {MIN_ACCURACY}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
