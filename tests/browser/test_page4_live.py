"""Live learning in Chromium at 1280x720: the kernels and feature maps redraw while a run trains (screenshots
at two moments of one run), and after it the replay slider brings back earlier weights."""

import shutil

import pytest

from tests.browser.conftest import assert_on_first_screen, open_page, screenshot, wait_idle
from tests.browser.test_page4_train import TRAINING, _choose, _press_start, _slide, _type_number
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

KERNELS = ("() => { const p = document.querySelector('.st-key-train_live_kernels .js-plotly-plot');"
           " return p && p.data ? JSON.stringify(p.data[0].z) : null; }")
MAPS = ("() => { const p = document.querySelector('.st-key-train_live_maps .js-plotly-plot');"
        " return p && p.data ? JSON.stringify(p.data.map(t => t.z)) : null; }")


def _shot(page, name: str) -> None:
    """The section on screen, as a projector shows it, also kept for the README as docs/screenshots/<name>."""
    # By script: while the fragment redraws twice a second Playwright's own scrolling waits for a stillness
    # that never comes.
    page.evaluate("document.querySelector('.st-key-train_live_maps').scrollIntoView({block: 'end'})")
    page.wait_for_timeout(300)
    path = screenshot(page, f"page4_{name}", full_page=False)
    shutil.copy(path, ROOT / "docs" / "screenshots" / f"{name}.png")


def test_kernels_and_maps_redraw_while_training_and_replay_after(projector):
    page = projector
    open_page(page, "/Train")
    _choose(page, "train_arch", "lenet_relu")
    _slide(page, "train_size", 4)  # 5,000 images: 20 batches an epoch, long enough to catch two moments
    _type_number(page, "train_epochs", 2)
    _press_start(page)
    page.wait_for_function(f"({KERNELS})() !== null", timeout=TRAINING)
    first = page.evaluate(KERNELS)
    _shot(page, "live_1")
    page.wait_for_function(f"({KERNELS})() !== {first!r}", timeout=TRAINING)  # redrawn from newer weights
    second = page.evaluate(KERNELS)
    assert second != first
    _shot(page, "live_2")

    page.locator("[data-testid='stAlert']", has_text="finished after").wait_for(timeout=TRAINING)
    wait_idle(page)
    assert_on_first_screen(page, ".st-key-train_curves .js-plotly-plot", "the curves")  # still on top
    last_kernels, last_maps = page.evaluate(KERNELS), page.evaluate(MAPS)
    _slide(page, "train_live_replay", 0)  # the run's first snapshot
    assert page.evaluate(KERNELS) != last_kernels and page.evaluate(MAPS) != last_maps
    _shot(page, "live_replay")
