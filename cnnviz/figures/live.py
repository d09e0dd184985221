"""Figures of live learning: the first layer's kernels and two images' feature maps at one snapshot."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from cnnviz.figures.style import DIVERGING, FONT_SIZE, GRAY, SEQUENTIAL, base_layout
from cnnviz.i18n import DEFAULT_LANGUAGE as EN, N_, tr

KERNEL_COLUMNS = 16  # kernels a row: LeNet's 6 in one row, AlexNet's 96 in six
MAPS_SHOWN = 6  # channels of each stage beside the input: 13 tiles fit a 700-pixel column on a projector
TILE_PX = 48  # a kernel's or map's side on the screen
HOVER = "%{z:.3f}<extra></extra>"


def tile(images: torch.Tensor, columns: int) -> np.ndarray:
    """(N, H, W) -> one 2-D array, `columns` images a row, a NaN line between them (drawn as a gap)."""
    n, h, w = images.shape
    rows = math.ceil(n / columns)
    out = np.full((rows * (h + 1) - 1, columns * (w + 1) - 1), np.nan)
    for i, image in enumerate(images.float().numpy()):
        r, c = divmod(i, columns)
        out[r * (h + 1):r * (h + 1) + h, c * (w + 1):c * (w + 1) + w] = image
    return out


def _grid(z: np.ndarray, colorscale: str, zmin: float, zmax: float) -> go.Heatmap:
    return go.Heatmap(z=z, colorscale=colorscale, zmin=zmin, zmax=zmax, showscale=False, hovertemplate=HOVER,
                      hoverongaps=False)


def _square(fig: go.Figure, axis: str = "") -> None:
    """Square pixels, top row first, no ticks."""
    fig.update_layout({f"xaxis{axis}": {"visible": False, "constrain": "domain"},
                       f"yaxis{axis}": {"visible": False, "autorange": "reversed", "scaleanchor": f"x{axis}",
                                        "constrain": "domain"}})


def kernels_figure(kernels: torch.Tensor, layer: str, lang: str = EN, font_size: int = FONT_SIZE) -> go.Figure:
    """The first convolution's kernels (C_out, C_in, k, k): input channel 0 of each (the image's only one),
    on one symmetric blue-red scale so their growth shows as well as their shape."""
    weights = kernels[:, 0]  # (C_out, k, k)
    columns = min(len(weights), KERNEL_COLUMNS)
    rows = math.ceil(len(weights) / columns)
    limit = float(weights.abs().max()) or 1.0
    fig = go.Figure(_grid(tile(weights, columns), DIVERGING, -limit, limit))
    title = tr(lang, "First-layer kernels ({layer}): {count} of {k}x{k}, blue < 0 < red, largest |w| {limit}",
               layer=layer, count=len(weights), k=weights.shape[-1], limit=f"{limit:.2f}")
    base_layout(fig, title=title, height=60 + rows * TILE_PX)
    fig.update_layout(font_size=font_size, title_font_size=font_size)
    _square(fig)
    return fig


def maps_figure(images: torch.Tensor, maps: dict[str, torch.Tensor], class_names: tuple[str, str],
                lang: str = EN, font_size: int = FONT_SIZE) -> go.Figure:
    """Two images (2, S, S) in [0, 1] and their maps {stage layer: (2, C, H, W)}: one row per image, the input
    then the first MAPS_SHOWN channels of each stage, each stage on one scale shared by both images."""
    widths = [1] + [min(m.shape[1], MAPS_SHOWN) for m in maps.values()]
    titles = [tr(lang, "input")] + [tr(lang, "{layer}: {shown} of {count} maps", layer=layer,
                                       shown=min(m.shape[1], MAPS_SHOWN), count=m.shape[1])
                                    for layer, m in maps.items()]
    fig = make_subplots(rows=1, cols=len(widths), column_widths=widths, subplot_titles=titles,
                        horizontal_spacing=0.03)
    fig.add_trace(_grid(tile(images, 1), GRAY, 0.0, 1.0), row=1, col=1)
    for col, m in enumerate(maps.values(), start=2):
        shown = m[:, :MAPS_SHOWN].float()  # (2, c, H, W)
        c = shown.shape[1]
        z = tile(shown.reshape(-1, *shown.shape[2:]), c)  # row 0: the first image's maps, row 1: the second's
        fig.add_trace(_grid(z, SEQUENTIAL, float(shown.min()), float(shown.max())), row=1, col=col)
    base_layout(fig, height=2 * 1.6 * TILE_PX + 110)
    fig.update_layout(font_size=font_size, margin={"l": 10, "r": 10, "t": 40, "b": 40})
    fig.update_annotations(font_size=font_size)
    for col in range(1, len(widths) + 1):
        _square(fig, "" if col == 1 else str(col))
    legend = tr(lang, "top: {first} · bottom: {second}", first=class_names[0], second=class_names[1])
    fig.add_annotation(text=legend, xref="paper", yref="paper", x=0, y=-0.02, yanchor="top", xanchor="left",
                       showarrow=False)
    return fig


NO_CONVOLUTION = N_("This network has no convolution before its fully connected layers, so there are no "
                    "kernels or feature maps to watch. Choose a convolutional network, or start yours with a "
                    "Conv layer on the Architecture builder.")
