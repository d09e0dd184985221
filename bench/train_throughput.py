"""Training throughput: the seeds' loop against cnnviz.training.loop.fit, same model, same machine, same run.

The seeds' loop is d2l's: torchvision's FashionMNIST dataset with ToTensor, a DataLoader (batch 256,
shuffled), Adam at 1e-3, LeNet with max pooling (lenet_maxpool: 44,426 parameters). `fit` trains a copy of
the same initial weights. Each side runs for a fixed time; the figure is training samples per second. Both
run with torch's default threads (one per core) and with the app's (all cores but one); "model alone"
trains on one fixed batch with no data handling, the ceiling for any float32 loop.

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
from cnnviz.device import cpu_has_native_bf16, set_cpu_threads  # noqa: E402
from cnnviz.training.loop import TrainConfig, fit  # noqa: E402

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


def fit_loop(model: torch.nn.Module, seconds: float, threads: int) -> float:
    """cnnviz's fit on the same data and settings; samples/s over `seconds` (no test evaluation counted)."""
    train_set, test_set = load_fashion_mnist(train=True), load_fashion_mnist(train=False)
    stop = __import__("threading").Event()
    steps, start = [0], time.perf_counter()

    def count(progress):
        steps[0] = progress.step
        if time.perf_counter() - start > seconds:
            stop.set()

    config = TrainConfig(epochs=100, batch_size=256, lr=1e-3, optimizer="adam", device="cpu", report_every=10,
                         cpu_threads=threads)
    fit(model, train_set, test_set, config, on_progress=count, stop=stop)
    return steps[0] * 256 / (time.perf_counter() - start)


def timed_steps(model: torch.nn.Module, optimizer: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor,
                seconds: float) -> float:
    """samples/s of plain training steps on one fixed batch `x` (N, C, H, W), `y` (N,) for `seconds`."""
    seen, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        loss = torch.nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        seen += len(y)
    return seen / (time.perf_counter() - start)


def model_alone(model: torch.nn.Module, seconds: float) -> float:
    """The float32 model on one fixed batch with no data handling at all: the ceiling of any float32 loop."""
    x, y = torch.rand(256, 1, 28, 28), torch.randint(0, 10, (256,))
    return timed_steps(model, torch.optim.Adam(model.parameters(), lr=1e-3), x, y, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="time for each side")
    args = parser.parse_args()
    torch.manual_seed(0)
    model = build(PRESETS["lenet_maxpool"])
    load_fashion_mnist(train=True)  # warm the cache outside the timings
    cores = torch.get_num_threads()  # torch's default: one thread per core
    app_threads = set_cpu_threads()  # what the app gives a training run: all cores but one
    rows = []
    for threads in sorted({cores, app_threads}, reverse=True):
        torch.set_num_threads(threads)
        rows.append((threads, seeds_loop(copy.deepcopy(model), args.seconds),
                     model_alone(copy.deepcopy(model), args.seconds / 3),
                     fit_loop(copy.deepcopy(model), args.seconds, threads)))
    print(f"LeNet with max pooling, batch 256, Adam 1e-3; fit: bfloat16 autocast "
          f"{'on (the CPU computes bfloat16 natively)' if cpu_has_native_bf16() else 'off (no native bfloat16)'}, "
          "channels_last on")
    print(f"{'threads':>7} {'seeds loop':>11} {'model alone':>12} {'cnnviz fit':>11} {'fit / seeds':>12}   samples/s")
    for threads, seeds, alone, ours in rows:
        note = " (the app's setting: a core left for the server)" if threads == app_threads != cores else ""
        print(f"{threads:>7} {seeds:>11,.0f} {alone:>12,.0f} {ours:>11,.0f} {ours / seeds:>11.1f}x{note}")
    seeds_default, best = rows[0][1], max(row[3] for row in rows)
    ratio = best / seeds_default
    print(f"ratio: {ratio:.1f}x, fit's best against the seeds' loop as written ({cores} threads); "
          f"target >= {TARGET_RATIO:g}x: {'ok' if ratio >= TARGET_RATIO else 'BELOW TARGET'}")


if __name__ == "__main__":
    main()
