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
MAPS_SHOWN = 6  # channels of each stage beside the input: 7 tiles a row fit the Train page's live column
COLUMN_PX = 440  # the live column's width at 1280x720, sidebar open: tiles are sized to fill it
MAX_KERNEL_PX = 64  # a kernel's side on the screen at most (LeNet's six 5x5 would otherwise be huge)
ENLARGED_COLUMNS, ENLARGED_KERNEL_PX = 4, 160  # "enlarge": four kernels a row, each up to 160 px (16 in 4 rows)
MAP_PX = 56  # a feature map's side on the screen
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


def kernels_figure(kernels: torch.Tensor, layer: str, lang: str = EN, font_size: int = FONT_SIZE,
                   enlarged: bool = False) -> go.Figure:
    """The first convolution's kernels (C_out, C_in, k, k): input channel 0 of each (the image's only one),
    on one symmetric blue-red scale so their growth shows as well as their shape. `enlarged`: four a row, large
    enough to read from the back of a room."""
    weights = kernels[:, 0]  # (C_out, k, k)
    most, side = (ENLARGED_COLUMNS, ENLARGED_KERNEL_PX) if enlarged else (KERNEL_COLUMNS, MAX_KERNEL_PX)
    columns = min(len(weights), most)
    rows = math.ceil(len(weights) / columns)
    limit = float(torch.nan_to_num(weights).abs().max()) or 1.0  # a diverged run's NaN must not blank it
    fig = go.Figure(_grid(tile(weights, columns), DIVERGING, -limit, limit))
    title = tr(lang, "{layer}: {count} kernels {k}×{k}, |w| ≤ {limit}", layer=layer, count=len(weights),
               k=weights.shape[-1], limit=f"{limit:.2f}")
    base_layout(fig, title=title, height=55 + rows * min(side, COLUMN_PX // columns))
    fig.update_layout(font_size=font_size, title_font_size=font_size)
    _square(fig)
    return fig


def maps_figure(images: torch.Tensor, maps: dict[str, torch.Tensor], class_names: tuple[str, str],
                lang: str = EN, font_size: int = FONT_SIZE) -> go.Figure:
    """Two images (2, S, S) in [0, 1] and their maps {stage layer: (2, C, H, W)}: a row of subplots per stage,
    the input then the stage's first MAPS_SHOWN channels, one tile row per image; each stage on one scale
    shared by both images, so what differs between them is the network's, not the colour scale's."""
    shown = {layer: m[:, :MAPS_SHOWN].float() for layer, m in maps.items()}  # (2, c, H, W) each
    columns = max(m.shape[1] for m in shown.values())
    titles = []
    for layer, m in maps.items():
        titles += [tr(lang, "input"), tr(lang, "{layer}: {shown} of {count} maps", layer=layer,
                                          shown=shown[layer].shape[1], count=m.shape[1])]
    fig = make_subplots(rows=len(shown), cols=2, column_widths=[1, columns], subplot_titles=titles,
                        horizontal_spacing=0.03, vertical_spacing=0.12)
    for row, m in enumerate(shown.values(), start=1):
        fig.add_trace(_grid(tile(images, 1), GRAY, 0.0, 1.0), row=row, col=1)
        z = tile(m.reshape(-1, *m.shape[2:]), m.shape[1])  # tile row 0: the first image's maps, row 1: the second's
        fig.add_trace(_grid(z, SEQUENTIAL, float(m.min()), float(m.max())), row=row, col=2)
    base_layout(fig, height=len(shown) * (2 * MAP_PX + 45) + 55)
    fig.update_layout(font_size=font_size, margin={"l": 10, "r": 10, "t": 30, "b": 35})
    fig.update_annotations(font_size=font_size)
    for axis in range(1, 2 * len(shown) + 1):
        _square(fig, "" if axis == 1 else str(axis))
    legend = tr(lang, "top: {first} · bottom: {second}", first=class_names[0], second=class_names[1])
    fig.add_annotation(text=legend, xref="paper", yref="paper", x=0, y=0, yanchor="top", yshift=-8,
                       xanchor="left", showarrow=False)
    return fig


NO_CONVOLUTION = N_("This network has no convolution before its fully connected layers, so there are no "
                    "kernels or feature maps to watch. Choose a convolutional network, or start yours with a "
                    "Conv layer on the Architecture builder.")
