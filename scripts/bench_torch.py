"""The article's CNN in PyTorch, trained on the same digits with the same batch size: the peer that
scripts/bench.mjs compares the tfjs backends with. Reads raw float32 images and uint8 labels written
by the benchmark; prints one JSON object. Like scripts/bench-train.mjs it trains warm-up batches
first and times the rest from the end of the last warm-up batch to the end of the last batch
(batch assembly included)."""
import argparse
import json
import os
import time

import numpy as np
import torch
from torch import nn


def load(prefix, count, side):
    images = np.fromfile(prefix + "-images.f32", dtype=np.float32).reshape(count, 1, side, side)
    labels = np.fromfile(prefix + "-labels.u8", dtype=np.uint8).astype(np.int64)
    if labels.shape[0] != count:
        raise SystemExit(f"{prefix}-labels.u8: {labels.shape[0]} labels, expected {count}")
    return torch.from_numpy(images), torch.from_numpy(labels)


def article_cnn():
    # Conv2D 32 3x3 relu, MaxPooling 2x2, Flatten, Dense 64 relu, Dense 10 (softmax inside the loss).
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(13 * 13 * 32, 64), nn.ReLU(), nn.Linear(64, 10),
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--train-count", type=int, required=True)
    parser.add_argument("--test-count", type=int, required=True)
    parser.add_argument("--samples", type=int, required=True)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--warmup-steps", type=int, default=10)
    parser.add_argument("--device", default="cpu", help="cpu, or cuda for the GPU (scripts/gpu-check.sh)")
    args = parser.parse_args()
    device = torch.device(args.device)

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    x_train, y_train = load(args.data + "/train", args.train_count, 28)
    x_test, y_test = load(args.data + "/test", args.test_count, 28)
    x_train, y_train, x_test, y_test = (t.to(device) for t in (x_train, y_train, x_test, y_test))
    model = article_cnn().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    total = args.samples + args.warmup_steps * args.batch_size
    seen = 0
    step = 0
    warm_end = None
    last_end = None
    while seen < total:
        order = torch.randperm(args.train_count, device=device)
        for start in range(0, args.train_count, args.batch_size):
            if seen >= total:
                break
            idx = order[start:start + args.batch_size]
            xb, yb = x_train[idx], y_train[idx]
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            if device.type == "cuda":
                torch.cuda.synchronize()
            seen += len(idx)
            step += 1
            last_end = time.perf_counter()
            if step == args.warmup_steps:
                warm_end = last_end
                warm_seen = seen
    if warm_end is None:
        raise SystemExit(f"--warmup-steps {args.warmup_steps} leaves no measured step")

    model.eval()
    with torch.no_grad():
        model(x_test[:256])  # warm-up
        started = time.perf_counter()
        predicted = torch.cat([model(x_test[s:s + 256]).argmax(1) for s in range(0, args.test_count, 256)])
        if device.type == "cuda":
            torch.cuda.synchronize()
        infer_seconds = time.perf_counter() - started
    accuracy = (predicted == y_test).float().mean().item()
    print(json.dumps({
        "train_samples_per_s": (seen - warm_seen) / (last_end - warm_end),
        "warmup_batches": args.warmup_steps,
        "measured_samples": seen - warm_seen,
        "infer_samples_per_s": args.test_count / infer_seconds,
        "test_accuracy": accuracy,
        "threads": torch.get_num_threads(),
        "version": torch.__version__,
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
    }))


if __name__ == "__main__":
    main()
