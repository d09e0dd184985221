"""ResNet-18 and DenseNet in the builder in a real Chromium, both languages: the book's parameters, the
diagram with each shortcut and concatenation drawn as an arc, the layer table; screenshots for a look by eye."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, wait_idle
from tests.browser.test_page1_zh import _glyphs_drawn, _labels_fit
from tests.browser.test_page3_arch import _cell, _metric, _open

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("preset, params, arc, row, block, lang", [  # row: after the stem (0-based)
    ("resnet18", "11,178,378", "add", 4, "ResidualBlock", "en"),
    ("densenet", "758,226", "连结", 4, "DenseBlock", "zh"),
    ("regnetx32", "179,290", "相加", 3, "ResNeXtBlock", "zh"),
])
def test_the_books_networks_with_skips_on_the_builder(page, preset, params, arc, row, block, lang):
    _open(page, f"/Architecture_builder?preset={preset}&lang={lang}")
    assert _metric(page, "Parameters" if lang == "en" else "参数") == params
    assert _cell(page, 1, row) == block
    diagram = page.locator(".st-key-arch_diagram")
    expect(diagram.locator(".annotation-text").filter(has_text=arc).first).to_be_visible()
    if lang == "zh":
        _glyphs_drawn(page, "网络架构搭建")
    _labels_fit(page)
    diagram.scroll_into_view_if_needed()
    wait_idle(page)
    screenshot(page, f"builder_{preset}_{lang}", full_page=False)
