"""An architecture is data: a name, a description, a tuple of layer specs and the input shape, checked layer
by layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Union

from cnnviz.arch.anynet import AnyNetStage
from cnnviz.arch.blocks import InceptionBlock, NiNBlock, VGGBlock
from cnnviz.arch.layers import (
    Activation, BatchNorm, Conv, Dropout, Flatten, GlobalAvgPool, Linear, Pool, Shape, check_int, shape_text,
)
from cnnviz.arch.resnext import ResNeXtBlock
from cnnviz.arch.skips import DenseBlock, ResidualBlock, TransitionLayer
from cnnviz.i18n import N_, Text, gettext, render
from cnnviz.errors import CnnvizError

LayerSpec = Union[Conv, Pool, Activation, BatchNorm, Dropout, Flatten, Linear, GlobalAvgPool,
                  VGGBlock, NiNBlock, InceptionBlock, ResidualBlock, ResNeXtBlock, DenseBlock,
                  TransitionLayer, AnyNetStage]
# Type names as they appear in JSON, the page's table and error messages.
LAYER_TYPES: dict[str, type] = {cls.__name__: cls for cls in LayerSpec.__args__}
UNNUMBERED = ("flatten", "gap")  # usually once per network: "flatten", not "flatten1"

MAX_LAYERS = 64
# Structural limits that keep any single network within a machine; whether a run fits a given device (and
# what it costs there) is asked with cnnviz.training.cost.check_memory and the Train page's estimates.
MAX_PARAMS = 150_000_000  # the book's VGG-11 has 128.8M; 600 MB of float32 weights
MAX_ACTIVATION = 4_000_000  # values in one layer's output for one image (16 MB)
MAX_ACTIVATION_BYTES = 256 * 2**20  # what a training forward holds per image; the book's VGG-11 at 224: 63 MB
MAX_FLOPS = 50_000_000_000  # per image, forward pass; the book's VGG-11 at 224 needs 15.1 G
INPUT_SHAPE = (1, 28, 28)  # Fashion-MNIST as it is; the default input of an architecture
MIN_INPUT_SIDE, MAX_INPUT_SIDE = 8, 256  # the book resizes Fashion-MNIST to 96 (GoogLeNet) and 224
MAX_INPUT_CHANNELS = 3  # grey or colour images
NUM_CLASSES = 10


class ArchitectureError(CnnvizError):
    """A layer cannot take its input, or a limit is exceeded. `layer_index` is 1-based, None for the whole stack.

    `min_input_side` is set when the input is too small for the network: the smallest square side that works.
    """

    def __init__(self, message: str, layer_index: int | None = None, min_input_side: int | None = None, **values):
        """`message` is a template (marked N_) with named `values`, or a Text; str() is the English sentence."""
        super().__init__(message, **values)
        self.text = Text(message, **values) if values else message
        self.layer_index = layer_index
        self.min_input_side = min_input_side

    def render(self, lang: str) -> str:
        """The message in `lang`, the layer's kind and the problem inside it translated too."""
        return render(self.text, lang) if isinstance(self.text, Text) else gettext(lang, self.text)


@dataclass(frozen=True)
class Architecture:
    """A network: the layers in order and the images it takes, (channels, height, width), square.

    Channels between layers are tracked, never typed.
    """

    name: str
    description: str = ""
    layers: tuple[LayerSpec, ...] = field(default_factory=tuple)
    input_shape: Shape = INPUT_SHAPE

    def __post_init__(self):
        # Lists (from JSON or a page) become tuples, so architectures compare equal and can be cache keys.
        for name in ("layers", "input_shape"):
            if isinstance(getattr(self, name), list):
                object.__setattr__(self, name, tuple(getattr(self, name)))


def input_problem(shape) -> str | None:
    """Why `shape` cannot be an architecture's input, with what to change, or None."""
    if not isinstance(shape, (tuple, list)) or len(shape) != 3:
        return Text(N_("the input shape must be (channels, height, width), got {shape!r}"), shape=shape)
    channels, height, width = shape
    problem = (check_int(N_("input channels"), channels, 1, MAX_INPUT_CHANNELS)
               or check_int(N_("input height"), height, MIN_INPUT_SIDE, MAX_INPUT_SIDE)
               or check_int(N_("input width"), width, MIN_INPUT_SIDE, MAX_INPUT_SIDE))
    if problem:
        return Text(N_("{problem}; the input size must be {low} to {high} pixels per side"), problem=problem,
                    low=MIN_INPUT_SIDE, high=MAX_INPUT_SIDE)
    if height != width:
        return Text(N_("the input must be square, got {height}×{width}; use {side}×{side}"), height=height,
                    width=width, side=max(height, width))
    return None


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
        return Text(N_("layer {index}, {kind}"), index=index, kind=layer.kind())
    except (TypeError, ValueError, KeyError, AttributeError):
        return Text(N_("layer {index}, {kind}"), index=index, kind=type(layer).__name__)


def walk(spec: Architecture, input_shape: Shape | None = None) -> list[Step]:
    """Each layer with its input and output shape, for the spec's own input unless `input_shape` is given;
    raises ArchitectureError at the first layer that cannot work."""
    if not isinstance(spec, Architecture):
        raise ArchitectureError(N_("expected an Architecture, got {kind}"), kind=type(spec).__name__)
    shape = spec.input_shape if input_shape is None else input_shape
    problem = input_problem(shape)
    if problem:
        raise ArchitectureError(problem)
    if not spec.layers:
        raise ArchitectureError(N_("the architecture has no layers; start from a preset or add a layer"))
    if len(spec.layers) > MAX_LAYERS:
        raise ArchitectureError(N_("{count} layers is more than the limit of {limit}; remove some"),
                                count=len(spec.layers), limit=MAX_LAYERS)
    steps, shape = [], tuple(shape)
    for index, (name, layer) in enumerate(zip(layer_names(spec.layers), spec.layers), start=1):
        if type(layer) not in LAYER_TYPES.values():
            raise ArchitectureError(N_("layer {index}: {kind} is not a layer type"), index, index=index,
                                    kind=type(layer).__name__)
        problem = layer.field_problem()
        if problem:
            raise ArchitectureError(N_("{layer}: {problem}."), index, layer=describe(index, layer), problem=problem)
        problem = shape_problem(layer, shape)
        if problem:
            raise _shape_error(spec, steps[0].input_shape if steps else shape, index, layer, problem)
        out = layer.output_shape(shape)
        if _numel(out) > MAX_ACTIVATION:
            raise ArchitectureError(
                N_("{layer}: its output {shape} has {count:,} values, more than the limit of {limit:,}; use fewer "
                   "channels, less padding or a smaller input"), index, layer=describe(index, layer),
                shape=shape_text(out), count=_numel(out), limit=MAX_ACTIVATION)
        steps.append(Step(index, name, layer, shape, out))
        shape = out
    return steps


def shape_problem(layer, shape: Shape) -> str | None:
    """Why a layer with valid fields cannot take `shape` (too small, or flat where it needs an image)."""
    problem = layer.problem(shape)
    if problem:
        return problem
    out = layer.output_shape(shape)
    if min(out) < 1:
        return Text(N_("its input is {shape} and its output would be {out}; use a smaller stride or window, or add "
                       "padding"), shape=shape_text(shape), out=shape_text(out))
    return None


def _shape_error(spec, input_shape: Shape, index: int, layer, problem: str) -> ArchitectureError:
    """The error for a layer that cannot take its input, with the smallest input side that would work."""
    side = smallest_input_side(spec.layers, input_shape[0])
    hint = ""
    if side is not None and side > input_shape[1]:
        hint = Text(N_(" The input is {height}×{width}, too small for this network: the smallest input that works "
                       "is {side}×{side}; set the input size to at least {side}."), height=input_shape[1],
                    width=input_shape[2], side=side)
    return ArchitectureError(N_("{layer}: {problem}.{hint}"), index, side if hint else None,
                             layer=describe(index, layer), problem=problem, hint=hint)


def smallest_input_side(layers, channels: int = 1) -> int | None:
    """The smallest square input side (MIN_INPUT_SIDE to MAX_INPUT_SIDE) every layer can take, or None."""
    return _smallest_input_side(tuple(layers), channels)


@lru_cache(maxsize=256)
def _smallest_input_side(layers: tuple, channels: int) -> int | None:
    for side in range(MIN_INPUT_SIDE, MAX_INPUT_SIDE + 1):
        shape: Shape = (channels, side, side)
        for layer in layers:
            if (type(layer) not in LAYER_TYPES.values() or layer.field_problem()
                    or shape_problem(layer, shape)):
                break
            shape = layer.output_shape(shape)
        else:
            return side
    return None


def check_output(steps: list[Step], num_classes: int | None = NUM_CLASSES) -> None:
    """The last layer must give one score per class."""
    last = steps[-1]
    if num_classes is not None and last.output_shape != (num_classes,):
        fix = (Text(N_("add Linear {classes} at the end"), classes=num_classes) if len(last.output_shape) == 1
               else Text(N_("finish with Flatten and Linear {classes}"), classes=num_classes))
        raise ArchitectureError(
            N_("{layer}: the network ends with {shape}, but it must end with {classes} features (one score per "
               "class); {fix}"), last.index, layer=describe(last.index, last.layer),
            shape=shape_text(last.output_shape), classes=num_classes, fix=fix)


def _numel(shape: Shape) -> int:
    size = 1
    for s in shape:
        size *= s
    return size
