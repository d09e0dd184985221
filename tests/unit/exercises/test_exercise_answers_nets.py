"""The answers about the book's networks (d2l 8.1-8.5), recomputed from the book's own PyTorch code
(tests/unit/test_book_presets.py holds it) and torchvision's models, built on meta tensors."""

from __future__ import annotations

import pytest
import torch
import torchvision
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from cnnviz.arch.titles import preset_title
from cnnviz.exercises.answers import ANSWERS
from tests.unit.arch.test_book_presets import book_model

SHAPES = {"alexnet": (1, 224, 224), "vgg11": (1, 224, 224), "nin": (1, 224, 224), "googlenet": (1, 96, 96)}


def per_layer(model: nn.Sequential, shape) -> list[tuple[nn.Module, int, int]]:
    """(module, parameters, FLOPs) of each weight layer of the book's model, in order, on meta tensors."""
    X, found = torch.empty(1, *shape, device="meta"), []
    for layer in model:
        with FlopCounterMode(display=False) as counter:
            X = layer(X)
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            found.append((layer, sum(p.numel() for p in layer.parameters()), counter.get_total_flops()))
    return found


def params(model: nn.Module, kind=nn.Module) -> int:
    return sum(p.numel() for m in model.modules() if isinstance(m, kind) for p in m.parameters(recurse=False))


@pytest.fixture(scope="module")
def book():
    return {name: book_model(name) for name in SHAPES}


def test_alexnet_table_is_the_books_alexnet_layer_by_layer(book):
    result = ANSWERS["8.1.1"]()
    expected = per_layer(book["alexnet"], SHAPES["alexnet"])
    assert len(result.tables[0].rows) == len(expected) == 8
    for row, (layer, weights, flops) in zip(result.tables[0].rows, expected):
        assert row[3] == weights and row[6] == f"{flops / 1e6:,.1f}"
        assert row[1].startswith("Conv2d" if isinstance(layer, nn.Conv2d) else "Linear")
    dense = params(book["alexnet"], nn.Linear) / params(book["alexnet"])
    assert f"{100 * dense:.1f}% of AlexNet" in result.summary


def test_alexnet_vs_vgg_table(book):
    rows = {row[0]: row for row in ANSWERS["8.2.1"]().tables[0].rows}  # keyed by the networks' titles
    for name in ("alexnet", "vgg11"):
        rows[name] = rows[preset_title(name)]
        layers = per_layer(book[name], SHAPES[name]) if name == "alexnet" else None
        assert rows[name][1] == f"{params(book[name]) / 1e6:.1f}"
        assert rows[name][3] == f"{params(book[name], nn.Linear) / 1e6:.1f}"
        if layers:
            conv_flops = sum(f for layer, _, f in layers if isinstance(layer, nn.Conv2d))
            assert rows[name][4] == f"{conv_flops / 1e9:.2f}"


def test_vgg11_has_8_convolutions_in_5_blocks(book):
    rows = ANSWERS["8.2.2"]().tables[0].rows
    assert len(rows) == 5 and sum(row[1] for row in rows) == 8
    assert sum(isinstance(m, nn.Conv2d) for m in book["vgg11"].modules()) == 8


def test_vgg_family_matches_torchvision():
    for name, _, layers, shown, _ in ANSWERS["8.2.3"]().tables[0].rows:
        with torch.device("meta"):
            model = getattr(torchvision.models, name)()
        assert layers == sum(isinstance(m, (nn.Conv2d, nn.Linear)) for m in model.modules())
        assert shown == f"{params(model):,}"


def test_nin_one_by_one_vs_three_by_three():
    for _, c, _, kernel, weights, _ in ANSWERS["8.3.2"]().tables[0].rows:
        k = int(kernel[0])
        with torch.device("meta"):
            pair = nn.Sequential(nn.Conv2d(c, c, k), nn.Conv2d(c, c, k))
        assert weights == params(pair)


def test_nin_head_and_resources(book):
    assert f"{params(book['nin']):,} parameters" in ANSWERS["8.3.4"]().summary
    last = book["nin"][-3]  # the last NiN block: 10 channels
    X = torch.empty(1, *SHAPES["nin"], device="meta")
    features = book["nin"][:-2](X).numel()  # before global average pooling
    assert f"{features * 10 + 10:,}" in ANSWERS["8.3.3"]().summary and last[0].out_channels == 10


def test_googlenet_takes_a_one_pixel_image():
    model = book_model("googlenet", device="cpu")
    assert model(torch.rand(1, 1, 1, 1)).shape == (1, 10)
    maps = dict(ANSWERS["8.4.2"]().tables[0].rows)
    meta = book_model("googlenet")
    pooling = next(m for m in meta.modules() if isinstance(m, nn.AdaptiveAvgPool2d))
    seen = []
    pooling.register_forward_hook(lambda module, inputs, output: seen.append(tuple(inputs[0].shape[1:])))
    for side in (1, 33, 96):
        meta(torch.empty(1, 1, side, side, device="meta"))
        assert maps[f"{side}×{side}"] == "×".join(map(str, seen[-1]))


def test_parameter_sizes_are_the_books_models(book):
    rows = {row[0]: row for row in ANSWERS["8.4.4"]().tables[0].rows}
    for name, model in book.items():
        assert rows[preset_title(name)][2] == f"{params(model):,}"  # rows name each network by its title
        assert rows[preset_title(name)][3] == f"{100 * params(model, nn.Linear) / params(model):.1f}%"


def test_a_bias_before_batch_norm_is_cancelled():
    X = torch.randn(16, 2, 5, 5, dtype=torch.float64)
    conv = nn.Conv2d(2, 3, 3, dtype=torch.float64)
    with torch.no_grad():
        conv.bias.uniform_(-10, 10)
        shifted = nn.BatchNorm2d(3, dtype=torch.float64)(conv(X))
        conv.bias.zero_()
        plain = nn.BatchNorm2d(3, dtype=torch.float64)(conv(X))
    assert torch.allclose(shifted, plain, atol=1e-12)
    assert ANSWERS["8.5.1"]().summary.startswith("Remove it")


def test_vgg_at_smaller_inputs_is_the_books_vgg_there():
    from tests.unit.arch.test_book_presets import small_conv_arch, vgg  # the English code: lazy dense layers

    rows = {row[0]: row for row in ANSWERS["8.2.4"]().tables[0].rows}
    assert set(rows) == {"224×224", "96×96", "84×84", "56×56"}
    for side in (224, 96, 84, 56):
        with torch.device("meta"):
            model = vgg(small_conv_arch)
            X = torch.empty(1, 1, side, side)
            model(X)  # materialise the lazy layers at this size
            with FlopCounterMode(display=False) as counter:
                model(X)
        first_dense = next(m for m in model.modules() if isinstance(m, nn.Linear))
        assert rows[f"{side}×{side}"][2] == first_dense.in_features
        assert rows[f"{side}×{side}"][3] == f"{params(model):,}"
        assert rows[f"{side}×{side}"][4] == f"{counter.get_total_flops() / 1e9:.3f}"


def test_inception_branches_are_the_books_first_block():
    from tests.unit.arch.test_book_presets import googlenet

    with torch.device("meta"):
        model = googlenet()
        model(torch.empty(1, 1, 96, 96))
    first = next(m for m in model.modules() if type(m).__name__ == "Inception")
    convs = [m for m in first.modules() if isinstance(m, nn.Conv2d)]
    rows = ANSWERS["8.4.4"]().tables[1].rows
    assert sum(row[1] for row in rows) == params(first) and convs[0].in_channels == 192
    assert rows[2][1] == params(convs[3]) + params(convs[4])  # 1x1 to 16, then 5x5


def test_nin_with_one_two_three_one_by_ones(book):
    rows = ANSWERS["8.3.1"]().tables[0].rows
    assert rows[1][1] == f"{params(book['nin']):,}"
    one_by_ones = [m for m in book["nin"].modules() if isinstance(m, nn.Conv2d) and m.kernel_size == (1, 1)]
    per_layer = sum(params(m) for m in one_by_ones) // 2  # two per block in the book
    for count, shown, _ in rows:
        assert shown == f"{params(book['nin']) + (count - 2) * per_layer:,}"


def test_googlenet_vs_alexnet_flops_per_weight(book):
    from cnnviz.exercises.answers_inception import googlenet_vs_alexnet  # 8.4.5, not registered yet

    result = googlenet_vs_alexnet()
    assert result.all_checks_pass
    rows = result.tables[0].rows
    for (name, side_text, millions, _, gflops, per_weight), side in zip(rows, (224, 224, 96)):
        with FlopCounterMode(display=False) as counter:
            book[name](torch.empty(1, 1, side, side, device="meta"))
        flops, weights = counter.get_total_flops(), params(book[name])
        assert (millions, gflops, per_weight) == (f"{weights / 1e6:.1f}", f"{flops / 1e9:.2f}", f"{flops / weights:,.0f}")
