"""The builder's table rows: the option column's choices and labels, and what a typed label means."""

from __future__ import annotations

import pytest
import torch

from cnnviz.arch import PRESETS, Conv, Dropout, Pool, VGGBlock
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


def test_an_edit_keeps_a_convolutions_dilation_and_other_layers_leave_it_blank():
    rows = [layer_to_row(Conv(8, kernel=3, padding=2, dilation=2)), layer_to_row(Pool("max", 2))]
    assert rows[0]["dilation"] == 2 and rows[1]["dilation"] is None
    rows[0]["size"] = 16  # what an edit of the "out" cell leaves in the row
    layers, error = rows_to_layers(rows)
    assert error is None and layers[0] == Conv(16, kernel=3, padding=2, dilation=2)
    conv = layers[0].build((1, 28, 28))
    assert conv.dilation == (2, 2) and conv(torch.zeros(1, 1, 28, 28)).shape == (1, 16, 28, 28)
    rows[0]["dilation"] = None  # a blank cell takes the default
    assert rows_to_layers(rows)[0][0].dilation == 1
    rows[0]["dilation"] = 0
    assert "dilation must be between 1 and" in str(rows_to_layers(rows)[1])
