"""Shapes, parameters and FLOPs of every layer (on meta tensors: no memory, no compute), and `build`."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from functools import lru_cache

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from cnnviz.arch.modules import Normalize
from cnnviz.arch.spec import (
    INPUT_SHAPE, MAX_FLOPS, MAX_PARAMS, NUM_CLASSES, Architecture, ArchitectureError, Shape, check_output,
    describe, walk,
)

# Fashion-MNIST training pixels scaled to [0, 1] (mean 72.94 / 255).
FASHION_MEAN = 0.2860
FASHION_STD = 0.3530
BYTES_PER_VALUE = 4  # float32


@dataclass(frozen=True)
class LayerRow:
    """One layer for one image: FLOPs counts multiply-adds as 2 (torch.utils.flop_counter's convention)."""

    index: int  # 1-based position in the stack
    name: str  # the child's name in build(spec): "conv1", "act1", ...
    kind: str  # "Conv2d 5x5, pad 2"
    input_shape: Shape  # without the batch dimension
    output_shape: Shape  # (6, 28, 28) or (120,)
    params: int
    flops: int
    activation_bytes: int  # the output of this layer, float32, one image
    layer: object = None  # the LayerSpec itself, for figures that draw each type differently


def trace(spec: Architecture, input_shape: Shape = INPUT_SHAPE,
          num_classes: int | None = NUM_CLASSES) -> list[LayerRow]:
    """One row per layer; raises ArchitectureError (with `.layer_index`) at the first layer that cannot work."""
    return list(_trace(spec, tuple(input_shape), num_classes))


@lru_cache(maxsize=512)
def _trace(spec: Architecture, input_shape: Shape, num_classes: int | None) -> tuple[LayerRow, ...]:
    steps = walk(spec, input_shape)
    rows, total_params, total_flops = [], 0, 0
    for step in steps:
        params, flops = layer_cost(step.layer, step.input_shape)
        total_params += params
        total_flops += flops
        _check_totals(step, total_params, total_flops)
        out_values = 1
        for s in step.output_shape:
            out_values *= s
        rows.append(LayerRow(step.index, step.name, step.layer.kind(), step.input_shape, step.output_shape,
                             params, flops, out_values * BYTES_PER_VALUE, step.layer))
    check_output(steps, num_classes)
    return tuple(rows)


@lru_cache(maxsize=4096)
def layer_cost(layer, input_shape: Shape) -> tuple[int, int]:
    """(parameters, FLOPs for one image) of one layer, on meta tensors; cached, so an edit re-costs one layer."""
    with torch.device("meta"):
        module = layer.build(input_shape).eval()
    with FlopCounterMode(display=False) as counter:
        module(torch.empty((1, *input_shape), device="meta"))
    return sum(p.numel() for p in module.parameters()), counter.get_total_flops()


def _check_totals(step, total_params: int, total_flops: int) -> None:
    where = describe(step.index, step.layer)
    if total_params > MAX_PARAMS:
        raise ArchitectureError(
            f"{where}: the network reaches {total_params:,} parameters here, more than the limit of "
            f"{MAX_PARAMS:,}; use fewer channels or features, or pool before the Flatten", step.index)
    if total_flops > MAX_FLOPS:
        raise ArchitectureError(
            f"{where}: the network needs {total_flops:,} FLOPs per image by here, more than the limit of "
            f"{MAX_FLOPS:,}; use fewer channels or pool earlier", step.index)


def count_params(spec: Architecture, input_shape: Shape = INPUT_SHAPE) -> int:
    return sum(row.params for row in _trace(spec, tuple(input_shape), None))


def count_flops(spec: Architecture, input_shape: Shape = INPUT_SHAPE) -> int:
    return sum(row.flops for row in _trace(spec, tuple(input_shape), None))


def build(spec: Architecture, in_channels: int = 1, input_size: int = 28,
          num_classes: int | None = NUM_CLASSES) -> nn.Sequential:
    """The model: `normalize` then one child per layer, named as `trace` names them.

    Takes float images in [0, 1] shaped (N, in_channels, input_size, input_size); returns (N, num_classes).
    """
    input_shape = (in_channels, input_size, input_size)
    _trace(spec, input_shape, num_classes)  # every check, before allocating anything
    children: OrderedDict[str, nn.Module] = OrderedDict(normalize=Normalize(FASHION_MEAN, FASHION_STD))
    for step in walk(spec, input_shape):
        children[step.name] = step.layer.build(step.input_shape)
    return nn.Sequential(children)


def trace_partial(spec: Architecture, input_shape: Shape = INPUT_SHAPE,
                  num_classes: int | None = NUM_CLASSES) -> tuple[list[LayerRow], ArchitectureError | None]:
    """What can be traced and the error, for pages that show a broken stack up to its failing layer.

    The rows are every layer before the failing one (all layers when only the final size is wrong).
    """
    try:
        rows = trace(spec, input_shape, None)
    except ArchitectureError as exc:
        good = (exc.layer_index or 1) - 1
        try:
            rows = trace(replace(spec, layers=spec.layers[:good]), input_shape, None) if good else []
        except ArchitectureError:
            rows = []
        return rows, exc
    try:
        trace(spec, input_shape, num_classes)
    except ArchitectureError as exc:
        return rows, exc
    return rows, None
