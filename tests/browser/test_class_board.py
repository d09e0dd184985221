"""The class board in Chromium: a teacher's tab opens a class at 1280x720, two students' tabs join it by link (one
with markup in its nickname) and train tiny runs; the board shows both live, the markup as typed, in English and
in Chinese; a forged teacher key clears nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PROJECTOR, open_page, screenshot, wait_idle
from tests.browser.test_page4_train import TRAINING, _press_start, _slide, _type_number
from tests.browser.conftest import choose

pytestmark = pytest.mark.browser

CODE = "BROWSER1"
LEGEND = "() => { const p = document.querySelector('.st-key-board_curves .js-plotly-plot');" \
         " return p && p.data ? p.data.map(t => t.name) : []; }"
LEGEND_TEXT = "() => [...document.querySelectorAll('.st-key-board_curves .legendtext')].map(e => e.textContent)"


def _student(context, name: str):
    page = context.new_page()
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.set_default_timeout(60_000)
    open_page(page, f"/Train?classroom={CODE}&name={name}")
    choose(page, "train_arch", "LeNet, ReLU + max pool, 28×28 (d2l 7.6 exercises)", exact=True)
    _slide(page, "train_size", 2)  # 1,000 images
    _type_number(page, "train_epochs", 1)
    return page


def _metric(page, label: str) -> str:
    return page.locator("[data-testid='stMetric']", has_text=label).locator(
        "[data-testid='stMetricValue']").inner_text()


def test_a_teacher_sees_two_students_runs_live(context, projector):
    teacher = projector
    open_page(teacher, f"/Class_board?classroom={CODE}")
    expect(teacher.get_by_text(f"There is no class {CODE} on this server yet")).to_be_visible()
    teacher.locator(".st-key-board_open button").click()
    wait_idle(teacher)
    expect(teacher.get_by_text("No runs yet.")).to_be_visible()

    ada, wang = _student(context, "%3Cb%3EAda%3C%2Fb%3E"), _student(context, "王小明")
    try:
        expect(ada.locator("[data-testid='stSidebar']").get_by_text("<b>Ada</b>")).to_be_visible()
        _press_start(ada)
        _press_start(wang)  # on a CPU server it queues behind Ada's run
        teacher.wait_for_function(f"() => ({LEGEND})().length === 2", timeout=60_000)  # on the board while training
        for student in (ada, wang):
            student.locator("[data-testid='stAlert']", has_text="finished after").wait_for(timeout=TRAINING)
        teacher.wait_for_function(
            "() => [...document.querySelectorAll('[data-testid=stMetric]')].some(m => m.innerText.includes("
            "'Training now') && m.innerText.trim().endsWith('0'))", timeout=30_000)
        teacher.wait_for_function("() => document.querySelectorAll('.st-key-board_final .js-plotly-plot').length"
                                  " === 1", timeout=30_000)
        wait_idle(teacher)
        names = teacher.evaluate(LEGEND_TEXT)
        assert sorted(n.split(" · ")[0] for n in names) == ["<b>Ada</b>", "王小明"], names  # markup as text
        assert teacher.locator(".st-key-board_curves b").count() == 0
        assert _metric(teacher, "Runs") == "2" and _metric(teacher, "Students joined") == "2"
        screenshot(teacher, "class_board_en", full_page=False)

        teacher.locator("[data-testid='stExpander'] summary", has_text="Clear this board").click()
        teacher.locator(".st-key-board_key input").fill("forged")
        teacher.locator(".st-key-board_key input").press("Enter")
        teacher.locator(".st-key-board_clear button").click()
        expect(teacher.get_by_text("That is not the teacher key")).to_be_visible()
        assert _metric(teacher, "Runs") == "2"

        open_page(teacher, f"/Class_board?classroom={CODE}&lang=zh")
        teacher.wait_for_function(f"() => ({LEGEND})().length === 2", timeout=30_000)
        expect(teacher.get_by_role("heading", name="班级看板")).to_be_visible()
        assert _metric(teacher, "训练次数") == "2"
        screenshot(teacher, "class_board_zh", full_page=False)
        assert teacher.viewport_size == PROJECTOR
    finally:
        for student in (ada, wang):
            stop = student.locator(".st-key-train_stop button")
            if stop.is_enabled():
                stop.click()
            student.close()
