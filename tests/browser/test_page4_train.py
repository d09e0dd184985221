"""The Train page in Chromium: start training, watch the curve grow, stop, see the stopped state; click a
confusion-matrix cell; a shared link in a second tab opens a workspace of its own, whose run queues behind the
first and runs once the first tab has been closed for the grace period (a reload: test_page4_reconnect.py); at 1280x720
Start and the curves are on the first screen, and the confusion matrix is square and legible."""

import shutil
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from cnnviz.data import CLASSES
from cnnviz.training.store import GRACE_S
from tests.browser.conftest import PROJECTOR, assert_on_first_screen, choose, doc_screenshot, open_page, screenshot,\
    wait_idle
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

POINTS = "() => { const p = document.querySelector('.st-key-train_curves:not([data-retained]) .js-plotly-plot');" \
         " return p && p.data ? p.data[0].x.length : 0; }"
TRAINING = 240_000  # ms: a busy CPU trains slowly; every wait is for a visible result


def _slide(page, key: str, steps_from_start: int) -> None:
    """Moves a select_slider to its first option, then `steps_from_start` options right, by keyboard."""
    page.locator(f".st-key-{key} input[type='range']").focus()
    page.keyboard.press("Home")
    for _ in range(steps_from_start):
        page.keyboard.press("ArrowRight")
    wait_idle(page)


def _type_number(page, key: str, value: int) -> None:
    field = page.locator(f".st-key-{key} input")
    field.fill(str(value))
    field.press("Enter")
    expect(field).to_have_value(str(value))
    wait_idle(page)


def _press_start(page) -> None:
    """Start; a run this machine measures as longer than a few minutes asks first: confirm it."""
    page.locator(".st-key-train_start button").click()
    wait_idle(page)
    confirm = page.locator(".st-key-train_confirm_start button")
    if confirm.count():
        confirm.click()


def _press_stop(page):
    """Stop, and wait until the page says the run stopped because of it; returns that message."""
    page.locator(".st-key-train_stop button").click()
    stopped = page.locator("[data-testid='stAlert']", has_text="because you pressed Stop")
    stopped.wait_for(timeout=60_000)
    return stopped


def _short_run(page, images_step: int = 2, epochs: int = 1) -> None:
    """Trains lenet_relu on 1,000 (step 2) or 2,000 (step 3) images and waits until it has finished."""
    choose(page, "train_arch", "LeNet, ReLU + max pool, 28×28 (d2l 7.6 exercises)", exact=True)
    _slide(page, "train_size", images_step)
    _type_number(page, "train_epochs", epochs)
    _press_start(page)
    page.locator("[data-testid='stAlert']", has_text="finished after").wait_for(timeout=TRAINING)
    wait_idle(page)


def _legend(page) -> list[str]:
    return page.evaluate("() => document.querySelector('.st-key-train_overlay_chart .js-plotly-plot').data"
                         ".filter(t => t.showlegend !== false).map(t => t.name)")


def test_start_watch_the_curve_grow_then_stop(page):
    page.set_viewport_size({"width": 1600, "height": 1400})
    open_page(page, "/Train")
    screenshot(page, "page4_train_idle")
    choose(page, "train_arch", "LeNet, ReLU + max pool, 28×28 (d2l 7.6 exercises)", exact=True)

    _press_start(page)
    page.wait_for_function(f"({POINTS})() >= 1", timeout=TRAINING)
    first = page.evaluate(POINTS)
    page.wait_for_function(f"({POINTS})() > {first}", timeout=TRAINING)  # redrawn while it trains
    assert page.locator(".st-key-train_start button").is_disabled()
    expect(page.locator("[data-testid='stProgress']")).to_have_count(1)
    screenshot(page, "page4_train_running")

    # Leave the page and come back: the run goes on and the curve keeps growing.
    page.locator("[data-testid='stSidebar'] [data-testid='stPageLink']", has_text="Home").click()
    page.get_by_text("This machine").wait_for()
    page.locator("[data-testid='stSidebar'] [data-testid='stPageLink']", has_text="Train").click()
    page.locator(".st-key-train_stop").wait_for()
    before = page.evaluate(POINTS)
    page.wait_for_function(f"({POINTS})() > {before}", timeout=TRAINING)
    expect(page.get_by_text("61,706 parameters")).to_be_visible()  # lenet_relu: the settings were kept

    _press_stop(page)
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
    """Clicks the centre of heatmap cell (row, col), placed by Plotly's own axes (their offsets too: square
    cells shrink one axis's domain)."""
    plot = page.locator(f"{container} .js-plotly-plot")
    plot.scroll_into_view_if_needed()
    x, y = plot.evaluate("""(gd, [row, col]) => {
        const L = gd._fullLayout, box = gd.getBoundingClientRect();
        return [box.left + L.xaxis._offset + L.xaxis.d2p(col), box.top + L.yaxis._offset + L.yaxis.d2p(row)];
    }""", [row, col])
    page.mouse.click(x, y)


def test_projector_shows_start_and_the_curves_then_a_legible_confusion_matrix(projector):
    """At 1280x720, sidebar open: Start, the run's status and its curves on the first screen (the README's
    screenshot); further down, a square confusion matrix whose cells are large enough to read."""
    page = projector
    open_page(page, "/Train")
    assert_on_first_screen(page, ".st-key-train_start button", "the Start button")
    # the book's LeNet with ReLU: it learns in 2 short epochs
    choose(page, "train_arch", "LeNet, ReLU + max pool, 28×28 (d2l 7.6 exercises)", exact=True)
    _slide(page, "train_size", 3)  # 2,000 images
    _type_number(page, "train_epochs", 2)
    _press_start(page)
    page.locator("[data-testid='stAlert']", has_text="finished after").wait_for(timeout=TRAINING)
    wait_idle(page)
    for selector, what in ((".st-key-train_start button", "the Start button"),
                           ("[data-testid='stAlert']", "the run's status"),
                           (".st-key-train_curves .js-plotly-plot", "the curves")):
        assert_on_first_screen(page, selector, what)
    assert page.evaluate(POINTS) >= 10  # curves, not two dots: about eight reports an epoch
    path = screenshot(page, "page4_train_projector", full_page=False)
    shutil.copy(path, ROOT / "docs" / "screenshots" / "train.png")

    plot = page.locator(".st-key-train_confusion .js-plotly-plot")
    plot.scroll_into_view_if_needed()
    cell_w, cell_h, font = plot.evaluate("""gd => { const L = gd._fullLayout;
        return [L.xaxis._length / 10, L.yaxis._length / 10, gd.data[0].textfont.size]; }""")
    assert abs(cell_w - cell_h) < 1 and cell_w >= 40 and font >= 18, (cell_w, cell_h, font)
    box = plot.bounding_box()
    assert box["height"] <= 720 and box["width"] >= 560, box  # the whole matrix fits one screen
    plot.screenshot(path=str(screenshot(page, "page4_train_confusion_projector", full_page=False)))


def test_a_closed_tab_cancels_its_run_and_the_queued_session_starts(browser, server_url, page):
    """A shared link opens a workspace of its own. One job at a time on this CPU (CNNVIZ_MAX_JOBS defaults to
    1): a second student's run waits in line.
    Closing the first student's tab stops the first run once the tab has stayed away for the grace period
    (a reload would have found it), so the second one trains."""
    first_student = browser.new_context(viewport={"width": 1600, "height": 1400}, base_url=server_url)
    first = first_student.new_page()
    open_page(first, "/Train")
    _press_start(first)
    first.wait_for_function(f"({POINTS})() >= 1", timeout=TRAINING)

    # The second student opens the first one's address (a shared link, its ?session=) while the first tab
    # still shows it: a workspace of its own, empty and saying why, never the first student's run or Stop.
    page.set_viewport_size(PROJECTOR)  # the README's picture, at a projector's size
    open_page(page, first.url)
    expect(page.locator("[data-testid='stAlert']", has_text="open in another tab")).to_be_visible()
    expect(page.get_by_text("#1 LeNet, ReLU + max pool")).to_have_count(0)
    expect(page.locator(".st-key-train_stop button")).to_be_disabled()
    assert _session_id(page.url) not in ("", _session_id(first.url))
    doc_screenshot(page, "page4_train_shared_link", "train_shared_link")
    _press_start(page)
    queued = page.locator("[data-testid='stAlert']", has_text="Queued")
    expect(queued).to_be_visible(timeout=30_000)
    expect(queued).to_contain_text("place 1 in line")
    screenshot(page, "page4_train_queued", full_page=False)

    first_student.close()  # the tab closes: Streamlit releases the session; the grace period starts
    expect(queued).to_have_count(0, timeout=GRACE_S * 1000 + 90_000)
    page.wait_for_function(f"({POINTS})() >= 1", timeout=TRAINING)  # the second run trains
    _press_stop(page)


def test_projector_shows_the_books_recipe_its_cost_and_its_printed_result_beside_the_curves(projector):
    """LeNet with the zh edition's recipe (zh 6.6: lr 0.9, batch 256, plain SGD, Xavier) in one click: the cost
    measured here before Start, then a short run (1 epoch of 128 images) whose curves carry the book's printed
    loss and accuracies; after it, the book against the run in a table."""
    page = projector
    open_page(page, "/Train")
    choose(page, "train_arch", "LeNet, 28×28 (d2l 7.6 / zh 6.6)", exact=True)
    page.locator(".st-key-train_recipe_lenet_zh button").first.click()
    wait_idle(page)
    expect(page.get_by_text("The book's recipe: zh 6.6 (d2l 7.6).")).to_be_visible()
    expect(page.locator(".st-key-train_lr")).to_contain_text("0.9")
    estimate = page.get_by_text("Measured here")
    expect(estimate).to_be_visible()
    assert_on_first_screen(page, ".st-key-train_start button", "the Start button")
    page.mouse.move(1000, 650)  # away from the recipe button: its tooltip would cover the settings
    page.wait_for_timeout(500)
    screenshot(page, "page4_train_recipe_before", full_page=False)

    _slide(page, "train_size", 0)  # 128 images: the book's curves are what this shows, not a trained LeNet
    _type_number(page, "train_epochs", 1)
    expect(page.get_by_text("No longer the book's recipe (zh 6.6): epochs 1 (the book: 10).")).to_be_visible()
    _press_start(page)
    page.locator("[data-testid='stAlert']", has_text="finished after").wait_for(timeout=2 * TRAINING)
    wait_idle(page)
    marks = page.evaluate("() => document.querySelector('.st-key-train_curves .js-plotly-plot')"
                          "._fullData.map(t => t.name).filter(n => n.startsWith('book'))")  # legend entries
    assert marks == ["book loss 0.469", "book train acc 0.823", "book test acc 0.779"]
    for selector, what in ((".st-key-train_start button", "the Start button"),
                           (".st-key-train_curves .js-plotly-plot", "the curves")):
        assert_on_first_screen(page, selector, what)
    path = screenshot(page, "page4_train_recipe", full_page=False)
    shutil.copy(path, ROOT / "docs" / "screenshots" / "train_recipe.png")

    table = page.locator("[data-testid='stTable']")
    table.scroll_into_view_if_needed()
    expect(table).to_contain_text("the book (zh 6.6, 10 epochs, GPU)")
    expect(table).to_contain_text("0.779")
    page.get_by_text("The book vs this run").scroll_into_view_if_needed()
    path = screenshot(page, "page4_train_recipe_table", full_page=False)
    shutil.copy(path, ROOT / "docs" / "screenshots" / "train_recipe_table.png")


def _session_id(url: str) -> str:
    return parse_qs(urlparse(url).query).get("session", [""])[0]
