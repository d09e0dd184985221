"""A unit's receptive field drawn on the Activations page's figures: the outline on each input image, the
selected unit on an enlarged map, and the click targets that let a student pick a unit."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from cnnviz.figures.activations import GAP
from cnnviz.i18n import DEFAULT_LANGUAGE as EN
from cnnviz.i18n import tr
from cnnviz.inspection.receptive_view import UnitField, tile_rectangle

OUTLINE = "#00e5ff"  # cyan stands out on grey images and on the maps' colour scales
OUTLINE_WIDTH = 2
MAX_TARGETS_SIDE = 64  # an enlarged map larger than this per side gets a click target on every k-th unit


def _rectangle(fig: go.Figure, corners: tuple[float, float, float, float], name: str, width: int) -> None:
    x0, y0, x1, y1 = corners
    fig.add_shape(type="rect", x0=x0, y0=y0, x1=x1, y1=y1, line={"color": OUTLINE, "width": width}, name=name)


def outline_inputs(fig: go.Figure, unit: UnitField, rows: int, h: int, w: int) -> go.Figure:
    """Outlines the pixels `unit` sees on each of the `rows` input images of a grid made by `map_grid` with
    h x w maps and `add_input_column` (each input scaled into an h x w tile left of channel 1)."""
    left = -(w + 2 * GAP) - 0.5  # the input tile's left edge: see add_input_column
    for r in range(rows):
        _rectangle(fig, tile_rectangle(unit, (left, r * (h + GAP) - 0.5, w, h)), f"receptive field {r}",
                   OUTLINE_WIDTH)
    return fig


def outline_image(fig: go.Figure, unit: UnitField) -> go.Figure:
    """Outlines the pixels `unit` sees on one input image drawn by `image_grid` (one tile, pixel units)."""
    _rectangle(fig, tile_rectangle(unit, (-0.5, -0.5, unit.side, unit.side)), "receptive field", OUTLINE_WIDTH + 1)
    return fig


def mark_unit(fig: go.Figure, row: int, column: int) -> go.Figure:
    """Outlines one cell of an `enlarged_map`: the selected unit."""
    _rectangle(fig, (column - 0.5, row - 0.5, column + 0.5, row + 0.5), "selected unit", OUTLINE_WIDTH + 1)
    return fig


def add_unit_targets(fig: go.Figure, h: int, w: int, lang: str = EN) -> go.Figure:
    """Invisible square markers on the units of an (h, w) `enlarged_map`: Plotly reports clicks on markers,
    not on heatmap cells (Streamlit 1.67). Large maps get one on every k-th unit, so the figure stays light."""
    step = -(-max(h, w) // MAX_TARGETS_SIDE)
    y, x = np.meshgrid(np.arange(0, h, step), np.arange(0, w, step), indexing="ij")
    size = max(4, int(0.8 * fig.layout.height / max(h, w)) * step)
    hover = tr(lang, "unit ({row}, {column}): click to outline what it sees", row="%{y}", column="%{x}")
    fig.add_trace(go.Scatter(x=x.ravel(), y=y.ravel(), mode="markers", showlegend=False,
                             marker={"symbol": "square", "size": size, "opacity": 0.01, "color": "white"},
                             hovertemplate=hover + "<extra></extra>"))
    return fig


def clicked_unit(point: dict) -> tuple[int, int]:
    """(row, column) of the unit under a clicked point of an `enlarged_map` with `add_unit_targets`."""
    return int(round(point["y"])), int(round(point["x"]))
