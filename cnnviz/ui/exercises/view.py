"""One exercise on the Exercises page: number in both editions, kind badge, statement, Try it, hint, answer."""

from __future__ import annotations

import re
from typing import Callable

import streamlit as st

from cnnviz.arch import PRESETS
from cnnviz.errors import CnnvizError
from cnnviz.exercises.answer import Answer
from cnnviz.exercises.catalog import Exercise, Section
from cnnviz.i18n import N_
from cnnviz.ui import lang
from cnnviz.ui.common import show_error
from cnnviz.ui.exercises.answer import show_answer
from cnnviz.ui.exercises.links import query_params
from cnnviz.ui.lang import _

KIND_NAMES = {"computed": N_("computed"), "experiment": N_("experiment"), "explore": N_("explore")}
# Streamlit's badge syntax; the kind's name goes in translated (the colour and icon names are code).
BADGES = {"computed": ":green-badge[:material/calculate: {name}]",
          "experiment": ":orange-badge[:material/science: {name}]",
          "explore": ":blue-badge[:material/travel_explore: {name}]"}
PAGE_NAMES = {"pages/1_Convolution_and_pooling.py": N_("Convolution & pooling"),
              "pages/2_Learn_an_edge_kernel.py": N_("Learn an edge kernel"),
              "pages/3_Architecture_builder.py": N_("Architecture builder"), "pages/4_Train.py": N_("Train"),
              "pages/5_Activations.py": N_("Activations"), "pages/7_Inside_the_network.py": N_("Inside the network")}


# Names a reader types into the app (the builder's presets, its layer rows, torch calls): shown as code.
CODE_WORDS = sorted({*PRESETS, "GlobalAvgPool", "BatchNorm1d", "BatchNorm", "ConvTranspose2d", "requires_grad",
                     "torch.nn.functional.pad", "F.pad", "F.conv2d", "floor", "gamma", "beta", "momentum", "softmax",
                     "sigmoid"}, key=len, reverse=True)
# ASCII word boundaries: the names often touch Chinese characters, which \w counts as letters.
CODE = re.compile(r"(?<![A-Za-z0-9_.])(" + "|".join(re.escape(w) for w in CODE_WORDS) + r")(?![A-Za-z0-9_])")


def _plain(text: str) -> str:
    return text.replace("\\", "\\\\").replace("_", "\\_").replace("*", "\\*")


def md(text: str) -> str:
    """A catalog text for st.markdown: c_i and k_h * k_w must not turn into italics; preset and layer names
    become code."""
    parts = CODE.split(text)  # odd items are the code words
    return "".join(f"`{part}`" if i % 2 else _plain(part) for i, part in enumerate(parts))


def badge(kind: str) -> str:
    return BADGES[kind].format(name=_(KIND_NAMES[kind]))


def anchor(section: Section) -> str:
    return "ex-" + section.en.replace(".", "-")


def widget_key(ex: Exercise, what: str) -> str:
    """A key (and CSS class st-key-...) without dots: 'ex_show_7_3_1'."""
    return f"ex_{what}_" + ex.id.replace(".", "_").replace("-", "_")


@st.cache_resource(show_spinner=False)
def computed_answer(exercise_id: str, _compute: Callable[[], Answer]) -> Answer:
    """An answer, computed once per server: answers are pure, and shared read-only (its texts are
    templates, so one copy serves every language)."""
    return _compute()


def show_exercise(ex: Exercise, text_lang: str, compute: Callable[[], Answer] | None,
                  note: str | None = None) -> None:
    """One exercise's card; `text_lang` is the statements' language, `note` a line about the exercise's
    data (MNIST not installed)."""
    with st.container(border=True, key=widget_key(ex, "card")):
        st.markdown(f"**{ex.numbering(lang.current())}** {badge(ex.kind)} {md(ex.statement.get(text_lang))}")
        row = st.container(horizontal=True, vertical_alignment="center", gap="small")
        with row:
            for link in ex.links:
                st.page_link(link.page, label=_("Try it: {page}").format(page=_(PAGE_NAMES[link.page])),
                             icon=":material/play_circle:", query_params=_with_language(query_params(link)))
            with st.popover(_("Hint"), icon=":material/lightbulb:", key=widget_key(ex, "hint")):
                st.markdown(md(ex.hint.get(text_lang)))
            show = compute is not None and st.toggle(_("Show the computed answer"), key=widget_key(ex, "show"))
        for link in ex.links:
            if link.todo:
                st.caption(md(link.todo.get(text_lang)))
        if note:
            st.info(note, icon=":material/dataset:")  # information, not a fault: the rest of the page works
        if show:
            _answer(ex, compute)


def _with_language(query: dict[str, str]) -> dict[str, str]:
    """A Try-it link opens its page in the reader's language."""
    return {**query, lang.URL_PARAM: lang.current()} if lang.current() != "en" else query


def _answer(ex: Exercise, compute: Callable[[], Answer]) -> None:
    try:
        with st.spinner(_("Computing the answer...")):
            answer = computed_answer(ex.id, compute)
    except Exception as exc:  # a broken answer must not take the other 62 exercises with it
        show_error(CnnvizError(N_("The answer to {exercise} could not be computed ({problem}). Please report "
                                  "it; the Try it link still works."), exercise=ex.id, problem=exc))
    else:
        show_answer(answer, key=widget_key(ex, "answer"))
