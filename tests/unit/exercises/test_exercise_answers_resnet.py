"""The answers about ResNet, DenseNet and RegNet (d2l 8.6.2, 8.6.3, 8.7.1-8.7.3, 8.8.2; zh 7.6, 7.7) recomputed
without cnnviz's specs: the book's own PyTorch code (tests/unit/arch/test_book_resnet_densenet.py holds it),
torchvision's ResNets, modules written out here, and an operation-by-operation count of what a forward creates."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
import torchvision
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten
from torch.utils.flop_counter import FlopCounterMode

from cnnviz.exercises.answers import ANSWERS
from cnnviz.exercises.catalog import find
from tests.unit.arch.test_book_resnet_densenet import (
    ResNeXtBlock, Residual, anynet_stem, book_model, resnet, resnet_b1,
)


def params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def flops(model: nn.Module, X: torch.Tensor) -> int:
    with FlopCounterMode(display=False) as counter:
        model(X)
    return counter.get_total_flops()


def lazy(make, shape) -> tuple[int, int]:
    """(parameters, FLOPs for one image) of the model `make()` builds with lazy layers, on meta tensors."""
    X = torch.empty(1, *shape, device="meta")
    with torch.device("meta"):
        model = make().eval()
        model(X)
    return params(model), flops(model, X)


def book_resnet50(num_classes: int = 10) -> nn.Sequential:
    """The book's ResNet with the paper's ResNet-50 stages: its ResNeXtBlock with one group (channels per group =
    the bottleneck's channels) and bottleneck multiplier 1/4; every stage's first block has a 1x1 shortcut."""
    net = nn.Sequential(resnet_b1())
    for i, (count, width) in enumerate(zip((3, 4, 6, 3), (64, 128, 256, 512))):
        net.append(nn.Sequential(*[ResNeXtBlock(4 * width, width, 0.25, use_1x1conv=j == 0,
                                                strides=2 if j == 0 and i > 0 else 1) for j in range(count)]))
    net.append(nn.Sequential(nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.LazyLinear(num_classes)))
    return net


def test_resnet_depths_are_the_books_code_and_torchvision_models():
    rows = {row[0]: row for row in ANSWERS["8.6.2"]().tables[0].rows}
    book = {"resnet18": lambda: resnet(((2, 64), (2, 128), (2, 256), (2, 512))),
            "resnet34": lambda: resnet(((3, 64), (4, 128), (6, 256), (3, 512))), "resnet50": book_resnet50}
    for name, make in book.items():
        p96, f96 = lazy(make, (1, 96, 96))
        row = rows[f"ResNet-{name.removeprefix('resnet')}"]  # torchvision's resnet34 is the table's ResNet-34
        assert row[3] == f"{p96:,}" and row[4] == f"{f96 / 1e9:.2f}"
        with torch.device("meta"):
            tv = getattr(torchvision.models, name)()
        assert row[6] == f"{params(tv):,}"
        assert row[7] == f"{flops(tv, torch.empty(1, 3, 224, 224, device='meta')) / 2e9:.2f}"
    assert rows["ResNet-18"][3] == "11,178,378"  # the book's printed ResNet-18
    assert [rows[n][7] for n in ("ResNet-18", "ResNet-34")] == ["1.81", "3.66"]  # the paper's 1.8 and 3.6 billion
    p224, _ = lazy(lambda: book_resnet50(1000), (3, 224, 224))
    assert rows["ResNet-50"][5] == f"{p224:,}"


def bottleneck(c: int) -> nn.Sequential:
    b = c // 4
    return nn.Sequential(nn.Conv2d(c, b, 1), nn.BatchNorm2d(b), nn.ReLU(), nn.Conv2d(b, b, 3, padding=1),
                         nn.BatchNorm2d(b), nn.ReLU(), nn.Conv2d(b, c, 1), nn.BatchNorm2d(c))


def basic(c: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c, c, 3, padding=1), nn.BatchNorm2d(c), nn.ReLU(), nn.Conv2d(c, c, 3, padding=1),
                         nn.BatchNorm2d(c))


def test_the_bottleneck_saving_is_that_of_the_layers_written_out():
    result = ANSWERS["8.6.3"]()
    rows = result.tables[0].rows
    for row, (model, c) in zip(rows, ((basic(256), 256), (bottleneck(256), 256), (basic(64), 64))):
        X = torch.zeros(1, c, 24, 24)
        assert row[1] == f"{c}×24×24" and row[2] == f"{params(model):,}" and row[3] == f"{flops(model, X) / 1e6:.1f}"
    ratio = params(basic(256)) / params(bottleneck(256))
    assert f"({ratio:.1f} times fewer)" in result.summary and ratio > 16


def test_regnet_with_residual_blocks_is_the_books_anynet_with_the_books_residual_block():
    rows = {(row[0], row[1]): row for row in ANSWERS["8.8.2"]().tables[0].rows}
    def net():
        model = nn.Sequential(anynet_stem(32))
        for depth, channels in ((4, 32), (6, 80)):
            model.append(nn.Sequential(*[Residual(channels, use_1x1conv=True, strides=2) if i == 0 else
                                         Residual(channels) for i in range(depth)]))
        return model.append(nn.Sequential(nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.LazyLinear(10)))

    p, f = lazy(net, (1, 96, 96))
    assert rows["RegNetX-32", "residual blocks"][3] == f"{p:,}"
    assert rows["RegNetX-32", "residual blocks"][4] == f"{f / 1e6:.1f}"
    assert rows["RegNetX-32", "ResNeXt blocks"][3] == f"{params(book_model('regnetx32')):,}" == "179,290"


def test_average_and_max_pooling_in_the_transition():
    result = ANSWERS["8.7.1"]()
    avg, mx = result.tables[0].rows
    with torch.device("meta"):
        transition = nn.Sequential(nn.BatchNorm2d(192), nn.ReLU(), nn.Conv2d(192, 96, 1))
    assert avg[1] == mx[1] == f"{params(transition):,}" == "18,912"  # the book's first transition: 18,912
    X = torch.randn(2, 96, 24, 24, dtype=torch.float64, requires_grad=True)
    for pool, row in ((F.avg_pool2d, avg), (F.max_pool2d, mx)):
        (grad,) = torch.autograd.grad(pool(X, 2).sum(), X)
        assert row[2] == f"{float((grad != 0).double().mean()):.0%}"
    assert (avg[2], mx[2]) == ("100%", "25%") and float(mx[3]) > float(avg[3])


def test_densenet_against_resnet18_parameters_from_the_books_code():
    result = ANSWERS["8.7.2"]()
    rows = {row[0]: row for row in result.tables[0].rows}
    for name, title in (("resnet18", "ResNet-18"), ("densenet", "DenseNet")):
        model = book_model(name)
        convs = [m for m in model.modules() if isinstance(m, nn.Conv2d) and m.kernel_size == (3, 3)]
        largest = max(convs, key=params)
        assert rows[title][1:] == (f"{params(model):,}", f"{sum(map(params, convs)):,}", len(convs),
                                  f"{largest.in_channels} -> {largest.out_channels}", f"{params(largest):,}")
    assert rows["DenseNet"][1] == "758,226" and rows["ResNet-18"][5] == f"{512 * 512 * 9 + 512:,}"
    assert f"{11_178_378 / 758_226:.1f} times fewer" in result.summary


class CreatedValues(TorchDispatchMode):
    """Values of every new floating-point tensor the operations of a forward return (the first output of each: a
    batch norm's saved statistics are not activations); views and in-place results add nothing."""

    def __init__(self):
        super().__init__()
        self.values = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        first = out[0] if isinstance(out, (tuple, list)) else out
        inputs = tree_flatten((args, kwargs))[0]
        if (isinstance(first, torch.Tensor) and first.is_floating_point() and func._schema.returns[0].alias_info
                is None and not any(first is x for x in inputs)):
            self.values += first.numel()
        return out


@pytest.mark.parametrize("name, title", [("densenet", "DenseNet"), ("resnet18", "ResNet-18")])
def test_memory_at_224_is_what_the_books_code_creates_in_a_training_forward(name, title):
    rows = {(row[0], row[1]): row for row in ANSWERS["8.7.3"]().tables[0].rows}
    for side in (96, 224):
        model = book_model(name, side).train()
        X = torch.empty(1, 1, side, side, device="meta")
        with CreatedValues() as counter:
            model(X)
        training = 4 * (side * side + counter.values)  # the (normalised) image, then everything the layers make
        assert rows[title, f"{side}×{side}"][3] == f"{training / 2**20:.1f}"
        assert rows[title, f"{side}×{side}"][2] == f"{4 * params(model) / 2**20:.1f}"


def test_densenet_needs_more_activation_memory_than_resnet18_at_224():
    rows = {(row[0], row[1]): row for row in ANSWERS["8.7.3"]().tables[0].rows}
    assert float(rows["DenseNet", "224×224"][3]) > 1.5 * float(rows["ResNet-18", "224×224"][3])
    assert float(rows["DenseNet", "224×224"][2]) * 10 < float(rows["ResNet-18", "224×224"][2])


def test_the_zh_numbers_find_the_same_answers():
    for en, zh in (("8.6.2", "zh-7.6.2"), ("8.6.3", "zh-7.6.3"), ("8.7.1", "zh-7.7.1"), ("8.7.3", "zh-7.7.3")):
        assert find(zh).id == en and en in ANSWERS
