"""MNIST on the Train page: missing, the page says where it looked and keeps everything else; present (small IDX
files this test writes in torchvision's format), a tiny run trains on it to digit classes; `data` in the URL."""

from __future__ import annotations

import pytest
import torch

from cnnviz import data
from cnnviz.arch.modules import Normalize
from cnnviz.ui import common
from cnnviz.ui.train import url as train_url
from tests.app.test_page4_train import _stop_all, figure, finish, measured_rate, start_short_run
from tests.conftest import assert_no_exception, make_app
from tests.unit.test_mnist import write_idx

PAGE = "pages/4_Train.py"
TRAIN_IMAGES, TEST_IMAGES = 300, 200


@pytest.fixture
def no_mnist(tmp_path, monkeypatch):
    """MNIST nowhere (an empty CNNVIZ_DATA and user cache); Fashion-MNIST still from the system package."""
    monkeypatch.setenv("CNNVIZ_DATA", str(tmp_path / "empty"))
    monkeypatch.setattr(data, "cache_dir", lambda: tmp_path / "cache")
    common.dataset.clear()
    assert data.find_dataset_dir("mnist") is None
    yield
    common.dataset.clear()


@pytest.fixture
def small_mnist(tmp_path, monkeypatch):
    """A small MNIST in CNNVIZ_DATA/MNIST/raw: digit-like images (a bright stroke whose place is the label)."""
    generator = torch.Generator().manual_seed(0)
    sets = {}
    for train, count in ((True, TRAIN_IMAGES), (False, TEST_IMAGES)):
        labels = torch.randint(0, 10, (count,), generator=generator)
        images = torch.randint(0, 40, (count, 28, 28), generator=generator, dtype=torch.uint8)
        for i, label in enumerate(labels.tolist()):
            images[i, 2 + 2 * label:4 + 2 * label, 4:24] = 255  # a bar at a row set by the class: learnable
        sets[train] = (images, labels)
    write_idx(tmp_path / "MNIST" / "raw", sets, packed=False)
    monkeypatch.setenv("CNNVIZ_DATA", str(tmp_path))
    common.dataset.clear()
    yield sets
    common.dataset.clear()


@pytest.fixture
def page():
    at = make_app(PAGE).run()
    assert_no_exception(at)
    yield at
    _stop_all(at)


def test_mnist_missing_says_where_it_looked_disables_start_and_keeps_the_rest(no_mnist, page, monkeypatch):
    measured_rate(monkeypatch, 1_000.0)
    at = page
    run = start_short_run(at, arch="lenet_relu", epochs=1, size=128)  # a Fashion-MNIST run, then MNIST chosen
    finish(at, run)
    at.number_input(key="train_seed").set_value(7).run()
    at.selectbox(key="train_data").set_value("mnist").run()
    assert_no_exception(at)
    message = at.error[0].value
    assert message == data.missing_message("mnist")  # English: the library's own sentence
    assert str(data.search_dirs("mnist")[0]) in message and "python -m cnnviz.data mnist" in message
    assert at.button(key="train_start").disabled
    assert at.title[0].value == "Train on MNIST"
    # Everything else stays: the settings, the finished Fashion-MNIST run, its results and its model.
    assert at.number_input(key="train_seed").value == 7 and at.selectbox(key="train_arch").value == "lenet_relu"
    assert at.session_state["train_job"] is run and at.session_state["trained_model"][2]["dataset"] == "fashion-mnist"
    assert figure(at, "train_per_class")["data"][0]["y"][0] in data.CLASSES  # still the garments of its run
    at.selectbox(key="train_data").set_value("fashion-mnist").run()
    assert not at.error and not at.button(key="train_start").disabled


def test_mnist_missing_is_said_in_chinese(no_mnist):
    at = make_app(PAGE, query={"lang": "zh", "data": "mnist"}).run()
    assert_no_exception(at)
    message = at.error[0].value
    assert message.startswith("未找到 MNIST。cnnviz 查找过：")
    for directory in data.search_dirs("mnist"):
        assert f"`{directory}`" in message
    assert "`python -m cnnviz.data mnist`" in message and "获取方法：" in message
    assert at.button(key="train_start").disabled


def test_a_tiny_run_on_mnist_learns_digits(small_mnist, page, monkeypatch):
    measured_rate(monkeypatch, 1_000.0)
    at = page
    at.selectbox(key="train_data").set_value("mnist")
    run = start_short_run(at, arch="lenet_relu", epochs=1, size=128)
    finish(at, run)
    assert "finished after" in at.success[0].value
    train_images, test_labels = small_mnist[True][0], small_mnist[False][1]
    assert torch.equal(run.job.train_set[0], train_images)  # the written files, not Fashion-MNIST
    counts = torch.tensor(figure(at, "train_confusion")["data"][0]["text"])  # (10, 10)
    assert counts.sum() == 128 and counts.sum(1).tolist() == torch.bincount(test_labels[:128], minlength=10).tolist()
    assert sorted(figure(at, "train_per_class")["data"][0]["y"]) == [str(d) for d in range(10)]
    assert at.selectbox(key="train_true").options == [str(d) for d in range(10)]
    model, spec, meta = at.session_state["trained_model"]
    assert meta["dataset"] == "mnist" and meta["classes"] == [str(d) for d in range(10)]
    norm = next(m for m in model.modules() if isinstance(m, Normalize))
    info = data.dataset_info("mnist")  # the model normalises with MNIST's statistics, not Fashion-MNIST's
    assert norm.mean.flatten().tolist() == pytest.approx([info.pixel_mean]) and \
        norm.std.flatten().tolist() == pytest.approx([info.pixel_std])
    assert meta["test_accuracy"] == pytest.approx(counts.diag().sum().item() / 128)
    assert at.title[0].value == "Train on MNIST"
    assert not any("The book vs this run" in s.value for s in at.subheader)  # the book's results are Fashion-MNIST's


def test_the_dataset_round_trips_through_the_url():
    at = make_app(PAGE, query=train_url.link(data="mnist")).run()
    assert_no_exception(at)
    assert at.selectbox(key="train_data").value == "mnist"
    at.selectbox(key="train_data").set_value("fashion-mnist").run()
    assert "data" not in at.query_params  # the default is not written
    at.selectbox(key="train_data").set_value("mnist").run()
    link = {k: v for k, v in at.query_params.items() if k != "session"}
    assert link["data"] == "mnist"
    assert make_app(PAGE, query=link).run().selectbox(key="train_data").value == "mnist"
    bad = make_app(PAGE, query={"data": "cifar10"}).run()
    assert bad.selectbox(key="train_data").value == "fashion-mnist"
    assert "data=cifar10" in " ".join(w.value for w in bad.warning)
