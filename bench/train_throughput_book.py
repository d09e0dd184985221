"""Training throughput of the book's big networks at the book's sizes: the seeds' loop against cnnviz's fit.

The seeds' loop is d2l's `load_data_fashion_mnist(batch_size, resize=224)` + `train_ch6`: torchvision's
FashionMNIST with `Resize(size)` and `ToTensor` on every image (PIL, on the CPU), a DataLoader with the
book's 4 workers, the book's batch (128) and SGD at the recipe's lr, each batch copied to the device.
`fit` keeps the uint8 28x28 images on the device and resizes each batch there. Both train a copy of the
same initial weights with the same threads; the figure is training samples per second over a few batches
after one warm-up batch (a handful on a CPU, where one AlexNet batch of 128 takes tens of seconds).

    python bench/train_throughput_book.py [--networks alexnet nin] [--batches 2] [--batch-size 128]
"""

from __future__ import annotations

import argparse
import copy
import sys
import threading
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnnviz.arch import PRESETS, build  # noqa: E402
from cnnviz.data import load_fashion_mnist, torchvision_root  # noqa: E402
from cnnviz.device import describe_device, pick_device  # noqa: E402
from cnnviz.training.recipes import RECIPES, recipe_config  # noqa: E402
from cnnviz.training.loop import fit  # noqa: E402

NETWORKS = {"alexnet": "alexnet_zh", "vgg11_narrow": "vgg_zh", "nin": "nin_zh", "googlenet": "googlenet_zh",
            "resnet18": "resnet_zh", "densenet": "densenet_zh"}  # network -> the zh recipe it trains with
BOOK_WORKERS = 4  # d2l's get_dataloader_workers()


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def seeds_loop(model, size: int, batch: int, lr: float, batches: int, device: torch.device, workers: int) -> float:
    """d2l's loop: PIL Resize + ToTensor per image in DataLoader workers; samples/s after one warm-up batch."""
    from torchvision import transforms
    from torchvision.datasets import FashionMNIST

    trans = transforms.Compose([transforms.Resize(size), transforms.ToTensor()])
    dataset = FashionMNIST(root=str(torchvision_root()), train=True, transform=trans, download=False)
    loader = torch.utils.data.DataLoader(dataset, batch, shuffle=True, num_workers=workers)
    model.to(device).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    start = None
    for i, (x, y) in enumerate(loader):
        if i == 1:
            _sync(device)
            start = time.perf_counter()
        x, y = x.to(device), y.to(device)
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
        if i == batches:
            break
    _sync(device)
    return batches * batch / (time.perf_counter() - start)


def fit_loop(model, recipe, batch: int, batches: int, device: torch.device, threads: int, data) -> float:
    """cnnviz's fit with the recipe (resize on the device); samples/s between the reports after batch 1 and
    after batch 1 + `batches`, then it stops (no evaluation timed)."""
    train_set, test_set = data
    stop, stamps = threading.Event(), []

    def stamp(progress):
        stamps.append(time.perf_counter())  # the report follows a finiteness check: the device is idle
        if progress.step == 1 + batches:
            stop.set()

    config = recipe_config(recipe, batch_size=batch, epochs=1, report_every=1, device=device.type,
                           max_train_samples=(2 + batches) * batch, cpu_threads=threads)
    fit(model, train_set, (test_set[0][:batch], test_set[1][:batch]), config, on_progress=stamp, stop=stop)
    return batches * batch / (stamps[batches] - stamps[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", nargs="+", choices=list(NETWORKS), default=list(NETWORKS))
    parser.add_argument("--batches", type=int, default=None, help="timed batches (default: 5 on a GPU, 1 on a CPU)")
    parser.add_argument("--batch-size", type=int, default=None, help="default: the book's (128)")
    parser.add_argument("--workers", type=int, default=BOOK_WORKERS, help="the seeds' DataLoader workers")
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    device = pick_device(args.device)
    batches = args.batches or (1 if device.type == "cpu" else 5)
    threads = torch.get_num_threads()  # torch's default, for both loops
    data = load_fashion_mnist(train=True), load_fashion_mnist(train=False)
    print(f"device: {device.type} ({describe_device(device).description}); {threads} threads; "
          f"{batches} timed batch(es) after 1 warm-up; seeds' DataLoader with {args.workers} workers")
    print(f"{'network':>13} {'input':>7} {'batch':>5} {'seeds loop':>11} {'cnnviz fit':>11} "
          f"{'fit / seeds':>12}   samples/s")
    for name in args.networks:
        recipe = RECIPES[NETWORKS[name]]
        batch = args.batch_size or recipe.config.batch_size
        torch.manual_seed(0)
        model = build(PRESETS[name])
        seeds = seeds_loop(copy.deepcopy(model), recipe.input_size, batch, recipe.config.lr, batches, device,
                           args.workers)
        ours = fit_loop(copy.deepcopy(model), recipe, batch, batches, device, threads, data)
        side = recipe.input_size
        print(f"{name:>13} {side:>3}x{side:<3} {batch:>5} {seeds:>11,.1f} {ours:>11,.1f} {ours / seeds:>11.2f}x",
              flush=True)


if __name__ == "__main__":
    main()
