"""Page 7's state in its URL: model, image (class and number), colour scale, channel page and the unit
(layer, channel, row, column). The layer is checked against the model's layers once the model is loaded;
an index outside the layer reaches the explanation, which says so."""

from __future__ import annotations

import re

from cnnviz.data import DATASETS, class_names
from cnnviz.ui import url_state
from cnnviz.ui.activations.url import MODELS, class_word
from cnnviz.ui.inside.state import DEFAULTS, MAX_IMAGE, SCALE_CHOICES, SOURCES
from cnnviz.ui.url_state import Param

URL_PAGE = "inside"
_LAYER = re.compile(r"[A-Za-z0-9_.]{1,40}( \(\d{1,2}\))?")
_INDEX = range(0, 100_000)  # wider than any map: an index outside the layer is reported by the page

PARAMS: dict[str, Param] = {
    "input": Param("in_source", DEFAULTS["in_source"], choices={word.replace(" ", "-"): word for word in SOURCES}),
    "model": Param("in_model", DEFAULTS["in_model"], choices=MODELS),
    "data": Param("in_data", DEFAULTS["in_data"], choices={name: name for name in DATASETS}),
    "class": Param("in_class", DEFAULTS["in_class"],
                   choices={class_word(c): c for name in DATASETS for c in class_names(name)}),
    "image": Param("in_image", DEFAULTS["in_image"], allowed=range(MAX_IMAGE + 1)),
    "scale": Param("in_scale", DEFAULTS["in_scale"], choices={word: word for word in SCALE_CHOICES}),
    "first": Param("in_first", DEFAULTS["in_first"], allowed=range(0, 4097)),
    "layer": Param("in_layer", DEFAULTS["in_layer"], allowed=lambda text: bool(_LAYER.fullmatch(text))),
    "channel": Param("in_channel", DEFAULTS["in_channel"], allowed=_INDEX),
    "row": Param("in_row", DEFAULTS["in_row"], allowed=_INDEX),
    "col": Param("in_col", DEFAULTS["in_col"], allowed=_INDEX),
}


def load() -> list[str]:
    """The link's settings into the widgets when the page should load them; returns what was ignored."""
    return url_state.load(URL_PAGE, PARAMS)


def save() -> None:
    url_state.save(URL_PAGE, PARAMS)


def link(**values) -> dict[str, str]:
    """The query of a link to page 7, e.g. link(model="lenet", layer="conv1", channel=2)."""
    return url_state.link_in_words(PARAMS, values)
