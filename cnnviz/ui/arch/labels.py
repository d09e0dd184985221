"""How the builder names presets and inputs: the book's network, its input size and its section in both
editions ("AlexNet, 224x224 (d2l 8.1 / zh 7.1)"), so a student finds the network the chapter trains."""

from __future__ import annotations

from cnnviz.arch import PRESETS
from cnnviz.i18n import DEFAULT_LANGUAGE as EN
from cnnviz.i18n import N_, tr

# name -> (title, where in the book). English edition first, the zh edition after the slash; the small
# versions are cnnviz's own reductions, "after" the section they reduce. The order is the box's order:
# the book's networks at the book's sizes first, then the 28x28 variations.
PRESET_TITLES = {  # titles and sections are marked: the zh box reads "AlexNet，224x224（d2l 7.1）"
    "lenet": ("LeNet", N_("d2l 7.6 / zh 6.6")),
    "alexnet": ("AlexNet", N_("d2l 8.1 / zh 7.1")),
    "vgg11": (N_("VGG-11, full width"), N_("d2l 8.2 / zh 7.2")),
    "vgg11_narrow": (N_("VGG-11 as trained, ratio 4"), N_("d2l 8.2 / zh 7.2")),
    "nin": ("NiN", N_("d2l 8.3 / zh 7.3")),
    "googlenet": ("GoogLeNet", N_("d2l 8.4 / zh 7.4")),
    "lenet_bn": ("LeNet + BatchNorm", N_("d2l 8.5 / zh 7.5")),
    "resnet18": ("ResNet-18", N_("d2l 8.6 / zh 7.6")),
    "densenet": ("DenseNet", N_("d2l 8.7 / zh 7.7")),
    "regnetx32": ("RegNetX-32", N_("d2l 8.8")),
    "lenet_modern": (N_("Modern LeNet"), ""),  # BN, ReLU, dropout: cnnviz's own, not the book's
    "fast_demo": (N_("Fast demo network"), ""),  # the Train page's fast demo: cnnviz's own
    "lenet_relu": (N_("LeNet, ReLU + max pool"), N_("d2l 7.6 exercises")),
    "lenet_maxpool": (N_("LeNet, max pool, no padding"), N_("d2l 7.6 variation")),
    "alexnet_small": (N_("AlexNet small"), N_("after d2l 8.1")),
    "vgg_small": (N_("VGG small"), N_("after d2l 8.2")),
    "nin_small": (N_("NiN small"), N_("after d2l 8.3")),
    "googlenet_small": (N_("GoogLeNet small"), N_("after d2l 8.4")),
    "resnet_small": (N_("ResNet small"), N_("after d2l 8.6")),
    "densenet_small": (N_("DenseNet small"), N_("after d2l 8.7")),
}


def preset_names() -> list[str]:
    """Every preset, in the box's order (a preset without a title comes last, under its own name)."""
    return [*[name for name in PRESET_TITLES if name in PRESETS], *[n for n in PRESETS if n not in PRESET_TITLES]]


def preset_label(name: str, lang: str = EN) -> str:
    """"AlexNet, 224x224 (d2l 8.1 / zh 7.1)"; the size is the preset's own input."""
    if name not in PRESETS:
        return name
    title, section = PRESET_TITLES.get(name, (name, ""))
    side = PRESETS[name].input_shape[1]
    if section:
        return tr(lang, N_("{title}, {side}x{side} ({section})"), title=tr(lang, title), side=side,
                  section=tr(lang, section))
    return tr(lang, N_("{title}, {side}x{side}"), title=tr(lang, title), side=side)


def preset_formatter(lang: str, loaded_label: str | None = None, loaded: str = ""):
    """A format_func for preset boxes in `lang` (bound now: Streamlit calls it outside the run); the entry
    `loaded` (what was loaded when it is not a preset) shows as `loaded_label`."""
    def label(name: str) -> str:
        return loaded_label if loaded and name == loaded else preset_label(name, lang)
    return label


def input_label(shape) -> str:
    """(1, 224, 224) -> "224x224"; (3, 32, 32) -> "3x32x32" (colour): Fashion-MNIST is grey, one channel."""
    channels, height, width = shape
    return f"{height}x{width}" if channels == 1 else f"{channels}x{height}x{width}"
