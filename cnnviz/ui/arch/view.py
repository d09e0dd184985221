"""The architecture builder's main area: summary numbers, the per-layer table, exports and the comparison."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from cnnviz.arch import (
    PRESETS, Architecture, ArchitectureError, LayerRow, activation_memory, shape_text, to_code, to_json, trace,
)
from cnnviz.i18n import DEFAULT_LANGUAGE as EN, N_, render, tr
from cnnviz.ui import lang
from cnnviz.ui.arch.labels import input_label, network_title, preset_formatter, preset_names
from cnnviz.ui.arch.state import set_current_architecture, set_input_shape
from cnnviz.ui.lang import _

FAIL_STYLE = "background-color: #fde0dc; color: #a50e0e; font-weight: 600"
TOTAL_STYLE = "font-weight: 700; border-top: 2px solid #555"
FAILED = N_("✖ cannot run")


def human(n: float, unit: str = "") -> str:
    """61706 -> "61.7 K"; 833040 -> "833.0 K"; 28651264 -> "28.7 M"."""
    for size, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "K")):
        if n >= size:
            return f"{n / size:.1f} {prefix}{unit}"
    return f"{n:g} {unit}".strip()


def broken_at(rows: list[LayerRow], error: ArchitectureError | None) -> int | None:
    """The first layer that cannot run, so the totals of `rows` are partial; None when every layer ran
    (a stack whose only fault is its output size has whole totals)."""
    if error is None:
        return None
    index = error.layer_index or 1
    return index if index > len(rows) else None


def summary_numbers(rows: list[LayerRow], error: ArchitectureError | None = None,
                    input_shape=None, lang: str = EN) -> dict[str, str]:
    """The totals; for a stack broken at layer k, labelled as the totals of layers 1..k-1 only. Memory is per
    image: what a training forward keeps for the backward pass, and the most an inference forward holds at once."""
    return {label: value for _key, label, value in summary_entries(rows, error, input_shape, lang)}


def summary_entries(rows: list[LayerRow], error: ArchitectureError | None = None, input_shape=None,
                    lang: str = EN) -> list[tuple[str, str, str]]:
    """(English name, label in `lang`, value) of each total."""
    stop = broken_at(rows, error)
    part = "" if stop is None else tr(lang, N_(", {layers}"), layers=layers_text(stop, lang))
    output = f"{rows[-1].output_shape[0]}" if rows and len(rows[-1].output_shape) == 1 else (
        shape_text(rows[-1].output_shape) if rows else "-")
    shape = input_shape or (rows[0].input_shape if rows else (1, 28, 28))
    memory = activation_memory(rows, shape)
    if stop is not None:
        output = "✖ " + tr(lang, N_("layer {index}"), index=stop)
    elif error is not None:
        output += " ✖"  # every layer runs but the output is not one score per class
    entries = [
        (N_("Layers") if stop is None else N_("Layers that run"), "", str(len(rows))),
        (N_("Parameters"), part, f"{sum(r.params for r in rows):,}"),
        (N_("FLOPs / image"), part, human(sum(r.flops for r in rows))),
        (N_("Training memory"), part, tr(lang, N_("{activations} + {weights} weights"),
                                         activations=human(memory.training_bytes, "B"),
                                         weights=human(4 * sum(r.params for r in rows), "B"))),
        (N_("Inference peak"), part, human(memory.peak_bytes, "B")),
        (N_("Output shape"), "", output),
    ]
    return [(name, tr(lang, name) + extra, value) for name, extra, value in entries]


def layers_text(stop: int, lang: str = EN) -> str:
    """The layers a stack broken at layer `stop` still runs: "layers 1-5", "layer 1", "no layer"."""
    if stop <= 1:
        return tr(lang, N_("no layer"))
    return tr(lang, N_("layer 1")) if stop == 2 else tr(lang, N_("layers 1-{last}"), last=stop - 1)


METRIC_HELP = {  # only where a label cannot say it all: each help icon costs the row of totals some width
    "Training memory": N_("First, the activations one image leaves for the backward pass in a training forward "
                          "(float32): the image and every layer's outputs, inside blocks too. Then the weights "
                          "(float32, 4 bytes a parameter); their gradients take as much again."),
    "Inference peak": N_("The most activation memory alive at once in an inference forward of one image "
                         "(float32): a layer's input and output, and a block's branches. Weights not included."),
}


def show_summary(rows: list[LayerRow], error: ArchitectureError | None = None, input_shape=None) -> None:
    """The totals side by side; on a narrow screen (a projector at 1280 px) they wrap instead of truncating."""
    with st.container(horizontal=True, gap="small", key="arch_summary"):
        for name, label, value in summary_entries(rows, error, input_shape, lang.current()):
            st.metric(label, value, width="content", help=_(METRIC_HELP[name]) if name in METRIC_HELP else None)


def offer_input_fix(error: ArchitectureError, input_shape) -> None:
    """For an input too small for the network: one click sets the smallest input that works; the layers stay."""
    side = error.min_input_side
    if side is None:
        return
    st.button(_("Use {input} input, the smallest that works").format(input=input_label((input_shape[0], side, side))),
              key="arch_fit_input", on_click=set_input_shape, args=((input_shape[0], side, side),),
              icon=":material/aspect_ratio:", help=_("Changes only the input size; every layer stays as it is."))


def layer_frame(rows: list[LayerRow], error: ArchitectureError | None = None, failing_kind: str = "",
                lang: str = EN) -> pd.DataFrame:
    """One line per layer, then the failing layer (if it did not run) with its explanation, then the totals
    (all as text, in `lang`; the column names stay English, the page labels them). The failing layer's line
    carries the problem."""
    lines = [{"#": str(r.index), "name": r.name, "layer": render(r.kind, lang),
              "output": render(shape_text(r.output_shape), lang), "params": f"{r.params:,}", "FLOPs": f"{r.flops:,}",
              **field_cells(r, lang), "memory KB": f"{r.activation_bytes / 1000:,.1f}",
              "peak KB": f"{r.peak_bytes / 1000:,.1f}"} for r in rows]
    blank = dict.fromkeys(("RF", "jump", "start", "memory KB", "peak KB"), "")
    stop = broken_at(rows, error)
    if stop is not None and error.layer_index is not None:
        lines.append({"#": str(stop), "name": "", "layer": render(failing_kind, lang), "output": tr(lang, FAILED),
                      "params": "", "FLOPs": "", **blank})
    total = tr(lang, N_("total")) if stop is None else tr(lang, N_("total, {layers}"), layers=layers_text(stop, lang))
    lines.append({"#": "", "name": total, "layer": "",
                  "output": render(shape_text(rows[-1].output_shape), lang) if rows else "",
                  "params": f"{sum(r.params for r in rows):,}", "FLOPs": f"{sum(r.flops for r in rows):,}",
                  **blank, "memory KB": f"{sum(r.activation_bytes for r in rows) / 1000:,.1f}"})
    frame = pd.DataFrame(lines)
    if error is not None:
        frame["problem"] = [""] * len(frame)
        if error.layer_index is not None:
            # the sentence after "layer 7, MaxPool2d 2x2: " (a full-width colon in Chinese)
            frame.loc[frame["#"] == str(error.layer_index), "problem"] = re.split(r": |：", error.render(lang), 1)[-1]
    return frame


def field_cells(row: LayerRow, lang: str = EN) -> dict[str, str]:
    """The receptive field of one unit of the row's output on the input: size per side, jump, start; "whole
    image" for a vector out of a dense layer or a global pool, whose one unit is connected to every pixel."""
    field = row.receptive_field
    if field is None:
        return {"RF": "", "jump": "", "start": ""}
    if field.units == 1 and len(row.output_shape) == 1:
        return {"RF": tr(lang, N_("whole image")), "jump": "", "start": ""}
    return {"RF": f"{field.size}×{field.size}", "jump": str(field.jump), "start": str(field.start)}


# Shown on request: without them the table fits a 1280-pixel projector (the totals show FLOPs and memory).
MORE_COLUMNS = ("FLOPs", "memory KB", "peak KB")
RF_CAPTION = N_(
    "**RF**: the receptive field, the input pixels per side that one unit of this layer's output sees "
    "(d2l 7.2.6 \"Feature Map and Receptive Field\", zh 6.2.6); a dense layer sees every pixel. **jump**: input "
    "pixels between neighbouring units, the product of the strides so far. **start**: the first input pixel "
    "of the first unit's field; negative when it begins in the padding.")
# The per-layer table's column names (English, as tests and code read them) and how the page labels them.
HEADERS = {"#": "#", "name": N_("name"), "layer": N_("layer"), "output": N_("output"), "params": N_("params"),
           "FLOPs": "FLOPs", "RF": N_("RF"), "jump": N_("jump"), "start": N_("start"), "memory KB": N_("memory KB"),
           "peak KB": N_("peak KB"), "problem": N_("problem")}


def show_trace(rows: list[LayerRow], error: ArchitectureError | None, failing_kind: str) -> None:
    """The per-layer table with its receptive-field columns; FLOPs and memory per layer behind a toggle."""
    more = st.toggle(_("FLOPs and memory per layer"), key="arch_table_memory",
                     help=_("FLOPs of each layer for one image; the memory its training forward creates, and its "
                            "inference peak (input included)."))
    frame = layer_frame(rows, error, failing_kind, lang.current())
    if not more:
        frame = frame.drop(columns=list(MORE_COLUMNS))
    show_layer_table(frame, key="arch_table")
    st.caption(_(RF_CAPTION))


def show_layer_table(frame: pd.DataFrame, key: str) -> None:
    def style(line: pd.Series) -> list[str]:
        if line.get("problem") or str(line["output"]).startswith("✖"):
            return [FAIL_STYLE] * len(line)
        return [TOTAL_STYLE if line["layer"] == "" else ""] * len(line)  # only the totals line has no layer

    widths = {"#": 32, "name": 62, "layer": 160, "output": 92, "params": 84, "FLOPs": 100, "RF": 62, "jump": 42,
              "start": 44, "memory KB": 84, "peak KB": 84}
    if lang.current() != EN:  # Chinese names are longer than "RF" or "jump": wider columns
        widths |= {"layer": 150, "RF": 72, "jump": 56, "start": 56, "memory KB": 90, "peak KB": 90}
    config = {name: st.column_config.TextColumn(_(HEADERS[name]), width=width)  # room for the problem text
              for name, width in widths.items()}
    config["problem"] = st.column_config.TextColumn(_(HEADERS["problem"]), width="large")
    with st.container(key=key):
        st.dataframe(frame.style.apply(style, axis=1), hide_index=True, width="stretch", height="content",
                     column_config=config)


def show_actions(spec: Architecture, valid: bool, on_import) -> None:
    """Use for training and the two downloads (only for a stack that runs), and the JSON import."""
    actions = st.container(horizontal=True, key="arch_actions")  # wraps on a narrow screen, never truncates
    actions.button(_("Use for training"), key="arch_use_for_training", type="primary", disabled=not valid,
                   on_click=set_current_architecture, args=(spec,), icon=":material/model_training:",
                   help=_("The Train page will train this architecture."))
    actions.download_button(_("Download PyTorch code"), data=to_code(spec) if valid else "",
                            file_name=f"{spec.name}.py", mime="text/x-python", key="arch_download_code",
                            disabled=not valid, icon=":material/code:", on_click="ignore")
    actions.download_button(_("Download JSON"), data=to_json(spec) if valid else "", file_name=f"{spec.name}.json",
                            mime="application/json", key="arch_download_json", disabled=not valid,
                            icon=":material/download:", on_click="ignore")
    with actions.popover(_("Import JSON"), icon=":material/upload:"):
        st.file_uploader(_("A file saved with 'Download JSON'"), type=["json"], key="arch_import",
                         on_change=on_import, help=_("It is checked before it replaces the layers."))
    if valid:
        st.caption(_("The Train page offers this network as **{name}**. The address bar holds this architecture: "
                     "copy the link to share it.").format(name=network_title(spec, lang.current())))


def comparison_frame(current: list[LayerRow], other: list[LayerRow], other_name: str,
                     runs: bool = True, lang: str = EN) -> pd.DataFrame:
    """The two stacks' totals side by side; a stack that cannot run compares nothing ("—")."""
    theirs = summary_numbers(other, lang=lang)
    if runs:
        mine = list(summary_numbers(current, lang=lang).values())
        return pd.DataFrame({"": list(theirs), tr(lang, N_("this stack")): mine, other_name: list(theirs.values())})
    return pd.DataFrame({"": list(theirs), tr(lang, N_("this stack (cannot run)")): ["—"] * len(theirs),
                         other_name: list(theirs.values())})


def show_comparison(current: list[LayerRow], error: ArchitectureError | None, failing_kind: str) -> None:
    reader = lang.current()
    st.subheader(_("Compare with a preset"))
    name = st.selectbox(_("Preset"), preset_names(), key="arch_compare", format_func=preset_formatter(reader))
    other = trace(PRESETS[name], PRESETS[name].input_shape)
    st.dataframe(comparison_frame(current, other, name, runs=error is None, lang=reader), hide_index=True)
    if error is not None:
        st.caption(_("This stack cannot run, so it has no totals to compare; its layers up to the failing one "
                     "are listed below."))
    st.caption(_(PRESETS[name].description))
    left, right = st.columns(2)
    columns = ["name", "layer", "output", "params"]
    with left:
        st.markdown(_("**This stack**") + ("" if error is None else _(" (cannot run: up to the failing layer)")))
        show_layer_table(layer_frame(current, error, failing_kind, reader)[columns], key="arch_compare_left")
    with right:
        st.markdown(f"**`{name}`**")  # the preset's name, as code and links spell it
        show_layer_table(layer_frame(other, lang=reader)[columns], key="arch_compare_right")
