"""The Train page in AppTest: short real runs, polled to the end, then their curves, results and overlay;
a reload (a new session opened on the page's URL) finds the runs and settings again."""

from __future__ import annotations

import json
import time

import pytest
import torch

from cnnviz.training import cost as train_cost
from cnnviz.arch import PRESETS
from cnnviz.data import CLASSES
from cnnviz.training.recipes import RECIPES
from cnnviz.training.loop import TrainConfig
from cnnviz.ui.train.state import URL_KEY, VIEWER_KEY, WORKSPACE_KEY
from tests.conftest import assert_no_exception, make_app


def _stop_all(at) -> None:
    run = at.session_state["train_job"] if "train_job" in at.session_state else None
    if run is not None:  # never leave a thread training behind
        run.job.stop()
        run.job.join(300)


@pytest.fixture
def page():
    at = make_app("pages/4_Train.py").run()
    assert_no_exception(at)
    yield at
    _stop_all(at)


def figure(at, key: str) -> dict:
    """The figure JSON of the chart with widget key `key`."""
    found = [json.loads(el.proto.spec) for el in at.get("plotly_chart") if el.proto.id.endswith(key)]
    assert found, f"no chart {key}"
    return found[0]


def legend_names(fig: dict) -> list[str]:
    return [t["name"] for t in fig["data"] if t.get("showlegend", True)]


def measured_rate(monkeypatch, samples_per_s: float) -> None:
    """Every network 'measures' `samples_per_s` here: estimates become exact numbers."""
    train_cost._cached_samples_per_s.cache_clear()
    monkeypatch.setattr(train_cost, "measure_samples_per_s", lambda *args, **kwargs: samples_per_s)


@pytest.fixture(autouse=True)
def forget_measurements():
    """A faked measurement never outlives its test."""
    yield
    train_cost._cached_samples_per_s.cache_clear()


def start_short_run(at, arch="lenet_relu", epochs=2, size=1_000):
    at.selectbox(key="train_arch").set_value(arch)
    at.select_slider(key="train_size").set_value(size)
    at.number_input(key="train_epochs").set_value(epochs)
    at.run()
    at.button(key="train_start").click().run()
    assert_no_exception(at)
    return at.session_state["train_job"]


def shown(run) -> str:
    """How the page names a run: its number, the network's title, the optimizer, the learning rate and the batch."""
    from cnnviz.arch.titles import PRESET_TITLES
    from cnnviz.ui.train.views import OPTIMIZER_NAMES

    c = run.config
    return (f"#{run.number} {PRESET_TITLES[run.spec.name][0]} · {OPTIMIZER_NAMES[c.optimizer]} lr {c.lr:g} · "
            f"batch {c.batch_size}")


def finish(at, run) -> None:
    assert run.job.join(240), "the run did not end"
    at.run()
    assert_no_exception(at)


def wait_until(condition, what: str, limit_s: float = 300) -> None:
    """Polls a background job's state; the limit only guards against a hang, it asserts no speed."""
    deadline = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.05)


def test_a_short_run_finishes_with_curves_and_a_confusion_matrix(page):
    at = page
    assert at.button(key="train_stop").disabled and not at.button(key="train_start").disabled
    run = start_short_run(at)
    assert run.config.max_train_samples == 1_000 and run.config.epochs == 2 and run.spec.name == "lenet_relu"
    assert at.button(key="train_start").disabled and at.selectbox(key="train_arch").disabled
    finish(at, run)
    assert "finished after" in at.success[0].value and "after 2 epochs" in at.success[0].value
    status_name = shown(run).removesuffix(f" · batch {run.config.batch_size}")  # the status line stays one line
    assert at.success[0].value.startswith(f"{status_name}: finished after"), at.success[0].value
    assert not at.button(key="train_start").disabled and at.button(key="train_stop").disabled

    curves = figure(at, "train_curves")
    loss, train_acc, test_acc = curves["data"]
    history = run.snapshot().history
    assert loss["name"] == "train loss" and test_acc["y"] == pytest.approx(history.test_accuracy)
    assert test_acc["x"] == [1.0, 2.0] and curves["layout"]["xaxis"]["range"] == [0, 2]
    assert any("mean over the epoch so far" in c.value and "drops at each epoch boundary" in c.value
               for c in at.caption)  # why the loss steps down at 1.0: d2l's running mean restarts

    counts = torch.tensor(figure(at, "train_confusion")["data"][0]["text"])  # (10, 10)
    assert run.config.max_test_samples == 1_000  # a subset of the training images tests on as many
    labels = run.job.test_set[1][:1_000]
    assert counts.sum() == 1_000 and counts.sum(1).tolist() == torch.bincount(labels, minlength=10).tolist()
    accuracy = counts.diag().sum().item() / 1_000
    assert accuracy == pytest.approx(run.final.points[-1].test_accuracy)
    assert f"{accuracy:.1%}" in at.success[0].value
    assert figure(at, "train_per_class")["data"][0]["type"] == "bar"
    assert legend_names(figure(at, "train_overlay_chart")) == [shown(run)]
    assert shown(run) == "#1 LeNet, ReLU + max pool · Adam lr 0.001 · batch 256"  # the network's title, not its id

    model, spec, meta = at.session_state["trained_model"]
    assert spec.name == "lenet_relu" and meta["test_accuracy"] == pytest.approx(accuracy)
    assert [b.label for b in at.get("download_button")][:1] == ["Checkpoint (.pt)"]


def test_choosing_a_cell_lists_those_test_images(page):
    at = page
    finish(at, start_short_run(at, epochs=1))
    at.selectbox(key="train_true").set_value("Coat")
    at.selectbox(key="train_pred").set_value("Coat").run()
    assert_no_exception(at)
    counts = torch.tensor(figure(at, "train_confusion")["data"][0]["text"])
    text = next(m.value for m in at.markdown if "test images of" in m.value)
    assert text.startswith(f"**{counts[4, 4].item()}** test images of **Coat** correctly classified")


def test_the_confusion_matrix_is_square_with_large_numbers(page):
    """Projector: square cells whatever the column's width, and counts larger than the axis labels."""
    at = page
    finish(at, start_short_run(at, epochs=1))
    fig = figure(at, "train_confusion")
    assert fig["layout"]["yaxis"]["scaleanchor"] == "x"
    assert fig["data"][0]["textfont"]["size"] >= 18 and fig["layout"]["height"] >= 600


def test_a_stopped_runs_status_and_results_use_the_same_weights(page):
    """Defect 11: a run stopped inside its second epoch reported epoch 1's test accuracy while the confusion
    matrix and per-class chart came from the weights at the stop. Now the status gives the kept weights'
    accuracy (the results' own) and names epoch 1's as such."""
    at = page
    at.selectbox(key="train_arch").set_value("lenet_relu")
    # 30,000 images in batches of 32: 938 steps, seconds an epoch even on a fast CPU, so the Stop pressed after the
    # first report inside epoch 2 lands inside it (10,000 images, about a second an epoch, sometimes missed it)
    at.select_slider(key="train_size").set_value(30_000)
    at.selectbox(key="train_batch").set_value(32)
    at.number_input(key="train_epochs").set_value(3)
    at.run()
    at.button(key="train_start").click().run()
    run = at.session_state["train_job"]
    wait_until(lambda: any(1 < p.epoch < 2 for p in run.job.snapshot().points), "a report inside epoch 2")
    at.button(key="train_stop").click().run()
    finish(at, run)
    history = run.snapshot().history
    assert history.epochs_done == 1

    counts = torch.tensor(figure(at, "train_confusion")["data"][0]["text"])  # (10, 10)
    kept = counts.diag().sum().item() / counts.sum().item()
    status = at.warning[0].value
    assert f"The weights it kept score **{kept:.1%}**" in status, status  # the whole status if it fails
    assert "because you pressed Stop" in status
    assert f"Its last full epoch (1) scored {history.test_accuracy[0]:.1%}" in status
    per_class = figure(at, "train_per_class")["data"][0]
    by_class = dict(zip(per_class["y"], per_class["x"]))
    expected = (counts.diag().double() / counts.sum(1).double()).tolist()
    assert [by_class[c] for c in CLASSES] == pytest.approx(expected)
    assert at.session_state["trained_model"][2]["test_accuracy"] == pytest.approx(kept)
    assert any("weights it kept when it stopped at step" in c.value for c in at.caption)


def test_every_new_run_joins_the_comparison_unless_removed(page):
    """Defect 3: after three runs the overlay showed only the first."""
    at = page
    runs = []
    for _ in range(3):
        run = start_short_run(at, epochs=1)
        finish(at, run)
        runs.append(run)
    labels = [r.label for r in runs]
    assert legend_names(figure(at, "train_overlay_chart")) == [shown(r) for r in runs]
    assert at.multiselect(key="train_overlay").value == labels

    at.multiselect(key="train_overlay").unselect(labels[1]).run()
    assert legend_names(figure(at, "train_overlay_chart")) == [shown(runs[0]), shown(runs[2])]
    run = start_short_run(at, epochs=1)
    finish(at, run)
    assert legend_names(figure(at, "train_overlay_chart")) == [shown(runs[0]), shown(runs[2]), shown(run)]
    at.multiselect(key="train_overlay").select(labels[1]).run()  # put back: it is compared again
    assert legend_names(figure(at, "train_overlay_chart")) == [*map(shown, runs), shown(run)]


def test_no_chart_shows_plotlys_hover_toolbar(page):
    """Defect 12: Plotly's toolbar covered the charts' titles and the confusion matrix's colour bar."""
    at = page
    finish(at, start_short_run(at, epochs=1))
    charts = at.get("plotly_chart")
    assert len(charts) == 6  # curves, live kernels and maps, confusion, per class, overlay
    assert all(json.loads(c.proto.config)["displayModeBar"] is False for c in charts)


def test_a_reload_finds_the_runs_and_settings_again(page):
    """Defect 2: a reload (a new session opened on the page's URL) kept nothing. Now the runs, the
    trained model, the overlay's choice and the settings come back."""
    at = page
    workspace_id = at.session_state[WORKSPACE_KEY]
    assert at.query_params[URL_KEY] == workspace_id
    first = start_short_run(at, epochs=1)
    finish(at, first)
    second = start_short_run(at, epochs=1)
    finish(at, second)
    at.multiselect(key="train_overlay").unselect(first.label).run()
    at.selectbox(key="train_optimizer").set_value("sgd")
    at.select_slider(key="train_lr").set_value(0.1)
    at.number_input(key="train_seed").set_value(7).run()

    reloaded = reload(at)
    assert reloaded.session_state[WORKSPACE_KEY] == workspace_id
    assert reloaded.session_state["train_runs"] == [first, second]
    assert reloaded.session_state["trained_model"][0] is second.job.model
    assert reloaded.selectbox(key="train_optimizer").value == "sgd"
    assert reloaded.select_slider(key="train_lr").value == 0.1
    assert reloaded.number_input(key="train_seed").value == 7
    assert reloaded.number_input(key="train_epochs").value == 1
    assert reloaded.select_slider(key="train_size").value == 1_000
    assert legend_names(figure(reloaded, "train_overlay_chart")) == [shown(second)]
    assert "finished after" in reloaded.success[0].value and reloaded.get("toast")


def test_a_reload_during_a_run_finds_it_still_training(page, monkeypatch):
    at = page
    measured_rate(monkeypatch, 1_000.0)  # all 60,000 images, 10 epochs: over 10 minutes, so Start asks first
    at.selectbox(key="train_arch").set_value("lenet_relu")
    at.run()
    at.button(key="train_start").click().run()
    assert at.session_state["train_job"] is None and "Start it anyway" in at.warning[0].value
    at.button(key="train_confirm_start").click().run()  # still training after the reload
    run = at.session_state["train_job"]
    reloaded = reload(at)
    assert reloaded.session_state["train_job"] is run and run.job.status in ("queued", "running")
    assert reloaded.button(key="train_start").disabled and not reloaded.button(key="train_stop").disabled
    reloaded.button(key="train_stop").click().run()
    finish(reloaded, run)
    assert "because you pressed Stop" in reloaded.warning[0].value


def reload(at):
    """What a browser reload does: the old session ends (Streamlit releases its cache entries), and a new
    one opens the same URL."""
    at.session_state[VIEWER_KEY].release()
    reloaded = make_app("pages/4_Train.py", query=dict(at.query_params)).run()  # the same address: id and settings
    assert_no_exception(reloaded)
    return reloaded


def test_a_shared_link_does_not_take_over_another_tabs_runs(page):
    at = page
    run = start_short_run(at, epochs=1)
    finish(at, run)
    other = make_app("pages/4_Train.py", query={URL_KEY: at.query_params[URL_KEY]}).run()  # `at` still open
    assert_no_exception(other)
    assert "open in another tab" in other.warning[0].value
    assert other.session_state[WORKSPACE_KEY] != at.session_state[WORKSPACE_KEY]
    assert other.session_state["train_runs"] == [] and other.session_state["train_job"] is None


def test_a_link_whose_runs_are_gone_says_so():
    at = make_app("pages/4_Train.py", query={URL_KEY: "no-such-session"}).run()
    assert_no_exception(at)
    assert "no longer on the server" in at.warning[0].value
    assert at.query_params[URL_KEY] == at.session_state[WORKSPACE_KEY] != "no-such-session"
    at.run()
    assert not at.warning  # said once


def widget_values(at) -> dict:
    return {"optimizer": at.selectbox(key="train_optimizer").value, "lr": at.select_slider(key="train_lr").value,
            "batch_size": at.selectbox(key="train_batch").value, "epochs": at.number_input(key="train_epochs").value,
            "lr_schedule": at.selectbox(key="train_schedule").value,
            "momentum": at.selectbox(key="train_momentum").value, "init": at.selectbox(key="train_init").value,
            "normalize_input": at.selectbox(key="train_scaling").value == "standardised"}


def book_values(key: str) -> dict:
    c = RECIPES[key].config
    return {name: getattr(c, name) for name in ("optimizer", "lr", "batch_size", "epochs", "lr_schedule", "momentum",
                                                "init", "normalize_input")}


def test_the_books_recipe_sets_every_widget_in_one_click(page):
    at = page
    at.selectbox(key="train_arch").set_value("lenet").run()
    assert [b.label for b in at.button if b.key.startswith("train_recipe_")] == ["zh 6.6", "d2l 7.6"]
    at.button(key="train_recipe_lenet_zh").click().run()
    assert_no_exception(at)
    assert widget_values(at) == book_values("lenet_zh") == {
        "optimizer": "sgd", "lr": 0.9, "batch_size": 256, "epochs": 10, "lr_schedule": "constant", "momentum": 0.0,
        "init": "xavier", "normalize_input": False}
    assert any(c.value.endswith("The book's recipe: zh 6.6 (d2l 7.6).") for c in at.caption)  # said once

    at.select_slider(key="train_lr").set_value(0.3).run()
    said = [c.value for c in at.caption if "No longer the book's recipe" in c.value]
    assert said and said[0].endswith("No longer the book's recipe (zh 6.6): learning rate 0.3 (the book: 0.9).")

    at.button(key="train_recipe_lenet_en").click().run()
    assert widget_values(at) == book_values("lenet_en") and widget_values(at)["lr"] == 0.1
    at.selectbox(key="train_arch").set_value("alexnet").run()  # another network: no recipe in force
    assert not any("book's recipe" in c.value.lower() for c in at.caption)
    assert [b.label for b in at.button if b.key.startswith("train_recipe_")] == ["zh 7.1", "d2l 8.1"]
    at.button(key="train_recipe_alexnet_en").click().run()
    assert widget_values(at) == book_values("alexnet_en") and widget_values(at)["init"] == "default"


def test_the_books_printed_result_is_marked_on_the_curves_and_tabled_after_the_run(page):
    at = page
    at.selectbox(key="train_arch").set_value("lenet").run()
    at.button(key="train_recipe_lenet_zh").click().run()
    run = start_short_run(at, arch="lenet", epochs=1, size=512)
    finish(at, run)
    curves = figure(at, "train_curves")
    marks = [trace["name"] for trace in curves["data"] if trace["name"].startswith("book")]  # in the legend
    assert marks == ["book loss 0.469", "book train acc 0.823", "book test acc 0.779"]
    assert not curves["layout"].get("annotations")  # no label on the plot, where the curves run
    assert sorted(shape["y0"] for shape in curves["layout"]["shapes"]) == [0.469, 0.779, 0.823]
    assert any("Dashed: what the book prints after 10 epochs" in c.value and "not the book's" in c.value
               for c in at.caption)

    history = run.snapshot().history
    table = at.table[0].value
    assert list(table.iloc[:, 0]) == ["train loss", "train acc", "test acc"]
    assert list(table.iloc[:, 1]) == ["0.469", "0.823", "0.779"]
    mine = [history.train_loss[-1], history.train_accuracy[-1], history.test_accuracy[-1]]
    assert list(table.iloc[:, 2]) == [f"{v:.3f}" for v in mine]

    at.select_slider(key="train_lr").set_value(0.3).run()  # no longer the recipe: nothing to compare with
    other = start_short_run(at, arch="lenet", epochs=1, size=512)
    finish(at, other)
    assert "annotations" not in figure(at, "train_curves")["layout"] and not at.table


def test_the_cost_before_start_is_measured_on_this_machine(page):
    at = page
    at.selectbox(key="train_arch").set_value("lenet_relu").run()
    rate = train_cost.epoch_cost(PRESETS["lenet_relu"], TrainConfig(batch_size=256, device="auto")).samples_per_s
    assert rate > 0  # the page's own measurement, cached: the same number
    epoch_s = 60_000 / rate + 10_000 / (3 * rate)
    text = next(c.value for c in at.caption if "Measured here" in c.value)
    assert f"**Measured here**: {rate:,.0f} images/s on the CPU → an epoch ≈ **{clock(epoch_s)}**, 10 epochs ≈ " \
           f"**{clock(10 * epoch_s)}** (60,000 training and 10,000 test images an epoch)." in text


def clock(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def test_a_long_run_asks_first_and_offers_a_subset(page, monkeypatch):
    at = page
    measured_rate(monkeypatch, 20.0)  # AlexNet at 20 images/s: an epoch 3,000 s, its tests 166.7 s
    at.selectbox(key="train_arch").set_value("alexnet")
    at.selectbox(key="train_batch").set_value(32).run()  # the run it starts stops within a small batch
    at.button(key="train_start").click().run()
    assert_no_exception(at)
    assert at.session_state["train_job"] is None  # nothing started
    question = at.warning[0].value
    assert question.startswith("This run would take about **8:47:47** here (10 × 52:47, measured)")
    # 10 epochs of n training and n test images: 10 * n * (1/20 + 1/60) s <= 180 s for n <= 270
    assert "128 images take under 3 minutes" in question and "not the book's" in question
    at.number_input(key="train_epochs").set_value(9).run()  # the question was about 10 epochs: dropped
    assert not at.warning and not [b for b in at.button if b.key == "train_confirm_start"]
    at.number_input(key="train_epochs").set_value(10).run()
    at.button(key="train_start").click().run()
    assert at.button(key="train_use_subset").label == "Use 128 images"
    at.button(key="train_use_subset").click().run()
    run = at.session_state["train_job"]
    assert run is not None and at.select_slider(key="train_size").value == 128
    c = run.config
    assert (c.max_train_samples, c.max_test_samples, c.input_size, c.epochs) == (128, 128, 224, 10)
    run.job.stop()
    assert run.job.join(300), "the run did not stop"  # no thread left at exit (it predicts its 128 tests first)


def test_a_run_that_would_exhaust_memory_is_refused_with_the_largest_batch(page, monkeypatch):
    available = 2 * 2**30
    monkeypatch.setattr(train_cost, "memory_available", lambda device: available)
    at = page
    at.selectbox(key="train_arch").set_value("alexnet").run()
    need = train_cost.memory_need(PRESETS["alexnet"], TrainConfig(batch_size=256, optimizer="adam"))
    largest = need.largest_batch(available)
    assert 1 <= largest < 256
    message = at.error[0].value
    assert message.startswith("This run would not fit: training alexnet at 224×224 with batch_size 256 needs about")
    assert f"but it has 2.0 GiB free; use batch_size {largest} or less" in message
    assert at.button(key="train_start").disabled and at.session_state["train_job"] is None
    at.selectbox(key="train_batch").set_value(max(b for b in (32, 64, 128) if b <= largest)).run()
    assert not at.error and not at.button(key="train_start").disabled


def test_a_book_network_at_its_own_size_trains_on_a_tiny_subset_to_a_confusion_matrix(page, monkeypatch):
    """GoogLeNet at 96x96 (the cheapest of the book's networks not at 28): batches resized on the device in
    training and in the predictions behind the confusion matrix."""
    measured_rate(monkeypatch, 1_000.0)  # the speed is not what this test is about: no question asked
    at = page
    at.selectbox(key="train_batch").set_value(64)
    run = start_short_run(at, arch="googlenet", epochs=1, size=128)
    assert (run.config.input_size, run.config.max_train_samples, run.config.max_test_samples) == (96, 128, 128)
    finish(at, run)
    assert "finished after" in at.success[0].value
    counts = torch.tensor(figure(at, "train_confusion")["data"][0]["text"])  # (10, 10)
    labels = run.job.test_set[1][:128]
    assert counts.sum(1).tolist() == torch.bincount(labels, minlength=10).tolist()
    assert counts.diag().sum().item() / 128 == pytest.approx(run.snapshot().history.test_accuracy[-1])
    text = next(m.value for m in at.markdown if "test images of" in m.value)
    assert text.startswith(f"**{counts[6, 0].item()}** test images of **Shirt** classified as T-shirt/top")


def test_the_architecture_box_names_networks_by_their_titles(page):
    """Defect 6: the box listed ids (lenet_modern, fast_demo, vgg11_narrow); it shows the builder's titles."""
    from cnnviz.arch import PRESETS
    from cnnviz.ui.arch.labels import preset_label

    options = page.selectbox(key="train_arch").options
    assert "Modern LeNet, 28×28" in options and "Fast demo network, 28×28" in options
    assert options == [preset_label(name) for name in PRESETS]
    assert not set(options) & set(PRESETS)
