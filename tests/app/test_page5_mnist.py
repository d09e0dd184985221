"""MNIST on the Activations page: a model trained on MNIST shows digits (its classes, its test images, its
maps, checked against the model's own forward pass); an upload that names no dataset gets a dataset box kept
in the URL (`data`); a missing MNIST says where cnnviz looked, and the model box keeps working. The MNIST
files are small IDX files the test writes, read through the same code path as the real ones."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cnnviz.inspection import capture as act
from cnnviz import data
from cnnviz.training import checkpoint
from cnnviz.arch import PRESETS, build
from cnnviz.ui import common
from cnnviz.ui.train import state as train_state
from cnnviz.ui.activations.models import LATEST
from tests.app.test_page5_activations import array, figure, tile
from tests.app.zh_text import english_left
from tests.conftest import assert_no_exception, make_app
from tests.unit.test_mnist import write_idx

PAGE = "pages/5_Activations.py"
DIGITS = [str(d) for d in range(10)]
PER_CLASS = 4  # the page's default images per class


def digit_set(per_class: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Random 28x28 images, `per_class` of each digit, labels interleaved (0, 1, ..., 9, 0, 1, ...)."""
    generator = torch.Generator().manual_seed(seed)
    images = torch.randint(0, 256, (10 * per_class, 28, 28), generator=generator, dtype=torch.uint8)
    return images, torch.arange(10 * per_class) % 10


@pytest.fixture
def fresh_datasets():
    common.dataset.clear()  # a dataset cached by another test (or a missing one) must not leak in or out
    yield
    common.dataset.clear()


@pytest.fixture
def mnist(tmp_path, monkeypatch, fresh_datasets):
    """MNIST written as IDX files under CNNVIZ_DATA/MNIST/raw; returns the test set."""
    sets = {True: digit_set(2, 1), False: digit_set(6, 2)}
    write_idx(tmp_path / "data" / "MNIST" / "raw", sets, packed=False)
    monkeypatch.setenv("CNNVIZ_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return sets[False]


@pytest.fixture
def no_mnist(tmp_path, monkeypatch, fresh_datasets):
    monkeypatch.setenv("CNNVIZ_DATA", str(tmp_path / "empty"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert data.find_dataset_dir("mnist") is None


@pytest.fixture(scope="module")
def digit_model():
    """A LeNet normalised with MNIST's statistics, as the Train page builds one for MNIST (random weights)."""
    torch.manual_seed(7)
    info = data.dataset_info("mnist")
    spec = PRESETS["lenet"]
    return build(spec, stats=(info.pixel_mean, info.pixel_std)).eval(), spec


def upload(at, payload: bytes, name: str = "digits.pt"):
    at.selectbox(key="act_model").set_value(at.selectbox(key="act_model").options[-1]).run()
    at.file_uploader(key="act_checkpoint").set_value((name, payload, "application/octet-stream")).run()
    assert_no_exception(at)
    return at


def assert_shows_digits(at, model, test_set, classes=(4, 9)) -> None:
    """Digit class names, and maps of the written test digits equal to the model's own forward."""
    assert at.multiselect(key="act_classes").options == DIGITS
    assert at.multiselect(key="act_classes").value == [str(c) for c in classes]
    images, labels = test_set
    batch = torch.cat([images[labels == c][:PER_CLASS] for c in classes])  # the gallery: the first of each
    grid = figure(at, "act_grid")
    assert grid["layout"]["yaxis"]["ticktext"] == [f"{c} {i + 1}" for c in classes for i in range(PER_CLASS)]
    want = act.capture(model, batch, ["act1"])["act1"]  # (8, 6, 28, 28)
    for row, channel in ((0, 0), (5, 3), (7, 5)):
        np.testing.assert_allclose(tile(array(grid["data"][0]["z"]), row, channel, 28), want[row, channel].numpy(),
                                   atol=1e-5)
    bars = {trace["name"]: array(trace["x"]) for trace in figure(at, "act_probs")["data"]}
    probs = act.predict_proba(model, batch)
    for c in classes:
        np.testing.assert_allclose(bars[str(c)], probs[:, c].numpy(), atol=1e-5)


def test_an_uploaded_mnist_checkpoint_shows_the_written_digits(mnist, digit_model):
    model, spec = digit_model
    at = upload(make_app(PAGE).run(), checkpoint.to_bytes(model, spec, {"dataset": "mnist"}))
    assert "act_data" not in [box.key for box in at.selectbox]  # the checkpoint names its dataset: no box
    assert_shows_digits(at, model, mnist)
    at.multiselect(key="act_classes").set_value(["3", "8", "1"]).run()
    assert_no_exception(at)
    assert dict(at.query_params)["classes"] == "3,8,1"
    assert_shows_digits(at, model, mnist, classes=(3, 8, 1))


def test_the_last_model_of_the_session_trained_on_mnist(mnist, digit_model, monkeypatch):
    """A session run arrives with the Train page's metadata; older runs wrote the title, not the name."""
    model, spec = digit_model
    for written in ("mnist", "MNIST"):
        monkeypatch.setattr(train_state, "finished_runs", lambda: [])
        monkeypatch.setattr(train_state, "current_model", lambda w=written: (model, spec, {"dataset": w}))
        at = make_app(PAGE).run()
        at.selectbox(key="act_model").set_value(f"{LATEST}: {spec.name}").run()
        assert_no_exception(at)
        assert_shows_digits(at, model, mnist)


def test_an_upload_naming_no_dataset_gets_a_dataset_box_kept_in_the_url(mnist, digit_model):
    model, spec = digit_model
    at = upload(make_app(PAGE).run(), checkpoint.to_bytes(model, spec, {}))
    assert at.selectbox(key="act_data").value == "fashion-mnist"  # the default: the garments
    assert at.multiselect(key="act_classes").value == ["Pullover", "Coat"]
    at.selectbox(key="act_data").set_value("mnist").run()
    assert_no_exception(at)
    assert_shows_digits(at, model, mnist)
    assert dict(at.query_params)["data"] == "mnist"
    # A fresh session from that link opens on MNIST's digits (the upload itself cannot travel in a link).
    linked = make_app(PAGE, query=dict(at.query_params)).run()
    assert_no_exception(linked)
    assert linked.session_state["act_data"] == "mnist"
    upload(linked, checkpoint.to_bytes(model, spec, {}))
    assert linked.selectbox(key="act_data").value == "mnist"
    assert_shows_digits(linked, model, mnist)
    assert make_app(PAGE, query={"data": "cifar"}).run().warning  # a hand-edited value is reported


def test_a_missing_mnist_says_where_cnnviz_looked_and_the_model_box_still_works(no_mnist, digit_model):
    model, spec = digit_model
    at = upload(make_app(PAGE).run(), checkpoint.to_bytes(model, spec, {"dataset": "mnist"}))
    assert [e.value for e in at.error] == [data.missing_message("mnist")]
    assert at.multiselect(key="act_classes").options == DIGITS  # the classes are known without the files
    assert not at.get("plotly_chart")
    at.selectbox(key="act_model").set_value(at.selectbox(key="act_model").options[0]).run()  # back to garments
    assert_no_exception(at)
    assert not at.error and figure(at, "act_grid")


def test_a_missing_mnist_in_chinese(no_mnist, digit_model):
    model, spec = digit_model
    at = upload(make_app(PAGE, query={"lang": "zh"}).run(), checkpoint.to_bytes(model, spec, {"dataset": "mnist"}))
    (error,) = [e.value for e in at.error]
    assert error.startswith("未找到 MNIST")
    assert all(f"`{d}`" in error for d in data.search_dirs("mnist"))
    assert english_left(at) == {}
