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


@pytest.fixture(scope="module")
def class_with_board(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("CNNVIZ_RAY_ADDRESS", raising=False)
        mp.setenv("CNNVIZ_CLASS_DIR", str(tmp_path_factory.mktemp("classes")))
        return class_load(students=3, runs=2, images=IMAGES, epochs=EPOCHS, pages=(TRAIN,), limit_s=300,
                          with_board=True)


def test_with_the_board_every_run_is_shown_under_its_students_name(class_with_board):
    result = class_with_board
    assert result.problems == []
    assert sorted(result.teacher.table["nickname"]) == ["student 1", "student 2"]
    assert len(result.board_lags) == 4  # each run's epoch 1 and its end, each shown once on the teacher's table
    for student in [s for s in result.students if s.run is not None]:
        row = result.teacher.table[result.teacher.table["nickname"] == f"student {student.number}"].iloc[0]
        assert row["test accuracy"] == pytest.approx(round(100 * student.run.snapshot().history.test_accuracy[-1], 1))


def test_the_board_checker_reports_a_misnamed_or_lost_run(class_with_board):
    from bench._class_board import CODE, board_problems
    from cnnviz.ui.board.join import registry

    result = class_with_board
    first = next(s for s in result.students if s.run is not None)
    entry = registry().board(CODE).run(first.run.board_id)
    registry()._boards[CODE].run(entry.id).nickname = "student 9"  # as a mix-up on the server would
    try:
        problems = board_problems(registry(), result.students, result.teacher)
    finally:
        registry()._boards[CODE].run(entry.id).nickname = entry.nickname
    assert problems == ["student 1: the board names the run 'student 9'"]
    lost = dataclasses.replace(first.run)
    lost.board_id = "gone"
    problems = board_problems(registry(), [dataclasses.replace(first, run=lost)], result.teacher)
    assert "student 1: the run is not on the board" in problems
