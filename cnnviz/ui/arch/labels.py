"""How the builder names presets and inputs: the book's network, its input size and its section in both
editions ("AlexNet, 224x224 (d2l 8.1 / zh 7.1)"), so a student finds the network the chapter trains."""

from __future__ import annotations

from cnnviz.arch import PRESETS
from cnnviz.arch.titles import PRESET_TITLES
from cnnviz.i18n import DEFAULT_LANGUAGE as EN
from cnnviz.i18n import N_, tr

# The layer types as the builder names them: the spec's class name in English, the book's term in Chinese.
LAYER_TYPE_NAMES = {"Conv": N_("Conv"), "Pool": N_("Pool"), "Activation": N_("Activation"),
                    "BatchNorm": N_("BatchNorm"), "Dropout": N_("Dropout"), "Flatten": N_("Flatten"),
                    "Linear": N_("Linear"), "GlobalAvgPool": N_("GlobalAvgPool"), "VGGBlock": N_("VGGBlock"),
                    "NiNBlock": N_("NiNBlock"), "InceptionBlock": N_("InceptionBlock"),
                    "ResidualBlock": N_("ResidualBlock"), "ResNeXtBlock": N_("ResNeXtBlock"),
                    "DenseBlock": N_("DenseBlock"), "TransitionLayer": N_("TransitionLayer"),
                    "AnyNetStage": N_("AnyNetStage")}


def layer_type_formatter(lang: str):
    """A format_func for the layer-type boxes in `lang` (bound now: Streamlit calls it outside the run)."""
    return lambda kind: tr(lang, LAYER_TYPE_NAMES.get(kind, kind))


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
        return tr(lang, N_("{title}, {side}×{side} ({section})"), title=tr(lang, title), side=side,
                  section=tr(lang, section))
    return tr(lang, N_("{title}, {side}×{side}"), title=tr(lang, title), side=side)


def network_title(spec, lang: str = EN) -> str:
    """A preset by its title in `lang` ("Modern LeNet", "现代 LeNet"); any other network (edited, uploaded) by its
    own name, which the student gave it."""
    if PRESETS.get(spec.name) != spec or spec.name not in PRESET_TITLES:
        return spec.name
    return tr(lang, PRESET_TITLES[spec.name][0])


def preset_formatter(lang: str, loaded_label: str | None = None, loaded: str = ""):
    """A format_func for preset boxes in `lang` (bound now: Streamlit calls it outside the run); the entry
    `loaded` (what was loaded when it is not a preset) shows as `loaded_label`."""
    def label(name: str) -> str:
        return loaded_label if loaded and name == loaded else preset_label(name, lang)
    return label


def input_label(shape) -> str:
    """(1, 224, 224) -> "224×224"; (3, 32, 32) -> "3×32×32" (colour): Fashion-MNIST is grey, one channel."""
    channels, height, width = shape
    return f"{height}×{width}" if channels == 1 else f"{channels}×{height}×{width}"
