"""The overview's colour legend, drawn under its tiles: a gradient strip with its lowest and highest numbers.

"layer": one strip under each layer, that layer's range (its whole output, not only the page shown);
"global": one strip under the whole overview, the network's range (0 marked where the range is signed);
"unit": one strip per layer, with the lowest and highest of the maps shown (each map spans its own range;
its hover gives it).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from cnnviz.figures.style import DIVERGING, FONT_SIZE, GRAY, SEQUENTIAL

LEGEND = "colour legend"  # the strips' `meta`, the numbers' `name`: tests tell them from the maps
STRIP_TOP = 0.22  # below the tiles, in tile heights
STRIP_HEIGHT = 0.2
TEXT_PX = 30  # two staggered rows of numbers under the strips
STEPS = 32  # colours along a strip


def short(value: float) -> str:
    """A legend number: 2 significant digits ("-1.2", "0.034", "1.2e+03"), "0" for zero."""
    return "0" if value == 0 else f"{value:.2g}"


def extra_units(tile_px: int) -> float:
    """How far (in tile heights) the legend reaches below the tiles."""
    return STRIP_TOP + STRIP_HEIGHT + TEXT_PX / tile_px


def _strip(x0: float, x1: float, y0: float, low: float, high: float, colours: str) -> go.Heatmap:
    """A horizontal gradient from `low` to `high` filling [x0, x1] at height y0; the hover gives each value."""
    values = np.linspace(low, high, STEPS)[None, :]
    dx = (x1 - x0) / STEPS
    return go.Heatmap(z=values, x0=x0 + dx / 2, dx=dx, y0=y0 + STRIP_HEIGHT / 2, dy=STRIP_HEIGHT, zmin=low, zmax=high,
                      colorscale=colours, showscale=False, meta=LEGEND, hoverinfo="skip")


def _numbers(x0: float, x1: float, y: float, low: float, high: float) -> list[dict]:
    """The lowest number under the strip's left end, the highest a row lower under its right end (staggered:
    neighbouring layers' numbers never overlap)."""
    font = {"size": FONT_SIZE - 6}
    return [{"text": short(low), "x": x0, "y": y, "xanchor": "left", "yanchor": "top", "showarrow": False,
             "font": font, "name": LEGEND},
            {"text": short(high), "x": x1, "y": y, "yshift": -13, "xanchor": "right", "yanchor": "top",
             "showarrow": False, "font": font, "name": LEGEND}]


def _colours(low: float, gray: bool) -> str:
    return GRAY if gray else DIVERGING if low < 0 else SEQUENTIAL


def legend(spans: Sequence[tuple[float, float, tuple[float, float], bool]], scale: str, tiles_height: float,
           global_range: tuple[float, float]) -> tuple[list[go.Heatmap], list[dict]]:
    """The strips and their numbers. spans: per overview column (x0, x1, (low, high) of its colours, grey);
    for "unit" the (low, high) is the lowest and highest of the maps shown. Returns (traces, annotations)."""
    y0 = tiles_height + STRIP_TOP
    traces, notes = [], []
    if scale == "global":
        x0, x1 = spans[0][0], spans[-1][1]
        low, high = global_range
        traces.append(_strip(x0, x1, y0, low, high, _colours(low, False)))
        notes += _numbers(x0, x1, y0 + STRIP_HEIGHT, low, high)
        if low < 0 < high:  # where white, 0, lies
            notes.append({"text": "0", "x": x0 + (x1 - x0) * -low / (high - low), "y": y0 + STRIP_HEIGHT,
                          "xanchor": "center", "yanchor": "top", "showarrow": False,
                          "font": {"size": FONT_SIZE - 6}, "name": LEGEND})
        return traces, notes
    for x0, x1, (low, high), gray in spans:
        traces.append(_strip(x0, x1, y0, low, high, _colours(low, gray)))
        notes += _numbers(x0, x1, y0 + STRIP_HEIGHT, low, high)
    return traces, notes
