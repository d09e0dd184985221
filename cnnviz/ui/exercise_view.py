"""One exercise on the Exercises page: number in both editions, kind badge, statement, Try it, hint, answer."""

from __future__ import annotations

from typing import Callable

import streamlit as st

from cnnviz.exercises.answer import Answer
from cnnviz.exercises.catalog import Exercise, Section
from cnnviz.ui.common import show_error
from cnnviz.ui.exercise_answer import show_answer
from cnnviz.ui.exercise_links import query_params

BADGES = {"computed": ":green-badge[:material/calculate: computed]",
          "experiment": ":orange-badge[:material/science: experiment]",
          "explore": ":blue-badge[:material/explore: explore]"}
PAGE_NAMES = {"pages/1_Convolution_and_pooling.py": "Convolution & pooling",
              "pages/2_Learn_an_edge_kernel.py": "Learn an edge kernel",
              "pages/3_Architecture_builder.py": "Architecture builder", "pages/4_Train.py": "Train",
              "pages/5_Activations.py": "Activations"}


def md(text: str) -> str:
    """Plain text for st.markdown: c_i and k_h * k_w must not turn into italics."""
    return text.replace("\\", "\\\\").replace("_", "\\_").replace("*", "\\*")


def anchor(section: Section) -> str:
    return "ex-" + section.en.replace(".", "-")


def widget_key(ex: Exercise, what: str) -> str:
    """A key (and CSS class st-key-...) without dots: 'ex_show_7_3_1'."""
    return f"ex_{what}_" + ex.id.replace(".", "_").replace("-", "_")


@st.cache_resource(show_spinner="Computing the answer...")
def computed_answer(exercise_id: str, _compute: Callable[[], Answer]) -> Answer:
    """An answer, computed once per server: answers are pure, and shared read-only."""
    return _compute()


def show_exercise(ex: Exercise, lang: str, compute: Callable[[], Answer] | None) -> None:
    with st.container(border=True, key=widget_key(ex, "card")):
        st.markdown(f"**{ex.numbering()}** {BADGES[ex.kind]} {md(ex.statement.get(lang))}")
        row = st.container(horizontal=True, vertical_alignment="center", gap="small")
        with row:
            st.page_link(ex.try_it.page, label=f"Try it: {PAGE_NAMES[ex.try_it.page]}",
                         icon=":material/play_circle:", query_params=query_params(ex.try_it))
            with st.popover("Hint", icon=":material/lightbulb:", key=widget_key(ex, "hint")):
                st.markdown(md(ex.hint.get(lang)))
            show = compute is not None and st.toggle("Show the computed answer", key=widget_key(ex, "show"))
        if ex.try_it.todo:
            st.caption(md(ex.try_it.todo.get(lang)))
        if show:
            try:
                answer = computed_answer(ex.id, compute)
            except Exception as exc:  # a broken answer must not take the other 62 exercises with it
                show_error(RuntimeError(f"The answer to {ex.id} could not be computed ({exc}). "
                                        "Please report it; the Try it link still works."))
            else:
                show_answer(answer, key=widget_key(ex, "answer"))
