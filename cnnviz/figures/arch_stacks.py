"""The builder's two-stacks figure: parameters and FLOPs of each stack as bars, side by side."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cnnviz.figures.style import SERIES, base_layout
from cnnviz.i18n import DEFAULT_LANGUAGE as EN
from cnnviz.i18n import N_, tr


def stacks_figure(names: tuple[str, str], params: tuple[int, int], flops: tuple[int, int],
                  lang: str = EN) -> go.Figure:
    """Two panels (parameters, FLOPs per image), one bar per stack, each labelled with its value."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=(tr(lang, N_("parameters")), tr(lang, N_("FLOPs / image"))),
                        horizontal_spacing=0.12)
    for col, values in enumerate((params, flops), start=1):
        fig.add_trace(go.Bar(x=list(names), y=list(values), marker_color=list(SERIES[:2]),
                             text=[short(v) for v in values], textposition="outside", textangle=0,
                             cliponaxis=False, showlegend=False, hovertemplate="%{x}: %{y:,}<extra></extra>"),
                      row=1, col=col)
        fig.update_yaxes(range=[0, 1.2 * max(max(values), 1)], row=1, col=col)  # room for the labels on top
    base_layout(fig, height=270)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 40, "b": 10})
    fig.update_yaxes(showticklabels=False, showgrid=False)
    return fig


def short(n: int) -> str:
    """110784 -> "111 K"; 1258815488 -> "1.26 G": a bar's label; the table beside it has every digit."""
    for size, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "K")):
        if n >= size:
            return f"{n / size:.3g} {prefix}"
    return str(n)
