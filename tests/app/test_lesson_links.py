"""Lesson links under AppTest: a lock disables the widget at the link's value, a hide removes it and keeps its
value in force, in both languages; unknown names are named; the teacher's panel writes the link and its QR code."""

from __future__ import annotations

import pytest

from cnnviz.training.recipes import RECIPES
from cnnviz.ui import lesson_link, tour
from cnnviz.ui.common import PAGES
from tests.app.zh_text import assert_all_chinese
from tests.conftest import assert_no_exception, make_app

TRAIN = "pages/4_Train.py"
EXERCISES = "pages/6_Exercises.py"
EDGE = "pages/2_Learn_an_edge_kernel.py"
CONV = "pages/1_Convolution_and_pooling.py"
TASKS = {"en": "Find the largest learning rate that still trains", "zh": "找出仍能训练的最大学习率"}


def keys(at, kind: str) -> set[str]:
    return {widget.key for widget in at.get(kind)}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_lock_disables_the_control_at_the_links_value_and_a_hide_removes_one(language):
    query = {"lr": "0.3", "optimizer": "sgd", "epochs": "3", "lock": "lr,epochs", "hide": "optimizer",
             "task": TASKS[language], "lang": language}
    at = make_app(TRAIN, query=query).run()
    assert_no_exception(at)
    rate = at.select_slider(key="train_lr")
    assert rate.value == 0.3 and rate.disabled
    notes = {"en": "The lesson fixed this setting.", "zh": "这项设置由课堂链接固定。"}
    assert rate.label.startswith("🔒 ") and rate.help.endswith(notes[language])
    epochs = at.number_input(key="train_epochs")
    assert epochs.value == 3 and epochs.disabled
    assert "train_optimizer" not in keys(at, "selectbox")  # hidden ...
    assert at.session_state["train_optimizer"] == "sgd"  # ... and in force
    assert not at.selectbox(key="train_batch").disabled  # the rest as usual
    assert [t.value for t in at.text] == [("Task: " if language == "en" else "任务：") + TASKS[language]]
    if language == "zh":
        assert_all_chinese(at)


def test_the_lesson_stays_through_other_changes_presenter_mode_and_a_reload():
    query = {"lr": "0.3", "lock": "lr", "hide": "optimizer", "task": "Go"}
    at = make_app(TRAIN, query=query).run()
    at.number_input(key="train_epochs").set_value(4).run()
    at.toggle(key="presenter").set_value(True).run()
    assert_no_exception(at)
    assert at.query_params["lock"] == "lr" and at.query_params["hide"] == "optimizer"
    assert at.query_params["epochs"] == "4" and at.select_slider(key="train_lr").disabled
    reloaded = make_app(TRAIN, query={k: v for k, v in at.query_params.items() if k != "session"}).run()
    assert reloaded.select_slider(key="train_lr").disabled and reloaded.number_input(key="train_epochs").value == 4
    assert "train_optimizer" not in keys(reloaded, "selectbox")


def test_unknown_names_are_named_and_markup_is_not_rendered():
    at = make_app(TRAIN, query={"hide": "optimizer,nope", "lock": "[x](http://e.x),lr", "task": "<b>bold</b>"})
    at.run()
    assert_no_exception(at)
    warning = " ".join(w.value for w in at.warning)
    assert "ignored: `nope`, `xhttpex`." in warning
    assert at.text[0].value == "Task: <b>bold</b>"  # st.text: shown as typed, never HTML
    assert at.select_slider(key="train_lr").disabled


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_link_hiding_every_control_keeps_the_results(language):
    query = {"q": "pooling", "hide": "q,section,kind,text", "lang": language}
    at = make_app(EXERCISES, query=query).run()
    assert_no_exception(at)
    assert not keys(at, "text_input") & {"ex_query"} and not keys(at, "selectbox") & {"ex_section", "ex_kind"}
    assert len(at.info) >= 1 and at.subheader  # the note, and the exercises the search still filters
    assert at.session_state["ex_query"] == "pooling"
    if language == "zh":
        assert "课堂链接隐藏了本页的控件" in at.info[0].value
        assert_all_chinese(at)


def test_the_panel_writes_the_link_with_the_current_settings_and_its_qr_code():
    at = make_app(TRAIN, query={"lr": "0.3"}).run()
    at.multiselect(key="lesson_lock_train").set_value(["lr"])
    at.multiselect(key="lesson_hide_train").set_value(["optimizer", "seed"])
    at.text_input(key="lesson_task_train").set_value("Compare two rates").run()
    assert_no_exception(at)
    link = at.code[0].value
    assert link.startswith("Train?") and "lr=0.3" in link and "session=" not in link
    assert link.endswith("&lock=lr&hide=optimizer,seed&task=Compare%20two%20rates")
    images = at.get("image")
    assert len(images) == 1 and images[0].proto.imgs[0].alt == "QR code of the lesson link"
    opened = make_app(TRAIN, query=dict(pair.split("=") for pair in link.split("?")[1].split("&"))).run()
    assert opened.select_slider(key="train_lr").value == 0.3 and opened.select_slider(key="train_lr").disabled
    assert "train_seed" not in keys(opened, "number_input")
    assert opened.multiselect(key="lesson_lock_train").value == ["lr"]  # the teacher can refine it


def test_the_panel_offers_the_pages_controls_by_their_labels_in_chinese():
    at = make_app(TRAIN, query={"lang": "zh"}).run()
    lock = at.multiselect(key="lesson_lock_train")
    assert "学习率" in lock.options and "lr" not in lock.options
    assert_all_chinese(at)


def test_the_tour_steps_forward_and_back_ends_and_leaves_the_state_alone():
    at = make_app(EDGE).run()
    before = dict(at.query_params)
    at.button(key="tour_start").click().run()
    box = [m.value for m in at.markdown if "Tour, step" in m.value]
    assert box and "step 1 of 4" in box[0]
    at.button(key="tour_next").click().run()
    assert any("step 2 of 4" in m.value for m in at.markdown)
    at.button(key="tour_back").click().run()
    assert any("step 1 of 4" in m.value for m in at.markdown)
    for _ in range(3):
        at.button(key="tour_next").click().run()
    assert any("step 4 of 4" in m.value for m in at.markdown) and "tour_next" not in keys(at, "button")
    at.button(key="tour_end").click().run()
    assert_no_exception(at)
    assert not any("Tour, step" in m.value for m in at.markdown) and "tour_back" not in keys(at, "button")
    assert dict(at.query_params) == before


def test_tour_1_in_the_link_starts_the_tour_once():
    at = make_app(EXERCISES, query={"tour": "1"}).run()
    assert any("Tour, step 1 of 3" in m.value for m in at.markdown)
    at.button(key="tour_end").click().run()
    at.text_input(key="ex_query").set_value("pool").run()
    assert not any("Tour, step" in m.value for m in at.markdown)  # ended, and not restarted by the link


def test_the_tour_in_chinese_is_all_chinese_at_every_step():
    at = make_app(EXERCISES, query={"lang": "zh", "tour": "1"}).run()
    for step in range(3):
        assert any(f"第 {step + 1} 步，共 3 步" in m.value for m in at.markdown)
        assert_all_chinese(at)
        if step < 2:
            at.button(key="tour_next").click().run()


def test_locking_the_edge_pages_rate_locks_its_typed_box_too():
    at = make_app(EDGE, query={"lr": "0.01", "lock": "lr", "hide": "optimizer"}).run()
    assert_no_exception(at)
    assert at.select_slider(key="edge_lr").disabled and at.select_slider(key="edge_lr").value == 0.01
    assert at.text_input(key="edge_lr_typed").disabled
    assert "edge_optimizer" not in keys(at, "selectbox") and not at.selectbox(key="edge_target").disabled


def _nodes(node):
    """Every element and container of an AppTest tree, depth first."""
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def _keys(tree) -> set[str]:
    return {node.key for node in _nodes(tree) if getattr(node, "key", None)}


def test_every_tour_step_points_at_a_part_the_page_draws():
    for page, (path, *_about) in zip(lesson_link.PAGE_IDS, PAGES):
        at = make_app(path).run()
        assert_no_exception(at)
        drawn = _keys(at._tree)
        assert {step.key for step in tour.STEPS[page] if step.key} <= drawn, page
        assert "tour_start" in drawn and f"lesson_task_{page}" in drawn  # the sidebar's button and panel


def test_a_round_trip_through_the_menu_keeps_the_lesson():
    at = make_app(TRAIN, query={"lr": "0.3", "lock": "lr", "task": "Go"}).run()
    at.switch_page("app.py")
    for name in list(at.query_params):  # the menu's links carry no state
        del at.query_params[name]
    at.run()
    assert "train_lr" not in keys(at, "select_slider") and not at.text  # the lesson is the Train page's only
    at.switch_page(TRAIN).run()
    assert_no_exception(at)
    assert at.select_slider(key="train_lr").disabled
    assert at.query_params["lock"] == "lr" and at.text[0].value == "Task: Go"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_recipe_cannot_change_a_locked_or_hidden_setting(language):
    """A lesson that locks the rate at 0.3 and hides the optimizer: the book's recipe (lr 0.9, SGD) and the fast
    demo (lr 0.1) are disabled and say why; a recipe whose values the lesson already has stays usable; and a
    callback that changes a locked value anyway is undone before the control is drawn."""
    query = {"net": "lenet", "lr": "0.3", "optimizer": "adam", "lock": "lr", "hide": "optimizer", "lang": language}
    at = make_app(TRAIN, query=query).run()
    assert_no_exception(at)
    recipes = [b for b in at.button if b.key.startswith("train_recipe_")]
    assert recipes and all(b.disabled for b in recipes)
    notes = {"en": "The lesson fixed a setting this would change.", "zh": "课堂链接固定了这个按钮会改变的设置。"}
    assert all(b.help.startswith(notes[language]) for b in [*recipes, at.button(key="train_demo")])
    assert at.button(key="train_demo").disabled and not at.button(key="train_start").disabled
    at.session_state["train_lr"], at.session_state["train_optimizer"] = 0.9, "sgd"  # as a callback would
    at.run()
    assert at.select_slider(key="train_lr").value == 0.3 and at.session_state["train_optimizer"] == "adam"
    if language == "zh":
        assert_all_chinese(at)

    at = make_app(TRAIN, query={"net": "lenet", "lr": "0.9", "lock": "lr", "lang": language}).run()
    usable = {b.key.removeprefix("train_recipe_"): not b.disabled for b in at.button
              if b.key.startswith("train_recipe_")}
    assert usable == {key: RECIPES[key].config.lr == 0.9 for key in usable} and sum(usable.values()) == 1  # zh 6.6


def _editors(at) -> dict[str, bool]:
    """Page 1's data editors: key (without its version) -> disabled."""
    return {node.proto.id.rsplit("-", 1)[-1].rsplit("_", 1)[0]: node.proto.disabled for node in _nodes(at._tree)
            if getattr(node, "type", None) == "dataframe" and node.proto.editing_mode}


def test_page_1s_matrices_can_be_locked_or_hidden_like_its_other_controls():
    at = make_app(CONV, query={"lock": "kernel"}).run()
    assert_no_exception(at)
    assert _editors(at) == {"p1_kernel": True}  # drawn read-only, with the lesson's note
    assert any(c.value == "🔒 The lesson fixed this setting." for c in at.caption)
    at = make_app(CONV, query={"input": "typed grid", "hide": "grid,kernel", "kernel": "1,-1"}).run()
    assert_no_exception(at)
    assert _editors(at) == {}  # neither drawn; the link's kernel still in force
    assert at.session_state["p1_kernel"] == [[1.0, -1.0]]
    at = make_app(CONV, query={"mode": "Multi-channel", "own_kernels": "true", "lock": "kfull"}).run()
    assert_no_exception(at)
    kernels = {key: disabled for key, disabled in _editors(at).items() if key.startswith("p1_kfull")}
    assert len(kernels) == 6 and all(kernels.values())  # 3 output x 2 input channels, each read-only
    assert _editors(at)["p1_kernel"] is False  # the kernel they start from is another control
    labels = at.session_state["_lesson_labels"]
    assert labels["p1_kfull"] == "Kernels K[o, i]" and labels["p1_kernel"] == "kernel"  # the panel's names
