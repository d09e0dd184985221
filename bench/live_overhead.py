"""What live learning costs a run: samples/s of the same TrainingJob without live snapshots, with them, and
with them plus a viewer thread drawing the panels' numbers twice a second (as the Train page's fragment
does), interleaved in one run so the machine's mood hits all three alike.

The runs are the Train page's: the real Fashion-MNIST training images (a subset), the page's report rate
(about 8 reports an epoch), for LeNet (lenet_relu, Adam 1e-3) and the fast demo recipe if present.
Samples/s is each epoch's training throughput as `fit` measures it (evaluation excluded), averaged.

    python bench/live_overhead.py [--images 10000] [--epochs 2] [--repeats 3]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnnviz.arch import PRESETS, build  # noqa: E402
from cnnviz.data import load_fashion_mnist  # noqa: E402
from cnnviz.training.jobs import LiveOptions, TrainingJob  # noqa: E402
from cnnviz.training.live import LiveRecorder, class_examples  # noqa: E402
from cnnviz.training.loop import TrainConfig  # noqa: E402

def cpu_name() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []:
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


MODES = ("off", "snapshots", "snapshots + viewer")
VIEW_EVERY_S = 0.5  # the Train page's fragment period while a run trains


def _viewer(job: TrainingJob, images: torch.Tensor, done: threading.Event) -> None:
    """What the page computes at each redraw: the latest snapshot's kernels and two images' maps."""
    while not done.wait(VIEW_EVERY_S):
        snapshots = job.live_snapshots()
        if snapshots:
            job.live.kernels(snapshots[-1])
            job.live.feature_maps(snapshots[-1], images[[2, 4]])


def one_run(preset: str, config: TrainConfig, train, test, mode: str) -> float:
    torch.manual_seed(config.seed)
    model = build(PRESETS[preset])
    images = class_examples(*test)
    live = LiveOptions(images=images) if mode != "off" else None
    job = TrainingJob(model, train, test, config, live=live)
    done = threading.Event()
    viewer = threading.Thread(target=_viewer, args=(job, images, done)) if mode == MODES[2] else None
    job.start()
    if viewer:
        viewer.start()
    job.join()
    done.set()
    if viewer:
        viewer.join()
    if mode != "off":
        assert job.live_snapshots(), "no snapshot was taken"
    return statistics.mean(job.snapshot().history.samples_per_s)


def copy_cost_us(preset: str) -> float:
    """Microseconds one snapshot costs the training thread (the copy of the prefix), median of 200."""
    model = build(PRESETS[preset])
    recorder = LiveRecorder(model)
    times = []
    for _ in range(200):
        start = time.perf_counter()
        recorder.copy(model, 1, 0.0)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def runs() -> dict[str, tuple[str, TrainConfig]]:
    found = {"LeNet (lenet_relu, Adam)": ("lenet_relu", TrainConfig(optimizer="adam", lr=0.001))}
    try:
        from cnnviz.training.recipes import FAST_DEMO
        found["fast demo recipe"] = (FAST_DEMO.preset, FAST_DEMO.config)
    except ImportError:
        pass
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    train, test = load_fashion_mnist(train=True), load_fashion_mnist(train=False)
    every = max(1, min(50, -(-args.images // 256) // 8))  # the page's report_every for batch 256
    print(f"CPU: {cpu_name()}, {torch.get_num_threads()} torch threads; "
          f"{args.images:,} images x {args.epochs} epochs, batch 256, a report every {every} batches, "
          f"{args.repeats} repeats, modes interleaved")
    for title, (preset, base) in runs().items():
        config = replace(base, epochs=args.epochs, batch_size=256, max_train_samples=args.images,
                         max_test_samples=1_000, report_every=every, seed=0)
        rates: dict[str, list[float]] = {m: [] for m in MODES}
        for repeat in range(args.repeats):
            order = MODES[repeat % 3:] + MODES[:repeat % 3]  # rotate who goes first
            for mode in order:
                rates[mode].append(one_run(preset, config, train, test, mode))
        off = statistics.median(rates["off"])
        print(f"\n{title}: median samples/s over {args.repeats} runs; one snapshot costs the training thread "
              f"{copy_cost_us(preset):.0f} us")
        for mode in MODES:
            rate = statistics.median(rates[mode])
            print(f"  {mode:<20} {rate:>9,.0f}  ratio to off {rate / off:.3f}  "
                  f"(runs: {', '.join(f'{r:,.0f}' for r in rates[mode])})")


if __name__ == "__main__":
    main()
