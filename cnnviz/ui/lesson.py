"""Lesson links: a page's own link plus `hide=a,b`, `lock=c` (the controls' URL names) and `task=` (one line).

A locked control shows its value, disabled, with a note; a hidden one is not drawn, and its value (from the link,
through the page's URL state) still applies. Every page calls `begin` before its first widget, draws each
control through `widget`, and calls `lesson_link.panel` (the teacher's "Make a lesson link") at its end.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable, Iterable

import streamlit as st

from cnnviz.ui import tour
from cnnviz.ui.common import arrived_from_another_page
from cnnviz.ui.lang import _

HIDE, LOCK, TASK, TOUR = "hide", "lock", "task", "tour"  # the lesson's query parameters (common.APP_PARAMS)
MAX_TASK = 200  # characters of the students' task shown; a longer one is cut
MAX_SHOWN_NAME = 30  # characters of an unknown name quoted back
STATE_KEY = "_lesson"  # this run's Lesson and its page's controls (URL name -> widget key)
REMEMBERED_KEY = "_lesson_remembered"  # page -> the hide / lock / task this tab opened it with
NOTE_KEY = "_lesson_note"  # this run's place for the note that every control is hidden
LABELS_KEY = "_lesson_labels"  # widget key -> the label this run drew it with
PINNED_KEY = "_lesson_pinned"  # (the lesson's hidden and locked names, {widget key: the value it fixed})


# The task line: one line with a coloured rule at its left, taking little of the first screen.
TASK_CSS = """<style>.st-key-lesson_task {border-left: 4px solid #ff4b4b; padding: 0.15rem 0 0.15rem 0.7rem;}
.st-key-lesson_task [data-testid="stText"] {font-size: 1.05rem; font-weight: 600;}</style>"""


@dataclass(frozen=True)
class Lesson:
    """What a link asks of a page: URL names hidden and locked (a hidden one is also fixed), the task line."""

    hidden: frozenset[str] = frozenset()
    locked: frozenset[str] = frozenset()
    task: str = ""
    unknown: tuple[str, ...] = ()  # names the link gave that the page has no control for, cleaned for display
    tour: bool = False
    controls: dict[str, str | tuple[str, ...]] = field(default_factory=dict)  # URL name -> widget key(s)

    def hides_all(self, drawn: Iterable[str]) -> bool:
        """Whether the lesson hides every one of the controls `drawn` (URL names) and there was one."""
        drawn = set(drawn)
        return bool(drawn) and drawn <= self.hidden

    def state_of(self, key: str) -> str:
        """"hide", "lock" or "show" for the widget `key`."""
        names = {name for name, keys in self.controls.items() if key in _keys(keys)}
        if names & self.hidden:
            return HIDE
        return LOCK if names & self.locked else "show"


def _keys(keys: str | tuple[str, ...]) -> tuple[str, ...]:
    """A control's widget keys: one, or several for one setting (a slider and a box to type the same rate)."""
    return (keys,) if isinstance(keys, str) else keys


def _names(text: str) -> list[str]:
    """'a, b,,a' -> ['a', 'b']: the comma-separated names, stripped, without repeats, in order."""
    return list(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


def clean_task(text: str) -> str:
    """One line of plain text: control characters and line breaks become spaces, at most MAX_TASK characters."""
    text = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)
    text = re.sub(r" {2,}", " ", text).strip()
    return text if len(text) <= MAX_TASK else text[:MAX_TASK - 1].rstrip() + "…"


def shown_name(name: str) -> str:
    """An unknown name as the warning quotes it: only letters, digits, '_' and '-', at most MAX_SHOWN_NAME."""
    kept = re.sub(r"[^\w-]", "", name)[:MAX_SHOWN_NAME]
    return kept or "?"


def parse(query: dict[str, str], controls: dict) -> Lesson:
    """The lesson in `query` (the URL's parameters) for a page whose controls are `controls` (URL name -> key)."""
    hide, lock = _names(query.get(HIDE, "")), _names(query.get(LOCK, ""))
    unknown = [name for name in dict.fromkeys([*hide, *lock]) if name not in controls]
    return Lesson(hidden=frozenset(hide) & set(controls), locked=frozenset(lock) & set(controls),
                  task=clean_task(query.get(TASK, "")), unknown=tuple(dict.fromkeys(map(shown_name, unknown))),
                  tour=query.get(TOUR) == "1", controls=dict(controls))


def controls_of(params: dict) -> dict[str, str]:
    """URL name -> widget key of a page's url_state registry (its Params' keys)."""
    return {name: param.key for name, param in params.items()}


def current() -> Lesson:
    """This run's lesson (none before `begin`)."""
    return st.session_state.get(STATE_KEY) or Lesson()


def begin(page: str, controls: dict) -> Lesson:
    """Call before the page's first widget (`page`: its id, `controls`: URL name -> widget key): reads the lesson
    from the URL; shows the guided tour's box, the task, the names it ignored, a note when it hid every control."""
    lesson = parse(_query_with_remembered_lesson(page), controls)
    tour.start_from_link(page, lesson.tour)
    tour.box(page)
    st.session_state[STATE_KEY] = lesson
    st.session_state[LABELS_KEY] = {}  # filled by this run's widgets
    if lesson.task:
        with st.container(key="lesson_task"):  # plain text, never markdown or HTML
            st.text(_("Task: {task}").format(task=lesson.task))
        st.html(TASK_CSS)
    locked = [key for name in lesson.locked - lesson.hidden for key in _keys(controls[name])]
    if locked:  # a disabled label's pale grey is too faint to read on a projector: the locked ones stay dark
        st.html("<style>" + ", ".join(f".st-key-{key} [data-testid='stWidgetLabel'] p" for key in locked)
                + " {color: #3d3d3d;}</style>")
    if lesson.unknown:
        st.warning(_("This lesson link names controls that this page does not have, so they were ignored: "
                     "{names}.").format(names=", ".join(f"`{name}`" for name in lesson.unknown)),
                   icon=":material/link_off:")
    st.session_state[NOTE_KEY] = st.empty()  # filled at the end when every control drawn was hidden
    return lesson


def _query_with_remembered_lesson(page: str) -> dict[str, str]:
    """The URL's parameters; back on the page through the menu (whose links carry only the language), the lesson
    this tab opened the page with, written back into the URL: a student cannot leave a lock by a round trip."""
    query, remembered = st.query_params.to_dict(), st.session_state.setdefault(REMEMBERED_KEY, {})
    given = {name: query[name] for name in (HIDE, LOCK, TASK) if name in query}
    if given:
        remembered[page] = given
    elif page in remembered and arrived_from_another_page():
        for name, text in remembered[page].items():
            st.query_params[name] = text
        query = {**query, **remembered[page]}
    return query


def fixed_note() -> str:
    return _("The lesson fixed this setting.")


def widget(draw: Callable, *args, key: str | None = None, **kwargs):
    """Draws a control through the lesson: `draw(*args, key=key, **kwargs)` as the page wrote it, disabled with
    a note when the lesson locks it, not at all when it hides it (then its value in session state is returned)."""
    lesson, label = current(), args[0] if args else kwargs.get("label", "")
    state = control(key, label)
    if state in (HIDE, LOCK):
        _pinned(lesson, key)
    if state == HIDE:
        return st.session_state.get(key, kwargs.get("value"))
    if state == LOCK:
        note = fixed_note()
        kwargs["help"] = f"{kwargs['help']}\n\n{note}" if kwargs.get("help") else note
        kwargs["disabled"] = True
        if args:
            args = (f"🔒 {label}", *args[1:])
        else:
            kwargs["label"] = f"🔒 {label}"
    return draw(*args, key=key, **kwargs)


def _pinned(lesson: Lesson, key: str) -> None:
    """A locked or hidden control keeps the value it had when the lesson first met it: a button or callback (a
    recipe, "Use lr ...") that changed it is undone before the control is drawn."""
    ss = st.session_state
    signature = (lesson.hidden, lesson.locked)
    if ss.get(PINNED_KEY, (None,))[0] != signature:
        ss[PINNED_KEY] = (signature, {})
    values = ss[PINNED_KEY][1]
    if key not in values:
        values[key] = ss.get(key)
    elif ss.get(key) != values[key]:
        ss[key] = values[key]


def changes_fixed(values: dict[str, object]) -> bool:
    """Whether setting `values` (widget key -> value, e.g. a recipe's) would change a setting the lesson locked or
    hid: the page then disables the button that would."""
    lesson = current()
    return any(lesson.state_of(key) in (HIDE, LOCK) and st.session_state.get(key) != value
               for key, value in values.items())


def control(key: str, label: str | None = None) -> str:
    """For a control `widget` cannot wrap (a data editor, which has no label): records its label for the
    lesson panel and returns "hide", "lock" or "show"; the page then skips it, or draws it disabled with
    `fixed_note()`. Several editors of one control (one per kernel) give the label once, or not at all."""
    if label is not None:
        st.session_state.setdefault(LABELS_KEY, {})[key] = label
    return current().state_of(key)


def drawn_labels() -> dict[str, str]:
    """URL name -> label of this page's controls that this run went through `widget` (drawn, locked or hidden)."""
    labels = st.session_state.get(LABELS_KEY, {})
    return {name: labels[_keys(keys)[0]] for name, keys in current().controls.items() if _keys(keys)[0] in labels}


def note_if_all_hidden(drawn: Iterable[str]) -> None:
    """At the end of the run: when the lesson hid every control the page drew, say so at the top of the page."""
    slot = st.session_state.get(NOTE_KEY)
    if slot is not None and current().hides_all(drawn):
        slot.info(_("The lesson hid this page's controls: the results below use the settings it chose."),
                  icon=":material/lock:")
