"""Page 2's whole state round-trips through its URL: a link opens the same run; a bad link says what it ignored."""

from __future__ import annotations

import json

import pytest

from cnnviz.edge import fit as edge
from cnnviz.edge import inputs as edge_inputs
from cnnviz.ui.edge import url as edge_url
from tests.conftest import assert_no_exception, make_app

PAGE = "pages/2_Learn_an_edge_kernel.py"


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def kernel_figure(at) -> dict:
    return next(json.loads(el.proto.spec) for el in at.get("plotly_chart") if el.proto.id.endswith("edge_kernel_chart"))


def test_a_link_opens_the_page_with_its_settings_and_the_matching_run():
    query = edge_url.link(input="checkerboard", target="sobel_x", lr_typed="0.003", size="3x3", optimizer="adam",
                          steps=40, seed=7, bias=False, speed=10)
    at = make_app(PAGE, query=query).run()
    assert_no_exception(at)
    assert at.selectbox(key="edge_input").value == "Checkerboard (8x8)"
    assert at.selectbox(key="edge_target").value == "Sobel x"
    assert at.text_input(key="edge_lr_typed").value == "0.003"
    assert at.selectbox(key="edge_optimizer").value == "adam"
    assert at.number_input(key="edge_steps").value == 40 and at.number_input(key="edge_seed").value == 7
    assert at.checkbox(key="edge_bias").value is False
    at.button(key="edge_to_end").click().run()
    X = edge_inputs.synthetic_input("Checkerboard (8x8)")
    Y = edge_inputs.target_output(X, edge_inputs.target_kernel("Sobel x"))
    expected = list(edge.fit_kernel(X, Y, (3, 3), lr=0.003, steps=40, seed=7, optimizer="adam", bias=False))[-1]
    assert kernel_figure(at)["data"][0]["z"] == expected.weight.tolist()
    assert at.select_slider(key="edge_lr").value == 0.003  # one rate shown: the slider moved to the typed one
    assert dict(at.query_params) == {**query, "lr": "0.003"}  # the link as it came, and the slider's rate


def test_changes_are_written_to_the_url_and_a_fresh_session_restores_them():
    at = make_app(PAGE).run()
    assert dict(at.query_params) == {}  # the defaults need no link
    at.selectbox(key="edge_target").set_value(edge_url.PARAMS["target"].choices["custom"]).run()
    at.text_area(key="edge_custom_kernel").input("1 0 -1").run()
    at.select_slider(key="edge_lr").set_value(0.05).run()
    assert_no_exception(at)
    assert dict(at.query_params) == {"target": "custom", "kernel": "1 0 -1", "lr": "0.05"}
    shared = make_app(PAGE, query=dict(at.query_params)).run()
    assert shared.selectbox(key="edge_target").value == "Custom (type it)"
    assert shared.text_area(key="edge_custom_kernel").value == "1 0 -1"
    assert shared.select_slider(key="edge_lr").value == 0.05
    assert kernel_figure(shared)["data"][1]["z"] == [[1.0, 0.0, -1.0]]  # the typed target is drawn


def test_back_restores_the_state_before_the_last_change():
    at = make_app(PAGE, query={"seed": "3"}).run()
    first = dict(at.query_params)
    at.number_input(key="edge_seed").set_value(5).run()
    assert at.query_params["seed"] == "5"
    at.query_params = dict(first)  # what the browser's Back does to the URL
    at.run()
    assert at.number_input(key="edge_seed").value == 3


def test_a_hand_edited_link_says_what_it_ignored_and_keeps_the_rest():
    query = {"target": "sobel_y", "lr": "-0.07", "steps": "-4", "kernel": "1 x", "optimizer": "rmsprop",
             "colour": "red"}
    at = make_app(PAGE, query=query).run()
    assert_no_exception(at)
    warning = " ".join(w.value for w in at.warning)
    for bad in ("lr=-0.07", "steps=-4", "kernel=1 x", "optimizer=rmsprop", "colour=red"):
        assert bad in warning
    assert at.selectbox(key="edge_target").value == "Sobel y"  # the valid part of the link is used
    assert at.select_slider(key="edge_lr").value == 0.03 and at.number_input(key="edge_steps").value == 10
    assert not at.error


def test_every_choice_has_a_word_and_every_word_decodes_to_it():
    for name, param in edge_url.PARAMS.items():
        if param.choices:
            for word, value in param.choices.items():
                assert param.decode(param.encode(value)) == value, (name, word)
