"""The session's architectures: the one chosen for training (read by the Train page) and the link form."""

from __future__ import annotations

import streamlit as st

from cnnviz.arch import DEFAULT_PRESET, PRESETS, Architecture, ArchitectureError, from_url_token, to_url_token

CURRENT_KEY = "arch_current"  # the Architecture that "use for training" chose
QUERY_ARCH = "arch"  # ?arch=<token>: a whole architecture, compressed
QUERY_PRESET = "preset"  # ?preset=lenet: a preset by name


def current_architecture() -> Architecture:
    """The architecture the Train page trains: the last one "use for training" chose, else the default preset."""
    spec = st.session_state.get(CURRENT_KEY)
    return spec if isinstance(spec, Architecture) else PRESETS[DEFAULT_PRESET]


def set_current_architecture(spec: Architecture) -> None:
    st.session_state[CURRENT_KEY] = spec


def architecture_from_query() -> Architecture | None:
    """The architecture in the page's URL, None when there is none; raises ArchitectureError when it is broken."""
    params = st.query_params
    if QUERY_ARCH in params:
        return from_url_token(params[QUERY_ARCH])
    if QUERY_PRESET in params:
        name = params[QUERY_PRESET]
        if name not in PRESETS:
            raise ArchitectureError(f"the link names preset {name[:40]!r}; known presets: {', '.join(PRESETS)}")
        return PRESETS[name]
    return None


def put_in_query(spec: Architecture) -> None:
    """Writes the architecture into the URL (a preset by name, anything else as a token) for sharing."""
    if PRESETS.get(spec.name) == spec:
        wanted = {QUERY_PRESET: spec.name}
    else:
        wanted = {QUERY_ARCH: to_url_token(spec)}
    current = {k: st.query_params[k] for k in (QUERY_ARCH, QUERY_PRESET) if k in st.query_params}
    if current != wanted:  # writing the same value again would still cost a message to the browser
        for key in (QUERY_ARCH, QUERY_PRESET):
            if key in st.query_params and key not in wanted:
                del st.query_params[key]
        st.query_params.update(wanted)
