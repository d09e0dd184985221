"""The class benchmark's board: a teacher's Class board page rerunning while the class trains, the lag from a run's
report to the board showing it, and runs lost or shown under another name.

A monitor thread reads every started run's job snapshot every 10 ms and keeps when each report first appeared
(an epoch's test accuracy; the run's end). The teacher's page reruns about once a second, as its fragment does in
a browser (`LIVE_S`), between the students' reruns; after each, its table says what the board shows. The lag of
a report is the end of the first teacher rerun that shows it minus the moment the monitor first saw it.
"""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.testing.v1 import AppTest

from cnnviz.ui.board.views import LIVE_S

ROOT = Path(__file__).resolve().parents[1]

CODE = "BENCH26"
TEACHER_EVERY_S = LIVE_S  # the board's fragment reruns this often while runs train


def nickname(number: int) -> str:
    return f"student {number}"


class ReportMonitor:
    """When each run's reports first appeared: (run key, event) -> perf_counter seconds. Events: "epoch k"
    (its test accuracy) and "finished"."""

    def __init__(self, runs: dict[str, object], poll_s: float = 0.01):
        self.runs, self.poll_s = runs, poll_s  # nickname -> cnnviz Run
        self.seen: dict[tuple[str, str], float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> ReportMonitor:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.is_set():
            for name, run in list(self.runs.items()):
                snap, now = run.job.snapshot(), time.perf_counter()
                ends = sum(p.test_accuracy is not None for p in snap.points)
                for k in range(1, ends + 1):
                    self.seen.setdefault((name, f"epoch {k}"), now)
                if snap.status == "finished":
                    self.seen.setdefault((name, "finished"), now)
            time.sleep(self.poll_s)


@dataclass
class Teacher:
    """The teacher's board page (an AppTest) and what each of its reruns showed."""

    at: object
    shown: dict[tuple[str, str], float] = field(default_factory=dict)  # (nickname, event) -> when first shown
    latencies: list[float] = field(default_factory=list)  # seconds per rerun of the board
    last: float = 0.0
    table: object = None  # the last table (a DataFrame)

    def due(self) -> bool:
        return time.perf_counter() - self.last >= TEACHER_EVERY_S

    def rerun(self, run_page) -> None:
        """Reruns the board (`run_page` times and checks it) and notes what its table shows."""
        self.latencies.append(run_page(self.at))
        self.last = now = time.perf_counter()
        frames = self.at.dataframe
        if not len(frames):
            return
        self.table = frames[0].value
        for _, row in self.table.iterrows():
            done = int(str(row["epochs"]).split("/")[0].split(".")[0]) if row["status"] != "training" else 0
            for k in range(1, done + 1):
                self.shown.setdefault((row["nickname"], f"epoch {k}"), now)
            if row["status"] == "finished":
                self.shown.setdefault((row["nickname"], "finished"), now)


def lags(monitor: ReportMonitor, teacher: Teacher) -> tuple[list[float], list[str]]:
    """Seconds from each report to the board showing it, and the reports the board never showed."""
    found, missing = [], []
    for key, reported in sorted(monitor.seen.items()):
        if key in teacher.shown:
            found.append(max(teacher.shown[key] - reported, 0.0))
        else:
            missing.append(f"{key[0]}: {key[1]} was reported but never shown on the board")
    return found, missing


def board_problems(registry, students, teacher: Teacher) -> list[str]:
    """Runs missing from the board, under another name, with other settings or another accuracy."""
    found = []
    board = registry.board(CODE)
    runners = [s for s in students if s.run is not None]
    if board is None:
        return ["the class's board is gone"]
    if len(board.runs) != len(runners):
        found.append(f"the board has {len(board.runs)} runs; {len(runners)} were started")
    for s in runners:
        entry = board.run(getattr(s.run, "board_id", ""))
        name, history = nickname(s.number), s.run.snapshot().history
        if entry is None:
            found.append(f"{name}: the run is not on the board")
            continue
        if entry.nickname != name:
            found.append(f"{name}: the board names the run {entry.nickname!r}")
        settings = (entry.settings.get("seed"), entry.settings.get("lr"), entry.settings.get("optimizer"))
        if settings != (s.choice.seed, s.choice.lr, s.choice.optimizer):
            found.append(f"{name}: the board has settings {settings}, not {s.choice}")
        if history is not None and entry.test_accuracy != [float(v) for v in history.test_accuracy]:
            found.append(f"{name}: the board's accuracies {entry.test_accuracy} are not {history.test_accuracy}")
    if teacher.table is not None:
        shown = sorted(teacher.table["nickname"])
        if shown != sorted(nickname(s.number) for s in runners):
            found.append(f"the teacher's table names {shown}")
    return found


def summary(lag: list[float], teacher: Teacher) -> str:
    if not lag:
        return "no report was shown on the board"
    return (f"board lag from report to the teacher's table: median {statistics.median(lag):.2f} s, max "
            f"{max(lag):.2f} s over {len(lag)} reports; teacher's board rerun median "
            f"{1000 * statistics.median(teacher.latencies):.0f} ms over {len(teacher.latencies)} reruns")


def open_board(run_as) -> Teacher:
    """The teacher opens the Class board page on the class's code and opens the class (`run_as(at, session)` runs
    a page as a session of its own)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/8_Class_board.py")
    at.query_params["classroom"] = CODE
    run_as(at, "teacher")
    at.button(key="board_open").click()
    run_as(at, "teacher")
    return Teacher(at)


def print_ratio(pair: list) -> None:
    """The Train page's rerun median with the board over the same without it (the aim: at most 1.5)."""
    if len(pair) == 2 and pair[1].teacher is not None:
        without, with_board = (statistics.median(r.latencies) for r in pair)
        print(f"{pair[1].backend}: Train rerun median with the board / without: {with_board / without:.2f}x "
              f"({1000 * with_board:.0f} / {1000 * without:.0f} ms)", flush=True)
