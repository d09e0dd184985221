"""Shapes, parameters, FLOPs, activation memory and receptive fields of every layer, and `build`.

Parameters and FLOPs come from running each layer on meta tensors (no memory, no compute); memory and
receptive fields from the layer specs themselves (memory.py, receptive.py); tests check all of them
against a real forward and backward pass.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from functools import lru_cache

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from cnnviz.arch.memory import BYTES_PER_VALUE
from cnnviz.arch.modules import Normalize
from cnnviz.arch.receptive import ReceptiveField
from cnnviz.arch.spec import (
    INPUT_SHAPE, MAX_ACTIVATION_BYTES, MAX_FLOPS, MAX_PARAMS, NUM_CLASSES, Architecture, ArchitectureError, Shape,
    check_output, describe, input_problem, walk,
)
from cnnviz.i18n import N_

# Fashion-MNIST training pixels scaled to [0, 1] (mean 72.94 / 255).
FASHION_MEAN = 0.2860
FASHION_STD = 0.3530
MB = 2**20


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
    activation_bytes: int  # float32 tensors this layer's forward creates for one image, inside blocks too
    #                        (a VGG block's every convolution and ReLU output); views cost nothing
    layer: object = None  # the LayerSpec itself, for figures that draw each type differently
    peak_bytes: int = 0  # the most float32 bytes alive while it runs at inference, its input included
    receptive_field: ReceptiveField | None = None  # of one output unit on the network's input


def _resolve(spec: Architecture, input_shape) -> Shape:
    """The input shape to trace: `input_shape` when given, else the spec's own; checked."""
    shape = getattr(spec, "input_shape", INPUT_SHAPE) if input_shape is None else input_shape
    problem = input_problem(shape)
    if problem:
        raise ArchitectureError(problem)
    return tuple(shape)


def trace(spec: Architecture, input_shape: Shape | None = None,
          num_classes: int | None = NUM_CLASSES) -> list[LayerRow]:
    """One row per layer, for the spec's input shape unless `input_shape` is given; raises ArchitectureError
    (with `.layer_index`) at the first layer that cannot work."""
    return list(_trace(spec, _resolve(spec, input_shape), num_classes))


@lru_cache(maxsize=512)
def _trace(spec: Architecture, input_shape: Shape, num_classes: int | None) -> tuple[LayerRow, ...]:
    steps = walk(spec, input_shape)
    rows, field = [], ReceptiveField.of_input(input_shape[1])
    total_params = total_flops = total_bytes = 0
    for step in steps:
        params, flops = layer_cost(step.layer, step.input_shape)
        memory = step.layer.memory(step.input_shape)
        field = step.layer.receptive(field, step.input_shape)
        total_params, total_flops = total_params + params, total_flops + flops
        total_bytes += memory.created * BYTES_PER_VALUE
        _check_totals(step, total_params, total_flops, total_bytes)
        rows.append(LayerRow(step.index, step.name, step.layer.kind(), step.input_shape, step.output_shape,
                             params, flops, memory.created * BYTES_PER_VALUE, step.layer,
                             memory.peak * BYTES_PER_VALUE, field))
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


def _check_totals(step, total_params: int, total_flops: int, total_bytes: int) -> None:
    where = describe(step.index, step.layer)
    if total_params > MAX_PARAMS:
        raise ArchitectureError(
            N_("{layer}: the network reaches {params:,} parameters here, more than the limit of {limit:,} "
               "({mb:,} MB of weights, four times that to train with Adam); use fewer channels or features, or "
               "pool before the Flatten"), step.index, layer=where, params=total_params, limit=MAX_PARAMS,
            mb=MAX_PARAMS * 4 // 10**6)
    if total_flops > MAX_FLOPS:
        raise ArchitectureError(
            N_("{layer}: the network needs {flops:,} FLOPs per image by here, more than the limit of {limit:,}; use "
               "fewer channels, a smaller input or pool earlier"), step.index, layer=where, flops=total_flops,
            limit=MAX_FLOPS)
    if total_bytes > MAX_ACTIVATION_BYTES:
        raise ArchitectureError(
            N_("{layer}: a training forward holds {mb:,.0f} MB of activations per image by here, more than the "
               "limit of {limit} MB; use fewer channels, a smaller input or pool earlier"), step.index, layer=where,
            mb=total_bytes / MB, limit=MAX_ACTIVATION_BYTES // MB)


def count_params(spec: Architecture, input_shape: Shape | None = None) -> int:
    return sum(row.params for row in _trace(spec, _resolve(spec, input_shape), None))


def count_flops(spec: Architecture, input_shape: Shape | None = None) -> int:
    return sum(row.flops for row in _trace(spec, _resolve(spec, input_shape), None))


def build(spec: Architecture, in_channels: int | None = None, input_size: int | None = None,
          num_classes: int | None = NUM_CLASSES,
          stats: tuple[float, float] = (FASHION_MEAN, FASHION_STD)) -> nn.Sequential:
    """The model: `normalize` then one child per layer, named as `trace` names them.

    Takes float images in [0, 1] shaped (N, *spec.input_shape), or (N, in_channels, input_size, input_size)
    when those are given; returns (N, num_classes). `stats` is the training set's pixel mean and std
    (`cnnviz.data.dataset_info(name)`): Fashion-MNIST's unless the model learns another dataset.
    """
    channels, height, width = _resolve(spec, None)
    input_shape = _resolve(spec, (in_channels or channels, input_size or height, input_size or width))
    _trace(spec, input_shape, num_classes)  # every check, before allocating anything
    children: OrderedDict[str, nn.Module] = OrderedDict(normalize=Normalize(*stats))
    for step in walk(spec, input_shape):
        children[step.name] = step.layer.build(step.input_shape)
    return nn.Sequential(children)


def trace_partial(spec: Architecture, input_shape: Shape | None = None,
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

