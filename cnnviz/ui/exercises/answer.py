"""Draws any computed `Answer` the same way: summary, details, tables, matrices as heatmaps, and the checks,
every text in the reader's language (an answer's texts are templates with values: `answer.say`)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cnnviz.exercises.answer import Answer, Check, Table, say
from cnnviz.exercises.answer_figures import matrix_figure
from cnnviz.ui import lang
from cnnviz.ui.common import chart
from cnnviz.ui.lang import _

PASS, FAIL = ":green[:material/check_circle:]", ":red[:material/cancel:]"


def check_line(check: Check, language: str = "en") -> str:
    """One check as a line: a green tick or a red cross, what was compared, and both values."""
    mark = PASS if check.passed else FAIL
    return _("{mark} {what}: cnnviz `{ours}` · reference `{reference}`").format(
        mark=mark, what=say(check.what, language), ours=say(check.ours, language),
        reference=say(check.reference, language))


def table_frame(table: Table, language: str = "en") -> pd.DataFrame:
    """The table with its headers and text cells in `language` (numbers stay numbers)."""
    rows = [[say(cell, language) for cell in row] for row in table.rows]
    return pd.DataFrame(rows, columns=[say(column, language) for column in table.columns])


NARROW = 8  # columns: a matrix this narrow shares a row with others; a wider one gets the page's width


def show_matrices(answer: Answer, key: str) -> None:
    """Narrow matrices side by side (a matrix, its transpose, a kernel read best together), wide ones
    (a Toeplitz matrix) full width; captions above, wrapped, as figure titles would be cut off."""
    narrow = [(i, m) for i, m in enumerate(answer.matrices) if m.values.shape[-1] <= NARROW]
    wide = [(i, m) for i, m in enumerate(answer.matrices) if m.values.shape[-1] > NARROW]
    if narrow:
        columns = st.columns(max(len(narrow), 3))
        for column, (i, matrix) in zip(columns, narrow):
            with column:
                _matrix(matrix, f"{key}_matrix_{i}")
    for i, matrix in wide:
        _matrix(matrix, f"{key}_matrix_{i}")


def _matrix(matrix, key: str) -> None:
    st.markdown(f"**{say(matrix.caption, lang.current())}**")
    chart(matrix_figure(matrix, title="", lang=lang.current()), key=key)


def show_answer(answer: Answer, key: str) -> None:
    """Renders `answer`; `key` makes its charts' element ids unique on the page."""
    language = lang.current()
    st.markdown(f"**{say(answer.summary, language)}**")
    if answer.details:
        st.markdown(say(answer.details, language))
    for i, table in enumerate(answer.tables):
        st.caption(say(table.caption, language))
        st.dataframe(table_frame(table, language), hide_index=True, key=f"{key}_table_{i}")
    show_matrices(answer, key)
    if answer.checks:
        verdict = _("all agree") if answer.all_checks_pass else _("**some disagree**")
        st.markdown(_("Checked against PyTorch: {verdict}").format(verdict=verdict))
        st.markdown("\n".join(f"- {check_line(c, language)}" for c in answer.checks))
