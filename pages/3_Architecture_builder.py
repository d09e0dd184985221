"""Build a CNN layer by layer and see every layer's output shape, parameters and cost, and where it breaks."""

from __future__ import annotations

import streamlit as st

from cnnviz.arch import NUM_CLASSES, PRESETS, Architecture, ArchitectureError, trace_partial
from cnnviz.arch.table import rows_to_layers
from cnnviz.figures.arch import architecture_figure
from cnnviz.ui.arch import editor as arch_editor
from cnnviz.ui.arch import stacks as arch_stacks
from cnnviz.ui.arch import view as arch_view
from cnnviz.ui.arch.state import (INPUT_KEY, MESSAGE, PRESET_KEY, URL_PAGE, input_shape, keep_on_screen, put_in_query,
                                  source)
from cnnviz.i18n import N_
from cnnviz.ui.common import chart, intro, page_setup, url_written
from cnnviz.ui.lang import _, current, render
from cnnviz.ui import lesson, lesson_link

# The layer table first in the sidebar, below the menu folded into one button: on a 720-pixel projector the
# whole table of a LeNet-sized network then shows without scrolling, and every page is one click away.
menu_box, tools = st.sidebar.container(), st.sidebar.container()
page_setup(N_("Architecture builder"), menu_box=menu_box)
# Room for the layer table (a minimum: the user can still drag the sidebar wider); the main area's side
# padding shrinks so the diagram keeps its width on a 1280-pixel projector; the totals in smaller type.
st.html("""<style>
section[data-testid='stSidebar'] {min-width: clamp(300px, 46.5vw, 680px);}
.stMainBlockContainer {padding-left: 2rem; padding-right: 2rem;}
.st-key-arch_summary [data-testid='stMetricValue'],
.st-key-arch_summary [data-testid='stMetricValue'] p {font-size: 1.4rem;}
.st-key-arch_summary [data-testid='stMetricLabel'] p {font-size: 0.85rem;}
</style>""")
arch_editor.init_state()
lesson.begin("builder", {"preset": PRESET_KEY, "input": INPUT_KEY})  # before the editor's widgets


def working_spec(rows: list[dict]) -> tuple[Architecture, list, ArchitectureError | None]:
    """The architecture of the table's rows, the traced rows, and the first problem (or None)."""
    layers, row_error = rows_to_layers(rows)
    loaded, shape = source().spec, input_shape()
    name, description = loaded.name, loaded.description
    if tuple(layers) != loaded.layers or shape != loaded.input_shape or row_error:
        if name in PRESETS:
            name, description = f"{name}_custom", f"Built in cnnviz's architecture builder, starting from {name}."
    spec = Architecture(name, description, tuple(layers), shape)
    if not layers:
        error = row_error or ArchitectureError(N_("the architecture has no layers; start from a preset or add a layer"))
        return spec, [], error
    traced, error = trace_partial(spec, spec.input_shape, None if row_error else NUM_CLASSES)
    return spec, traced, error or row_error


def failing_kind(spec: Architecture, rows: list[dict], error: ArchitectureError | None) -> str:
    if error is None or error.layer_index is None:
        return ""
    i = error.layer_index - 1
    if i < len(spec.layers):
        return spec.layers[i].kind()
    return str(rows[i].get("layer") or "?") if i < len(rows) else "?"


with tools:
    rows = arch_editor.sidebar()
    st.divider()

spec, traced, error = working_spec(rows)
kind = failing_kind(spec, rows, error)

SUMMARY = N_("Each row on the left is a layer: edit, add, move or remove one and every shape and cost follows.")
DETAILS = N_(
    "Input channels follow from the layer before, so a row never asks for them. A blank cell takes the "
    "layer's default. **Input** sets the images the network takes: a preset brings the book's own size "
    "(224×224 for AlexNet, VGG and NiN, 96×96 for GoogLeNet), and an input too small for the layers names "
    "the layer that breaks and offers the smallest size that works. The table's RF, jump and start columns "
    "give each layer's receptive field on the input; below it, two stacks of convolutions compare side by "
    "side (d2l 8.2: three 3×3 see what one 7×7 sees, with fewer parameters). A stack that cannot run "
    "names its first failing layer and what to change; the address bar always holds the last stack that runs, "
    "so the browser's Back undoes a change and the link shares the architecture.")
st.title(_("Architecture builder"))
intro(_(SUMMARY), _(DETAILS))
message = st.session_state.pop(MESSAGE, None)
if message:
    (st.error if message[0] == "error" else st.success)(message[1])
if error is not None:
    st.error(_("This stack cannot run: {error}").format(error=render(error)), icon=":material/error:")
    arch_view.offer_input_fix(error, spec.input_shape)
else:
    put_in_query(spec)
    keep_on_screen(spec)
url_written(URL_PAGE)

arch_view.show_summary(traced, error, spec.input_shape)
stop = arch_view.broken_at(traced, error)  # the diagram adds a red block for a layer that did not run
failing = (stop, kind) if stop is not None and error.layer_index is not None else None
chart(architecture_figure(spec.input_shape, traced, failing, lang=current()), key="arch_diagram")
arch_view.show_trace(traced, error, kind)
arch_view.show_actions(spec, valid=error is None, on_import=arch_editor.on_import)
arch_stacks.show_stacks()
st.divider()
arch_view.show_comparison(traced, error, kind)
lesson_link.panel("builder")
