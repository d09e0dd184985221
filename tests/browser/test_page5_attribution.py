"""The Activations page's attribution section in Chromium, in English and in Chinese: four methods for two
classes, scrolled to, and kept as docs/screenshots/attribution.png (and attribution_zh.png)."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, wait_idle
from tests.browser.test_page5_activations import DOCS, FIRST_LOAD_MS

pytestmark = pytest.mark.browser
CHART = ".st-key-act_attribution .js-plotly-plot"


def show_section(page, path: str, heading: str) -> None:
    page.goto(path)
    page.wait_for_selector("[data-testid='stApp']")
    wait_idle(page, timeout=FIRST_LOAD_MS)
    expect(page.locator(CHART), "the attribution maps").to_have_count(1, timeout=FIRST_LOAD_MS)
    # The app scrolls inside its main block: put the section's heading at the top of the window.
    page.get_by_role("heading", name=heading).evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    expect(page.locator(f"{CHART} .hm image")).to_have_count(10)  # 2 rows x (image + 4 methods)
    box = page.locator(CHART).bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"], box  # all in view


def test_the_four_methods_side_by_side_in_both_languages(page):
    show_section(page, "/Activations", "Attribution: which pixels the decision rests on")
    for title in ("Saliency", "Integrated Gradients", "Occlusion", "Grad-CAM at conv2"):
        expect(page.locator(CHART)).to_contain_text(title)
    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(screenshot(page, "attribution", full_page=False), DOCS / "attribution.png")

    show_section(page, "/Activations?lang=zh", "归因：决策依据哪些像素")
    for title in ("显著性图", "积分梯度", "遮挡", "conv2 上的", "Grad-CAM", "预测："):  # Grad-CAM's on two lines
        expect(page.locator(CHART)).to_contain_text(title)
    shutil.copyfile(screenshot(page, "attribution_zh", full_page=False), DOCS / "attribution_zh.png")
