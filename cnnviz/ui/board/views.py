"""Page 8's parts: the class code, the live table and figures, pin / hide, downloads, and clearing with the key."""

from __future__ import annotations

import streamlit as st

from cnnviz.classroom import Board, ClassError, clean_code
from cnnviz.classroom.export import csv_text, json_text
from cnnviz.classroom.settings import GROUPS
from cnnviz.figures.board import class_curves_figure, final_accuracy_figure
from cnnviz.ui import lang
from cnnviz.ui.board import join, table
from cnnviz.ui.common import chart, presenting, show_error
from cnnviz.ui.lang import _

CODE_KEY = "board_code"
LIVE_S, IDLE_S = 0.5, 3.0  # the board's refresh while runs train, and while none does (a new run shows up)


def code_input() -> str | None:
    """The class code the board shows: typed, else the link's ?classroom=, else the class this tab joined. None (with
    the reason said) when there is none or it is malformed."""
    ss = st.session_state
    if CODE_KEY not in ss:  # a first visit (or back from another page): the link's class, else the tab's own
        found = join.joined()
        ss[CODE_KEY] = st.query_params.get(join.CLASS_PARAM) or (found[0] if found else "")
    typed = st.text_input(_("Class code"), key=CODE_KEY, max_chars=40, placeholder=_("e.g. CNN7B"),
                          help=_("4 to 12 letters or digits; students join with the same code."))
    if not typed.strip():
        st.query_params.pop(join.CLASS_PARAM, None)
        st.info(_("Enter a class code. Students join it from the sidebar, or with a link ending in "
                  "`?classroom=CODE&name=NICKNAME`."), icon=":material/groups:")
        return None
    try:
        code = clean_code(typed)
    except ClassError as exc:
        show_error(exc)
        return None
    if st.query_params.get(join.CLASS_PARAM) != code:
        st.query_params[join.CLASS_PARAM] = code
    return code


def open_or_say(code: str) -> bool:
    """True when the class is on the server; else says so and offers to open it (the teacher's first step)."""
    if join.registry().exists(code):
        return True
    st.warning(_("There is no class {code} on this server yet. Check the code, or open a new board for it: "
                 "students can then join it.").format(code=code), icon=":material/group_off:")
    st.button(_("Open class {code}").format(code=code), key="board_open", type="primary",
              on_click=join.registry().open, args=(code,), icon=":material/add:")
    return False


def controls() -> tuple[str, str, str, bool]:
    """Sort, group by, plot against, and whether hidden runs show."""
    sort_col, group_col, against_col, hidden_col = st.columns([1, 1, 1, 0.8], vertical_alignment="bottom")
    sort = sort_col.selectbox(_("Sort by"), list(table.SORTS), key="board_sort",
                              format_func=lambda k: _(table.SORTS[k]))
    group = group_col.selectbox(_("Group by"), [table.NO_GROUP, *GROUPS], key="board_group",
                                format_func=lambda k: _("no grouping") if k == table.NO_GROUP else
                                _(table.GROUP_LABELS[k]))
    against = against_col.selectbox(_("Plot final accuracy against"), list(GROUPS), key="board_against",
                                    format_func=lambda k: _(table.GROUP_LABELS[k]))
    show_hidden = hidden_col.toggle(_("Show hidden runs"), key="board_show_hidden")
    return sort, group, against, show_hidden


def board_view(code: str) -> None:
    """The live board: refreshed every second while a run trains (a fragment: the rest of the page stays)."""
    board = join.registry().board(code)
    active = any(r.active for r in board.runs)

    @st.fragment(run_every=LIVE_S if active else IDLE_S)
    def live() -> None:
        now = join.registry().board(code)
        if now is None:
            return
        if any(r.active for r in now.runs) != active:
            st.rerun()  # the refresh rate follows: fast while training, slow when idle
        _draw(now)

    live()


def _draw(board: Board) -> None:
    sort, group, against, show_hidden = controls()
    runs = [r for r in board.runs if show_hidden or not r.hidden]
    training = sum(r.active for r in board.runs)
    best = max((r.accuracy for r in board.runs if r.accuracy is not None), default=None)
    members, all_runs, now, top = st.columns(4)
    members.metric(_("Students joined"), len(board.members))
    all_runs.metric(_("Runs"), len(board.runs), help=_("{n} hidden").format(n=sum(r.hidden for r in board.runs)))
    now.metric(_("Training now"), training)
    top.metric(_("Best test accuracy"), "–" if best is None else f"{100 * best:.1f}%")
    if not runs:
        st.info(_("No runs yet. A student who joined this class starts one on the Train page; it shows here "
                  "within a second or two."), icon=":material/hourglass_empty:")
        return
    shown = table.ordered(runs, sort, group)
    st.dataframe(table.frame(shown, group), hide_index=True, width="stretch", key="board_table",
                 column_config={_("test accuracy"): st.column_config.NumberColumn(format="%.1f%%")})
    if group != table.NO_GROUP:
        st.caption(_("By {setting}: runs, and their final test accuracy").format(
            setting=_(table.GROUP_LABELS[group])))
        st.dataframe(table.group_summary(shown, group), hide_index=True, key="board_groups")
    _figures(shown, against)


def _figures(runs, against: str) -> None:
    """The curves over the whole width (their legend names every run), then final accuracy against `against`."""
    lang_now, height = lang.current(), 380 if presenting() else 340
    chart(class_curves_figure([(table.label(r), r.test_accuracy, r.pinned) for r in runs], height,
                              lang=lang_now), key="board_curves")
    ended = [(table.label(r), table.setting(r, against), r.accuracy) for r in runs
             if r.accuracy is not None and not r.active]
    with st.container():
        if ended:
            chart(final_accuracy_figure(ended, against, _(table.GROUP_LABELS[against]), height, lang=lang_now),
                  key="board_final")
        else:
            st.info(_("Final accuracies appear here as runs end."), icon=":material/scatter_plot:")


def flags_view(board: Board) -> None:
    """Pin a run (first in the table, a thicker line) or hide it (off the table and figures); for everyone."""
    if not board.runs:
        return
    with st.expander(_("Pin or hide a run"), icon=":material/push_pin:"):
        ids = [r.id for r in reversed(board.runs)]
        by_id = {r.id: r for r in board.runs}
        chosen = st.selectbox(_("Run"), ids, key="board_flag_run", format_func=lambda i: table.label(by_id[i]))
        run = by_id[chosen]
        pin_col, hide_col = st.columns(2)
        pin_col.button(_("Unpin") if run.pinned else _("Pin"), key="board_pin", width="stretch",
                       on_click=join.registry().set_flags, args=(board.code, run.id),
                       kwargs={"pinned": not run.pinned})
        hide_col.button(_("Show") if run.hidden else _("Hide"), key="board_hide", width="stretch",
                        on_click=join.registry().set_flags, args=(board.code, run.id),
                        kwargs={"hidden": not run.hidden})


def downloads_view(board: Board) -> None:
    csv_col, json_col = st.columns(2)
    csv_col.download_button(_("Download CSV"), csv_text(board), file_name=f"class-{board.code}.csv",
                            mime="text/csv", key="board_csv", icon=":material/table_view:", width="stretch")
    json_col.download_button(_("Download JSON"), json_text(board), file_name=f"class-{board.code}.json",
                             mime="application/json", key="board_json", icon=":material/data_object:",
                             width="stretch")


def clear_view(code: str) -> None:
    """Clearing the board needs the teacher key; a wrong one says so and leaves every run where it was."""
    with st.expander(_("Clear this board (teacher)"), icon=":material/delete_sweep:"):
        st.caption(_("Removes every run and member of class {code}. The key was printed in the server's log when "
                     "it started (or set with `CNNVIZ_TEACHER_KEY`).").format(code=code))
        st.text_input(_("Teacher key"), type="password", key="board_key")
        st.button(_("Clear the board"), key="board_clear", on_click=_clear, args=(code,),
                  icon=":material/delete:")
    outcome = st.session_state.pop("board_clear_outcome", None)
    if isinstance(outcome, ClassError):
        show_error(outcome)
    elif outcome is not None:
        st.success(_("Cleared class {code}: {n} runs removed.").format(code=code, n=outcome))


def _clear(code: str) -> None:
    ss = st.session_state
    try:
        ss["board_clear_outcome"] = join.registry().clear(code, ss.get("board_key", ""))
    except ClassError as exc:
        ss["board_clear_outcome"] = exc
    ss["board_key"] = ""  # never left in the box
