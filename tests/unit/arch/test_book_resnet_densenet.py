"""ResNet-18 and DenseNet against d2l's own PyTorch code: parameters, printed stage shapes, and the same function
with the same weights; the residual block's shortcut rule and the book's printed block demos.

The model code below is d2l's, copied from the PyTorch tabs of d2l-en (master 23d7a5a)
chapter_convolutional-modern/{resnet,densenet}.md. Only the `d2l.Classifier` wrapper (the training loop) and
`init_cnn` (initialisation, not layers) are left out; the networks are built as the book's `__init__` builds
`self.net`. The printed shapes are the book's `layer_summary` outputs (en at 96x96, zh at 224x224; see
the module docstring of test_book_presets.py for where they are stored). ResNeXt and RegNetX-32 come from the
PyTorch tabs of resnet.md (8.6.5) and cnn-design.md (8.8), English edition only.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from cnnviz.arch import (
    PRESETS, Architecture, ArchitectureError, BatchNorm, Conv, Flatten, GlobalAvgPool, Linear, ResidualBlock,
    TransitionLayer, build, count_params, from_json, to_code, to_json, trace,
)
from cnnviz.arch import DenseBlock as DenseSpec  # DenseBlock and ResNeXtBlock below are the book's modules
from cnnviz.arch import ResNeXtBlock as ResNeXtBlock_spec

# ---- d2l-en, chapter_convolutional-modern/resnet.md (PyTorch tab) ----------------------------------------


class Residual(nn.Module):  #@save
    """The Residual block of ResNet models."""
    def __init__(self, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.LazyConv2d(num_channels, kernel_size=3, padding=1,
                                   stride=strides)
        self.conv2 = nn.LazyConv2d(num_channels, kernel_size=3, padding=1)
        if use_1x1conv:
            self.conv3 = nn.LazyConv2d(num_channels, kernel_size=1,
                                       stride=strides)
        else:
            self.conv3 = None
        self.bn1 = nn.LazyBatchNorm2d()
        self.bn2 = nn.LazyBatchNorm2d()

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3:
            X = self.conv3(X)
        Y += X
        return F.relu(Y)


def resnet_b1():
    return nn.Sequential(
        nn.LazyConv2d(64, kernel_size=7, stride=2, padding=3),
        nn.LazyBatchNorm2d(), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1))


def resnet_block(num_residuals, num_channels, first_block=False):
    blk = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blk.append(Residual(num_channels, use_1x1conv=True, strides=2))
        else:
            blk.append(Residual(num_channels))
    return nn.Sequential(*blk)


def resnet(arch, num_classes=10):
    net = nn.Sequential(resnet_b1())
    for i, b in enumerate(arch):
        net.add_module(f'b{i+2}', resnet_block(*b, first_block=(i==0)))  # noqa: E225
    net.add_module('last', nn.Sequential(
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
        nn.LazyLinear(num_classes)))
    return net


def resnet18(num_classes=10):
    return resnet(((2, 64), (2, 128), (2, 256), (2, 512)), num_classes)


# ---- d2l-en, chapter_convolutional-modern/densenet.md (PyTorch tab) --------------------------------------


def conv_block(num_channels):
    return nn.Sequential(
        nn.LazyBatchNorm2d(), nn.ReLU(),
        nn.LazyConv2d(num_channels, kernel_size=3, padding=1))


class DenseBlock(nn.Module):
    def __init__(self, num_convs, num_channels):
        super(DenseBlock, self).__init__()
        layer = []
        for i in range(num_convs):
            layer.append(conv_block(num_channels))
        self.net = nn.Sequential(*layer)

    def forward(self, X):
        for blk in self.net:
            Y = blk(X)
            # Concatenate input and output of each block along the channels
            X = torch.cat((X, Y), dim=1)
        return X


def transition_block(num_channels):
    return nn.Sequential(
        nn.LazyBatchNorm2d(), nn.ReLU(),
        nn.LazyConv2d(num_channels, kernel_size=1),
        nn.AvgPool2d(kernel_size=2, stride=2))


def densenet(num_channels=64, growth_rate=32, arch=(4, 4, 4, 4), num_classes=10):
    net = nn.Sequential(resnet_b1())  # DenseNet.b1 is the same as ResNet.b1
    for i, num_convs in enumerate(arch):
        net.add_module(f'dense_blk{i+1}', DenseBlock(num_convs, growth_rate))
        # The number of output channels in the previous dense block
        num_channels += num_convs * growth_rate
        # A transition layer that halves the number of channels is added
        # between the dense blocks
        if i != len(arch) - 1:
            num_channels //= 2
            net.add_module(f'tran_blk{i+1}', transition_block(num_channels))
    net.add_module('last', nn.Sequential(
        nn.LazyBatchNorm2d(), nn.ReLU(),
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
        nn.LazyLinear(num_classes)))
    return net


# ---- the book's printed layer summaries and where our trace shows them -----------------------------------

S = "Sequential"
PRINTED = {  # en 8.6 prints ResNet18 at 96x96; zh 7.6 prints the same network's blocks at 224x224
    ("resnet18", 96): [(S, (64, 24, 24)), (S, (64, 24, 24)), (S, (128, 12, 12)), (S, (256, 6, 6)),
                       (S, (512, 3, 3)), (S, (10,))],
    ("resnet18", 224): [(S, (64, 56, 56)), (S, (64, 56, 56)), (S, (128, 28, 28)), (S, (256, 14, 14)),
                        (S, (512, 7, 7)), (S, (10,))],
}
ROWS = {"resnet18": ["pool1", "residual2", "residual4", "residual6", "residual8", "fc1"]}
BOOK_CODE = {"resnet18": resnet18, "densenet": densenet}  # and regnetx32, below
# Parameters per book stage (the reference table), and the trace rows that make the stage.
STAGES = {
    "resnet18": [(3_328, ["conv1", "bn1"]), (148_224, ["residual1", "residual2"]),
                 (525_952, ["residual3", "residual4"]), (2_100_480, ["residual5", "residual6"]),
                 (8_395_264, ["residual7", "residual8"]), (5_130, ["fc1"])],
    "densenet": [(3_328, ["conv1", "bn1"]), (130_048, ["dense1"]), (18_912, ["transition1"]),
                 (167_168, ["dense2"]), (25_648, ["transition2"]), (185_728, ["dense3"]),
                 (29_400, ["transition3"]), (195_008, ["dense4"]), (496 + 2_490, ["bn2", "fc1"])],
}
DENSENET_SHAPES = {"pool1": (64, 24, 24), "dense1": (192, 24, 24), "transition1": (96, 12, 12),
                   "dense2": (224, 12, 12), "transition2": (112, 6, 6), "dense3": (240, 6, 6),
                   "transition3": (120, 3, 3), "dense4": (248, 3, 3)}


def book_model(name: str, side: int = 96, device: str = "meta") -> nn.Sequential:
    with torch.device(device):
        model = BOOK_CODE[name]()
        model(torch.zeros(1, 1, side, side))
    return model.eval()


def layer_summary(model: nn.Sequential, side: int) -> list[tuple[str, tuple]]:
    """d2l's `Classifier.layer_summary` (d2l/torch.py), returning what it prints."""
    X = torch.zeros(1, 1, side, side, device="meta")
    printed = []
    for layer in model:
        X = layer(X)
        printed.append((layer.__class__.__name__, tuple(X.shape[1:])))
    return printed


@pytest.mark.parametrize("name, side", sorted(PRINTED))
def test_resnet18_prints_the_books_stage_shapes(name, side):
    assert layer_summary(book_model(name, side), side) == PRINTED[name, side]
    shapes = {row.name: row.output_shape for row in trace(PRESETS[name], (1, side, side))}
    assert [shapes[row] for row in ROWS[name]] == [shape for _, shape in PRINTED[name, side]]


def test_densenet_stage_shapes_equal_the_books_code():
    book = [shape for _, shape in layer_summary(book_model("densenet"), 96)]
    shapes = {row.name: row.output_shape for row in trace(PRESETS["densenet"])}
    assert book[:-1] == list(DENSENET_SHAPES.values()) == [shapes[n] for n in DENSENET_SHAPES]
    assert book[-1] == shapes["fc1"] == (10,)


@pytest.mark.parametrize("name, total", [("resnet18", 11_178_378), ("densenet", 758_226)])
def test_parameters_equal_the_books_code_stage_by_stage(name, total):
    book = book_model(name)
    with torch.device("meta"):
        ours = build(PRESETS[name])
    assert count_params(PRESETS[name]) == sum(p.numel() for p in book.parameters()) == total
    assert [p.shape for p in ours.parameters()] == [p.shape for p in book.parameters()]
    assert f"{total:,} parameters" in PRESETS[name].description
    rows = {row.name: row.params for row in trace(PRESETS[name])}
    book_stages = [sum(p.numel() for p in stage.parameters()) for stage in book.children()]
    ours_stages = [sum(rows[n] for n in names) for _, names in STAGES[name]]
    assert ours_stages == [params for params, _ in STAGES[name]]
    assert sum(book_stages) == sum(ours_stages) and book_stages[0] == ours_stages[0]


@pytest.mark.parametrize("name", ["resnet18", "densenet"])
@pytest.mark.parametrize("mode", ["eval", "train"])
def test_with_the_books_weights_our_model_computes_the_books_function(name, mode):
    torch.manual_seed(0)
    book = book_model(name, device="cpu")
    ours = build(PRESETS[name])
    with torch.no_grad():
        for mine, theirs in zip(ours.parameters(), book.parameters()):
            mine.copy_(theirs.normal_(0, 0.05) if theirs.dim() > 1 else theirs.uniform_(0.5, 1.5))
        for mine, theirs in zip(ours.buffers(), [ours.normalize.mean, ours.normalize.std, *book.buffers()]):
            mine.copy_(theirs)
    getattr(ours, mode)(), getattr(book, mode)()
    x = torch.rand(3, 1, 96, 96)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), book(ours.normalize(x)), rtol=1e-4, atol=1e-5)


def test_the_books_block_demos():
    """Residual(3) keeps 4x3x6x6; Residual(6, use_1x1conv=True, strides=2) gives 4x6x3x3; a dense block of 2
    convolutions with growth 10 on 3x8x8 gives 23x8x8, and a transition to 10 channels then 10x4x4."""
    for block, shape, out in [(ResidualBlock(3), (3, 6, 6), (3, 6, 6)),
                              (ResidualBlock(6, use_1x1conv=True, stride=2), (3, 6, 6), (6, 3, 3)),
                              (DenseSpec(2, 10), (3, 8, 8), (23, 8, 8)),
                              (TransitionLayer(10), (23, 8, 8), (10, 4, 4))]:
        assert block.problem(shape) is None and block.output_shape(shape) == out
        assert tuple(block.build(shape)(torch.randn(4, *shape)).shape) == (4, *out)
    with torch.device("meta"):
        assert tuple(Residual(6, use_1x1conv=True, strides=2)(torch.zeros(4, 3, 6, 6)).shape) == (4, 6, 3, 3)
        Y = DenseBlock(2, 10)(torch.zeros(4, 3, 8, 8))
        assert tuple(Y.shape) == (4, 23, 8, 8) and tuple(transition_block(10)(Y).shape) == (4, 10, 4, 4)


@pytest.mark.parametrize("block, channels", [(ResidualBlock(128), 64), (ResidualBlock(64, stride=2), 64)])
def test_an_identity_shortcut_that_cannot_add_names_the_block_and_the_fix(block, channels):
    spec = Architecture("bad", layers=(Conv(channels, kernel=3, padding=1), block, GlobalAvgPool(), Linear(10)))
    with pytest.raises(ArchitectureError) as info:
        trace(spec)
    message = str(info.value)
    assert info.value.layer_index == 2 and message.startswith(f"layer 2, Residual block {block.out_channels}")
    assert "identity shortcut adds the input" in message and "1x1 convolution shortcut (use_1x1conv)" in message
    assert f"keep {channels} channels and stride 1" in message
    with pytest.raises(RuntimeError):  # PyTorch agrees: the book's block cannot add them
        Residual(block.out_channels, strides=block.stride)(torch.zeros(1, channels, 28, 28))
    fixed = Architecture("good", layers=(Conv(channels, kernel=3, padding=1),
                                         ResidualBlock(block.out_channels, True, block.stride), GlobalAvgPool(),
                                         Linear(10)))
    assert trace(fixed)[-1].output_shape == (10,)


def test_a_dense_block_that_outgrows_the_limits_says_so_before_building():
    spec = Architecture("wide", layers=(Conv(64, kernel=3, padding=1), DenseSpec(32, 32), Flatten(), Linear(10)))
    with pytest.raises(ArchitectureError, match="layer 2, Dense block, 32x BN-ReLU-conv, growth rate 32: its "
                                                "output would have 1088 channels"):
        trace(spec)
    big = Architecture("big", layers=(Conv(64, kernel=3, padding=1), DenseSpec(8, 32), Flatten(), Linear(10)),
                       input_shape=(1, 224, 224))
    with pytest.raises(ArchitectureError, match="layer 2, Dense block, 8x .* its output 320×224×224 has "
                                                "16,056,320 values, more than the limit"):
        build(big)  # refused before any tensor is allocated
    deep = Architecture("deep", layers=(Conv(64, kernel=3, padding=1), DenseSpec(8, 32), Conv(64, kernel=1),
                                        DenseSpec(8, 32), GlobalAvgPool(), Linear(10)), input_shape=(1, 96, 96))
    with pytest.raises(ArchitectureError, match="layer 4, Dense block, 8x .* a training forward holds 3.. MB of "
                                                "activations per image by here, more than the limit of 256 MB"):
        build(deep)
    bad = Architecture("bad", layers=(ResidualBlock(8, use_1x1conv=1), GlobalAvgPool(), Linear(10)))
    with pytest.raises(ArchitectureError, match="use_1x1conv must be true or false"):
        trace(bad)


@pytest.mark.parametrize("name", ["resnet18", "densenet", "resnet_small", "densenet_small", "regnetx32",
                                  "regnet_small"])
def test_code_and_json_round_trip(name):
    spec = PRESETS[name]
    assert from_json(to_json(spec)) == spec
    namespace: dict = {}
    exec(compile(to_code(spec), f"<{name}>", "exec"), namespace)  # the exported code runs its own assert
    model = namespace["model"]
    assert sum(p.numel() for p in model.parameters()) == count_params(spec)
    built = build(spec).eval()
    model.load_state_dict(built.state_dict())
    x = torch.rand(2, *spec.input_shape)
    with torch.no_grad():
        torch.testing.assert_close(model.eval()(x), built(x))


def test_the_small_versions_keep_the_blocks_at_28x28_for_a_fraction_of_the_work():
    for small, book in (("resnet_small", "resnet18"), ("densenet_small", "densenet"), ("regnet_small", "regnetx32")):
        rows = trace(PRESETS[small])
        assert PRESETS[small].input_shape == (1, 28, 28) and rows[-1].output_shape == (10,)
        kinds = {type(layer) for layer in PRESETS[small].layers}
        assert kinds - {Conv, BatchNorm} <= {type(layer) for layer in PRESETS[book].layers}
        assert 5 * sum(r.flops for r in rows) < sum(r.flops for r in trace(PRESETS[book]))


# ---- d2l-en, chapter_convolutional-modern/resnet.md (ResNeXt, PyTorch tab) and cnn-design.md (PyTorch tab) --


class ResNeXtBlock(nn.Module):  #@save
    """The ResNeXt block."""
    def __init__(self, num_channels, groups, bot_mul, use_1x1conv=False,
                 strides=1):
        super().__init__()
        bot_channels = int(round(num_channels * bot_mul))
        self.conv1 = nn.LazyConv2d(bot_channels, kernel_size=1, stride=1)
        self.conv2 = nn.LazyConv2d(bot_channels, kernel_size=3,
                                   stride=strides, padding=1,
                                   groups=bot_channels//groups)
        self.conv3 = nn.LazyConv2d(num_channels, kernel_size=1, stride=1)
        self.bn1 = nn.LazyBatchNorm2d()
        self.bn2 = nn.LazyBatchNorm2d()
        self.bn3 = nn.LazyBatchNorm2d()
        if use_1x1conv:
            self.conv4 = nn.LazyConv2d(num_channels, kernel_size=1,
                                       stride=strides)
            self.bn4 = nn.LazyBatchNorm2d()
        else:
            self.conv4 = None

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = F.relu(self.bn2(self.conv2(Y)))
        Y = self.bn3(self.conv3(Y))
        if self.conv4:
            X = self.bn4(self.conv4(X))
        return F.relu(Y + X)


def anynet_stem(num_channels):
    return nn.Sequential(
        nn.LazyConv2d(num_channels, kernel_size=3, stride=2, padding=1),
        nn.LazyBatchNorm2d(), nn.ReLU())


def anynet_stage(depth, num_channels, groups, bot_mul):
    blk = []
    for i in range(depth):
        if i == 0:
            blk.append(ResNeXtBlock(num_channels, groups, bot_mul,
                use_1x1conv=True, strides=2))
        else:
            blk.append(ResNeXtBlock(num_channels, groups, bot_mul))
    return nn.Sequential(*blk)


def anynet(arch, stem_channels, num_classes=10):
    net = nn.Sequential(anynet_stem(stem_channels))
    for i, s in enumerate(arch):
        net.add_module(f'stage{i+1}', anynet_stage(*s))
    net.add_module('head', nn.Sequential(
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
        nn.LazyLinear(num_classes)))
    return net


def regnetx32(num_classes=10):
    stem_channels, groups, bot_mul = 32, 16, 1
    depths, channels = (4, 6), (32, 80)
    return anynet(
        ((depths[0], channels[0], groups, bot_mul),
         (depths[1], channels[1], groups, bot_mul)),
        stem_channels, num_classes)


BOOK_CODE["regnetx32"] = regnetx32


def test_regnetx32_equals_the_books_code():
    book = book_model("regnetx32")
    assert [shape for _, shape in layer_summary(book, 96)] == [(32, 48, 48), (32, 24, 24), (80, 12, 12), (10,)]
    shapes = {row.name: row.output_shape for row in trace(PRESETS["regnetx32"])}
    assert [shapes[n] for n in ("act1", "resnext4", "resnext10", "fc1")] == [(32, 48, 48), (32, 24, 24),
                                                                             (80, 12, 12), (10,)]
    with torch.device("meta"):
        ours = build(PRESETS["regnetx32"])
    assert count_params(PRESETS["regnetx32"]) == sum(p.numel() for p in book.parameters()) == 179_290
    assert [p.shape for p in ours.parameters()] == [p.shape for p in book.parameters()]
    assert "179,290 parameters" in PRESETS["regnetx32"].description


@pytest.mark.parametrize("mode", ["eval", "train"])
def test_with_the_books_weights_regnetx32_computes_the_books_function(mode):
    test_with_the_books_weights_our_model_computes_the_books_function("regnetx32", mode)


def test_the_books_resnext_demo_and_its_groups_named_honestly():
    """The book's ResNeXtBlock(32, 16, 1): 16 is channels per group, so its 3x3 convolution has 2 groups;
    6,944 parameters, and 8,064 with the 1x1 shortcut and stride 2 (32x96x96 -> 32x48x48)."""
    for block, book_args, params, out in [
            (ResNeXtBlock_spec(32, groups=2), dict(), 6_944, (32, 96, 96)),
            (ResNeXtBlock_spec(32, groups=2, use_1x1conv=True, stride=2), dict(use_1x1conv=True, strides=2), 8_064,
             (32, 48, 48))]:
        with torch.device("meta"):
            book = ResNeXtBlock(32, 16, 1, **book_args)
            assert tuple(book(torch.zeros(4, 32, 96, 96)).shape) == (4, *out)
        ours = block.build((32, 96, 96))
        assert ours.conv2.groups == book.conv2.groups == 2 and "2 groups of 16" in block.kind()
        assert sum(p.numel() for p in ours.parameters()) == sum(p.numel() for p in book.parameters()) == params
        assert block.output_shape((32, 96, 96)) == out
    problem = ResNeXtBlock_spec(80, groups=3).field_problem()
    assert "80 channels, which 3 groups cannot share equally" in problem


@pytest.mark.parametrize("name, label, zh, blocks", [("resnet18", "add", "相加", 8), ("densenet", "concat", "连结", 4),
                                                     ("regnetx32", "add", "相加", 10)])
def test_the_diagram_draws_each_skip_as_an_arc_over_its_block(name, label, zh, blocks):
    from cnnviz.figures.arch import architecture_figure, group_blocks

    spec = PRESETS[name]
    rows = trace(spec)
    drawn = group_blocks(spec.input_shape, rows)
    assert sum(1 for b in drawn if b.skip == label) == blocks
    fig = architecture_figure(spec.input_shape, rows)
    arcs = [s for s in fig.layout.shapes if s.type == "path" and s.line.dash == "dot"]
    labels = [a.text for a in fig.layout.annotations if a.text == label]
    wrapped = 1 if name != "densenet" else 0  # the block that opens the second line: its arc in two halves
    assert len(arcs) == blocks + wrapped and len(labels) == blocks
    zh_fig = architecture_figure(spec.input_shape, rows, lang="zh")
    assert sum(1 for a in zh_fig.layout.annotations if a.text == zh) == blocks


def test_a_skip_whose_block_opens_a_new_line_leaves_one_line_and_enters_the_next():
    """ResNet-18's diagram wraps after 7 blocks: residual5 opens the second line, its input (residual4) ends the
    first. Its arc goes out of residual2's top to the right margin, and in from the left margin to its top."""
    from cnnviz.figures.arch import _size, architecture_figure, group_blocks

    spec = PRESETS["resnet18"]
    rows = trace(spec)
    drawn = group_blocks(spec.input_shape, rows)
    fig = architecture_figure(spec.input_shape, rows)
    centres = list(zip(fig.data[0].x, fig.data[0].y))
    first = next(i for i in range(1, len(centres)) if centres[i][1] != centres[i - 1][1])
    assert drawn[first].title == "residual5" and drawn[first].skip == "add"
    (x0, y0), (x1, y1) = centres[first - 1], centres[first]
    top0 = y0 + _size(drawn[first - 1].shape, 96)[1] / 2
    top1 = y1 + _size(drawn[first].shape, 96)[1] / 2
    arcs = [s.path for s in fig.layout.shapes if s.type == "path" and s.line.dash == "dot"]
    assert f"M {x0},{top0} Q {x0 + 0.1},{y0 + 0.58} {x0 + 0.55},{y0 + 0.58}" in arcs  # out of the first line
    assert f"M {x1 - 0.55},{y1 + 0.58} Q {x1 - 0.1},{y1 + 0.58} {x1},{top1}" in arcs  # into the second
    assert x0 + 0.55 <= fig.layout.xaxis.range[1] and x1 - 0.55 >= fig.layout.xaxis.range[0]  # inside the figure
