"""Two stacks of layers side by side: receptive field, parameters and FLOPs of each.

d2l section 8.2 (after Simonyan and Zisserman): three stacked 3x3 convolutions see the 7x7 window one 7x7
convolution sees, with 27 C^2 weights instead of 49 C^2 and two more non-linearities.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnnviz.arch.layers import MAX_CHANNELS, Activation, Conv, Shape, check_int
from cnnviz.arch.receptive import ReceptiveField
from cnnviz.arch.spec import (
    LAYER_TYPES, MAX_INPUT_SIDE, MAX_LAYERS, ArchitectureError, shape_problem, describe,
)
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
        raise ArchitectureError(f"the input shape must be (channels, side, side), got {input_shape!r}")
    problem = (check_int("input channels", input_shape[0], 1, MAX_CHANNELS)
               or check_int("input size", input_shape[1], 1, MAX_INPUT_SIDE))
    if problem:
        raise ArchitectureError(problem)
    if not 1 <= len(layers) <= MAX_LAYERS:
        raise ArchitectureError(f"a stack has 1 to {MAX_LAYERS} layers, got {len(layers)}")
    shape, field, params, flops = tuple(input_shape), ReceptiveField.of_input(input_shape[1]), 0, 0
    for index, layer in enumerate(layers, start=1):
        if type(layer) not in LAYER_TYPES.values():
            raise ArchitectureError(f"layer {index}: {type(layer).__name__} is not a layer type", index)
        problem = layer.field_problem() or shape_problem(layer, shape)
        if problem:
            raise ArchitectureError(f"{describe(index, layer)}: {problem}.", index)
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
STACK_EXAMPLES = {
    "three 3x3 vs one 7x7": (conv_stack(3, 3, 64), conv_stack(1, 7, 64)),
    "two 3x3 vs one 5x5": (conv_stack(2, 3, 64), conv_stack(1, 5, 64)),
}
