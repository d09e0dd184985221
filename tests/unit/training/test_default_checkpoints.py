"""The checkpoints shipped in assets/ load safely and reach their recorded accuracy on the real test set."""

from __future__ import annotations

import pytest

from cnnviz.training import checkpoint
from cnnviz.arch import DEFAULT_PRESET, PRESETS
from cnnviz.data import load_fashion_mnist
from cnnviz.training.shipped import SHIPPED
from cnnviz.training.loop import evaluate


@pytest.fixture(scope="module")
def test_set():
    return load_fashion_mnist(train=False)


def test_the_default_preset_and_the_books_lenet_are_shipped():
    assert [s.preset for s in SHIPPED] == [DEFAULT_PRESET, "lenet"]
    assert SHIPPED[0].min_accuracy >= 0.91


@pytest.mark.parametrize("shipped", SHIPPED, ids=lambda s: s.preset)
def test_shipped_checkpoint_reaches_its_recorded_accuracy(shipped, test_set):
    assert shipped.path.stat().st_size < 2 * 2**20  # small enough to keep in git
    model, spec, meta = checkpoint.load(shipped.path)
    assert spec == PRESETS[shipped.preset]
    assert meta["train_config"]["seed"] == 0 and meta["trained_by"] == "scripts/train_default.py"
    images, labels = test_set
    assert len(labels) == 10_000
    _, accuracy = evaluate(model, (images, labels))
    assert accuracy == pytest.approx(meta["test_accuracy"], abs=0.001)  # within 0.1 percentage point
    assert accuracy >= shipped.min_accuracy
