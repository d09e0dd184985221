"""The Train page's settings round-trip through its URL beside the workspace id; a bad link says what it ignored."""

from __future__ import annotations

from cnnviz.training.recipes import RECIPES
from cnnviz.ui.train import url as train_url
from tests.conftest import assert_no_exception, make_app

PAGE = "pages/4_Train.py"


def test_a_link_opens_the_page_with_the_recipe_in_force():
    query = train_url.link(net="lenet", recipe="lenet_zh", optimizer="sgd", lr="0.9", batch="256", epochs=10,
                           init="xavier", scaling="unit", images="2000")
    at = make_app(PAGE, query=query).run()
    assert_no_exception(at)
    book = RECIPES["lenet_zh"].config
    assert at.selectbox(key="train_arch").value == "lenet"
    assert at.selectbox(key="train_optimizer").value == book.optimizer == "sgd"
    assert at.select_slider(key="train_lr").value == book.lr == 0.9
    assert at.number_input(key="train_epochs").value == book.epochs
    assert at.select_slider(key="train_size").value == 2000
    assert not any("No longer the book's recipe" in w.value for w in at.warning)  # in force, but for the subset
    assert {k: v for k, v in at.query_params.items() if k != "session"} == query
    assert at.query_params["session"]  # the workspace id stays beside the settings


def test_changes_are_written_to_the_url_and_a_fresh_tab_restores_them():
    at = make_app(PAGE).run()
    at.selectbox(key="train_optimizer").set_value("sgd").run()
    at.number_input(key="train_epochs").set_value(3).run()
    assert_no_exception(at)
    link = {k: v for k, v in at.query_params.items() if k != "session"}
    assert link["optimizer"] == "sgd" and link["epochs"] == "3"
    shared = make_app(PAGE, query=link).run()
    assert shared.selectbox(key="train_optimizer").value == "sgd"
    assert shared.number_input(key="train_epochs").value == 3


def test_a_hand_edited_link_says_what_it_ignored_and_keeps_the_rest():
    at = make_app(PAGE, query={"net": "resnet50", "lr": "7", "epochs": "3", "recipe": "nope"}).run()
    assert_no_exception(at)
    warning = " ".join(w.value for w in at.warning)
    for bad in ("net=resnet50", "lr=7", "recipe=nope"):
        assert bad in warning
    assert at.number_input(key="train_epochs").value == 3


def test_a_link_with_only_the_workspace_id_keeps_the_workspaces_settings():
    at = make_app(PAGE).run()
    at.number_input(key="train_seed").set_value(7).run()
    at.session_state["train_viewer"].release()  # the tab closes
    reopened = make_app(PAGE, query={"session": at.query_params["session"]}).run()
    assert_no_exception(reopened)
    assert reopened.number_input(key="train_seed").value == 7


def test_a_reload_keeps_the_workspaces_settings_over_an_older_address():
    at = make_app(PAGE).run()
    at.number_input(key="train_epochs").set_value(3).run()
    older = {"session": at.query_params["session"], "epochs": "5"}  # an address from before the last change
    at.session_state["train_viewer"].release()  # the tab reloads
    reloaded = make_app(PAGE, query=older).run()
    assert_no_exception(reloaded)
    assert reloaded.number_input(key="train_epochs").value == 3
    assert reloaded.query_params["epochs"] == "3"  # and the address catches up
