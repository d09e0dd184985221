"""Two stacks of layers side by side: receptive field, parameters and FLOPs of each.

d2l section 8.2 (after Simonyan and Zisserman): three stacked 3x3 convolutions see the 7x7 window one 7x7
convolution sees, with 27 C^2 weights instead of 49 C^2 and two more non-linearities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cnnviz.arch.layers import MAX_CHANNELS, Activation, Conv, Pool, Shape, check_int
from cnnviz.arch.receptive import ReceptiveField
from cnnviz.arch.spec import (
    LAYER_TYPES, MAX_INPUT_SIDE, MAX_LAYERS, ArchitectureError, shape_problem, describe,
)
from cnnviz.i18n import N_, Text
from cnnviz.arch.trace import layer_cost


@dataclass(frozen=True)
class StackSummary:
    """One stack on one input: what its last layer's units see, and what the stack costs per image."""

    layers: tuple
    input_shape: Shape
    output_shape: Shape
    receptive_field: ReceptiveField  # of one unit of the last layer
    params: int
    flops: int  # per image, multiply-adds counted as 2


def summarize_stack(layers, input_shape: Shape) -> StackSummary:
    """The stack's field and costs on `input_shape` (C, H, W); ArchitectureError names a layer that cannot work."""
    if len(input_shape) != 3 or input_shape[1] != input_shape[2]:
        raise ArchitectureError(N_("the input shape must be (channels, side, side), got {shape!r}"), shape=input_shape)
    problem = (check_int(N_("input channels"), input_shape[0], 1, MAX_CHANNELS)
               or check_int(N_("input size"), input_shape[1], 1, MAX_INPUT_SIDE))
    if problem:
        raise ArchitectureError(problem)
    if not 1 <= len(layers) <= MAX_LAYERS:
        raise ArchitectureError(N_("a stack has 1 to {limit} layers, got {count}"), limit=MAX_LAYERS, count=len(layers))
    shape, field, params, flops = tuple(input_shape), ReceptiveField.of_input(input_shape[1]), 0, 0
    for index, layer in enumerate(layers, start=1):
        if type(layer) not in LAYER_TYPES.values():
            raise ArchitectureError(N_("layer {index}: {kind} is not a layer type"), index, index=index,
                                    kind=type(layer).__name__)
        problem = layer.field_problem() or shape_problem(layer, shape)
        if problem:
            raise ArchitectureError(N_("{layer}: {problem}."), index, layer=describe(index, layer), problem=problem)
        layer_params, layer_flops = layer_cost(layer, shape)
        params, flops = params + layer_params, flops + layer_flops
        field, shape = layer.receptive(field, shape), layer.output_shape(shape)
    return StackSummary(tuple(layers), tuple(input_shape), shape, field, params, flops)


def compare_stacks(first, second, input_shape: Shape) -> tuple[StackSummary, StackSummary]:
    """Both stacks on the same input, e.g. STACK_EXAMPLES["three 3x3 vs one 7x7"]."""
    return summarize_stack(first, input_shape), summarize_stack(second, input_shape)


def conv_stack(count: int, kernel: int, channels: int, activation: str = "relu") -> tuple:
    """`count` convolutions `kernel` x `kernel` with `channels` channels and padding that keeps the size
    (odd kernels), each followed by `activation`."""
    return (Conv(channels, kernel=kernel, padding=kernel // 2), Activation(activation)) * count


EXAMPLE_INPUT = (64, 56, 56)  # 64 channels at 56x56, the size of a VGG-11 stage on 224x224 images
STACK_EXAMPLES = {  # the names are option values (kept in English); pages show them translated
    N_("three 3x3 vs one 7x7"): (conv_stack(3, 3, 64), conv_stack(1, 7, 64)),
    N_("two 3x3 vs one 5x5"): (conv_stack(2, 3, 64), conv_stack(1, 5, 64)),
}


MAX_STACK_ITEMS = MAX_LAYERS // 2  # each convolution brings its activation
STACK_SYNTAX = Text(N_("a comma-separated list of convolutions like 3x3 (add s2 for stride 2, d2 for dilation 2) "
                        "and max pools like pool 2x2, e.g. '3x3, 3x3 s2, pool 2x2'"))
_ITEM = re.compile(r"(?P<pool>pool\s*)?(?P<k>\d+)(?:\s*[x×]\s*(?P<k2>\d+))?(?P<extras>(?:\s+[sd]\s*\d+)*)")


class StackSyntaxError(ArchitectureError):
    """A typed stack that cannot be read; the message quotes the item and shows the syntax."""


def parse_stack(text: str, channels: int, activation: str = "relu") -> tuple:
    """The layers of a typed stack: "3x3, 3x3" -> two 3x3 convolutions with `channels` channels, padding that
    keeps the size (dilation * (k - 1) // 2), each followed by `activation`; "pool 2x2" a max pool, stride 2."""
    items = [item.strip() for item in str(text).split(",")]
    if not any(items):
        raise StackSyntaxError(N_("the stack is empty; write {syntax}"), syntax=STACK_SYNTAX)
    if len(items) > MAX_STACK_ITEMS:
        raise StackSyntaxError(N_("a stack has at most {limit} items, got {count}"), limit=MAX_STACK_ITEMS,
                               count=len(items))
    layers = []
    for number, item in enumerate(items, start=1):
        layers.extend(_parse_item(number, item, channels, activation))
    return tuple(layers)


def _parse_item(number: int, item: str, channels: int, activation: str) -> tuple:
    if not item:
        raise StackSyntaxError(N_("item {number} is empty; remove the extra comma"), number=number)
    match = _ITEM.fullmatch(item.lower())
    if match is None:
        raise StackSyntaxError(N_("item {number}, {item!r}: cannot read it; write {syntax}"), number=number,
                               item=item[:30], syntax=STACK_SYNTAX)
    kernel = int(match["k"])
    if match["k2"] is not None and int(match["k2"]) != kernel:
        raise StackSyntaxError(N_("item {number}, {item!r}: windows are square here; write {kernel}x{kernel}"),
                               number=number, item=item, kernel=kernel)
    extras = {key: int(value) for key, value in re.findall(r"([sd])\s*(\d+)", match["extras"])}
    if match["pool"]:
        if "d" in extras:
            raise StackSyntaxError(N_("item {number}, {item!r}: a pool has no dilation; remove d{dilation}"),
                                   number=number, item=item, dilation=extras["d"])
        return (Pool("max", kernel, extras.get("s", kernel)),)
    dilation = extras.get("d", 1)
    conv = Conv(channels, kernel=kernel, stride=extras.get("s", 1), padding=dilation * (kernel - 1) // 2,
                dilation=dilation)
    problem = conv.field_problem()
    if problem:
        raise StackSyntaxError(N_("item {number}, {item!r}: {problem}"), number=number, item=item, problem=problem)
    return conv, Activation(activation)


def stack_text(layers) -> str:
    """The typed form of a stack of convolutions and max pools (activations are implied): "3x3, 3x3, 3x3"."""
    items = []
    for layer in layers:
        if isinstance(layer, Conv):
            extras = (f" s{layer.stride}" if layer.stride > 1 else "") + (f" d{layer.dilation}" if layer.dilation > 1
                                                                          else "")
            items.append(f"{layer.kernel}x{layer.kernel}{extras}")
        elif isinstance(layer, Pool):
            items.append(f"pool {layer.window}x{layer.window}" + (f" s{layer.step}" if layer.step != layer.window
                                                                  else ""))
    return ", ".join(items)
