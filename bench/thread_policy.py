"""Thread policy: training samples/s of one run against several concurrent runs, per thread count.

Each run trains the fast demo's network (batch 256, SGD, channels-last, float32) on one fixed batch for
`--seconds`, in its own process with torch.set_num_threads(threads), all runs of a row at the same time.
The figures back cnnviz.device.threads_for: run it on the server that will host the app.

    python bench/thread_policy.py [--seconds 10] [--cores N]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def one_run(threads: int, seconds: float, start_at: float, out) -> None:
    import torch

    from bench.train_throughput import timed_steps
    from cnnviz.arch import PRESETS, build

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = build(PRESETS["fast_demo"]).to(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
    x = torch.rand(256, 1, 28, 28).contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, 10, (256,))
    while time.time() < start_at:  # every run of a row starts together, after its imports
        time.sleep(0.01)
    out.put(timed_steps(model, optimizer, x, y, seconds))


def measure(runs: int, threads: int, seconds: float) -> list[float]:
    """samples/s of each of `runs` concurrent runs with `threads` threads each."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    start_at = time.time() + 8.0  # room for each process to import torch
    procs = [ctx.Process(target=one_run, args=(threads, seconds, start_at, out)) for _ in range(runs)]
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--cores", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    rows = [(1, t) for t in sorted({1, 2, args.cores // 2, args.cores} - {0})]
    rows += [(r, t) for r in sorted({2, args.cores}) for t in sorted({1, max(1, args.cores // r), 2})
             if r > 1 and r * t <= 2 * args.cores]
    print(f"{args.cores} cores; fast_demo, batch 256, {args.seconds:g} s per row")
    print(f"{'runs':>4} {'threads':>7} {'per run':>9} {'total':>9}   samples/s")
    for runs, threads in rows:
        speeds = measure(runs, threads, args.seconds)
        print(f"{runs:>4} {threads:>7} {min(speeds):>9,.0f} {sum(speeds):>9,.0f}", flush=True)


if __name__ == "__main__":
    main()
