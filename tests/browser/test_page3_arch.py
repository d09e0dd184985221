"""The architecture builder in Chromium: build a stack, see the diagram and the table, break it, fix it; Back
undoes a change; the layer table fits its sidebar and refuses what the image cannot take; the projector.
(The book's AlexNet at 224 is in test_page3_receptive.py: a file of its own runs beside this one.)"""

import shutil

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout, expect

from cnnviz.ui.arch.labels import preset_label
from tests.browser.conftest import assert_on_first_screen, choose, screenshot, wait_idle
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
ROW = 32  # px per row of the layer table (arch_editor.ROW_HEIGHT)


def _open(page, path: str) -> None:
    """open_page, allowing for a cold server on a busy machine (the first run imports torch)."""
    page.goto(path)
    wait_idle(page, timeout=240_000)
    page.locator(".st-key-arch_editor [data-testid='stDataFrame']").wait_for(timeout=120_000)


def _click(page, key: str) -> None:
    page.locator(f".st-key-{key} button").first.click()  # the second is Streamlit's hidden copy for the tooltip
    wait_idle(page)


def _metric(page, label: str) -> str:
    """The value of the summary's metric called `label`."""
    return _metric_value(page, label).inner_text()


def _metric_value(page, label: str):
    metric = page.locator(".st-key-arch_summary [data-testid='stMetric']").filter(has_text=label).first
    return metric.locator("[data-testid='stMetricValue']")


def _shows(page, label: str, value: str) -> None:
    """Waits until the metric shows `value` (Back reruns the page a moment after the address changes)."""
    expect(_metric_value(page, label)).to_have_text(value, timeout=60_000)


def _cell(page, column: int, row: int) -> str:
    """The layer table's cell text (0-based column and row), from the grid's accessible copy of its canvas."""
    return page.locator(f".st-key-arch_editor [data-testid='glide-cell-{column}-{row}']").inner_text()


def test_build_a_stack_and_see_diagram_and_table_then_a_deep_preset(page):
    page.set_viewport_size({"width": 1600, "height": 2600})  # the app scrolls inside: a tall window shows it all
    _open(page, "/Architecture_builder?preset=lenet")
    diagram = page.locator(".st-key-arch_diagram")
    diagram.wait_for()
    assert _metric(page, "Parameters") == "61,706"
    screenshot(page, "page3_arch_lenet")

    # Build: append a ReLU at the end (the stack now ends with an activation: still 10 scores).
    choose(page, "arch_add_type", "Activation", exact=True)
    _click(page, "arch_add")
    assert page.locator("[data-testid='stAlert']").count() == 0
    # Break it: a pooling layer after the Flatten.
    choose(page, "arch_add_type", "Pool", exact=True)
    choose(page, "arch_add_at", "before layer 8", exact=True)
    _click(page, "arch_add")
    _shows(page, "Output shape", "✖ layer 8")  # no partial totals passed off as the network's
    alert = page.locator("[data-testid='stAlert']").first
    assert "layer 8, MaxPool2d 2×2" in alert.inner_text()
    screenshot(page, "page3_arch_broken")
    diagram.screenshot(path="build/screenshots/page3_arch_diagram_broken.png")

    # Fix it by removing that layer: everything else is still there.
    _click(page, "arch_remove")
    _shows(page, "Parameters", "61,706")
    assert page.locator("[data-testid='stAlert']").count() == 0
    screenshot(page, "page3_arch_fixed")
    page.locator(".st-key-arch_table").screenshot(path="build/screenshots/page3_arch_table.png")

    # A deep preset wraps its diagram onto several lines.
    page.set_viewport_size({"width": 1600, "height": 2000})
    choose(page, "arch_preset", preset_label("googlenet_small"), exact=True)
    _shows(page, "Parameters", "150,164")
    assert page.locator("[data-testid='stAlert']").count() == 0
    screenshot(page, "page3_arch_googlenet")
    page.locator(".st-key-arch_diagram").screenshot(path="build/screenshots/page3_arch_diagram_googlenet.png")


def test_back_undoes_the_last_change_and_other_pages_keep_the_state(page):
    _open(page, "/Architecture_builder?preset=lenet")
    choose(page, "arch_add_type", "Dropout", exact=True)
    _click(page, "arch_add")  # change 1
    _shows(page, "Layers", "13")
    choose(page, "arch_preset", preset_label("vgg_small"), exact=True)  # change 2
    _shows(page, "Layers", "11")
    assert page.url.endswith("?preset=vgg_small")

    page.go_back()
    _shows(page, "Layers", "13")  # change 2 undone
    wait_idle(page)
    assert "arch=" in page.url and _cell(page, 1, 12) == "Dropout"
    page.go_back()
    _shows(page, "Layers", "12")  # change 1 undone
    wait_idle(page)
    assert page.url.endswith("?preset=lenet")
    expect(page.locator(".st-key-arch_preset input")).to_have_value(preset_label("lenet"))

    choose(page, "arch_add_type", "BatchNorm", exact=True)
    _click(page, "arch_add")
    _shows(page, "Layers", "13")
    menu = page.locator("[data-testid='stSidebar']")
    menu.get_by_role("button", name="Pages").click()  # the builder folds the menu above its layer table
    page.locator("[data-testid='stPopoverBody']").get_by_role("link", name="Home", exact=True).click()
    wait_idle(page)
    menu.get_by_role("link", name="Architecture builder", exact=True).click()
    _shows(page, "Layers", "13")  # the builder kept its layers while the student was away
    assert _cell(page, 1, 12) == "BatchNorm"


def _table_fits_its_sidebar(page) -> None:
    """Every column, the option column included, shows without scrolling the table sideways."""
    fits = "() => { const s = document.querySelector('.st-key-arch_editor .dvn-scroller');" \
           " return s !== null && s.clientWidth > 0 && s.scrollWidth <= s.clientWidth; }"
    try:  # the sidebar takes its width from the page's style a moment after the table appears
        page.wait_for_function(fits, timeout=60_000)
    except PlaywrightTimeout:  # then the assertion below says by how much
        pass
    scroll, visible = page.evaluate(
        "() => { const s = document.querySelector('.st-key-arch_editor .dvn-scroller');"
        " return [s.scrollWidth, s.clientWidth]; }")
    width = page.viewport_size["width"]
    assert scroll <= visible, f"at {width} px the layer table is {scroll - visible} px wider than the sidebar"


def _type_kernel_30_into_layer_1(page) -> None:
    table = page.locator(".st-key-arch_editor [data-testid='stDataFrame']").bounding_box()
    page.mouse.click(table["x"] + 12, table["y"] + 3 * ROW)  # a cell in the first rows
    grid = page.locator(".st-key-arch_editor")
    expect(grid.locator("[aria-selected='true']")).to_have_count(1)  # the grid took the click
    for key, times in (("ArrowUp", 3), ("ArrowLeft", 7), ("ArrowRight", 3)):  # layer 1's kernel, wherever it hit
        for _ in range(times):
            page.keyboard.press(key)
    expect(grid.locator("[data-testid='glide-cell-3-0']")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")  # opens the cell's editor
    editor = page.locator("#portal input")
    editor.fill("30")
    expect(editor).to_have_value("30")
    editor.press("Enter")


def test_projector_first_screen_the_table_fits_and_a_kernel_too_large_is_refused(projector):
    """At 1280x720 the layer table, the totals and the diagram show without scrolling; the table fits its
    sidebar there and at 1400 px; a kernel larger than the image, typed into the real grid, is refused and
    kept as typed (one page load for all of it: each load costs seconds of JavaScript on a 2-core CPU)."""
    page = projector
    _open(page, "/Architecture_builder")
    assert_on_first_screen(page, "[data-testid='stSidebar'] .st-key-arch_editor", "the layer table")
    assert_on_first_screen(page, ".st-key-arch_summary", "the totals")
    assert_on_first_screen(page, ".st-key-arch_diagram", "the diagram")
    assert _metric(page, "Layers") == "14"  # the default preset, every layer in the table
    assert _cell(page, 1, 13) == "Linear"
    shot = screenshot(page, "builder", full_page=False)
    shutil.copy(shot, ROOT / "docs" / "screenshots" / "builder.png")

    choose(page, "arch_preset", preset_label("lenet"), exact=True)
    _shows(page, "Layers", "12")
    for size in ({"width": 1280, "height": 720}, {"width": 1400, "height": 1000}):
        page.set_viewport_size(size)
        _table_fits_its_sidebar(page)
    assert _cell(page, 7, 1) == "sigmoid" and _cell(page, 2, 1) == ""  # an unused cell is blank
    assert _cell(page, 6, 0) == "1" and _cell(page, 6, 2) == ""  # dilation: a Conv's, blank for a pool

    _type_kernel_30_into_layer_1(page)
    alert = page.locator("[data-testid='stAlert']").first
    expect(alert).to_contain_text("layer 1, Conv: kernel must be between 1 and 28, got 30", timeout=60_000)
    wait_idle(page)
    assert _cell(page, 3, 0) == "30"  # as typed, for the student to see and fix


def _grid_cell(container, column: str, row: int) -> str:
    """A cell of a read-only st.dataframe by column name, from the grid's accessible copy of its canvas."""
    container.locator("[role='columnheader']").first.wait_for(state="attached")  # drawn a moment after the grid
    headers = [h.strip() for h in container.locator("[role='columnheader']").all_inner_texts()]
    assert column in headers, headers
    index = headers.index(column)
    return container.locator(f"[data-testid='glide-cell-{index}-{row}']").inner_text().strip()


def _expect_cell(container, column: str, row: int, text: str) -> None:
    """Waits until a cell of a read-only st.dataframe reads `text`: the grid's accessible copy of its canvas follows
    a new network a moment after the page drew it."""
    _grid_cell(container, column, row)  # the column exists
    headers = [h.strip() for h in container.locator("[role='columnheader']").all_inner_texts()]
    expect(container.locator(f"[data-testid='glide-cell-{headers.index(column)}-{row}']")).to_have_text(text)


def _to_top(page, selector: str) -> None:
    """Scrolls the main area so the element starts at the top of the window; the mouse off any toolbar."""
    page.locator(selector).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.mouse.move(1100, 5)
