"""Page 1's pooling view: max/avg pooling of the input or the convolution output, and the shift demo."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
import torch

from cnnviz import conv_presets as presets
from cnnviz import explain, ops, oracle
from cnnviz.figures import style
from cnnviz.figures.conv import MAX_PAD, figure_width, grid_figure
from cnnviz.ui.conv_state import PREFIX
from cnnviz.ui.conv_views import (ROW_HEIGHT, Geometry, cached_check, chart, input_colours, same_as_pytorch,
                                  shape_formula)
from cnnviz.ui.conv_widgets import run_stage

EDGE_KERNEL = torch.tensor([[1.0, -1.0]], dtype=torch.float64)


@dataclass(frozen=True)
class Pooling:
    mode: str  # "max" or "avg"
    window: tuple[int, int]
    padding: tuple[int, int]
    stride: tuple[int, int]

    def apply(self, X: torch.Tensor) -> torch.Tensor:
        return ops.pool2d(X, self.window, self.mode, self.padding, self.stride)


def stride_lesson(pool: Pooling) -> None:
    kh, kw = pool.window
    st.info(f"The book's `pool2d` slides the window by 1. PyTorch's `nn.MaxPool2d({kh if kh == kw else (kh, kw)})` "
            f"defaults its stride to the window size, {(kh, kw)}: windows no longer overlap and the output "
            "shrinks. Use the buttons to switch between them.", icon=":material/school:")


def pooling(X: torch.Tensor, pool: Pooling, source_name: str) -> None:
    """X (c, h, w) pooled channel by channel; the chosen cell's window outlined and its value written out."""
    Y = pool.apply(X)  # (c, oh, ow)
    fill = float("-inf") if pool.mode == "max" else 0.0
    win = ops.windows(X, pool.window, pool.padding, pool.stride, fill=fill)  # (c, oh, ow, kh, kw)
    Xp = ops.padded(X, pool.padding)
    geo = Geometry(pool.padding, pool.stride, (1, 1), False)
    colours, zrange = input_colours(X), (float(X.min()), float(X.max()))
    if zrange[0] < 0:  # a convolution's output: signed, so a diverging scale centred on 0
        top = max(abs(zrange[0]), abs(zrange[1]))
        colours, zrange = style.DIVERGING, (-top, top)
    pad_label = MAX_PAD if pool.mode == "max" else "0"
    titles = [(f"{source_name}, channel {c}", f"{pool.mode}-pooled, channel {c}") for c in range(X.shape[0])]
    widths = [figure_width(*Xp.shape[1:], ROW_HEIGHT, titles[0][0]),
              figure_width(*Y.shape[1:], ROW_HEIGHT, titles[0][1])]

    def draw(i: int, j: int) -> None:
        cells = ops.receptive_window(i, j, pool.window, pool.stride)
        for c in range(X.shape[0]):
            left, right = st.columns(widths)
            with left:
                chart(grid_figure(Xp[c], titles[c][0], padding=pool.padding, window=cells, colorscale=colours,
                                  zrange=zrange, max_height=ROW_HEIGHT, pad_label=pad_label), f"{PREFIX}fig_pin{c}")
            with right:
                chart(grid_figure(Y[c], titles[c][1], window=[(i, j)], colorscale=colours, zrange=zrange,
                                  clickable=c == 0, max_height=ROW_HEIGHT),
                      PREFIX + ("out_chart" if c == 0 else f"fig_pout{c}"), c == 0)
            text = explain.pooled_value(win[c, i, j].flatten().tolist(), pool.mode, pool.window[0] * pool.window[1])
            st.markdown(f"#### channel {c}, Y[{i}, {j}] = {text}")

    run_stage(Y.shape[1], Y.shape[2], draw)
    shape_formula(tuple(X.shape[1:]), pool.window, geo, tuple(Y.shape[1:]))
    same_as_pytorch(cached_check(oracle.pool_check, X, Y, pool.mode, pool.window, pool.padding, pool.stride))
    st.caption(f"Pooling keeps the channel count: {X.shape[0]} in, {Y.shape[0]} out. Padded cells never win "
               "a max (PyTorch pads max pooling with −∞); in avg they count as zeros (count_include_pad=True), "
               "as in PyTorch.")


def shift_demo(shift: int, pool: Pooling) -> None:
    """d2l 7.5: the edge image shifted by `shift` pixels; the edge map moves, the pooled map barely does."""
    rows = []
    for s in (0, shift):
        X = presets.edge_image(s)
        E = ops.corr2d(X, EDGE_KERNEL)  # (6, 7)
        rows.append((s, X, E, pool.apply(E)))
    (_, _, E0, P0), (_, _, E1, P1) = rows
    for r, (s, X, E, P) in enumerate(rows):
        panels = ((X, f"image, shift {s}", style.SEQUENTIAL, None),
                  (E, "edges: corr2d with [1, -1]", style.DIVERGING, 0),
                  (P, f"{pool.mode}-pooled edges", style.DIVERGING, 0))
        for c, (col, (grid, title, colours, zmid)) in enumerate(zip(st.columns([9, 8, 8]), panels)):
            with col:
                chart(grid_figure(grid, title, colorscale=colours, zmid=zmid, max_height=280),
                      f"{PREFIX}fig_shift{r}{c}")
    conv_same, pool_same = _same_share(E0, E1), _same_share(P0, P1)
    st.markdown(f"#### Shift by {shift}: the edge map keeps **{conv_same:.0%}** of its cells, the pooled map "
                f"keeps **{pool_same:.0%}**")
    st.caption("Pooling makes the layer less sensitive to exactly where an edge sits (d2l 7.5): a one-pixel "
               "shift still lands inside the same window.")


def _same_share(A: torch.Tensor, B: torch.Tensor) -> float:
    if A.shape != B.shape:
        return 0.0
    return float((A == B).double().mean())
