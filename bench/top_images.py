"""How long page 7's "what a channel looks for" takes: every test image's peak of every channel of one layer
(`channel_peaks`, the network run only up to the layer), next to a plain forward pass of the whole network
over the same images, in the same run.

    python bench/top_images.py [--repeat 3] [--preset lenet_modern] [--layer act2] [--threads N]

Prints the medians and their ratio; the target is under 3 s for lenet_modern over the 10,000 test images.
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
from cnnviz.inspection.top_images import BATCH, channel_peaks  # noqa: E402

TARGET_S = 3.0


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--preset", default="lenet_modern")
    parser.add_argument("--layer", default="act2")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's own)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    images, _labels = load_fashion_mnist(train=False)
    torch.manual_seed(0)
    model = build(PRESETS[args.preset]).eval()
    forward = seconds(lambda: plain_forward(model, images), args.repeat)
    peaks = seconds(lambda: channel_peaks(model, args.layer, images), args.repeat)
    verdict = "ok" if peaks < TARGET_S else "SLOW"
    print(f"{args.preset}, {len(images)} images, {torch.get_num_threads()} threads")
    print(f"plain forward (baseline)      {forward:7.2f} s")
    print(f"channel_peaks up to {args.layer:<9} {peaks:7.2f} s  {peaks / forward:5.2f}x  target {TARGET_S} s {verdict}")


if __name__ == "__main__":
    main()
