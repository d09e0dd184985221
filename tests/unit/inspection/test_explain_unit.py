"""Every explained unit equals the model's own forward pass (forward hooks), for every preset, including the
Inception blocks' branches and the 224x224 networks, and for stride, padding, dilation and groups."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from cnnviz.arch import PRESETS, build
from cnnviz.arch.modules import Normalize
from cnnviz.inspection.explain_unit import UnitError, explain, explain_softmax
from cnnviz.inspection.unit_trace import trace_units
from cnnviz.training.input import init_weights

UNITS_PER_STEP = 3


def _scale(explanation) -> float:
    """How large the terms summed were: the float32 forward pass may differ from float64 by about 1e-6 of it."""
    parts = explanation.parts
    if explanation.kind == "conv":
        return float((parts.values * parts.kernel).abs().sum()) + abs(parts.bias)
    if explanation.kind == "dense":
        top = sum(abs(w * v) for w, v in zip(parts.weights, parts.values))
        return top + abs(parts.rest_sum) * max(1, parts.rest_count) + abs(parts.bias)
    if explanation.kind == "pool":
        finite = parts.values[torch.isfinite(parts.values)]
        return float(finite.abs().sum())
    return abs(explanation.total) + 1.0


def _random_units(shape, count, generator):
    return [tuple(int(torch.randint(0, size, (1,), generator=generator)) for size in shape) for _ in range(count)]


def _model(name: str) -> nn.Module:
    torch.manual_seed(0)
    model = build(PRESETS[name])
    init_weights(model, "xavier")
    for module in model.modules():  # running statistics that are not the identity, so they are tested
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 2.0)
            module.weight.data.uniform_(0.5, 1.5)
            module.bias.data.uniform_(-0.3, 0.3)
    return model.eval()


def _check_all_steps(model: nn.Module, image: torch.Tensor, seed: int = 0) -> set[str]:
    trace = trace_units(model, image)
    generator = torch.Generator().manual_seed(seed)
    kinds = set()
    for step in trace.steps:
        for index in _random_units(step.output.shape, UNITS_PER_STEP, generator):
            explained = explain(step, index)
            kinds.add(explained.kind)
            tolerance = 2e-6 * _scale(explained) + 1e-6
            assert abs(explained.total - explained.output) <= tolerance, (step.name, index, explained)
            assert explained.output == pytest.approx(float(step.output[index]))
    return kinds


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_explained_unit_equals_the_forward_pass(name):
    model = _model(name)
    _channels, height, width = PRESETS[name].input_shape
    image = torch.rand(height, width, generator=torch.Generator().manual_seed(1))
    kinds = _check_all_steps(model, image)
    assert {"conv", "activation", "normalize"} <= kinds
    trace = trace_units(model, image)
    assert torch.allclose(trace.logits, model(image[None, None]).detach()[0], atol=1e-5)
    if name.startswith("densenet"):  # a dense block's concatenations, each unit traced to its source channel
        assert "concat" in kinds
    if name.startswith("googlenet"):  # every branch of an Inception block, and its shared ReLU per call
        names = {step.name for step in trace.steps}
        assert {"inception1.b2_2", "inception1.b3_2", "inception1.b4_1", "inception1.b4_2",
                "inception1.relu (6)"} <= names


def test_stride_padding_dilation_groups_and_pooling_modes():
    torch.manual_seed(3)
    model = nn.Sequential(
        Normalize(0.3, 0.4),
        nn.Conv2d(1, 4, 3, stride=2, padding=2, dilation=2),
        nn.LeakyReLU(0.1),
        nn.Conv2d(4, 6, 3, stride=(1, 2), padding=(1, 0), groups=2, bias=False),
        nn.BatchNorm2d(6),
        nn.GELU(),
        nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
        nn.Tanh(),
        nn.AvgPool2d(2, stride=1, padding=1),
        nn.MaxPool2d(3, stride=2, padding=1, dilation=2),
        nn.AdaptiveMaxPool2d((2, 3)),
        nn.Sigmoid(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Dropout(0.5),
        nn.Linear(6, 10),
    )
    model[4].running_mean.uniform_(-1, 1)
    model[4].running_var.uniform_(0.5, 2)
    image = torch.rand(31, 29, generator=torch.Generator().manual_seed(2))
    for seed in range(4):
        kinds = _check_all_steps(model, image, seed)
    assert kinds == {"normalize", "conv", "activation", "batch_norm", "pool", "flatten", "identity", "dense"}


def test_a_padded_window_marks_its_padding_and_reads_zeros():
    model = _model("lenet")  # conv1 pads by 2
    trace = trace_units(model, torch.rand(28, 28))
    parts = explain(trace.step("conv1"), (0, 0, 0)).parts
    assert parts.window.origin == (-2, -2)
    assert parts.window.padded[:2].all() and parts.window.padded[:, :2].all() and not parts.window.padded[2:, 2:].any()
    assert (parts.values[:, parts.window.padded] == 0).all()
    normalized = trace.step("conv1").input
    assert torch.equal(parts.values[0, 2:, 2:], normalized[0, :3, :3].double())


def test_max_pool_marks_the_max():
    model = _model("lenet_relu")
    trace = trace_units(model, torch.rand(28, 28))
    explained = explain(trace.step("pool1"), (2, 5, 7))
    i, j = explained.parts.picked
    assert explained.parts.values[i, j] == explained.parts.values.max() == explained.output
    assert explained.parts.window.origin == (10, 14)


def test_dense_top_terms_and_rest_sum_to_the_total():
    model = _model("lenet")
    trace = trace_units(model, torch.rand(28, 28))
    parts = explain(trace.step("fc1"), (17,)).parts
    assert len(parts.inputs) == 8 and parts.rest_count == 400 - 8
    top = [abs(w * v) for w, v in zip(parts.weights, parts.values)]
    assert top == sorted(top, reverse=True)
    assert sum(w * v for w, v in zip(parts.weights, parts.values)) + parts.rest_sum + parts.bias == pytest.approx(
        parts.total)


def test_softmax_equals_torch():
    logits = torch.tensor([1.5, -2.0, 0.3, 7.0])
    for k in range(4):
        assert explain_softmax(logits, k).total == pytest.approx(float(torch.softmax(logits, 0)[k]), rel=1e-6)
    assert math.isclose(sum(explain_softmax(logits, k).total for k in range(4)), 1.0)


def test_an_index_outside_the_map_names_the_layer_and_the_range():
    trace = trace_units(_model("lenet"), torch.rand(28, 28))
    with pytest.raises(UnitError, match=r"layer conv2: row 10 is outside its 10 \(0 to 9\)"):
        explain(trace.step("conv2"), (0, 10, 0))
    with pytest.raises(UnitError, match="needs 3 numbers"):
        explain(trace.step("conv2"), (0, 1))
    with pytest.raises(UnitError, match="unit 10 is outside"):
        explain_softmax(trace.logits, 10)


def test_a_layer_it_cannot_explain_names_itself_and_why():
    model = nn.Sequential(Normalize(0.0, 1.0), nn.Conv2d(1, 2, 3), nn.Softplus(), nn.Flatten(), nn.Linear(2 * 26 * 26, 3))
    trace = trace_units(model, torch.rand(28, 28))
    with pytest.raises(UnitError, match=r"layer 2 \(Softplus\) cannot be explained unit by unit: .* not Softplus"):
        explain(trace.step("2"), (0, 0, 0))
    ceil = nn.Sequential(Normalize(0.0, 1.0), nn.MaxPool2d(3, 2, ceil_mode=True))
    with pytest.raises(UnitError, match="ceil_mode"):
        explain(trace_units(ceil, torch.rand(28, 28)).step("1"), (0, 0, 0))
    error = pytest.raises(UnitError, explain, trace.step("2"), (0, 0, 0)).value
    assert "Softplus" in error.render("zh")


def test_a_blocks_channel_is_found_in_the_step_that_made_it():
    image = torch.rand(28, 28, generator=torch.Generator().manual_seed(5))
    trace = trace_units(_model("googlenet_small"), image)  # inception1: 16 + 32 + 8 + 8 channels, concatenated
    assert trace.step_for("inception1", 0) == ("inception1.relu", 0)
    assert trace.step_for("inception1", 17) == ("inception1.relu (3)", 1)
    assert trace.step_for("inception1", 50) == ("inception1.relu (5)", 2)
    assert trace.step_for("inception1", 63) == ("inception1.relu (6)", 7)
    for channel in (0, 17, 50, 63):
        name, inner = trace.step_for("inception1", channel)
        assert torch.equal(trace.step(name).output[inner], trace.layers["inception1"][channel])
    assert trace.step_for("conv1", 3) == ("conv1", 3)
    vgg = trace_units(_model("vgg_small"), image)
    assert vgg.step_for("vgg2", 5) == ("vgg2.2", 5)  # a VGG block ends with its max pool


def test_a_concatenation_unit_is_its_source_channel_unchanged():
    from cnnviz.inspection.explain_unit import concat_unit

    torch.manual_seed(5)
    earlier, new = torch.randn(3, 4, 4), torch.randn(2, 4, 4)
    joined = torch.cat((earlier, new), dim=0)  # (5, 4, 4): the block's channels, then the new ones
    for channel in range(5):
        unit = concat_unit((earlier, new), (channel, 1, 2))
        assert (unit.part, unit.source[0]) == ((0, channel) if channel < 3 else (1, channel - 3))
        assert unit.total == float(joined[channel, 1, 2])
