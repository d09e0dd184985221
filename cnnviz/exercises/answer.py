"""What a computed answer to an exercise carries: text, tables, matrices and the checks against PyTorch.

A page renders any `Answer` the same way, so an answer function never draws: it computes, compares with
PyTorch, and says what it found.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Check:
    """One comparison with PyTorch (or with the book's formula): what, the two values, and whether they agree."""

    what: str  # e.g. "Toeplitz product vs F.conv2d"
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
