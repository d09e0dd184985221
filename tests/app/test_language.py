"""The language switch: ?lang=zh in links, kept across pages, and a switch that keeps every other setting."""

from __future__ import annotations

import pytest

from tests.app.zh_text import english_left, visible_texts
from tests.conftest import assert_no_exception, make_app

EDGE = "pages/2_Learn_an_edge_kernel.py"
CONV = "pages/1_Convolution_and_pooling.py"


def sidebar_toggle_label(at) -> str:
    return at.toggle(key="presenter").label


def test_a_zh_link_opens_the_page_in_chinese_and_keeps_the_language_in_the_url():
    at = make_app(EDGE, query={"lang": "zh", "seed": "4"}).run()
    assert_no_exception(at)
    assert sidebar_toggle_label(at) == "演示模式"
    assert at.number_input(key="edge_seed").value == 4  # the page's own settings still load
    at.number_input(key="edge_seed").set_value(6).run()
    assert dict(at.query_params) == {"lang": "zh", "seed": "6"}


def test_switching_language_keeps_the_pages_settings():
    at = make_app(EDGE).run()
    assert sidebar_toggle_label(at) == "Presenter mode"
    at.number_input(key="edge_seed").set_value(9).run()
    at.button_group(key="lang_switch").set_value("zh").run()
    assert_no_exception(at)
    assert sidebar_toggle_label(at) == "演示模式"
    assert at.number_input(key="edge_seed").value == 9
    assert dict(at.query_params) == {"seed": "9", "lang": "zh"}
    at.button_group(key="lang_switch").set_value("en").run()
    assert sidebar_toggle_label(at) == "Presenter mode"
    assert dict(at.query_params) == {"seed": "9"}


def test_the_language_follows_the_student_to_another_page():
    at = make_app(EDGE, query={"lang": "zh"}).run()
    at.query_params.clear()  # the menu's link is what carries the language (tested below), not the old URL
    at.switch_page(CONV).run()
    assert_no_exception(at)
    assert sidebar_toggle_label(at) == "演示模式"
    assert at.query_params.get("lang") == "zh"


def test_the_menu_links_carry_the_language():
    at = make_app(EDGE, query={"lang": "zh"}).run()
    assert [link.proto.query_string for link in at.get("page_link")] == ["lang=zh"] * len(at.get("page_link")) != []
    english = make_app(EDGE).run()
    assert {link.proto.query_string for link in english.get("page_link")} == {""}  # a menu link keeps a page's state


def test_a_language_the_app_does_not_have_falls_back_to_english():
    at = make_app(EDGE, query={"lang": "fr"}).run()
    assert_no_exception(at)
    assert sidebar_toggle_label(at) == "Presenter mode"


@pytest.mark.parametrize("query, action", [
    ({}, None),
    ({"target": "custom", "kernel": "1 x"}, None),  # a link with a bad kernel: the warning, in Chinese
    ({"lr": "1.0", "steps": "50"}, "edge_to_end"),  # a diverged run: its error and the zoomed loss curve
    ({"size": "2×2", "input": "stripes"}, "edge_to_end"),  # not identifiable: the warning with its numbers
    ({"input": "fashion", "image": "1"}, None),  # a Fashion-MNIST image: its class as the zh edition names it
])
def test_the_edge_page_in_chinese_has_no_english_left(query, action):
    at = make_app(EDGE, query={"lang": "zh", **query}).run()
    at.toggle(key="edge_compare").set_value(True).run()
    if action:
        at.button(key=action).click().run()
    assert_no_exception(at)
    assert english_left(at) == {}
    assert len(visible_texts(at)) > 60  # the check saw the page, not an empty tree


def test_a_library_error_is_shown_in_the_readers_language():
    for lang, expected in (("zh", "自定义卷积核第 1 行第 2 个值：'x' 不是数字"),
                           ("en", "custom kernel row 1, value 2: 'x' is not a number")):
        at = make_app(EDGE, query={"lang": lang, "target": "custom"}).run()
        at.text_area(key="edge_custom_kernel").input("1 x").run()
        assert any(expected in e.value for e in at.error), [e.value for e in at.error]


def test_fashion_mnist_classes_carry_the_zh_editions_names():
    at = make_app(EDGE, query={"lang": "zh", "input": "fashion", "image": "0"}).run()
    assert any(c.value == "类别：短靴，28×28" for c in at.caption), [c.value for c in at.caption]  # test image 0


def test_the_home_page_in_chinese_has_no_english_left_and_its_links_carry_the_language():
    at = make_app("app.py", query={"lang": "zh"}).run()
    assert_no_exception(at)
    assert english_left(at) == {}
    main_links = [link for link in at.get("page_link") if "《动手学深度学习》" in link.proto.label]
    assert len(main_links) == 7 and {link.proto.query_string for link in main_links} == {"lang=zh"}
    assert any("6.2-6.5" in link.proto.label for link in main_links)  # the zh edition's section numbers


# Each page opened on a link's state, then switched to Chinese: the state, and the link, stay as they were.
SWITCH_CASES = {
    "pages/1_Convolution_and_pooling.py": ({"input": "4x4 arange"}, "p1_input", "4x4 arange"),
    "pages/3_Architecture_builder.py": ({"preset": "alexnet"}, "arch_preset", "alexnet"),
    "pages/4_Train.py": ({"net": "googlenet", "epochs": "3"}, "train_epochs", 3),
    "pages/5_Activations.py": ({"count": "3"}, "act_count", 3),
    "pages/6_Exercises.py": ({"section": "7.3"}, "ex_section", "7.3"),
}


@pytest.mark.parametrize("page", sorted(SWITCH_CASES))
def test_every_page_keeps_its_state_and_its_link_when_the_language_switches(page):
    query, key, value = SWITCH_CASES[page]
    at = make_app(page, query=query).run()
    assert at.session_state[key] == value
    at.button_group(key="lang_switch").set_value("zh").run()
    assert_no_exception(at)
    assert sidebar_toggle_label(at) == "演示模式"
    assert at.session_state[key] == value
    assert {k: at.query_params.get(k) for k in [*query, "lang"]} == {**query, "lang": "zh"}
