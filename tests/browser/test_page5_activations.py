"""The Activations page in Chromium: the Pullover vs Coat comparison renders, and its controls respond."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import screenshot, wait_idle

FIRST_LOAD_MS = 180_000  # the first visit loads torch, the test set and the shipped model on a busy CPU


def open_page(page, path: str) -> None:
    page.goto(path)
    page.wait_for_selector("[data-testid='stApp']")
    wait_idle(page, timeout=FIRST_LOAD_MS)


def test_comparison_renders_and_switches_layer(page):
    page.set_viewport_size({"width": 1600, "height": 4200})  # the app scrolls inside: a tall window shows it all
    open_page(page, "/Activations")
    expect(page.get_by_text("Activations: what the layers see")).to_be_visible()
    # Plotly draws each chart after the script finishes; on a busy CPU that can take seconds per chart.
    for key in ("act_inputs", "act_probs", "act_grid", "act_means", "act_difference", "act_bars",
                "act_kernels", "act_saliency"):
        expect(page.locator(f".st-key-{key} .js-plotly-plot"), key).to_have_count(1, timeout=60_000)
    screenshot(page, "page5_activations_conv1")

    page.locator(".st-key-act_layer").click()
    page.get_by_role("option", name="conv2: second convolution").click()
    wait_idle(page)
    page.locator(".st-key-act_stage").get_by_text("pooling").click()
    wait_idle(page)
    expect(page.get_by_text("pool2, 32 channels of 5x5")).to_be_visible()
    screenshot(page, "page5_activations_pool2")


def test_drawing_canvas_shows_without_errors(page):
    open_page(page, "/Activations")
    page.locator(".st-key-act_draw").get_by_text("Draw an image").click()
    wait_idle(page)
    canvas = page.locator(".st-key-act_canvas canvas").first
    canvas.wait_for()
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
    # The drawing joins the comparison as the student's own image.
    expect(page.locator(".st-key-act_probs text", has_text="yours 1").first).to_be_attached()
