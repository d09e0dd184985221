"""Heatmaps for the convolution page: a grid of numbers, its padding, and the window being read."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import plotly.colors
import plotly.graph_objects as go
import torch

from cnnviz.figures import style
from cnnviz.i18n import DEFAULT_LANGUAGE as EN, tr

PAD_FILL = "#f3e1c7"  # padded cells: pale sand, in neither the image scales (viridis, gray) nor the data
PAD_TEXT = "#7a5c2e"
CELL_PX = 56  # preferred size of one cell on screen
MIN_CELL_PX = 4  # a 32x32 upload beside a 7x7 kernel still draws
MAX_HEIGHT = 430
MARGIN_PX = 70  # axis labels and title around the cells
TITLE_CHAR_EM = 0.6  # average width of a title character, in font sizes (Plotly's default sans-serif)
WIDE_CHAR_EM = 1.0  # a Chinese character is a full em wide: a zh title needs about twice the room
MAX_PAD = "−∞"  # what padding holds in max pooling: PyTorch pads with -inf, so a padded cell never wins


@lru_cache(maxsize=None)
def _scale(name: str) -> list:
    """A named colour scale as explicit stops: the browser only knows a few names, and ours skip validation."""
    return plotly.colors.get_colorscale(name)


def cell_px(h: int, max_height: int = MAX_HEIGHT) -> int:
    """On-screen size of one cell of an h-row grid: big for the book's small examples, smaller for images."""
    return min(CELL_PX, max_height // max(h, 1))


def shared_cell_px(shapes: Sequence[tuple[int, int]], max_height: int, max_width: int) -> int:
    """One cell size for grids (h, w) drawn side by side, so they share a scale: as large as CELL_PX,
    no grid taller than max_height, and all of them together (margins included) within max_width.
    A figure's height is fixed while its width follows the page column, so a cell sized by height
    alone leaves empty space under a grid that its column squeezed."""
    rows = max(h for h, _ in shapes)
    cols = sum(max(w, 2) for _, w in shapes)
    room = max_width - MARGIN_PX * len(shapes)
    return max(MIN_CELL_PX, min(CELL_PX, max_height // rows, room // cols))


def title_px(title: str, font_size: float = style.FONT_SIZE) -> int:
    """Roughly how wide a figure title draws, in pixels (Plotly does not wrap titles: it cuts them off)."""
    ems = sum(WIDE_CHAR_EM if unicodedata.east_asian_width(ch) in "WF" else TITLE_CHAR_EM for ch in title)
    return round(ems * font_size) + 20


def figure_width(h: int, w: int, max_height: int = MAX_HEIGHT, title: str = "",
                 font_size: float = style.FONT_SIZE) -> int:
    """Roughly how wide a grid figure draws, in pixels, title included: use it to size page columns."""
    return max(cell_px(h, max_height) * max(w, 2) + MARGIN_PX, title_px(title, font_size))


def _nan_where(values: torch.Tensor, mask: torch.Tensor) -> np.ndarray:
    """Values (h, w) with NaN (a gap in the heatmap) where mask is True, as a numpy array: plotly sends
    arrays as compact binary and copies them in one go, ten times faster than nested lists."""
    return values.to(torch.float64).masked_fill(mask, float("nan")).numpy()


def _padding_mask(h: int, w: int, padding: tuple[int, int]) -> torch.Tensor:
    ph, pw = padding
    mask = torch.ones(h, w, dtype=torch.bool)
    mask[ph:h - ph, pw:w - pw] = False
    return mask


def _labels(values: torch.Tensor, show: bool) -> list[list[str]] | None:
    if not show:
        return None
    return [[f"{v:.3g}" if v != int(v) else str(int(v)) for v in row] for row in values.tolist()]


def _rect(r0: float, c0: float, r1: float, c1: float, colour: str, width: int, dash: str = "solid") -> dict:
    return {"type": "rect", "x0": c0 - 0.5, "x1": c1 + 0.5, "y0": r0 - 0.5, "y1": r1 + 0.5,
            "line": {"color": colour, "width": width, "dash": dash}, "layer": "above"}


def grid_figure(values: torch.Tensor, title: str, *, padding: tuple[int, int] = (0, 0),
                window: Sequence[tuple[int, int]] = (), colorscale: str = style.SEQUENTIAL,
                zmid: float | None = None, zrange: tuple[float, float] | None = None, clickable: bool = False,
                max_height: int = MAX_HEIGHT, pad_label: str = "0", lang: str = EN) -> go.Figure:
    """A (h, w) grid as a heatmap, values printed while readable.

    padding: rows/columns on each side drawn as padding (sand-coloured, the data framed by a dashed line);
    window: (row, col) cells to outline (the receptive window, or the chosen output cell); zrange: the
    (min, max) the colours span, to share one scale between figures; clickable: a transparent marker on
    every cell so a click reports its (col, row); pad_label: what a padded cell holds ("0" for a
    convolution or average pooling, MAX_PAD for max pooling); lang: the language of the hover texts (the
    title comes translated).
    """
    h, w = values.shape
    show = h * w <= style.MAX_ANNOTATED_CELLS and max(h, w) <= 16
    gap = 1 if max(h, w) <= 16 else 0  # cell borders help count small grids, and turn images into a mesh
    mask = _padding_mask(h, w, padding)
    text = {"text": _labels(values, show), "texttemplate": "%{text}"} if show else {}
    limits = {"zmin": zrange[0], "zmax": zrange[1]} if zrange else {"zmid": zmid}
    traces = [{"type": "heatmap", "z": _nan_where(values, mask), **text, "colorscale": _scale(colorscale),
               **limits, "showscale": False, "xgap": gap, "ygap": gap, "textfont": {"size": style.CELL_FONT_SIZE},
               "hovertemplate": tr(lang, "row %{y}, col %{x}: %{z}") + "<extra></extra>"}]
    if mask.any():
        traces.append(_padding_trace(mask, show, gap, pad_label, lang))
    if clickable:
        rows, cols = np.divmod(np.arange(h * w), w)
        traces.append({"type": "scatter", "x": cols, "y": rows, "mode": "markers", "hoverinfo": "none",
                       "showlegend": False, "marker": {"symbol": "square", "size": 30, "opacity": 0.0}})
    shapes = _window_shapes(window)
    if padding[0] or padding[1]:
        shapes.append(_rect(padding[0], padding[1], h - 1 - padding[0], w - 1 - padding[1], "#333333", 2, "dash"))
    # Built from known keys, so plotly's per-property validation (~5 ms a figure) is skipped.
    return go.Figure({"data": traces, "layout": _layout(title, h, w, shapes, clickable, max_height)},
                     _validate=False)


def _padding_trace(mask: torch.Tensor, show: bool, gap: int, label: str, lang: str = EN) -> dict:
    """The padded cells, in a flat colour no data scale uses, each marked with what it holds."""
    text = {"text": [[label if m else "" for m in row] for row in mask.tolist()],
            "texttemplate": "%{text}"} if show else {}
    held = tr(lang, "-inf, never the max") if label == MAX_PAD else label
    return {"type": "heatmap", "z": _nan_where(torch.zeros(mask.shape), ~mask), **text,
            "textfont": {"size": style.CELL_FONT_SIZE, "color": PAD_TEXT},
            "colorscale": [[0, PAD_FILL], [1, PAD_FILL]], "showscale": False, "xgap": gap, "ygap": gap,
            "hovertemplate": tr(lang, "padding (row %{y}, col %{x})") + f": {held}<extra></extra>"}


def _layout(title: str, h: int, w: int, shapes: list[dict], clickable: bool, max_height: int) -> dict:
    """Square cells, row 0 at the top, column numbers above, big fonts."""
    axis = {"showgrid": False, "zeroline": False, "constrain": "domain"}
    return {
        # The title at the figure's top edge, clear of the column numbers under it.
        "title": {"text": title, "yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 6}},
        "font": {"size": style.FONT_SIZE}, "plot_bgcolor": "white",
        "margin": {"l": 10, "r": 10, "t": 58 if title else 10, "b": 6},
        "height": max(cell_px(h, max_height) * h + 74, 170),
        # An empty template: Streamlit's own theme styles the chart in the browser anyway, and
        # plotly's default template costs ~4 ms a figure to copy.
        "template": {}, "shapes": shapes, "dragmode": False, "clickmode": "event+select" if clickable else "event",
        "xaxis": {**axis, "side": "top", "range": [-0.5, w - 0.5], **({"dtick": 1} if w <= 16 else {})},
        "yaxis": {**axis, "range": [h - 0.5, -0.5], "scaleanchor": "x", **({"dtick": 1} if h <= 16 else {})},
    }


def _window_shapes(cells: Sequence[tuple[int, int]]) -> list[dict]:
    """One thick outline around a contiguous window; one per cell (plus the span) when it has holes."""
    if not cells:
        return []
    rows, cols = [r for r, _ in cells], [c for _, c in cells]
    r0, r1, c0, c1 = min(rows), max(rows), min(cols), max(cols)
    if (r1 - r0 + 1) * (c1 - c0 + 1) == len(set(cells)):
        return [_rect(r0, c0, r1, c1, style.HIGHLIGHT, 5)]
    return [_rect(r0, c0, r1, c1, style.HIGHLIGHT, 2, "dot")] + [_rect(r, c, r, c, style.HIGHLIGHT, 4)
                                                                 for r, c in cells]
