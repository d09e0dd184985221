"""What a channel looks for: over a whole test set, each image's strongest response of every channel of one
layer and where it sits, so the images that excite a channel most (and the unit that fired) are a lookup.

The network runs only up to the layer (a forward hook stops it there), in batches, in eval mode.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

from cnnviz.inspection.capture import _HOOKED, ActivationError, as_batch, model_device
from cnnviz.i18n import N_

BATCH = 1000  # images per forward pass at most
BATCH_BYTES = 256 * 2**20  # and no larger a batch than keeps every layer's output up to the chosen one under this


class _Reached(Exception):
    """Raised by the hook once the layer's output is kept: the rest of the network need not run."""


@dataclass(frozen=True)
class ChannelPeaks:
    """Each image's largest value of each channel of one layer and the flat position of that unit."""

    layer: str
    values: torch.Tensor  # (N, C) float32
    positions: torch.Tensor  # (N, C) int64, row * width + column
    width: int  # the map's width (1 for a flat layer)

    def top(self, channel: int, count: int = 8) -> list[tuple[int, float, tuple[int, int]]]:
        """The `count` images that excite `channel` most: (image index, value, (row, column)), best first."""
        if not 0 <= channel < self.values.shape[1]:
            raise ActivationError(N_("channel {channel} is outside {layer}'s {count} channels (0 to {last})"),
                                  channel=channel, layer=self.layer, count=self.values.shape[1],
                                  last=self.values.shape[1] - 1)
        order = self.values[:, channel].argsort(descending=True)[:count]
        return [(int(i), float(self.values[i, channel]), divmod(int(self.positions[i, channel]), self.width))
                for i in order]


def batch_for(model: nn.Module, module: nn.Module, first: torch.Tensor) -> int:
    """How many images one forward pass up to `module` may take: BATCH, fewer where the largest output of any
    layer it runs (measured on `first`, one prepared image (1, 1, S, S)) would pass BATCH_BYTES for the batch."""
    largest = [first.numel()]

    def size(_module, _inputs, output):
        if isinstance(output, torch.Tensor):
            largest[0] = max(largest[0], output.numel())

    def stop(_module, _inputs, _output):
        raise _Reached

    handles = [m.register_forward_hook(size) for m in model.modules()] + [module.register_forward_hook(stop)]
    try:
        model(first)
    except _Reached:
        pass
    finally:
        for handle in handles:
            handle.remove()
    return max(1, min(BATCH, BATCH_BYTES // (4 * largest[0])))


def channel_peaks(model: nn.Module, layer: str, images: torch.Tensor,
                  prepare: Callable[[torch.Tensor], torch.Tensor] = lambda batch: batch,
                  progress: Callable[[float], None] | None = None, batch_size: int | None = None,
                  budget_s: float | None = None) -> ChannelPeaks:
    """Runs `images` (uint8 (N, 28, 28)) through `model` up to the module named `layer` (dotted, as
    named_modules names it), never further; `prepare` turns a uint8 batch into the model's input (resizing for
    96 or 224); `progress(share done)` is called after each batch. batch_size: None picks it (`batch_for`).
    budget_s: stop before the batch that would end past this many seconds (the first batch always runs); the
    result then covers the first images only (`ChannelPeaks.values.shape[0]` of them)."""
    module = dict(model.named_modules()).get(layer)
    if module is None:
        raise ActivationError(N_("layer {layer} is not in this model"), layer=layer)
    kept: dict[str, torch.Tensor] = {}

    def hook(_module, _inputs, output):
        kept["out"] = output
        raise _Reached

    values, positions, width = [], [], 1
    device = model_device(model)
    with _HOOKED:
        was_training = model.training
        model.eval()
        handle = None
        try:
            with torch.inference_mode():
                if batch_size is None:
                    batch_size = batch_for(model, module, as_batch(prepare(images[:1])).to(device))
                handle = module.register_forward_hook(hook)
                began = time.perf_counter()
                for start in range(0, len(images), batch_size):
                    elapsed = time.perf_counter() - began
                    if start and budget_s is not None and elapsed * (start + batch_size) / start > budget_s:
                        break  # at this pace the next batch would end past the budget
                    try:
                        model(as_batch(prepare(images[start:start + batch_size])).to(device))
                    except _Reached:
                        pass
                    out = kept.pop("out").float().cpu()  # (B, C, H, W) or (B, F)
                    width = out.shape[-1] if out.dim() == 4 else 1
                    flat = out.flatten(2) if out.dim() == 4 else out[:, :, None]  # (B, C, H*W)
                    best = flat.max(dim=2)
                    values.append(best.values)
                    positions.append(best.indices)
                    if progress is not None:
                        progress(min(1.0, (start + batch_size) / len(images)))
        finally:
            if handle is not None:
                handle.remove()
            model.train(was_training)
    return ChannelPeaks(layer, torch.cat(values), torch.cat(positions), width)
