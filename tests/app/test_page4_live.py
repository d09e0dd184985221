"""The Train page's live learning section in AppTest: a short real run's kernels and maps are the snapshot's
own numbers, the replay slider changes them, a network without convolutions says so, and zh has no English."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cnnviz.arch import Architecture, Flatten, Linear
from cnnviz.figures.live import ENLARGED_COLUMNS, MAPS_SHOWN, tile
from cnnviz.ui.arch import state as arch_state
from tests.app.test_page5_activations import array
from tests.app.test_page4_train import _stop_all, finish, measured_rate, start_short_run
from tests.app.zh_text import english_left, visible_texts
from tests.conftest import assert_no_exception, make_app

PAGE = "pages/4_Train.py"


@pytest.fixture
def page(monkeypatch):
    measured_rate(monkeypatch, 1_000.0)  # no question before a short run
    at = make_app(PAGE).run()
    yield at
    _stop_all(at)


def _z(at, key: str, trace: int = 0) -> np.ndarray:
    found = [json.loads(el.proto.spec) for el in at.get("plotly_chart") if el.proto.id.endswith(key)]
    assert found, f"no chart {key}"
    return array(found[0]["data"][trace]["z"]).astype(float)


def _expected(run, snapshot, first: int = 2, second: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """The kernels' tiles and the second stage's tiles, computed here from the snapshot."""
    recorder = run.job.live
    kernels = recorder.kernels(snapshot)[:, 0]
    images = run.job.live_options.images[[first, second]]
    maps = recorder.feature_maps(snapshot, images)[recorder.plan.stages[1]][:, :MAPS_SHOWN]
    return tile(kernels, len(kernels)), tile(maps.reshape(-1, *maps.shape[2:]), maps.shape[1])


def test_a_short_run_shows_its_kernels_and_maps_and_replays_them(page):
    at = page
    run = start_short_run(at, arch="lenet_relu", epochs=2, size=512)
    finish(at, run)
    assert at.subheader and any("Watch it learn" in s.value for s in at.subheader)
    snapshots = run.job.live_snapshots()
    assert len(snapshots) >= 4 and snapshots[-1].step == run.final.points[-1].step
    kernels, maps = _expected(run, snapshots[-1])
    np.testing.assert_allclose(_z(at, "train_live_kernels"), kernels, rtol=1e-6, equal_nan=True)
    np.testing.assert_allclose(_z(at, "train_live_maps", 3), maps, rtol=1e-5, atol=1e-6, equal_nan=True)
    assert at.selectbox(key="train_live_first").value == 2 and at.selectbox(key="train_live_second").value == 4

    at.select_slider(key="train_live_replay").set_value(0).run()
    assert_no_exception(at)
    kernels0, maps0 = _expected(run, snapshots[0])
    np.testing.assert_allclose(_z(at, "train_live_kernels"), kernels0, rtol=1e-6, equal_nan=True)
    np.testing.assert_allclose(_z(at, "train_live_maps", 3), maps0, rtol=1e-5, atol=1e-6, equal_nan=True)
    assert not np.allclose(kernels0, kernels, equal_nan=True)
    assert f"step {snapshots[0].step} (epoch" in " ".join(c.value for c in at.caption)

    at.selectbox(key="train_live_second").set_value(8).run()  # a bag instead of the coat
    _, maps_bag = _expected(run, snapshots[0], 2, 8)
    np.testing.assert_allclose(_z(at, "train_live_maps", 3), maps_bag, rtol=1e-5, atol=1e-6, equal_nan=True)

    small = _height(at, "train_live_kernels")
    at.toggle(key="train_live_enlarge").set_value(True).run()  # for the back of the room: four a row, larger
    weights = run.job.live.kernels(snapshots[0])[:, 0]
    np.testing.assert_allclose(_z(at, "train_live_kernels"), tile(weights, ENLARGED_COLUMNS), rtol=1e-6,
                               equal_nan=True)
    assert _height(at, "train_live_kernels") > 2 * small


def _height(at, key: str) -> int:
    return next(json.loads(el.proto.spec) for el in at.get("plotly_chart")
                if el.proto.id.endswith(key))["layout"]["height"]


def test_a_network_without_convolutions_says_so(page):
    at = page
    mlp = Architecture(name="mlp", layers=(Flatten(), Linear(out_features=32), Linear(out_features=10)))
    at.session_state[arch_state.CURRENT_KEY] = mlp  # as the builder's "use for training" leaves it
    at.run()
    at.selectbox(key="train_arch").set_value("The one from the Architecture builder")
    at.select_slider(key="train_size").set_value(128)
    at.number_input(key="train_epochs").set_value(1).run()
    at.button(key="train_start").click().run()
    finish(at, at.session_state["train_job"])
    assert any("no convolution before its fully connected layers" in i.value for i in at.info)
    assert not [el for el in at.get("plotly_chart") if el.proto.id.endswith("train_live_kernels")]


def test_the_section_in_chinese(monkeypatch):
    measured_rate(monkeypatch, 1_000.0)
    at = make_app(PAGE, query={"lang": "zh"}).run()
    try:
        at.selectbox(key="train_arch").set_value("lenet_relu").run()
        at_rest = english_left(at)  # other parts' words (their own tests own them): the run must add none
        run = start_short_run(at, arch="lenet_relu", epochs=1, size=512)
        finish(at, run)
        assert_no_exception(at)
        section = [t for t in visible_texts(at) if "卷积核" in t or "特征映射" in t or "回放" in t]
        assert len(section) >= 4  # the check saw the section: heading, caption, both figures
        assert {t: w for t, w in english_left(at).items() if t not in at_rest} == {}
        texts = " ".join(visible_texts(at))
        assert "套衫" in texts and "外套" in texts  # the classes, in the zh edition's words
        at.select_slider(key="train_live_replay").set_value(0).run()
        assert_no_exception(at)
        assert {t: w for t, w in english_left(at).items() if t not in at_rest} == {}
    finally:
        _stop_all(at)
