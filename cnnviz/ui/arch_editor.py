"""The architecture builder's sidebar: the layer table and the buttons that add, move and remove layers.

State: the editor shows `arch_base_rows`; st.data_editor keeps the user's edits on top of it, and
`arch_live_rows` holds base + edits after each run. Structural changes (preset, add, move, remove,
import) start from the live rows, so no edit is ever lost, and remount the editor under a new key.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from cnnviz.arch import (
    DEFAULT_PRESET, LAYER_TYPES, MAX_LAYERS, PRESETS, Architecture, ArchitectureError, from_json,
)
from cnnviz.arch.layers import MAX_CHANNELS, MAX_KERNEL
from cnnviz.arch.table import COLUMNS, DEFAULT_LAYERS, OPTION_HELP, layer_to_row
from cnnviz.ui.arch_state import architecture_from_query, current_architecture
from cnnviz.ui.common import drawn_last_run, keep_valid, keep_widgets

BASE = "arch_base_rows"
LIVE = "arch_live_rows"
SOURCE = "arch_source"  # (name, description) of the preset or file the rows came from
VERSION = "arch_editor_version"
MESSAGE = "arch_message"  # (kind, text) shown once above the page: import results, a broken link
DEFAULTS = {  # widget key -> initial value (keep_widgets holds them while the student is on other pages)
    "arch_preset": DEFAULT_PRESET, "arch_row": 1, "arch_add_type": next(iter(LAYER_TYPES)), "arch_add_at": "end",
    "arch_compare": "lenet",
}


def init_state() -> None:
    """First run in this session: the architecture in the link, else the one chosen for training. Then,
    on every run, the sidebar's settings are kept while the student was on other pages."""
    if BASE not in st.session_state:
        _first_state()
    keep_widgets(DEFAULTS, "arch_saved_settings")


def _first_state() -> None:
    spec = None
    try:
        spec = architecture_from_query()
    except ArchitectureError as exc:
        st.session_state[MESSAGE] = ("error", f"The architecture in the link could not be read: {exc}")
    spec = spec or current_architecture()
    load(spec)
    st.session_state["arch_preset"] = spec.name if spec.name in PRESETS else DEFAULT_PRESET


def load(spec: Architecture) -> None:
    st.session_state[SOURCE] = (spec.name, spec.description)
    replace_rows([layer_to_row(layer) for layer in spec.layers])


def replace_rows(rows: list[dict]) -> None:
    st.session_state[BASE] = rows
    st.session_state[LIVE] = rows
    st.session_state[VERSION] = st.session_state.get(VERSION, 0) + 1


def editor_key() -> str:
    return f"arch_layers_{st.session_state[VERSION]}"


def live_rows() -> list[dict]:
    return [dict(row) for row in st.session_state[LIVE]]


def _on_preset() -> None:
    load(PRESETS[st.session_state["arch_preset"]])


def _on_add() -> None:
    rows = live_rows()
    if len(rows) >= MAX_LAYERS:
        st.session_state[MESSAGE] = ("error", f"At most {MAX_LAYERS} layers; remove one first.")
        return
    where = st.session_state.get("arch_add_at", "end")
    position = len(rows) + 1 if where == "end" else min(max(int(where), 1), len(rows) + 1)
    rows.insert(position - 1, layer_to_row(DEFAULT_LAYERS[st.session_state["arch_add_type"]]))
    replace_rows(rows)
    st.session_state["arch_row"] = position


def _on_move(step: int) -> None:
    rows = live_rows()
    i = int(st.session_state["arch_row"]) - 1
    j = i + step
    if 0 <= i < len(rows) and 0 <= j < len(rows):
        rows[i], rows[j] = rows[j], rows[i]
        replace_rows(rows)
        st.session_state["arch_row"] = j + 1


def _on_remove() -> None:
    rows = live_rows()
    i = int(st.session_state["arch_row"]) - 1
    if 0 <= i < len(rows):
        del rows[i]
        replace_rows(rows)
        st.session_state["arch_row"] = max(1, min(i + 1, len(rows)))


def _on_import() -> None:
    upload = st.session_state.get("arch_import")
    if upload is None:
        return
    try:
        spec = from_json(upload.getvalue())
    except ArchitectureError as exc:  # the user's current layers stay as they are
        st.session_state[MESSAGE] = ("error", f"{upload.name} was not imported: {exc}")
        return
    load(spec)
    st.session_state[MESSAGE] = ("success", f"Imported {spec.name!r} ({len(spec.layers)} layers) from {upload.name}.")


def sidebar() -> list[dict]:
    """Draws the sidebar controls; returns the rows as the user sees them now (base + edits)."""
    st.selectbox("Start from a preset", list(PRESETS), key="arch_preset", on_change=_on_preset,
                 help="Replaces the layers below with the preset's.")
    st.button("Reset to this preset", key="arch_reset", on_click=_on_preset)
    rows = layer_editor()
    row_buttons(len(rows))
    add_controls(len(rows))
    st.file_uploader("Import a JSON architecture", type=["json"], key="arch_import", on_change=_on_import,
                     help="A file exported with 'Download JSON'; it is checked before it replaces the layers.")
    return rows


def layer_editor() -> list[dict]:
    if not drawn_last_run("arch_layers"):  # back from another page: Streamlit has dropped the editor's edits
        replace_rows(live_rows())
    frame = pd.DataFrame(st.session_state[BASE], columns=list(COLUMNS))
    frame.insert(0, "#", pd.array(range(1, len(frame) + 1), dtype="Int64"))
    edited = st.data_editor(frame, key=editor_key(), num_rows="dynamic", width="stretch", hide_index=True,
                            height=min(36 * (len(frame) + 2) + 4, 1200),  # every layer visible
                            disabled=["#"], column_config=_column_config())
    rows = [{k: _clean(row[k]) for k in COLUMNS} for row in edited.to_dict("records")]
    st.session_state[LIVE] = rows
    return rows


def _column_config() -> dict:
    number = st.column_config.NumberColumn
    return {
        "#": st.column_config.NumberColumn("#", help="Layer number, as error messages count", width=32),
        "layer": st.column_config.SelectboxColumn("layer", options=list(LAYER_TYPES), required=True, width=108),
        "size": number("size", min_value=1, max_value=4 * MAX_CHANNELS, step=1, width=64,
                       help="Output channels (Conv, blocks) or output features (Linear)"),
        "kernel": number("kernel", min_value=1, max_value=MAX_KERNEL, step=1, width=74,
                         help="Kernel side (Conv, NiN block) or window side (Pool)"),
        "stride": number("stride", min_value=1, max_value=MAX_KERNEL, step=1, width=74),
        "padding": number("pad", min_value=0, max_value=MAX_KERNEL, step=1, width=62),
        "option": st.column_config.TextColumn("option", help=OPTION_HELP, width=84),
    }


def _clean(value):
    """pandas' NaN for an empty cell becomes None; whole floats become ints."""
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() else value
    return value


def row_buttons(count: int) -> None:
    last = max(count, 1)
    st.session_state["arch_row"] = min(max(int(st.session_state.get("arch_row", 1)), 1), last)
    st.number_input("Layer", min_value=1, max_value=last, step=1, key="arch_row",
                    help="The layer the buttons below act on.")
    up, down, remove = st.columns(3)
    up.button("Up", key="arch_move_up", on_click=_on_move, args=(-1,), width="stretch", icon=":material/arrow_upward:")
    down.button("Down", key="arch_move_down", on_click=_on_move, args=(1,), width="stretch",
                icon=":material/arrow_downward:")
    remove.button("Remove", key="arch_remove", on_click=_on_remove, width="stretch", icon=":material/delete:")


def add_controls(count: int) -> None:
    kind, where = st.columns(2)
    kind.selectbox("Add a layer", list(LAYER_TYPES), key="arch_add_type")
    places = ["end", *range(1, count + 1)]
    keep_valid("arch_add_at", places, "end")  # a layer was removed
    where.selectbox("where", places, key="arch_add_at",
                    format_func=lambda p: "at the end" if p == "end" else f"before layer {p}")
    st.button("Add layer", key="arch_add", on_click=_on_add, width="stretch", icon=":material/add:")
