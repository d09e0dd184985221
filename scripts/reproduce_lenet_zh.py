"""Reproduces the Chinese edition's LeNet result (d2l-zh 6.6) on the real Fashion-MNIST, over several seeds.

The book (PyTorch build) prints `loss 0.469, train acc 0.823, test acc 0.779` after 10 epochs of plain SGD,
lr 0.9, batch 256, Xavier-uniform weights, on ToTensor's [0, 1] images. Variants, to find out where a
difference comes from:

- `recipe`: cnnviz.training.recipes' "lenet_zh" through `fit` (the app's one-click recipe);
- `normalized`: the same, but with cnnviz's usual input standardisation (Fashion-MNIST's mean and std);
- `book-loop`: the book's own code path: torchvision's FashionMNIST + ToTensor + a shuffled DataLoader,
  d2l's nn.Sequential LeNet, train_ch6's init_weights, loss, metrics and evaluation, line for line.

Prints each seed's final loss / train acc / test acc (as train_ch6 prints them) and wall time, then the
mean, the standard deviation and the range over the seeds.

    python scripts/reproduce_lenet_zh.py [--variants recipe normalized book-loop] [--seeds 0 1 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnnviz.arch import PRESETS, build  # noqa: E402
from cnnviz.data import load_fashion_mnist, torchvision_root  # noqa: E402
from cnnviz.device import set_cpu_threads  # noqa: E402
from cnnviz.training.recipes import RECIPES, recipe_config  # noqa: E402
from cnnviz.training.loop import fit  # noqa: E402

RECIPE = RECIPES["lenet_zh"]
VARIANTS = ("recipe", "normalized", "book-loop")


def with_fit(seed: int, normalize: bool, data, device: str, threads: int, epochs: int) -> tuple[float, float, float]:
    torch.manual_seed(seed)  # the biases (the weights are Xavier-initialised by fit, from the same seed)
    model = build(PRESETS[RECIPE.preset])
    config = recipe_config(RECIPE, seed=seed, device=device, normalize_input=normalize, cpu_threads=threads,
                           epochs=epochs)
    history = fit(model, *data, config, on_progress=_print_epoch)
    return history.train_loss[-1], history.train_accuracy[-1], history.test_accuracy[-1]


def _print_epoch(progress) -> None:
    if progress.test_accuracy is not None:
        print(f"    epoch {progress.epoch:4.1f}: loss {progress.loss:.3f}, train acc {progress.accuracy:.3f}, "
              f"test acc {progress.test_accuracy:.3f}", flush=True)


def d2l_lenet() -> nn.Sequential:
    """d2l-zh 6.6's LeNet, as the book writes it."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))


def with_book_loop(seed: int, device: str, epochs: int) -> tuple[float, float, float]:
    """train_ch6 (d2l-zh d2l/torch.py) with load_data_fashion_mnist(256), minus the plotting."""
    from torchvision import transforms
    from torchvision.datasets import FashionMNIST

    torch.manual_seed(seed)
    root, trans = str(torchvision_root()), transforms.ToTensor()
    train_iter = torch.utils.data.DataLoader(FashionMNIST(root, train=True, transform=trans), 256, shuffle=True)
    test_iter = torch.utils.data.DataLoader(FashionMNIST(root, train=False, transform=trans), 256, shuffle=False)
    net = d2l_lenet()

    def init_weights(m):
        if type(m) == nn.Linear or type(m) == nn.Conv2d:  # noqa: E721 (the book's test)
            nn.init.xavier_uniform_(m.weight)

    net.apply(init_weights)
    net.to(device)
    optimizer, loss = torch.optim.SGD(net.parameters(), lr=RECIPE.config.lr), nn.CrossEntropyLoss()
    for epoch in range(epochs):
        metric = [0.0, 0.0, 0]  # loss sum, correct, samples
        net.train()
        for X, y in train_iter:
            optimizer.zero_grad()
            X, y = X.to(device), y.to(device)
            y_hat = net(X)
            batch_loss = loss(y_hat, y)
            batch_loss.backward()
            optimizer.step()
            with torch.no_grad():
                metric[0] += float(batch_loss) * X.shape[0]
                metric[1] += float((y_hat.argmax(1) == y).sum())
                metric[2] += X.shape[0]
        test_acc = _book_accuracy(net, test_iter, device)
        print(f"    epoch {epoch + 1:4.1f}: loss {metric[0] / metric[2]:.3f}, train acc {metric[1] / metric[2]:.3f}, "
              f"test acc {test_acc:.3f}", flush=True)
    return metric[0] / metric[2], metric[1] / metric[2], test_acc


@torch.no_grad()
def _book_accuracy(net, data_iter, device) -> float:
    net.eval()
    correct = total = 0
    for X, y in data_iter:
        correct += int((net(X.to(device)).argmax(1) == y.to(device)).sum())
        total += len(y)
    return correct / total


def summary(name: str, rows: list[tuple[float, float, float, float]]) -> None:
    printed = RECIPE.printed
    print(f"\n{name}: {len(rows)} seeds")
    for label, index, book in (("loss", 0, printed.loss), ("train acc", 1, printed.train_accuracy),
                               ("test acc", 2, printed.test_accuracy), ("seconds", 3, None)):
        values = [row[index] for row in rows]
        spread = statistics.stdev(values) if len(values) > 1 else 0.0
        book_text = f"   (book {book:.3f})" if book is not None else ""
        print(f"  {label:>9}: mean {statistics.mean(values):.3f}, std {spread:.3f}, "
              f"range {min(values):.3f} - {max(values):.3f}{book_text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=["recipe"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--epochs", type=int, default=RECIPE.config.epochs, help="the book's 10; fewer to try it")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: the app's)")
    args = parser.parse_args()
    threads = set_cpu_threads(args.threads)
    print(f"CPU threads: {threads}")
    data = load_fashion_mnist(train=True), load_fashion_mnist(train=False)
    for variant in args.variants:
        rows = []
        for seed in args.seeds:
            print(f"{variant}, seed {seed}", flush=True)
            start = time.perf_counter()
            if variant == "book-loop":
                result = with_book_loop(seed, args.device, args.epochs)
            else:
                result = with_fit(seed, variant == "normalized", data, args.device, threads, args.epochs)
            rows.append((*result, time.perf_counter() - start))
            print(f"  loss {result[0]:.3f}, train acc {result[1]:.3f}, test acc {result[2]:.3f} "
                  f"({rows[-1][3]:.0f} s)", flush=True)
        summary(variant, rows)


if __name__ == "__main__":
    main()
