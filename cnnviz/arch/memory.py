"""Activation memory of a forward pass, per layer and for the network (whether training fits a device is
cnnviz.training.cost.check_memory's question).

Counted in float32 values for one image. Two figures, both checked against PyTorch in tests/unit/test_memory.py:
- `created`: every tensor the layer's operations output in a training forward, inside blocks too (each
  convolution and activation of a VGG block, each branch of an Inception block and their concatenation).
  Views (Flatten) cost nothing. Autograd keeps most of these for the backward pass, so their sum over the
  network is what a training forward holds per image.
- `peak`: the most values alive at once while the layer runs at inference, its input included. A block's
  input stays alive until the block returns, because the caller (nn.Sequential) still holds it.
"""

from __future__ import annotations

from dataclasses import dataclass

BYTES_PER_VALUE = 4  # float32
NEW, VIEW, TRAINING_ONLY = "new", "view", "training only"  # Dropout: a new tensor in training, the input at inference


@dataclass(frozen=True)
class LayerMemory:
    """Float values for one image: what the layer's forward creates, and its peak at inference."""

    created: int
    peak: int


def values(shape) -> int:
    size = 1
    for s in shape:
        size *= s
    return size


def chain(x: int, ops) -> LayerMemory:
    """Operations run one after another on an input of x values, each on the previous output.

    `ops` holds (kind, values) pairs, kind NEW, VIEW or TRAINING_ONLY. The input stays alive to the end.
    """
    created = sum(n for kind, n in ops if kind != VIEW)
    peak, current, current_is_input = x, x, True
    for kind, n in ops:
        held = 0 if current_is_input else x
        if kind == NEW:
            peak = max(peak, held + current + n)
            current, current_is_input = n, False
        else:  # the output is the input's memory (a view, or dropout at inference)
            peak = max(peak, held + current)
    return LayerMemory(created, peak)


def branches(x: int, paths) -> LayerMemory:
    """Parallel paths on one input of x values (each a list of new tensors' sizes), then their concatenation.

    A finished path's output stays alive until the concatenation; each step frees the one before it.
    """
    peak, finished, created = x, 0, 0
    for path in paths:
        current = 0  # the path starts from x itself, already counted
        for n in path:
            peak = max(peak, x + finished + current + n)
            current, created = n, created + n
        finished += current
    peak = max(peak, x + 2 * finished)  # the outputs and their concatenation
    return LayerMemory(created + finished, peak)


@dataclass(frozen=True)
class ActivationMemory:
    """Activation bytes of one image through the whole network (parameters not included)."""

    input_bytes: int  # the image itself
    training_bytes: int  # what a training forward creates and mostly keeps for backward: the normalised
    #                      image and every layer's `created` values
    peak_bytes: int  # the most alive at once during an inference forward, the image included


def normalize_memory(image_values: int) -> LayerMemory:
    """The model's first step, (x - mean) / std: a temporary, then the normalised image."""
    return chain(image_values, [(NEW, image_values), (NEW, image_values)])


def activation_memory(rows, input_shape) -> ActivationMemory:
    """Totals for `trace` rows of a network taking `input_shape` images (the caller holds the image throughout)."""
    image = values(input_shape)
    normalize = normalize_memory(image)
    peak = max([normalize.peak] + [image + row.peak_bytes // BYTES_PER_VALUE for row in rows])
    training = image + sum(row.activation_bytes // BYTES_PER_VALUE for row in rows)
    return ActivationMemory(image * BYTES_PER_VALUE, training * BYTES_PER_VALUE, peak * BYTES_PER_VALUE)
