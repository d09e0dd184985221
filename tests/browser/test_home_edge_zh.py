"""The Home and Learn-an-edge-kernel pages in Chinese in a real Chromium at a projector's 1280x720: the same
first screen as in English, CJK glyphs drawn, no label cut off; screenshots for a look by eye."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_on_first_screen, doc_screenshot, open_page
from tests.browser.test_page1_zh import _glyphs_drawn, _labels_fit

pytestmark = pytest.mark.browser


def test_home_and_the_edge_page_in_chinese_on_a_projector(projector):
    page = projector
    open_page(page, "/?lang=zh")
    expect(page.locator("[data-testid='stMain'] [data-testid='stPageLink']")).to_have_count(8)
    assert_on_first_screen(page, "h1", "the title")
    assert_on_first_screen(page, "[data-testid='stMain'] [data-testid='stPageLink'] >> nth=7", "the last page's link")
    _glyphs_drawn(page, "卷积神经网络")
    _labels_fit(page)
    doc_screenshot(page, "home_zh_projector", "home_zh")

    open_page(page, "/Learn_an_edge_kernel?lang=zh")
    for selector, what in ((".st-key-edge_play", "the Play button"),
                           (".st-key-edge_kernel_chart .js-plotly-plot", "the learned and target kernels"),
                           (".st-key-edge_loss_chart .js-plotly-plot", "the loss curve")):
        assert_on_first_screen(page, selector, what)
    expect(page.locator(".st-key-edge_play button")).to_contain_text("播放")
    _labels_fit(page)
    doc_screenshot(page, "edge_zh_projector", "edge_zh")
