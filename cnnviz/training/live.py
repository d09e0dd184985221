"""Live learning: snapshots of a network's first two convolution stages while it trains, and what they show.

At each report the training thread copies the weights of a short PREFIX of the model (the layers up to the
second convolution stage, a few KB for LeNet) to the CPU; it never copies the whole network and never runs
anything on it, so training pauses only for that copy. The page computes the first layer's kernels and the
feature maps of chosen images from a snapshot, in its own thread, through a fresh CPU copy of the prefix.

A model is an `nn.Sequential` as `cnnviz.arch.build` makes it: `normalize`, then named layers; a stage is
a convolution (or a block holding convolutions: VGG, NiN, Inception) with the batch norm and activation
that follow it, up to its pooling.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from dataclasses import dataclass, field

import torch
from torch import nn

from cnnviz.inspection.capture import capture, first_conv, stage_groups
from cnnviz.training.input import DATA_SIZE, to_batch

MAX_SNAPSHOTS = 48  # the replay's bound; when full every other one is dropped, so it spans the whole run
BYTE_BUDGET = 32 * 2**20  # a run's stored snapshots stay under this (AlexNet's prefix is 2.5 MB: 12 of them)
MIN_SNAPSHOTS = 4
_STAGE_TAIL = ("batch norm", "activation")  # what a stage keeps after its convolution, before pooling


@dataclass(frozen=True)
class LivePlan:
    """Which layers the live panels watch: `stages` are the output layers of the first (at most) two
    convolution stages, `prefix` every child of the model up to the last of them, `kernel` the state key
    of the first convolution's weight ("conv1.weight", "vgg1.0.weight"), None when there is none."""

    prefix: tuple[str, ...]
    stages: tuple[str, ...]
    kernel: str | None
    input_size: int = DATA_SIZE

    @property
    def has_kernels(self) -> bool:
        return self.kernel is not None


def _stage_output(group: list[tuple[str, str]]) -> str:
    """The last layer of a stage before its pooling: conv1 -> bn1 -> act1 gives act1."""
    name = group[0][0]
    for layer, kind in group[1:]:
        if kind not in _STAGE_TAIL:
            break
        name = layer
    return name


def live_plan(model: nn.Module, input_size: int | None = None, max_stages: int = 2) -> LivePlan:
    """The prefix of `model` up to the end of its `max_stages`-th convolution stage (fewer if it has fewer;
    none when the first stage that computes is fully connected: an MLP has no kernels to watch)."""
    children = dict(model.named_children())
    stages: list[str] = []
    for group in stage_groups(model):
        head, kind = group[0]
        if kind in ("flatten", "linear"):
            break  # past the convolutional part
        if kind in ("convolution", "block") and first_conv(children[head]) is not None:
            stages.append(_stage_output(group))
        if len(stages) == max_stages:
            break
    size = input_size or DATA_SIZE
    if not stages:
        return LivePlan(prefix=(), stages=(), kernel=None, input_size=size)
    names = list(children)
    prefix = tuple(names[:names.index(stages[-1]) + 1])
    kernel = next(f"{name}.weight" for name, module in _prefix_module(model, prefix).named_modules()
                  if isinstance(module, nn.Conv2d))
    return LivePlan(prefix=prefix, stages=tuple(stages), kernel=kernel, input_size=size)


def _prefix_module(model: nn.Module, prefix: tuple[str, ...]) -> nn.Sequential:
    """The model's own first layers (shared, not copied) as an nn.Sequential with the same names."""
    children = dict(model.named_children())
    return nn.Sequential(OrderedDict((name, children[name]) for name in prefix))


@dataclass(frozen=True)
class LiveSnapshot:
    """The prefix's weights and buffers at one report: detached CPU copies, keyed as its state_dict."""

    step: int
    epoch: float
    state: dict[str, torch.Tensor] = field(repr=False)

    @property
    def nbytes(self) -> int:
        return sum(t.numel() * t.element_size() for t in self.state.values())


def copy_prefix_state(model: nn.Module, plan: LivePlan) -> dict[str, torch.Tensor]:
    """The prefix's state, copied to the CPU in the standard layout (a channels_last run's too)."""
    children = dict(model.named_children())
    state = {}
    with torch.no_grad():
        for name in plan.prefix:
            for key, tensor in children[name].state_dict().items():
                state[f"{name}.{key}"] = tensor.detach().to("cpu", memory_format=torch.contiguous_format,
                                                             copy=True)
    return state


class SnapshotStore:
    """At most `capacity` items spread evenly over everything offered: when full, every other item is
    dropped and from then on only every second (then fourth, ...) offer is kept."""

    def __init__(self, capacity: int = MAX_SNAPSHOTS):
        if capacity < 2:
            raise ValueError(f"capacity is {capacity}; keep at least 2 snapshots")
        self.capacity = capacity
        self._items: list = []
        self._stride = 1  # keep one offer in `stride`
        self._offered = 0

    def add(self, item) -> None:
        keep = self._offered % self._stride == 0
        self._offered += 1
        if not keep:
            return
        if len(self._items) == self.capacity:
            del self._items[1::2]  # the first stays: the replay always starts at the run's start
            self._stride *= 2
            if (self._offered - 1) % self._stride:  # this offer falls between the new, wider steps
                return
        self._items.append(item)

    def items(self) -> list:
        return list(self._items)


class LiveRecorder:
    """What a training job keeps for the live panels: the latest snapshot and a bounded replay.

    `copy(model, step, epoch)` runs in the training thread; `add` and `snapshots` are not thread-safe on
    their own (the job calls them under its lock)."""

    def __init__(self, model: nn.Module, input_size: int | None = None, keep: bool = True,
                 max_snapshots: int = MAX_SNAPSHOTS, byte_budget: int = BYTE_BUDGET):
        self.plan = live_plan(model, input_size)
        # A CPU copy of the prefix's layers, made once: each computation loads a snapshot into a copy of it.
        self._template = copy.deepcopy(_prefix_module(model, self.plan.prefix)).to(
            "cpu", memory_format=torch.contiguous_format).eval()
        size = max(sum(t.numel() * t.element_size() for t in self._template.state_dict().values()), 1)
        capacity = max(MIN_SNAPSHOTS, min(max_snapshots, byte_budget // size))
        self.store = SnapshotStore(capacity) if keep else None
        self.latest: LiveSnapshot | None = None

    def copy_initial(self, model: nn.Module) -> LiveSnapshot | None:
        """The weights before the first step (step 0, epoch 0), so a replay starts from the initial noise."""
        return self.copy(model, 0, 0.0)

    def copy(self, model: nn.Module, step: int, epoch: float) -> LiveSnapshot | None:
        if not self.plan.has_kernels:
            return None
        return LiveSnapshot(step=step, epoch=epoch, state=copy_prefix_state(model, self.plan))

    def add(self, snapshot: LiveSnapshot | None) -> None:
        if snapshot is None:
            return
        self.latest = snapshot
        if self.store is not None:
            self.store.add(snapshot)

    def snapshots(self) -> tuple[LiveSnapshot, ...]:
        """The replay, oldest first, ending with the latest snapshot."""
        kept = self.store.items() if self.store is not None else []
        if self.latest is not None and (not kept or kept[-1] is not self.latest):
            kept.append(self.latest)
        return tuple(kept)

    def prefix_model(self, snapshot: LiveSnapshot) -> nn.Sequential:
        """A fresh CPU copy of the prefix holding `snapshot`'s weights, in eval mode."""
        module = copy.deepcopy(self._template)
        module.load_state_dict(snapshot.state)
        return module.eval()

    def kernels(self, snapshot: LiveSnapshot) -> torch.Tensor | None:
        """The first convolution's weight (C_out, C_in, k, k) at the snapshot; None for a network without."""
        return snapshot.state[self.plan.kernel].clone() if self.plan.has_kernels else None

    def feature_maps(self, snapshot: LiveSnapshot, images: torch.Tensor) -> dict[str, torch.Tensor]:
        """{stage output layer: (N, C, H, W)} for uint8 images (N, 28, 28), resized as training resizes them."""
        if not self.plan.stages:
            return {}
        size = None if self.plan.input_size == DATA_SIZE else self.plan.input_size
        batch = to_batch(images.cpu(), channels_last=False, size=size)  # (N, 1, S, S) in [0, 1]
        maps = capture(self.prefix_model(snapshot), batch, self.plan.stages)
        # A block that ends in scores (a wrapped model: the whole network as one child) has no maps to show.
        return {name: out for name, out in maps.items() if out.dim() == 4}


def class_examples(images: torch.Tensor, labels: torch.Tensor, num_classes: int = 10) -> torch.Tensor:
    """The first image of each class: uint8 (num_classes, 28, 28), class order (a class with no image: zeros)."""
    examples = torch.zeros((num_classes, *images.shape[1:]), dtype=images.dtype)
    for c in range(num_classes):
        found = (labels == c).nonzero()
        if len(found):
            examples[c] = images[int(found[0])]
    return examples


__all__ = ["BYTE_BUDGET", "MAX_SNAPSHOTS", "LivePlan", "LiveRecorder", "LiveSnapshot",
           "SnapshotStore", "class_examples", "copy_prefix_state", "live_plan"]
