"""The session's training job and finished runs, and the process-wide limit on concurrent jobs.

The job lives in `st.session_state`, so leaving the Train page and coming back finds it still running.
A session-scoped cache entry holds the session's jobs too: when the browser tab closes, Streamlit
releases that entry and its `on_release` stops them, so no thread trains for a tab that is gone.
"""

from __future__ import annotations

import gc
import threading
from dataclasses import asdict, dataclass

import streamlit as st
import torch
from torch import nn

from cnnviz import metrics
from cnnviz.arch import Architecture, build
from cnnviz.data import CLASSES
from cnnviz.device import pick_device
from cnnviz.jobs import JobSlots, JobSnapshot, TrainingJob, default_max_jobs
from cnnviz.train import TrainConfig
from cnnviz.ui.common import fashion_mnist

JOB_KEY = "train_job"  # the Run being trained (or last trained) in this session
RUNS_KEY = "train_runs"  # finished runs, oldest first, for the overlay
TRAINED_KEY = "trained_model"  # (model, spec, meta): the current model for the Activations page
MAX_RUNS = 8  # runs kept per session; the oldest is dropped


@dataclass
class Run:
    """One training run of this session: its job while it trains, then its results."""

    number: int
    spec: Architecture
    config: TrainConfig
    job: TrainingJob
    archived: bool = False  # added to the runs list and made the current model
    confusion: torch.Tensor | None = None  # (10, 10), once finished
    final: JobSnapshot | None = None

    @property
    def label(self) -> str:
        c = self.config
        return f"#{self.number} {self.spec.name} · {c.optimizer} lr {c.lr:g}"

    def snapshot(self) -> JobSnapshot:
        return self.final or self.job.snapshot()


class SessionJobs:
    """The jobs started by one browser session; `cancel_all` stops them and waits for their threads."""

    def __init__(self):
        self._jobs: list[TrainingJob] = []
        self._lock = threading.Lock()

    def add(self, job: TrainingJob) -> None:
        with self._lock:
            self._jobs = [j for j in self._jobs if j.status not in ("stopped", "finished", "failed")] + [job]

    def cancel_all(self) -> None:
        with self._lock:
            jobs, self._jobs = self._jobs, []
        for job in jobs:
            job.stop()
        for job in jobs:
            job.join(timeout=5)


@st.cache_resource(show_spinner=False)
def job_slots() -> JobSlots:
    """One limit for the whole server, shared by every session (CNNVIZ_MAX_JOBS)."""
    return JobSlots(default_max_jobs(pick_device().type))


@st.cache_resource(scope="session", on_release=SessionJobs.cancel_all, show_spinner=False)
def session_jobs() -> SessionJobs:
    return SessionJobs()


def current_run() -> Run | None:
    run = st.session_state.get(JOB_KEY)
    return run if isinstance(run, Run) else None


def runs() -> list[Run]:
    return st.session_state.setdefault(RUNS_KEY, [])


def is_running(run: Run | None) -> bool:
    return run is not None and not run.archived and run.job.status in ("new", "queued", "running")


def start_run(spec: Architecture, config: TrainConfig) -> Run:
    """Builds the model (seeded) and starts training it in the background."""
    config.validate()
    # Move the objects alive now (torch, streamlit, plotly: ~400k) out of the collector's reach, so an
    # automatic full collection does not hold the GIL for most of a second while the job trains.
    gc.freeze()
    train_set, test_set = fashion_mnist(True), fashion_mnist(False)
    torch.manual_seed(config.seed)  # the initial weights
    model = build(spec)
    test_images = test_set[0]
    job = TrainingJob(model, train_set, test_set, config, slots=job_slots(),
                      after_fit=lambda m: metrics.predict(m, test_images))
    number = max([r.number for r in runs()] + [getattr(current_run(), "number", 0), 0]) + 1
    run = Run(number, spec, config, job)
    session_jobs().add(job)
    st.session_state[JOB_KEY] = run
    job.start()
    return run


def stop_run() -> None:
    run = current_run()
    if run is not None:
        run.job.stop()


def archive_if_done(run: Run | None) -> bool:
    """Once a run has ended: keep it in the runs list and make its model current. True when it did so now."""
    if run is None or run.archived or run.job.status not in ("stopped", "finished", "failed"):
        return False
    run.final = run.job.snapshot()
    predictions = run.job.result
    if isinstance(predictions, torch.Tensor):
        run.confusion = metrics.confusion_matrix(fashion_mnist(False)[1], predictions)
        st.session_state[TRAINED_KEY] = (run.job.model, run.spec, run_meta(run))
    run.archived = True
    kept = runs()
    kept.append(run)
    del kept[:-MAX_RUNS]
    return True


def run_meta(run: Run) -> dict:
    """Plain metadata for the checkpoint and the Activations page."""
    snap = run.snapshot()
    history = snap.history
    meta = {"dataset": "Fashion-MNIST", "classes": list(CLASSES), "status": snap.status,
            "message": snap.message, "config": asdict(run.config), "seconds": round(snap.seconds, 2)}
    if history is not None:
        meta["history"] = {k: [float(v) for v in getattr(history, k)] for k in
                           ("train_loss", "train_accuracy", "test_loss", "test_accuracy", "samples_per_s", "seconds")}
        if history.test_accuracy:
            meta["test_accuracy"] = float(history.test_accuracy[-1])
    if run.confusion is not None:
        meta["confusion"] = run.confusion.tolist()
        meta["test_accuracy"] = float(run.confusion.diag().sum() / run.confusion.sum())
    return meta


def current_model() -> tuple[nn.Module, Architecture, dict] | None:
    """The last model trained in this session, for the Activations page: (model, spec, meta) or None."""
    return st.session_state.get(TRAINED_KEY)
