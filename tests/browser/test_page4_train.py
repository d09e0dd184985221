"""The Train page in Chromium: start training, watch the curve grow, stop, see the stopped state; click a
confusion-matrix cell; a second session queues behind the first and runs once the first tab closes."""

from playwright.sync_api import expect

from cnnviz.data import CLASSES
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

    # Click the (true Coat, predicted Pullover) cell: the pickers and the images follow the click.
    click_heatmap_cell(page, ".st-key-train_confusion", row=CLASSES.index("Coat"), col=CLASSES.index("Pullover"))
    wait_idle(page)
    expect(page.get_by_role("combobox", name="True class")).to_have_value("Coat")
    expect(page.get_by_role("combobox", name="Predicted as")).to_have_value("Pullover")
    expect(page.get_by_text("test images of Coat classified as Pullover")).to_be_visible()
    screenshot(page, "page4_train_confusion_click")


def click_heatmap_cell(page, container: str, row: int, col: int) -> None:
    """Clicks the centre of heatmap cell (row, col), placed by Plotly's own axes."""
    plot = page.locator(f"{container} .js-plotly-plot")
    plot.scroll_into_view_if_needed()
    x, y = plot.evaluate("""(gd, [row, col]) => {
        const L = gd._fullLayout, box = gd.getBoundingClientRect();
        return [box.left + L._size.l + L.xaxis.d2p(col), box.top + L._size.t + L.yaxis.d2p(row)];
    }""", [row, col])
    page.mouse.click(x, y)


def test_a_closed_tab_cancels_its_run_and_the_queued_session_starts(browser, server_url, page):
    """One job at a time on this CPU (CNNVIZ_MAX_JOBS defaults to 1): a second student's run waits in line,
    and closing the first student's tab cancels the first run, so the second one trains."""
    first_student = browser.new_context(viewport={"width": 1600, "height": 1400}, base_url=server_url)
    first = first_student.new_page()
    open_page(first, "/Train")
    first.locator(".st-key-train_start button").click()
    first.wait_for_function(f"({POINTS})() >= 1", timeout=120_000)

    page.set_viewport_size({"width": 1600, "height": 1400})
    open_page(page, "/Train")
    page.locator(".st-key-train_start button").click()
    queued = page.locator("[data-testid='stAlert']", has_text="Queued")
    expect(queued).to_be_visible(timeout=30_000)
    expect(queued).to_contain_text("place 1 in line")
    screenshot(page, "page4_train_queued", full_page=False)

    first_student.close()  # the tab closes: Streamlit releases the session, which cancels its job
    expect(queued).to_have_count(0, timeout=60_000)
    page.wait_for_function(f"({POINTS})() >= 1", timeout=120_000)  # the second run trains
    page.locator(".st-key-train_stop button").click()
    page.locator("[data-testid='stAlert']", has_text="stopped").wait_for(timeout=60_000)
