"""What a run will cost before it starts: an epoch's time, measured here, and the memory it needs.

The time comes from a few real training steps of the network on this device (fit's own step, random
images), cached per network and device; the memory from the network's trace (activations per image) and
its parameters, checked against what the device has free.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import time
from dataclasses import dataclass

import torch

from cnnviz.arch import Architecture, build, count_flops, trace
from cnnviz.arch.memory import activation_memory
from cnnviz.device import memory_available, pick_device
from cnnviz.i18n import N_
from cnnviz.training.loop import TrainConfig, TrainingError, _prepare, _train_step
from cnnviz.training.input import input_shape_of

TRAIN_IMAGES = 60_000  # Fashion-MNIST's training set
RESIDENT_DATA_BYTES = 70_000 * 28 * 28  # both sets as uint8 on the device
PROBE_FLOPS = 2e10  # per probe batch on a CPU (forward + backward): 1-3 s on a laptop core
MIN_PROBE_BATCH = 2  # batch norm needs two images
# What a training forward creates per image (cnnviz.arch.memory) is what autograd keeps; the backward pass
# adds gradients in flight and the kernels' scratch. Peak RSS of real CPU steps (batches 4 to 32) was 1.19x
# (AlexNet, VGG-11/4), 1.26x (NiN) and 1.32x (GoogLeNet) that figure per image.
BACKWARD_FACTOR = 1.35
HEADROOM = 0.9  # leave a tenth of the device for the allocator's slack and cuDNN's workspaces
MEMORY_FIX = N_("training {network} at {side}×{side} with batch_size {batch} needs about {total} on the {device} "
                "({fixed} for the weights, gradients and optimizer state, {activations} for the activations), but "
                "it has {available} free; use batch_size {largest} or less")
MEMORY_NO_FIT = N_("training {network} at {side}×{side} with batch_size {batch} needs about {total} on the "
                   "{device} ({fixed} for the weights, gradients and optimizer state, {activations} for the "
                   "activations), but it has {available} free; even one image does not fit: use a smaller input "
                   "size or fewer channels, or a device with more memory")


@dataclass(frozen=True)
class EpochCost:
    """One epoch's training time, from samples/s measured on this device (evaluation not counted)."""

    samples_per_s: float
    images: int
    device: str  # "cuda" | "mps" | "cpu"
    probe_batch: int  # the batch size the measurement used (smaller than the run's on a CPU, to stay quick)

    @property
    def seconds(self) -> float:
        return self.images / self.samples_per_s


def measure_samples_per_s(model: torch.nn.Module, config: TrainConfig, batches: int = 2,
                          budget_s: float = 3.0) -> float:
    """Training samples/s of `model` under `config` (its device, batch, precision, layout, threads, resize):
    one warm-up step, then up to `batches` timed steps of fit's own step on random images, stopping early
    once `budget_s` has passed; a warm-up longer than `budget_s` is the measurement (slightly pessimistic:
    it includes the first call's set-up). Trains `model` on noise: pass a throwaway copy."""
    bs = config.batch_size
    with torch.random.fork_rng(devices=[]):  # leave the caller's random stream where it was
        images = torch.randint(0, 256, (bs, 28, 28), dtype=torch.uint8)
        labels = torch.randint(0, 10, (bs,))
        run = _prepare(model, (images, labels), (images[:1], labels[:1]), config)
        x, y = run.train
        model.train()
        start = time.perf_counter()
        _train_step(run, x, y)[0].item()  # warm-up: allocations, kernel selection
        warm_up = time.perf_counter() - start
        if warm_up >= budget_s:
            model.eval()
            return bs / warm_up
        done, start = 0, time.perf_counter()
        while done < batches and (done == 0 or time.perf_counter() - start < budget_s):
            _train_step(run, x, y)[0].item()  # .item() waits for the device
            done += 1
        elapsed = time.perf_counter() - start
    model.eval()
    return done * bs / max(elapsed, 1e-9)


def probe_batch(spec: Architecture, config: TrainConfig, device: torch.device) -> int:
    """The run's batch on a GPU; on a CPU a batch of about PROBE_FLOPS, so a big network measures quickly."""
    if device.type != "cpu":
        return config.batch_size
    flops = 3 * max(count_flops(spec, input_shape_of(spec)), 1)  # forward, and backward about twice that
    return max(1, min(config.batch_size, max(MIN_PROBE_BATCH, int(PROBE_FLOPS // flops))))


def epoch_cost(spec: Architecture, config: TrainConfig, images: int | None = None) -> EpochCost:
    """What one epoch of `spec` under `config` will take on config's device, measured (then cached);
    `images` defaults to the run's: config.max_train_samples, or all 60,000."""
    config.validate()
    images = images or min(config.max_train_samples or TRAIN_IMAGES, TRAIN_IMAGES)
    device = pick_device(config.device)
    # Only what changes the speed of a step stays: device, batch, optimizer, precision, layout, threads, size.
    probe = dataclasses.replace(
        TrainConfig(), device=device.type, batch_size=probe_batch(spec, config, device),
        optimizer=config.optimizer, momentum=config.momentum, mixed_precision=config.mixed_precision,
        channels_last=config.channels_last, cpu_threads=config.cpu_threads, input_size=input_shape_of(spec)[1])
    rate = _cached_samples_per_s(spec, probe)
    return EpochCost(rate, images, device.type, probe.batch_size)


@functools.lru_cache(maxsize=64)
def _cached_samples_per_s(spec: Architecture, probe: TrainConfig) -> float:
    channels, height, _width = input_shape_of(spec)
    with torch.random.fork_rng(devices=[]):
        model = build(spec, channels, height)
    return measure_samples_per_s(model, probe)


@dataclass(frozen=True)
class MemoryNeed:
    """Bytes a run needs on its device, as fixed costs and a cost per image of the batch."""

    fixed_bytes: int  # weights, gradients, optimizer state, the last-good copy, the resident data
    per_image_bytes: int  # activations kept for the backward pass and their gradients, one image

    def total(self, batch_size: int) -> int:
        return self.fixed_bytes + batch_size * self.per_image_bytes

    def largest_batch(self, available: int) -> int:
        """The largest batch that fits in `available` bytes (0 when not even one image does)."""
        return max(0, math.floor((available * HEADROOM - self.fixed_bytes) / self.per_image_bytes))


def memory_need(spec: Architecture, config: TrainConfig) -> MemoryNeed:
    """Training memory of `spec` under `config`, float32 (mixed precision only lowers it)."""
    shape = input_shape_of(spec)
    rows = trace(spec, shape, None)
    states = {"sgd": 1 if config.momentum > 0 else 0, "adam": 2, "adamw": 2}[config.optimizer]
    # weights, gradients, the last-good copy fit keeps, optimizer state
    weights = 4 * sum(row.params for row in rows) * (3 + states)
    per_image = math.ceil(BACKWARD_FACTOR * activation_memory(rows, shape).training_bytes)
    return MemoryNeed(weights + RESIDENT_DATA_BYTES, per_image)


def check_memory(spec: Architecture, config: TrainConfig, available: int | None = None) -> MemoryNeed:
    """Raises TrainingError, with the limit and the largest batch that fits, when the run cannot fit
    config's device; `available` overrides the free bytes measured now (for tests)."""
    device = pick_device(config.device)
    need = memory_need(spec, config)
    available = memory_available(device) if available is None else available
    total = need.total(config.batch_size)
    if total <= available * HEADROOM:
        return need
    largest = need.largest_batch(available)
    side = input_shape_of(spec)[1]
    values = dict(network=spec.name, side=side, batch=config.batch_size, total=_gib(total),
                  device=device.type.upper(), fixed=_gib(need.fixed_bytes),
                  activations=_gib(total - need.fixed_bytes), available=_gib(available), largest=largest)
    raise TrainingError(MEMORY_FIX if largest > 0 else MEMORY_NO_FIT, **values)


def _gib(n: int) -> str:
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"
