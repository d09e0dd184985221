"""A prepared comparison (the lesson issue's Try-it defect): a link naming a second network trains both with the
same settings, one after the other, and both join the overlay; Stop drops the one still waiting."""

from __future__ import annotations

from dataclasses import replace

from cnnviz.exercises.catalog import BY_ID
from cnnviz.ui.exercises.links import query_params
from tests.app.test_page4_train import _stop_all, measured_rate
from tests.app.zh_text import assert_all_chinese
from tests.conftest import assert_no_exception, make_app

PAGE = "pages/4_Train.py"
QUICK = {"images": "128", "epochs": "1", "batch": "64"}


def _open(monkeypatch, query: dict, lang: str = "en"):
    measured_rate(monkeypatch, 1_000.0)  # no question before a short run
    return make_app(PAGE, query={**query, **({"lang": lang} if lang != "en" else {})}).run()


def _train_both(at, is_first, next_caption: str):
    """Presses Start and follows the comparison to its end: while the first run trains, a caption names the one
    that waits. Returns the workspace's two ended runs, oldest first."""
    at.button(key="train_start").click().run()
    ended = at.session_state["train_runs"]
    for _ in range(4):  # the first may end before the next rerun: the page then starts the second at once
        current = at.session_state["train_job"]
        if is_first(current) and current.active:
            assert any(next_caption in c.value for c in at.caption)
        assert current.job.join(240)
        at.run()
        if len(ended) == 2 and not at.session_state["train_job"].active:
            break
    return ended


def test_start_both_trains_the_second_network_with_the_same_settings_after_the_first(monkeypatch):
    at = _open(monkeypatch, {"net": "lenet", "then": "lenet_relu", **QUICK})
    try:
        assert_no_exception(at)
        assert any("LeNet" in i.value and "then" in i.value for i in at.info)
        assert any("Start trains both" in i.value for i in at.info)
        first, second = _train_both(at, lambda run: run.spec.name == "lenet", "Next: LeNet, ReLU + max pool")
        assert (first.spec.name, second.spec.name) == ("lenet", "lenet_relu")
        assert second.config == first.config  # the same settings, both at 28x28
        assert_no_exception(at)
        assert at.multiselect(key="train_overlay").value == [first.label, second.label]  # both overlaid
        assert not any("prepares a comparison" in i.value for i in at.info)  # the link's comparison is done
        assert "then" not in at.query_params
    finally:
        _stop_all(at)


def test_stop_drops_the_queued_second_run(monkeypatch):
    at = _open(monkeypatch, {"net": "lenet", "then": "lenet_relu", "images": "5000", "epochs": "5"})
    try:
        at.button(key="train_start").click().run()
        first = at.session_state["train_job"]
        assert first.spec.name == "lenet" and first.active  # 5 epochs of 5,000 images: still training here
        assert any("Next: LeNet, ReLU + max pool, with the same settings" in c.value for c in at.caption)
        at.button(key="train_stop").click().run()
        assert first.job.join(240)
        at.run()
        assert at.session_state["train_job"] is first and not first.active
        assert not any("Next:" in c.value for c in at.caption)
    finally:
        _stop_all(at)


def test_the_note_in_chinese():
    at = make_app(PAGE, query={"net": "lenet", "then": "lenet_relu", "lang": "zh"}).run()
    assert_no_exception(at)
    assert_all_chinese(at)
    assert any("按“开始”会先后训练两者" in i.value for i in at.info)


def test_exercise_7_6_1_prepares_the_books_lenet_then_the_modernised_one():
    query = query_params(BY_ID["7.6.1"].try_it)
    assert (query["net"], query["then"]) == ("lenet", "lenet_relu")
    assert {"lr": "0.9", "optimizer": "sgd"}.items() <= query.items()


def test_a_link_can_compare_two_batch_sizes_of_one_network(monkeypatch):
    """Exercise 8.1.6 changes the batch size only: the second run is the same network with batch 512."""
    at = _open(monkeypatch, {"net": "lenet", "then_batch": "128", **QUICK})
    try:
        assert_no_exception(at)
        assert any("with batch size 64, then with batch size 128" in i.value for i in at.info)
        first, second = _train_both(at, lambda run: run.config.batch_size == 64, "Next: LeNet with batch size 128")
        assert first.spec == second.spec and (first.config.batch_size, second.config.batch_size) == (64, 128)
        assert second.config == replace(first.config, batch_size=128)  # nothing else changed
        steps = [run.final.points[-1].total_steps for run in (first, second)]
        assert steps == [2, 1]  # 128 images: two batches of 64, then one of 128
        assert at.multiselect(key="train_overlay").value == [first.label, second.label]
        assert "then_batch" not in at.query_params and not any("prepares" in i.value for i in at.info)
    finally:
        _stop_all(at)


def test_a_second_batch_size_equal_to_the_first_prepares_nothing():
    at = make_app(PAGE, query={"net": "lenet", "batch": "256", "then_batch": "256"}).run()
    assert_no_exception(at)
    assert not any("prepares a comparison" in i.value for i in at.info)


def test_exercise_8_1_6_prepares_two_batch_sizes_in_both_editions():
    query = query_params(BY_ID["8.1.6"].try_it)
    assert (query["batch"], query["then_batch"]) == ("64", "512") and "then" not in query
    at = make_app(PAGE, query={**query, "lang": "zh"}).run()
    assert_no_exception(at)
    assert_all_chinese(at)
    assert any("批量大小 64" in i.value and "512" in i.value for i in at.info)


def test_exercise_8_5_2_prepares_batch_norm_against_the_books_lenet_at_one_learning_rate():
    query = query_params(BY_ID["8.5.2"].try_it)
    assert (query["net"], query["then"], query["lr"], query["optimizer"]) == ("lenet_bn", "lenet", "1.0", "sgd")
    at = make_app(PAGE, query=query).run()
    assert_no_exception(at)
    assert at.selectbox(key="train_arch").value == "lenet_bn" and at.select_slider(key="train_lr").value == 1.0
    assert any("LeNet + BatchNorm" in i.value and "then" in i.value and "LeNet" in i.value for i in at.info)
