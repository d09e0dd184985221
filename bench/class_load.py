"""The class benchmark: 30 students on one server, 8 of them training at once, on each job backend.

One process plays the server: Streamlit's `st.cache_resource` is process-wide, so the job backend, the job
slots and the workspace store are shared by every AppTest below, as by the sessions of `streamlit run`.
Each student is an AppTest with its own Streamlit session id (AppTest gives every instance the same one,
which would make the students share one session-scoped `Viewer`). Every student visits the home, convolution,
builder and Train pages; 8 start a short run (lenet_relu on the first images of the real Fashion-MNIST,
1 epoch), each with their own seed, learning rate and optimizer, so a mix-up would show; while the runs
train, the Train page of every student reruns in a loop and the wall time of each `at.run()` is recorded.
At the end every run must have finished with its full history, on the page of the student who started it,
with that student's settings, and no two students' histories may be the same.

With the class board (`--board`, the default, runs the scenario twice: without, then with it) every student joins
class BENCH26 by link, nicknamed "student N", and a teacher's Class board page reruns about once a second between
the students' reruns (bench/_class_board.py): each run must be on the board under its student's name with its
settings and accuracies, each report shown within the lag printed, and the Train page's rerun median is compared
with the scenario without a board.

    python bench/class_load.py [--backend thread|ray|both] [--students 30] [--runs 8] [--images 2000]
                               [--board both|off|on]

For Ray the bench starts a local 2-CPU head of its own (and terminates it at the end: never `ray stop`,
which would end every cluster on the machine) and points CNNVIZ_RAY_ADDRESS at it.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import logging
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.runtime.scriptrunner import script_runner  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from bench import _class_board as board  # noqa: E402
from bench._process_memory import Memory  # noqa: E402
from bench._ray_head import ray_head  # noqa: E402

PAGES = ("app.py", "pages/1_Convolution_and_pooling.py", "pages/3_Architecture_builder.py", "pages/4_Train.py")
TRAIN = "pages/4_Train.py"
LEARNING_RATES = (0.0003, 0.001, 0.003, 0.01)  # the Train page's options; seeds differ too
OPTIMIZERS = ("adam", "adamw")
# The bench reads and clears the server's caches outside any script run, and AppTest does too: quiet. (A filter:
# Streamlit resets its loggers' levels when it reads its config.)
logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
    lambda record: "missing ScriptRunContext" not in record.getMessage())
_acting: list[str] = []  # the session id of the student whose AppTest is running now


@contextlib.contextmanager
def own_sessions():
    """Gives each student's script runs its own session id (AppTest's runner hard-codes one for all)."""
    original = script_runner.ScriptRunner.__init__

    def init(self, *args, session_id, **kwargs):
        original(self, *args, session_id=_acting[-1] if _acting else session_id, **kwargs)

    script_runner.ScriptRunner.__init__ = init
    try:
        yield
    finally:
        script_runner.ScriptRunner.__init__ = original


@dataclass(frozen=True)
class Choice:
    """What a training student sets on the Train page."""

    seed: int
    lr: float
    optimizer: str


@dataclass
class Student:
    number: int
    at: AppTest
    choice: Choice | None = None
    run: object = None  # the Run the student's page started (cnnviz.training.store.Run)
    latencies: list[float] = field(default_factory=list)  # seconds per rerun of the Train page while runs train

    def run_page(self) -> float:
        """Runs the student's current page; returns its wall time. An exception on the page fails the bench."""
        return run_as(self.at, f"student-{self.number}")


def run_as(at: AppTest, session: str) -> float:
    """Runs an AppTest's page as Streamlit session `session`; its wall time. An exception on the page fails."""
    _acting.append(session)
    start = time.perf_counter()
    try:
        at.run()
    finally:
        _acting.pop()
    seconds = time.perf_counter() - start
    assert not at.exception, f"{session}: {[e.value for e in at.exception]}"
    return seconds


def choices(runs: int) -> list[Choice]:
    return [Choice(seed=100 + i, lr=LEARNING_RATES[i % len(LEARNING_RATES)], optimizer=OPTIMIZERS[i % 2])
            for i in range(runs)]


def visit(number: int, pages: tuple[str, ...], join: bool = False) -> Student:
    """A student opens each page in turn through the app (as its menu does) and stays on the last; with `join`,
    the first page's link joins the class board's class as "student N"."""
    student = Student(number, AppTest.from_file(str(ROOT / "app.py"), default_timeout=120))
    if join:
        student.at.query_params["classroom"], student.at.query_params["name"] = board.CODE, board.nickname(number)
    for page in pages:
        if page != "app.py":
            student.at.switch_page(page)
        student.run_page()
    return student


def start_run(student: Student, choice: Choice, images: int, epochs: int) -> None:
    at = student.at
    at.selectbox(key="train_arch").set_value("lenet_relu")
    at.select_slider(key="train_size").set_value(images)
    at.number_input(key="train_epochs").set_value(epochs)
    at.number_input(key="train_seed").set_value(choice.seed)
    at.selectbox(key="train_optimizer").set_value(choice.optimizer)
    at.select_slider(key="train_lr").set_value(choice.lr)
    student.run_page()
    at.button(key="train_start").click()
    student.run_page()
    student.choice, student.run = choice, at.session_state["train_job"]
    assert student.run is not None, f"student {student.number}: Start did not start a run"


def shown_run(student: Student):
    at = student.at
    return at.session_state["train_job"] if "train_job" in at.session_state else None


def rerun_while_training(students: list[Student], limit_s: float, memory: Memory,
                         teacher: board.Teacher | None = None) -> None:
    """Every student's Train page reruns, in turn, until every run has ended; each rerun's time is kept.
    Each page must show its own student's run (or none) at every rerun. The teacher's board, if any, reruns
    between them once a second, and after the runs until it shows every run's end (at most 10 s more)."""
    deadline = time.monotonic() + limit_s
    while any(s.run is not None and not s.run.job.snapshot().done for s in students):
        assert time.monotonic() < deadline, f"runs still training after {limit_s:.0f} s"
        memory.sample()
        for student in students:
            student.latencies.append(student.run_page())
            assert shown_run(student) is student.run, f"student {student.number}'s page shows another run"
            if teacher is not None and teacher.due():
                teacher.rerun(lambda at: run_as(at, "teacher"))
    for student in students:  # one more rerun: the ended run joins the page's runs list
        student.run_page()
        if teacher is not None and teacher.due():  # the board keeps its pace meanwhile
            teacher.rerun(lambda at: run_as(at, "teacher"))
    runners, until = [s for s in students if s.run is not None], time.monotonic() + 10
    while teacher is not None and time.monotonic() < until and not all(
            (board.nickname(s.number), "finished") in teacher.shown for s in runners):
        time.sleep(max(0.0, board.TEACHER_EVERY_S - (time.perf_counter() - teacher.last)))
        teacher.rerun(lambda at: run_as(at, "teacher"))


def problems_with_runs(students: list[Student], images: int, epochs: int, batch: int = 256) -> list[str]:
    """What is wrong with the ended runs: lost, unfinished, incomplete, out of order, or someone else's."""
    found: list[str] = []
    runners = [s for s in students if s.run is not None]
    steps = -(-images // batch) * epochs
    for s in runners:
        run, name = s.run, f"student {s.number}"
        snap, config = run.snapshot(), run.config
        history = snap.history
        if snap.status != "finished" or history is None:
            found.append(f"{name}: run ended {snap.status!r} ({snap.message})")
            continue
        if (config.seed, config.lr, config.optimizer) != (s.choice.seed, s.choice.lr, s.choice.optimizer):
            found.append(f"{name}: the run has settings {config.seed, config.lr, config.optimizer}, not {s.choice}")
        if config.max_train_samples != images or config.epochs != epochs:
            found.append(f"{name}: the run trains {config.max_train_samples} images x {config.epochs} epochs")
        if len(history.train_loss) != epochs or len(history.test_accuracy) != epochs:
            found.append(f"{name}: history has {len(history.train_loss)} of {epochs} epochs")
        found += _problems_with_points(name, snap.points, history, steps)
        if list(s.at.session_state["train_runs"]) != [run]:
            found.append(f"{name}: the page's runs list is not [its run]")
    for i, a in enumerate(runners):
        for b in runners[i + 1:]:
            ha, hb = a.run.snapshot().history, b.run.snapshot().history
            if ha is not None and hb is not None and (ha is hb or ha.train_loss == hb.train_loss):
                found.append(f"students {a.number} and {b.number} have the same history")
    return found


def _problems_with_points(name: str, points, history, steps: int) -> list[str]:
    found = []
    if not points or [p.step for p in points] != sorted({p.step for p in points}):
        found.append(f"{name}: progress points missing or out of order")
    elif points[-1].step != steps or points[-1].total_steps != steps:
        found.append(f"{name}: last point at step {points[-1].step} of {points[-1].total_steps}, expected {steps}")
    tested = [p.test_accuracy for p in points if p.test_accuracy is not None]
    if tested != history.test_accuracy:
        found.append(f"{name}: the points' test accuracies {tested} are not the history's {history.test_accuracy}")
    return found


@dataclass
class ClassResult:
    backend: str
    latencies: list[float]  # seconds, every Train rerun of every student while runs trained
    runs_s: float  # from the first Start to the last run's end
    runs: int
    problems: list[str]
    students: list[Student] = field(default_factory=list, repr=False)
    memory: Memory | None = None
    board_lags: list[float] | None = None  # with the class board: seconds from each report to the board showing it
    teacher: board.Teacher | None = None

    def percentile(self, q: float) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[int(q) - 1] if len(
            self.latencies) > 1 else self.latencies[0]

    def summary(self) -> str:
        ok = "all runs finished, full histories, none lost or mixed up" if not self.problems else \
            f"{len(self.problems)} PROBLEMS"
        where = f"{self.backend}, with the class board" if self.teacher is not None else f"{self.backend}, no board"
        extra = f"; {board.summary(self.board_lags, self.teacher)}" if self.teacher is not None else ""
        return (f"{where}: {self.runs} runs in {self.runs_s:.1f} s; Train page rerun latency while they "
                f"trained: median {1000 * statistics.median(self.latencies):.0f} ms, p95 "
                f"{1000 * self.percentile(95):.0f} ms over {len(self.latencies)} reruns; {self.memory}; {ok}{extra}")


def fresh_server_state() -> str:
    """Forgets the backend, slots and workspaces, as a restarted server would; returns the backend's name."""
    from cnnviz.ui.board import join as class_join
    from cnnviz.ui.train import state as train_state

    class_join.registry.clear()  # the class boards are read again from CNNVIZ_CLASS_DIR
    for name in ("job_backend", "job_slots", "workspace_store"):
        if hasattr(train_state, name):
            getattr(train_state, name).clear()
    backend = getattr(train_state, "job_backend", None)
    return backend().info().backend if backend is not None else "thread"


def class_load(students: int = 30, runs: int = 8, images: int = 2_000, epochs: int = 1,
               pages: tuple[str, ...] = PAGES, limit_s: float = 1_800, ray_root: int | None = None,
               with_board: bool = False) -> ClassResult:
    """The whole scenario on the backend CNNVIZ_RAY_ADDRESS selects now (`ray_root`: its head's pid); with
    `with_board`, the students join a class whose board a teacher's page shows while they train."""
    with own_sessions():
        backend = fresh_server_state()
        teacher = board.open_board(run_as) if with_board else None
        cls = [visit(n, pages, join=with_board) for n in range(1, students + 1)]
        memory, start, started = Memory(ray_root), time.perf_counter(), {}
        with board.ReportMonitor(started) as monitor:
            for student, choice in zip(cls, choices(runs)):
                start_run(student, choice, images, epochs)
                started[board.nickname(student.number)] = student.run
            rerun_while_training(cls, limit_s, memory, teacher)
        runs_s = time.perf_counter() - start
        latencies = [t for s in cls for t in s.latencies]
        problems = problems_with_runs(cls, images, epochs)
        lag = None
        if teacher is not None:
            from cnnviz.ui.board.join import registry

            lag, missing = board.lags(monitor, teacher)
            problems += missing + board.board_problems(registry(), cls, teacher)
        result = ClassResult(backend, latencies, runs_s, runs, problems, cls, memory, lag, teacher)
        for student in cls:  # leave no thread training, whatever went wrong
            if student.run is not None:
                student.run.job.stop("the benchmark ended")
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("thread", "ray", "both"), default="both")
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--images", type=int, default=2_000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--board", choices=("both", "off", "on"), default="both",
                        help="without the class board, with it, or both (the ratio of their rerun medians)")
    args = parser.parse_args()
    os.environ.setdefault("CNNVIZ_CLASS_DIR", tempfile.mkdtemp(prefix="cnnviz-bench-classes-"))
    boards = {"both": (False, True), "off": (False,), "on": (True,)}[args.board]
    print(f"{args.students} students (AppTest) visit {len(PAGES)} pages; {args.runs} train lenet_relu on "
          f"{args.images:,} Fashion-MNIST images x {args.epochs} epoch(s); {os.cpu_count()} CPU cores")
    os.environ.pop("CNNVIZ_RAY_ADDRESS", None)
    results = []
    if args.backend in ("thread", "both"):
        for with_board in boards:
            results.append(class_load(args.students, args.runs, args.images, args.epochs, with_board=with_board))
            print(results[-1].summary(), flush=True)
        board.print_ratio(results[-len(boards):])
    if args.backend in ("ray", "both") and importlib.util.find_spec("ray") is None:
        print("Ray is not installed (pip install -e '.[ray]'): no Ray figures")
    elif args.backend in ("ray", "both"):
        with ray_head() as (address, pid):
            os.environ["CNNVIZ_RAY_ADDRESS"] = address
            try:
                for with_board in boards:
                    results.append(class_load(args.students, args.runs, args.images, args.epochs, ray_root=pid,
                                              with_board=with_board))
                    print(results[-1].summary(), flush=True)
            finally:
                os.environ.pop("CNNVIZ_RAY_ADDRESS", None)
            board.print_ratio(results[-len(boards):])
    for result in results:
        for problem in result.problems:
            print(f"  {result.backend}: {problem}")
    sys.exit(1 if any(r.problems for r in results) else 0)


if __name__ == "__main__":
    main()
