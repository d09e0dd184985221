"""The builder in Chromium with the book's AlexNet at 224: its receptive fields, an input too small and its fix,
two stacks side by side. A file of its own, so `make test`'s two workers run it beside the other builder tests."""

import shutil

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import choose, screenshot, wait_idle
from tests.browser.test_page3_arch import _click, _expect_cell, _grid_cell, _metric, _open, _shows, _to_top
from tests.conftest import ROOT

pytestmark = pytest.mark.browser


def test_alexnet_at_224_receptive_fields_and_two_stacks(page):
    """Chosen from the preset box by its book name: 224x224 input, the RF column, the too-small fix, the stacks."""
    page.set_viewport_size({"width": 1280, "height": 720})
    _open(page, "/Architecture_builder?preset=lenet")
    choose(page, "arch_preset", "AlexNet, 224×224 (d2l 8.1 / zh 7.1)", exact=True)
    _shows(page, "Parameters", "46,764,746")
    expect(page.locator(".st-key-arch_input input")).to_have_value("224×224")
    table = page.locator(".st-key-arch_table")
    table.scroll_into_view_if_needed()
    expect(table.locator("[data-testid='stDataFrame']")).to_be_visible()
    headers = table.locator("[role='columnheader']").all_inner_texts()
    assert {"RF", "jump", "start"} <= {h.strip() for h in headers}, headers
    _expect_cell(table, "RF", 0, "11×11")
    _expect_cell(table, "start", 3, "-17")

    page.set_viewport_size({"width": 1280, "height": 1000})  # the whole RF table of AlexNet in one picture
    wait_idle(page)
    _to_top(page, ".st-key-arch_table_memory")
    shot = screenshot(page, "builder_receptive", full_page=False)
    shutil.copy(shot, ROOT / "docs" / "screenshots" / "builder_receptive.png")

    page.set_viewport_size({"width": 1280, "height": 720})
    stacks = page.locator(".st-key-arch_stacks")
    stacks.scroll_into_view_if_needed()
    stacks.get_by_text("Two stacks side by side").click()
    result = page.locator(".st-key-arch_stack_table")
    expect(result).to_be_visible(timeout=60_000)
    expect(page.locator(".st-key-arch_stack_figure")).to_be_visible()
    assert page.locator("[data-testid='stException']").count() == 0
    assert _grid_cell(result, "A / B", 0) == "same" and _grid_cell(result, "A / B", 2) == "0.55x"
    wait_idle(page)
    _to_top(page, ".st-key-arch_stacks")
    shot = screenshot(page, "builder_stacks", full_page=False)  # as a projector shows it
    shutil.copy(shot, ROOT / "docs" / "screenshots" / "builder_stacks.png")

    page.set_viewport_size({"width": 1280, "height": 720})
    choose(page, "arch_input", "28×28", exact=True)  # too small: the layer that breaks, the smallest size, the fix
    alert = page.locator("[data-testid='stAlert']").first
    expect(alert).to_contain_text("smallest input that works is 65×65", timeout=60_000)
    page.locator("[data-testid='stMain']").evaluate("e => e.scrollTop = 0")
    page.mouse.move(1100, 5)  # no grid toolbar hovering in the picture
    shot = screenshot(page, "builder_too_small", full_page=False)
    shutil.copy(shot, ROOT / "docs" / "screenshots" / "builder_too_small.png")
    _click(page, "arch_fit_input")
    _shows(page, "Output shape", "10")
    expect(page.locator(".st-key-arch_input input")).to_have_value("65×65")
    assert _metric(page, "Layers") == "21"
