"""How fast cnnviz.conv.ops.corr2d is next to torch.nn.functional.conv2d: a 32x32 input, a 7x7 kernel, float64.

    python bench/ops.py [--repeat 2000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from cnnviz.conv import ops  # noqa: E402


def time_us(fn, repeat: int) -> float:
    """Median microseconds per call over `repeat` calls, in 20 batches."""
    fn()  # warm-up
    batch = max(repeat // 20, 1)
    samples = []
    for _ in range(20):
        start = time.perf_counter()
        for _ in range(batch):
            fn()
        samples.append((time.perf_counter() - start) / batch * 1e6)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    gen = torch.Generator().manual_seed(0)
    X = torch.randn(32, 32, generator=gen, dtype=torch.float64)
    K = torch.randn(7, 7, generator=gen, dtype=torch.float64)
    assert torch.allclose(ops.corr2d(X, K, padding=3), F.conv2d(X[None, None], K[None, None], padding=3)[0, 0])
    ours = time_us(lambda: ops.corr2d(X, K, padding=3), args.repeat)
    theirs = time_us(lambda: F.conv2d(X[None, None], K[None, None], padding=3), args.repeat)
    print(f"{'32x32 input, 7x7 kernel, padding 3, float64':<46} {'median us':>10}")
    print(f"{'cnnviz.conv.ops.corr2d':<46} {ours:>10.1f}")
    print(f"{'torch.nn.functional.conv2d':<46} {theirs:>10.1f}")
    print(f"ratio corr2d / conv2d: {ours / theirs:.2f}x (page budget per rerun: 150 ms)")


if __name__ == "__main__":
    main()
