"""The book's networks: each preset against d2l's own PyTorch code and the layer summaries the book prints.

The model code below is d2l's, copied from the PyTorch tabs of d2l-en (master 23d7a5a, 2024-03-16)
chapter_convolutional-modern/{alexnet,vgg,nin,googlenet}.md, and the narrow VGG from d2l-zh (master e6b18cc)
chapter_convolutional-modern/vgg.md. Only the `d2l.Classifier` wrapper is left out: it adds the training loop,
not layers. The printed tables are the outputs of `layer_summary` stored in d2l-ai/d2l-pytorch-colab
(Version 1.0.3) and d2l-ai/d2l-zh-pytorch-colab (Version 2.0.0), which print the same shapes.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from cnnviz.arch import BOOK_PRESETS, PRESETS, ArchitectureError, build, count_flops, count_params, trace
from tests.unit.arch.test_book_resnet_densenet import densenet, regnetx32, resnet18  # d2l 8.6-8.8, tested there

# ---- d2l-en, chapter_convolutional-modern/alexnet.md (PyTorch tab) -------------------------------------


def alexnet(num_classes=10):
    return nn.Sequential(
        nn.LazyConv2d(96, kernel_size=11, stride=4, padding=1),
        nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2),
        nn.LazyConv2d(256, kernel_size=5, padding=2), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.LazyConv2d(384, kernel_size=3, padding=1), nn.ReLU(),
        nn.LazyConv2d(384, kernel_size=3, padding=1), nn.ReLU(),
        nn.LazyConv2d(256, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2), nn.Flatten(),
        nn.LazyLinear(4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.LazyLinear(4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.LazyLinear(num_classes))


# ---- d2l-en, chapter_convolutional-modern/vgg.md (PyTorch tab) -----------------------------------------


def vgg_block(num_convs, out_channels):
    layers = []
    for _ in range(num_convs):
        layers.append(nn.LazyConv2d(out_channels, kernel_size=3, padding=1))
        layers.append(nn.ReLU())
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)


def vgg(arch, num_classes=10):
    conv_blks = []
    for (num_convs, out_channels) in arch:
        conv_blks.append(vgg_block(num_convs, out_channels))
    return nn.Sequential(
        *conv_blks, nn.Flatten(),
        nn.LazyLinear(4096), nn.ReLU(), nn.Dropout(0.5),
        nn.LazyLinear(4096), nn.ReLU(), nn.Dropout(0.5),
        nn.LazyLinear(num_classes))


# ---- d2l-zh, chapter_convolutional-modern/vgg.md (PyTorch tab): the network the book trains ---------------


def zh_vgg_block(num_convs, in_channels, out_channels):
    layers = []
    for _ in range(num_convs):
        layers.append(nn.Conv2d(in_channels, out_channels,
                                kernel_size=3, padding=1))
        layers.append(nn.ReLU())
        in_channels = out_channels
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)


def zh_vgg(conv_arch):
    conv_blks = []
    in_channels = 1
    for (num_convs, out_channels) in conv_arch:
        conv_blks.append(zh_vgg_block(num_convs, in_channels, out_channels))
        in_channels = out_channels

    return nn.Sequential(
        *conv_blks, nn.Flatten(),
        nn.Linear(out_channels * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 10))


conv_arch = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))
ratio = 4
small_conv_arch = [(pair[0], pair[1] // ratio) for pair in conv_arch]


# ---- d2l-en, chapter_convolutional-modern/nin.md (PyTorch tab) -----------------------------------------


def nin_block(out_channels, kernel_size, strides, padding):
    return nn.Sequential(
        nn.LazyConv2d(out_channels, kernel_size, strides, padding), nn.ReLU(),
        nn.LazyConv2d(out_channels, kernel_size=1), nn.ReLU(),
        nn.LazyConv2d(out_channels, kernel_size=1), nn.ReLU())


def nin(num_classes=10):
    return nn.Sequential(
        nin_block(96, kernel_size=11, strides=4, padding=0),
        nn.MaxPool2d(3, stride=2),
        nin_block(256, kernel_size=5, strides=1, padding=2),
        nn.MaxPool2d(3, stride=2),
        nin_block(384, kernel_size=3, strides=1, padding=1),
        nn.MaxPool2d(3, stride=2),
        nn.Dropout(0.5),
        nin_block(num_classes, kernel_size=3, strides=1, padding=1),
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten())


# ---- d2l-en, chapter_convolutional-modern/googlenet.md (PyTorch tab) -----------------------------------


class Inception(nn.Module):
    # c1--c4 are the number of output channels for each branch
    def __init__(self, c1, c2, c3, c4, **kwargs):
        super(Inception, self).__init__(**kwargs)
        # Branch 1
        self.b1_1 = nn.LazyConv2d(c1, kernel_size=1)
        # Branch 2
        self.b2_1 = nn.LazyConv2d(c2[0], kernel_size=1)
        self.b2_2 = nn.LazyConv2d(c2[1], kernel_size=3, padding=1)
        # Branch 3
        self.b3_1 = nn.LazyConv2d(c3[0], kernel_size=1)
        self.b3_2 = nn.LazyConv2d(c3[1], kernel_size=5, padding=2)
        # Branch 4
        self.b4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.b4_2 = nn.LazyConv2d(c4, kernel_size=1)

    def forward(self, x):
        b1 = F.relu(self.b1_1(x))
        b2 = F.relu(self.b2_2(F.relu(self.b2_1(x))))
        b3 = F.relu(self.b3_2(F.relu(self.b3_1(x))))
        b4 = F.relu(self.b4_2(self.b4_1(x)))
        return torch.cat((b1, b2, b3, b4), dim=1)


def googlenet(num_classes=10):
    b1 = nn.Sequential(
        nn.LazyConv2d(64, kernel_size=7, stride=2, padding=3),
        nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b2 = nn.Sequential(
        nn.LazyConv2d(64, kernel_size=1), nn.ReLU(),
        nn.LazyConv2d(192, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b3 = nn.Sequential(Inception(64, (96, 128), (16, 32), 32),
                       Inception(128, (128, 192), (32, 96), 64),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b4 = nn.Sequential(Inception(192, (96, 208), (16, 48), 64),
                       Inception(160, (112, 224), (24, 64), 64),
                       Inception(128, (128, 256), (24, 64), 64),
                       Inception(112, (144, 288), (32, 64), 64),
                       Inception(256, (160, 320), (32, 128), 128),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b5 = nn.Sequential(Inception(256, (160, 320), (32, 128), 128),
                       Inception(384, (192, 384), (48, 128), 128),
                       nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())
    return nn.Sequential(b1, b2, b3, b4, b5, nn.LazyLinear(num_classes))


# ---- the book's printed layer summaries (class name, output shape without the batch of 1) ----------------

S = "Sequential"
PRINTED = {
    "alexnet": [("Conv2d", (96, 54, 54)), ("ReLU", (96, 54, 54)), ("MaxPool2d", (96, 26, 26)),
                ("Conv2d", (256, 26, 26)), ("ReLU", (256, 26, 26)), ("MaxPool2d", (256, 12, 12)),
                ("Conv2d", (384, 12, 12)), ("ReLU", (384, 12, 12)), ("Conv2d", (384, 12, 12)),
                ("ReLU", (384, 12, 12)), ("Conv2d", (256, 12, 12)), ("ReLU", (256, 12, 12)),
                ("MaxPool2d", (256, 5, 5)), ("Flatten", (6400,)), ("Linear", (4096,)), ("ReLU", (4096,)),
                ("Dropout", (4096,)), ("Linear", (4096,)), ("ReLU", (4096,)), ("Dropout", (4096,)),
                ("Linear", (10,))],
    "vgg11": [(S, (64, 112, 112)), (S, (128, 56, 56)), (S, (256, 28, 28)), (S, (512, 14, 14)),
              (S, (512, 7, 7)), ("Flatten", (25088,)), ("Linear", (4096,)), ("ReLU", (4096,)),
              ("Dropout", (4096,)), ("Linear", (4096,)), ("ReLU", (4096,)), ("Dropout", (4096,)),
              ("Linear", (10,))],
    "nin": [(S, (96, 54, 54)), ("MaxPool2d", (96, 26, 26)), (S, (256, 26, 26)), ("MaxPool2d", (256, 12, 12)),
            (S, (384, 12, 12)), ("MaxPool2d", (384, 5, 5)), ("Dropout", (384, 5, 5)), (S, (10, 5, 5)),
            ("AdaptiveAvgPool2d", (10, 1, 1)), ("Flatten", (10,))],
    "googlenet": [(S, (64, 24, 24)), (S, (192, 12, 12)), (S, (480, 6, 6)), (S, (832, 3, 3)), (S, (1024,)),
                  ("Linear", (10,))],
}
BOOK_CODE = {"alexnet": alexnet, "vgg11": lambda: vgg(conv_arch), "vgg11_narrow": lambda: zh_vgg(small_conv_arch),
             "nin": nin, "googlenet": googlenet, "resnet18": resnet18, "densenet": densenet,
             "regnetx32": regnetx32}
# Our trace row whose output the book prints, per printed row. NiN's AdaptiveAvgPool2d + Flatten are one
# GlobalAvgPool row here; GoogLeNet's b1..b5 are 3, 5, 3, 6 and 3 rows.
ROWS = {
    "alexnet": [f"{n}" for n in ("conv1", "act1", "pool1", "conv2", "act2", "pool2", "conv3", "act3", "conv4",
                                 "act4", "conv5", "act5", "pool3", "flatten", "fc1", "act6", "drop1", "fc2",
                                 "act7", "drop2", "fc3")],
    "vgg11": ["vgg1", "vgg2", "vgg3", "vgg4", "vgg5", "flatten", "fc1", "act1", "drop1", "fc2", "act2", "drop2",
              "fc3"],
    "nin": ["nin1", "pool1", "nin2", "pool2", "nin3", "pool3", "drop1", "nin4", None, "gap"],
    "googlenet": ["pool1", "pool2", "pool3", "pool4", "gap", "fc1"],
}


def book_model(name: str, device: str = "meta") -> nn.Sequential:
    """The book's network with its lazy layers materialised at the book's input size."""
    with torch.device(device):
        model = BOOK_CODE[name]()
        model(torch.zeros(1, *PRESETS[name].input_shape))
    return model.eval()


def layer_summary(model: nn.Sequential, input_shape) -> list[tuple[str, tuple]]:
    """d2l's `Classifier.layer_summary` (d2l/torch.py), returning what it prints."""
    X = torch.zeros(1, *input_shape, device="meta")
    printed = []
    for layer in model:
        X = layer(X)
        printed.append((layer.__class__.__name__, tuple(X.shape[1:])))
    return printed


def test_the_book_presets_are_the_eight_networks_at_the_books_sizes():
    assert BOOK_PRESETS == ("alexnet", "vgg11", "vgg11_narrow", "nin", "googlenet", "resnet18", "densenet",
                            "regnetx32")
    assert {name: PRESETS[name].input_shape[1] for name in BOOK_PRESETS} == {
        "alexnet": 224, "vgg11": 224, "vgg11_narrow": 224, "nin": 224, "googlenet": 96, "resnet18": 96,
        "densenet": 96, "regnetx32": 96}


@pytest.mark.parametrize("name", sorted(PRINTED))
def test_traces_print_the_books_layer_summaries(name):
    assert layer_summary(book_model(name), PRESETS[name].input_shape) == PRINTED[name]  # our copy of the code
    shapes = {row.name: row.output_shape for row in trace(PRESETS[name])}
    assert [shapes.get(row) for row in ROWS[name]] == [
        None if row is None else shape for row, (_, shape) in zip(ROWS[name], PRINTED[name])]
    if name == "nin":  # the global average pool's own first step is the book's AdaptiveAvgPool2d
        with torch.device("meta"):
            gap = build(PRESETS[name]).gap
        assert tuple(gap[0](torch.zeros(1, 10, 5, 5)).shape[1:]) == PRINTED[name][8][1]


@pytest.mark.parametrize("name", BOOK_PRESETS)
def test_parameters_equal_the_books_own_code(name):
    book = book_model(name)
    with torch.device("meta"):
        ours = build(PRESETS[name])
    assert count_params(PRESETS[name]) == sum(p.numel() for p in book.parameters())
    assert [p.shape for p in ours.parameters()] == [p.shape for p in book.parameters()]
    assert f"{count_params(PRESETS[name]):,} parameters" in PRESETS[name].description


@pytest.mark.parametrize("name", [n for n in BOOK_PRESETS if n != "vgg11"])  # VGG-11: 15 GFLOPs, shapes above
def test_with_the_books_weights_our_model_computes_the_books_function(name):
    torch.manual_seed(0)
    book = book_model(name, "cpu")
    ours = build(PRESETS[name]).eval()
    with torch.no_grad():
        for mine, theirs in zip(ours.parameters(), book.parameters()):
            mine.copy_(theirs)
        # Batch norm's running statistics too: the book's model moved them in the forward that shaped its layers.
        for mine, theirs in zip(list(ours.buffers())[2:], book.buffers(), strict=True):
            mine.copy_(theirs)
        x = torch.rand(1, *PRESETS[name].input_shape)
        torch.testing.assert_close(ours(x), book(ours.normalize(x)), rtol=1e-4, atol=1e-5)


def test_the_book_networks_are_what_the_gpu_is_for():
    assert count_params(PRESETS["alexnet"]) == 46_764_746 and count_flops(PRESETS["vgg11"]) > 15e9


@pytest.mark.parametrize("name, layer, side", [("alexnet", 6, 65), ("nin", 4, 67), ("vgg11", 5, 32),
                                               ("googlenet", None, None)])
def test_an_input_too_small_names_the_layer_and_the_smallest_size_that_works(name, layer, side):
    spec = PRESETS[name]
    if side is None:  # GoogLeNet's padded pools take even 28x28
        assert trace(spec, (1, 28, 28))[-1].output_shape == (10,)
        return
    with pytest.raises(ArchitectureError) as info:
        trace(spec, (1, 28, 28))
    assert info.value.layer_index == layer and info.value.min_input_side == side
    assert str(info.value).startswith(f"layer {layer}, ")
    assert f"The input is 28×28, too small for this network: the smallest input that works is {side}×{side}; " \
           f"set the input size to at least {side}." in str(info.value)
    assert trace(spec, (1, side, side))[-1].output_shape == (10,)
    with torch.device("meta"):  # PyTorch agrees: the book's own code fails one pixel below
        book = BOOK_CODE[name]()
        book(torch.zeros(1, 1, side, side))
        with pytest.raises(RuntimeError):
            book(torch.zeros(1, 1, side - 1, side - 1))
