"""The translation catalogs: every marked string has a Chinese translation, compiled and served by gettext."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from cnnviz import i18n
from cnnviz.errors import CnnvizError

ROOT = Path(__file__).resolve().parents[2]
PO = i18n.catalog_path("zh", ".po")
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
    assert i18n.catalog_path("zh", ".mo").is_file(), "the set-up compiles cnnviz/locale/*.po (make test does)"
    assert i18n.catalog_available("zh")
    for message in catalog:
        if message.id and isinstance(message.id, str):
            assert i18n.gettext("zh", message.id) == message.string
            assert i18n.gettext("en", message.id) == message.id


@pytest.fixture
def po_only(tmp_path, monkeypatch):
    """A copy of the catalogs with the .po files only, as a checkout that skipped the set-up's compile has."""
    for po in i18n.LOCALE_DIR.glob("*/LC_MESSAGES/*.po"):
        copy = tmp_path / po.relative_to(i18n.LOCALE_DIR)
        copy.parent.mkdir(parents=True)
        copy.write_bytes(po.read_bytes())
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    yield tmp_path
    i18n.translations.cache_clear()


def test_without_a_compiled_catalog_the_po_is_served(catalog, po_only):
    assert not list(po_only.rglob("*.mo")) and i18n.catalog_available("zh")
    served = [m for m in catalog if m.id and isinstance(m.id, str)]
    assert len(served) > 100
    for message in served:
        assert i18n.gettext("zh", message.id) == message.string


def test_a_po_newer_than_its_mo_is_served_not_the_stale_mo(po_only):
    po = i18n.catalog_path("zh", ".po")
    mo = i18n.catalog_path("zh", ".mo")
    mo.write_bytes(i18n._compile_po(po))  # a .mo from before an edit ...
    text = po.read_text(encoding="utf-8").replace('msgstr "卷积', 'msgstr "新卷积', 1)
    assert text != po.read_text(encoding="utf-8")
    os.utime(mo, (1, 1))
    po.write_text(text, encoding="utf-8")  # ... then the .po is edited
    i18n.translations.cache_clear()
    assert any(value.startswith("新卷积") for value in i18n.translations("zh")._catalog.values())


def test_a_language_without_a_catalog_falls_back_to_english(po_only):
    assert not i18n.catalog_available("fr")
    assert i18n.gettext("fr", "Convolution & pooling") == "Convolution & pooling"


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


@pytest.mark.parametrize("count, english, chinese", [
    (132_863_336, "132.9 million", "1.33亿"), (46_787_978, "46.8 million", "4679万"), (61_706, "0.1 million", "6.2万"),
])
def test_a_large_count_reads_in_millions_in_english_and_in_wan_and_yi_in_chinese(count, english, chinese):
    value = i18n.Count(count)
    assert (str(value), value.render("en"), value.render("zh")) == (english, english, chinese)
    # 万 is 10^4 and 亿 10^8: read back, the Chinese form is the count to its shown precision
    number, unit = float(chinese[:-1]), {"万": 10 ** 4, "亿": 10 ** 8}[chinese[-1]]
    assert abs(number * unit - count) <= unit * (0.005 if unit == 10 ** 8 else 0.5 if count >= 10 ** 6 else 0.05)

    assert pickle.loads(pickle.dumps(value)).render("zh") == chinese


def test_a_list_takes_the_languages_comma_and_renders_each_item():
    items = i18n.Listed([i18n.Count(132_863_336), "NiN"])
    assert (items.render("en"), items.render("zh")) == ("132.9 million, NiN", "1.33亿、NiN")
    sentence = i18n.Text("They have {items} parameters", items=items)
    assert sentence == "They have 132.9 million, NiN parameters"
