"""A class board's figures: every run's test accuracy per epoch overlaid, and final accuracy against a setting."""

from __future__ import annotations

import html
from typing import Sequence

import plotly.graph_objects as go

from cnnviz.figures.style import SERIES, base_layout
from cnnviz.figures.train import _readable
from cnnviz.figures.style import FONT_SIZE
from cnnviz.i18n import DEFAULT_LANGUAGE as EN, tr

LOG_SETTINGS = ("lr",)  # settings whose values a class spreads over decades: a log axis


def plotly_text(text: str) -> str:
    """`text` as Plotly draws it literally: Plotly reads <b>, <br> and <a href> in names and labels."""
    return html.escape(text, quote=False)


def class_curves_figure(runs: Sequence[tuple[str, Sequence[float], bool]], height: int = 400,
                        font_size: int = FONT_SIZE, lang: str = EN) -> go.Figure:
    """One line per run (label, test accuracy after each epoch, pinned): epochs 1, 2, ... on x. Pinned runs are
    drawn thicker. Labels are students' text: escaped, never markup."""
    fig = go.Figure()
    for i, (label, accuracy, pinned) in enumerate(runs):
        fig.add_trace(go.Scatter(x=list(range(1, len(accuracy) + 1)), y=list(accuracy), name=plotly_text(label),
                                 mode="lines+markers", line={"color": SERIES[i % len(SERIES)],
                                                             "width": 5 if pinned else 2.5},
                                 marker={"size": 10 if pinned else 7}))
    base_layout(fig, tr(lang, "Test accuracy after each epoch"), height)
    longest = max([len(a) for _, a, _ in runs] + [1])
    fig.update_xaxes(title=tr(lang, "epoch"), range=[0.8, longest + 0.2], dtick=1, gridcolor="#e5e5e5")
    fig.update_yaxes(title=tr(lang, "test accuracy"), gridcolor="#e5e5e5", zeroline=False)
    fig.update_layout(uirevision="class-curves")
    return _readable(fig, font_size)


def final_accuracy_figure(points: Sequence[tuple[str, object, float]], setting: str, setting_label: str,
                          height: int = 400, font_size: int = FONT_SIZE, lang: str = EN) -> go.Figure:
    """Final test accuracy (y) of each ended run against `setting`'s value (x): points (label, value, accuracy).
    A log x axis for the learning rate; words (optimizer, network) as categories."""
    fig = go.Figure(go.Scatter(
        x=[value for _, value, _ in points], y=[accuracy for _, _, accuracy in points],
        text=[plotly_text(label) for label, _, _ in points], mode="markers",
        marker={"size": 13, "color": SERIES[0], "line": {"width": 1, "color": "white"}},
        hovertemplate="%{text}<br>%{x}: %{y:.3f}<extra></extra>"))
    base_layout(fig, tr(lang, "Final test accuracy against {setting}", setting=setting_label), height)
    numeric = all(isinstance(value, (int, float)) for _, value, _ in points)
    axis = "log" if setting in LOG_SETTINGS and numeric else ("linear" if numeric else "category")
    fig.update_xaxes(title=setting_label, type=axis, gridcolor="#e5e5e5")
    fig.update_yaxes(title=tr(lang, "test accuracy"), gridcolor="#e5e5e5", zeroline=False)
    return _readable(fig, font_size)
