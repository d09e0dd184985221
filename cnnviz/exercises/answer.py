"""What a computed answer to an exercise carries: text, tables, matrices and the checks against PyTorch.

A page renders any `Answer` the same way, so an answer function never draws: it computes, compares with
PyTorch, and says what it found.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cnnviz.i18n import DEFAULT_LANGUAGE, Text, gettext


# A sentence of an answer: the English text (a plain str to read, compare and test) that carries its template
# and values, so a page shows it in the reader's language with `say`.
Said = Text


def said(template: str, **values) -> Said:
    """A translatable sentence with named values; mark `template` with N_ so the catalog extracts it.
    A Said given alone comes back as it is (its own template and values kept)."""
    if isinstance(template, Said) and not values:
        return template
    return Said(template, **values)


def say(text, lang: str = DEFAULT_LANGUAGE):
    """What a page shows for an answer's text in `lang`: a Said rendered, a marked constant translated,
    anything else (a number, a shape) as it is."""
    if isinstance(text, Said):
        return text.render(lang)
    return gettext(lang, text) if isinstance(text, str) and text else text


@dataclass(frozen=True)
class Check:
    """One comparison with PyTorch (or with the book's formula): what, the two values, and whether they agree."""

    what: str  # e.g. "Toeplitz product vs F.conv2d" (a Said or an N_ constant, as every text below)
    ours: str  # the value cnnviz computed, as shown
    reference: str  # the value PyTorch (or the formula) gives, as shown
    passed: bool


@dataclass(frozen=True)
class Matrix:
    """A small 2-D array to draw as a heatmap with its numbers."""

    caption: str
    values: np.ndarray  # (H, W)


@dataclass(frozen=True)
class Table:
    """Rows of a table: `columns` names, each row a tuple of cells (str or number)."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]


@dataclass(frozen=True)
class Answer:
    """A computed answer: a summary line, markdown details, and what to show."""

    summary: str  # one sentence: the answer
    details: str = ""  # markdown: how it was found, why
    tables: tuple[Table, ...] = ()
    matrices: tuple[Matrix, ...] = ()
    checks: tuple[Check, ...] = field(default_factory=tuple)

    @property
    def all_checks_pass(self) -> bool:
        return all(check.passed for check in self.checks)
