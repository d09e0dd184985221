"""Joining a class: `?classroom=CODE&name=...` in any page's link, or the sidebar's form; remembered by the tab.

The joined class lives in the tab's session state and in its URL (the params `classroom` and `name`, which every
page's URL codec keeps), so a reload joins again. Every run the Train page starts while joined goes on the
class's board (`register`), which then follows the run on the server, whatever happens to the tab.
"""

from __future__ import annotations

import secrets

import streamlit as st

from cnnviz.classroom import ClassError, ClassRegistry, clean_nickname
from cnnviz.classroom.board import default_directory
from cnnviz.classroom.names import MAX_NICKNAME, _printable
from cnnviz.classroom.settings import settings_of
from cnnviz.ui import lang
from cnnviz.ui.lang import _

CLASS_PARAM, NAME_PARAM = "classroom", "name"  # the link's parameters (page 7 has a "class" of its own)
JOINED_KEY = "_cnnviz_class"  # (CODE, nickname) this tab joined
MEMBER_KEY = "_cnnviz_member"  # this tab's member id when it gives no nickname
READ_KEY = "_cnnviz_class_read"  # the (class, name) link already read: read once, not on every run
ERROR_KEY = "_cnnviz_class_error"  # why joining failed, shown once in the sidebar
NOTE_KEY = "_cnnviz_class_note"  # a nickname that was shortened or cleaned, said once
BASELINE_KEY = "_cnnviz_class_baseline"  # the settings of the Train link this tab opened (the lesson's)


@st.cache_resource(show_spinner=False)
def registry() -> ClassRegistry:
    """The server's class boards, read from disk when the server starts; the teacher key is printed then."""
    found = ClassRegistry(default_directory())
    print(found.key.announcement(), flush=True)
    return found


def joined() -> tuple[str, str] | None:
    """(CODE, nickname) of the class this tab joined, or None."""
    return st.session_state.get(JOINED_KEY)


def from_url() -> None:
    """Joins the class a link names (`?classroom=CODE&name=...`), once per link; a bad code is said in the sidebar."""
    params = st.query_params
    code = params.get(CLASS_PARAM)
    if code is None:
        return
    wanted = (code, params.get(NAME_PARAM, ""))
    if st.session_state.get(READ_KEY) == wanted or joined() == wanted:
        return
    st.session_state[READ_KEY] = wanted
    join(*wanted)


def join(code: str, nickname: str | None) -> bool:
    """Joins class `code` as `nickname`; True when it worked, else the reason waits for the sidebar."""
    ss = st.session_state
    ss.pop(ERROR_KEY, None)
    name = clean_nickname(nickname)
    member = name.casefold() if name else ss.setdefault(MEMBER_KEY, secrets.token_hex(6))
    try:
        code, name = registry().join(code, member, name)
    except ClassError as exc:
        ss[ERROR_KEY] = exc
        return False
    typed = " ".join(_printable(nickname or "").split())
    if typed != name:
        ss[NOTE_KEY] = len(typed)
    ss[JOINED_KEY] = (code, name)
    ss[READ_KEY] = (code, name)
    st.query_params[CLASS_PARAM] = code
    if name:
        st.query_params[NAME_PARAM] = name
    else:
        st.query_params.pop(NAME_PARAM, None)
    return True


def leave() -> None:
    """This tab leaves its class: its runs stay on the board; new runs no longer go there."""
    for key in (JOINED_KEY, ERROR_KEY, NOTE_KEY):
        st.session_state.pop(key, None)
    for param in (CLASS_PARAM, NAME_PARAM):
        st.query_params.pop(param, None)
    st.session_state[READ_KEY] = None


def _join_from_form() -> None:
    ss = st.session_state
    if join(ss.get("class_join_code", ""), ss.get("class_join_name", "")):
        ss["class_join_code"] = ss["class_join_name"] = ""


def escape_markdown(text: str) -> str:
    """`text` shown literally by st.markdown / st.caption: every markdown character escaped (no HTML is read)."""
    return "".join("\\" + c if c in "\\`*_{}[]()<>#+-.!|~$:&" else c for c in text)


def sidebar() -> None:
    """The sidebar's class line: "Class CODE as NAME" with Leave, or a folded form to join one."""
    ss = st.session_state
    registry()  # made on the server's first page run, which prints the teacher key to the server's log
    with st.sidebar:
        found = joined()
        if found is not None:
            code, name = found
            shown = escape_markdown(name) if name else _("no name")
            line, button = st.columns([3, 1.2], vertical_alignment="center")
            line.caption(_("Class **{code}** as **{name}**").format(code=code, name=shown))
            button.button(_("Leave"), key="class_leave", on_click=leave, help=_("Stop adding your runs to this "
                          "class's board; the runs already there stay."))
            if (typed := ss.pop(NOTE_KEY, None)) is not None:
                st.info(_("Your nickname was shortened to {limit} characters (it had {count}) and cleaned of "
                          "invisible characters.").format(limit=MAX_NICKNAME, count=typed))
        else:
            with st.expander(_("Join a class"), icon=":material/groups:", expanded=ERROR_KEY in ss):
                st.text_input(_("Class code"), key="class_join_code", max_chars=12,
                              placeholder=_("from your teacher"))
                st.text_input(_("Nickname (optional)"), key="class_join_name", max_chars=MAX_NICKNAME,
                              help=_("Shown on the class's board beside your runs; leave it empty to be anonymous."))
                st.button(_("Join"), key="class_join", on_click=_join_from_form)
        if (error := ss.pop(ERROR_KEY, None)) is not None:
            st.warning(lang.render(error), icon=":material/group_off:")


def remember_lesson(config, dataset: str) -> None:
    """The settings of the Train link this tab opened (a teacher's lesson link): the board shows which of a run's
    settings differ from them, not from the page's defaults."""
    st.session_state[BASELINE_KEY] = settings_of(config, dataset)


def register(run, dataset: str) -> None:
    """Puts a run the Train page just started on the joined class's board (nothing when the tab joined none).
    The board follows the run's job from now on; `run.board_id` names the board's entry; its settings that
    differ are those that differ from the lesson link's (remember_lesson), else from the page's defaults."""
    baseline = st.session_state.get(BASELINE_KEY)
    found = joined()
    if found is None:
        return
    code, name = found
    try:
        run.board_id = registry().add_run(code, name, run.spec.name, settings_of(run.config, dataset), baseline,
                                          job=run.job)
    except ClassError as exc:  # the class is gone from the server (its file was removed)
        st.session_state[ERROR_KEY] = exc
