"""The Activations page in Chromium: the feature maps on a projector's first screen, a click enlarges a map,
and the drawing canvas joins the comparison."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_on_first_screen, choose, screenshot, wait_idle
from tests.conftest import ROOT

FIRST_LOAD_MS = 180_000  # the first visit loads torch, the test set and the shipped model on a busy CPU
DOCS = ROOT / "docs" / "screenshots"
GRID = ".st-key-act_grid .js-plotly-plot"

pytestmark = pytest.mark.browser


def open_page(page, path: str = "/Activations") -> None:
    page.goto(path)
    page.wait_for_selector("[data-testid='stApp']")
    wait_idle(page, timeout=FIRST_LOAD_MS)
    # Plotly draws each chart after the script finishes; a fresh browser context parses plotly.js first,
    # which on a CPU shared with other test runs has taken over a minute.
    expect(page.locator(GRID), "the feature maps").to_have_count(1, timeout=FIRST_LOAD_MS)


def test_projector_first_screen_shows_the_feature_maps(projector):
    page = projector
    open_page(page)
    first_screen = {
        ".st-key-act_layer": "the layer box", ".st-key-act_stage": "the stage box",
        ".st-key-act_channels": "the channel pager", f"{GRID} .hm": "every map of the grid",
        "text=conv1 after the activation (act1)": "the caption naming the layer",
        ".st-key-act_model": "the model box (sidebar)", ".st-key-act_classes": "the classes (sidebar)",
    }
    for selector, what in first_screen.items():
        assert_on_first_screen(page, selector, what)
    box = page.locator(f"{GRID} .hm image").first.bounding_box()
    assert box["width"] / 16 >= 32, f"16 maps in {box['width']:.0f} px: too small to read"
    shutil.copyfile(screenshot(page, "page5_projector", full_page=False), DOCS / "activations.png")
    page.mouse.move(box["x"] + box["width"] - 5, box["y"] + 5)  # Plotly shows its toolbar on hover...
    page.wait_for_timeout(500)
    expect(page.locator(".st-key-act_grid .modebar-btn")).to_have_count(0)  # ...over the top right: not here

    # The second layer: a page of 8 channels, each map large, not 32 tiny tiles.
    choose(page, "act_layer", "conv2: second convolution")
    expect(page.get_by_text("conv2 after the activation (act2)", exact=True)).to_be_visible()
    expect(page.get_by_text("channels 0–7 of 32, each 10×10")).to_be_visible()
    assert_on_first_screen(page, f"{GRID} .hm", "the second layer's maps")
    box = page.locator(f"{GRID} .hm image").first.bounding_box()
    assert box["width"] / 8 >= 32 and box["height"] / 8 >= 32, box
    screenshot(page, "page5_projector_conv2", full_page=False)


def test_clicking_a_map_enlarges_it_and_a_unit_outlines_its_receptive_field(projector):
    page = projector
    open_page(page)
    choose(page, "act_layer", "conv2: second convolution")
    # The map of Coat 2, channel 2 (PyTorch's index): where the channel's number and the image's name point.
    column = page.locator(f"{GRID} .xtick text", has_text="2").first.bounding_box()
    row = page.locator(f"{GRID} .ytick text", has_text="Coat 2").first.bounding_box()
    page.mouse.click(column["x"] + column["width"] / 2, row["y"] + row["height"] / 2)
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Coat 2 · channel 2 of conv2 after the activation (act2)", timeout=30_000)
    expect(dialog.locator(".st-key-act_zoom_map .js-plotly-plot")).to_have_count(1, timeout=30_000)
    expect(dialog).to_contain_text("10×10 values; largest")
    big = dialog.locator(".st-key-act_zoom_map .hm image").first.bounding_box()
    assert big["width"] >= 300, f"the enlarged map is {big['width']:.0f} px wide"
    screenshot(page, "page5_zoom", full_page=False)
    # A real click on unit (3, 5) of the enlarged 10x10 map: row 3, column 5 of its heatmap image.
    cells = dialog.locator(".st-key-act_zoom_map .hm image").first.bounding_box()
    page.mouse.click(cells["x"] + 5.5 * cells["width"] / 10, cells["y"] + 3.5 * cells["height"] / 10)
    # The whole page reruns and the dialog opens again with the unit outlined on its map and on the input.
    expect(dialog).to_contain_text("Outlined in cyan: unit (3, 5) of act2 sees rows 4-17, columns 8-21 (14×14 of "
                                   "the 28×28 input).", timeout=60_000)
    wait_idle(page)
    expect(dialog.locator(".st-key-act_zoom_input .shapelayer path")).to_have_count(1)
    # LeNet's conv2 unit (3, 5) sees rows 4-17, columns 8-21 (tests/unit/test_receptive_outline.py).
    assert figure_shapes(page, ".st-key-act_zoom_input") == [{"x0": 7.5, "y0": 3.5, "x1": 21.5, "y1": 17.5}]
    shutil.copyfile(screenshot(page, "page5_receptive_zoom", full_page=False), DOCS / "activations_receptive_zoom.png")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    # Every input image of the grid carries the outline, and the caption says what the unit sees.
    expect(page.locator(f"{GRID} .shapelayer path")).to_have_count(8)
    expect(page.get_by_text("unit (3, 5) of act2 sees rows 4-17, columns 8-21 (14×14 of the 28×28 input)")) \
        .to_be_visible()
    assert_on_first_screen(page, f"{GRID} .hm", "the maps with the outlined inputs")
    assert_on_first_screen(page, "text=cyan: what unit (3, 5) sees", "the heading naming the outlined unit")
    shutil.copyfile(screenshot(page, "page5_receptive", full_page=False), DOCS / "activations_receptive.png")


def test_lower_sections_render(page):
    page.set_viewport_size({"width": 1600, "height": 4200})  # the app scrolls inside: a tall window shows it all
    open_page(page)
    for key in ("act_probs", "act_means", "act_difference", "act_bars", "act_kernels",
                "act_attribution"):
        expect(page.locator(f".st-key-{key} .js-plotly-plot"), key).to_have_count(1, timeout=60_000)
    screenshot(page, "page5_activations_full")


def test_drawing_canvas_joins_the_comparison(page):
    open_page(page)
    page.locator(".st-key-act_draw").get_by_text("Draw an image").click()
    wait_idle(page)
    canvas = page.locator(".st-key-act_canvas canvas").first
    canvas.wait_for()
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 60, box["y"] + 40)
    page.mouse.down()
    for step in range(12):
        page.mouse.move(box["x"] + 60 + step * 6, box["y"] + 40 + step * 10)
    page.mouse.up()
    wait_idle(page)
    page.wait_for_timeout(1000)
    wait_idle(page)
    screenshot(page, "page5_activations_drawing", full_page=False)
    # The drawing joins the comparison as the student's own image, with its prediction named.
    expect(page.locator(".st-key-act_probs text", has_text="yours 1").first).to_be_attached()
    expect(page.locator(".st-key-act_grid text", has_text="yours 1").first).to_be_attached()


def figure_shapes(page, selector: str) -> list[dict]:
    """The rectangles Plotly holds in the layout of the chart under `selector` (what it draws as shapes)."""
    return page.locator(f"{selector} .js-plotly-plot").evaluate(
        "el => (el.layout.shapes || []).filter(s => s.type === 'rect')"
        ".map(s => ({x0: s.x0, y0: s.y0, x1: s.x1, y1: s.y1}))")


def test_an_untrained_book_network_at_224(projector):
    page = projector
    open_page(page)
    choose(page, "act_model", "AlexNet at 224×224, untrained")
    expect(page.get_by_text("untrained: shapes and receptive fields only, the maps mean nothing yet")) \
        .to_be_visible(timeout=FIRST_LOAD_MS)
    expect(page.get_by_text("channels 0–7 of 96, each 54×54, untrained: the maps mean nothing yet")) \
        .to_be_visible(timeout=FIRST_LOAD_MS)
    assert_on_first_screen(page, f"{GRID} .hm", "AlexNet's first-layer maps")
    page.locator(f"{GRID} .ytick text", has_text="Pullover 1").first.wait_for()
    column = page.locator(f"{GRID} .xtick text", has_text="0").first.bounding_box()  # channel 0
    row = page.locator(f"{GRID} .ytick text", has_text="Pullover 1").first.bounding_box()
    dialog = page.get_by_role("dialog")
    # conv2's unit (13, 8) of its 26x26 map sees 51x51 pixels (the first layer's units, some
    # cut by the image's edge: tests/app/test_page5_activations.py).
    choose(page, "act_layer", "conv2: second convolution")
    page.mouse.click(column["x"] + column["width"] / 2, row["y"] + row["height"] / 2)
    cells = dialog.locator(".st-key-act_zoom_map .hm image").first
    cells.wait_for(timeout=30_000)
    box = cells.bounding_box()
    page.mouse.click(box["x"] + 8.5 * box["width"] / 26, box["y"] + 13.5 * box["height"] / 26)
    # Start -17, jump 8: rows -17 + 13 * 8 = 87 to 137, columns 47 to 97.
    expect(dialog).to_contain_text("unit (13, 8) of act2 sees rows 87-137, columns 47-97 (51×51 of the 224×224 "
                                   "input)", timeout=60_000)
    wait_idle(page)
    assert figure_shapes(page, ".st-key-act_zoom_input") == [{"x0": 46.5, "y0": 86.5, "x1": 97.5, "y1": 137.5}]
    shutil.copyfile(screenshot(page, "page5_alexnet_zoom", full_page=False), DOCS / "activations_alexnet_zoom.png")
    page.keyboard.press("Escape")
    expect(page.locator(f"{GRID} .shapelayer path")).to_have_count(8)
    assert_on_first_screen(page, "text=cyan: what unit (13, 8) sees", "the heading naming the outlined unit")
    shutil.copyfile(screenshot(page, "page5_alexnet", full_page=False), DOCS / "activations_alexnet.png")
