"""How the builder names presets and inputs: the book's network, its input size and its section in both
editions ("AlexNet, 224x224 (d2l 8.1 / zh 7.1)"), so a student finds the network the chapter trains."""

from __future__ import annotations

from cnnviz.arch import PRESETS

# name -> (title, where in the book). English edition first, the zh edition after the slash; the small
# versions are cnnviz's own reductions, "after" the section they reduce. The order is the box's order:
# the book's networks at the book's sizes first, then the 28x28 variations.
PRESET_TITLES = {
    "lenet": ("LeNet", "d2l 7.6 / zh 6.6"),
    "alexnet": ("AlexNet", "d2l 8.1 / zh 7.1"),
    "vgg11": ("VGG-11, full width", "d2l 8.2 / zh 7.2"),
    "vgg11_narrow": ("VGG-11 as trained, ratio 4", "d2l 8.2 / zh 7.2"),
    "nin": ("NiN", "d2l 8.3 / zh 7.3"),
    "googlenet": ("GoogLeNet", "d2l 8.4 / zh 7.4"),
    "lenet_bn": ("LeNet + BatchNorm", "d2l 8.5 / zh 7.5"),
    "lenet_modern": ("Modern LeNet", ""),  # BN, ReLU, dropout: cnnviz's own, not the book's
    "lenet_relu": ("LeNet, ReLU + max pool", "d2l 7.6 exercises"),
    "lenet_maxpool": ("LeNet, max pool, no padding", "d2l 7.6 variation"),
    "alexnet_small": ("AlexNet small", "after d2l 8.1"),
    "vgg_small": ("VGG small", "after d2l 8.2"),
    "nin_small": ("NiN small", "after d2l 8.3"),
    "googlenet_small": ("GoogLeNet small", "after d2l 8.4"),
}


def preset_names() -> list[str]:
    """Every preset, in the box's order (a preset without a title comes last, under its own name)."""
    return [*[name for name in PRESET_TITLES if name in PRESETS], *[n for n in PRESETS if n not in PRESET_TITLES]]


def preset_label(name: str) -> str:
    """"AlexNet, 224x224 (d2l 8.1 / zh 7.1)"; the size is the preset's own input."""
    if name not in PRESETS:
        return name
    title, section = PRESET_TITLES.get(name, (name, ""))
    side = PRESETS[name].input_shape[1]
    return f"{title}, {side}x{side}" + (f" ({section})" if section else "")


def input_label(shape) -> str:
    """(1, 224, 224) -> "224x224"; (3, 32, 32) -> "3x32x32" (colour): Fashion-MNIST is grey, one channel."""
    channels, height, width = shape
    return f"{height}x{width}" if channels == 1 else f"{channels}x{height}x{width}"
