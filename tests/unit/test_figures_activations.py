"""The Activations page's figures show the numbers they are given, tile by tile."""

from __future__ import annotations

import numpy as np
import pytest
import torch

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


def test_probability_bars_stack_the_compared_classes_first():
    probs = torch.softmax(torch.randn(3, 10, generator=torch.Generator().manual_seed(0)), dim=1)
    fig = figs.probability_bars(probs, ["x", "y", "z"], [str(c) for c in range(10)], [4, 2])
    assert [t.name for t in fig.data] == ["4", "2", "other classes"]
    np.testing.assert_allclose(fig.data[0].x, probs[:, 4].numpy())
    np.testing.assert_allclose(sum(np.asarray(t.x) for t in fig.data), np.ones(3), rtol=1e-6)
    others = probs.clone()
    others[:, [2, 4]] = 0
    assert list(fig.data[2].customdata) == [str(int(c)) for c in others.argmax(dim=1)]


def test_kernel_grid_puts_input_channels_in_rows():
    weight = torch.randn(4, 2, 3, 3)
    z = figs.kernel_grid(weight).data[0].z
    assert z.shape == (2 * 4 - 1, 4 * 4 - 1)
    np.testing.assert_allclose(z[4:7, 8:11], weight[2, 1].numpy())
