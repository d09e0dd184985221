"""Page 5 in Chinese in a real Chromium at projector size: the first screen shows what it shows in English
(layer, stage and channel boxes, every map, the model and the classes), CJK glyphs drawn, no label cut off;
a screenshot for a look by eye."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_on_first_screen, doc_screenshot
from tests.browser.test_page1_zh import _glyphs_drawn, _labels_fit
from tests.browser.test_page5_activations import GRID, open_page

pytestmark = pytest.mark.browser


def test_page5_in_chinese_on_a_projector(projector):
    page = projector
    open_page(page, "/Activations?lang=zh")
    first_screen = {
        ".st-key-act_layer": "the layer box", ".st-key-act_stage": "the stage box",
        ".st-key-act_channels": "the channel pager", f"{GRID} .hm": "every map of the grid",
        "text=conv1 经过激活后（act1）": "the caption naming the layer",
        ".st-key-act_model": "the model box (sidebar)", ".st-key-act_classes": "the classes (sidebar)",
    }
    for selector, what in first_screen.items():
        assert_on_first_screen(page, selector, what)
    expect(page.locator(".st-key-act_classes").get_by_text("套衫")).to_be_visible()
    expect(page.locator(f"{GRID} .xtick text").first).to_have_text("输入")  # the input column's label
    _labels_fit(page)
    _glyphs_drawn(page, "激活各层看到了什么")
    doc_screenshot(page, "page5_zh_projector", "activations_zh")
