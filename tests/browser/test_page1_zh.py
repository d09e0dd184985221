"""Page 1 in Chinese in a real Chromium at projector size: the first screen as in English, CJK glyphs drawn,
no figure title or control label cut off; screenshots for a look by eye."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (assert_on_first_screen, doc_screenshot, open_page, presenter_keeps_first_screen,
                                    screenshot, wait_idle)
from tests.browser.test_page1_conv import FIRST_SCREEN, PATH, TALL, _titles_fit

pytestmark = pytest.mark.browser


def _labels_fit(page) -> None:
    """No widget label or button text is cut off (Streamlit ends a label too long for its box with '…')."""
    cut = page.evaluate("""() => [...document.querySelectorAll(
            "[data-testid='stWidgetLabel'] p, [data-testid='stSidebar'] button p, [data-testid='stMain'] button p")]
        .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)""")
    assert not cut, f"labels cut off: {cut}"


def _glyphs_drawn(page, text: str) -> None:
    """A Chinese text is drawn with a CJK font: wider than the same number of tofu-free Latin letters would
    make it, and not zero (tofu boxes have Latin width, missing fonts a fallback of about 0.6 em)."""
    width = page.evaluate("""(text) => { const c = document.createElement('canvas').getContext('2d');
        c.font = '16px "Source Sans", sans-serif'; return c.measureText(text).width / text.length; }""", text)
    assert width > 14, f"{text!r} draws {width:.1f} px a character at 16 px: no CJK font?"


def test_page1_in_chinese_on_a_projector(projector):
    open_page(projector, PATH + "?lang=zh&true_conv=true&pad_h=1")
    for selector, what in FIRST_SCREEN:
        assert_on_first_screen(projector, selector, what)
    expect(projector.locator(".st-key-p1_fig_k .gtitle")).to_have_text("卷积核，旋转 180°", timeout=60_000)
    expect(projector.get_by_text("逐格演示卷积与汇聚")).to_be_visible()
    _titles_fit(projector)
    _labels_fit(projector)
    _glyphs_drawn(projector, "卷积核互相关运算")
    doc_screenshot(projector, "page1_zh_projector", "convolution_zh")
    # Presenter mode: larger type, Chinese titles about twice as wide as English ones, still all on screen.
    presenter_keeps_first_screen(projector, "演示模式", FIRST_SCREEN, "page1_zh_projector_presenter")
    _titles_fit(projector)
    projector.locator(".st-key-presenter").get_by_text("演示模式").click()
    wait_idle(projector)
    # The other modes in Chinese, for a look by eye: pooling (its sidebar) and multi-channel.
    projector.locator(".st-key-p1_mode").get_by_text("汇聚", exact=True).click()
    projector.get_by_text("汇聚层不改变通道数").first.wait_for()
    wait_idle(projector)
    _titles_fit(projector)
    _labels_fit(projector)
    screenshot(projector, "page1_zh_pooling", full_page=False)
    projector.locator(".st-key-p1_mode").get_by_text("多通道", exact=True).click()
    projector.get_by_text("卷积核：K[o, i] = K + o + i").first.wait_for()
    wait_idle(projector)
    _titles_fit(projector)
    screenshot(projector, "page1_zh_multi_channel", full_page=False)

    # The explanation and every sidebar control in Chinese, in a tall window, for a look by eye.
    projector.set_viewport_size(TALL)
    projector.locator(".st-key-p1_mode").get_by_text("汇聚", exact=True).click()
    projector.get_by_text("汇聚层不改变通道数").first.wait_for()
    wait_idle(projector)
    projector.get_by_text("关于本页的更多说明").click()
    projector.get_by_text("常译作“池化层”").first.wait_for()
    wait_idle(projector)
    _labels_fit(projector)
    screenshot(projector, "page1_zh_tall", full_page=False)
