"""The fast demo on the Train page: one click sets its network and settings (those without a widget too),
a short real run trains with them, and a link opens the page with the demo in force."""

from __future__ import annotations

import pytest

from cnnviz.arch import PRESETS
from cnnviz.training.recipes import FAST_DEMO
from tests.app.test_page4_train import finish, measured_rate
from tests.conftest import assert_no_exception, make_app

PAGE = "pages/4_Train.py"


@pytest.fixture
def page(monkeypatch):
    measured_rate(monkeypatch, 5_000.0)  # no question before Start: the speed is not what this is about
    at = make_app(PAGE).run()
    assert_no_exception(at)
    yield at
    run = at.session_state["train_job"] if "train_job" in at.session_state else None
    if run is not None:
        run.job.stop()
        run.job.join(300)


@pytest.mark.slow  # trains for real (epochs of a subset)
def test_one_click_sets_the_demo_and_a_run_trains_with_all_of_it(page):
    at = page
    at.button(key="train_demo").click().run()
    assert_no_exception(at)
    assert at.selectbox(key="train_arch").value == FAST_DEMO.preset
    assert any("The fast demo" in c.value for c in at.caption)
    at.select_slider(key="train_size").set_value(5_000).run()  # a subset is still the demo's recipe
    assert any("The fast demo" in c.value for c in at.caption)
    at.button(key="train_start").click().run()
    run = at.session_state["train_job"]
    want = FAST_DEMO.config
    for name in ("optimizer", "lr", "lr_schedule", "momentum", "nesterov", "label_smoothing", "warmup",
                 "weight_decay", "whiten", "batch_size", "epochs", "cpu_threads", "channels_last"):
        assert getattr(run.config, name) == getattr(want, name), name
    assert run.spec == PRESETS[FAST_DEMO.preset]
    finish(at, run)
    history = run.snapshot().history
    assert history.status == "finished" and len(history.test_accuracy) == want.epochs
    # one epoch of 5,000 images (40 steps, from whitened patches): far above chance (0.1)
    assert history.test_accuracy[-1] > 0.7


def test_a_changed_setting_is_named_and_the_extras_leave_with_the_network(page):
    at = page
    at.button(key="train_demo").click().run()
    at.select_slider(key="train_lr").set_value(0.1).run()
    assert any("No longer the fast demo: learning rate 0.1 (the demo: 0.2)" in c.value for c in at.caption)
    at.selectbox(key="train_arch").set_value("lenet").run()
    assert_no_exception(at)
    assert not any("fast demo" in c.value for c in at.caption)


def test_a_link_opens_the_page_with_the_demo_in_force():
    demo = FAST_DEMO.config
    at = make_app(PAGE, query={"net": FAST_DEMO.preset, "recipe": FAST_DEMO.key, "lr": f"{demo.lr:g}",
                               "schedule": demo.lr_schedule, "optimizer": demo.optimizer,
                               "momentum": f"{demo.momentum:g}", "batch": str(demo.batch_size),
                               "epochs": str(demo.epochs)}).run()
    assert_no_exception(at)
    assert any("The fast demo" in c.value for c in at.caption)


def test_the_demos_note_says_the_epochs_it_runs(page):
    """Defect 6: the note said "in about 3 epochs" while the demo runs 2 (a 1-epoch demo says "in one epoch")."""
    at = page
    at.button(key="train_demo").click().run()
    note = next(c.value for c in at.caption if "The fast demo" in c.value)
    epochs = FAST_DEMO.config.epochs
    says = "in one epoch" if epochs == 1 else f"in {epochs} epochs"
    assert says in note and "about 3" not in note and "in 1 epochs" not in note
    assert says in at.button(key="train_demo").help
