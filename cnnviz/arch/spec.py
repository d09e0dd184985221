"""An architecture is data: a name, a description and a tuple of layer specs, checked layer by layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from cnnviz.arch.blocks import InceptionBlock, NiNBlock, VGGBlock
from cnnviz.arch.layers import (
    Activation, BatchNorm, Conv, Dropout, Flatten, GlobalAvgPool, Linear, Pool, Shape, shape_text,
)
from cnnviz.errors import CnnvizError

LayerSpec = Union[Conv, Pool, Activation, BatchNorm, Dropout, Flatten, Linear, GlobalAvgPool,
                  VGGBlock, NiNBlock, InceptionBlock]
# Type names as they appear in JSON, the page's table and error messages.
LAYER_TYPES: dict[str, type] = {cls.__name__: cls for cls in LayerSpec.__args__}
UNNUMBERED = ("flatten", "gap")  # usually once per network: "flatten", not "flatten1"

MAX_LAYERS = 64
MAX_PARAMS = 20_000_000  # a shared classroom server trains these on a CPU
MAX_ACTIVATION = 4_000_000  # values in one layer's output for one image (16 MB)
MAX_FLOPS = 5_000_000_000  # per image, forward pass
INPUT_SHAPE = (1, 28, 28)  # Fashion-MNIST
NUM_CLASSES = 10


class ArchitectureError(CnnvizError):
    """A layer cannot take its input, or a limit is exceeded. `layer_index` is 1-based, None for the whole stack."""

    def __init__(self, message: str, layer_index: int | None = None):
        super().__init__(message)
        self.layer_index = layer_index


@dataclass(frozen=True)
class Architecture:
    """A network for (1, 28, 28) images: the layers in order; input channels are tracked, never typed."""

    name: str
    description: str = ""
    layers: tuple[LayerSpec, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Step:
    """One layer seen in context: its child name, 1-based index and the shapes around it."""

    index: int
    name: str
    layer: LayerSpec
    input_shape: Shape
    output_shape: Shape


def layer_names(layers) -> list[str]:
    """Child names: conv1, act1, pool1, conv2, ..., flatten, fc1, ... (counted per kind of layer)."""
    counts: dict[str, int] = {}
    names = []
    for layer in layers:
        counts[layer.prefix] = counts.get(layer.prefix, 0) + 1
        n = counts[layer.prefix]
        names.append(layer.prefix if layer.prefix in UNNUMBERED and n == 1 else f"{layer.prefix}{n}")
    return names


def describe(index: int, layer) -> str:
    """"layer 7, MaxPool2d 2x2", or "layer 7, Conv" when the layer's own fields are broken."""
    try:
        return f"layer {index}, {layer.kind()}"
    except (TypeError, ValueError, KeyError, AttributeError):
        return f"layer {index}, {type(layer).__name__}"


def walk(spec: Architecture, input_shape: Shape = INPUT_SHAPE) -> list[Step]:
    """Each layer with its input and output shape; raises ArchitectureError at the first that cannot work."""
    if not isinstance(spec, Architecture):
        raise ArchitectureError(f"expected an Architecture, got {type(spec).__name__}")
    if not spec.layers:
        raise ArchitectureError("the architecture has no layers; start from a preset or add a layer")
    if len(spec.layers) > MAX_LAYERS:
        raise ArchitectureError(f"{len(spec.layers)} layers is more than the limit of {MAX_LAYERS}; remove some")
    steps, shape = [], tuple(input_shape)
    for index, (name, layer) in enumerate(zip(layer_names(spec.layers), spec.layers), start=1):
        if type(layer) not in LAYER_TYPES.values():
            raise ArchitectureError(f"layer {index}: {type(layer).__name__} is not a layer type", index)
        problem = layer.field_problem() or layer.problem(shape)
        if problem:
            raise ArchitectureError(f"{describe(index, layer)}: {problem}.", index)
        out = layer.output_shape(shape)
        if min(out) < 1:
            raise ArchitectureError(
                f"{describe(index, layer)}: its input is {shape_text(shape)} and its output would be "
                f"{shape_text(out)}; use a smaller stride or window, or add padding", index)
        if _numel(out) > MAX_ACTIVATION:
            raise ArchitectureError(
                f"{describe(index, layer)}: its output {shape_text(out)} has {_numel(out):,} values, more "
                f"than the limit of {MAX_ACTIVATION:,}; use fewer channels or less padding", index)
        steps.append(Step(index, name, layer, shape, out))
        shape = out
    return steps


def check_output(steps: list[Step], num_classes: int | None = NUM_CLASSES) -> None:
    """The last layer must give one score per class."""
    last = steps[-1]
    if num_classes is not None and last.output_shape != (num_classes,):
        fix = (f"add Linear {num_classes} at the end" if len(last.output_shape) == 1
               else f"finish with Flatten and Linear {num_classes}")
        raise ArchitectureError(
            f"{describe(last.index, last.layer)}: the network ends with {shape_text(last.output_shape)}, "
            f"but it must end with {num_classes} features (one score per class); {fix}", last.index)


def _numel(shape: Shape) -> int:
    size = 1
    for s in shape:
        size *= s
    return size
