"""Time to 91%: each recipe against the seeds' DataLoader loop, timed in the same run.

For each numeric path (bfloat16 autocast where the CPU computes it natively, and float32), recipe and seed, the
wall time until the full 10,000-image test set first scores >= 91%, checked every tenth of an epoch (the checks
inside an epoch are this bench's, their time is left out except for the one that reached the target; the
epoch-end evaluation is the trainer's own and counts). Before each of those runs the
seeds' loop (bench/train_throughput.py: torchvision FashionMNIST + ToTensor + DataLoader, batch 256, LeNet
with max pooling, Adam, torch's default threads) trains for `--seeds-seconds`; its samples/s gives its time
per epoch, and the ratio is time-to-91% / that epoch time, so a busy machine slows both sides alike.
Recipes: `fast_demo` (cnnviz.training.recipes.FAST_DEMO) and `lenet_modern` (the modern LeNet preset with Adam 1e-3,
cosine, batch 256, 10 epochs: what the Train page defaults to). A run stops at the target, or once it has
trained for `--cap` seeds' epochs (default 4: "not done above 3" with room to see where it would land); a
cap in seeds' epochs, not seconds, so a busy machine does not cut a run short.

    python bench/time_to_accuracy.py [--recipes fast_demo lenet_modern] [--seeds 0 1 2] [--cap 4]
                                     [--paths bfloat16 float32]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.train_throughput import seeds_loop  # noqa: E402
from cnnviz.arch import PRESETS, build  # noqa: E402
from cnnviz.data import load_fashion_mnist  # noqa: E402
from cnnviz.device import BF16_VARIABLE, cpu_has_native_bf16  # noqa: E402
from cnnviz.training.recipes import FAST_DEMO  # noqa: E402
from cnnviz.training.loop import TrainConfig, evaluate, fit  # noqa: E402

TARGET = 0.91
CHECKS_PER_EPOCH = 10
GOALS = {"bfloat16": 1.0, "float32": 1.5}  # issue 27: the worst seed, in seeds' epochs
PATHS = {"bfloat16": "auto", "float32": "off"}  # path -> CNNVIZ_BF16
TIMED = {  # name -> (preset, config)
    "fast_demo": (FAST_DEMO.preset, FAST_DEMO.config),
    "lenet_modern": ("lenet_modern", TrainConfig(epochs=10, batch_size=256, lr=1e-3, optimizer="adam",
                                                 lr_schedule="cosine")),
}


def time_to_target(preset: str, config: TrainConfig, test_set, train_set, cap: float) -> dict:
    """One run; the seconds and the epoch at which the test accuracy first reached TARGET (None: never)."""
    torch.manual_seed(config.seed)  # the initial weights
    model = build(PRESETS[preset])
    steps = math.ceil(len(train_set[0]) / config.batch_size)
    config = replace(config, report_every=math.ceil(steps / CHECKS_PER_EPOCH), device="cpu")  # and the epoch's end
    stop, probes, found, trained = threading.Event(), [0.0], {}, {}
    start = time.perf_counter()

    def report(progress):
        accuracy, probe_start = progress.test_accuracy, time.perf_counter()
        trained.update(samples=progress.step * config.batch_size, seconds=probe_start - start - probes[0])
        if accuracy is None:  # mid-epoch: this bench's own check
            accuracy = evaluate(model, test_set, config.eval_batch, channels_last=bool(config.channels_last),
                                flip=config.test_flip)[1]
        if accuracy >= TARGET and not found:
            found.update(epoch=progress.epoch, accuracy=accuracy,
                         seconds=time.perf_counter() - start - probes[0])
            stop.set()
        if progress.test_accuracy is None:
            probes[0] += time.perf_counter() - probe_start
        if time.perf_counter() - start - probes[0] > cap:
            stop.set()

    fit(model, train_set, test_set, config, on_progress=report, stop=stop)
    # images trained per second of the run so far, whitening and epoch-end evaluations included, probes not
    return {**found, "samples_per_s": trained["samples"] / trained["seconds"]}


def seeds_epoch_seconds(seconds: float, threads: int) -> float:
    """The seeds' loop's time for one 60,000-image epoch, from its samples/s over `seconds`."""
    torch.set_num_threads(threads)  # fit set its own; the seeds ran with torch's default
    torch.manual_seed(0)
    return 60_000 / seeds_loop(build(PRESETS["lenet_maxpool"]), seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", nargs="+", default=list(TIMED), choices=list(TIMED))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--cap", type=float, default=4.0, help="seeds' epochs of training before a run stops")
    parser.add_argument("--seeds-seconds", type=float, default=15.0, help="time the seeds' loop runs each time")
    native = ["bfloat16"] if cpu_has_native_bf16() else []
    parser.add_argument("--paths", nargs="+", default=[*native, "float32"], choices=list(PATHS))
    args = parser.parse_args()
    default_threads = torch.get_num_threads()
    train_set, test_set = load_fashion_mnist(train=True), load_fashion_mnist(train=False)
    print(f"target {TARGET:.0%} on the 10,000 test images, checked every tenth of an epoch; ratio = time to target "
          f"/ one epoch of the seeds' float32 loop measured just before ({default_threads} threads)", flush=True)
    for path in args.paths:
        os.environ[BF16_VARIABLE] = PATHS[path]  # read by fit at each run
        print(f"{path} path{'' if path in native or path == 'float32' else ' (emulated here)'}:", flush=True)
        print(f"{'recipe':>13} {'seed':>4} {'at epoch':>8} {'test acc':>8} {'seconds':>8} {'samples/s':>9} "
              f"{'seeds epoch':>11} {'ratio':>6}", flush=True)
        run_path(args, path, train_set, test_set, default_threads)


def run_path(args, path: str, train_set, test_set, default_threads: int) -> None:
    """Every recipe and seed on one numeric path, each against the seeds' loop timed just before it."""
    for name in args.recipes:
        preset, config = TIMED[name]
        ratios = []
        for seed in args.seeds:
            epoch_s = seeds_epoch_seconds(args.seeds_seconds, default_threads)
            r = time_to_target(preset, replace(config, seed=seed), test_set, train_set, args.cap * epoch_s)
            reached = "seconds" in r
            ratios.append(r["seconds"] / epoch_s if reached else math.inf)
            print(f"{name:>13} {seed:>4} {r.get('epoch', math.nan):>8.1f} {r.get('accuracy', math.nan):>8.2%} "
                  f"{r.get('seconds', math.nan):>8.1f} {r['samples_per_s']:>9,.0f} {epoch_s:>10.1f}s "
                  f"{ratios[-1]:>6.2f}" + ("" if reached else f"  (not reached within {args.cap:g} seeds' epochs)"), flush=True)
        worst, goal = max(ratios), GOALS[path]
        print(f"{name} ({path}): worst ratio {worst:.2f} seeds' epochs (goal at most {goal:g}): "
              f"{'goal met' if worst <= goal else 'NOT met'}", flush=True)


if __name__ == "__main__":
    main()
