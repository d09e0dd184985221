"""Page 5's state in its URL: model, classes, images, layer, stage, channels and scale, so a link (an
exercise's Try it, a teacher's slide) opens the same maps. A run of this session cannot be linked: the link
then names the other settings only.

The layer and channel choices depend on the model, so the link's words for them ("conv2", "9-16", "most")
are held until the page has the model's layers, then matched (`wanted_layer`, `wanted_channels`).
"""

from __future__ import annotations

import re

import streamlit as st

from cnnviz.data import DATASETS, class_names
from cnnviz.training.shipped import SHIPPED
from cnnviz.ui import url_state
from cnnviz.ui.activations.models import UNTRAINED, untrained_label
from cnnviz.ui.activations.state import DEFAULTS
from cnnviz.ui.common import url_to_load
from cnnviz.ui.lang import _
from cnnviz.ui.url_state import Param

URL_PAGE = "activations"
LAYER, CHANNELS = "layer", "channels"  # read by the page once the model's layers are known
_WANTED = {LAYER: "_act_url_layer", CHANNELS: "_act_url_channels"}  # the link's words, until matched
_SHOWN = {LAYER: "_act_url_layer_shown", CHANNELS: "_act_url_channels_shown"}  # what the page shows, as words


def class_word(name: str) -> str:
    """'T-shirt/top' -> 't-shirt-top', 'Ankle boot' -> 'ankle-boot'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


STAGES = ("convolution", "batch norm", "activation", "pooling", "dropout", "block")  # activation_maps' kinds
MODELS = {**{shipped.preset: shipped.label for shipped in SHIPPED},
          **{f"untrained-{name}": untrained_label(name) for name in UNTRAINED}}
PARAMS: dict[str, Param] = {
    "model": Param("act_model", DEFAULTS["act_model"], choices=MODELS),
    # Every dataset's classes: the page keeps those of the model's dataset (MNIST's are "0" to "9").
    "classes": Param("act_classes", DEFAULTS["act_classes"],
                     choices={class_word(c): c for name in DATASETS for c in class_names(name)}, many=4),
    # The images for a model that does not name its dataset (an upload, an untrained network).
    "data": Param("act_data", DEFAULTS["act_data"], choices={name: name for name in DATASETS}),
    "images": Param("act_mode", DEFAULTS["act_mode"], choices={"gallery": "gallery", "random": "random"}),
    "count": Param("act_count", DEFAULTS["act_count"], allowed=range(1, 17)),
    "seed": Param("act_seed", DEFAULTS["act_seed"], allowed=range(10_001)),
    "start": Param("act_start", DEFAULTS["act_start"], allowed=range(901)),
    "stage": Param("act_stage", DEFAULTS["act_stage"], choices={word: word for word in STAGES}),
    "scale": Param("act_shared", DEFAULTS["act_shared"], choices={"shared": True, "per-map": False}),
}
_WORD = re.compile(r"[a-z][a-z0-9_]{0,30}|all|most|\d{1,4}-\d{1,4}")


def load() -> list[str]:
    """The link's settings into the widgets when the page should load them; returns what was ignored. The
    layer and channel words are held until the model's options are known (`wanted`)."""
    query = url_to_load(URL_PAGE)  # the same decision url_state.load makes below
    ignored = url_state.load(URL_PAGE, PARAMS, extra=(LAYER, CHANNELS))
    if query is None or (query and not set(query) & {*PARAMS, LAYER, CHANNELS}):
        return ignored
    for name, key in _WANTED.items():
        st.session_state.pop(key, None)
        text = query.get(name)
        if text is not None and _WORD.fullmatch(text):
            st.session_state[key] = text
        elif text is not None:
            ignored.append(f"{name}={text}")
    return ignored


def wanted(name: str, options: list[str], word_of) -> str | None:
    """The option the link asked for (held by `hold_choices`), used once; None if it asked for none or for one
    this model does not have (then a warning says so)."""
    text = st.session_state.pop(_WANTED[name], None)
    if text is None:
        return None
    match = next((option for option in options if word_of(option) == text), None)
    if match is None:
        what = {LAYER: _("layer"), CHANNELS: _("channels")}[name]
        st.warning(_("The link asks for {what} {text}, which this model does not have; showing the first.").format(
            what=what, text=repr(text)), icon=":material/link_off:")
    return match


def shown(name: str, word: str | None) -> None:
    """Records the page's current layer or channel choice as the link's word (None: the default)."""
    st.session_state[_SHOWN[name]] = word


def save() -> None:
    url_state.save(URL_PAGE, PARAMS, extra={name: st.session_state.get(key) for name, key in _SHOWN.items()})


def link(**values) -> dict[str, str]:
    """The query of a link to page 5: the link's words for choices (model="lenet", images="random"), class
    names for `classes` (["Shirt", "T-shirt/top"]), and the layer's name (layer="conv2")."""
    extra = {name: values.pop(name) for name in (LAYER, CHANNELS) if name in values}
    return {**url_state.link_in_words(PARAMS, values), **extra}
