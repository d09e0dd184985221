"""Draws any computed `Answer` the same way: summary, details, tables, matrices as heatmaps, and the checks."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cnnviz.exercises.answer import Answer, Check, Table
from cnnviz.exercises.answer_figures import matrix_figure
from cnnviz.ui.common import chart

PASS, FAIL = ":green[:material/check_circle:]", ":red[:material/cancel:]"


def check_line(check: Check) -> str:
    """One check as a line: a green tick or a red cross, what was compared, and both values."""
    mark = PASS if check.passed else FAIL
    return f"{mark} {check.what}: cnnviz `{check.ours}` · reference `{check.reference}`"


def table_frame(table: Table) -> pd.DataFrame:
    return pd.DataFrame(list(table.rows), columns=list(table.columns))


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
    st.markdown(f"**{matrix.caption}**")
    chart(matrix_figure(matrix, title=""), key=key)


def show_answer(answer: Answer, key: str) -> None:
    """Renders `answer`; `key` makes its charts' element ids unique on the page."""
    st.markdown(f"**{answer.summary}**")
    if answer.details:
        st.markdown(answer.details)
    for i, table in enumerate(answer.tables):
        st.caption(table.caption)
        st.dataframe(table_frame(table), hide_index=True, key=f"{key}_table_{i}")
    show_matrices(answer, key)
    if answer.checks:
        verdict = "all agree" if answer.all_checks_pass else "**some disagree**"
        st.markdown(f"Checked against PyTorch: {verdict}")
        st.markdown("\n".join(f"- {check_line(c)}" for c in answer.checks))
