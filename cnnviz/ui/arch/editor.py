"""The architecture builder's sidebar: the preset box, the layer table and the buttons that add, move and
remove layers. The state behind them (rows, what was loaded, the URL) lives in arch_state."""

from __future__ import annotations

import math
from functools import partial

import pandas as pd
import streamlit as st

from cnnviz.arch import INPUT_SHAPE, LAYER_TYPES, MAX_LAYERS, PRESETS, ArchitectureError, from_json
from cnnviz.arch.table import COLUMNS, DEFAULT_LAYERS, OPTION_HELP, layer_to_row, option_choices, option_label
from cnnviz.i18n import N_, Text
from cnnviz.ui import lang
from cnnviz.ui.arch import state as arch_state
from cnnviz.ui.arch.labels import input_label, layer_type_formatter, preset_formatter, preset_names
from cnnviz.ui.arch.state import (
    BASE, INPUT_KEY, LIVE, LOADED, MESSAGE, PRESET_KEY, VERSION, input_shape, live_rows, load, replace_rows,
)
from cnnviz.ui.common import drawn_last_run, keep_valid, keep_widgets
from cnnviz.ui.lang import _
from cnnviz.ui import lesson

ROW_HEIGHT = 32  # px per table row: a 14-layer network fits a 720-pixel projector's first screen
# The input sizes offered: Fashion-MNIST's own 28, CIFAR's 32, and the sizes the book resizes to (96, 224).
INPUT_SIDES = (28, 32, 64, 96, 224)
INPUT_CHANNELS = (1, 3)  # grey (Fashion-MNIST) or colour
DEFAULTS = {  # widget key -> initial value (keep_widgets holds them while the student is on other pages)
    PRESET_KEY: LOADED, INPUT_KEY: INPUT_SHAPE, "arch_row": 1, "arch_add_type": next(iter(LAYER_TYPES)),
    "arch_add_at": "end",
    "arch_compare": "lenet",
}


def init_state() -> None:
    """Every run: loads the link on the first run or after Back / Forward (arch_state.sync_with_url), then
    keeps the sidebar's settings while the student was on other pages."""
    arch_state.sync_with_url()
    keep_widgets(DEFAULTS, "arch_saved_settings")


def _on_preset() -> None:
    name = st.session_state[PRESET_KEY]
    if name in PRESETS:
        load(PRESETS[name])


def _on_reset() -> None:
    loaded = arch_state.source()
    load(loaded.spec, loaded.origin)


def _on_add() -> None:
    rows = live_rows()
    if len(rows) >= MAX_LAYERS:
        st.session_state[MESSAGE] = ("error", _("At most {limit} layers; remove one first.").format(limit=MAX_LAYERS))
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


def _on_branches(index: int, key: str) -> None:
    rows = live_rows()
    rows[index - 1]["option"] = st.session_state[key].strip()
    replace_rows(rows)


def on_import() -> None:
    upload = st.session_state.get("arch_import")
    if upload is None:
        return
    try:
        spec = from_json(upload.getvalue())
    except ArchitectureError as exc:  # the user's current layers stay as they are
        st.session_state[MESSAGE] = ("error", _("{file} was not imported: {error}").format(file=upload.name,
                                                                                          error=lang.render(exc)))
        return
    load(spec, Text(N_("imported from {file}"), file=upload.name))
    st.session_state[MESSAGE] = ("success", _("Imported {name!r} ({count} layers) from {file}.").format(
        name=spec.name, count=len(spec.layers), file=upload.name))


def sidebar() -> list[dict]:
    """Draws the sidebar controls; returns the rows as the user sees them now (base + edits)."""
    preset_box()
    with st.container(key="arch_editor"):
        rows = layer_editor()
    row_buttons(rows)
    add_controls(len(rows))
    return rows


def preset_box() -> None:
    """The preset box names what is loaded: a preset, or an imported file or a link as an extra entry; beside
    it the input the network takes and the reset button."""
    loaded = arch_state.source()
    options = preset_names() if loaded.is_preset else [LOADED, *preset_names()]
    keep_valid(PRESET_KEY, options, loaded.option)
    box, size, reset = st.columns([11, 4, 2], vertical_alignment="bottom", gap="small")
    reader = lang.current()
    lesson.widget(box.selectbox, _("Start from"), options, key=PRESET_KEY, on_change=_on_preset,
                  format_func=preset_formatter(reader, loaded.label(reader), LOADED),
                  help=_("A preset replaces the layers below with its own, at its own input size."))
    with size:
        input_box()
    reset.button("", key="arch_reset", on_click=_on_reset, width="stretch", icon=":material/undo:",
                 help=_("Reset: undo every change since {name} was loaded.").format(name=loaded.label(reader)))


def input_options(current) -> list[tuple[int, int, int]]:
    """Grey and colour images at every offered side, and the current input if it is none of them (a link at 65)."""
    offered = [(c, s, s) for c in INPUT_CHANNELS for s in INPUT_SIDES]
    return sorted(set(offered) | {tuple(current)})


def input_box() -> None:
    """The images the network takes; the layers stay as they are when it changes."""
    current = input_shape()
    options = input_options(current)
    keep_valid(INPUT_KEY, options, current)
    lesson.widget(st.selectbox, _("Input"), options, key=INPUT_KEY, format_func=input_label,
                  help=_("The images the network takes, pixels per side (3x... for colour). Fashion-MNIST is "
                         "28×28; the book resizes it to 224×224 for AlexNet, VGG and NiN, and 96×96 for GoogLeNet."))


def layer_editor() -> list[dict]:
    if not drawn_last_run("arch_layers"):  # back from another page: Streamlit has dropped the editor's edits
        replace_rows(live_rows())
    frame = pd.DataFrame(st.session_state[BASE], columns=list(COLUMNS))
    frame.insert(0, "#", pd.array(range(1, len(frame) + 1), dtype="Int64"))
    # Fixed rows: the buttons below add, move and remove layers, and the grid needs no checkbox column.
    edited = st.data_editor(frame, key=arch_state.editor_key(), num_rows="fixed", width="stretch",
                            hide_index=True, row_height=ROW_HEIGHT, height=ROW_HEIGHT * (len(frame) + 1) + 3,
                            placeholder="",  # a cell the layer does not use stays blank, not "None"
                            disabled=["#"], column_config=_column_config(st.session_state[BASE]))
    rows = [{k: _clean(row[k]) for k in COLUMNS} for row in edited.to_dict("records")]
    if _defaults_for_new_types(rows):
        st.rerun()  # remount the editor to show the new type's cells
    st.session_state[LIVE] = rows
    return rows


def _defaults_for_new_types(rows: list[dict]) -> bool:
    """A row whose type was just changed takes that type's default cells: a Pool keeps no "sigmoid"."""
    before = st.session_state[LIVE]
    changed = [i for i, (old, new) in enumerate(zip(before, rows))
               if new["layer"] != old.get("layer") and new["layer"] in DEFAULT_LAYERS]
    for i in changed:
        rows[i] = layer_to_row(DEFAULT_LAYERS[rows[i]["layer"]])
    if changed:
        replace_rows(rows)
    return bool(changed)


def _column_config(rows: list[dict]) -> dict:
    # No min / max on the numbers: the grid would clamp a typed 30 to 28 without a word; the table's
    # checks refuse it and say why ("kernel must be between 1 and 28, got 30").
    number = st.column_config.NumberColumn
    # Chinese headers are two or three characters a full em wide each (beside the grid's edit icon): the number
    # columns share out the width "kernel" and "stride" need in English.
    wide = lang.current() != "en"
    return {
        "#": number("#", help=_("Layer number, as error messages count"), width=28),
        "layer": st.column_config.SelectboxColumn(_("layer"), options=list(LAYER_TYPES), required=True,
                                                  format_func=layer_type_formatter(lang.current()), width=100),
        "size": number(_("out"), step=1, width=64 if wide else 54,
                       help=_("Output channels (Conv, blocks) or output features (Linear)")),
        "kernel": number(_("kernel"), step=1, width=76 if wide else 80,
                         help=_("Kernel side (Conv, NiN block) or window side (Pool)")),
        "stride": number(_("stride"), step=1, width=64 if wide else 76),
        "padding": number(_("pad"), step=1, width=64 if wide else 62),
        "dilation": number(_("dil"), step=1, width=64 if wide else 54,
                           help=_("Conv: dilation, the gap between the kernel's taps (1 = none; d2l 7.3 exercises). "
                                  "A 3×3 kernel with dilation 2 spans 5×5.")),
        "option": st.column_config.SelectboxColumn(_("option"), options=option_choices(rows),
                                                   format_func=partial(option_label, lang=lang.current()),
                                                   help=_(OPTION_HELP), width=68 if wide else 72),
    }


def _clean(value):
    """pandas' NaN for an empty cell becomes None; whole floats become ints."""
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() else value
    return value


def row_buttons(rows: list[dict]) -> None:
    last = max(len(rows), 1)
    st.session_state["arch_row"] = min(max(int(st.session_state.get("arch_row", 1)), 1), last)
    number, up, down, remove = st.columns([2, 1, 1, 1], vertical_alignment="bottom")
    number.number_input(_("Layer"), min_value=1, max_value=last, step=1, key="arch_row",
                        help=_("The layer the buttons beside act on."))
    up.button("", key="arch_move_up", on_click=_on_move, args=(-1,), width="stretch",
              icon=":material/arrow_upward:", help=_("Move this layer up"))
    down.button("", key="arch_move_down", on_click=_on_move, args=(1,), width="stretch",
                icon=":material/arrow_downward:", help=_("Move this layer down"))
    remove.button("", key="arch_remove", on_click=_on_remove, width="stretch", icon=":material/delete:",
                  help=_("Remove this layer"))
    index = st.session_state["arch_row"]
    if rows and rows[index - 1]["layer"] == "InceptionBlock":  # too many combinations for a drop-down
        key = f"arch_inception_{st.session_state[VERSION]}_{index}"
        st.text_input(_("Branches of layer {index}: c1, c2_reduce>c2, c3_reduce>c3, c4").format(index=index), key=key,
                      value=str(rows[index - 1]["option"] or ""), on_change=_on_branches, args=(index, key),
                      help=_("Channels of the four paths of d2l's Inception block, e.g. 16, 24>32, 4>8, 8."))


def add_controls(count: int) -> None:
    kind, where, add = st.columns([4, 4, 3], vertical_alignment="bottom")
    kind.selectbox(_("Add a layer"), list(LAYER_TYPES), key="arch_add_type",
                   format_func=layer_type_formatter(lang.current()))
    places = ["end", *range(1, count + 1)]
    keep_valid("arch_add_at", places, "end")  # a layer was removed
    at_end, before = _("at the end"), _("before layer {index}")  # bound now: Streamlit formats outside the run
    where.selectbox(_("where"), places, key="arch_add_at",
                    format_func=lambda p: at_end if p == "end" else before.format(index=p))
    add.button(_("Add"), key="arch_add", on_click=_on_add, width="stretch", icon=":material/add:")
