"""A lesson link's hide / lock / task parsed for a page's controls, and the link the teacher's panel writes."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import segno

from cnnviz.ui import lesson, lesson_link, tour
from cnnviz.ui.common import PAGES
from cnnviz.ui.train import url as train_url

CONTROLS = {"lr": "train_lr", "optimizer": "train_optimizer", "epochs": "train_epochs"}


def test_hide_lock_and_task_are_read_for_the_pages_controls():
    found = lesson.parse({"hide": "optimizer", "lock": "lr, epochs", "task": "Find the best rate"}, CONTROLS)
    assert found.hidden == {"optimizer"} and found.locked == {"lr", "epochs"}
    assert found.task == "Find the best rate" and found.unknown == () and not found.tour
    assert [found.state_of(key) for key in ("train_optimizer", "train_lr", "train_epochs", "train_seed")] == [
        "hide", "lock", "lock", "show"]


def test_unknown_names_are_reported_once_and_cleaned_of_markup():
    found = lesson.parse({"hide": "lr,nope,<b>x</b>,,nope", "lock": "**bold**,[a](http://e.x)"}, CONTROLS)
    assert found.hidden == {"lr"} and found.locked == frozenset()
    assert found.unknown == ("nope", "bxb", "bold", "ahttpex")
    assert all(set(name) <= set("abcdefghijklmnopqrstuvwxyz_-") for name in found.unknown)


def test_a_hidden_control_is_not_also_shown_locked():
    found = lesson.parse({"hide": "lr", "lock": "lr"}, CONTROLS)
    assert found.state_of("train_lr") == "hide"


def test_a_task_is_one_line_of_plain_text_cut_at_its_limit():
    assert lesson.clean_task("Try\nthis\t <b>now</b>\x00") == "Try this <b>now</b>"
    long = lesson.clean_task("x" * 1_000)
    assert len(long) == lesson.MAX_TASK and long.endswith("…")
    assert lesson.parse({"task": "y" * 1_000}, CONTROLS).task == "y" * (lesson.MAX_TASK - 1) + "…"


def test_a_thousand_character_name_is_shortened_in_the_message():
    found = lesson.parse({"hide": "a" * 1_000}, CONTROLS)
    assert found.unknown == ("a" * lesson.MAX_SHOWN_NAME,)


def test_a_link_hiding_every_control_drawn_says_so():
    found = lesson.parse({"hide": "lr,optimizer"}, CONTROLS)
    assert found.hides_all(["lr", "optimizer"])  # epochs was not drawn in this run (another mode)
    assert not found.hides_all(["lr", "optimizer", "epochs"])
    assert not found.hides_all([])  # a page without controls hides nothing


def test_one_setting_can_have_two_widgets():
    found = lesson.parse({"lock": "lr"}, {"lr": ("edge_lr", "edge_lr_typed")})
    assert found.state_of("edge_lr") == found.state_of("edge_lr_typed") == "lock"


def test_tour_is_asked_only_by_tour_1():
    assert lesson.parse({"tour": "1"}, CONTROLS).tour
    assert not lesson.parse({"tour": "yes"}, CONTROLS).tour


def test_the_panels_link_keeps_the_pages_settings_and_drops_the_runs():
    query = {"lr": "0.1", "lang": "zh", "session": "abc", "hide": "old", "tour": "1"}
    made = lesson_link.lesson_query(query, locked=["lr", "epochs"], hidden=["epochs", "optimizer"], task=" Go ")
    assert made == {"lr": "0.1", "lang": "zh", "lock": "lr", "hide": "epochs,optimizer", "task": "Go"}
    link = lesson_link.link_text("Train", made)
    assert link.startswith("Train?lr=0.1&lang=zh&lock=lr&hide=epochs,optimizer")
    back = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    assert lesson.parse(back, lesson.controls_of(train_url.PARAMS)).hidden == {"epochs", "optimizer"}


def test_the_qr_code_holds_the_link():
    link = "http://localhost:8501/Train?lock=lr&task=%E8%AF%95"
    svg = lesson_link.qr_svg(link)
    assert svg.startswith("<svg") and 'fill="#fff"' in svg.replace("#ffffff", "#fff")
    side = segno.make(link, error="m", micro=False).symbol_size(scale=5, border=4)  # the link's own symbol
    assert f'width="{side[0]}" height="{side[1]}"' in svg
    assert lesson_link.qr_svg("x" * 8_000) is None  # beyond any QR code's capacity
    assert segno.make("http://localhost:8501/Train?lock=lr").designator  # the library the panel uses


def test_page_paths_follow_streamlits_names():
    assert [lesson_link.page_path(page) for page in lesson_link.PAGE_IDS] == [
        "", "Convolution_and_pooling", "Learn_an_edge_kernel", "Architecture_builder", "Train", "Activations",
        "Exercises", "Inside_the_network", "Class_board"]
    assert len(lesson_link.PAGE_IDS) == len(PAGES)


def test_every_page_has_a_tour_of_three_to_six_steps():
    assert set(tour.STEPS) == set(lesson_link.PAGE_IDS)
    assert all(3 <= len(steps) <= 6 for steps in tour.STEPS.values())


def test_every_tour_step_reads_in_chinese():
    from cnnviz.i18n import tr

    for page, steps in tour.STEPS.items():
        for step in steps:
            zh = tr("zh", step.text)
            assert zh != step.text and re.search(r"[\u4e00-\u9fff]", zh), (page, step.text)


def test_the_shared_address_uses_the_public_url_and_says_when_it_names_this_computer(monkeypatch):
    monkeypatch.delenv(lesson_link.PUBLIC_URL_ENV, raising=False)
    assert lesson_link.shared_base("http://localhost:8501/Train") == ("http://localhost:8501/Train", True)
    assert lesson_link.shared_base("http://127.0.0.1:8501/") == ("http://127.0.0.1:8501/", True)
    assert lesson_link.shared_base("https://cnn.school.example/Train") == ("https://cnn.school.example/Train", False)
    monkeypatch.setenv(lesson_link.PUBLIC_URL_ENV, " http://10.0.0.5:8501/ ")
    assert lesson_link.shared_base("http://localhost:8501/Train") == ("http://10.0.0.5:8501/Train", False)
