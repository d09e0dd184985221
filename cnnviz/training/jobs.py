"""Training in a background thread, with a process-wide limit on how many jobs run at once.

A page keeps a `TrainingJob`, starts it, and draws `job.snapshot()` on a timer; the thread never touches
the page. `JobSlots` is the shared limit: a job over it waits, queued, and knows its place in the line.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Callable

import torch
from torch import nn

from cnnviz.errors import CnnvizError
from cnnviz.i18n import N_, Text
from cnnviz.training.live import LiveRecorder, LiveSnapshot
from cnnviz.training.loop import Dataset, History, Progress, TrainConfig, fit

STATUSES = ("new", "queued", "running", "stopped", "finished", "failed")
DONE = ("stopped", "finished", "failed")


def default_max_jobs(device_type: str = "cpu") -> int:
    """CNNVIZ_MAX_JOBS if set; else 1 on a CPU (jobs would only share its cores) and 2 on a GPU."""
    value = os.environ.get("CNNVIZ_MAX_JOBS", "")
    if value.strip():
        try:
            limit = int(value)
        except ValueError:
            limit = 0
        if limit < 1:
            raise CnnvizError(f"CNNVIZ_MAX_JOBS is {value!r}; set it to a whole number >= 1")
        return limit
    return 1 if device_type == "cpu" else 2


class JobSlots:
    """A first-come, first-served semaphore that can say where a waiting job stands in the line."""

    def __init__(self, limit: int):
        self.limit = limit
        self._cond = threading.Condition()
        self._waiting: list[object] = []  # tokens, in arrival order
        self._running = 0

    def acquire(self, token: object, cancel: threading.Event) -> bool:
        """Blocks until `token` may run (True) or `cancel` is set while it waits (False)."""
        with self._cond:
            self._waiting.append(token)
            try:
                while not (self._waiting[0] is token and self._running < self.limit):
                    if cancel.is_set():
                        return False
                    self._cond.wait(timeout=0.1)  # also wakes to notice `cancel`
                self._running += 1
                return True
            finally:
                self._waiting.remove(token)
                self._cond.notify_all()

    def release(self) -> None:
        with self._cond:
            self._running -= 1
            self._cond.notify_all()

    def position(self, token: object) -> int | None:
        """1 for the next in line, 2 behind it, ...; None when the token is not waiting."""
        with self._cond:
            return self._waiting.index(token) + 1 if token in self._waiting else None

    @property
    def running(self) -> int:
        with self._cond:
            return self._running


@dataclass(frozen=True)
class JobSnapshot:
    """A consistent copy of a job's state, safe to read while the job runs on."""

    status: str  # one of STATUSES
    points: tuple[Progress, ...]  # every report so far, oldest first
    history: History | None  # set once the job is done (also when stopped)
    message: str  # why it stopped or failed, or ""
    queue_position: int | None  # while queued
    seconds: float  # wall time since it started running
    waiting_for: str = ""  # a Ray run while queued, a Text: "a GPU worker", "free CPUs on the cluster", ...

    @property
    def latest(self) -> Progress | None:
        return self.points[-1] if self.points else None

    @property
    def done(self) -> bool:
        return self.status in DONE


@dataclass(frozen=True)
class LiveOptions:
    """What a job keeps for the live panels (cnnviz.training.live)."""

    images: torch.Tensor | None = None  # uint8 (K, 28, 28) the panels follow, e.g. one per class
    keep: bool = True  # keep a bounded replay of snapshots; False: only the latest


@dataclass
class _State:
    status: str = "new"
    points: list[Progress] = field(default_factory=list)
    history: History | None = None
    message: str = ""
    started: float | None = None
    ended: float | None = None


class TrainingJob:
    """Runs `fit(model, train_set, test_set, config)` in a daemon thread; `after_fit(model)` runs there too."""

    backend = "thread"  # where it trains: in this process (cnnviz.training.jobs_ray.RayTrainingJob: "ray")

    def __init__(self, model: nn.Module, train_set: Dataset, test_set: Dataset, config: TrainConfig,
                 slots: JobSlots | None = None, after_fit: Callable[[nn.Module], object] | None = None,
                 live: LiveOptions | None = None):
        self.model, self.config = model, config
        self.live_options = live
        self.live = LiveRecorder(model, config.input_size, live.keep) if live is not None else None
        self.train_set, self.test_set = train_set, test_set
        self.slots = slots
        self.after_fit = after_fit
        self.result: object = None  # what after_fit returned (e.g. test predictions)
        self._stop = threading.Event()
        self._stop_reason = ""  # why stop() was called, added to the message: "you pressed Stop"
        self._lock = threading.Lock()
        self._state = _State()
        self._thread = threading.Thread(target=self._run, name="cnnviz-training", daemon=True)

    def start(self) -> "TrainingJob":
        self._claim("queued" if self.slots else "running")
        self._thread.start()
        return self

    def _claim(self, status: str) -> None:
        """Moves a new job to `status`; a job is started once."""
        with self._lock:
            if self._state.status != "new":
                raise CnnvizError(N_("this training job was already started; start a new one"))
            self._state.status = status

    def stop(self, reason: str = "") -> None:
        """Asks the job to end; `fit` returns within about a batch, keeping the weights it has.
        `reason` ends the job's message ("stopped at step 120 because you pressed Stop"); the first one wins."""
        with self._lock:
            self._stop_reason = self._stop_reason or reason
        self._stop.set()

    def _stopped_message(self, message: str) -> str:
        """The message with why the job was stopped, as a Text: shown in the reader's language, reason too."""
        with self._lock:
            reason = self._stop_reason
        return Text(N_("{ending} because {reason}"), ending=message, reason=reason) if reason else message

    def join(self, timeout: float | None = None) -> bool:
        """Waits for the thread; True when it has ended."""
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def status(self) -> str:
        with self._lock:
            return self._state.status

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            s = self._state
            started = s.started or time.perf_counter()
            return JobSnapshot(
                status=s.status, points=tuple(s.points),
                history=replace(s.history) if s.history else None, message=s.message,
                queue_position=self.slots.position(self) if self.slots and s.status == "queued" else None,
                seconds=(s.ended or time.perf_counter()) - started,
            )

    def _report(self, progress: Progress) -> None:
        # The copy happens here, in the training thread between two steps, outside the lock: the page
        # reading the job waits only for the append.
        live = self.live.copy(self.model, progress.step, progress.epoch) if self.live is not None else None
        self._record(progress, live)

    def _record(self, progress: Progress, live: LiveSnapshot | None) -> None:
        """One report: its point on the curves and, with live panels, the weights copied at it."""
        with self._lock:
            self._state.points.append(progress)
            if live is not None:
                self.live.add(live)

    def _record_start(self, model: nn.Module) -> None:
        """The live panels' first snapshot: the weights before the first step."""
        self._add_live(self.live.copy_initial(model))

    def _add_live(self, snapshot: LiveSnapshot | None) -> None:
        with self._lock:
            self.live.add(snapshot)

    def live_snapshots(self) -> tuple[LiveSnapshot, ...]:
        """The live panels' snapshots, oldest first, the latest last (empty without `live`)."""
        with self._lock:
            return self.live.snapshots() if self.live is not None else ()

    def _set(self, **changes) -> None:
        with self._lock:
            for name, value in changes.items():
                setattr(self._state, name, value)

    def _run(self) -> None:
        if self.slots and not self.slots.acquire(self, self._stop):
            self._set(status="stopped", message=self._stopped_message(Text(N_("stopped while queued"))))
            return
        if self.slots and self._stop.is_set():  # stopped while queued; the slot came free before this thread ran
            self.slots.release()
            self._set(status="stopped", message=self._stopped_message(Text(N_("stopped while queued"))))
            return
        try:
            self._set(status="running", started=time.perf_counter())
            self._train()
        finally:
            if self.slots:
                self.slots.release()

    def _train(self) -> None:
        try:
            history = fit(self.model, self.train_set, self.test_set, self.config, self._report, self._stop,
                          on_start=self._record_start if self.live is not None else None)
            self.model.to("cpu", memory_format=torch.contiguous_format)
            self._finish(history)
        except Exception as exc:  # a bug or a broken architecture: report it, never kill the server
            self._set(status="failed", message=failure_message(exc), ended=time.perf_counter())

    def _finish(self, history: History) -> None:
        """The model holds its final weights (on the CPU): computes `result` and says how the run ended."""
        if self.after_fit is not None:  # diverged runs too: their last good weights were restored
            self.result = self.after_fit(self.model)
        status = {"finished": "finished", "stopped": "stopped", "diverged": "failed"}[history.status]
        message = self._stopped_message(history.message) if status == "stopped" else history.message
        self._set(status=status, history=history, message=message, ended=time.perf_counter())


def failure_message(exc: Exception) -> Text:
    """Why a run failed, as a Text: a CnnvizError's own sentence, anything else named with its type."""
    if isinstance(exc, CnnvizError):
        return Text(exc.message.template, **exc.message.values)
    return Text(N_("training failed: {error}"), error=f"{type(exc).__name__}: {exc}")
