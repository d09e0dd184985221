"""The teacher's "Make a lesson link" panel (sidebar, folded) and the tour's button: which of the page's controls
to lock or hide, a task line, the link (the page's current settings, which the lock fixes) and its QR code."""

from __future__ import annotations

import io
import os
from urllib.parse import quote, urlencode, urlsplit

import segno
import streamlit as st

from cnnviz.ui import tour
from cnnviz.ui.board import join as class_join
from cnnviz.ui.common import PAGES
from cnnviz.ui.lang import _
from cnnviz.ui.lesson import HIDE, LOCK, MAX_TASK, TASK, TOUR, current, drawn_labels, note_if_all_hidden

# The pages' ids (their URL codecs' names), in the order of common.PAGES.
PAGE_IDS = ("home", "conv", "edge", "builder", "train", "activations", "exercises", "inside", "board")
NOT_LINKED = (HIDE, LOCK, TASK, TOUR, "session")  # a lesson link never carries the teacher's runs (session)


def page_path(page: str) -> str:
    """The page's address relative to the app's root, as Streamlit names a `pages/N_Name.py` page: "Train"."""
    script = PAGES[PAGE_IDS.index(page)][0]
    if "/" not in script:
        return ""
    return script.rsplit("/", 1)[1].removesuffix(".py").split("_", 1)[1]


def lesson_query(query: dict[str, str], locked: list[str], hidden: list[str], task: str) -> dict[str, str]:
    """The page's query (its settings and language) with the lesson's `lock`, `hide` and `task` in place of any."""
    kept = {k: v for k, v in query.items() if k not in NOT_LINKED}
    lesson = {LOCK: ",".join(n for n in locked if n not in hidden), HIDE: ",".join(hidden), TASK: task.strip()}
    return {**kept, **{k: v for k, v in lesson.items() if v}}


PUBLIC_URL_ENV = "CNNVIZ_PUBLIC_URL"  # the server's address as students reach it, e.g. http://10.0.0.5:8501
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0")


def shared_base(url: str) -> tuple[str, bool]:
    """The page's address for students: the teacher's own, with its scheme, host and port replaced by
    CNNVIZ_PUBLIC_URL's when set. Also whether it names this computer only (localhost), which phones cannot open."""
    public = os.environ.get(PUBLIC_URL_ENV, "").strip().rstrip("/")
    parts = urlsplit(url)
    if public:
        url = public + parts.path
    return url, (urlsplit(url).hostname or "") in LOCAL_HOSTS


def link_text(base: str, query: dict[str, str]) -> str:
    """`base` with `query` encoded (commas kept readable)."""
    return f"{base}?{urlencode(query, quote_via=quote, safe=',')}" if query else base


def qr_svg(text: str) -> str | None:
    """The QR code of `text` as an SVG document (dark on white, 4 modules of margin); None when it is too long for
    one. SVG, because st.image sends it inline: a PNG would be a media file that each rerun replaces, and a
    browser still fetching the old one gets a 404."""
    try:
        code = segno.make(text, error="m", micro=False)
    except segno.DataOverflowError:
        return None
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", scale=5, border=4, dark="#000000", light="#ffffff", xmldecl=False)
    return buffer.getvalue().decode("utf-8")


def _defaults(page: str) -> None:
    """The panel starts from the lesson the page was opened with (a teacher refining a lesson link)."""
    lesson, ss = current(), st.session_state
    ss.setdefault(f"lesson_lock_{page}", sorted(lesson.locked - lesson.hidden))
    ss.setdefault(f"lesson_hide_{page}", sorted(lesson.hidden))
    ss.setdefault(f"lesson_task_{page}", lesson.task)


def panel(page: str) -> None:
    """Call at the end of the page: the tour button and the folded panel, in the sidebar."""
    labels = drawn_labels()
    note_if_all_hidden(labels)
    class_join.sidebar()  # last in the sidebar, with the tour: the page's own controls stay on the first screen
    with st.sidebar:
        tour.button(page)
        with st.expander(_("Make a lesson link"), icon=":material/school:"):
            _defaults(page)
            _panel_body(page, labels)


def _panel_body(page: str, labels: dict[str, str]) -> None:
    ss = st.session_state
    for key in (f"lesson_lock_{page}", f"lesson_hide_{page}"):  # a control no longer on screen drops out
        ss[key] = [name for name in ss[key] if name in labels]
    if labels:
        st.caption(_("Locked controls show the value they have now, disabled; hidden ones are not drawn and keep "
                     "their value."))
        locked = st.multiselect(_("Lock"), list(labels), key=f"lesson_lock_{page}", format_func=labels.get)
        hidden = st.multiselect(_("Hide"), list(labels), key=f"lesson_hide_{page}", format_func=labels.get)
    else:
        st.caption(_("This page has no controls to lock or hide; the link can still carry a task."))
        locked, hidden = [], []
    task = st.text_input(_("Task for the students (one line)"), key=f"lesson_task_{page}", max_chars=MAX_TASK)
    base, local = shared_base(st.context.url or page_path(page))
    link = link_text(base, lesson_query(st.query_params.to_dict(), locked, hidden, task))
    st.code(link, language=None, wrap_lines=True)
    if local:
        st.caption(":material/lan: " + _(  # a caption, not an alert: the panel is folded
            "This address opens only on this computer. For the students' devices, open the app by the server's "
            "network address, or start it with {variable} set to that address (for example "
            "http://192.168.1.20:8501).").format(variable=f"`{PUBLIC_URL_ENV}`"))
    svg = qr_svg(link)
    if svg is None:
        st.warning(_("This link is too long for a QR code; share it as text."))
    else:
        st.image(svg, caption=_("Scan it with a phone to open this lesson."), alt=_("QR code of the lesson link"),
                 width=220)
