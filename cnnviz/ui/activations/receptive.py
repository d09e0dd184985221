"""The Activations page's receptive-field outline: a click on a unit of the enlarged map selects it; every
input image shown then outlines the pixels that unit sees: its receptive field (d2l 7.2.6)."""

from __future__ import annotations

import streamlit as st

from cnnviz.arch import Architecture
from cnnviz.figures import activation_outline as outline
from cnnviz.inspection.receptive_view import UnitError, UnitField, field_of, unit_field
from cnnviz.ui import lang
from cnnviz.ui.lang import _

UNIT_KEY = "act_unit"  # (stage, row, column) of the selected unit, e.g. ("act2", 3, 5)
RERUN_KEY = "act_unit_rerun"  # a new unit was clicked inside the dialog: redraw the whole page once
CLICK_KEY = "act_zoom_map"  # the enlarged map in the dialog; its selection is the clicked unit


def on_unit_click(stage: str, reopen_key: str) -> callable:
    """The enlarged map's on_select callback: records the clicked unit of `stage` and asks for a full rerun
    (the dialog alone would redraw only itself) that reopens the dialog via `reopen_key`."""
    def record() -> None:
        points = st.session_state.get(CLICK_KEY, {}).get("selection", {}).get("points", [])
        if points:
            row, column = outline.clicked_unit(points[0])
            st.session_state[UNIT_KEY] = (stage, row, column)
            st.session_state[reopen_key] = True
            st.session_state[RERUN_KEY] = True
    return record


def rerun_if_clicked() -> None:
    """Inside the dialog: after a click on a unit, rerun the whole page so the grid's inputs get outlined."""
    if st.session_state.pop(RERUN_KEY, False):
        st.rerun()


def selected(spec: Architecture, stage: str, h: int, w: int) -> UnitField | None:
    """The selected unit's field on this stage's (h, w) maps, else None. A unit picked on another stage with
    the same fields (conv2 and its activation act2, not pool2) stays picked: it is the same place."""
    chosen = st.session_state.get(UNIT_KEY)
    if not chosen or not (0 <= chosen[1] < h and 0 <= chosen[2] < w):
        return None
    try:
        if chosen[0] != stage and field_of(spec, chosen[0]) != field_of(spec, stage):
            return None
        return unit_field(spec, stage, chosen[1], chosen[2])
    except UnitError:  # picked on another model's layer that this one lacks
        return None


def caption(unit: UnitField | None) -> None:
    if unit is None:
        st.caption(_("Click a map to enlarge it, then click a unit of the enlarged map: its receptive field, the "
                     "input pixels it sees, is outlined on every input image."))
    else:
        st.caption(_("Receptive field (outlined in cyan): {field}.").format(field=unit.caption(lang.current())))
