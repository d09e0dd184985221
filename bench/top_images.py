"""How long page 7's "what a channel looks for" takes: every test image's peak of every channel of one layer
(`channel_peaks`, the network run only up to the layer, the images resized as the page resizes them), next to a
plain forward pass of the whole modern LeNet over the same 10,000 images, in the same run.

    python bench/top_images.py [--repeat 3] [--large-repeat 1] [--images 10000] [--threads N]
                               [--case lenet_modern:act2] [--case alexnet:act1] ...

Prints the medians and their ratios to the baseline. Targets: under 3 s for lenet_modern over the 10,000 test
images; for the book's networks at 96 and 224 page 7's first search stops after cnnviz.ui.inside.top.BUDGET_S
seconds (all 10,000 where they fit) and offers the rest.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cnnviz.arch import PRESETS, build  # noqa: E402
from cnnviz.data import load_fashion_mnist  # noqa: E402
from cnnviz.inspection.capture import as_batch  # noqa: E402
from cnnviz.inspection.top_images import BATCH, batch_for, channel_peaks  # noqa: E402
from cnnviz.training.input import to_batch  # noqa: E402

TARGET_S = 3.0
AFFORDABLE_S = 20.0
CASES = ("lenet_modern:act2", "alexnet:act1", "resnet18:act1")


def plain_forward(model, images: torch.Tensor) -> None:
    with torch.inference_mode():
        for start in range(0, len(images), BATCH):
            model(images[start:start + BATCH, None].float() / 255)


def seconds(work, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peaks_seconds(case: str, images: torch.Tensor, repeat: int) -> tuple[str, float, int]:
    """The search over `images` for preset:layer, resized to the preset's own size as page 7 does."""
    preset, layer = case.split(":")
    torch.manual_seed(0)
    model = build(PRESETS[preset]).eval()
    side = PRESETS[preset].input_shape[1]

    def prepare(batch):
        return batch if side == batch.shape[-1] else to_batch(batch, channels_last=False, size=side)
    with torch.inference_mode():
        batch = batch_for(model, dict(model.named_modules())[layer], as_batch(prepare(images[:1])))
    took = seconds(lambda: channel_peaks(model, layer, images, prepare), repeat)
    return f"{preset} at {side}, up to {layer}", took, batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of the baseline and of 28×28 cases")
    parser.add_argument("--large-repeat", type=int, default=1, help="runs of the 96×96 and 224×224 cases")
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--case", action="append", help=f"preset:layer (default: {', '.join(CASES)})")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's own)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    images, _labels = load_fashion_mnist(train=False)
    images = images[:args.images]
    torch.manual_seed(0)
    baseline = seconds(lambda: plain_forward(build(PRESETS["lenet_modern"]).eval(), images), args.repeat)
    print(f"{len(images)} images, {torch.get_num_threads()} threads")
    print(f"plain forward of lenet_modern (baseline)   {baseline:7.2f} s")
    for case in args.case or CASES:
        large = PRESETS[case.split(":")[0]].input_shape[1] > 32
        name, took, batch = peaks_seconds(case, images, args.large_repeat if large else args.repeat)
        target, budget = (AFFORDABLE_S, "affordable") if large else (TARGET_S, "target")
        verdict = "ok" if took < target else "over"
        print(f"{name:<36} {took:7.2f} s  {took / baseline:6.2f}x  batch {batch:4d}  {budget} {target:g} s: {verdict}")


if __name__ == "__main__":
    main()
