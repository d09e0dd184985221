"""Words in catalogs: gettext translations of what a person reads, English and Simplified Chinese.

The catalogs are `cnnviz/locale/<lang>/LC_MESSAGES/cnnviz.po`, inside the package, so an installed wheel
carries them. The set-up (`make run` / `make test`) compiles them to `.mo` with Babel; without that step (`pip
install .` then `streamlit run app.py`) the `.po` is read with Babel at first use. Messages are English templates with named values
("layer {index}: ..."), so a translator sees the whole sentence; the library raises errors that carry their
template and values (`Message`), and a page translates them where it shows them. Pure: no Streamlit here.
"""

from __future__ import annotations

import gettext as _gettext
import io
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DOMAIN = "cnnviz"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = {"en": "English", "zh": "简体中文"}  # URL code -> the language's own name
DEFAULT_LANGUAGE = "en"


def N_(message: str) -> str:
    """Marks a constant for extraction without translating it yet (it is translated where it is shown)."""
    return message


def catalog_path(lang: str, suffix: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


@lru_cache(maxsize=None)
def translations(lang: str) -> _gettext.NullTranslations:
    """The catalog of `lang`: its compiled `.mo` when that is at least as new as the `.po`, else the `.po` read
    and compiled in memory by Babel; English, or a language with no catalog, gives the messages unchanged."""
    if lang == DEFAULT_LANGUAGE:
        return _gettext.NullTranslations()
    po, mo = catalog_path(lang, ".po"), catalog_path(lang, ".mo")
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as compiled:
            return _gettext.GNUTranslations(compiled)
    if po.is_file():
        return _gettext.GNUTranslations(io.BytesIO(_compile_po(po)))
    return _gettext.NullTranslations()


def _compile_po(po: Path) -> bytes:
    """What `pybabel compile` writes for `po`, in memory (fuzzy entries left out, as it does)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    return compiled.getvalue()


def catalog_available(lang: str) -> bool:
    """Whether `lang` has a catalog to read (compiled or not); a page warns when it has none."""
    return lang == DEFAULT_LANGUAGE or catalog_path(lang, ".mo").is_file() or catalog_path(lang, ".po").is_file()


def gettext(lang: str, message: str) -> str:
    return translations(lang).gettext(message)


def tr(lang: str, template: str, **values) -> str:
    """`template` in `lang` with its named values filled in: what pure figure functions use for their texts."""
    text = gettext(lang, template)
    return text.format(**values) if values else text


def ngettext(lang: str, singular: str, plural: str, n: int) -> str:
    return translations(lang).ngettext(singular, plural, n)


def preferred_language(browser_locale: str | None) -> str:
    """The app's language for a browser's `navigator.language` ("zh-CN", "zh-Hans-SG", "en-US", None)."""
    if browser_locale and browser_locale.lower().replace("_", "-").split("-")[0] == "zh":
        return "zh"
    return DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Message:
    """A translatable sentence: an English template with named values, rendered in the reader's language."""

    template: str
    values: dict = field(default_factory=dict)

    def render(self, lang: str = DEFAULT_LANGUAGE) -> str:
        text = gettext(lang, self.template)
        return text.format(**self.values) if self.values else text  # a plain sentence may hold braces

    def __str__(self) -> str:
        return self.render()


class Text(str):
    """A library sentence a page can show in the reader's language: the English `template.format(**values)` (it
    *is* a str, so every caller that formats, compares or searches it keeps working) that also carries its
    template and values; `render(lang)` fills the translated template, rendering nested Texts ("layer {index},
    {kind}: {problem}" holds a kind and a problem) in the same language. Mark the template with N_."""

    template: str
    values: dict

    def __new__(cls, template: str, **values):
        text = super().__new__(cls, template.format(**values) if values else template)
        text.template, text.values = template, values
        return text

    def __reduce__(self):  # copy / pickle keep the template and values (str's own would drop them)
        return _rebuild, (self.template, self.values)

    def render(self, lang: str = DEFAULT_LANGUAGE) -> str:
        if lang == DEFAULT_LANGUAGE:
            return str(self)
        values = {name: render(value, lang) for name, value in self.values.items()}
        template = gettext(lang, self.template)
        return template.format(**values) if values else template


class Count(Text):
    """A large count (parameters, weights) in the reader's words: "46.8 million" in English; in Chinese by 万 (10^4)
    and 亿 (10^8), as Chinese counts: "4679万", "1.33亿" (Babel's compact forms from CLDR)."""

    count: int

    def __new__(cls, count: int, digits: int = 1):
        text = super().__new__(cls, f"{count / 1e6:.{digits}f} million")
        text.count, text.digits = count, digits
        return text

    def __reduce__(self):
        return Count, (self.count, self.digits)

    def render(self, lang: str = DEFAULT_LANGUAGE) -> str:
        if lang != "zh":
            return str(self)
        from babel.numbers import format_compact_decimal  # CLDR's Chinese compact forms: 万, 亿

        digits = 2 if self.count >= 10 ** 8 else 0 if self.count >= 10 ** 6 else 1
        return format_compact_decimal(self.count, locale="zh_CN", fraction_digits=digits)


class Listed(Text):
    """Items one after another with the language's list comma: "a, b, c"; in Chinese "a、b、c"."""

    def __new__(cls, items):
        text = super().__new__(cls, ", ".join(map(str, items)))
        text.items = tuple(items)
        return text

    def __reduce__(self):
        return Listed, (self.items,)

    def render(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return ("、" if lang == "zh" else ", ").join(str(render(item, lang)) for item in self.items)


def _rebuild(template: str, values: dict) -> Text:
    return Text(template, **values)


def join(*parts: str) -> Text:
    """Parts side by side ("Conv2d 3x3" + ", stride 2"), each rendered in the reader's language."""
    parts = tuple(p for p in parts if p)
    return Text("".join(f"{{p{i}}}" for i in range(len(parts))), **{f"p{i}": p for i, p in enumerate(parts)})


def render(value, lang: str = DEFAULT_LANGUAGE):
    """A Text in `lang`; anything else unchanged (numbers keep their format spec in the template)."""
    return value.render(lang) if isinstance(value, Text) else value
