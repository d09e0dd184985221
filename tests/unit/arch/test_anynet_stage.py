"""The AnyNet/RegNet stage as one typed layer (d2l 8.8): the same network as its ResNeXt blocks written out (same
weights, same output, same trace), the book's RegNetX-32 from two stages, its memory and receptive field against
PyTorch, and its code, JSON and table forms."""

from __future__ import annotations

import pytest
import torch

from cnnviz.arch import (
    PRESETS, Activation, AnyNetStage, Architecture, ArchitectureError, BatchNorm, Conv, GlobalAvgPool, Linear,
    ResNeXtBlock, build, count_params, from_json, to_code, to_json, trace,
)
from cnnviz.arch.table import layer_to_row, option_label, row_to_layer
from tests.unit.arch.test_book_resnet_densenet import book_model
from tests.unit.arch.test_memory import module_outputs, tracked_peak
from tests.unit.arch.test_receptive import GradientOracle, chosen_units, expected_support, oracle_model, probes

STEM = (Conv(32, kernel=3, stride=2, padding=1), BatchNorm(), Activation("relu"))  # RegNetX-32's stem
HEAD = (GlobalAvgPool(), Linear(10))
STAGES = Architecture("regnetx32_stages", "", (*STEM, AnyNetStage(4, 32, 16, 1), AnyNetStage(6, 80, 16, 1), *HEAD),
                      (1, 96, 96))
# A smaller net with a bottleneck below 1 and a stride-1 first block: 28x28, cheap enough to run for real.
SMALL = Architecture("small_stages", "", (Conv(16, kernel=3, padding=1), BatchNorm(), Activation("relu"),
                                          AnyNetStage(2, 32, 8, 0.5), AnyNetStage(3, 48, 12, 1, stride=1), *HEAD))


def written_out(spec: Architecture) -> Architecture:
    """The same network with every stage replaced by its ResNeXt blocks, one row each."""
    layers = []
    for layer in spec.layers:
        layers += layer.blocks() if isinstance(layer, AnyNetStage) else [layer]
    return Architecture(spec.name + "_blocks", "", tuple(layers), spec.input_shape)


def test_a_stage_is_its_blocks_written_out():
    stage = AnyNetStage(6, 80, 16, 1)
    assert stage.blocks() == (ResNeXtBlock(80, 5, 1, use_1x1conv=True, stride=2),
                              *[ResNeXtBlock(80, 5, 1)] * 5)  # g = 16 channels per group: 80 / 16 = 5 groups
    assert AnyNetStage(2, 32, 8, 0.5).blocks()[0] == ResNeXtBlock(32, 2, 0.5, use_1x1conv=True, stride=2)


@pytest.mark.parametrize("spec", [STAGES, SMALL], ids=lambda s: s.name)
@pytest.mark.parametrize("mode", ["eval", "train"])
def test_same_weights_same_output(spec, mode):
    torch.manual_seed(0)
    stages, blocks = build(spec), build(written_out(spec))
    assert [p.shape for p in stages.parameters()] == [p.shape for p in blocks.parameters()]
    with torch.no_grad():
        for p in stages.parameters():
            p.normal_(0, 0.1)
        for mine, theirs in zip(blocks.state_dict().values(), stages.state_dict().values()):
            mine.copy_(theirs)  # the same tensors in the same order, under other names
    getattr(stages, mode)(), getattr(blocks, mode)()
    x = torch.rand(3, *spec.input_shape)
    with torch.no_grad():
        torch.testing.assert_close(stages(x), blocks(x), rtol=0, atol=0)


@pytest.mark.parametrize("spec", [STAGES, SMALL], ids=lambda s: s.name)
def test_a_stages_row_sums_its_blocks_rows(spec):
    rows, block_rows = trace(spec), trace(written_out(spec))
    for field in ("params", "flops", "activation_bytes"):
        assert sum(getattr(r, field) for r in rows) == sum(getattr(r, field) for r in block_rows)
    assert rows[-1].output_shape == block_rows[-1].output_shape
    assert rows[-3].receptive_field == block_rows[-3].receptive_field  # after the last stage, after its last block


def test_regnetx32_from_two_stages_is_the_books_regnetx32():
    book = book_model("regnetx32")
    assert count_params(STAGES) == sum(p.numel() for p in book.parameters()) == count_params(PRESETS["regnetx32"])
    assert [r.output_shape for r in trace(STAGES)][3:5] == [(32, 24, 24), (80, 12, 12)]
    assert sum(r.flops for r in trace(STAGES)) == sum(r.flops for r in trace(PRESETS["regnetx32"]))


def test_memory_is_what_pytorch_holds():
    spec = SMALL
    model = build(spec)
    x = torch.rand(2, *spec.input_shape)
    rows = {row.name: row for row in trace(spec)}
    for name, child in list(model.named_children())[1:]:
        if name.startswith("stage"):
            assert rows[name].activation_bytes == 4 * module_outputs(child.train(), x) // 2
            assert rows[name].peak_bytes == tracked_peak(child.eval(), x[:1])
        x = child(x)


def test_receptive_field_equals_the_gradient_oracle():
    spec = SMALL
    oracle = GradientOracle(oracle_model(spec), torch.ones(1, *spec.input_shape))
    for row in trace(spec):
        units = probes(row)
        got = oracle.support(row.index, chosen_units(row, units))
        assert torch.equal(got, expected_support(row.receptive_field, units, 28)), row.name


def test_code_json_and_table_round_trip():
    for spec in (STAGES, SMALL):
        assert from_json(to_json(spec)) == spec
        namespace: dict = {}
        exec(compile(to_code(spec), "<stages>", "exec"), namespace)  # the exported code runs its own assert
        built = build(spec).eval()
        namespace["model"].load_state_dict(built.state_dict())
        x = torch.rand(2, *spec.input_shape)
        with torch.no_grad():
            torch.testing.assert_close(namespace["model"].eval()(x), built(x))
        for index, layer in enumerate(spec.layers, start=1):
            assert row_to_layer(index, layer_to_row(layer)) == layer
    row = layer_to_row(AnyNetStage(4, 32))
    assert (row["size"], row["stride"], row["option"]) == (32, 2, "4, 16, 1")
    assert option_label("4, 16, 1") == "4 blocks, groups of 16, bottleneck x1"
    assert option_label("4, 16, 1", "zh") == "4 个块，每组 16 通道，瓶颈 x1"


def test_bad_stages_name_the_field_and_the_fix():
    with pytest.raises(ArchitectureError, match="groups of 16 cannot split equally; use a group width that divides "
                                                "24"):
        trace(Architecture("bad", "", (*STEM, AnyNetStage(2, 24, 16, 1), *HEAD), (1, 96, 96)))
    with pytest.raises(ArchitectureError, match="blocks in the stage must be between 1 and 16, got 0"):
        trace(Architecture("bad", "", (*STEM, AnyNetStage(0, 32), *HEAD), (1, 96, 96)))
    with pytest.raises(ArchitectureError, match="option must read 'blocks, group width, bottleneck multiplier'"):
        row_to_layer(4, {**layer_to_row(AnyNetStage(2, 32)), "option": "2, 16"})
    with pytest.raises(ArchitectureError, match="layer 4"):
        row_to_layer(4, {**layer_to_row(AnyNetStage(2, 32)), "option": "two, 16, 1"})
