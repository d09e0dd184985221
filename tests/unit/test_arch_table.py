"""The builder's table rows: the option column's choices and labels, and what a typed label means."""

from __future__ import annotations

import pytest

from cnnviz.arch import PRESETS, Dropout, VGGBlock
from cnnviz.arch.table import layer_to_row, option_choices, option_label, rows_to_layers


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_presets_options_are_among_the_choices(name):
    rows = [layer_to_row(layer) for layer in PRESETS[name].layers]
    choices = option_choices(rows)
    assert all(row["option"] in choices for row in rows if row["option"] is not None)
    assert rows_to_layers(rows) == (list(PRESETS[name].layers), None)


def test_choices_cover_the_known_values_and_keep_an_imported_one():
    choices = option_choices([layer_to_row(Dropout(0.25))])
    assert {"relu", "sigmoid", "tanh", "leaky_relu", "gelu", "max", "avg", "0.5", "2"} <= set(choices)
    assert "0.25" in choices and len(choices) == len(set(choices))


def test_labels_say_what_a_number_means_and_read_back():
    assert [option_label(v) for v in ("0.5", "1", "3", "relu")] == ["p 0.5", "1 conv", "3 convs", "relu"]
    rows = [{"layer": "VGGBlock", "size": 8, "option": "3 convs"}, {"layer": "Dropout", "option": "p 0.2"}]
    assert rows_to_layers(rows) == ([VGGBlock(3, 8), Dropout(0.2)], None)
