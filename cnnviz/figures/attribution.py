"""Attribution maps side by side: one image, then a heat map per method, one row per explained class."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from cnnviz.inspection.attribution import METHOD_NAMES, METHODS, SIGNED
from cnnviz.figures.style import DIVERGING, GRAY, SEQUENTIAL, base_layout
from cnnviz.i18n import DEFAULT_LANGUAGE as EN
from cnnviz.i18n import N_, tr

ROW_LABEL_PX = 150  # the left margin that names each row's class
CELL_PX = 190  # each picture's side on a 1280-wide projector: five fit beside the row labels
TITLE_CHARS = 18  # the last column's title, wider than this (in Latin letters), would pass the figure's right edge: it wraps
CLIP_QUANTILE = 0.99  # colours saturate beyond this share of a method's |values|
Row = tuple[str, Mapping[str, torch.Tensor | str]]  # (label, {method: (H, W) map, or a note saying why not})


def _grey(image: torch.Tensor) -> np.ndarray:
    """(H, W), (C, H, W) or (1, C, H, W), uint8 or [0, 1] float -> (H, W) grey levels 0..255."""
    pixels = image.detach().float().cpu()
    pixels = pixels.reshape(-1, *pixels.shape[-2:]).mean(dim=0)  # channels averaged: (H, W)
    return (pixels if image.dtype == torch.uint8 else pixels * 255).numpy()


def _column_range(maps: list[torch.Tensor | None], signed: bool) -> tuple[float, float]:
    """One colour range per method across the rows, so the two classes' maps compare by colour. It ends at
    the 99th percentile of |value|: a few extreme pixels (common in gradients) would leave the rest pale;
    hover still gives every exact value."""
    values = [m.abs().flatten() for m in maps if isinstance(m, torch.Tensor)]
    top = float(torch.quantile(torch.cat(values).float(), CLIP_QUANTILE)) if values else 0.0
    top = top or max((float(v.max()) for v in values), default=0.0) or 1.0
    return (-top, top) if signed else (0.0, top)


def _titles(layer: str | None, lang: str) -> list[str]:
    names = [tr(lang, METHOD_NAMES[m]) for m in METHODS]
    if layer is not None:
        names[METHODS.index("grad-cam")] = _wrapped(tr(lang, N_("Grad-CAM at {layer}"), layer=layer))
    return [tr(lang, N_("Image")), *names]


def _width(text: str) -> int:
    """The text's width in Latin letters: a CJK character is drawn about two wide."""
    return sum(2 if ord(char) >= 0x2E80 else 1 for char in text)


def _wrapped(title: str) -> str:
    """A title wider than TITLE_CHARS on two lines, broken at its space nearest the middle ("Grad-CAM at
    residual6" -> "Grad-CAM at<br>residual6"); a narrower one, or one without spaces, as it is."""
    if _width(title) <= TITLE_CHARS or " " not in title:
        return title
    cut = min((i for i, char in enumerate(title) if char == " "), key=lambda i: abs(i - len(title) / 2))
    return f"{title[:cut]}<br>{title[cut + 1:]}"


def attribution_grid(image: torch.Tensor, rows: Sequence[Row], layer: str | None = None,
                     lang: str = EN) -> go.Figure:
    """The image then Saliency, Integrated Gradients, Occlusion and Grad-CAM, one row per class.

    Signed maps (IG, Occlusion) are red for evidence for the class and blue against it, on a range shared
    by the rows; the others run from 0 on each map's own range. A method without a map leaves its note."""
    columns = 1 + len(METHODS)
    titles = _titles(layer, lang) + [""] * columns * (len(rows) - 1)
    fig = make_subplots(rows=len(rows), cols=columns, subplot_titles=titles, horizontal_spacing=0.012,
                        vertical_spacing=0.06)
    grey = _grey(image)
    hover = tr(lang, N_("row %{y}, col %{x}: %{z:.3g}"))
    for r, (label, maps) in enumerate(rows, start=1):
        fig.add_trace(go.Heatmap(z=grey, zmin=0, zmax=255, colorscale=GRAY, showscale=False,
                                 hovertemplate=tr(lang, N_("pixel %{z:.0f}")) + "<extra></extra>"), r, 1)
        for c, method in enumerate(METHODS, start=2):
            values = maps.get(method)
            if not isinstance(values, torch.Tensor):
                _note(fig, r, c, values or "")
                continue
            # Signed maps are in score units and share a range down the column, so rows compare; Saliency
            # and Grad-CAM are read as patterns, each on its own range, as their authors draw them.
            shared = [m.get(method) for _, m in rows] if method in SIGNED else [values]
            low, high = _column_range(shared, method in SIGNED)
            fig.add_trace(go.Heatmap(
                z=values.numpy(), zmin=low, zmax=high, colorscale=DIVERGING if method in SIGNED else SEQUENTIAL,
                showscale=False, hovertemplate=f"{tr(lang, METHOD_NAMES[method])}<br>{hover}<extra></extra>"),
                r, c)
        _row_label(fig, r, label)
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False, autorange="reversed", constrain="domain")
    for i in range(1, len(rows) * columns + 1):  # square pixels in every cell
        fig.update_layout({f"yaxis{'' if i == 1 else i}": {"scaleanchor": f"x{'' if i == 1 else i}"}})
    top = 62 if any("<br>" in title for title in titles) else 40  # a second line of titles takes 22 px
    base_layout(fig, height=top + 20 + CELL_PX * len(rows) + 30 * (len(rows) - 1))
    fig.update_layout(margin={"l": ROW_LABEL_PX, "r": 10, "t": top, "b": 10})
    return fig


def _note(fig: go.Figure, row: int, col: int, text: str) -> None:
    axis = (row - 1) * (len(METHODS) + 1) + col  # make_subplots numbers the axes row by row
    suffix = "" if axis == 1 else str(axis)
    fig.add_annotation(text=text, x=0.5, y=0.5, xref=f"x{suffix} domain", yref=f"y{suffix} domain",
                       showarrow=False, font={"size": 13}, width=CELL_PX - 20)


def _row_label(fig: go.Figure, row: int, label: str) -> None:
    suffix = "" if row == 1 else str((row - 1) * (len(METHODS) + 1) + 1)
    fig.add_annotation(text=label, x=-0.04, y=0.5, xref=f"x{suffix} domain", yref=f"y{suffix} domain",
                       xanchor="right", showarrow=False, align="right")
