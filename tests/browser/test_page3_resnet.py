"""ResNet-18 and DenseNet in the builder in a real Chromium, both languages: the book's parameters, the
diagram with each shortcut and concatenation drawn as an arc, the layer table; screenshots for a look by eye."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, screenshot, wait_idle
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


@pytest.mark.parametrize("lang, label", [("en", "add"), ("zh", "相加")])
def test_a_shortcut_whose_block_opens_the_next_line_is_drawn_across_the_break(page, lang, label):
    """ResNet-18's diagram wraps after seven blocks, at residual5: its shortcut leaves the first line at the right
    and comes in on the second from the left, so every one of the 8 residual blocks shows its arc and label."""
    _open(page, f"/Architecture_builder?preset=resnet18&lang={lang}")
    diagram = page.locator(".st-key-arch_diagram")
    diagram.scroll_into_view_if_needed()
    wait_idle(page)
    dotted = diagram.locator("path[style*='stroke-dasharray: 3px']")  # Plotly's dotted lines
    expect(dotted).to_have_count(8 + 1)  # one arc per block, the wrapped one in two halves
    expect(diagram.locator(".annotation-text").filter(has_text=label)).to_have_count(8)
    diagram.screenshot(path=str(SCREENSHOTS / f"builder_resnet18_wrapped_skip_{lang}.png"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_regnetx32_from_two_anynet_stages_on_the_builder(page, lang):
    """The typed AnyNet stage: one editor row per stage, the book's 179,290 parameters."""
    from cnnviz.arch import to_url_token
    from tests.unit.arch.test_anynet_stage import STAGES

    _open(page, f"/Architecture_builder?arch={to_url_token(STAGES)}&lang={lang}")
    assert _metric(page, "Parameters" if lang == "en" else "参数") == "179,290"
    assert (_cell(page, 1, 3), _cell(page, 7, 3)) == ("AnyNetStage", "4, 16, 1")  # the grid's copy: raw values
    _labels_fit(page)
    screenshot(page, f"builder_anynet_stages_{lang}", full_page=False)
