"""The class benchmark's checks, small: 3 students on the Train page, 2 of them training on 512 images of the real
Fashion-MNIST (thread backend). Every run ends with the history PyTorch gives for its own student's settings,
and the checker does report a mix-up when one is made."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from bench.class_load import TRAIN, class_load, problems_with_runs
from cnnviz import data
from cnnviz.arch import build
from cnnviz.training.loop import fit

IMAGES, EPOCHS = 512, 1


@pytest.fixture(scope="module")
def small_class():
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("CNNVIZ_RAY_ADDRESS", raising=False)  # the thread backend: runs train in this process
        return class_load(students=3, runs=2, images=IMAGES, epochs=EPOCHS, pages=(TRAIN,), limit_s=300)


def test_every_run_finishes_on_its_own_page(small_class):
    result = small_class
    assert result.backend == "thread" and result.problems == []
    runners = [s for s in result.students if s.run is not None]
    assert [s.number for s in runners] == [1, 2] and result.students[2].run is None
    assert len(result.latencies) >= 3  # every student's page reran at least once while the runs trained
    assert {s.run.config.seed for s in runners} == {100, 101}


def test_each_history_is_what_torch_gives_for_that_students_settings(small_class):
    """The oracle: the same network, seed and settings trained again here, outside the app."""
    for student in [s for s in small_class.students if s.run is not None]:
        run = student.run
        info = data.dataset_info(data.DEFAULT_DATASET)
        torch.manual_seed(run.config.seed)
        model = build(run.spec, stats=(info.pixel_mean, info.pixel_std))
        expected = fit(model, run.job.train_set, run.job.test_set, run.config)
        got = run.snapshot().history
        assert got.train_loss == pytest.approx(expected.train_loss, rel=1e-5)
        assert got.test_accuracy == pytest.approx(expected.test_accuracy, abs=1e-9)


def test_the_checker_reports_a_mix_up(small_class):
    first, second = [s for s in small_class.students if s.run is not None]
    mixed = [dataclasses.replace(first, run=second.run), second]  # the first student's page shows the second's run
    problems = problems_with_runs(mixed, IMAGES, EPOCHS)
    assert any("student 1: the run has settings" in p for p in problems)
    assert any("students 1 and 2 have the same history" in p for p in problems)
    assert any("student 1: the page's runs list" in p for p in problems)
    assert any("of 3 epochs" in p for p in problems_with_runs([second], IMAGES, 3))
