"""The translation catalogs: every marked string has a Chinese translation, compiled and served by gettext."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from cnnviz import i18n
from cnnviz.errors import CnnvizError

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "zh" / "LC_MESSAGES" / "cnnviz.po"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "tr": (2,), "gettext": (2,)}
SAME_IN_BOTH = set()  # messages a Chinese reader reads in English too (code, units): none yet


def marked_messages() -> set[str]:
    """Every string the code marks for translation, found as `make messages` finds them."""
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=[("app.py", "python"), ("pages/**.py", "python"), ("cnnviz/**.py", "python")],
            keywords=KEYWORDS):
        found.update(message if isinstance(message, tuple) else (message,))
    return found


@pytest.fixture(scope="module")
def catalog():
    with PO.open("rb") as f:
        return read_po(f, locale="zh")


def test_every_marked_message_has_a_chinese_translation(catalog):
    marked = marked_messages()
    assert len(marked) >= 3
    missing = sorted(m for m in marked if not (catalog.get(m) and catalog.get(m).string))
    assert not missing, f"{len(missing)} messages without a zh translation (run `make messages`): {missing[:10]}"


def test_no_translation_is_empty_fuzzy_or_left_in_english(catalog):
    for message in catalog:
        if not message.id:
            continue  # the header
        assert message.string, message.id
        assert not message.fuzzy, message.id
        assert message.string != message.id or message.id in SAME_IN_BOTH, message.id


def test_templates_keep_their_named_values(catalog):
    """A translation that drops or renames {value} would raise or lie when formatted."""
    import string

    def names(text):
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for message in catalog:
        if message.id and isinstance(message.id, str):
            assert names(message.string) == names(message.id), message.id


def test_the_compiled_catalog_is_what_gettext_serves(catalog):
    assert i18n.catalog_compiled("zh"), "the set-up compiles locale/*.po (make test does)"
    for message in catalog:
        if message.id and isinstance(message.id, str):
            assert i18n.gettext("zh", message.id) == message.string
            assert i18n.gettext("en", message.id) == message.id


@pytest.mark.parametrize("browser, lang", [("zh-CN", "zh"), ("zh-Hans-SG", "zh"), ("zh_TW", "zh"), ("en-US", "en"),
                                           ("de", "en"), ("", "en"), (None, "en")])
def test_the_browser_language_picks_the_app_language(browser, lang):
    assert i18n.preferred_language(browser) == lang


def test_an_error_carries_its_template_and_values():
    exc = CnnvizError("kernel must be between {low} and {high}, got {value}", low=1, high=28, value=30)
    assert str(exc) == "kernel must be between 1 and 28, got 30"
    assert exc.message.template == "kernel must be between {low} and {high}, got {value}"
    assert exc.render("en") == str(exc)
    plain = CnnvizError("a sentence with {braces} and no values")
    assert str(plain) == plain.render("zh") == "a sentence with {braces} and no values"
