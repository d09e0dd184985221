"""The architecture builder in Chinese in a real Chromium at projector size: the first screen as in English
(layer table, totals, diagram), CJK glyphs drawn, no label cut off, the table still fits its sidebar; then the
two-stacks comparison and a broken stack, screenshots for a look by eye."""

import dataclasses
import shutil

import pytest
from playwright.sync_api import expect

from cnnviz.arch import PRESETS, to_url_token
from tests.browser.conftest import assert_on_first_screen, screenshot, wait_idle
from tests.browser.test_page1_zh import _glyphs_drawn, _labels_fit
from tests.browser.test_page3_arch import _cell, _metric, _open, _table_fits_its_sidebar
from tests.conftest import ROOT

pytestmark = pytest.mark.browser


def test_page3_in_chinese_on_a_projector(projector):
    page = projector
    _open(page, "/Architecture_builder?lang=zh")
    assert_on_first_screen(page, "[data-testid='stSidebar'] .st-key-arch_editor", "the layer table")
    assert_on_first_screen(page, ".st-key-arch_summary", "the totals")
    assert_on_first_screen(page, ".st-key-arch_diagram", "the diagram")
    expect(page.get_by_role("heading", name="网络架构搭建")).to_be_visible()
    assert _metric(page, "层数") == "14" and _cell(page, 1, 13) == "Linear"  # layer types stay as code
    expect(page.locator(".st-key-arch_diagram .annotation-text").filter(has_text="输入").first).to_be_visible()
    _glyphs_drawn(page, "网络架构搭建")
    _labels_fit(page)
    _table_fits_its_sidebar(page)
    shot = screenshot(page, "builder_zh", full_page=False)
    shutil.copy(shot, ROOT / "docs" / "screenshots" / "builder_zh.png")

    # The layer table and the two stacks, further down, for a look by eye.
    page.locator(".st-key-arch_table").scroll_into_view_if_needed()
    wait_idle(page)
    screenshot(page, "builder_zh_table", full_page=False)
    page.locator(".st-key-arch_stacks summary").click()
    page.locator(".st-key-arch_stack_table").scroll_into_view_if_needed()
    wait_idle(page)
    expect(page.locator(".st-key-arch_stacks")).to_contain_text("三个 3×3 对一个 7×7")
    _labels_fit(page)
    screenshot(page, "builder_zh_stacks", full_page=False)

    # A shared link to LeNet on 8x8 images: the second convolution's 5x5 window is larger than its 4x4 input.
    small = dataclasses.replace(PRESETS["lenet"], name="lenet_8", input_shape=(1, 8, 8))
    _open(page, "/Architecture_builder?lang=zh&arch=" + to_url_token(small))
    alert = page.locator("[data-testid='stAlert']").first
    expect(alert).to_contain_text("这个网络无法运行：第 4 层，Conv2d 5×5：它的输入是 6×4×4，比 5×5 的窗口还小")
    expect(page.locator(".st-key-arch_fit_input")).to_contain_text("能运行的最小大小")
    _labels_fit(page)
    screenshot(page, "builder_zh_broken", full_page=False)
