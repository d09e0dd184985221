"""The Inside-the-network page in Chromium at projector size, in both languages: the overview and the
prediction on the first screen, a click on a map explains a unit of it; screenshots for a look by eye."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    assert_on_first_screen, doc_screenshot, presenter_keeps_first_screen, screenshot, scroll_to_top, wait_idle,
)

FIRST_LOAD_MS = 180_000  # the first visit loads torch, the test set and the shipped model on a busy CPU
OVERVIEW = ".st-key-in_overview .js-plotly-plot"
PROBABILITIES = ".st-key-in_probabilities .js-plotly-plot"

pytestmark = pytest.mark.browser


def _open(page, path: str) -> None:
    page.goto(path)
    page.wait_for_selector("[data-testid='stApp']")
    wait_idle(page, timeout=FIRST_LOAD_MS)
    expect(page.locator(OVERVIEW), "the overview").to_have_count(1, timeout=FIRST_LOAD_MS)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_overview_first_screen_and_a_click_explains_a_unit(projector, lang):
    page = projector
    _open(page, "/Inside_the_network" + ("?lang=zh" if lang == "zh" else ""))
    first_screen = {f"{OVERVIEW} .hm": "the layers' maps", f"{PROBABILITIES} .bars": "the probabilities",
                    ".st-key-in_model": "the model box (sidebar)"}
    for selector, what in first_screen.items():
        assert_on_first_screen(page, selector, what)
    suffix = "" if lang == "en" else "_zh"
    doc_screenshot(page, f"page7_projector{suffix}", f"inside{suffix}")
    page.locator(".st-key-in_window_0").scroll_into_view_if_needed()  # conv1's unit (0, 0, 0), padding marked
    screenshot(page, f"page7_conv{suffix}", full_page=False)
    # pool1's channel 1 (the shipped modern LeNet: input, then conv1, bn1, act1 and pool1 with 6 maps each
    # on the first page): a real click on its map explains the map's middle unit.
    scroll_to_top(page)
    box = page.locator(f"{OVERVIEW} .scatterlayer .point").nth(1 + 3 * 6 + 1).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_idle(page)
    heading = page.locator("[data-testid='stMain']").get_by_text("pool1", exact=False).first  # not the lesson link
    expect(heading).to_be_visible()
    expect(page.locator(".st-key-in_row input")).to_have_value("7")
    # A real click on unit (3, 5) of the enlarged 14x14 map of pool1's channel 1 explains that unit.
    cells = page.locator(".st-key-in_unit_map .hm image").first
    cells.scroll_into_view_if_needed()
    box = cells.bounding_box()
    page.mouse.click(box["x"] + 5.5 * box["width"] / 14, box["y"] + 3.5 * box["height"] / 14)
    wait_idle(page)
    expect(page.locator(".st-key-in_row input")).to_have_value("3")
    expect(page.locator(".st-key-in_col input")).to_have_value("5")
    page.locator(".st-key-in_pool_window").scroll_into_view_if_needed()
    screenshot(page, f"page7_explained{suffix}", full_page=False)
    page.locator(".st-key-in_find_top button").click()  # what pool1's channel 1 looks for, over the test set
    wait_idle(page, timeout=FIRST_LOAD_MS)
    top = page.locator(".st-key-in_top_images .js-plotly-plot")
    expect(top).to_have_count(1)
    top.scroll_into_view_if_needed()
    screenshot(page, f"page7_top_images{suffix}", full_page=False)
    presenter_keeps_first_screen(page, "Presenter mode" if lang == "en" else "演示模式",
                                 list(first_screen.items())[:2], f"page7_presenter{suffix}")


def test_an_untrained_alexnet_at_224_from_a_link(page):
    _open(page, "/Inside_the_network?model=untrained-alexnet&layer=conv2&channel=17&row=5&col=9&first=90")
    expect(page.locator("[data-testid='stMain']").get_by_text("conv2", exact=False).first).to_be_visible()
    expect(page.locator(".st-key-in_window_0 .js-plotly-plot")).to_have_count(1)
    screenshot(page, "page7_alexnet", full_page=False)
    page.locator(".st-key-in_window_0").scroll_into_view_if_needed()
    screenshot(page, "page7_alexnet_conv2", full_page=False)
