"""Page 8: a class's board: every run its students start on this server, live, compared by setting."""

from cnnviz.i18n import N_
from cnnviz.ui.common import page_setup

page_setup(N_("Class board"), join_from_url=False)  # here ?classroom= names the board to show, not a class to join

import streamlit as st  # noqa: E402

from cnnviz.ui import lesson, lesson_link  # noqa: E402
from cnnviz.ui.board import join, views  # noqa: E402
from cnnviz.ui.common import intro  # noqa: E402
from cnnviz.ui.lang import _  # noqa: E402

lesson.begin("board", {})  # the tour (the board has no lesson controls: the teacher's own page)

st.title(_("Class board"))
intro(
    _("Every run the students of a class start, live: who ran what, with which settings, and how well it did."),
    _("Students join a class from the sidebar (a code and a nickname, which may be left empty) or with a link "
      "such as `?classroom=CNN7B&name=Ada`. Each run they then start on the Train page appears here within a "
      "second or two, with the settings that differ from the page's defaults, and stays after a reload, a "
      "dropped connection or a server restart. Sort and group the runs, plot the class's final accuracies "
      "against a setting (a learning-rate sweep on a log axis), pin or hide runs, and download the board as "
      "CSV or JSON. Only those who know the code see the board; clearing it needs the teacher key."),
)

code_col, _gap = st.columns([1, 2])
with code_col:
    code = views.code_input()
if code is not None and views.open_or_say(code):
    views.board_view(code)
    board = join.registry().board(code)
    if board is not None:
        more, clear = st.columns(2)
        with more:
            views.flags_view(board)
            views.downloads_view(board)
        with clear:
            views.clear_view(code)
lesson_link.panel("board")
