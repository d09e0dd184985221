"""Page 7's figures: the overview's tiles, pages and three colour scales, the probabilities, and a window with its
padding and its max marked."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cnnviz.figures import inside as figs
from cnnviz.figures.inside_legend import LEGEND, short


def _columns():
    generator = torch.Generator().manual_seed(0)
    return [figs.Column("input", "input", torch.rand(1, 8, 8, generator=generator), gray=True),
            figs.Column("conv1", "conv1", torch.randn(10, 6, 6, generator=generator) * 3),
            figs.Column("fc1", "fc1", torch.rand(20, generator=generator) + 5)]


def _heatmaps(fig):
    return [trace for trace in fig.data if trace.type == "heatmap" and trace.meta != LEGEND]


def _legend(fig):
    strips = [trace for trace in fig.data if trace.type == "heatmap" and trace.meta == LEGEND]
    numbers = [note.text for note in fig.layout.annotations if note.name == LEGEND]
    return strips, numbers


@pytest.mark.parametrize("scale", ["unit", "layer", "global"])
def test_the_overview_draws_one_tile_per_map_on_the_page_with_its_scale(scale):
    columns = _columns()
    fig = figs.overview(columns, first=6, per_page=4, scale=scale)
    tiles = _heatmaps(fig)
    # the input stays on every page; conv1's channels 6-9; fc1 as one strip
    assert [t.name for t in tiles] == ["input · channel 0", *[f"conv1 · channel {c}" for c in range(6, 10)], "fc1"]
    np.testing.assert_allclose(np.asarray(tiles[1].z), columns[1].values[6].numpy(), rtol=1e-6)
    conv_ranges = {(t.zmin, t.zmax) for t in tiles[1:5]}
    everything = torch.cat([c.values.flatten() for c in columns])
    if scale == "global":
        top = float(everything.abs().max())
        assert all((t.zmin, t.zmax) == pytest.approx((-top, top)) for t in tiles)
    elif scale == "layer":
        top = float(columns[1].values.abs().max())  # the whole layer, not only the page shown
        assert all(zrange == pytest.approx((-top, top)) for zrange in conv_ranges)
        assert (tiles[-1].zmin, tiles[-1].zmax) == (pytest.approx(float(columns[2].values.min())),
                                                    pytest.approx(float(columns[2].values.max())))
    else:
        assert len(conv_ranges) == 4  # each map its own
    targets = fig.data[-1]
    assert list(targets.customdata) == ["0,0", "1,6", "1,7", "1,8", "1,9", "2,0"]


def test_the_selected_map_is_outlined_only_on_its_page():
    assert len(figs.overview(_columns(), first=6, per_page=4, selected=(1, 7)).layout.shapes) == 1
    assert len(figs.overview(_columns(), first=0, per_page=4, selected=(1, 7)).layout.shapes) == 0


def test_a_window_greys_its_padding_and_outlines_the_picked_cell():
    values = torch.tensor([[0.0, 0.0], [0.5, 2.0]], dtype=torch.float64)
    padded = torch.tensor([[True, True], [False, False]])
    fig = figs.window(values, padded, "w", picked=(1, 1))
    grey, cells = _heatmaps(fig)
    assert np.isnan(np.asarray(grey.z, dtype=float)[1]).all() and (np.asarray(grey.z)[0] == 1).all()
    assert np.asarray(cells.text).tolist() == [["pad", "pad"], ["0.50", "2.00"]]
    shape = fig.layout.shapes[0]
    assert (shape.x0, shape.y0) == (0.5, 0.5)


def test_the_probabilities_name_every_class_and_colour_the_likeliest():
    logits = torch.tensor([0.1, 2.0, -1.0])
    fig = figs.probabilities(torch.softmax(logits, 0), logits, ["a", "b", "c"])
    bar = fig.data[0]
    assert list(bar.y) == ["a", "b", "c"] and bar.text[1] == f"{float(torch.softmax(logits, 0)[1]):.1%}"
    assert bar.marker.color[1] != bar.marker.color[0]
    np.testing.assert_allclose(bar.customdata, logits.numpy(), rtol=1e-6)


@pytest.mark.parametrize("scale", ["unit", "layer", "global"])
def test_the_colour_legend_is_a_gradient_with_its_lowest_and_highest_numbers(scale):
    """Under each layer (or the whole overview for "global") a strip running through the tiles' colours, from the
    lowest to the highest value they map, both printed."""
    columns = _columns()
    fig = figs.overview(columns, first=6, per_page=4, scale=scale)
    strips, numbers = _legend(fig)
    tiles = _heatmaps(fig)
    if scale == "global":
        everything = torch.cat([c.values.flatten() for c in columns])
        top = float(everything.abs().max())
        assert len(strips) == 1 and numbers == [short(-top), short(top), "0"]
        ranges = [(-top, top)]
    else:
        assert len(strips) == len(columns)
        per_column = [tiles[:1], tiles[1:5], tiles[5:]]
        ranges = [(min(t.zmin for t in group), max(t.zmax for t in group)) for group in per_column]
        assert numbers == [text for low, high in ranges for text in (short(low), short(high))]
        assert [s.colorscale == t[0].colorscale for s, t in zip(strips, per_column)] == [True] * 3
        if scale == "layer":  # conv1's whole layer, signed: centred on 0
            top = float(columns[1].values.abs().max())
            assert ranges[1] == pytest.approx((-top, top))
    for strip, (low, high) in zip(strips, ranges):
        z = np.asarray(strip.z, dtype=float)[0]
        assert (z[0], z[-1]) == pytest.approx((low, high)) and np.all(np.diff(z) > 0)
        assert (strip.zmin, strip.zmax) == pytest.approx((low, high))
    lowest_tile = max(t.y0 + t.dy * (np.asarray(t.z).shape[0] - 0.5) for t in tiles)
    assert all(strip.y0 > lowest_tile for strip in strips)  # under the maps, not over them


def test_legend_numbers_have_two_significant_digits():
    assert [short(v) for v in (0.0, -1.234, 0.03456, 1234.0, 12.0)] == ["0", "-1.2", "0.035", "1.2e+03", "12"]


def test_a_layer_with_no_map_on_this_page_keeps_its_legend():
    columns = _columns()  # conv1 has 10 channels: none on the page from channel 12
    fig = figs.overview(columns, first=12, per_page=4, scale="unit")
    strips, numbers = _legend(fig)
    top = float(columns[1].values.abs().max())
    assert len(strips) == 3 and numbers[2:4] == [short(-top), short(top)]
