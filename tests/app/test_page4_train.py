"""The Train page in AppTest: a short real run, polled to the end, then its curves and confusion matrix."""

from __future__ import annotations

import pytest
import torch

from tests.conftest import assert_no_exception, make_app, plotly_figures


@pytest.fixture
def page():
    at = make_app("pages/4_Train.py").run()
    assert_no_exception(at)
    yield at
    run = at.session_state["train_job"] if "train_job" in at.session_state else None
    if run is not None:  # never leave a thread training behind
        run.job.stop()
        run.job.join(30)


def start_short_run(at, arch="lenet_relu", epochs=2):
    at.selectbox(key="train_arch").set_value(arch)
    at.select_slider(key="train_size").set_value(1_000)
    at.number_input(key="train_epochs").set_value(epochs)
    at.run()
    at.button(key="train_start").click().run()
    assert_no_exception(at)
    return at.session_state["train_job"]


def test_a_short_run_finishes_with_curves_and_a_confusion_matrix(page):
    at = page
    assert at.button(key="train_stop").disabled and not at.button(key="train_start").disabled
    run = start_short_run(at)
    assert run.config.max_train_samples == 1_000 and run.config.epochs == 2 and run.spec.name == "lenet_relu"
    assert at.button(key="train_start").disabled and at.selectbox(key="train_arch").disabled
    assert run.job.join(240), "the two-epoch run did not end"
    at.run()
    assert_no_exception(at)
    assert "finished after" in at.success[0].value and "after 2 epochs" in at.success[0].value
    assert not at.button(key="train_start").disabled and at.button(key="train_stop").disabled

    curves, confusion, per_class, overlay = plotly_figures(at)
    loss, train_acc, test_acc = curves["data"]
    history = run.snapshot().history
    assert loss["name"] == "train loss" and test_acc["y"] == pytest.approx(history.test_accuracy)
    assert test_acc["x"] == [1.0, 2.0] and curves["layout"]["xaxis"]["range"] == [0, 2]

    counts = torch.tensor(confusion["data"][0]["text"])  # (10, 10)
    labels = at.session_state["train_job"].job.test_set[1]
    assert counts.sum() == 10_000 and counts.sum(1).tolist() == torch.bincount(labels).tolist()
    accuracy = counts.diag().sum().item() / 10_000
    assert accuracy == pytest.approx(run.final.points[-1].test_accuracy)
    assert per_class["data"][0]["type"] == "bar" and overlay["data"][0]["name"].startswith("#1 lenet_relu")

    model, spec, meta = at.session_state["trained_model"]
    assert spec.name == "lenet_relu" and meta["test_accuracy"] == pytest.approx(accuracy)
    assert [b.label for b in at.get("download_button")][:1] == ["Download checkpoint (.pt)"]


def test_choosing_a_cell_lists_those_test_images(page):
    at = page
    run = start_short_run(at, epochs=1)
    assert run.job.join(240)
    at.run()
    at.selectbox(key="train_true").set_value("Coat")
    at.selectbox(key="train_pred").set_value("Coat").run()
    assert_no_exception(at)
    counts = torch.tensor(plotly_figures(at)[1]["data"][0]["text"])
    text = next(m.value for m in at.markdown if "test images of" in m.value)
    assert text.startswith(f"**{counts[4, 4].item()}** test images of **Coat** correctly classified")


def test_stop_ends_the_run_and_keeps_the_model(page):
    at = page
    at.selectbox(key="train_arch").set_value("lenet_relu")
    at.run()
    at.button(key="train_start").click().run()  # all 60,000 images, 10 epochs: long enough to stop
    run = at.session_state["train_job"]
    at.button(key="train_stop").click().run()
    assert run.job.join(60)
    at.run()
    assert_no_exception(at)
    assert at.warning and "You stopped at step" in at.warning[0].value
    assert at.session_state["trained_model"][1].name == "lenet_relu"


def test_a_closing_session_stops_its_jobs():
    """What `on_release` runs when a browser tab closes: every job of the session ends, its thread too."""
    from cnnviz.arch import PRESETS, build
    from cnnviz.data import load_fashion_mnist
    from cnnviz.jobs import TrainingJob
    from cnnviz.train import TrainConfig
    from cnnviz.ui.train_state import SessionJobs

    train, test = load_fashion_mnist(train=True), load_fashion_mnist(train=False)
    job = TrainingJob(build(PRESETS["lenet_relu"]), train, test, TrainConfig(epochs=3, device="cpu")).start()
    session = SessionJobs()
    session.add(job)
    session.cancel_all()
    assert job.join(0) and job.status == "stopped"
