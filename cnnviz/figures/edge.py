"""Figures for learning an edge kernel: loss curves, kernels, weight paths, target vs prediction."""

from __future__ import annotations

import math
from typing import Sequence

import plotly.graph_objects as go
import torch

from cnnviz.i18n import DEFAULT_LANGUAGE as EN, tr
from cnnviz.figures.style import (
    CELL_FONT_SIZE, DIVERGING, GRAY, MAX_ANNOTATED_CELLS, SERIES, base_layout,
)

LOSS_FLOOR = 1e-30  # a loss of exactly 0 cannot sit on a log axis
GRID = {"showgrid": True, "gridcolor": "#ddd"}
# The page redraws these figures on every tick, so each is built from plain dicts in one go.Figure call:
# make_subplots, update_layout and per-axis updates validate again each time and cost several times more.
# The shared look (fonts, margins, background), computed once; the template is left to plotly/Streamlit.
_LOOK = {k: v for k, v in base_layout(go.Figure(), "title").to_plotly_json()["layout"].items() if k != "template"}


SUBTITLE_FONT_SIZE = 14  # the note under a title that says a colour scale clips
COLOUR_HEADROOM = 1.25  # a target-set colour scale reaches this far past the target: room for an overshoot


def _figure(traces: list[dict], layout: dict, title: str, height: int, subtitle: str | None = None) -> go.Figure:
    """A figure from plain dicts; a subtitle (a note on the colour scale) adds a line under the title."""
    heading: dict = {"text": title}
    if subtitle:
        heading["subtitle"] = {"text": subtitle, "font": {"size": SUBTITLE_FONT_SIZE, "weight": "normal"}}
        layout = {**layout, "margin": {**_LOOK["margin"], "t": _LOOK["margin"]["t"] + 36}}
    return go.Figure(traces, {**_LOOK, **layout, "title": heading, "height": height})


def _panels(titles: Sequence[str], gap: float = 0.08, right_margin: float = 0.08) -> dict:
    """Layout for len(titles) heatmaps side by side: square cells, rows top to bottom, a title above each."""
    n = len(titles)
    width = (1 - right_margin - gap * (n - 1)) / n
    layout: dict = {"annotations": []}
    for i, title in enumerate(titles):
        suffix = str(i + 1) if i else ""
        left = i * (width + gap)
        layout[f"xaxis{suffix}"] = {"domain": [left, left + width], "anchor": f"y{suffix}", "dtick": 1,
                                    "constrain": "domain", "showgrid": False, "zeroline": False}
        layout[f"yaxis{suffix}"] = {"domain": [0, 0.86], "anchor": f"x{suffix}", "dtick": 1, "showgrid": False,
                                    "autorange": "reversed", "scaleanchor": f"x{suffix}", "zeroline": False}
        layout["annotations"].append({"text": title, "x": left + width / 2, "y": 0.88, "xref": "paper",
                                      "yref": "paper", "showarrow": False, "xanchor": "center",
                                      "yanchor": "bottom", "font": {"size": 16}})
    return layout


def _log_losses(losses: Sequence[float]) -> list[float]:
    return [max(loss, LOSS_FLOOR) for loss in losses]


def _log_axis(values: Sequence[float], lang: str = EN) -> dict:
    """A log y axis labelled at powers of ten only, at most about six of them (Plotly's default adds
    2 and 5 between decades, too small to read from the back of a classroom)."""
    finite = [v for v in _log_losses(values) if math.isfinite(v)]
    decades = math.log10(max(finite) / min(finite)) if finite else 0.0
    return {"title": {"text": tr(lang, "loss (log scale)")}, "type": "log", "exponentformat": "power",
            "dtick": max(1, math.ceil(decades / 6)), **GRID}


def loss_curve(losses: Sequence[float], total_steps: int, diverged_at: int | None = None,
               height: int = 340, lang: str = EN) -> go.Figure:
    """The summed squared error after each step (step 0 = initial kernel), log y, x axis fixed to the run."""
    layout: dict = {
        "xaxis": {"title": {"text": tr(lang, "step")}, "range": [0, max(total_steps, 1)], **GRID},
        "yaxis": _log_axis(losses, lang),
    }
    if diverged_at is not None:
        layout["shapes"] = [{"type": "line", "x0": diverged_at, "x1": diverged_at, "yref": "paper", "y0": 0,
                             "y1": 1, "line": {"color": SERIES[1], "dash": "dash"}}]
        layout["annotations"] = [{"x": diverged_at, "y": 1, "yref": "paper", "text": tr(lang, "diverged at step {step}", step=diverged_at),
                                  "showarrow": False, "xanchor": "left", "font": {"color": SERIES[1]}}]
    trace = {
        "type": "scatter", "x": list(range(len(losses))), "y": _log_losses(losses), "mode": "lines",
        "name": tr(lang, "loss"), "line": {"color": SERIES[0], "width": 3}, "showlegend": False,
        "hovertemplate": tr(lang, "step %{x}<br>loss %{y:.3g}") + "<extra></extra>",
    }
    current = {"type": "scatter", "x": [len(losses) - 1], "y": _log_losses(losses[-1:]), "mode": "markers",
               "marker": {"color": SERIES[0], "size": 10}, "showlegend": False, "hoverinfo": "skip"}
    return _figure([trace, current] if losses else [trace], layout,
                   tr(lang, "Loss: squared error summed over Y"), height)


def compact_number(value: float, max_chars: int = 5, decimals: int = 2) -> str:
    """`value` in at most `max_chars` characters: fewer decimals first, then a short power of ten
    ("-1e3"), so a diverged run's huge numbers stay inside their heatmap cells."""
    for places in range(decimals, -1, -1):
        text = f"{round(value, places) + 0.0:.{places}f}"  # + 0.0: no "-0.00"
        if len(text) <= max_chars:
            return text
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def colour_limit(reference: torch.Tensor, *others: torch.Tensor) -> float:
    """The half-width of a diverging colour scale, set by `reference` (the target): a diverged kernel or
    prediction then saturates instead of washing the target out to white. An all-zero reference falls
    back to the others' range."""
    limit = COLOUR_HEADROOM * reference.abs().max().item() if reference.numel() else 0.0
    if limit == 0:
        limit = max([t.abs().max().item() for t in others if t.numel()] + [0.0])
    return limit or 1.0


def clipped(limit: float, *tensors: torch.Tensor) -> bool:
    """True when some value lies beyond the colour scale (so its colour saturates)."""
    return any(t.numel() and t.abs().max().item() > limit for t in tensors)


def _heatmap(values: torch.Tensor, zmax: float, colorscale: str = DIVERGING, show_scale: bool = False,
             zmid: float | None = 0.0, max_chars: int = 5, decimals: int = 2, max_side: int = 12,
             font_size: int = CELL_FONT_SIZE, lang: str = EN) -> dict:
    """A matrix (rows top to bottom) with its values printed compactly in the cells when there are few
    enough; colours saturate beyond +-zmax (0..zmax without zmid)."""
    annotate = values.numel() <= MAX_ANNOTATED_CELLS and max(values.shape) <= max_side
    text = [[compact_number(v, max_chars, decimals) for v in row] for row in values.tolist()]
    return {
        "type": "heatmap", "z": values.tolist(), "colorscale": colorscale, "zmid": zmid,
        "zmin": -zmax if zmid is not None else 0, "zmax": zmax,
        "showscale": show_scale, "text": text if annotate else None, "texttemplate": "%{text}" if annotate else None,
        "textfont": {"size": font_size}, "xgap": 1, "ygap": 1,
        "hovertemplate": tr(lang, "row %{y}, col %{x}: %{z:.4g}") + "<extra></extra>",
    }


def _all_whole(values: torch.Tensor) -> bool:
    """True when every value is a whole number of at most 4 digits (printed then without ".0")."""
    return bool(values.numel()) and bool((values == values.round()).all()) and values.abs().max().item() < 1e4


def kernel_heatmaps(learned: torch.Tensor, target: torch.Tensor, step: int, bias: float | None,
                    height: int = 300, lang: str = EN) -> go.Figure:
    """The learned kernel (kh, kw) beside the target, on one diverging colour scale centred at 0 and set by
    the target, so the target stays readable when the learned kernel blows up (its colours then saturate)."""
    bias_text = "" if bias is None else tr(lang, " · bias {bias}", bias=compact_number(bias, 6, 3))
    zmax = colour_limit(target, learned)
    # Numbers only where a cell is wide enough for "-1.00" (a 3x3 kernel's); hover shows the rest.
    traces = [_heatmap(learned, zmax, max_side=3, lang=lang),
              _heatmap(target, zmax, show_scale=True, max_side=3, lang=lang)]
    traces[1].update(xaxis="x2", yaxis="y2")
    traces[1]["colorbar"] = {"thickness": 14, "len": 0.9, "y": 0.43}
    layout = _panels((tr(lang, "learned · step {step}", step=step), tr(lang, "target")))
    for suffix, kernel in (("", learned), ("2", target)):
        layout[f"xaxis{suffix}"]["showticklabels"] = kernel.shape[1] > 1
        layout[f"yaxis{suffix}"]["showticklabels"] = kernel.shape[0] > 1
    note = (tr(lang, "colours clipped at ±{limit}, the target's range", limit=compact_number(zmax, 6))
            if clipped(zmax, learned) else None)
    return _figure(traces, layout, tr(lang, "Learned kernel vs target") + bias_text, height, note)


def weight_trajectories(weights: torch.Tensor, biases: Sequence[float] | None, target: torch.Tensor | None,
                        total_steps: int, height: int = 340, lang: str = EN) -> go.Figure:
    """Each weight (and the bias) against the step; dashed lines at the target's values when sizes match.

    weights: (steps + 1, kh, kw).
    """
    steps = list(range(len(weights)))
    kh, kw = weights.shape[1:]
    show_target = target is not None and kh * kw <= len(SERIES)
    traces, shapes = [], []
    for index in range(kh * kw):
        r, c = divmod(index, kw)
        colour = SERIES[index % len(SERIES)]
        traces.append({"type": "scatter", "x": steps, "y": weights[:, r, c].tolist(), "mode": "lines",
                       "name": f"w[{r},{c}]", "line": {"color": colour, "width": 2.5}})
        if show_target:
            value = target[r, c].item()
            shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": value, "y1": value,
                           "line": {"color": colour, "dash": "dot", "width": 1.5}})
    if biases is not None:
        traces.append({"type": "scatter", "x": steps, "y": list(biases), "mode": "lines", "name": tr(lang, "bias"),
                       "line": {"color": "#444", "width": 2.5, "dash": "dash"}})
    layout = {
        "shapes": shapes,
        "xaxis": {"title": {"text": tr(lang, "step")}, "range": [0, max(total_steps, 1)], **GRID},
        "yaxis": {"title": {"text": tr(lang, "value")}, "zeroline": True, "zerolinecolor": "#999", **GRID},
    }
    title = tr(lang, "Weights over the steps (dotted: target)") if show_target else tr(lang, "Weights over the steps")
    return _figure(traces, layout, title, height)


def output_comparison(X: torch.Tensor, Y: torch.Tensor, prediction: torch.Tensor, height: int = 340,
                      lang: str = EN) -> go.Figure:
    """Input X, target output Y and the current prediction, side by side. Y and the prediction share a scale
    set by Y, so a diverged prediction saturates instead of turning Y white; numbers are printed in at
    most 4 characters (whole numbers where all are), small enough for the cells of a 10-wide image."""
    def cells(values: torch.Tensor) -> dict:
        return {"max_chars": 4, "decimals": 0 if _all_whole(values) else 1, "max_side": 10, "font_size": 13,
                "lang": lang}

    zmax = colour_limit(Y, prediction)
    traces = [_heatmap(X, X.abs().max().item() or 1.0, colorscale=GRAY, zmid=None, **cells(X)),
              _heatmap(Y, zmax, **cells(Y)), _heatmap(prediction, zmax, show_scale=True, **cells(prediction))]
    traces[2]["colorbar"] = {"thickness": 14}
    layout = _panels((tr(lang, "input X"), tr(lang, "target Y"), tr(lang, "prediction")), gap=0.05)
    for i, trace in enumerate(traces[1:], start=2):
        trace.update(xaxis=f"x{i}", yaxis=f"y{i}")
    for name in ("xaxis", "xaxis2", "xaxis3", "yaxis", "yaxis2", "yaxis3"):
        layout[name]["showticklabels"] = False
    note = (tr(lang, "colours clipped at ±{limit}, Y's range; hover a cell for its exact value",
               limit=compact_number(zmax, 6)) if clipped(zmax, prediction) else None)
    return _figure(traces, layout, tr(lang, "What the kernel does to X"), height, note)


def lr_comparison(runs: Sequence, max_stable_lr: float | None = None, lang: str = EN) -> go.Figure:
    """Loss curves of several learning rates (cnnviz.edge.fit.LrRun), overlaid on a log axis."""
    traces = []
    for index, run in enumerate(runs):
        colour = SERIES[index % len(SERIES)]
        name = (tr(lang, "lr {lr} (diverged at step {step})", lr=f"{run.lr:.3g}", step=run.diverged_at)
                if run.diverged_at else tr(lang, "lr {lr}", lr=f"{run.lr:.3g}"))
        traces.append({"type": "scatter", "x": list(range(len(run.losses))), "y": _log_losses(run.losses),
                       "mode": "lines", "name": name, "line": {"color": colour, "width": 3}})
        if run.diverged_at and run.losses:
            traces.append({"type": "scatter", "x": [len(run.losses) - 1], "y": [max(run.losses[-1], LOSS_FLOOR)],
                           "mode": "markers", "marker": {"symbol": "x", "size": 14, "color": colour},
                           "showlegend": False})
    title = tr(lang, "Loss for several learning rates")
    if max_stable_lr is not None:
        title = tr(lang, "Loss for several learning rates (plain GD is stable below lr {limit})",
                   limit=f"{max_stable_lr:.3g}")
    layout = {
        "xaxis": {"title": {"text": tr(lang, "step")}, **GRID},
        "yaxis": _log_axis([loss for run in runs for loss in run.losses], lang),
    }
    return _figure(traces, layout, title, 380)
