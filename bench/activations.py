"""How long `capture` takes for the Activations page's batch (2 classes x 16 images) next to a plain forward.

    python bench/activations.py [--repeat 200] [--preset NAME]

Prints the median milliseconds of both and their ratio; the target for capture is under 20 ms.
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

from cnnviz.inspection.capture import capture  # noqa: E402
from cnnviz.arch import DEFAULT_PRESET, PRESETS, build  # noqa: E402
from cnnviz.data import load_fashion_mnist  # noqa: E402

TARGET_MS = 20.0


def class_batch(classes=(2, 4), per_class: int = 16) -> torch.Tensor:
    """The first `per_class` test images of each class: uint8 (len(classes) * per_class, 28, 28)."""
    images, labels = load_fashion_mnist(train=False)
    return torch.cat([images[labels == c][:per_class] for c in classes])


def median_ms(fns: dict, repeat: int) -> dict[str, float]:
    """Median milliseconds of each function, calls interleaved so a busy machine slows all alike."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for name, fn in fns.items():
        fn()  # warm-up
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--preset", default=DEFAULT_PRESET, choices=sorted(PRESETS))
    args = parser.parse_args()
    model = build(PRESETS[args.preset]).eval()
    images = class_batch()
    batch = images[:, None].float() / 255  # (32, 1, 28, 28)

    def forward():
        with torch.inference_mode():
            model(batch)

    print(f"preset {args.preset}, {len(images)} images (2 classes x 16)")
    # One intra-op thread and torch's default: on a small CPU shared with other busy processes, extra
    # threads can wait on each other far longer than the work takes.
    for threads in sorted({1, torch.get_num_threads()}):
        torch.set_num_threads(threads)
        medians = median_ms({"forward": forward, "capture": lambda: capture(model, images)}, args.repeat)
        plain, captured = medians["forward"], medians["capture"]
        verdict = "ok" if captured < TARGET_MS else "SLOW"
        print(f"{threads} thread(s): plain forward {plain:7.2f} ms, capture (all layers) {captured:7.2f} ms "
              f"(target < {TARGET_MS:.0f} ms: {verdict}), ratio {captured / plain:.2f}x")


if __name__ == "__main__":
    main()
