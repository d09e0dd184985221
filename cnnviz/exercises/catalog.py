"""The exercises of d2l's CNN sections (English 7.2-7.6 and 8.1-8.8, with the zh edition's numbers), stated
in cnnviz's own words: what each asks, what kind of work the app offers for it, a hint, and where to try it.

Pure data: the Exercises page (pages/6_Exercises.py) turns `TryIt` into links with each page's own URL
codec. The texts are cnnviz's, never the book's; the section and number let a reader find the original.
"""

from __future__ import annotations

import re
from typing import Iterable

from cnnviz.exercises.catalog_ch7 import CH7
from cnnviz.exercises.catalog_ch8 import CH8
from cnnviz.exercises.catalog_ch8_skips import CH8_SKIPS
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
    Section("8.6", "7.6", Text("Residual Networks (ResNet) and ResNeXt", "残差网络（ResNet）")),
    Section("8.7", "7.7", Text("Densely Connected Networks (DenseNet)", "稠密连接网络（DenseNet）")),
    Section("8.8", None, Text("Designing Convolution Network Architectures", "设计卷积网络架构")),
)
SECTION_BY_EN = {s.en: s for s in SECTIONS}


EXERCISES: tuple[Exercise, ...] = CH7 + CH8 + CH8_SKIPS  # the entries are long: a module per chapter or two
BY_ID: dict[str, Exercise] = {e.id: e for e in EXERCISES}


def find(exercise_id: str) -> Exercise | None:
    """The exercise an id names: its own id, or "zh-<n>" for the zh edition's exercise n, which may be an
    English exercise's twin (zh 7.2.3 is 8.2.4)."""
    if exercise_id in BY_ID:
        return BY_ID[exercise_id]
    zh = exercise_id.removeprefix("zh-")
    return next((e for e in EXERCISES if exercise_id.startswith("zh-") and e.zh == zh), None)


# Words readers type for the zh edition's terms: the older or everyday name -> the book's (汇聚 was long 池化).
SYNONYMS = {"池化": "汇聚", "归一化": "规范化", "毛衣": "套衫"}


def in_section(section: str, exercises: Iterable[Exercise] = EXERCISES, edition: str = "en") -> list[Exercise]:
    """The exercises of an English section in `edition`'s order: in "en" the English numbers, the zh-only ones
    last; in "zh" the zh numbers, the ones the zh edition lacks last."""
    chosen = [e for e in exercises if e.section == section]
    if edition == "zh":
        return sorted(chosen, key=lambda e: (e.zh is None, _as_numbers(e.zh or e.id)))
    return sorted(chosen, key=lambda e: (e.zh_only, e.number))


def _as_numbers(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.removeprefix("zh-").split("."))


def matching(text: str = "", section: str | None = None, kind: str | None = None,
             exercises: Iterable[Exercise] = EXERCISES, edition: str = "en") -> list[Exercise]:
    """The exercises that match every word of `text` (case-insensitive), in `section` and of `kind` when
    given. A bare number ("7.3", "7.3.1") is `edition`'s; "en7.5" / "en-7.5.1" is the English edition's and
    "zh6.3" / "zh-6.3.2" the zh edition's, whatever the reader's edition. Any other word is looked for in the
    statement, hint and section title, in either language, also under its book term (池化 finds 汇聚)."""
    words = text.lower().replace(",", " ").replace("，", " ").split()
    return [ex for ex in exercises
            if (not section or ex.section == section) and (not kind or ex.kind == kind)
            and all(_has_word(ex, word, edition) for word in words)]


def _numbered(number: str | None, word: str) -> bool:
    return number is not None and (number == word or number.startswith(word + "."))


def _has_word(ex: Exercise, word: str, edition: str = "en") -> bool:
    numbered = re.fullmatch(r"(en|zh)?-?(\d+(?:\.\d+)*)", word)
    if numbered:
        which, number = numbered.group(1) or edition, numbered.group(2)
        return _numbered(ex.zh, number) if which == "zh" else not ex.zh_only and _numbered(ex.id, number)
    title = SECTION_BY_EN[ex.section].title
    haystack = " ".join((ex.statement.en, ex.statement.zh, ex.hint.en, ex.hint.zh, title.en, title.zh,
                         ex.kind)).lower()
    book_term = word
    for common, term in SYNONYMS.items():
        book_term = book_term.replace(common, term)
    return word in haystack or book_term in haystack
