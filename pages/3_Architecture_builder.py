"""Build a CNN layer by layer and see every layer's output shape, parameters and cost, and where it breaks."""

from __future__ import annotations

import streamlit as st

from cnnviz.arch import INPUT_SHAPE, PRESETS, Architecture, ArchitectureError, trace_partial
from cnnviz.arch.table import rows_to_layers
from cnnviz.figures.arch import architecture_figure
from cnnviz.ui import arch_editor, arch_view
from cnnviz.ui.arch_state import put_in_query
from cnnviz.ui.common import page_setup

page_setup("Architecture builder")
# Room for the layer table: a minimum, so the user can still drag the sidebar wider; on a narrow screen
# (a projector at 1280 px) the table scrolls sideways instead of squeezing the diagram.
st.html("<style>section[data-testid='stSidebar'] {min-width: clamp(300px, 39vw, 620px);}</style>")
arch_editor.init_state()


def working_spec(rows: list[dict]) -> tuple[Architecture, list, ArchitectureError | None]:
    """The architecture of the table's rows, the traced rows, and the first problem (or None)."""
    layers, row_error = rows_to_layers(rows)
    name, description = st.session_state[arch_editor.SOURCE]
    if name in PRESETS and (tuple(layers) != PRESETS[name].layers or row_error):
        name, description = f"{name}_custom", f"Built in cnnviz's architecture builder, starting from {name}."
    spec = Architecture(name, description, tuple(layers))
    if not layers:
        error = row_error or ArchitectureError("the architecture has no layers; start from a preset or add a layer")
        return spec, [], error
    traced, error = trace_partial(spec, INPUT_SHAPE, None if row_error else 10)
    return spec, traced, error or row_error


def failing_kind(spec: Architecture, rows: list[dict], error: ArchitectureError | None) -> str:
    if error is None or error.layer_index is None:
        return ""
    i = error.layer_index - 1
    if i < len(spec.layers):
        return spec.layers[i].kind()
    return str(rows[i].get("layer") or "?") if i < len(rows) else "?"


with st.sidebar:
    st.header("Layers")
    rows = arch_editor.sidebar()

spec, traced, error = working_spec(rows)
kind = failing_kind(spec, rows, error)

st.title("Architecture builder")
st.caption("Each row on the left is a layer; input channels follow from the layer before. Edit a cell, add, "
           "move or remove layers, and every output shape, parameter count and cost below updates at once.")
message = st.session_state.pop(arch_editor.MESSAGE, None)
if message:
    (st.error if message[0] == "error" else st.success)(message[1])
if error is not None:
    st.error(f"This stack cannot run: {error}", icon=":material/error:")
else:
    put_in_query(spec)

arch_view.show_summary(traced)
failing = (error.layer_index, kind) if error is not None and error.layer_index is not None else None
st.plotly_chart(architecture_figure(INPUT_SHAPE, traced, failing), key="arch_diagram", width="stretch",
                config={"displayModeBar": False})
arch_view.show_layer_table(arch_view.layer_frame(traced, error, kind), key="arch_table")
arch_view.show_actions(spec, valid=error is None)
st.divider()
arch_view.show_comparison(traced, valid=error is None)
