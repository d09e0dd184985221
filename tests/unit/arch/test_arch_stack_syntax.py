"""The typed stacks of the builder's "two stacks side by side": what each item builds, checked against torch,
and the messages for what cannot be read."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from cnnviz.arch import STACK_EXAMPLES, Activation, Conv, Pool, summarize_stack
from cnnviz.arch.stacks import StackSyntaxError, parse_stack, stack_text


def test_items_build_the_layers_torch_would():
    layers = parse_stack("3x3, 5 s2, 3x3 d2, pool 2x2, POOL 3 s1", 8)
    assert layers == (Conv(8, kernel=3, padding=1), Activation("relu"), Conv(8, kernel=5, stride=2, padding=2),
                      Activation("relu"), Conv(8, kernel=3, padding=2, dilation=2), Activation("relu"),
                      Pool("max", 2), Pool("max", 3, 1))
    summary = summarize_stack(layers, (8, 20, 20))
    model = nn.Sequential(nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 5, 2, 2), nn.ReLU(),
                          nn.Conv2d(8, 8, 3, padding=2, dilation=2), nn.ReLU(), nn.MaxPool2d(2), nn.MaxPool2d(3, 1))
    assert summary.output_shape == tuple(model(torch.zeros(1, 8, 20, 20)).shape[1:]) == (8, 3, 3)
    assert summary.params == sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("name", list(STACK_EXAMPLES))
def test_the_examples_read_back_from_their_text(name):
    for stack in STACK_EXAMPLES[name]:
        channels = stack[0].out_channels
        assert parse_stack(stack_text(stack), channels) == stack


@pytest.mark.parametrize("text, message", [
    ("", "the stack is empty"),
    ("3x3,, 3x3", "item 2 is empty; remove the extra comma"),
    ("3y3", "item 1, '3y3': cannot read it; write a comma-separated list"),
    ("3x5", "item 1, '3x5': windows are square here; write 3x3"),
    ("pool 2 d2", "a pool has no dilation; remove d2"),
    ("3x3 s0", "stride must be between 1 and"),
    ("40x40", "kernel must be between 1 and 28, got 40"),
    (", ".join(["3x3"] * 40), "a stack has at most 32 items, got 40"),
])
def test_what_cannot_be_read_says_what_to_write(text, message):
    with pytest.raises(StackSyntaxError, match=None) as caught:
        parse_stack(text, 8)
    assert message in str(caught.value)


def test_a_times_sign_reads_like_an_x():
    """Sizes are printed with ×; a student who copies one back into the box gets the same stack."""
    assert parse_stack("3×3, 5 s2, pool 2×2", 8) == parse_stack("3x3, 5 s2, pool 2x2", 8)
