"""Figures for the Activations page: grids of maps, class comparisons, kernels, probabilities, saliency.

Many small maps are drawn as one mosaic heatmap (maps tiled with blank gaps), which keeps one colour
scale across every map in it and keeps figures light enough for a fast page.
"""

from __future__ import annotations

import unicodedata
from typing import Sequence

import numpy as np
import plotly.graph_objects as go
import torch

from cnnviz.figures.style import CELL_FONT_SIZE, DIVERGING, FONT_SIZE, GRAY, SEQUENTIAL, SERIES, base_layout
from cnnviz.i18n import DEFAULT_LANGUAGE as EN
from cnnviz.i18n import N_, tr

GAP = 1  # blank pixels between tiles
ROW_LABEL_PX = 150  # room for row labels such as "Pullover − Coat"
LABEL_CHAR_PX = 9  # width of one character of a row label at the figures' font size
MIN_HEIGHT = 210  # a one-row grid still needs room for a readable colour bar
GRID_WIDTH_PX = 560  # the width a grid's maps get on the page, without labels and colour bar
SATURATED = 0.005  # share of cells allowed above the top of a shared colour scale (hover shows true values)
OTHER_CLASSES = "#c7c7c7"  # the summed probability of the classes not being compared
PREDICTED_OTHER = "#6b6b6b"  # the likeliest class outside the compared ones, named on its bar
MAX_PRINTED_SIDE = 12  # an enlarged map up to 12x12 prints its values in the cells
OVERLAY = [[0.0, "rgba(255, 40, 0, 0)"], [1.0, "rgba(255, 40, 0, 0.85)"]]  # transparent -> red


def mosaic(maps: torch.Tensor | np.ndarray, gap: int = GAP) -> np.ndarray:
    """Tiles maps (R, C, h, w) into one (R*(h+gap)-gap, C*(w+gap)-gap) array with NaN gaps."""
    maps = np.asarray(maps, dtype=np.float32)
    rows, cols, h, w = maps.shape
    padded = np.full((rows, cols, h + gap, w + gap), np.nan, dtype=np.float32)
    padded[:, :, :h, :w] = maps
    tiled = padded.transpose(0, 2, 1, 3).reshape(rows * (h + gap), cols * (w + gap))  # (R*(h+g), C*(w+g))
    return tiled[: rows * (h + gap) - gap, : cols * (w + gap) - gap]


def _per_map_scaled(maps: np.ndarray, signed: bool) -> np.ndarray:
    """Each map divided by its own largest |value| (signed) or stretched to [0, 1] (non-negative)."""
    flat = maps.reshape(*maps.shape[:2], -1)
    if signed:
        top = np.abs(flat).max(axis=2)[..., None, None]
        return maps / np.where(top > 0, top, 1)
    low, high = flat.min(axis=2)[..., None, None], flat.max(axis=2)[..., None, None]
    return (maps - low) / np.where(high > low, high - low, 1)


def robust_range(values: np.ndarray, signed: bool) -> tuple[float, float]:
    """The colour range: a few extreme cells (the top 0.5%) saturate instead of darkening every other map."""
    if signed:
        top = float(np.quantile(np.abs(values), 1 - SATURATED))
        return -top, top
    return float(values.min()), float(np.quantile(values, 1 - SATURATED))


def _tick_centres(count: int, size: int) -> list[float]:
    return [i * (size + GAP) + (size - 1) / 2 for i in range(count)]


def map_grid(
    maps: torch.Tensor,
    row_labels: Sequence[str],
    column_labels: Sequence[str] | None = None,
    title: str | None = None,
    shared: bool = True,
    zrange: tuple[float, float] | None = None,
    diverging: bool | None = None,
    cell_px: int = 64,
    column_title: str = N_("channel"),
    width_px: int = GRID_WIDTH_PX,
    label_px: int | None = ROW_LABEL_PX,
    clickable: bool = False,
    lang: str = EN,
) -> go.Figure:
    """Maps (R, C, h, w) as a grid: one row per image/class, one column per channel.

    shared: one colour scale for all maps (zrange, or their range with the top 0.5% saturated);
    otherwise each map uses its full colour range and the hover shows the true value.
    diverging: a blue-white-red scale centred on 0 (default: when any value is negative).
    cell_px, width_px: a map's largest side on screen, and the width all maps share.
    label_px: the left margin for row labels (None: as wide as the longest label).
    clickable: an invisible marker over each map, so a click selects (row, column) (see `clicked_tile`).
    column_title: an English template (marked with N_), shown in `lang`.
    """
    values = maps.detach().float().cpu().numpy()
    rows, cols, h, w = values.shape
    signed = bool(values.min() < 0) if diverging is None else diverging
    if shared:
        low, high = zrange if zrange else robust_range(values, signed)
        shown, colorbar = values, {"title": {"text": tr(lang, "value")}, "nticks": 5}
    else:
        shown = _per_map_scaled(values, signed)
        low, high = (-1.0, 1.0) if signed else (0.0, 1.0)
        colorbar = {"title": {"text": tr(lang, "per map")}, "tickvals": [low, high],
                    "ticktext": [tr(lang, "min"), tr(lang, "max")]}
    if high <= low:
        high = low + 1e-6
    column_labels = column_labels or [str(c) for c in range(cols)]
    # Per-map scaling colours by the scaled value; the hover still reports the true one.
    true_values = {} if shared else {"customdata": mosaic(values)}
    heatmap = go.Heatmap(
        z=mosaic(shown), zmin=low, zmax=high, **true_values,
        colorscale=DIVERGING if signed else SEQUENTIAL, colorbar={**colorbar, "thickness": 14}, hoverongaps=False,
        hovertemplate=tr(lang, "value {value}", value=f"%{{{'z' if shared else 'customdata'}:.3f}}")
        + "<extra></extra>",
    )
    # Rows get the same cell size as columns, so no space is left blank.
    cell = max(12, min(cell_px, width_px // max(cols, 1)))
    height = max(MIN_HEIGHT, rows * cell + (110 if title else 80))
    axes = _tiled_axes(rows, cols, h, w, row_labels, column_labels)
    column_word = tr(lang, column_title)
    axes["xaxis"]["title"] = {"text": column_word, "standoff": 4}
    names = [f"{r} · {column_word} {c}" for r in row_labels for c in column_labels]
    targets = [_click_targets(rows, cols, (h, w), cell, names, lang)] if clickable else []
    return _figure([heatmap, *targets], axes, title, height, label_px or label_width(row_labels))


def label_width(labels: Sequence[str]) -> int:
    """The left margin that row labels such as "Pullover 1" need at the figures' font size. A Chinese
    character ("套衫 1") is about a full em wide: two Latin letters' room."""
    def units(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return 16 + LABEL_CHAR_PX * max(units(str(label)) for label in labels)


def add_input_column(fig: go.Figure, images: torch.Tensor, h: int, w: int, lang: str = EN) -> go.Figure:
    """Each row's input image (R, H, W), uint8 or [0, 1], in grey one tile left of a `map_grid` of h x w maps,
    scaled to the tile: the class sees which garment each row of maps comes from."""
    pixels = images.detach().float().cpu().reshape(len(images), *images.shape[-2:]).numpy()  # (R, H, W)
    pixels = pixels * 255 if pixels.max() <= 1 else pixels
    # Whole grey levels, sent as bytes: eight 224x224 inputs are 0.5 MB of JSON instead of 2 MB per rerun.
    pixels = np.clip(np.round(pixels), 0, 255).astype(np.uint8)
    dy, dx = h / pixels.shape[1], w / pixels.shape[2]  # one image pixel in map pixels
    left = -(w + 2 * GAP)  # a double gap keeps the input apart from channel 1
    hover = tr(lang, "input pixel {value}", value="%{z:.0f}") + "<extra></extra>"
    fig.add_traces([go.Heatmap(z=image, x0=left - 0.5 + dx / 2, dx=dx, y0=r * (h + GAP) - 0.5 + dy / 2, dy=dy,
                               zmin=0, zmax=255, colorscale=GRAY, showscale=False,
                               hovertemplate=hover) for r, image in enumerate(pixels)])
    x = fig.layout.xaxis
    fig.update_xaxes(range=[left - 0.5, x.range[1]], tickvals=[left + (w - 1) / 2, *x.tickvals],
                     ticktext=[tr(lang, "input"), *x.ticktext])
    return fig


def _click_targets(rows: int, cols: int, size: tuple[int, int], cell: int, names: list[str],
                   lang: str = EN) -> go.Scatter:
    """One invisible square marker per map, in reading order: Plotly reports clicks on markers, not on
    heatmap cells (Streamlit 1.67)."""
    x, y = np.meshgrid(_tick_centres(cols, size[1]), _tick_centres(rows, size[0]))
    return go.Scatter(x=x.ravel(), y=y.ravel(), mode="markers", showlegend=False, customdata=names,
                      marker={"symbol": "square", "size": max(cell - 2, 6), "opacity": 0.01, "color": "white"},
                      hovertemplate=tr(lang, "{name}: click to enlarge", name="%{customdata}") + "<extra></extra>")


def clicked_tile(point: dict, h: int, w: int) -> tuple[int, int]:
    """(row, column) of the map under a clicked point of a `map_grid` with maps of h x w."""
    return int(point["y"] // (h + GAP)), int(point["x"] // (w + GAP))


def _tiled_axes(rows: int, cols: int, h: int, w: int, row_labels, column_labels) -> dict:
    """Axes for a mosaic: labels at the tile centres, image orientation (row 0 on top), square pixels.
    Fixed ranges: click markers would otherwise pad the autorange and shrink the maps."""
    common = {"showgrid": False, "zeroline": False, "constrain": "domain", "tickfont": {"size": FONT_SIZE}}
    return {
        "xaxis": {"tickvals": _tick_centres(cols, w), "ticktext": list(column_labels), "side": "top",
                  "tickangle": 0, "range": [-0.5, cols * (w + GAP) - GAP - 0.5], "constraintoward": "left", **common},
        # Pinned to the top left: spare height (room for a colour bar) stays below the maps, not above.
        "yaxis": {"tickvals": _tick_centres(rows, h), "ticktext": list(row_labels), "constraintoward": "top",
                  "range": [rows * (h + GAP) - GAP - 0.5, -0.5], "scaleanchor": "x", **common},
    }


def _figure(traces: list, layout: dict, title: str | None, height: int, label_px: int = ROW_LABEL_PX) -> go.Figure:
    """One Figure built in one pass (plotly's update_* calls cost more than the data here)."""
    fig = base_layout(go.Figure(traces, layout), title, height=height)
    # The same left margin on every grid, so stacked grids (class means, difference) line up by channel.
    fig.layout.margin.l = label_px
    return fig


def image_grid(images: torch.Tensor, row_labels: Sequence[str], per_row: int, title: str | None = None,
               lang: str = EN) -> go.Figure:
    """Input images (N, H, W) or (N, 1, H, W), uint8 or [0, 1], laid out `per_row` to a row."""
    pixels = images.detach().float().cpu()
    if pixels.max() <= 1:
        pixels = pixels * 255
    n = pixels.shape[0]
    rows = -(-n // per_row)
    tiles = torch.full((rows * per_row, *pixels.shape[-2:]), float("nan"))
    tiles[:n] = pixels.reshape(n, *pixels.shape[-2:])
    grid = tiles.reshape(rows, per_row, *pixels.shape[-2:])  # (R, C, H, W)
    heatmap = go.Heatmap(
        z=mosaic(grid), zmin=0, zmax=255, colorscale=GRAY, showscale=False, hoverongaps=False,
        hovertemplate=tr(lang, "row {row}, column {column}: pixel {value}", row="%{y}", column="%{x}",
                         value="%{z:.0f}") + "<extra></extra>",
    )
    axes = _tiled_axes(rows, per_row, *pixels.shape[-2:], row_labels, [str(i + 1) for i in range(per_row)])
    return _figure([heatmap], axes, title, rows * 90 + (80 if title else 50))


def channel_bars(
    class_means: torch.Tensor,
    class_names: Sequence[str],
    errors: torch.Tensor | None = None,
    highlight: Sequence[int] = (),
    title: str | None = None,
    lang: str = EN,
) -> go.Figure:
    """Per-channel mean activation (K, C), one bar series per class; `highlight` channels get a star."""
    means = class_means.detach().float().cpu().numpy()
    labels = [f"{c}{'★' if c in highlight else ''}" for c in range(means.shape[1])]
    bars = []
    for k, name in enumerate(class_names):
        error = None if errors is None else {"type": "data", "array": errors[k].cpu().numpy(), "visible": True}
        bars.append(go.Bar(x=labels, y=means[k], name=name, marker_color=SERIES[k % len(SERIES)],
                           error_y=error, hovertemplate=f"{name}<br>%{{x}}: %{{y:.3f}}<extra></extra>"))
    channel_title = tr(lang, "channel (★: separates the classes most)")
    layout = {
        "barmode": "group", "legend": {"orientation": "h", "y": -0.2},
        "xaxis": {"title": channel_title, "tickangle": 0, "type": "category"},
        "yaxis": {"title": tr(lang, "mean activation"), "showgrid": True, "gridcolor": "#e5e5e5", "zeroline": True,
                  "zerolinecolor": "#888"},
    }
    return base_layout(go.Figure(bars, layout), title, height=380)


def kernel_grid(weight: torch.Tensor, title: str | None = None, shared: bool = True,
                channels: Sequence[int] | None = None, cell_px: int = 56, lang: str = EN) -> go.Figure:
    """A convolution's kernels (out, in, k, k): one row per input channel, one column per output channel
    (only `channels` when given); rows and columns are labelled with PyTorch's indices, from 0."""
    channels = list(range(weight.shape[0])) if channels is None else list(channels)
    kernels = weight.detach().float().cpu()[channels].transpose(0, 1)  # (in, shown out, k, k)
    rows = [tr(lang, "in {number}", number=i) for i in range(kernels.shape[0])]
    return map_grid(kernels, rows, [str(c) for c in channels], title, shared=shared, diverging=True,
                    cell_px=cell_px, column_title=N_("output channel"), label_px=None, lang=lang)


def probability_bars(
    probs: torch.Tensor, row_labels: Sequence[str], class_names: Sequence[str], compared: Sequence[int],
    title: str | None = None, lang: str = EN,
) -> go.Figure:
    """Each image's predicted probabilities (N, 10) as one stacked bar: the compared classes in colour, then
    the likeliest other class in dark grey with its name written on it (a drawing of a bag is predicted
    "Bag", not "other"), then the remaining classes together in light grey. class_names: as shown (translated)."""
    values = probs.detach().float().cpu().numpy()
    bars = [go.Bar(y=list(row_labels), x=values[:, c], name=class_names[c], orientation="h",
                   marker_color=SERIES[i % len(SERIES)],
                   hovertemplate=f"%{{y}}: P({class_names[c]}) = %{{x:.2f}}<extra></extra>")
            for i, c in enumerate(compared)]
    others = [c for c in range(values.shape[1]) if c not in compared]
    if others:
        likeliest = np.asarray(others)[values[:, others].argmax(axis=1)]  # (N,) class indices
        top = values[np.arange(len(values)), likeliest]
        names = [class_names[c] for c in likeliest]
        bars.append(go.Bar(y=list(row_labels), x=top, name=tr(lang, "likeliest other class"), orientation="h",
                           marker_color=PREDICTED_OTHER, customdata=names, text=names, textposition="inside",
                           insidetextanchor="middle", textfont={"color": "white"},
                           hovertemplate="%{y}: P(%{customdata}) = %{x:.2f}<extra></extra>"))
        rest = tr(lang, "all the rest")
        bars.append(go.Bar(y=list(row_labels), x=values[:, others].sum(axis=1) - top, name=rest,
                           orientation="h", marker_color=OTHER_CLASSES,
                           hovertemplate=f"%{{y}}: {rest} %{{x:.2f}}<extra></extra>"))
    layout = {
        "barmode": "stack", "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "traceorder": "normal"},
        "xaxis": {"range": [0, 1], "title": tr(lang, "predicted probability")},
        "yaxis": {"autorange": "reversed", "tickfont": {"size": FONT_SIZE}},
        "uniformtext": {"minsize": 11, "mode": "hide"},  # a name too long for its bar is left to the hover
    }
    return base_layout(go.Figure(bars, layout), title, height=max(220, 26 * len(row_labels) + 120))


def enlarged_map(values: torch.Tensor, title: str | None = None, zrange: tuple[float, float] | None = None,
                 diverging: bool | None = None, height: int = 460, lang: str = EN) -> go.Figure:
    """One map (h, w) large enough to read from the back of a room; maps up to 12x12 print their values.
    zrange: the colour range (e.g. the grid's shared one), else the map's own. Fixed axis ranges: click
    targets added on top (`activation_outline.add_unit_targets`) must not pad them."""
    z = values.detach().float().cpu().numpy()
    signed = bool(z.min() < 0) if diverging is None else diverging
    if zrange is None:
        top = float(np.abs(z).max()) or 1.0
        zrange = (-top, top) if signed else (float(z.min()), max(float(z.max()), float(z.min()) + 1e-6))
    printed = max(z.shape) <= MAX_PRINTED_SIDE
    heatmap = go.Heatmap(z=z, zmin=zrange[0], zmax=zrange[1], colorscale=DIVERGING if signed else SEQUENTIAL,
                         colorbar={"thickness": 14}, hovertemplate=tr(
                             lang, "row {row}, column {column}: {value}", row="%{y}", column="%{x}", value="%{z:.3f}")
                         + "<extra></extra>",
                         texttemplate="%{z:.2f}" if printed else None, textfont={"size": CELL_FONT_SIZE})
    layout = {"xaxis": {"visible": False, "constrain": "domain", "range": [-0.5, z.shape[1] - 0.5]},
              "yaxis": {"visible": False, "range": [z.shape[0] - 0.5, -0.5], "scaleanchor": "x",
                        "constrain": "domain"}}
    return base_layout(go.Figure([heatmap], layout), title, height=height)
