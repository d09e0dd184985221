"""The exercises of d2l's CNN sections (English 7.2-7.6 and 8.1-8.5, with the zh edition's numbers), stated
in cnnviz's own words: what each asks, what kind of work the app offers for it, a hint, and where to try it.

Pure data: the Exercises page (pages/6_Exercises.py) turns `TryIt` into links with each page's own URL
codec. The texts are cnnviz's, never the book's; the section and number let a reader find the original.
"""

from __future__ import annotations

import re
from typing import Iterable

from cnnviz.exercises.catalog_ch7 import CH7
from cnnviz.exercises.catalog_ch8 import CH8
from cnnviz.exercises.catalog_types import (ACTIVATIONS, BUILDER, CONV, EDGE, INSIDE, KINDS, TRAIN, Exercise, Kind,
                                            Section, Text, TryIt)

__all__ = ["ACTIVATIONS", "BUILDER", "CONV", "EDGE", "INSIDE", "KINDS", "TRAIN", "Exercise", "Kind", "Section", "Text",
           "TryIt", "SECTIONS", "EXERCISES", "BY_ID", "find", "in_section", "matching"]

SECTIONS: tuple[Section, ...] = (
    Section("7.2", "6.2", Text("Convolutions for Images", "图像卷积")),
    Section("7.3", "6.3", Text("Padding and Stride", "填充和步幅")),
    Section("7.4", "6.4", Text("Multiple Input and Multiple Output Channels", "多输入多输出通道")),
    Section("7.5", "6.5", Text("Pooling", "汇聚层")),
    Section("7.6", "6.6", Text("Convolutional Neural Networks (LeNet)", "卷积神经网络（LeNet）")),
    Section("8.1", "7.1", Text("Deep Convolutional Neural Networks (AlexNet)", "深度卷积神经网络（AlexNet）")),
    Section("8.2", "7.2", Text("Networks Using Blocks (VGG)", "使用块的网络（VGG）")),
    Section("8.3", "7.3", Text("Network in Network (NiN)", "网络中的网络（NiN）")),
    Section("8.4", "7.4", Text("Multi-Branch Networks (GoogLeNet)", "含并行连结的网络（GoogLeNet）")),
    Section("8.5", "7.5", Text("Batch Normalization", "批量规范化")),
)
SECTION_BY_EN = {s.en: s for s in SECTIONS}


EXERCISES: tuple[Exercise, ...] = CH7 + CH8  # the entries are long: one module per chapter
BY_ID: dict[str, Exercise] = {e.id: e for e in EXERCISES}


def find(exercise_id: str) -> Exercise | None:
    """The exercise an id names: its own id, or "zh-<n>" for the zh edition's exercise n, which may be an
    English exercise's twin (zh 7.2.3 is 8.2.4)."""
    if exercise_id in BY_ID:
        return BY_ID[exercise_id]
    zh = exercise_id.removeprefix("zh-")
    return next((e for e in EXERCISES if exercise_id.startswith("zh-") and e.zh == zh), None)


def in_section(section: str, exercises: Iterable[Exercise] = EXERCISES) -> list[Exercise]:
    """The exercises of an English section, in the book's order, the zh-only ones last."""
    return sorted((e for e in exercises if e.section == section), key=lambda e: (e.zh_only, e.number))


def matching(text: str = "", section: str | None = None, kind: str | None = None,
             exercises: Iterable[Exercise] = EXERCISES) -> list[Exercise]:
    """The exercises that match every word of `text` (case-insensitive), in `section` and of `kind` when
    given. A number ("7.3", "7.3.1") is the English edition's, "zh6.3" / "zh-6.3.2" the zh edition's; any
    other word is looked for in the statement, hint and section title, in either language."""
    words = text.lower().split()
    return [ex for ex in exercises
            if (not section or ex.section == section) and (not kind or ex.kind == kind)
            and all(_has_word(ex, word) for word in words)]


def _numbered(number: str | None, word: str) -> bool:
    return number is not None and (number == word or number.startswith(word + "."))


def _has_word(ex: Exercise, word: str) -> bool:
    if re.fullmatch(r"\d+(\.\d+)*", word):
        return not ex.zh_only and _numbered(ex.id, word)
    if re.fullmatch(r"zh-?\d+(\.\d+)*", word):
        return _numbered(ex.zh, word.removeprefix("zh").removeprefix("-"))
    title = SECTION_BY_EN[ex.section].title
    haystack = " ".join((ex.statement.en, ex.statement.zh, ex.hint.en, ex.hint.zh, title.en, title.zh,
                         ex.kind)).lower()
    return word in haystack
