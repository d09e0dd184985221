"""The Activations page's figures show the numbers they are given, tile by tile."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cnnviz.figures import activation_outline as outline
from cnnviz.figures import activations as figs


def test_mosaic_places_each_map_with_one_pixel_gaps():
    maps = torch.arange(2 * 3 * 4 * 5, dtype=torch.float32).reshape(2, 3, 4, 5)
    tiled = figs.mosaic(maps)
    assert tiled.shape == (2 * 5 - 1, 3 * 6 - 1)
    np.testing.assert_array_equal(tiled[5:9, 12:17], maps[1, 2].numpy())
    assert np.isnan(tiled[4]).all() and np.isnan(tiled[:, 5]).all()


def test_map_grid_shares_one_scale_or_scales_each_map():
    maps = torch.zeros(1, 2, 3, 3)
    maps[0, 0, 1, 1], maps[0, 1, 0, 0] = 4.0, 0.5
    shared = figs.map_grid(maps, ["a"]).data[0]
    assert shared.zmin == 0.0 and shared.zmax == pytest.approx(np.quantile(maps.numpy(), 0.995))
    np.testing.assert_array_equal(shared.z[:3, :3], maps[0, 0].numpy())  # the true values, not clipped
    per_map = figs.map_grid(maps, ["a"], shared=False).data[0]
    assert np.nanmax(per_map.z[:, 4:]) == 1.0  # the weak second map reaches the top of the scale too
    np.testing.assert_array_equal(per_map.customdata[:3, :3], maps[0, 0].numpy())  # hover: true values
    signed = figs.map_grid(maps - 1, ["a"]).data[0]
    assert signed.zmin == -signed.zmax
    assert signed.zmax == pytest.approx(np.quantile((maps - 1).abs().numpy(), 0.995))
    assert signed.colorscale[0][1] != shared.colorscale[0][1]  # diverging, not sequential


def test_probability_bars_name_the_likeliest_class_outside_the_compared_ones():
    probs = torch.softmax(torch.randn(3, 10, generator=torch.Generator().manual_seed(0)), dim=1)
    probs[2] = torch.tensor([0.01] * 8 + [0.9, 0.02])  # an image of yours that looks like class 8
    fig = figs.probability_bars(probs, ["x", "y", "z"], [f"c{c}" for c in range(10)], [4, 2])
    assert [t.name for t in fig.data] == ["c4", "c2", "likeliest other class", "all the rest"]
    np.testing.assert_allclose(fig.data[0].x, probs[:, 4].numpy())
    np.testing.assert_allclose(sum(np.asarray(t.x) for t in fig.data), np.ones(3), rtol=1e-6)
    others = probs.clone()
    others[:, [2, 4]] = -1
    best = others.argmax(dim=1)
    assert list(fig.data[2].text) == [f"c{int(c)}" for c in best] and fig.data[2].text[2] == "c8"
    np.testing.assert_allclose(fig.data[2].x, probs[torch.arange(3), best].numpy(), rtol=1e-6)


def test_kernel_grid_puts_input_channels_in_rows():
    weight = torch.randn(4, 2, 3, 3)
    z = figs.kernel_grid(weight).data[0].z
    assert z.shape == (2 * 4 - 1, 4 * 4 - 1)
    np.testing.assert_allclose(z[4:7, 8:11], weight[2, 1].numpy())


def test_kernel_grid_shows_a_page_of_output_channels_with_their_numbers():
    weight = torch.randn(32, 2, 5, 5)
    fig = figs.kernel_grid(weight, channels=[8, 9, 10])
    assert list(fig.layout.xaxis.ticktext) == ["8", "9", "10"]  # PyTorch's indices, from 0
    np.testing.assert_allclose(fig.data[0].z[6:11, 12:17], weight[10, 1].numpy())


def test_a_clickable_grid_reports_which_map_was_clicked():
    maps = torch.rand(3, 4, 10, 10)
    fig = figs.map_grid(maps, ["a", "b", "c"], clickable=True)
    targets = fig.data[1]
    assert len(targets.x) == 12 and targets.customdata[5] == "b · channel 1"
    for index in (0, 5, 11):  # the centre of a map, and any other pixel of it, give that map
        point = {"x": targets.x[index], "y": targets.y[index]}
        assert figs.clicked_tile(point, 10, 10) == divmod(index, 4)
        assert figs.clicked_tile({"x": point["x"] + 4.4, "y": point["y"] - 4.4}, 10, 10) == divmod(index, 4)
    assert list(fig.layout.xaxis.range) == [-0.5, 4 * 11 - 1 - 0.5]  # the markers do not pad the axes


def test_an_enlarged_map_prints_its_values_only_when_small():
    small = figs.enlarged_map(torch.arange(25.0).reshape(5, 5) - 12).data[0]
    assert small.zmin == -12 and small.zmax == 12 and small.texttemplate == "%{z:.2f}"
    np.testing.assert_array_equal(small.z[0], [-12, -11, -10, -9, -8])
    large = figs.enlarged_map(torch.rand(28, 28)).data[0]
    assert large.texttemplate is None and large.zmin >= 0


def test_the_input_column_puts_each_image_on_its_row_scaled_to_one_tile():
    maps = torch.rand(2, 3, 10, 10)
    images = torch.randint(0, 256, (2, 28, 28), dtype=torch.uint8)
    fig = figs.add_input_column(figs.map_grid(maps, ["a", "b"]), images, 10, 10)
    second = fig.data[2]
    np.testing.assert_array_equal(second.z, images[1].numpy())
    # 28 pixels span one 10-pixel tile, left of channel 0, on row 2 (rows start every 11 map pixels).
    assert second.dx == pytest.approx(10 / 28) and second.y0 - second.dy / 2 == pytest.approx(11 - 0.5)
    assert second.x0 - second.dx / 2 == pytest.approx(-12.5) and fig.layout.xaxis.range[0] == pytest.approx(-12.5)
    assert list(fig.layout.xaxis.ticktext) == ["input", "0", "1", "2"]


def test_an_enlarged_map_reports_the_clicked_unit_and_outlines_it():
    small = outline.mark_unit(outline.add_unit_targets(figs.enlarged_map(torch.rand(10, 10)), 10, 10), 3, 5)
    targets = small.data[1]
    assert len(targets.x) == 100  # one target per unit
    index = 3 * 10 + 5
    assert outline.clicked_unit({"x": targets.x[index], "y": targets.y[index]}) == (3, 5)
    (box,) = small.layout.shapes  # the selected unit's cell
    assert (box.x0, box.y0, box.x1, box.y1) == (4.5, 2.5, 5.5, 3.5)
    # VGG's first block at 224x224 gives 112x112 maps: a target on every second unit keeps the figure light.
    large = outline.add_unit_targets(figs.enlarged_map(torch.rand(112, 112)), 112, 112).data[1]
    assert len(large.x) == 56 * 56 and sorted(set(large.x))[:3] == [0, 2, 4]


def test_the_outline_covers_the_pixels_a_unit_sees_on_each_input_tile():
    from cnnviz.arch import PRESETS
    from cnnviz.inspection.receptive_view import unit_field

    maps = torch.rand(3, 2, 10, 10)
    fig = figs.add_input_column(figs.map_grid(maps, ["a", "b", "c"]), torch.zeros(3, 28, 28, dtype=torch.uint8),
                                10, 10)
    unit = unit_field(PRESETS["lenet"], "conv2", 0, 9)  # rows -2..11 and columns 16..29, clipped to the image
    assert (unit.rows, unit.columns) == ((0, 11), (16, 27))
    outline.outline_inputs(fig, unit, 3, 10, 10)
    scale = 10 / 28  # a 28-pixel image in a 10-unit tile whose left edge is at -12.5, rows every 11 units
    for row, shape in enumerate(fig.layout.shapes):
        assert (shape.x0, shape.x1) == pytest.approx((-12.5 + 16 * scale, -12.5 + 28 * scale))
        assert (shape.y0, shape.y1) == pytest.approx((row * 11 - 0.5, row * 11 - 0.5 + 12 * scale))
    assert len(fig.layout.shapes) == 3
