"""Figures for the Inside-the-network page: every layer's output left to right (the overview), the class
probabilities, and the windows and kernels that explain one unit.

The overview draws each map as its own small heatmap placed in a grid of equal tiles (layer j in column j,
channel k in row k), so maps of 28x28 and 3x3 sit side by side at one size; a dense layer is a strip of cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import plotly.graph_objects as go
import torch

from cnnviz.figures import inside_legend
from cnnviz.figures.style import CELL_FONT_SIZE, DIVERGING, FONT_SIZE, GRAY, HIGHLIGHT, PADDING_COLOUR, SEQUENTIAL, \
    SERIES, base_layout
from cnnviz.i18n import DEFAULT_LANGUAGE as EN
from cnnviz.i18n import N_, tr

SCALES = (N_("unit"), N_("layer"), N_("global"))  # CNN Explainer's three colour-scale levels
COLUMN_STEP = 1.45  # a tile is 1 wide; the rest is the gap to the next layer
ROW_STEP = 1.12
STRIP_WIDTH = 0.45  # a dense layer's strip, as a share of a tile's width
MAX_PRINTED = 121  # a window up to 11x11 prints its values


@dataclass(frozen=True)
class Column:
    """One layer in the overview: its label (name and shape) and its output, (C, h, w) maps or (F,) units."""

    name: str
    label: str
    values: torch.Tensor
    gray: bool = False  # the input image: grey, as a photo


def _range(values: np.ndarray) -> tuple[float, float]:
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    if low < 0:  # signed: centred on 0, so white means 0
        top = max(-low, high, 1e-6)
        return -top, top
    return low, max(high, low + 1e-6)


def _scale_of(values: np.ndarray, zrange: tuple[float, float]) -> str:
    return DIVERGING if zrange[0] < 0 else SEQUENTIAL


def _shown(column: Column, first: int, per_page: int) -> list[tuple[int, np.ndarray]]:
    """The (channel, map) pairs of a spatial column on this page; one (-1, strip) for a flat one."""
    values = column.values.detach().float().cpu().numpy()
    if values.ndim == 1:
        return [(-1, values)]
    if column.gray:  # the input image stays on every page
        return [(c, values[c]) for c in range(min(per_page, values.shape[0]))]
    return [(c, values[c]) for c in range(first, min(first + per_page, values.shape[0]))]


def overview(columns: Sequence[Column], first: int = 0, per_page: int = 6, scale: str = "layer",
             selected: tuple[int, int] | None = None, tile_px: int = 54, lang: str = EN) -> go.Figure:
    """Every column's maps (channels first .. first + per_page - 1) as tiles left to right; dense layers as
    strips. scale: "unit" (each map its own colours), "layer" (one range per layer) or "global" (one range).
    selected: (column index, channel) outlined. Click targets report "column,channel" in customdata."""
    pages = [_shown(column, first, per_page) for column in columns]
    everything = np.concatenate([column.values.detach().float().cpu().numpy().ravel() for column in columns])
    global_range = _range(everything)
    traces, targets, spans = [], {"x": [], "y": [], "customdata": [], "text": []}, []
    for j, (column, shown) in enumerate(zip(columns, pages)):
        layer_range = _range(column.values.detach().float().cpu().numpy())
        ranges = []
        for k, (channel, values) in enumerate(shown):
            zrange = {"unit": _range(values), "layer": layer_range, "global": global_range}[scale]
            ranges.append(zrange)
            traces.append(_tile(column, j, k, channel, values, zrange, per_page, lang))
            row = k if channel >= 0 else (per_page - 1) / 2
            targets["x"].append(j * COLUMN_STEP + 0.5)
            targets["y"].append(row * ROW_STEP + 0.5)
            targets["customdata"].append(f"{j},{max(channel, 0)}")
            targets["text"].append(traces[-1].name)
        span = (min(r[0] for r in ranges), max(r[1] for r in ranges)) if ranges else layer_range  # none on this page
        spans.append((j * COLUMN_STEP, j * COLUMN_STEP + 1, span, column.gray))
    strips, numbers = inside_legend.legend(spans, scale, per_page * ROW_STEP - (ROW_STEP - 1), global_range)
    traces += strips
    traces.append(go.Scatter(**targets, mode="markers", showlegend=False,
                             hovertemplate=tr(lang, "{name}: click to explain", name="%{text}") + "<extra></extra>",
                             marker={"symbol": "square", "size": tile_px - 4, "opacity": 0.01, "color": "white"}))
    fig = go.Figure(traces, _overview_layout(columns, per_page, scale, global_range, tile_px, lang))
    fig.layout.annotations += tuple(go.layout.Annotation(note) for note in numbers)
    if selected is not None and selected[0] < len(columns):
        _outline_selected(fig, columns[selected[0]], selected, first, per_page)
    return fig


def _tile(column: Column, j: int, k: int, channel: int, values: np.ndarray, zrange, per_page: int, lang: str):
    """One map as a heatmap filling tile (j, k); a flat layer as a strip as tall as the page of maps."""
    if channel < 0:
        height = per_page * ROW_STEP - (ROW_STEP - 1)
        z, x0, dx = values[:, None], j * COLUMN_STEP + (1 - STRIP_WIDTH) / 2, STRIP_WIDTH
        y0, dy = 0.0, height / max(len(values), 1)
        name = column.name
        hover = tr(lang, "{layer}: {value}", layer=name, value="%{z:.4f}")
    else:
        h, w = values.shape
        z, x0, dx, y0, dy = values, j * COLUMN_STEP, 1 / w, k * ROW_STEP, 1 / h
        name = tr(lang, "{layer} · channel {channel}", layer=column.name, channel=channel)
        hover = tr(lang, "{layer} · channel {channel}: {value}", layer=column.name, channel=channel,
                   value="%{z:.4f}")
    colours = GRAY if column.gray else _scale_of(values, zrange)
    hover += "<br>" + tr(lang, "colours from {low} to {high}", low=inside_legend.short(zrange[0]),
                         high=inside_legend.short(zrange[1]))
    return go.Heatmap(z=z, x0=x0 + dx / 2, dx=dx, y0=y0 + dy / 2, dy=dy, zmin=zrange[0], zmax=zrange[1],
                      colorscale=colours, showscale=False, name=name,
                      hovertemplate=hover + "<extra></extra>")


def _overview_layout(columns, per_page: int, scale: str, global_range, tile_px: int, lang: str) -> dict:
    width = len(columns) * COLUMN_STEP - (COLUMN_STEP - 1)
    height = per_page * ROW_STEP - (ROW_STEP - 1)
    below = inside_legend.extra_units(tile_px)  # the colour legend under the tiles
    layout = {
        "xaxis": {"range": [-0.1, width + 0.1], "tickvals": [j * COLUMN_STEP + 0.5 for j in range(len(columns))],
                  "ticktext": [column.label for column in columns], "side": "top", "tickangle": 0,
                  "showgrid": False, "zeroline": False, "tickfont": {"size": FONT_SIZE - 5}, "fixedrange": True},
        "yaxis": {"range": [height + below + 0.05, -0.05], "visible": False, "fixedrange": True},
        "margin": {"l": 8, "r": 8, "t": 64, "b": 28},
        "height": int((per_page * ROW_STEP + below) * tile_px) + 92, "plot_bgcolor": "white",
        "font": {"size": FONT_SIZE}, "dragmode": False,
    }
    layout["annotations"] = [{"text": _legend_text(scale, global_range, lang), "xref": "paper", "yref": "paper",
                              "x": 0, "y": -0.01, "yanchor": "top", "showarrow": False, "xanchor": "left",
                              "font": {"size": FONT_SIZE - 4}}]
    return layout


def _legend_text(scale: str, global_range, lang: str) -> str:
    """The colour legend in words: which range each colour scale spans."""
    low, high = global_range
    texts = {"unit": tr(lang, "colours: each map from its own lowest to its highest value (hover a map for its "
                              "range); under each layer the lowest and highest of the maps shown"),
             "layer": tr(lang, "colours: one range per layer, under it from its lowest to its highest value"),
             "global": tr(lang, "colours: one range for every layer, {low} (blue) to {high} (red)",
                          low=f"{low:.3g}", high=f"{high:.3g}")}
    return texts[scale]


def _outline_selected(fig: go.Figure, column: Column, selected, first: int, per_page: int) -> None:
    j, channel = selected
    if column.values.dim() == 1:
        y0, y1 = 0, per_page * ROW_STEP - (ROW_STEP - 1)
    elif first <= channel < first + per_page:
        y0 = (channel - first) * ROW_STEP
        y1 = y0 + 1
    else:
        return
    x0 = j * COLUMN_STEP
    fig.add_shape(type="rect", x0=x0 - 0.06, x1=x0 + 1.06, y0=y0 - 0.06, y1=y1 + 0.06,
                  line={"color": HIGHLIGHT, "width": 3})


def probabilities(probs: torch.Tensor, logits: torch.Tensor, class_names: Sequence[str],
                  selected: int | None = None, lang: str = EN) -> go.Figure:
    """softmax(logits) as horizontal bars with the class names (translated by the caller), likeliest coloured;
    the hover gives each logit."""
    p = probs.detach().double().cpu().numpy()
    z = logits.detach().double().cpu().numpy()
    top = int(p.argmax())
    colours = [SERIES[0] if k == top else "#b0b0b0" for k in range(len(p))]
    bar = go.Bar(y=list(class_names), x=p, orientation="h", marker_color=colours, customdata=z,
                 text=[f"{v:.1%}" for v in p], textposition="outside", cliponaxis=False,
                 hovertemplate=tr(lang, "{name}: probability {p}, logit {z}", name="%{y}", p="%{x:.4f}",
                                  z="%{customdata:.4f}") + "<extra></extra>")
    layout = {"xaxis": {"range": [0, 1.5], "title": tr(lang, "probability"), "tickvals": [0, 1],
                        "tickformat": ".0%", "tickangle": 0},
              "yaxis": {"autorange": "reversed", "tickfont": {"size": FONT_SIZE - 2}}, "bargap": 0.25}
    fig = base_layout(go.Figure([bar], layout), None, height=30 * len(p) + 90)
    fig.layout.margin.r = 40  # room for the likeliest bar's "99.5%" written past its end
    if selected is not None and 0 <= selected < len(p):
        fig.add_shape(type="rect", xref="paper", x0=0, x1=1, yref="y", y0=selected - 0.5, y1=selected + 0.5,
                      line={"color": HIGHLIGHT, "width": 2})
    return fig


def window(values: torch.Tensor, padded: torch.Tensor | None = None, title: str | None = None,
           picked: tuple[int, int] | None = None, diverging: bool = False, px: int = 34,
           lang: str = EN) -> go.Figure:
    """A window or kernel (kh, kw) with its values printed (up to 11x11); padding cells grey and marked
    "pad"; `picked` (the max of a max pool) outlined."""
    z = values.detach().double().cpu().numpy().copy()
    pad = np.zeros_like(z, dtype=bool) if padded is None else padded.cpu().numpy()
    z[~np.isfinite(z)] = np.nan
    shown = np.where(pad, np.nan, z)
    finite = shown[np.isfinite(shown)]
    top = float(np.abs(finite).max()) if finite.size else 1.0
    zrange = (-top, top) if diverging or (finite.size and finite.min() < 0) else (0.0, top or 1.0)
    text = np.where(pad, tr(lang, "pad"), np.vectorize(lambda v: f"{v:.2f}")(np.nan_to_num(z)))
    printed = z.size <= MAX_PRINTED
    traces = [go.Heatmap(z=shown, zmin=zrange[0], zmax=zrange[1], showscale=False,
                         colorscale=DIVERGING if zrange[0] < 0 else SEQUENTIAL, text=text,
                         texttemplate="%{text}" if printed else None,
                         textfont={"size": CELL_FONT_SIZE - (4 if z.shape[1] > 5 else 2)},
                         hovertemplate=tr(lang, "row {row}, column {column}: {value}", row="%{y}", column="%{x}",
                                          value="%{text}") + "<extra></extra>")]
    if pad.any():  # the padding cells in grey, under the printed "pad"
        traces.insert(0, go.Heatmap(z=np.where(pad, 1.0, np.nan), showscale=False, hoverinfo="skip",
                                    colorscale=[[0, PADDING_COLOUR], [1, PADDING_COLOUR]]))
    layout = {"xaxis": {"visible": False, "range": [-0.5, z.shape[1] - 0.5]},
              "yaxis": {"visible": False, "range": [z.shape[0] - 0.5, -0.5], "scaleanchor": "x"}}
    fig = base_layout(go.Figure(traces, layout), title, height=min(px * z.shape[0], 360) + (44 if title else 8))
    if title:
        fig.update_layout(title_font_size=FONT_SIZE - 2, margin_t=36)
    if picked is not None:
        i, j = picked
        fig.add_shape(type="rect", x0=j - 0.5, x1=j + 0.5, y0=i - 0.5, y1=i + 0.5,
                      line={"color": HIGHLIGHT, "width": 4})
    return fig


def unit_map(values: torch.Tensor, unit: tuple[int, int] | None, title: str, height: int = 300,
             lang: str = EN) -> go.Figure:
    """One channel (h, w) enlarged, the explained unit outlined, an invisible click target on each unit (every
    k-th one on maps over 64 per side) whose click reports (row, column) as (y, x)."""
    from cnnviz.figures.activations import enlarged_map  # the Activations page's enlarged map

    h, w = values.shape
    fig = enlarged_map(values, title, height=height, lang=lang)
    step = -(-max(h, w) // 64)
    y, x = np.meshgrid(np.arange(0, h, step), np.arange(0, w, step), indexing="ij")
    size = max(4, int(0.8 * (height - 60) / max(h, w)) * step)
    fig.add_trace(go.Scatter(x=x.ravel(), y=y.ravel(), mode="markers", showlegend=False,
                             marker={"symbol": "square", "size": size, "opacity": 0.01, "color": "white"},
                             hovertemplate=tr(lang, "row {row}, column {column}: click to explain", row="%{y}",
                                              column="%{x}") + "<extra></extra>"))
    fig.update_traces(showscale=False, selector={"type": "heatmap"})
    fig.update_layout(title_font_size=FONT_SIZE - 2, margin_t=36)
    if unit is not None and 0 <= unit[0] < h and 0 <= unit[1] < w:
        fig.add_shape(type="rect", x0=unit[1] - 0.5, x1=unit[1] + 0.5, y0=unit[0] - 0.5, y1=unit[0] + 0.5,
                      line={"color": HIGHLIGHT, "width": 3})
    return fig


def top_images(images: torch.Tensor, fields: Sequence[object | None], labels: Sequence[str],
               values: Sequence[float], lang: str = EN) -> go.Figure:
    """Images (K, 28, 28) uint8 in a row, each titled with its class and value; `fields` (UnitFields or None)
    outlined: the receptive field of the unit that fired, in the network's input coordinates."""
    from cnnviz.figures.activations import GAP, image_grid
    from cnnviz.inspection.receptive_view import tile_rectangle

    k, h, w = images.shape
    fig = image_grid(images, [""], per_row=k, lang=lang)
    fig.update_xaxes(ticktext=[f"{label}<br>{value:.3g}" for label, value in zip(labels, values)],
                     tickfont={"size": FONT_SIZE - 4})
    for j, field in enumerate(fields):
        if field is not None:
            x0, y0, x1, y1 = tile_rectangle(field, (j * (w + GAP) - 0.5, -0.5, w, h))
            fig.add_shape(type="rect", x0=x0, x1=x1, y0=y0, y1=y1, line={"color": "#00e5ff", "width": 2})
    fig.update_layout(height=200, margin_l=10, margin_t=60)
    return fig
