"""Page 1's pooling view: max/avg pooling of the input or the convolution output, and the shift demo."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
import torch

from cnnviz.conv import presets
from cnnviz.conv import explain
from cnnviz.conv import ops
from cnnviz.conv import oracle
from cnnviz.figures import style
from cnnviz.figures.conv import MAX_PAD, figure_width
from cnnviz.ui.conv.state import PREFIX
from cnnviz.ui.conv.views import (ROW_HEIGHT, Geometry, cached_check, chart, grid, input_colours, same_as_pytorch,
                                  shape_formula)
from cnnviz.ui.conv.widgets import run_stage
from cnnviz.ui.lang import _

EDGE_KERNEL = torch.tensor([[1.0, -1.0]], dtype=torch.float64)


@dataclass(frozen=True)
class Pooling:
    mode: str  # "max" or "avg"
    window: tuple[int, int]
    padding: tuple[int, int]
    stride: tuple[int, int]

    def apply(self, X: torch.Tensor) -> torch.Tensor:
        return ops.pool2d(X, self.window, self.mode, self.padding, self.stride)


def torch_pool(mode: str) -> str:
    """PyTorch's layer for this pooling: nn.MaxPool2d or nn.AvgPool2d."""
    return "nn.MaxPool2d" if mode == "max" else "nn.AvgPool2d"


def stride_lesson(pool: Pooling) -> None:
    kh, kw = pool.window
    st.info(_("The book's `pool2d` slides the window by 1. PyTorch's `{layer}({window})` defaults its "
              "stride to the window size, {stride}: windows no longer overlap and the output shrinks. Use the "
              "buttons to switch between them.").format(layer=torch_pool(pool.mode), window=kh if kh == kw else (kh, kw),
                                                        stride=(kh, kw)),
            icon=":material/school:")


def pooling(X: torch.Tensor, pool: Pooling, source_name: str) -> None:
    """X (c, h, w) pooled channel by channel; the chosen cell's window outlined and its value written out.
    source_name: what X is, in the reader's language ("input")."""
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
    pooled = _("max-pooled, channel {c}") if pool.mode == "max" else _("avg-pooled, channel {c}")
    titles = [(_("{source}, channel {c}").format(source=source_name, c=c), pooled.format(c=c))
              for c in range(X.shape[0])]
    widths = [figure_width(*Xp.shape[1:], ROW_HEIGHT, titles[0][0]),
              figure_width(*Y.shape[1:], ROW_HEIGHT, titles[0][1])]

    def draw(i: int, j: int) -> None:
        cells = ops.receptive_window(i, j, pool.window, pool.stride)
        for c in range(X.shape[0]):
            left, right = st.columns(widths)
            with left:
                chart(grid(Xp[c], titles[c][0], padding=pool.padding, window=cells, colorscale=colours,
                           zrange=zrange, max_height=ROW_HEIGHT, pad_label=pad_label), f"{PREFIX}fig_pin{c}")
            with right:
                chart(grid(Y[c], titles[c][1], window=[(i, j)], colorscale=colours, zrange=zrange,
                           clickable=c == 0, max_height=ROW_HEIGHT),
                      PREFIX + ("out_chart" if c == 0 else f"fig_pout{c}"), c == 0)
            text = explain.pooled_value(win[c, i, j].flatten().tolist(), pool.mode, pool.window[0] * pool.window[1],
                                        _("pad"))
            st.markdown("#### " + _("channel {c}, Y[{i}, {j}] = {value}").format(c=c, i=i, j=j, value=text))

    run_stage(Y.shape[1], Y.shape[2], draw)
    shape_formula(tuple(X.shape[1:]), pool.window, geo, tuple(Y.shape[1:]))
    same_as_pytorch(cached_check(oracle.pool_check, X, Y, pool.mode, pool.window, pool.padding, pool.stride))
    st.caption(_("Pooling keeps the channel count: {c_in} in, {c_out} out. Padded cells never win a max "
                 "(PyTorch pads max pooling with −∞); in avg they count as zeros (`count_include_pad=True`), as "
                 "in PyTorch.").format(c_in=X.shape[0], c_out=Y.shape[0]))


def shift_demo(shift: int, pool: Pooling) -> None:
    """d2l 7.5: the edge image shifted by `shift` pixels; the edge map moves, the pooled map barely does."""
    rows = []
    for s in (0, shift):
        X = presets.edge_image(s)
        E = ops.corr2d(X, EDGE_KERNEL)  # (6, 7)
        rows.append((s, X, E, pool.apply(E)))
    (E0, P0), (E1, P1) = rows[0][2:], rows[1][2:]  # not `_, _, E0, P0`: `_` translates here
    for r, (s, X, E, P) in enumerate(rows):
        panels = ((X, _("image, shift {s}").format(s=s), style.SEQUENTIAL, None),
                  (E, _("edges: corr2d with [1, -1]"), style.DIVERGING, 0),
                  (P, _("max-pooled edges") if pool.mode == "max" else _("avg-pooled edges"), style.DIVERGING, 0))
        for c, (col, (values, title, colours, zmid)) in enumerate(zip(st.columns([9, 8, 8]), panels)):
            with col:
                chart(grid(values, title, colorscale=colours, zmid=zmid, max_height=280),
                      f"{PREFIX}fig_shift{r}{c}")
    conv_same, pool_same = _same_share(E0, E1), _same_share(P0, P1)
    st.markdown("#### " + _("Shift by {shift}: the edge map keeps **{conv_same}** of its cells, the pooled map "
                            "keeps **{pool_same}**").format(shift=shift, conv_same=f"{conv_same:.0%}",
                                                            pool_same=f"{pool_same:.0%}"))
    st.caption(_("Pooling makes the layer less sensitive to exactly where an edge sits (d2l 7.5): a one-pixel "
                 "shift still lands inside the same window."))


def _same_share(A: torch.Tensor, B: torch.Tensor) -> float:
    if A.shape != B.shape:
        return 0.0
    return float((A == B).double().mean())
