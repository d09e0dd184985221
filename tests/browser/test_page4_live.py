"""Live learning in Chromium at 1280x720: the kernels and feature maps redraw while a run trains (screenshots
at two moments of one run), and after it the replay slider brings back earlier weights."""

import shutil

import pytest

from tests.browser.conftest import choose, open_page, screenshot, scroll_to_top, wait_idle
from tests.browser.test_page4_train import TRAINING, _press_start, _press_stop, _slide, _type_number
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

# A fragment's redraw keeps the previous element a moment, hidden ("retained"): never read or scroll to it.
KERNELS_SECTION = ".st-key-train_live_kernels:not([data-retained])"
MAPS_SECTION = ".st-key-train_live_maps:not([data-retained])"
KERNELS = ("() => { const p = document.querySelector('" + KERNELS_SECTION + " .js-plotly-plot');"
           " return p && p.data ? JSON.stringify(p.data[0].z) : null; }")
MAPS = ("() => { const p = document.querySelector('" + MAPS_SECTION + " .js-plotly-plot');"
        " return p && p.data ? JSON.stringify(p.data.map(t => t.z)) : null; }")


def _curves_above_the_live_panels(page) -> None:
    """At least half of the curves on the first screen, above the live panels (a stopped run's message is up to
    four lines long: it pushes their foot below a 720 px window)."""
    scroll_to_top(page)
    curves = page.locator(".st-key-train_curves .js-plotly-plot").first.bounding_box()
    kernels = page.locator(KERNELS_SECTION).first.bounding_box()
    assert 0 <= curves["y"] and curves["y"] + curves["height"] / 2 <= page.viewport_size["height"], curves  # half shows
    assert curves["y"] + curves["height"] <= kernels["y"], (curves, kernels)


def _shot(page, name: str) -> None:
    """The section on screen, as a projector shows it, also kept for the README as docs/screenshots/<name>."""
    # By script: while the fragment redraws twice a second Playwright's own scrolling waits for a stillness
    # that never comes. A redraw can move the section after the scroll: scrolled again until the kernels and
    # the maps are both on screen.
    for _ in range(20):
        page.evaluate(f"document.querySelector('{MAPS_SECTION}').scrollIntoView({{block: 'end'}})")
        page.wait_for_timeout(300)
        kernels = page.locator(KERNELS_SECTION).first.bounding_box()
        maps = page.locator(MAPS_SECTION).first.bounding_box()
        if kernels and maps and kernels["y"] >= 0 and maps["y"] + maps["height"] <= page.viewport_size["height"] + 1:
            break
    path = screenshot(page, f"page4_{name}", full_page=False)
    shutil.copy(path, ROOT / "docs" / "screenshots" / f"{name}.png")


def test_kernels_and_maps_redraw_while_training_and_replay_after(projector):
    page = projector
    open_page(page, "/Train")
    choose(page, "train_arch", "LeNet, ReLU + max pool, 28×28 (d2l 7.6 exercises)", exact=True)
    # All 60,000 images for 5 epochs: far longer than the two moments take to catch, even on a fast machine
    # (a run that ended first would show its last weights from the start and never redraw); Stop ends it.
    _type_number(page, "train_epochs", 5)
    _press_start(page)
    # Each value is read by the wait that finds it: a chart being redrawn reads as null for a moment, so a second
    # read after the wait could catch that gap.
    first = page.wait_for_function(f"({KERNELS})()", timeout=TRAINING).json_value()
    _shot(page, "live_1")
    second = page.wait_for_function(  # redrawn from newer weights
        f"first => {{ const now = ({KERNELS})(); return now !== null && now !== first ? now : null; }}",
        arg=first, timeout=TRAINING).json_value()
    assert first and second and second != first
    _shot(page, "live_2")

    assert page.locator(".st-key-train_stop button").is_enabled()  # both moments were of the running run
    _press_stop(page)
    wait_idle(page)
    _curves_above_the_live_panels(page)
    last_kernels, last_maps = page.evaluate(KERNELS), page.evaluate(MAPS)
    _slide(page, "train_live_replay", 0)  # the run's first snapshot
    assert page.evaluate(KERNELS) != last_kernels and page.evaluate(MAPS) != last_maps
    _shot(page, "live_replay")
