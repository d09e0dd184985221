"""Page 7's unit: the layer, channel, row and column boxes, and the explanation of that unit's number."""

from __future__ import annotations

import streamlit as st

from cnnviz.figures import inside as figs
from cnnviz.i18n import N_
from cnnviz.inspection.explain_unit import Explanation, UnitError, explain, explain_softmax
from cnnviz.inspection.unit_trace import Step, Trace
from cnnviz.ui import lang
from cnnviz.ui.common import chart, keep_valid, show_error
from cnnviz.ui.inside import explain_views as views
from cnnviz.ui.lang import _
from cnnviz.ui import lesson

SOFTMAX = "softmax"
MAP_KEY = "in_unit_map"  # the enlarged map of the explained channel; a click there picks a unit
KIND_WORDS = {"Conv2d": N_("convolution"), "MaxPool2d": N_("max pooling"), "AvgPool2d": N_("average pooling"),
              "AdaptiveAvgPool2d": N_("average pooling"), "AdaptiveMaxPool2d": N_("max pooling"),
              "BatchNorm2d": N_("batch norm"), "BatchNorm1d": N_("batch norm"), "Linear": N_("dense layer"),
              "Flatten": N_("flatten"), "Dropout": N_("dropout"), "Normalize": N_("input normalisation"),
              "Concat": N_("concatenation"),
              "ReLU": "ReLU", "Sigmoid": "Sigmoid", "Tanh": "Tanh", "LeakyReLU": "LeakyReLU", "GELU": "GELU"}


def kind_word(step: Step) -> str:
    name = type(step.module).__name__
    return _(KIND_WORDS[name]) if name in KIND_WORDS else name


def _shown(trace: Trace):
    words = {step.name: f"{step.name} · {kind_word(step)}" for step in trace.steps}
    words["normalize"] = _("input normalisation")
    words[SOFTMAX] = _("softmax (class probabilities)")
    return words.__getitem__


def _reset_index() -> None:
    """Another layer: its first unit (the old indices may lie outside it)."""
    for key in ("in_channel", "in_row", "in_col"):
        st.session_state[key] = 0


def picker(trace: Trace) -> tuple[str, tuple[int, ...]]:
    """The layer box and the index boxes; returns the layer (a step's name or "softmax") and the index as
    typed (not checked: a link may carry any number, and the explanation says when it is outside)."""
    options = [step.name for step in trace.steps] + [SOFTMAX]
    wanted = st.session_state.get("in_layer")
    default = next((s.name for s in trace.steps if type(s.module).__name__ == "Conv2d"), options[0])
    if wanted and wanted not in options:
        st.warning(_("This model has no layer {layer}; showing {shown}.").format(layer=repr(wanted), shown=default),
                   icon=":material/link_off:")
    keep_valid("in_layer", options, default)
    layer_col, channel_col, row_col, col_col = st.columns([2.2, 1, 1, 1])
    with layer_col:
        layer = lesson.widget(st.selectbox, _("Layer"), options, key="in_layer", format_func=_shown(trace),
                              on_change=_reset_index,
                              help=_("Every layer the image passes through, in order; the blocks' inner layers "
                                     "(VGG, NiN, Inception branches) too."))
    shape = tuple(trace.logits.shape) if layer == SOFTMAX else tuple(trace.step(layer).output.shape)
    spatial = len(shape) == 3
    with channel_col:
        what = _("Channel") if spatial else _("Class") if layer == SOFTMAX else _("Unit")
        channel = lesson.widget(st.number_input, what, min_value=0, key="in_channel",
                                help=_("0 to {last}").format(last=shape[0] - 1))
    if not spatial:
        return layer, (int(channel),)
    with row_col:
        row = lesson.widget(st.number_input, _("Row"), min_value=0, key="in_row",
                            help=_("0 to {last}").format(last=shape[1] - 1))
    with col_col:
        col = lesson.widget(st.number_input, _("Column"), min_value=0, key="in_col",
                            help=_("0 to {last}").format(last=shape[2] - 1))
    return layer, (int(channel), int(row), int(col))


def _next_activation(trace: Trace, step: Step) -> Step | None:
    """The activation right after `step` when it takes `step`'s output (conv -> ReLU)."""
    position = trace.steps.index(step)
    following = trace.steps[position + 1] if position + 1 < len(trace.steps) else None
    if following is None or type(following.module).__name__ not in ("ReLU", "Sigmoid", "Tanh", "LeakyReLU", "GELU"):
        return None
    return following if following.input.shape == step.output.shape else None


def show(trace: Trace, layer: str, index: tuple[int, ...], class_names: list[str]) -> Explanation | None:
    """The chosen unit's computation; an index outside the layer or a layer that cannot be explained is
    reported with st.error (the rest of the page stays)."""
    try:
        if layer == SOFTMAX:
            parts = explain_softmax(trace.logits, index[0])
            views.softmax(parts, float(trace.probabilities[index[0]]), class_names)
            return None
        step = trace.step(layer)
        explained = explain(step, index)
    except UnitError as exc:
        show_error(exc)
        return None
    views.heading(explained, kind_word(step))
    {"conv": views.conv, "pool": views.pool, "batch_norm": views.batch_norm, "activation": views.activation,
     "dense": views.dense, "flatten": views.source, "identity": views.source,
     "normalize": views.normalize, "concat": views.concat}[explained.kind](explained)
    after = _next_activation(trace, step)
    if after is not None and explained.kind != "activation":
        views.then_activation(explain(after, index), kind_word(after))
    return explained


def _on_unit_click() -> None:
    points = st.session_state.get(MAP_KEY, {}).get("selection", {}).get("points", [])
    if points and "x" in points[0]:
        st.session_state["in_row"], st.session_state["in_col"] = int(round(points[0]["y"])), int(round(points[0]["x"]))


def unit_map(trace: Trace, layer: str, index: tuple[int, ...]) -> None:
    """The explained channel enlarged with its unit outlined; a click on another unit explains that one."""
    if layer == SOFTMAX or len(index) != 3:
        return
    output = trace.step(layer).output
    if not 0 <= index[0] < output.shape[0]:
        return
    title = _("{layer}, channel {channel}").format(layer=layer, channel=index[0])
    chart(figs.unit_map(output[index[0]], index[1:], title, lang=lang.current()), MAP_KEY,
          on_select=_on_unit_click, selection_mode="points")
