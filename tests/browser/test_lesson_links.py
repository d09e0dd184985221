"""A lesson link in a real Chromium at projector size (1280x720), in English and Chinese: the task on top, the
locked learning rate shown disabled with its value, the hidden optimizer gone, Start still on the first screen;
the sidebar's panel writes the link and draws its QR code; the tour's box steps on; axe finds no serious
violation with the tour and the panel open. Screenshots for a look by eye."""

from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import assert_on_first_screen, open_page, screenshot, wait_idle
from tests.browser.test_accessibility import WCAG_21_AA, _blocking

pytestmark = pytest.mark.browser

WORDS = {  # language -> the task, the panel's title, the QR code's alt text, the tour's first words
    "en": ("Find the largest learning rate that still trains", "Make a lesson link", "QR code of the lesson link",
           "Tour, step 1 of 5."),
    "zh": ("找出仍能训练的最大学习率", "生成课堂链接", "课堂链接的二维码", "导览：第 1 步，共 5 步。"),
}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_lesson_link_on_a_projector(projector, language):
    page = projector
    task, panel, caption, tour = WORDS[language]
    query = {"lr": "0.3", "optimizer": "sgd", "lock": "lr", "hide": "optimizer", "task": task, "tour": "1",
             **({"lang": language} if language == "zh" else {})}
    open_page(page, "/Train?" + urlencode(query))
    expect(page.locator(".st-key-lesson_task")).to_contain_text(task)
    expect(page.locator(".st-key-tour_box")).to_contain_text(tour)
    slider = page.locator(".st-key-train_lr input[type='range']")
    expect(slider).to_have_attribute("aria-valuetext", "0.3")
    expect(slider).to_be_disabled()
    expect(page.locator(".st-key-train_lr [data-testid='stWidgetLabel']")).to_contain_text("🔒")
    expect(page.locator(".st-key-train_optimizer")).to_have_count(0)  # hidden, though its value applies
    screenshot(page, f"lesson_link_tour_{language}", full_page=False)
    assert_accessible(page)  # the tour's box, the task, the locked control

    page.locator(".st-key-tour_next button").click()
    wait_idle(page)
    expect(page.locator(".st-key-tour_box")).to_contain_text("2")
    page.locator(".st-key-tour_end button").click()
    wait_idle(page)
    expect(page.locator(".st-key-tour_box")).to_have_count(0)
    assert_on_first_screen(page, ".st-key-lesson_task", "the task")
    assert_on_first_screen(page, ".st-key-train_start button", "the Start button")
    screenshot(page, f"lesson_link_{language}", full_page=False)

    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_text(panel).click()
    wait_idle(page)
    code = sidebar.locator("[data-testid='stCode']").first
    code.scroll_into_view_if_needed()
    expect(code).to_contain_text("lock=lr")
    expect(code).to_contain_text("hide=optimizer")
    image = sidebar.get_by_role("img", name=caption)
    image.scroll_into_view_if_needed()
    expect(image).to_be_visible()
    size = image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert size[0] == size[1] and size[0] >= 150, size  # a square code, drawn
    screenshot(page, f"lesson_link_panel_{language}", full_page=False)
    assert_accessible(page)  # the open panel: its boxes, the link, the QR code


def assert_accessible(page) -> None:
    """axe-core's WCAG 2.1 AA rules find no critical or serious violation on the page as it is now."""
    blocking = _blocking(Axe().run(page, options=WCAG_21_AA).response)
    assert not blocking, "\n".join(blocking)


def test_a_lesson_link_on_the_convolution_page_in_chinese(projector):
    page = projector
    query = {"lang": "zh", "pad_h": "1", "lock": "pad_h,pad_w", "hide": "true_conv", "task": "把步幅改为 2，输出有多大？",
             "tour": "1"}
    open_page(page, "/Convolution_and_pooling?" + urlencode(query))
    expect(page.locator(".st-key-lesson_task")).to_contain_text("把步幅改为 2")
    expect(page.locator(".st-key-p1_pad_h input")).to_be_disabled()
    expect(page.locator(".st-key-p1_pad_h input")).to_have_value("1")
    expect(page.locator(".st-key-p1_pad_w input")).to_be_disabled()
    expect(page.locator(".st-key-p1_stride_h input")).to_be_enabled()
    expect(page.locator(".st-key-p1_true_conv")).to_have_count(0)
    outline = page.locator(".st-key-p1_mode").evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline == "solid"  # the tour's first step points at the mode
    screenshot(page, "lesson_link_conv_zh", full_page=False)
    assert_accessible(page)
