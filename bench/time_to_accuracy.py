"""Time to accuracy: the best LeNet-class preset (cnnviz.arch.DEFAULT_PRESET) on the full Fashion-MNIST.

Target: at least 91% test accuracy within 10 epochs (Adam 1e-3 with cosine decay, batch 256), for each of
3 seeds. (`--schedule constant` keeps lr at 1e-3: it ends near 91%, a coin toss per seed.)
Prints, per seed, the epoch and wall time at which the test accuracy first reached the target, the final
accuracy, and the total wall time (evaluation of the 10,000 test images after each epoch included).

    python bench/time_to_accuracy.py [--seeds 0 1 2] [--epochs 10] [--device cpu] [--schedule cosine]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnnviz.arch import DEFAULT_PRESET, PRESETS, build  # noqa: E402
from cnnviz.data import load_fashion_mnist  # noqa: E402
from cnnviz.train import TrainConfig, fit  # noqa: E402

TARGET = 0.91


def one_seed(seed: int, epochs: int, device: str, schedule: str, train_set, test_set) -> dict:
    torch.manual_seed(seed)  # the initial weights
    model = build(PRESETS[DEFAULT_PRESET])
    reached: list[tuple[int, float]] = []
    start = time.perf_counter()

    def report(progress):
        if progress.test_accuracy is not None and progress.test_accuracy >= TARGET and not reached:
            reached.append((round(progress.epoch), time.perf_counter() - start))

    config = TrainConfig(epochs=epochs, batch_size=256, lr=1e-3, optimizer="adam", device=device, seed=seed,
                         lr_schedule=schedule)
    history = fit(model, train_set, test_set, config, on_progress=report)
    return {"seed": seed, "final": history.test_accuracy[-1], "best": max(history.test_accuracy),
            "seconds": time.perf_counter() - start, "reached": reached[0] if reached else None,
            "samples_per_s": sum(history.samples_per_s) / len(history.samples_per_s)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--schedule", default="cosine", choices=["constant", "cosine"])
    args = parser.parse_args()
    train_set, test_set = load_fashion_mnist(train=True), load_fashion_mnist(train=False)
    print(f"preset {DEFAULT_PRESET}, {args.epochs} epochs, Adam 1e-3 {args.schedule}, "
          f"target {TARGET:.0%} test accuracy", flush=True)
    ok = True
    for seed in args.seeds:
        r = one_seed(seed, args.epochs, args.device, args.schedule, train_set, test_set)
        when = (f"reached {TARGET:.0%} at epoch {r['reached'][0]} after {r['reached'][1]:.0f} s"
                if r["reached"] else f"did NOT reach {TARGET:.0%}")
        print(f"seed {seed}: final {r['final']:.2%}, best {r['best']:.2%}, {when}; "
              f"{r['seconds']:.0f} s in all, {r['samples_per_s']:,.0f} training samples/s", flush=True)
        ok &= r["reached"] is not None
    print("ok" if ok else "BELOW TARGET")


if __name__ == "__main__":
    main()
