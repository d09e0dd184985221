"""Training throughput: the seeds' loop against cnnviz.train.fit, same model, same machine, same run.

The seeds' loop is d2l's: torchvision's FashionMNIST dataset with ToTensor, a DataLoader (batch 256,
shuffled), Adam at 1e-3, LeNet with max pooling (lenet_maxpool: 44,426 parameters). `fit` trains a copy of
the same initial weights. Each side runs for a fixed time; the figure is training samples per second.

    python bench/train_throughput.py [--seconds 15]
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnnviz.arch import PRESETS, build  # noqa: E402
from cnnviz.data import cache_dir, load_fashion_mnist  # noqa: E402
from cnnviz.train import TrainConfig, fit  # noqa: E402

TARGET_RATIO = 5.0


def seeds_loop(model: torch.nn.Module, seconds: float) -> float:
    """d2l's loop (torchvision dataset + ToTensor + DataLoader); samples/s over `seconds`."""
    from torchvision import transforms
    from torchvision.datasets import FashionMNIST

    load_fashion_mnist(train=True)  # makes sure the decompressed files sit in the cache, torchvision's layout
    load_fashion_mnist(train=False)
    dataset = FashionMNIST(root=str(cache_dir()), train=True, transform=transforms.ToTensor(), download=False)
    loader = torch.utils.data.DataLoader(dataset, batch_size=256, shuffle=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    model.train()
    seen, start = 0, time.perf_counter()
    while True:
        for x, y in loader:
            loss = loss_fn(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            seen += len(y)
            if time.perf_counter() - start > seconds:
                return seen / (time.perf_counter() - start)


def fit_loop(model: torch.nn.Module, seconds: float) -> float:
    """cnnviz's fit on the same data and settings; samples/s over `seconds` (no test evaluation counted)."""
    train_set, test_set = load_fashion_mnist(train=True), load_fashion_mnist(train=False)
    stop = __import__("threading").Event()
    steps, start = [0], time.perf_counter()

    def count(progress):
        steps[0] = progress.step
        if time.perf_counter() - start > seconds:
            stop.set()

    config = TrainConfig(epochs=100, batch_size=256, lr=1e-3, optimizer="adam", device="cpu", report_every=10)
    fit(model, train_set, test_set, config, on_progress=count, stop=stop)
    return steps[0] * 256 / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="time for each side")
    args = parser.parse_args()
    torch.manual_seed(0)
    model = build(PRESETS["lenet_maxpool"])
    load_fashion_mnist(train=True)  # warm the cache outside the timings
    default_threads = torch.get_num_threads()
    seeds = seeds_loop(copy.deepcopy(model), args.seconds)
    ours = fit_loop(copy.deepcopy(model), args.seconds)
    fit_threads = torch.get_num_threads()  # fit leaves its choice in place
    seeds_same_threads = seeds_loop(copy.deepcopy(model), args.seconds)
    print(f"seeds' loop, torch's default {default_threads} threads:  {seeds:>9,.0f} samples/s")
    print(f"seeds' loop, fit's {fit_threads} thread(s):            {seeds_same_threads:>9,.0f} samples/s")
    print(f"cnnviz fit, tensors on the device:        {ours:>9,.0f} samples/s")
    ratio = ours / seeds
    print(f"ratio: {ratio:.1f}x against the seeds' loop as written (target >= {TARGET_RATIO:g}x) "
          f"{'ok' if ratio >= TARGET_RATIO else 'BELOW TARGET'}; {ours / seeds_same_threads:.1f}x with equal threads")


if __name__ == "__main__":
    main()
