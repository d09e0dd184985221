"""Leaving a page and coming back keeps what the student set there: Streamlit itself forgets the value of
every widget a run does not draw, so each page keeps its own copy (common.keep_widgets)."""

from __future__ import annotations

import pytest

from tests.conftest import assert_no_exception, make_app

PAGES = {1: "pages/1_Convolution_and_pooling.py", 2: "pages/2_Learn_an_edge_kernel.py",
         3: "pages/3_Architecture_builder.py", 4: "pages/4_Train.py", 5: "pages/5_Activations.py",
         6: "pages/6_Exercises.py", 7: "pages/7_Inside_the_network.py"}


def _edit_rows(at, key: str, changes: dict) -> None:
    at.session_state[key] = {"edited_rows": changes, "added_rows": [], "deleted_rows": []}


def _page1(at):
    at.number_input(key="p1_pad_h").set_value(2)
    _edit_rows(at, "p1_kernel_0", {"0": {"0": 5}})


def _page2(at):
    at.selectbox(key="edge_target").set_value("Sobel x")
    at.text_input(key="edge_lr_typed").set_value("0.02")
    at.checkbox(key="edge_bias").uncheck()


def _page3(at):
    at.selectbox(key="arch_preset").set_value("vgg_small").run()
    _edit_rows(at, f"arch_layers_{at.session_state['arch_editor_version']}", {"0": {"size": 12}})
    at.selectbox(key="arch_compare").set_value("nin_small")


def _page4(at):
    at.selectbox(key="train_optimizer").set_value("sgd")
    at.number_input(key="train_epochs").set_value(3)


def _page5(at):
    at.multiselect(key="act_classes").set_value(["Shirt", "T-shirt/top", "Coat"])
    at.selectbox(key="act_layer").set_value(at.selectbox(key="act_layer").options[1])
    at.toggle(key="act_shared").set_value(False)


def _page6(at):
    at.text_input(key="ex_query").set_value("stride")
    at.selectbox(key="ex_kind").set_value("explore")
    at.segmented_control(key="ex_lang").set_value("zh")


def _page7(at):
    at.selectbox(key="in_class").set_value("Bag")
    at.radio(key="in_scale").set_value("global")
    at.selectbox(key="in_layer").set_value("fc1")


CHANGES = {1: _page1, 2: _page2, 3: _page3, 4: _page4, 5: _page5, 6: _page6, 7: _page7}
SHOWN = {  # what the student sees of those settings
    1: lambda at: (at.number_input(key="p1_pad_h").value, at.query_params.get("kernel")),
    2: lambda at: (at.selectbox(key="edge_target").value, at.text_input(key="edge_lr_typed").value,
                   at.checkbox(key="edge_bias").value),
    3: lambda at: (at.selectbox(key="arch_preset").value, at.session_state["arch_live_rows"][0]["size"],
                   at.selectbox(key="arch_compare").value),
    4: lambda at: (at.selectbox(key="train_optimizer").value, at.number_input(key="train_epochs").value),
    5: lambda at: (at.multiselect(key="act_classes").value, at.selectbox(key="act_layer").value,
                   at.toggle(key="act_shared").value),
    6: lambda at: (at.text_input(key="ex_query").value, at.selectbox(key="ex_kind").value,
                   at.segmented_control(key="ex_lang").value, len(at.subheader)),
    7: lambda at: (at.selectbox(key="in_class").value, at.radio(key="in_scale").value,
                   at.selectbox(key="in_layer").value),
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_settings_survive_a_visit_to_another_page(page):
    at = make_app(PAGES[page]).run()
    CHANGES[page](at)
    at.run()
    assert_no_exception(at)
    before = SHOWN[page](at)
    for target in (PAGES[2 if page == 1 else 1], PAGES[page]):
        at.query_params.clear()  # the browser's menu clears them on a page change; AppTest keeps them
        at.switch_page(target).run()
    assert_no_exception(at)
    assert SHOWN[page](at) == before
    assert not at.warning or all("Session State API" not in w.value for w in at.warning)
