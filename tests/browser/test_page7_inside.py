"""The Inside-the-network page in Chromium at projector size, in both languages: the overview and the
prediction on the first screen, a click on a map explains a unit of it; screenshots for a look by eye."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

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


# The overview's value of the explained unit, read from the figure the browser drew (plotly.js's decoded z of
# the tile named "<column> · channel <c>"), and the explained total as the page prints it.
OVERVIEW_VALUE = """([name, row, col]) => {
    const plot = document.querySelector('.st-key-in_overview .js-plotly-plot');
    const tile = plot._fullData.find(t => t.name === name);
    return tile ? Number(tile.z[row][col]) : null;
}"""
TARGET_INDEX = """(wanted) => document.querySelector('.st-key-in_overview .js-plotly-plot')._fullData
    .find(t => t.type === 'scatter').customdata.indexOf(wanted)"""
TOTAL = re.compile(r"(-?[0-9.]+(?:e[+-]?[0-9]+)?) \(the forward pass gives (-?[0-9.]+(?:e[+-]?[0-9]+)?)\)")


def _click_tile(page, column: int, channel: int) -> None:
    """A real click on the overview's map of `channel` in column `column` (its click target's middle)."""
    index = page.evaluate(TARGET_INDEX, f"{column},{channel}")
    assert index >= 0, (column, channel)
    scroll_to_top(page)
    box = page.locator(f"{OVERVIEW} .scatterlayer .point").nth(index).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_idle(page, timeout=FIRST_LOAD_MS)


def _explained_equals_the_overview(page, tile_name: str) -> float:
    """The explained unit's total as printed equals the forward pass's and the overview tile's value there."""
    row = int(page.locator(".st-key-in_row input").input_value())
    col = int(page.locator(".st-key-in_col input").input_value())
    text = page.locator("[data-testid='stMain']").get_by_text("the forward pass gives").first.inner_text()
    total, forward = (float(v) for v in TOTAL.search(text).groups())
    drawn = page.evaluate(OVERVIEW_VALUE, [tile_name, row, col])
    assert drawn is not None, tile_name
    assert total == forward and total == pytest.approx(drawn, abs=5e-5), (text, drawn)
    return total


def test_a_click_inside_an_inception_block_explains_its_branch_with_the_overviews_number(page):
    """GoogLeNet at 96 (untrained): channels 66-71 of inception1 come from its second branch (3x3 after 1x1); a
    click on channel 66's map explains the branch's unit, whose number is the one the overview draws there."""
    _open(page, "/Inside_the_network?model=untrained-googlenet&first=66")
    ticks = page.evaluate("() => document.querySelector('.st-key-in_overview .js-plotly-plot')._fullLayout"
                          ".xaxis.ticktext")
    column = next(j for j, tick in enumerate(ticks) if tick.startswith("inception1"))
    _click_tile(page, column, 66)
    layer = parse_qs(urlparse(page.url).query)["layer"][0]
    assert layer.startswith("inception1.") and "b1" not in layer, layer  # a branch's step, not the block
    expect(page.locator(".st-key-in_layer input")).to_have_value(re.compile("^" + re.escape(layer)))
    expect(page.locator(".st-key-in_channel input")).to_have_value("2")  # 66 - the first branch's 64
    _explained_equals_the_overview(page, "inception1 · channel 66")
    page.locator(".st-key-in_unit_map").scroll_into_view_if_needed()
    screenshot(page, "page7_inception", full_page=False)


def test_a_run_trained_in_this_session_is_explained_with_the_overviews_number(page):
    """A short run on the Train page (LeNet with ReLU, 1,000 images, 1 epoch), then this page in the same session:
    the run is in the model box, and a click on its conv2 maps explains a unit with the overview's number."""
    page.goto("/Train?net=lenet_relu&images=1000&epochs=1")
    page.wait_for_selector("[data-testid='stApp']")
    wait_idle(page, timeout=FIRST_LOAD_MS)
    page.locator(".st-key-train_start button").click()
    wait_idle(page)
    confirm = page.locator(".st-key-train_confirm_start button")
    if confirm.count():
        confirm.click()
    page.locator("[data-testid='stAlert']", has_text="finished after").wait_for(timeout=FIRST_LOAD_MS)
    page.locator("[data-testid='stSidebar']").get_by_role("link", name="Inside the network", exact=True).click()
    page.wait_for_url("**/Inside_the_network**")  # the same session: a link of the app, not a new visit
    wait_idle(page, timeout=FIRST_LOAD_MS)
    box = page.locator(".st-key-in_model [role='combobox']").first
    box.click()
    page.get_by_role("option", name=re.compile(r"^Run ")).first.click()
    wait_idle(page, timeout=FIRST_LOAD_MS)
    expect(box).to_have_value(re.compile(r"^Run "))
    ticks = page.evaluate("() => document.querySelector('.st-key-in_overview .js-plotly-plot')._fullLayout"
                          ".xaxis.ticktext")
    column = next(j for j, tick in enumerate(ticks) if tick.startswith("conv2"))
    _click_tile(page, column, 3)
    expect(page.locator(".st-key-in_channel input")).to_have_value("3")
    _explained_equals_the_overview(page, "conv2 · channel 3")
    screenshot(page, "page7_trained_run", full_page=False)


def test_alexnet_with_one_colour_range_and_a_search_of_its_first_test_images(projector):
    """AlexNet at 224 (untrained) with the global colour scale at projector size: the overview, its legend's
    numbers and the prediction on the first screen; the search for act1's channel 3 stops when its time is up
    (AlexNet's first layer takes about a minute for all 10,000 test images here), says how many it searched and
    offers all 10,000."""
    page = projector
    _open(page, "/Inside_the_network?model=untrained-alexnet&scale=global&layer=act1&channel=3")
    first_screen = {f"{OVERVIEW} .hm": "the layers' maps", f"{PROBABILITIES} .bars": "the probabilities"}
    for selector, what in first_screen.items():
        assert_on_first_screen(page, selector, what)
    low, high = page.evaluate("() => { const p = document.querySelector('.st-key-in_overview .js-plotly-plot');"
                              " const t = p._fullData.find(t => t.type === 'heatmap'); return [t.zmin, t.zmax]; }")
    texts = [text.replace("−", "-") for text in page.locator(f"{OVERVIEW} .annotation-text").all_text_contents()]
    assert {f"{low:.2g}", f"{high:.2g}", "0"} <= set(texts), texts  # the one strip's ends and its 0
    for number in (f"{low:.2g}", f"{high:.2g}"):
        drawn = page.locator(f"{OVERVIEW} .annotation").filter(has=page.locator(
            ".annotation-text", has_text=re.compile(rf"^[-−]?{re.escape(number.lstrip('-'))}$")))
        assert drawn.count() >= 1, number
        box = drawn.first.bounding_box()
        assert box is not None and box["y"] + box["height"] <= page.viewport_size["height"], number
    screenshot(page, "page7_alexnet_global", full_page=False)
    page.locator(".st-key-in_find_top button").click()
    wait_idle(page, timeout=FIRST_LOAD_MS)
    note = page.get_by_text(re.compile(r"^Searched the first [0-9,]+ of the 10,000 test images"))
    note.scroll_into_view_if_needed()
    expect(note).to_be_visible()
    expect(page.locator(".st-key-in_find_all button")).to_contain_text("Search all 10,000 test images")
    screenshot(page, "page7_alexnet_top_images", full_page=False)
