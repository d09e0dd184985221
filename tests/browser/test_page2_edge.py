"""Page 2 in Chromium: press Play, the steps advance and the displayed loss falls; Pause stops it.

Every action waits for its visible result (not only for the script to be idle): on a busy machine a
rerun may start a moment after the click.
"""

from playwright.sync_api import expect

from tests.browser.conftest import open_page, screenshot, wait_idle

TALL = {"width": 1600, "height": 2200}  # the whole page in the screenshots
WAIT = 60_000  # ms; a busy CPU makes 200 steps slow


def _metric(page, label: str):
    return page.locator("[data-testid='stMetric']").filter(has_text=label).first.locator(
        "[data-testid='stMetricValue']")


def _step(page) -> int:
    return int(_metric(page, "Step").inner_text().split("/")[0])


def test_play_makes_the_loss_fall(page):
    page.set_viewport_size(TALL)
    open_page(page, "/Learn_an_edge_kernel")
    assert _step(page) == 0
    start_loss = float(_metric(page, "Loss").inner_text())
    screenshot(page, "page2_edge_start")

    play = page.locator(".st-key-edge_play button")
    play.click()
    expect(play).to_contain_text("Pause", timeout=WAIT)
    # timed fragment reruns advance the run while the script is otherwise idle
    page.wait_for_function(
        "() => [...document.querySelectorAll(\"[data-testid='stMetricValue']\")]"
        ".some(e => /^\\s*(1[5-9]|[2-9]\\d|1\\d\\d|200)\\s*\\//.test(e.innerText))",
        timeout=60_000,
    )
    play.click()  # Pause
    expect(play).to_contain_text("Play", timeout=WAIT)
    wait_idle(page)
    paused_at = _step(page)
    assert 15 <= paused_at <= 200
    loss = float(_metric(page, "Loss").inner_text())
    assert loss < start_loss / 10, (start_loss, loss)
    page.wait_for_timeout(1500)
    assert _step(page) == paused_at  # paused means paused
    screenshot(page, "page2_edge_playing")

    if paused_at < 200:  # on a slow machine the pause may land late
        page.locator(".st-key-edge_to_end button").click()
    expect(_metric(page, "Step")).to_have_text("200 / 200", timeout=WAIT)
    wait_idle(page)
    assert float(_metric(page, "Loss").inner_text()) < 1e-12
    expect(page.locator("[data-testid='stAlertContentSuccess']")).to_contain_text("Done: 200 steps", timeout=WAIT)
    screenshot(page, "page2_edge_done")

    page.locator(".st-key-edge_compare label").click()
    chart = page.locator(".st-key-edge_compare_chart .js-plotly-plot")
    expect(chart).to_have_count(1, timeout=WAIT)
    wait_idle(page)
    chart.scroll_into_view_if_needed()
    screenshot(page, "page2_edge_compare", full_page=False)


def test_too_high_learning_rate_reports_divergence(page):
    page.set_viewport_size(TALL)
    open_page(page, "/Learn_an_edge_kernel")
    box = page.locator(".st-key-edge_lr_typed input")
    box.fill("0.05")
    box.press("Enter")
    expect(page.get_by_text("expect divergence")).to_have_count(1, timeout=WAIT)
    wait_idle(page)
    page.locator(".st-key-edge_to_end button").click()
    error = page.locator("[data-testid='stAlertContentError']").filter(has_text="lower the learning rate")
    expect(error).to_contain_text("at step 4", timeout=WAIT)
    wait_idle(page)
    screenshot(page, "page2_edge_diverged")

    page.locator(".st-key-edge_target").click()
    page.get_by_role("option", name="Horizontal edge [[1], [-1]]").click()
    expect(page.get_by_text("no edge in the target's direction")).to_have_count(1, timeout=WAIT)
    wait_idle(page)
    screenshot(page, "page2_edge_not_identifiable")
