"""The architecture builder's main area: summary numbers, the per-layer table, exports and the comparison."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cnnviz.arch import (
    INPUT_SHAPE, PRESETS, Architecture, ArchitectureError, LayerRow, shape_text, to_code, to_json, trace,
)
from cnnviz.ui.arch_state import current_architecture, set_current_architecture

FAIL_STYLE = "background-color: #fde0dc; color: #a50e0e; font-weight: 600"
TOTAL_STYLE = "font-weight: 700; border-top: 2px solid #555"
FAILED = "✖ cannot run"


def human(n: float, unit: str = "") -> str:
    """61706 -> "61.7 K"; 833040 -> "833.0 K"; 28651264 -> "28.7 M"."""
    for size, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "K")):
        if n >= size:
            return f"{n / size:.1f} {prefix}{unit}"
    return f"{n:g} {unit}".strip()


def summary_numbers(rows: list[LayerRow]) -> dict[str, str]:
    return {
        "Layers": str(len(rows)),
        "Parameters": f"{sum(r.params for r in rows):,}",
        "FLOPs per image": human(sum(r.flops for r in rows)),
        "Activations per image": human(sum(r.activation_bytes for r in rows), "B"),
        "Output shape": shape_text(rows[-1].output_shape).removesuffix(" features") if rows else "-",
    }


def show_summary(rows: list[LayerRow]) -> None:
    """The totals side by side; on a narrow screen (a projector at 1280 px) they wrap instead of truncating."""
    with st.container(horizontal=True, gap="medium"):
        for label, value in summary_numbers(rows).items():
            st.metric(label, value, width="content")


def layer_frame(rows: list[LayerRow], error: ArchitectureError | None = None, failing_kind: str = "") -> pd.DataFrame:
    """One line per layer, then the failing layer (if any) with its explanation, then the totals (all as text)."""
    lines = [{"#": str(r.index), "name": r.name, "layer": r.kind, "output": shape_text(r.output_shape),
              "params": f"{r.params:,}", "FLOPs": f"{r.flops:,}", "memory (KB)": f"{r.activation_bytes / 1000:,.1f}"}
             for r in rows]
    if error is not None and error.layer_index is not None:
        lines.append({"#": str(error.layer_index), "name": "", "layer": failing_kind, "output": FAILED,
                      "params": "", "FLOPs": "", "memory (KB)": ""})
    lines.append({"#": "", "name": "total", "layer": "", "output": shape_text(rows[-1].output_shape) if rows else "",
                  "params": f"{sum(r.params for r in rows):,}", "FLOPs": f"{sum(r.flops for r in rows):,}",
                  "memory (KB)": f"{sum(r.activation_bytes for r in rows) / 1000:,.1f}"})
    frame = pd.DataFrame(lines)
    if error is not None:
        frame["problem"] = [""] * len(frame)
        if error.layer_index is not None:
            frame.loc[len(frame) - 2, "problem"] = str(error).split(": ", 1)[-1]
    return frame


def show_layer_table(frame: pd.DataFrame, key: str) -> None:
    def style(line: pd.Series) -> list[str]:
        if line["output"] == FAILED:
            return [FAIL_STYLE] * len(line)
        return [TOTAL_STYLE if line["name"] == "total" else ""] * len(line)

    narrow = {name: st.column_config.TextColumn(name, width=width)  # room for the problem text
              for name, width in (("#", 36), ("name", 90), ("output", 100), ("params", 80), ("FLOPs", 90),
                                  ("memory (KB)", 96))}
    with st.container(key=key):
        st.dataframe(frame.style.apply(style, axis=1), hide_index=True, width="stretch", height="content",
                     column_config={**narrow, "problem": st.column_config.TextColumn("problem", width="large")})


def show_actions(spec: Architecture, valid: bool) -> None:
    """Use for training, and the two downloads (only for a stack that runs)."""
    train, code, json_file = st.columns(3)
    train.button("Use for training", key="arch_use_for_training", type="primary", disabled=not valid,
                 on_click=set_current_architecture, args=(spec,), icon=":material/model_training:", width="stretch",
                 help="The Train page will train this architecture.")
    code.download_button("Download PyTorch code", data=to_code(spec) if valid else "", file_name=f"{spec.name}.py",
                         mime="text/x-python", key="arch_download_code", disabled=not valid, width="stretch",
                         icon=":material/code:", on_click="ignore")
    json_file.download_button("Download JSON", data=to_json(spec) if valid else "", file_name=f"{spec.name}.json",
                              mime="application/json", key="arch_download_json", disabled=not valid,
                              width="stretch", icon=":material/download:", on_click="ignore")
    chosen = current_architecture()
    same = "this architecture" if chosen == spec else f"**{chosen.name}** ({len(chosen.layers)} layers)"
    st.caption(f"The Train page trains {same}. The address bar holds this architecture: copy the link to share it.")


def comparison_frame(current: list[LayerRow], other: list[LayerRow], other_name: str) -> pd.DataFrame:
    mine, theirs = summary_numbers(current), summary_numbers(other)
    return pd.DataFrame({"": list(mine), "this stack": list(mine.values()), other_name: list(theirs.values())})


def show_comparison(current: list[LayerRow], valid: bool) -> None:
    st.subheader("Compare with a preset")
    name = st.selectbox("Preset", list(PRESETS), key="arch_compare")
    other = trace(PRESETS[name], INPUT_SHAPE)
    st.dataframe(comparison_frame(current, other, name), hide_index=True)
    st.caption(PRESETS[name].description)
    left, right = st.columns(2)
    columns = ["name", "layer", "output", "params"]
    with left:
        st.markdown("**This stack**" + ("" if valid else " (up to the failing layer)"))
        show_layer_table(layer_frame(current)[columns], key="arch_compare_left")
    with right:
        st.markdown(f"**{name}**")
        show_layer_table(layer_frame(other)[columns], key="arch_compare_right")
