"""Page 5's whole state round-trips through its URL: a link opens the same model, classes, images, layer,
stage, channels and scale; a hand-edited link says what it ignored."""

from __future__ import annotations

import json

from cnnviz.ui.activations import url as activation_url
from tests.conftest import assert_no_exception, make_app

PAGE = "pages/5_Activations.py"


def grid(at) -> dict:
    return next(json.loads(el.proto.spec) for el in at.get("plotly_chart") if el.proto.id.endswith("act_grid"))


def test_a_link_opens_the_page_with_its_settings():
    query = activation_url.link(model="lenet", classes=["Shirt", "T-shirt/top", "Coat"], images="random", count=3,
                                seed=5, layer="conv2", stage="pooling", scale="per-map")
    assert query == {"model": "lenet", "classes": "shirt,t-shirt-top,coat", "images": "random", "count": "3",
                     "seed": "5", "layer": "conv2", "stage": "pooling", "scale": "per-map"}
    at = make_app(PAGE, query=query).run()
    assert_no_exception(at)
    assert at.multiselect(key="act_classes").value == ["Shirt", "T-shirt/top", "Coat"]
    assert at.selectbox(key="act_model").value == "The book's LeNet (sigmoid)"
    assert at.radio(key="act_mode").value == "random" and at.slider(key="act_count").value == 3
    assert at.number_input(key="act_seed").value == 5
    assert at.selectbox(key="act_layer").value.startswith("conv2:")
    assert at.selectbox(key="act_stage").value == "pooling"
    assert at.toggle(key="act_shared").value is False
    assert dict(at.query_params) == query  # the page keeps the link as it came
    assert not at.warning


def test_changes_are_written_to_the_url_and_a_fresh_session_restores_them():
    at = make_app(PAGE).run()
    assert dict(at.query_params) == {}  # the defaults need no link
    at.multiselect(key="act_classes").set_value(["Sneaker", "Sandal"]).run()
    at.selectbox(key="act_layer").set_value(at.selectbox(key="act_layer").options[1]).run()
    at.selectbox(key="act_channels").set_value(at.selectbox(key="act_channels").options[-1]).run()
    assert_no_exception(at)
    link = dict(at.query_params)
    assert link["classes"] == "sneaker,sandal" and link["layer"] == "conv2" and link["channels"] == "most"
    shared = make_app(PAGE, query=link).run()
    assert_no_exception(shared)
    assert shared.multiselect(key="act_classes").value == ["Sneaker", "Sandal"]
    assert shared.selectbox(key="act_layer").value == at.selectbox(key="act_layer").value
    assert shared.selectbox(key="act_channels").value == at.selectbox(key="act_channels").value
    assert [t.get("z") for t in grid(shared)["data"]] == [t.get("z") for t in grid(at)["data"]]  # the same maps


def test_an_untrained_book_network_can_be_linked():
    at = make_app(PAGE, query=activation_url.link(model="untrained-googlenet", layer="conv1")).run()
    assert_no_exception(at)
    assert at.selectbox(key="act_model").value == "googlenet at 96x96, untrained"


def test_a_hand_edited_link_says_what_it_ignored_and_keeps_the_rest():
    query = {"model": "resnet", "classes": "coat,coat", "count": "99", "layer": "conv9", "colour": "red",
             "seed": "4", "images": "random"}
    at = make_app(PAGE, query=query).run()
    assert_no_exception(at)
    warnings = " ".join(w.value for w in at.warning)
    for bad in ("model=resnet", "classes=coat,coat", "count=99", "colour=red"):
        assert bad in warnings
    assert "conv9" in warnings  # not a layer of this model: said once the model's layers are known
    assert at.number_input(key="act_seed").value == 4  # the valid part is used
    assert at.multiselect(key="act_classes").value == ["Pullover", "Coat"]  # the defaults for the rest
    assert at.selectbox(key="act_layer").value == at.selectbox(key="act_layer").options[0]


def test_back_restores_the_state_before_the_last_change():
    at = make_app(PAGE, query={"layer": "conv2"}).run()
    first = dict(at.query_params)
    at.selectbox(key="act_layer").set_value(at.selectbox(key="act_layer").options[0]).run()
    assert "layer" not in at.query_params
    at.query_params = dict(first)  # what the browser's Back does to the URL
    at.run()
    assert at.selectbox(key="act_layer").value.startswith("conv2:")
