"""Receptive fields against the gradient oracle: the pixels where d(output unit)/d(input) is nonzero, on the
real built model of every preset, for every row; and the "three 3x3 vs one 7x7" comparison against torch."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from cnnviz.arch import (
    PRESETS, STACK_EXAMPLES, Architecture, ArchitectureError, Conv, DenseBlock, Flatten, GlobalAvgPool, Linear, Pool,
    ReceptiveField, ResidualBlock, TransitionLayer, build, compare_stacks, conv_stack, summarize_stack, trace,
)
from cnnviz.arch.stacks import EXAMPLE_INPUT


def oracle_model(spec: Architecture) -> nn.Sequential:
    """build(spec) with every Jacobian entry >= 0, so a gradient is nonzero exactly where a path exists.

    Weights 1 / fan-in and biases 0.01 keep every ReLU open on a positive image. Max pooling sends the gradient
    to one input per window, so it becomes average pooling with the same windows: the same pixels reach the
    unit, and all of them get gradient.
    """
    with torch.device("meta"):
        model = build(spec)
    model = model.to_empty(device="cpu").requires_grad_(False)

    def average_pools(parent: nn.Module) -> None:
        for name, child in parent.named_children():
            if isinstance(child, nn.MaxPool2d):
                setattr(parent, name, nn.AvgPool2d(child.kernel_size, child.stride, child.padding))
            else:
                average_pools(child)

    average_pools(model)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                module.weight.fill_(1 / module.weight[0].numel())
                module.bias.fill_(0.01)
            elif isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
                module.reset_parameters()  # weight 1, bias 0, running mean 0, running variance 1
        model.normalize.mean.fill_(0.286)
        model.normalize.std.fill_(0.353)
    return model.eval()


class GradientOracle:
    """Which input pixels reach chosen output units: the support of their summed gradient on the image.

    Each child of the model gets its own graph, and a support passes down one layer at a time (the chain rule;
    with no negative entries no sum can cancel), so rows that share a lower layer's support share its work.
    """

    def __init__(self, model: nn.Sequential, image: torch.Tensor):
        self.inputs, self.outputs, self.memo = [], [], {}
        for child in model.children():  # normalize, then one child per trace row
            inp = image.detach().requires_grad_()
            image = child(inp)
            self.inputs.append(inp)
            self.outputs.append(image)

    def support(self, child: int, chosen: torch.Tensor) -> torch.Tensor:
        """(H, W) bool: the image pixels with a nonzero gradient of the `chosen` (bool mask) outputs of a child."""
        key = (child, chosen.numpy().tobytes())
        if key not in self.memo:
            grad, = torch.autograd.grad(self.outputs[child], self.inputs[child], chosen.float(), retain_graph=True)
            below = grad != 0
            self.memo[key] = below[0].any(0) if child == 0 else self.support(child - 1, below)
        return self.memo[key]


def probes(row) -> list[int]:
    """Units along a side to probe: the first, the middle and the last (one unit after a Linear)."""
    n = row.output_shape[1] if len(row.output_shape) == 3 else row.receptive_field.units
    return sorted({0, n // 2, n - 1})


def chosen_units(row, units: list[int]) -> torch.Tensor:
    """The outputs at positions (i, i), every channel: an Inception block's field is that of its widest path."""
    if len(row.output_shape) == 3:
        mask = torch.zeros(1, *row.output_shape, dtype=torch.bool)
        for i in units:
            mask[0, :, i, i] = True
        return mask
    n = row.receptive_field.units  # a flattened (C, n, n) map, or n = 1 after a Linear or global pool
    grid = torch.zeros(row.output_shape[0] // (n * n), n, n, dtype=torch.bool)
    for i in units:
        grid[:, i, i] = True
    return grid.reshape(1, -1)


def expected_support(field: ReceptiveField, units: list[int], side: int) -> torch.Tensor:
    mask = torch.zeros(side, side, dtype=torch.bool)
    for i in units:
        first, last = field.on_image(i)
        mask[first:last + 1, first:last + 1] = True
    return mask


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_rows_receptive_field_equals_the_gradient_oracle(name):
    spec = PRESETS[name]
    side = spec.input_shape[1]
    oracle = GradientOracle(oracle_model(spec), torch.ones(1, *spec.input_shape))
    for row in trace(spec):
        units = probes(row)
        got = oracle.support(row.index, chosen_units(row, units))
        expected = expected_support(row.receptive_field, units, side)
        assert torch.equal(got, expected), (row.name, row.receptive_field, units)


def test_skips_and_concatenations_see_the_union_of_their_paths_at_every_unit():
    """A residual block's unit sees what its two 3x3 convolutions see (its shortcut adds the unit's own
    pixels); a dense block's output holds its input's channels and every convolution's, the widest after all
    of them; a transition adds its 2x2 pool. Checked against the oracle at every unit, not only three."""
    spec = Architecture("skips", layers=(
        Conv(4, kernel=3), Pool("max", 3, 2, padding=1), ResidualBlock(4), ResidualBlock(8, True, 2),
        DenseBlock(3, 4), TransitionLayer(10), GlobalAvgPool(), Linear(10)), input_shape=(1, 32, 32))
    rows = trace(spec)
    fields = [(r.receptive_field.size, r.receptive_field.jump, r.receptive_field.start) for r in rows]
    # 3; pool +2: 5, jump 2; residual +2*2*2: 13; stride-2 residual +2*2 +2*4: 25, jump 4;
    # dense 3x (+2*4): 49; transition 1x1 then 2x2: 53, jump 8
    assert fields[:6] == [(3, 1, 0), (5, 2, -1), (13, 2, -5), (25, 4, -11), (49, 4, -23), (53, 8, -23)]
    oracle = GradientOracle(oracle_model(spec), torch.ones(1, 1, 32, 32))
    for row in rows[:6]:
        for unit in range(row.output_shape[1]):
            got = oracle.support(row.index, chosen_units(row, [unit]))
            assert torch.equal(got, expected_support(row.receptive_field, [unit], 32)), (row.name, unit)


def test_textbook_fields():
    rows = trace(PRESETS["lenet"])  # 5x5 pad 2, 2x2 pool, 5x5, 2x2 pool: 5, 6, 14, 16, then the whole map
    assert [(r.receptive_field.size, r.receptive_field.jump, r.receptive_field.start) for r in rows[:7]] == [
        (5, 1, -2), (5, 1, -2), (6, 2, -2), (14, 2, -2), (14, 2, -2), (16, 4, -2), (16, 4, -2)]
    assert rows[7].receptive_field.size == 32 and rows[7].receptive_field.on_image(0) == (0, 27)
    alexnet = {r.name: r.receptive_field for r in trace(PRESETS["alexnet"])}
    assert (alexnet["conv1"].size, alexnet["conv1"].jump, alexnet["conv1"].start) == (11, 4, -1)
    assert alexnet["conv1"].end == 221 and alexnet["pool1"].end == 217  # the last 6 pixels are never read
    assert alexnet["fc1"].on_image(0) == (0, 217)


def test_dilation_spreads_the_kernel():
    spec = Architecture("dilated", layers=(Conv(2, kernel=3), Conv(2, kernel=3, dilation=2),
                                           Conv(2, kernel=3, dilation=4), Flatten(), Linear(10)))
    rows = trace(spec)
    assert [r.receptive_field.size for r in rows[:3]] == [3, 7, 15]  # 1 + 2 * (1 + 2 + 4)
    assert rows[1].output_shape == (2, 22, 22) and rows[1].kind == "Conv2d 3×3, dilation 2"
    assert rows[1].layer.build((2, 26, 26)).dilation == (2, 2)
    oracle = GradientOracle(oracle_model(spec), torch.ones(1, 1, 28, 28))
    for row in rows[:3]:
        got = oracle.support(row.index, chosen_units(row, probes(row)))
        assert torch.equal(got, expected_support(row.receptive_field, probes(row), 28)), row.name


def test_a_lone_dilated_kernel_reads_a_sparse_window():
    """The field is the box a unit's taps span; a dilated kernel alone reads only every second pixel of it."""
    spec = Architecture("sparse", layers=(Conv(1, kernel=3, dilation=2), Flatten(), Linear(10)))
    row = trace(spec)[0]
    oracle = GradientOracle(oracle_model(spec), torch.ones(1, 1, 28, 28))
    got = oracle.support(1, chosen_units(row, [0]))
    assert row.receptive_field.on_image(0) == (0, 4)
    assert torch.nonzero(got.any(0)).flatten().tolist() == [0, 2, 4]


def _torch_cost(layers, input_shape) -> tuple[int, int]:
    model = nn.Sequential(*[m for m in _built(layers, input_shape)])
    with FlopCounterMode(display=False) as counter:
        model(torch.rand(1, *input_shape))
    return sum(p.numel() for p in model.parameters()), counter.get_total_flops()


def _built(layers, shape):
    for layer in layers:
        yield layer.build(shape)
        shape = layer.output_shape(shape)


def test_three_3x3_see_what_one_7x7_sees_with_fewer_parameters():
    three, seven = compare_stacks(*STACK_EXAMPLES["three 3x3 vs one 7x7"], EXAMPLE_INPUT)
    assert three.receptive_field == seven.receptive_field and three.receptive_field.size == 7
    assert three.output_shape == seven.output_shape == (64, 56, 56)
    c = 64
    assert (three.params, seven.params) == (3 * (9 * c * c + c), 49 * c * c + c)
    assert (three.params, three.flops) == _torch_cost(three.layers, EXAMPLE_INPUT)
    assert (seven.params, seven.flops) == _torch_cost(seven.layers, EXAMPLE_INPUT)
    assert three.flops < 0.6 * seven.flops


def test_any_two_stacks_and_their_errors():
    pooled, strided = compare_stacks((Conv(8, kernel=3), Pool("max", 2)), (Conv(8, kernel=4, stride=2),), (1, 28, 28))
    assert (pooled.receptive_field.size, pooled.receptive_field.jump) == (4, 2) == \
        (strided.receptive_field.size, strided.receptive_field.jump)
    assert summarize_stack(conv_stack(2, 5, 4), (3, 32, 32)).receptive_field.size == 9
    with pytest.raises(ArchitectureError, match="layer 2, Conv2d 7×7: its input is 8×4×4, smaller than"):
        summarize_stack((Conv(8, kernel=5), Conv(8, kernel=7)), (1, 8, 8))
    with pytest.raises(ArchitectureError, match="input channels must be between 1 and 1024"):
        summarize_stack((Conv(8),), (0, 8, 8))
