"""The Train page in Chromium: start training, watch the curve grow, stop, see the stopped state."""

from playwright.sync_api import expect
from tests.browser.conftest import open_page, screenshot, wait_idle

POINTS = "() => { const p = document.querySelector('.st-key-train_curves .js-plotly-plot');" \
         " return p && p.data ? p.data[0].x.length : 0; }"


def _choose(page, key: str, option: str) -> None:
    page.locator(f".st-key-{key}").click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def test_start_watch_the_curve_grow_then_stop(page):
    page.set_viewport_size({"width": 1600, "height": 1400})
    open_page(page, "/Train")
    screenshot(page, "page4_train_idle")
    _choose(page, "train_arch", "lenet_relu")

    page.locator(".st-key-train_start button").click()
    page.wait_for_function(f"({POINTS})() >= 1", timeout=120_000)
    first = page.evaluate(POINTS)
    page.wait_for_function(f"({POINTS})() > {first}", timeout=120_000)  # redrawn while it trains
    assert page.locator(".st-key-train_start button").is_disabled()
    expect(page.locator("[data-testid='stProgress']")).to_have_count(1)
    screenshot(page, "page4_train_running")

    # Leave the page and come back: the run goes on and the curve keeps growing.
    page.locator("[data-testid='stSidebar'] [data-testid='stPageLink']", has_text="Home").click()
    page.get_by_text("This machine").wait_for()
    page.locator("[data-testid='stSidebar'] [data-testid='stPageLink']", has_text="Train").click()
    page.locator(".st-key-train_stop").wait_for()
    before = page.evaluate(POINTS)
    page.wait_for_function(f"({POINTS})() > {before}", timeout=120_000)
    expect(page.get_by_text("lenet_relu · 61,706 parameters")).to_be_visible()  # the settings were kept

    page.locator(".st-key-train_stop button").click()
    stopped = page.locator("[data-testid='stAlert']", has_text="stopped")
    stopped.wait_for(timeout=60_000)
    wait_idle(page)
    page.locator(".st-key-train_confusion").wait_for(timeout=60_000)
    assert not page.locator(".st-key-train_start button").is_disabled()
    assert page.locator(".st-key-train_stop button").is_disabled()
    assert page.evaluate(POINTS) >= first + 1
    page.set_viewport_size({"width": 1600, "height": 2900})  # the app scrolls inside: show the results too
    wait_idle(page)
    screenshot(page, "page4_train_stopped")
