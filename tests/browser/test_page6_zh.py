"""The Exercises page in Chinese in a real Chromium at a projector's 1280x720: the same first screen as in
English, the zh edition's numbers first, CJK glyphs drawn, no label cut off, and a computed answer's card
(matrices, table captions, checks) in Chinese; screenshots for a look by eye."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DOCS, assert_on_first_screen, doc_screenshot
from tests.browser.test_page1_zh import _glyphs_drawn, _labels_fit
from tests.browser.test_page6_exercises import _open, open_toeplitz_answer

pytestmark = pytest.mark.browser

FIRST_SCREEN = (("h1", "the title"), (".st-key-ex_query", "the search box"),
                (".st-key-ex_section", "the section filter"), (".st-key-ex_kind", "the kind filter"), (".st-key-ex_lang", "the statements' language"),
                (".st-key-ex_card_7_2_1", "the first exercise"))


def test_exercises_in_chinese_on_a_projector(projector):
    _open(projector, "/Exercises?lang=zh")
    for selector, what in FIRST_SCREEN:
        assert_on_first_screen(projector, selector, what)
    expect(projector.get_by_role("heading", name="练习", exact=True)).to_be_visible()
    expect(projector.get_by_text("6.2 图像卷积（英文版 7.2）")).to_be_visible()
    card = projector.locator(".st-key-ex_card_7_2_1")
    expect(card.get_by_text("6.2.1 · 英文版 7.2.1")).to_be_visible()
    expect(card.get_by_text("试一试：卷积与汇聚")).to_be_visible()
    _glyphs_drawn(projector, "互相关运算卷积核")
    _labels_fit(projector)
    doc_screenshot(projector, "exercises_zh_projector", "exercises_zh")

    # A computed answer in Chinese: 6.2.3 (EN 7.2.4), the Toeplitz matrix, its table and its checks.
    card = open_toeplitz_answer(projector, "/Exercises?lang=zh&section=7.2", "与 PyTorch 核对：全部一致")
    _labels_fit(projector)
    card.screenshot(path=str(DOCS / "exercises_zh_answer.png"))
