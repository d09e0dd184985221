"""Training figures: d2l Animator-style curves, run overlays, the confusion matrix, per-class accuracy."""

from __future__ import annotations

from typing import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cnnviz.figures.style import FONT_SIZE, SEQUENTIAL, SERIES, base_layout
from cnnviz.i18n import DEFAULT_LANGUAGE as EN, tr
from cnnviz.training.loop import Progress

LOSS, TRAIN_ACC, TEST_ACC = SERIES[0], SERIES[1], SERIES[2]  # d2l's Animator: blue, red (dashed), green
CONFUSION_FONT_SIZE = 18  # counts in the confusion matrix, read from the back of a classroom


def _readable(fig: go.Figure, font_size: int) -> go.Figure:
    """Ticks, axis titles and the legend at the figure's font size: Streamlit's theme would draw them at
    about 80% of it, too small for the back of a room."""
    fig.update_layout(font_size=font_size, legend_font_size=font_size)
    fig.update_xaxes(tickfont_size=font_size, title_font_size=font_size)
    fig.update_yaxes(tickfont_size=font_size, title_font_size=font_size)
    return fig


def curves_figure(points: Sequence[Progress], epochs: int, title: str | None = None, height: int = 420,
                  font_size: int = FONT_SIZE, lang: str = EN) -> go.Figure:
    """Train loss, train accuracy and test accuracy against fractional epochs, on one axis like d2l."""
    epoch = [p.epoch for p in points]
    ends = [p for p in points if p.test_accuracy is not None]
    fig = go.Figure([
        go.Scatter(x=epoch, y=[p.loss for p in points], name=tr(lang, "train loss"), mode="lines",
                   line={"color": LOSS, "width": 3}),
        go.Scatter(x=epoch, y=[p.accuracy for p in points], name=tr(lang, "train acc"), mode="lines",
                   line={"color": TRAIN_ACC, "width": 3, "dash": "dash"}),
        go.Scatter(x=[p.epoch for p in ends], y=[p.test_accuracy for p in ends], name=tr(lang, "test acc"),
                   mode="lines+markers", line={"color": TEST_ACC, "width": 3, "dash": "dot"}, marker={"size": 9},
                   cliponaxis=False),  # the last epoch's dot sits on the axis's right edge: drawn whole
    ])
    base_layout(fig, title, height)
    fig.update_xaxes(title=tr(lang, "epoch"), range=[0, max(epochs, 1)], gridcolor="#e5e5e5", zeroline=False)
    top = max([1.0, *(p.loss for p in points)])
    fig.update_yaxes(range=[0, top * 1.05], gridcolor="#e5e5e5", zeroline=False)
    fig.update_layout(legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0}, uirevision="curves")
    return _readable(fig, font_size)


def overlay_figure(runs: Sequence[tuple[int, str, Sequence[Progress]]], height: int = 420,
                   font_size: int = FONT_SIZE, lang: str = EN) -> go.Figure:
    """Runs (number, label, points) side by side: train loss (left) and test accuracy (right) against epochs.
    A run's colour follows its number, so it keeps its colour when another run leaves the comparison."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=(tr(lang, "train loss"), tr(lang, "test accuracy")),
                        horizontal_spacing=0.08)
    for number, label, points in runs:
        colour = SERIES[(number - 1) % len(SERIES)]
        ends = [p for p in points if p.test_accuracy is not None]
        fig.add_trace(go.Scatter(x=[p.epoch for p in points], y=[p.loss for p in points], name=label,
                                 legendgroup=label, mode="lines", line={"color": colour, "width": 3}), 1, 1)
        fig.add_trace(go.Scatter(x=[p.epoch for p in ends], y=[p.test_accuracy for p in ends], name=label,
                                 legendgroup=label, showlegend=False, mode="lines+markers",
                                 line={"color": colour, "width": 3}, marker={"size": 8}), 1, 2)
    base_layout(fig, None, height)
    fig.update_xaxes(title=tr(lang, "epoch"), gridcolor="#e5e5e5")
    fig.update_yaxes(gridcolor="#e5e5e5")
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", row=1, col=2)  # accuracy: always the whole scale
    fig.update_layout(legend={"orientation": "h", "y": -0.25, "x": 0}, margin={"t": 40})
    fig.update_annotations(font_size=font_size)  # the subplot titles
    return _readable(fig, font_size)


def confusion_figure(confusion, classes: Sequence[str], selected: tuple[int, int] | None = None,
                     height: int = 600, font_size: int = FONT_SIZE, lang: str = EN) -> go.Figure:
    """Counts (rows: true class, columns: predicted), coloured by the share of each row (darker: a smaller
    share), in square cells with numbers large enough for a projector.

    A transparent square marker sits on every cell so a click reports its (x, y): clicks on a plain
    heatmap come back empty in Streamlit 1.67. The markers carry the hover text too: a trace whose
    hoverinfo is "skip" gets no clicks either.
    """
    counts = [[int(v) for v in row] for row in confusion.tolist()]  # (10, 10)
    shares = [[v / max(sum(row), 1) for v in row] for row in counts]
    names = list(classes)
    fig = go.Figure(go.Heatmap(
        z=shares, x=names, y=names, text=counts, texttemplate="%{text}",
        textfont={"size": max(CONFUSION_FONT_SIZE, font_size)},
        colorscale=SEQUENTIAL, zmin=0, zmax=1, hoverinfo="skip",
        showscale=False,  # the counts are written in the cells; the width goes to larger cells
    ))
    cells = [(x, y) for y in names for x in names]
    fig.add_trace(go.Scatter(
        x=[c[0] for c in cells], y=[c[1] for c in cells], customdata=[v for row in counts for v in row],
        mode="markers", showlegend=False, marker={"symbol": "square", "size": 36, "opacity": 0.01, "color": "white"},
        hovertemplate=tr(lang, "true %{y}<br>predicted %{x}<br>%{customdata} images") + "<extra></extra>",
    ))
    if selected is not None:
        true_class, predicted = selected
        fig.add_shape(type="rect", x0=predicted - 0.5, x1=predicted + 0.5, y0=true_class - 0.5,
                      y1=true_class + 0.5, line={"color": "#ff7f0e", "width": 4})
    base_layout(fig, None, height)
    # Square cells whatever the width the page gives the figure; fixed ranges, or the click markers would
    # widen the axes' automatic range by their own size.
    last = len(names) - 0.5
    fig.update_xaxes(title=tr(lang, "predicted class"), tickangle=-35, showgrid=False, range=[-0.5, last],
                     constrain="domain", constraintoward="left")
    fig.update_yaxes(title=tr(lang, "true class"), range=[last, -0.5], showgrid=False, scaleanchor="x",
                     constrain="domain", constraintoward="top")
    fig.update_layout(clickmode="event+select")
    return _readable(fig, font_size)


def per_class_figure(accuracy: Sequence[float], classes: Sequence[str], height: int = 420,
                     font_size: int = FONT_SIZE, lang: str = EN) -> go.Figure:
    """Horizontal bars: test accuracy of each class, worst at the top."""
    order = sorted(range(len(classes)), key=lambda i: accuracy[i])
    fig = go.Figure(go.Bar(
        x=[accuracy[i] for i in order], y=[classes[i] for i in order], orientation="h",
        marker_color=SERIES[0], text=[f"{accuracy[i]:.1%}" for i in order], textposition="outside",
        textfont_size=font_size,
    ))
    base_layout(fig, None, height)
    fig.update_xaxes(title=tr(lang, "test accuracy"), range=[0, 1.12], tickformat=".0%", gridcolor="#e5e5e5")
    return _readable(fig, font_size)
