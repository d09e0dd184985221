"""The Exercises page in Chromium at a projector's 1280x720: the filters and the first exercises on the
first screen, a filtered view in Chinese (the glyphs must render), and Try-it journeys to pages 1, 4 and 5."""

import shutil

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_on_first_screen, screenshot, wait_idle
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

DOCS = ROOT / "docs" / "screenshots"
WAIT = 180_000  # ms: a fresh server's first run imports torch


def _open(page, path: str) -> None:
    page.goto(path)
    page.wait_for_selector("[data-testid='stApp']")
    wait_idle(page, timeout=WAIT)


def test_first_screen_shows_the_filters_and_the_first_exercises(projector):
    _open(projector, "/Exercises")
    assert_on_first_screen(projector, "h1", "the title")
    for key, what in (("ex_query", "the search box"), ("ex_section", "the section filter"),
                      ("ex_kind", "the kind filter"), ("ex_lang", "the language switch"),
                      ("ex_card_7_2_1", "the first exercise")):
        assert_on_first_screen(projector, f".st-key-{key}", what)
    expect(projector.get_by_text("7.2 Convolutions for Images / zh 6.2 图像卷积")).to_be_visible()
    shutil.copy(screenshot(projector, "exercises-projector", full_page=False), DOCS / "exercises.png")


def test_a_filtered_view_in_chinese(projector):
    _open(projector, "/Exercises")
    projector.locator(".st-key-ex_query input").fill("汇聚")
    projector.locator(".st-key-ex_query input").press("Enter")
    expect(projector.locator(".st-key-ex_card_7_2_1")).to_have_count(0)
    wait_idle(projector)
    projector.locator(".st-key-ex_lang button", has_text="中文").click()
    expect(projector.get_by_text("用卷积层实现平均汇聚层。")).to_be_visible()
    wait_idle(projector)
    assert "q=%E6%B1%87%E8%81%9A" in projector.url and "text=zh" in projector.url
    projector.locator(".st-key-ex_hint_7_5_1 button").click()
    expect(projector.get_by_text("步幅等于窗口大小", exact=False)).to_be_visible()
    shutil.copy(screenshot(projector, "exercises-filtered", full_page=False), DOCS / "exercises_filtered.png")


def test_try_it_opens_page_1_in_the_exercises_state(projector):
    _open(projector, "/Exercises?section=7.3")
    projector.locator(".st-key-ex_card_7_3_1 [data-testid='stPageLink'] a").click()
    projector.wait_for_url("**/Convolution_and_pooling?**")
    wait_idle(projector, timeout=WAIT)
    for part in ("rand_h=8", "stride_h=3", "stride_w=4", "pad_w=1", "kernel=1%2C1%2C1%2C1%2C1"):
        assert part in projector.url, projector.url
    expect(projector.locator("[data-testid='stAlert']").filter(has_text="not valid")).to_have_count(0)
    shutil.copy(screenshot(projector, "exercises-try", full_page=False), DOCS / "exercises_try.png")


def open_toeplitz_answer(projector, path: str, agreed: str):
    """Exercise 7.2.4's computed answer (the Toeplitz matrix) opened, with its 4 charts and `agreed` shown,
    the window tall enough for the whole card; returns the card."""
    _open(projector, path)
    projector.locator(".st-key-ex_show_7_2_4 label").click()
    wait_idle(projector, timeout=WAIT)
    card = projector.locator(".st-key-ex_card_7_2_4")
    expect(card.get_by_text(agreed)).to_be_visible(timeout=WAIT)
    expect(card.locator("[data-testid='stPlotlyChart']")).to_have_count(4, timeout=WAIT)
    projector.set_viewport_size({"width": 1280, "height": 2200})  # the whole card drawn, not only its top
    card.scroll_into_view_if_needed()
    wait_idle(projector, timeout=WAIT)
    return card


def test_a_computed_answer_with_its_matrices_and_checks(projector):
    card = open_toeplitz_answer(projector, "/Exercises?section=7.2", "Checked against PyTorch: all agree")
    card.screenshot(path=str(DOCS / "exercises_answer.png"))  # the whole card, its matrices and checks


@pytest.mark.parametrize("card, link, section, page_url, parts, shown, value", [
    # an experiment on the Activations page: the book's LeNet, pullovers and coats, layer 2
    ("7_6_4", 0, "7.6", "**/Activations?**", ("model=lenet", "layer=conv2"),
     ".st-key-act_layer", "conv2: second convolution"),
    # its second link: one pullover through the same LeNet on Inside the network, a conv2 unit explained
    ("7_6_4", 1, "7.6", "**/Inside_the_network?**", ("model=lenet", "class=pullover", "layer=conv2"),
     ".st-key-in_model", "The book's LeNet (sigmoid)"),
    # an experiment on the Train page: alexnet_small, more epochs, a subset
    ("8_1_4", 0, "8.1", "**/Train?**", ("net=alexnet_small", "epochs=20", "images=10000"), ".st-key-train_arch",
     "AlexNet small, 28×28 (after d2l 8.1)"),  # by its title
])
def test_try_it_opens_an_experiment_in_its_state(projector, card, link, section, page_url, parts, shown, value):
    _open(projector, f"/Exercises?section={section}")
    projector.locator(f".st-key-ex_card_{card} [data-testid='stPageLink'] a").nth(link).click()
    projector.wait_for_url(page_url)
    wait_idle(projector, timeout=WAIT)
    for part in parts:
        assert part in projector.url, projector.url
    expect(projector.locator("[data-testid='stAlert']").filter(has_text="not valid")).to_have_count(0)
    expect(projector.locator(shown)).to_be_visible()
    expect(projector.locator(f"{shown} [role='combobox']")).to_have_value(value)
