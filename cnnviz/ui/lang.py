"""The reader's language on every page: `?lang=zh` in the URL, kept across pages, the browser's on a first visit.

Pages translate what they show with `_()` (and `render(exc)` for a CnnvizError); the sidebar's switch
changes the language without touching any other setting.
"""

from __future__ import annotations

import streamlit as st

from cnnviz import i18n
from cnnviz.errors import CnnvizError

LANG_KEY = "_cnnviz_lang"  # session state: the language in force
SWITCH_KEY = "lang_switch"  # the sidebar's language control
URL_PARAM = "lang"  # the query parameter that carries it; links carry it, pages' own codecs keep it


def current() -> str:
    return st.session_state.get(LANG_KEY, i18n.DEFAULT_LANGUAGE)


def _(message: str) -> str:
    """`message` in the reader's language."""
    return i18n.gettext(current(), message)


def formatter(template: str | None = None):
    """A `format_func` for choice widgets: each option translated (into `template`'s {option} if given).

    The language is bound now, not read when called: Streamlit (and AppTest) call it outside the run."""
    lang = current()

    def format_option(option) -> str:
        text = i18n.gettext(lang, str(option))
        return i18n.gettext(lang, template).format(option=text) if template else text
    return format_option


def ngettext(singular: str, plural: str, n: int) -> str:
    return i18n.ngettext(current(), singular, plural, n)


def render(exc: Exception) -> str:
    """An error's message in the reader's language (a CnnvizError carries its template and values)."""
    return exc.render(current()) if isinstance(exc, CnnvizError) else str(exc)


def resolve() -> str:
    """Decides the language for this run: the URL's, else the one already chosen, else the browser's.

    The menu's page links clear the query parameters, so the URL gets `lang` back here: a link copied from
    any page opens in the language it was read in."""
    ss = st.session_state
    wanted = st.query_params.get(URL_PARAM)
    if wanted in i18n.LANGUAGES:
        ss[LANG_KEY] = wanted
    elif LANG_KEY not in ss:
        ss[LANG_KEY] = i18n.preferred_language(st.context.locale)
    lang = ss[LANG_KEY]
    if lang != i18n.DEFAULT_LANGUAGE and st.query_params.get(URL_PARAM) != lang:
        st.query_params[URL_PARAM] = lang
    elif lang == i18n.DEFAULT_LANGUAGE and URL_PARAM in st.query_params:
        del st.query_params[URL_PARAM]
    ss[SWITCH_KEY] = lang
    return lang


def _switched() -> None:
    choice = st.session_state[SWITCH_KEY]
    if choice is None:  # a click on the chosen language deselects it: keep the language
        return
    st.session_state[LANG_KEY] = choice
    if st.session_state[LANG_KEY] == i18n.DEFAULT_LANGUAGE:
        st.query_params.pop(URL_PARAM, None)
    else:
        st.query_params[URL_PARAM] = st.session_state[LANG_KEY]


def switch() -> None:
    """The language control (in the sidebar); both names are written in their own language."""
    st.segmented_control("Language / 语言", tuple(i18n.LANGUAGES), key=SWITCH_KEY, format_func=i18n.LANGUAGES.get,
                         on_change=_switched, label_visibility="collapsed", width="stretch")
    if not i18n.catalog_available(current()):
        st.caption("The Chinese catalog is missing from this installation: reinstall cnnviz (pip install .).")
