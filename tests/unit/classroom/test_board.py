"""The class board registry: codes and nicknames, runs recorded from job snapshots, threads, disk, export, key."""

from __future__ import annotations

import csv
import io
import json
import threading
import time

import pytest

from cnnviz.classroom import ClassError, ClassRegistry, TeacherKey, clean_code, clean_nickname
from cnnviz.classroom.export import CSV_COLUMNS, csv_text, json_text
from cnnviz.classroom.settings import DEFAULT_BASELINE, describe, differing, settings_of
from cnnviz.training.jobs import JobSnapshot
from cnnviz.training.loop import History, Progress, TrainConfig


def progress(step: int, total: int, test: float | None = None, loss: float = 1.0) -> Progress:
    return Progress(step, total, step / total * 2, loss, 0.5, 1000.0, 1.0, test, None if test is None else 0.4)


class ScriptedJob:
    """A job whose snapshots a test sets, as a backend's would change while it trains."""

    def __init__(self):
        self.snap = JobSnapshot("queued", (), None, "", 1, 0.0)
        self.reads = 0

    def snapshot(self) -> JobSnapshot:
        self.reads += 1
        return self.snap


def wait_until(condition, what: str, limit_s: float = 10) -> None:
    deadline = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.01)


@pytest.fixture
def registry(tmp_path):
    return ClassRegistry(tmp_path, TeacherKey("right-key"), poll_s=0.01)


def test_codes_are_4_to_12_letters_or_digits_in_any_case():
    assert clean_code(" cnn7b ") == "CNN7B"
    assert clean_code("abcd") == "ABCD" and clean_code("A" * 12) == "A" * 12
    for bad in ("abc", "A" * 13, "cnn-7", "<b>x</b>", "", None, "ＡＢＣＤ"):
        with pytest.raises(ClassError, match="4 to 12 letters or digits"):
            clean_code(bad)


def test_nicknames_are_trimmed_cut_and_cleaned_but_keep_markup_as_text():
    assert clean_nickname("  Ada   Lovelace \n") == "Ada Lovelace"
    assert clean_nickname("<b>x</b>\u202e\x00") == "<b>x</b>"  # bidi override and NUL gone; markup is only text
    assert clean_nickname("x" * 1000) == "x" * 40
    assert clean_nickname(None) == "" and clean_nickname("\t") == ""
    assert clean_nickname("王小明") == "王小明"


def test_settings_that_differ_from_the_defaults():
    config = TrainConfig(lr=0.01, optimizer="sgd", momentum=0.9, max_train_samples=2000, epochs=1)
    found = settings_of(config, "mnist")
    assert found["images"] == 2000 and found["dataset"] == "mnist"
    assert differing(found) == {"lr": 0.01, "optimizer": "sgd", "epochs": 1, "images": 2000, "dataset": "mnist"}
    assert differing(settings_of(TrainConfig())) == {}
    assert differing(settings_of(TrainConfig(momentum=0.5))) == {}  # momentum only counts for SGD
    assert differing(found, baseline={"lr": 0.01, "epochs": 1}) == {"optimizer": "sgd", "images": 2000,
                                                                      "dataset": "mnist"}
    assert DEFAULT_BASELINE["images"] == 60_000
    assert describe({"lr": 0.01, "optimizer": "sgd"}) == "lr=0.01, optimizer=sgd"


def test_joining_needs_a_class_a_teacher_opened(registry):
    with pytest.raises(ClassError, match="no class ABCD"):
        registry.join("abcd", "m1", "Ada")
    registry.open("abcd")
    assert registry.join("ABCD", "m1", " <i>Ada</i> ") == ("ABCD", "<i>Ada</i>")
    assert registry.join("abcd", "m2", "") == ("ABCD", "")
    assert registry.board("abcd").members == {"m1": "<i>Ada</i>", "m2": ""}
    with pytest.raises(ClassError):
        registry.add_run("WXYZ", "Bo", "LeNet", settings_of(TrainConfig()))


def test_a_run_is_recorded_as_it_reports_and_keeps_what_a_restart_loses(registry):
    registry.open("CNN7B")
    job = ScriptedJob()
    run_id = registry.add_run("CNN7B", "Ada", "LeNet", settings_of(TrainConfig(epochs=2, lr=0.01)), job=job)
    run = registry.board("CNN7B").run(run_id)
    assert (run.nickname, run.network, run.status, run.differs) == ("Ada", "LeNet", "queued", {"lr": 0.01,
                                                                                           "epochs": 2})
    job.snap = JobSnapshot("running", (progress(5, 10, 0.71, 0.9),), None, "", None, 3.0)
    wait_until(lambda: registry.board("CNN7B").run(run_id).test_accuracy == [0.71], "epoch 1 on the board")
    # A Ray worker restarts: its new snapshot has no points yet; the board keeps epoch 1.
    job.snap = JobSnapshot("running", (progress(1, 10),), None, "", None, 0.5)
    wait_until(lambda: job.reads > 10, "the watcher read the restarted job")
    run = registry.board("CNN7B").run(run_id)
    assert run.test_accuracy == [0.71] and run.train_loss == [0.9] and run.progress == 0.5
    history = History([0.9, 0.6], [0.6, 0.8], [0.5, 0.45], [0.71, 0.83], [900.0, 950.0], [1.0, 2.0])
    job.snap = JobSnapshot("finished", (progress(5, 10, 0.71, 0.9), progress(10, 10, 0.83, 0.6)), history, "",
                           None, 6.0)
    wait_until(lambda: registry.watching() == 0, "the watcher let the ended run go")
    run = registry.board("CNN7B").run(run_id)
    assert (run.status, run.test_accuracy, run.train_loss, run.progress, run.accuracy) == (
        "finished", [0.71, 0.83], [0.9, 0.6], 1.0, 0.83)


def test_threads_add_and_record_runs_at_once_without_losing_or_mixing_any(registry):
    registry.open("CLASS1")
    jobs, ids, errors = {}, {}, []

    def student(n: int) -> None:
        try:
            registry.join("class1", f"m{n}", f"student {n}")
            job = ScriptedJob()
            run_id = registry.add_run("CLASS1", f"student {n}", "LeNet", settings_of(TrainConfig(seed=n)), job=job)
            jobs[n], ids[n] = job, run_id
            for epoch in range(1, 4):
                job.snap = JobSnapshot("running", tuple(progress(e, 3, n / 100 + e / 1000) for e in
                                                        range(1, epoch + 1)), None, "", None, 1.0)
                time.sleep(0.005)
            job.snap = JobSnapshot("finished", job.snap.points, None, "", None, 1.0)
        except Exception as exc:  # surfaced below: a thread's assertion would be lost
            errors.append(exc)

    threads = [threading.Thread(target=student, args=(n,)) for n in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    wait_until(lambda: registry.watching() == 0, "every run ended on the board")
    board = registry.board("CLASS1")
    assert len(board.members) == 30 and len(board.runs) == 30
    for n, run_id in ids.items():
        run = board.run(run_id)
        assert run.nickname == f"student {n}" and run.settings["seed"] == n
        assert run.test_accuracy == [n / 100 + e / 1000 for e in range(1, 4)] and run.status == "finished"


def test_the_board_survives_a_server_restart(tmp_path, registry):
    registry.open("CNN7B")
    registry.join("CNN7B", "m1", "Ada")
    done = ScriptedJob()
    done.snap = JobSnapshot("finished", (progress(10, 10, 0.8),), None, "", None, 2.0)
    kept = registry.add_run("CNN7B", "Ada", "LeNet", settings_of(TrainConfig(lr=0.003)), job=done)
    cut = registry.add_run("CNN7B", "Bo", "AlexNet", settings_of(TrainConfig()), job=ScriptedJob())
    registry.set_flags("CNN7B", kept, pinned=True)
    registry.set_flags("CNN7B", cut, hidden=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["CNN7B.json"]  # no temporary file left behind
    again = ClassRegistry(tmp_path, TeacherKey("right-key"))
    board = again.board("cnn7b")
    assert board.members == {"m1": "Ada"} and [r.id for r in board.runs] == [kept, cut]
    first, second = board.runs
    assert (first.nickname, first.test_accuracy, first.status, first.pinned, first.settings["lr"]) == (
        "Ada", [0.8], "finished", True, 0.003)
    assert (second.nickname, second.status, second.hidden) == ("Bo", "stopped", True)  # its job did not survive


def test_an_unreadable_board_file_is_skipped(tmp_path):
    (tmp_path / "BROKEN.json").write_text("{not json")
    (tmp_path / "GOOD1.json").write_text(json.dumps({"code": "good1", "runs": [], "members": {}}))
    assert ClassRegistry(tmp_path).board("GOOD1").code == "GOOD1"


def test_clearing_needs_the_teacher_key(registry):
    registry.open("CNN7B")
    registry.join("CNN7B", "m1", "Ada")
    registry.add_run("CNN7B", "Ada", "LeNet", settings_of(TrainConfig()))
    for forged in ("wrong", "", None, "right-key2", "RIGHT-KEY"):
        with pytest.raises(ClassError, match="not the teacher key"):
            registry.clear("CNN7B", forged)
        assert len(registry.board("CNN7B").runs) == 1
    assert registry.clear("CNN7B", " right-key ") == 1
    board = registry.board("CNN7B")
    assert board.runs == [] and board.members == {}


def test_a_teacher_key_from_the_environment_or_made_and_announced(monkeypatch):
    monkeypatch.setenv("CNNVIZ_TEACHER_KEY", "s3cret")
    key = TeacherKey()
    assert key.matches("s3cret") and not key.generated and "s3cret" not in key.announcement()
    monkeypatch.delenv("CNNVIZ_TEACHER_KEY")
    made, other = TeacherKey(), TeacherKey()
    assert made.generated and not made.matches(other._key) and made.matches(made._key)
    assert made._key in made.announcement() and len(made._key) >= 12


def test_csv_and_json_hold_every_run(registry):
    registry.open("CNN7B")
    registry.join("CNN7B", "m1", "=HYPERLINK(1)")
    job = ScriptedJob()
    job.snap = JobSnapshot("finished", (progress(5, 10, 0.7, 0.9), progress(10, 10, 0.8125, 0.5)), None, "",
                           None, 2.0)
    first = registry.add_run("CNN7B", "=HYPERLINK(1)", "LeNet", settings_of(TrainConfig(lr=0.01, epochs=2)),
                             job=job)
    second = registry.add_run("CNN7B", "王小明", "ResNet-18", settings_of(TrainConfig(optimizer="sgd")))
    board = registry.board("CNN7B")
    rows = list(csv.DictReader(io.StringIO(csv_text(board))))
    assert list(rows[0]) == list(CSV_COLUMNS) and len(rows) == 2
    assert rows[0]["run"] == first and rows[0]["nickname"] == "'=HYPERLINK(1)"  # no formula in a spreadsheet
    assert (rows[0]["test_accuracy"], rows[0]["epochs_done"], rows[0]["lr"]) == ("0.8125", "2", "0.01")
    assert rows[0]["test_accuracy_per_epoch"] == "0.7000;0.8125" and rows[0]["differs"] == "lr=0.01, epochs=2"
    assert (rows[1]["nickname"], rows[1]["network"], rows[1]["test_accuracy"]) == ("王小明", "ResNet-18", "")
    data = json.loads(json_text(board))
    assert data["code"] == "CNN7B" and data["members"] == ["=HYPERLINK(1)"]
    assert [r["id"] for r in data["runs"]] == [first, second]
    assert data["runs"][0]["test_accuracy"] == [0.7, 0.8125] and data["runs"][1]["settings"]["optimizer"] == "sgd"
