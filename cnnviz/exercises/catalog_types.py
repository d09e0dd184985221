"""The catalog's small frozen types: a text in both languages, a section, an exercise, where to try it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cnnviz.i18n import DEFAULT_LANGUAGE, N_, tr

Kind = Literal["computed", "experiment", "explore"]
KINDS: tuple[Kind, ...] = ("computed", "experiment", "explore")

# The pages an exercise can open (their scripts, as in cnnviz.ui.common.PAGES).
CONV = "pages/1_Convolution_and_pooling.py"  # takes its whole state from the URL (conv_state.PARAMS)
EDGE = "pages/2_Learn_an_edge_kernel.py"  # takes its state from the URL (edge_url.PARAMS, in URL words)
BUILDER = "pages/3_Architecture_builder.py"  # takes ?preset=<name> (arch_state.QUERY_PRESET)
TRAIN = "pages/4_Train.py"
ACTIVATIONS = "pages/5_Activations.py"
INSIDE = "pages/7_Inside_the_network.py"  # takes its state from the URL (inside_url.PARAMS, in URL words)


@dataclass(frozen=True)
class Text:
    """One text in both languages: English and Simplified Chinese (the zh edition's terms)."""

    en: str
    zh: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class TryIt:
    """Where an exercise is done: a page, the state to open it in (URL names and values of that page's
    codec; empty where the page does not read its state from the URL yet), and what to set there."""

    page: str
    state: tuple[tuple[str, object], ...] = ()
    todo: Text | None = None  # one line: what to set or look at once the page is open
    dataset: str | None = None  # the data set the exercise needs where it is not the default ("mnist")

    @property
    def params(self) -> dict[str, object]:
        return dict(self.state)


@dataclass(frozen=True)
class Section:
    en: str  # "7.3"
    zh: str | None  # "6.3"; None for a section only the English edition has (8.8)
    title: Text

    def number(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The section's number in the reader's edition: "6.3" in zh, "7.3" in en; "英文版 8.8" for a section
        the zh edition lacks."""
        if lang != "zh":
            return self.en
        return self.zh or tr(lang, N_("English edition {en}"), en=self.en)

    def label(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """"7.3 Padding and Stride / zh 6.3 填充和步幅": both numberings, the reader's edition first
        (in zh: "6.3 填充和步幅（英文版 7.3）"); "8.8 ... (not in zh)" where the zh edition has no such section."""
        if self.zh is None:
            if lang == "zh":
                return tr(lang, N_("English edition {en} {title} (not in the Chinese edition)"), en=self.en,
                          title=self.title.zh)
            return f"{self.en} {self.title.en} (not in zh)"
        if lang == "zh":
            return tr(lang, N_("{zh} {zh_title} (English edition {en})"), zh=self.zh, zh_title=self.title.zh,
                      en=self.en)
        return f"{self.en} {self.title.en} / zh {self.zh} {self.title.zh}"


@dataclass(frozen=True)
class Exercise:
    id: str  # "7.3.1": the English section and top-level number; "zh-6.3.2" for a zh-only exercise
    section: str  # the English section, "7.3"
    zh: str | None  # the zh edition's number of the same exercise ("6.3.1"), None where it has none
    kind: Kind
    statement: Text
    hint: Text
    try_it: TryIt
    also: TryIt | None = None  # a second page that fits the exercise (page 7's view of the same network)

    @property
    def links(self) -> tuple[TryIt, ...]:
        """Every Try-it link of the exercise, the main one first."""
        return (self.try_it,) if self.also is None else (self.try_it, self.also)

    @property
    def number(self) -> int:
        return int(self.id.rsplit(".", 1)[1])

    @property
    def zh_only(self) -> bool:
        return self.id.startswith("zh-")

    def numbering(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """"7.3.1 · zh 6.3.1", "7.3.3 (not in zh)" or "zh 6.3.2 (zh edition only)"; in zh the zh edition's
        number comes first: "6.3.1 · 英文版 7.3.1"."""
        if lang == "zh":
            if self.zh_only:
                return tr(lang, N_("{zh} (Chinese edition only)"), zh=self.zh)
            if self.zh:
                return tr(lang, N_("{zh} · English edition {en}"), zh=self.zh, en=self.id)
            return tr(lang, N_("English edition {en} (not in the Chinese edition)"), en=self.id)
        if self.zh_only:
            return f"zh {self.zh} (zh edition only)"
        return f"{self.id} · zh {self.zh}" if self.zh else f"{self.id} (not in zh)"


def exercise(id: str, zh: str | None, kind: Kind, statement: tuple[str, str], hint: tuple[str, str],
             page: str, state: dict | None = None, todo: tuple[str, str] | None = None,
             dataset: str | None = None, also: tuple[str, dict, tuple[str, str]] | None = None) -> Exercise:
    """One catalog entry, written compactly: texts as (English, 中文) pairs; `also`: (page, state, todo) of a
    second Try-it link."""
    section = id.removeprefix("zh-").rsplit(".", 1)[0]
    if id.startswith("zh-"):  # a zh-only exercise lives in the English section of the same topic
        section = {z: e for e, z in ZH_OF_EN.items()}[section]
    second = TryIt(also[0], tuple(also[1].items()), Text(*also[2])) if also else None
    return Exercise(id, section, zh, kind, Text(*statement), Text(*hint),
                    TryIt(page, tuple((state or {}).items()), Text(*todo) if todo else None, dataset), second)


# English section -> zh section of the same chapter text.
ZH_OF_EN = {"7.2": "6.2", "7.3": "6.3", "7.4": "6.4", "7.5": "6.5", "7.6": "6.6",
            "8.1": "7.1", "8.2": "7.2", "8.3": "7.3", "8.4": "7.4", "8.5": "7.5", "8.6": "7.6", "8.7": "7.7"}
