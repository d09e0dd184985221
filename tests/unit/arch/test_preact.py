"""The pre-activation residual block (exercise 8.6.4, zh 7.6.4): its module against the block of He et al.'s
"Identity Mappings in Deep Residual Networks" written out here, its code and JSON, its receptive field against
the gradient oracle, and the builder table's option cell."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from cnnviz.arch import (
    Architecture, ArchitectureError, Conv, GlobalAvgPool, Linear, ResidualBlock, build, count_params, from_json,
    to_code, to_json, trace,
)
from cnnviz.arch.table import layer_to_row, option_choices, option_label, row_to_layer
from tests.unit.arch.test_receptive import GradientOracle, chosen_units, expected_support, oracle_model


class PaperPreActBlock(nn.Module):
    """The paper's full pre-activation unit as commonly written for CIFAR: BN-ReLU, then conv-BN-ReLU-conv; a
    projection shortcut reads the pre-activated input; nothing after the addition."""

    def __init__(self, in_planes, planes, stride=1, projection=False):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_planes)
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1)
        self.shortcut = nn.Conv2d(in_planes, planes, 1, stride) if projection else None

    def forward(self, x):
        out = F.relu(self.bn1(x))
        shortcut = self.shortcut(out) if self.shortcut is not None else x
        out = self.conv2(F.relu(self.bn2(self.conv1(out))))
        return out + shortcut


def _randomise(module: nn.Module) -> None:
    """Non-trivial BN statistics and affine parameters, so a misplaced BN cannot pass."""
    torch.manual_seed(1)
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-1, 1)
            m.running_var.uniform_(0.5, 2)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.5, 0.5)


@pytest.mark.parametrize("in_channels, block, projection", [
    (8, ResidualBlock(8, preact=True), False),
    (8, ResidualBlock(16, use_1x1conv=True, stride=2, preact=True), True),
])
@pytest.mark.parametrize("mode", ["eval", "train"])
def test_the_block_equals_the_papers_with_the_same_weights(in_channels, block, projection, mode):
    torch.manual_seed(0)
    ours = block.build((in_channels, 10, 10))
    paper = PaperPreActBlock(in_channels, block.out_channels, block.stride, projection)
    _randomise(ours)
    state = {key.replace("conv3", "shortcut"): value for key, value in ours.state_dict().items()}
    paper.load_state_dict(state)
    getattr(ours, mode)(), getattr(paper, mode)()
    x = torch.randn(4, in_channels, 10, 10)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), paper(x), rtol=0, atol=0)
    assert sum(p.numel() for p in ours.parameters()) == sum(p.numel() for p in paper.parameters())


def test_it_differs_from_the_books_block_only_in_order():
    """The same convolutions; the first BN sits on the input's channels instead of the output's, so with
    8 -> 16 channels the two counts differ by exactly 2 x (16 - 8) BN parameters."""
    book, pre = (Architecture(name, layers=(Conv(8, kernel=3, padding=1), ResidualBlock(16, True, 2, preact=preact),
                                            GlobalAvgPool(), Linear(10)))
                 for name, preact in (("b", False), ("p", True)))
    assert count_params(book) - count_params(pre) == 2 * (16 - 8)
    assert "pre-activation" in trace(pre)[1].kind and "pre-activation" not in trace(book)[1].kind


def test_code_and_json_round_trip():
    spec = Architecture("preact", layers=(Conv(8, kernel=3, padding=1), ResidualBlock(8, preact=True),
                                          ResidualBlock(16, True, 2, preact=True), GlobalAvgPool(), Linear(10)))
    assert from_json(to_json(spec)) == spec
    code = to_code(spec)
    assert "class PreActResidual" in code and "class Residual(" not in code
    namespace: dict = {}
    exec(compile(code, "<preact>", "exec"), namespace)
    built = build(spec).eval()
    model = namespace["model"].eval()
    model.load_state_dict(built.state_dict())
    x = torch.rand(2, 1, 28, 28)
    with torch.no_grad():
        torch.testing.assert_close(model(x), built(x))


def test_receptive_field_equals_the_gradient_oracle_at_every_unit():
    spec = Architecture("preact", layers=(Conv(4, kernel=3), ResidualBlock(4, preact=True),
                                          ResidualBlock(8, True, 2, preact=True), GlobalAvgPool(), Linear(10)),
                        input_shape=(1, 20, 20))
    rows = trace(spec)
    assert [r.receptive_field.size for r in rows[:3]] == [3, 7, 13]  # 3; +2 +2; +2 (stride 2 after it) +2*2
    oracle = GradientOracle(oracle_model(spec), torch.ones(1, 1, 20, 20))
    for row in rows[:3]:
        for unit in range(row.output_shape[1]):
            got = oracle.support(row.index, chosen_units(row, [unit]))
            assert torch.equal(got, expected_support(row.receptive_field, [unit], 20)), (row.name, unit)


@pytest.mark.parametrize("cell, use_1x1conv, preact", [
    ("1x1", True, False), ("identity", False, False), ("1x1, preact", True, True),
    ("Identity, pre-act", False, True), ("1x1 shortcut, pre-activation", True, True),
])
def test_the_option_cell(cell, use_1x1conv, preact):
    layer = row_to_layer(1, {"layer": "ResidualBlock", "size": 32, "stride": 1, "option": cell})
    assert (layer.use_1x1conv, layer.preact) == (use_1x1conv, preact)
    assert row_to_layer(1, layer_to_row(layer)) == layer
    assert layer_to_row(layer)["option"] in option_choices()


def test_a_bad_option_names_the_layer_and_what_to_type():
    with pytest.raises(ArchitectureError, match="layer 2, ResidualBlock: option must be 1x1 .* ', preact'"):
        row_to_layer(2, {"layer": "ResidualBlock", "size": 32, "option": "1x1, postact"})


def test_the_option_reads_in_both_languages():
    assert option_label("identity, preact") == "identity, pre-activation"
    assert option_label("1x1, preact", "zh") == "1x1 卷积，预激活"
