"""A page's state in its URL: one small codec per page, with the same validation as its widgets.

A page lists its settings as `Param`s (URL name -> widget key, default, what is allowed, and for a choice
the short words the link uses instead of the labels shown, so a link survives a change of wording or
language). `load` copies a link into session state when `common.url_to_load` says the page should (a shared
link, the browser's Back); `save` writes every non-default setting back, one history entry per change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import streamlit as st

from cnnviz.ui.lang import _
from cnnviz.ui.common import page_query, url_to_load, url_written, write_page_query


@dataclass(frozen=True)
class Param:
    """One setting: its widget key, default and allowed values.

    `choices` maps the URL's word to the widget's value (a selectbox's option); `allowed` checks a parsed
    number or text (a range, a set, or a predicate)."""

    key: str
    default: object
    choices: dict[str, object] | None = None
    allowed: object = None  # a container of values, or a callable value -> bool
    many: int = 0  # > 0: the value is a list of 1..many choices, written "a,b" in the link

    def decode(self, text: str):
        """The widget value `text` stands for, or None when the link's value is not allowed."""
        if self.many:
            items = [self.choices.get(word) for word in text.split(",")] if text else []
            ok = 0 < len(items) <= self.many and None not in items and len(set(items)) == len(items)
            return items if ok else None
        if self.choices is not None:
            return self.choices.get(text)
        value = _parse(text, self.default)
        if value is None or not self._allows(value):
            return None
        return value

    def encode(self, value) -> str | None:
        """The link's text for `value`; None when the value cannot be linked (e.g. a run of this session)."""
        if self.many:
            words = [self.encode_choice(item) for item in value]
            return None if None in words else ",".join(words)
        if self.choices is not None:
            return self.encode_choice(value)
        if isinstance(value, bool):
            return "true" if value else "false"
        return repr(value) if isinstance(value, float) else str(value)

    def encode_choice(self, value) -> str | None:
        return next((word for word, choice in self.choices.items() if choice == value), None)

    def _allows(self, value) -> bool:
        if self.allowed is None:
            return True
        if callable(self.allowed):
            return bool(self.allowed(value))
        return value in self.allowed


def _parse(text: str, default):
    """Parses `text` as the type of `default`; None if it is not one."""
    if isinstance(default, bool):
        return {"true": True, "false": False}.get(text.lower())
    try:
        if isinstance(default, int):
            return int(text)
        if isinstance(default, float):
            value = float(text)
            return value if math.isfinite(value) else None
    except ValueError:
        return None
    return text


def positive_float(value: float) -> bool:
    return math.isfinite(value) and value > 0


def load(page: str, params: dict[str, Param], check: Callable[[dict], list[str]] | None = None,
         extra: tuple[str, ...] = ()) -> list[str]:
    """Copies the link into session state when this run should load it; returns what was ignored.

    A setting the link does not name goes back to its default, so Back shows exactly the state before the
    last change. `check` may reject whole-state combinations (it gets the decoded values, returns problems).
    A URL naming none of the page's settings belongs to another page: the state is kept."""
    query = url_to_load(page)
    if query is None or (query and not set(query) & {*params, *extra}):
        return []
    values, ignored = {}, []
    for name, text in query.items():
        if name in extra:  # the page reads these itself (their options depend on other settings)
            continue
        param = params.get(name)
        value = None if param is None else param.decode(text)
        if value is None:
            ignored.append(f"{name}={text}")
        else:
            values[name] = value
    if check is not None:
        ignored += check(values)
    for name, param in params.items():
        st.session_state[param.key] = values.get(name, param.default)
    return ignored


def written_before(page: str) -> bool:
    """Whether this session already wrote the page's URL (so a link is not the page's first visit)."""
    return f"_url_written_{page}" in st.session_state


def save(page: str, params: dict[str, Param], extra: dict[str, str] | None = None) -> None:
    """Writes every setting that differs from its default to the URL (only when one changed), and `extra`."""
    ss = st.session_state
    wanted = {name: param.encode(ss[param.key]) for name, param in params.items()
              if param.key in ss and ss[param.key] != param.default}
    wanted = {name: text for name, text in {**wanted, **(extra or {})}.items() if text is not None}
    if wanted != page_query():
        write_page_query(wanted)
    url_written(page)


def link(params: dict[str, Param], values: dict[str, object]) -> dict[str, str]:
    """The query a link to the page carries for `values` (URL name -> widget value), e.g. a Try-it link."""
    return {name: params[name].encode(value) for name, value in values.items() if value != params[name].default}


def link_in_words(params: dict[str, Param], words: dict[str, object]) -> dict[str, str]:
    """`link` for values given as a link writes them: a choice by its word ("lenet", "0.9"), anything else (a
    number, a list of choices) as the widget's value."""
    return link(params, {name: params[name].choices[word] if params[name].choices and not params[name].many
                         else word for name, word in words.items()})


def ignored_message(ignored: list[str]) -> str:
    return _("This link had settings that are not valid here, so they were left at their defaults: {settings}.").format(
        settings=", ".join(ignored))
