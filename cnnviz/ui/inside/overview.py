"""Page 7's overview: every layer's output left to right and the class probabilities; a click on a map picks
that layer and channel for the explanation below."""

from __future__ import annotations

import streamlit as st
from torch import nn

from cnnviz.figures import inside as figs
from cnnviz.inspection.capture import NORMALIZE, layer_kind
from cnnviz.inspection.unit_trace import Trace
from cnnviz.ui import lang
from cnnviz.ui.common import chart
from cnnviz.ui.inside.state import PER_PAGE, SCALE_CHOICES
from cnnviz.ui.lang import _
from cnnviz.ui import lesson

CLICK_KEY = "in_overview"
OVERVIEW_WIDTH_PX = 680  # the overview's share of a 1280-pixel-wide screen beside the sidebar


def columns(trace: Trace, model: nn.Module) -> tuple[list[figs.Column], list[str]]:
    """The overview's columns (the normalised input, then every top-level layer but dropout) and, for each,
    the name a click on it starts from (the layer; `Trace.step_for` finds a block's inner step)."""
    children = dict(model.named_children())
    names = [step.name for step in trace.steps]
    shown, steps = [], []
    if NORMALIZE in names:
        values = trace.step(NORMALIZE).output
        shown.append(figs.Column(_("input"), f"{_('input')}<br>{_shape(values)}", values, gray=True))
        steps.append(NORMALIZE)
    for name, values in trace.layers.items():
        if layer_kind(children[name]) == "dropout":
            continue
        shown.append(figs.Column(name, f"{name}<br>{_shape(values)}", values))
        steps.append(name)
    return shown, steps


def _shape(values) -> str:
    """A short shape under a column's name: 16×28² for 16 maps of 28x28, 128 for a dense layer."""
    shape = tuple(values.shape)
    if len(shape) == 1:
        return str(shape[0])
    side = f"{shape[1]}²" if shape[1] == shape[2] else f"{shape[1]}×{shape[2]}"
    return f"{shape[0]}×{side}"


def scale_ui() -> str:
    return lesson.widget(st.radio, _("Colour scale"), SCALE_CHOICES, key="in_scale", format_func=lang.formatter(),
                         horizontal=True,
                         help=_("unit: each map its own colours; layer: one range per layer; global: one "
                                "range for the whole network (CNN Explainer's three levels)."))


def page_ui(trace: Trace) -> int:
    """The first channel shown of each layer (pages of PER_PAGE channels)."""
    widest = max((values.shape[0] for values in trace.layers.values() if values.dim() == 3), default=1)
    last_page = (widest - 1) // PER_PAGE * PER_PAGE
    if not 0 <= st.session_state.get("in_first", 0) <= widest - 1:  # a narrower model than the last, or a link
        st.session_state["in_first"] = last_page
    return int(lesson.widget(st.number_input, _("First channel shown"), 0, max(widest - 1, 0), step=PER_PAGE,
                             key="in_first",
                             help=_("Wide layers are shown {count} channels at a time; the widest here has "
                                    "{widest}.").format(count=PER_PAGE, widest=widest)))


def _on_click(steps: list[str], trace: Trace) -> None:
    points = st.session_state.get(CLICK_KEY, {}).get("selection", {}).get("points", [])
    if not points or "customdata" not in points[0]:
        return
    column, channel = (int(part) for part in str(points[0]["customdata"]).split(","))
    if not 0 <= column < len(steps):
        return
    layer, channel = trace.step_for(steps[column], channel) if steps[column] in trace.layers else (steps[column],
                                                                                                    channel)
    output = trace.step(layer).output
    ss = st.session_state
    ss["in_layer"] = layer
    ss["in_channel"] = min(channel, output.shape[0] - 1)
    ss["in_row"], ss["in_col"] = (output.shape[1] // 2, output.shape[2] // 2) if output.dim() == 3 else (0, 0)


def draw(trace: Trace, model: nn.Module, class_names: list[str], scale: str, first: int,
         selected: tuple[str, int] | None) -> None:
    """The overview beside the probabilities; `selected`: the explained (step, channel), outlined."""
    shown, steps = columns(trace, model)
    mark = None
    if selected is not None and selected[0] in steps:
        mark = (steps.index(selected[0]), selected[1])
    tile = int(max(24, min(54, OVERVIEW_WIDTH_PX / (len(shown) * figs.COLUMN_STEP))))
    left, right = st.columns([3.1, 1])
    with left:
        fig = figs.overview(shown, first, PER_PAGE, scale, mark, tile_px=tile, lang=lang.current())
        chart(fig, CLICK_KEY, on_select=lambda: _on_click(steps, trace), selection_mode="points")
    with right:
        probs = trace.probabilities
        top = int(probs.argmax())
        st.markdown(_("**{name}**, {p}").format(name=class_names[top], p=f"{float(probs[top]):.1%}"))
        chart(figs.probabilities(probs, trace.logits, class_names, lang=lang.current()), "in_probabilities")
