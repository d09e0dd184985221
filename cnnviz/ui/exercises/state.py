"""The Exercises page's filters: kept across pages, and in the URL (the app's url_state codec) so another
page can link to "its" exercises (?section=7.3) and a teacher can share a filtered list."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from cnnviz.exercises.catalog import KINDS, SECTIONS
from cnnviz.ui import lang, url_state
from cnnviz.ui.common import keep_widgets
from cnnviz.ui.url_state import Param

URL_PAGE = "exercises"
ALL = "all"
LANGS = ("en", "zh")
MAX_QUERY = 100  # characters of search text a link may carry
SECTION_OPTIONS = (ALL, *(s.en for s in SECTIONS))
KIND_OPTIONS = (ALL, *KINDS)
# The statements' language is "text", not "lang": `lang` is the whole app's interface language.
PARAMS: dict[str, Param] = {
    "q": Param("ex_query", "", allowed=lambda text: len(text) <= MAX_QUERY),
    "section": Param("ex_section", ALL, allowed=SECTION_OPTIONS),
    "kind": Param("ex_kind", ALL, allowed=KIND_OPTIONS),
    "text": Param("ex_lang", "en", allowed=LANGS),
}


def _params() -> dict[str, Param]:
    """PARAMS with the statements' default in the app's language: a reader of the zh edition sees them in
    Chinese, and a link without `text` opens them in the language it is read in."""
    return {**PARAMS, "text": replace(PARAMS["text"], default=lang.current())}


def load_from_url() -> list[str]:
    """The link's filters into the widgets when the page should load them; returns what was ignored."""
    return url_state.load(URL_PAGE, _params())


def keep_widget_state() -> None:
    keep_widgets({p.key: p.default for p in _params().values()}, "ex_saved")


def value(name: str) -> str:
    param = _params()[name]
    return st.session_state.get(param.key, param.default)


def save_to_url() -> None:
    url_state.save(URL_PAGE, _params())


def link(**values: str) -> dict[str, str]:
    """The query of a link to the Exercises page, e.g. link(section="7.3") from page 1."""
    return url_state.link(PARAMS, values)
