"""The builder's session state: what is loaded and from where, the editor's rows, the URL, and the
architecture chosen for training (read by the Train page).

Rows: the editor shows `arch_base_rows`; st.data_editor keeps the user's edits on top of it, and
`arch_live_rows` holds base + edits after each run. Structural changes (preset, add, move, remove,
import, Back) replace the rows and remount the editor under a new key.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from cnnviz.arch import DEFAULT_PRESET, PRESETS, Architecture, ArchitectureError, from_url_token, to_url_token
from cnnviz.arch.table import layer_to_row, rows_to_layers
from cnnviz.i18n import DEFAULT_LANGUAGE as EN, N_, Text, render, tr
from cnnviz.ui import lang as ui_lang
from cnnviz.ui.common import url_to_load

CURRENT_KEY = "arch_current"  # the Architecture that "use for training" chose
ON_SCREEN_KEY = "arch_on_screen"  # the last stack the builder showed that runs: what the Train page offers
QUERY_ARCH = "arch"  # ?arch=<token>: a whole architecture, compressed
QUERY_PRESET = "preset"  # ?preset=lenet: a preset by name
URL_PAGE = "builder"  # this page's name for common.url_to_load / url_written
BASE = "arch_base_rows"
LIVE = "arch_live_rows"
SOURCE = "arch_source"  # the Loaded the rows started from
VERSION = "arch_editor_version"
MESSAGE = "arch_message"  # (kind, text) shown once above the page: import results, a broken link
PRESET_KEY = "arch_preset"  # the preset box
INPUT_KEY = "arch_input"  # the input box: (channels, side, side) of the images the network takes
LOADED = "(loaded)"  # the preset box's entry for what was loaded when it is not a preset
FROM_LINK = Text(N_("from the link"))


@dataclass(frozen=True)
class Loaded:
    """An architecture the editor started from, and where it came from ("" for a preset)."""

    spec: Architecture
    origin: str = ""  # a Text ("imported from {file}"), shown in the reader's language

    @property
    def is_preset(self) -> bool:
        """A preset as defined, at its own input size (AlexNet at 96 is a variation, named as loaded)."""
        preset = PRESETS.get(self.spec.name)
        return preset is not None and (preset.layers, preset.input_shape) == (self.spec.layers, self.spec.input_shape)

    @property
    def option(self) -> str:
        """Its entry in the preset box."""
        return self.spec.name if self.is_preset else LOADED

    def label(self, lang: str = EN) -> str:
        """"lenet", or "my_net (imported from my_net.json)"."""
        if self.is_preset:
            return self.spec.name
        return tr(lang, N_("{name} ({origin})"), name=self.spec.name, origin=render(self.origin, lang))


def current_architecture() -> Architecture:
    """The architecture the Train page trains: the last one "use for training" chose, else the default preset."""
    spec = st.session_state.get(CURRENT_KEY)
    return spec if isinstance(spec, Architecture) else PRESETS[DEFAULT_PRESET]


def set_current_architecture(spec: Architecture) -> None:
    """"Use for training": the Train page trains `spec`, chosen in its box (its kept choice is dropped)."""
    st.session_state[CURRENT_KEY] = spec
    st.session_state[ON_SCREEN_KEY] = spec
    st.session_state.pop("train_arch", None)  # the Train page then opens on the builder's network
    st.session_state.get("train_saved_settings", {}).pop("train_arch", None)


def keep_on_screen(spec: Architecture) -> None:
    """The stack on screen, when it runs: the Train page offers it by its name, pressed or not."""
    st.session_state[ON_SCREEN_KEY] = spec


def builder_architecture() -> Architecture | None:
    """The builder's network for the Train page: the last one on screen that runs, else the one chosen for
    training; None when the builder has not been opened in this session."""
    spec = st.session_state.get(ON_SCREEN_KEY) or st.session_state.get(CURRENT_KEY)
    return spec if isinstance(spec, Architecture) else None


def architecture_from_params(params: dict) -> Architecture | None:
    """The architecture a URL's parameters name, None when they name none; raises ArchitectureError when broken."""
    if QUERY_ARCH in params:
        return from_url_token(params[QUERY_ARCH])
    if QUERY_PRESET in params:
        name = params[QUERY_PRESET]
        if name not in PRESETS:
            raise ArchitectureError(N_("the link names preset {name!r}; known presets: {known}"), name=name[:40],
                                    known=", ".join(PRESETS))
        return PRESETS[name]
    return None


def put_in_query(spec: Architecture) -> None:
    """Writes the architecture into the URL (a preset by name, anything else as a token) for sharing."""
    if PRESETS.get(spec.name) == spec:
        wanted = {QUERY_PRESET: spec.name}
    else:
        wanted = {QUERY_ARCH: to_url_token(spec)}
    current = st.query_params.to_dict()
    if {k: v for k, v in current.items() if k in (QUERY_ARCH, QUERY_PRESET)} != wanted:
        # One write, not a delete and then a set: each write is an entry in the browser's history, and
        # Back must undo a whole change.
        others = {k: v for k, v in current.items() if k not in (QUERY_ARCH, QUERY_PRESET)}
        st.query_params.from_dict({**others, **wanted})


def sync_with_url() -> None:
    """Call at the top of the page. The first run loads the link (else the architecture chosen for
    training); later runs load the URL when the browser's Back / Forward changed it, so Back undoes the
    last change. The page calls common.url_written after writing the URL."""
    params = url_to_load(URL_PAGE)
    if BASE not in st.session_state:
        spec = _from_params(params or {})
        if spec is not None:
            load(spec, FROM_LINK)
        else:
            load(current_architecture(), Text(N_("chosen for training")))
    elif params:
        spec = _from_params(params)
        working, error = rows_to_layers(live_rows())
        shown = (tuple(working), input_shape())
        if spec is not None and (error is not None or shown != (spec.layers, spec.input_shape)):
            load(spec, FROM_LINK)


def _from_params(params: dict) -> Architecture | None:
    try:
        return architecture_from_params(params)
    except ArchitectureError as exc:  # the layers on screen stay as they are
        st.session_state[MESSAGE] = ("error", ui_lang._("The architecture in the link could not be read: {error}")
                                     .format(error=ui_lang.render(exc)))
        return None


def source() -> Loaded:
    return st.session_state[SOURCE]


def load(spec: Architecture, origin: str = "") -> None:
    """Replaces the rows with `spec`'s layers and the input with its input; the preset box names it."""
    loaded = Loaded(spec, origin)
    st.session_state[SOURCE] = loaded
    st.session_state[PRESET_KEY] = loaded.option
    st.session_state[INPUT_KEY] = tuple(spec.input_shape)
    replace_rows([layer_to_row(layer) for layer in spec.layers])


def input_shape() -> tuple[int, int, int]:
    """The input the student chose (channels, side, side); what was loaded until the input box is drawn."""
    shape = st.session_state.get(INPUT_KEY)
    return tuple(shape) if shape else tuple(source().spec.input_shape)


def set_input_shape(shape) -> None:
    """For buttons that change the input (the "use the smallest size that works" fix); the layers stay."""
    st.session_state[INPUT_KEY] = tuple(shape)


def replace_rows(rows: list[dict]) -> None:
    st.session_state[BASE] = rows
    st.session_state[LIVE] = rows
    st.session_state[VERSION] = st.session_state.get(VERSION, 0) + 1


def editor_key() -> str:
    return f"arch_layers_{st.session_state[VERSION]}"


def live_rows() -> list[dict]:
    return [dict(row) for row in st.session_state[LIVE]]
