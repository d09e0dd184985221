"""The Train page's runs and settings, kept across reloads, and the process-wide limit on concurrent jobs.

Everything the page did lives in a `Workspace` (cnnviz.training.store) held by one server-wide store under an
id the page keeps in its URL (?session=<id>): a reload, which starts a new Streamlit session, reads the id
back and finds its runs, models and settings again. `st.session_state` holds references to the same
objects under the keys other pages read (`train_job`, `train_runs`, `trained_model`).

A session-scoped cache entry (a `Viewer`) marks the session as showing its workspace; Streamlit releases
it when the tab closes or reloads, and then a running job gets a grace period to be found again before
it is stopped, so no thread trains for a tab that is gone.
"""

from __future__ import annotations

import gc
import threading
from dataclasses import asdict

import streamlit as st
import torch
from torch import nn

from cnnviz.training import metrics
from cnnviz.arch import Architecture, build
from cnnviz import data
from cnnviz.training.backends import RayBackend, ThreadBackend, backend_from_env
from cnnviz.device import pick_device
from cnnviz.training.jobs import JobSlots, LiveOptions, default_max_jobs
from cnnviz.training.live import class_examples
from cnnviz.training.loop import TrainConfig
from cnnviz.training.cost import check_memory
from cnnviz.training.store import Run, Workspace, WorkspaceStore, reconnect_grace_s
from cnnviz.ui.board import join as class_join
from cnnviz.ui.common import dataset

__all__ = ["Run", "Workspace"]

JOB_KEY = "train_job"  # the Run being trained (or last trained) in this session
RUNS_KEY = "train_runs"  # ended runs, oldest first, for the overlay
TRAINED_KEY = "trained_model"  # (model, spec, meta): the current model for the Activations page
SETTINGS_KEY = "train_saved_settings"  # the page's settings, as keep_widgets stores them
WORKSPACE_KEY = "train_workspace"  # this session's workspace id
URL_KEY = "session"  # the query parameter that carries the workspace id across a reload
NOTICE_KEY = "train_workspace_notice"  # why the URL's workspace was not opened, said once
VIEWER_KEY = "train_viewer"  # this session's Viewer: tests release it as a closing tab would
RECLAIMED_KEY = "train_reclaimed"  # set on the run that found this tab's workspace again after a reload
MAX_RUNS = 8  # runs kept per workspace; the oldest is dropped


@st.cache_resource(show_spinner=False)
def job_slots() -> JobSlots:
    """One limit for the whole server, shared by every session (CNNVIZ_MAX_JOBS)."""
    return JobSlots(default_max_jobs(pick_device().type))


@st.cache_resource(show_spinner=False)
def job_backend() -> ThreadBackend | RayBackend:
    """Where every session's runs train: the Ray cluster CNNVIZ_RAY_ADDRESS names, else threads in this server."""
    return backend_from_env()


@st.cache_resource(show_spinner=False)
def workspace_store() -> WorkspaceStore:
    """Every session's workspace, for the life of the server process."""
    return WorkspaceStore(grace_s=reconnect_grace_s())


class Viewer:
    """This session showing a workspace; `release` runs when Streamlit ends the session."""

    def __init__(self):
        self._lock = threading.Lock()
        self._store: WorkspaceStore | None = None
        self._workspace: Workspace | None = None

    def watch(self, store: WorkspaceStore, workspace: Workspace) -> None:
        with self._lock:
            if self._workspace is workspace:
                return
            if self._workspace is not None:
                self._store.detach(self._workspace)
            store.attach(workspace)
            self._store, self._workspace = store, workspace

    def release(self) -> None:
        with self._lock:
            if self._workspace is not None:
                self._store.detach(self._workspace)
            self._workspace = None


@st.cache_resource(scope="session", on_release=Viewer.release, show_spinner=False)
def session_viewer() -> Viewer:
    return Viewer()


def workspace() -> Workspace:
    """This session's workspace: its own, else the one the URL names (a reload), else a new one."""
    ss, store = st.session_state, workspace_store()
    found = store.get(ss.get(WORKSPACE_KEY))
    if found is None:
        found = _claim(store)
        ss[WORKSPACE_KEY] = found.id
    ss[VIEWER_KEY] = session_viewer()
    ss[VIEWER_KEY].watch(store, found)
    ss[JOB_KEY], ss[RUNS_KEY], ss[SETTINGS_KEY] = found.current, found.runs, found.settings
    if found.trained is not None:
        ss[TRAINED_KEY] = found.trained
    if st.query_params.get(URL_KEY) != found.id:
        st.query_params[URL_KEY] = found.id
    return found


def _claim(store: WorkspaceStore) -> Workspace:
    """A new session: the URL's workspace when the server still has it and no other tab shows it."""
    wanted = st.query_params.get(URL_KEY)
    found, status = store.claim(wanted)
    if found is not None:
        st.session_state[RECLAIMED_KEY] = True  # a reload: the workspace's settings, not the URL's, are this tab's
        if found.current is not None:
            n = len(found.runs) + (not found.current.archived)
            st.toast(f"Found this page's {n} run{'' if n == 1 else 's'} and settings again.",
                     icon=":material/restore:")
        return found
    if wanted:
        st.session_state[NOTICE_KEY] = status  # the page says it once, in its main area
    return store.create()


def reclaimed_this_run() -> bool:
    """True once, on the first run after a reload found the tab's workspace (its settings are the tab's own)."""
    return bool(st.session_state.pop(RECLAIMED_KEY, False))


def workspace_notice() -> str | None:
    """Once, after opening a URL whose runs this tab cannot have: "unknown" (the server restarted, or
    they are hours old) or "in use" (another tab shows them: a shared link)."""
    return st.session_state.pop(NOTICE_KEY, None)


def current_run() -> Run | None:
    return workspace().current


def runs() -> list[Run]:
    return workspace().runs


def finished_runs() -> list[Run]:
    """The session's finished runs as the Train page last saw them, for other pages: read-only, so it
    neither creates a workspace nor writes the Train page's id into another page's URL."""
    return list(st.session_state.get(RUNS_KEY, []))


def is_running(run: Run | None) -> bool:
    return run is not None and run.active


def start_run(spec: Architecture, config: TrainConfig, from_builder: bool = False,
              dataset_name: str = data.DEFAULT_DATASET) -> Run:
    """Builds the model (seeded) and starts training it on `dataset_name` in the background; refuses a run that
    would not fit the device's memory (TrainingError naming the limit and the largest batch that fits), or
    whose dataset is not installed (DatasetMissing, saying where cnnviz looked)."""
    config.validate()
    check_memory(spec, config)
    # Move the objects alive now (torch, streamlit, plotly: ~400k) out of the collector's reach, so an
    # automatic full collection does not hold the GIL for most of a second while the job trains.
    gc.freeze()
    train_set, test_set = dataset(dataset_name, True), dataset(dataset_name, False)
    info = data.dataset_info(dataset_name)
    torch.manual_seed(config.seed)  # the initial weights
    model = build(spec, stats=(info.pixel_mean, info.pixel_std))  # the Normalize buffers travel in the checkpoint
    test_images = test_set[0][:config.max_test_samples]  # the images fit evaluates, at the network's size
    live = LiveOptions(images=class_examples(*test_set, num_classes=len(info.classes)))  # the live panels' images
    job = job_backend().new_job(  # slots limit the thread backend; a Ray cluster queues runs by its resources
        model, train_set, test_set, config, slots=job_slots(),
        after_fit=lambda m: metrics.predict(m, test_images, config.eval_batch, config.input_size), live=live)
    ws = workspace()
    if from_builder:
        ws.builder_spec = spec  # the builder's own state does not survive a reload; this run's copy does
    run = Run(ws.next_number(), spec, config, job)
    run.dataset = dataset_name  # what its results, class names and checkpoint belong to (see run_dataset)
    ws.current = st.session_state[JOB_KEY] = run
    job.start()
    class_join.register(run, dataset_name)  # on the joined class's board, which follows it from now on
    return run


def stop_run(reason: str = "you pressed Stop") -> None:
    """Stops the current run; a run queued after it (a prepared comparison) is dropped too."""
    workspace().queued.clear()
    run = current_run()
    if run is not None:
        run.job.stop(reason)


def queue_run(spec: Architecture, config: TrainConfig, dataset_name: str = data.DEFAULT_DATASET) -> None:
    """A run to start once the current one has ended (the second network of a prepared comparison)."""
    config.validate()
    check_memory(spec, config)
    workspace().queued.append((spec, config, dataset_name))


def queued_runs() -> list[tuple[Architecture, TrainConfig, str]]:
    return list(workspace().queued)


def start_queued() -> Run | None:
    """Starts the next queued run when no run is training; returns it (None when none started)."""
    ws = workspace()
    if not ws.queued or is_running(ws.current):
        return None
    spec, config, dataset_name = ws.queued.pop(0)
    return start_run(spec, config, dataset_name=dataset_name)


def archive_if_done(run: Run | None) -> bool:
    """Once a run has ended: keep it in the runs list and make its model current. True when it did so now."""
    if run is None or run.archived or run.active:
        return False
    run.final = run.job.snapshot()
    predictions = run.job.result
    ws = workspace()
    if isinstance(predictions, torch.Tensor):
        labels = run.job.test_set[1][:len(predictions)]  # a subset run predicts the first test images
        run.confusion = metrics.confusion_matrix(labels, predictions)
        ws.trained = st.session_state[TRAINED_KEY] = (run.job.model, run.spec, run_meta(run))
    run.archived = True
    ws.runs.append(run)
    del ws.runs[:-MAX_RUNS]
    return True


def run_meta(run: Run) -> dict:
    """Plain metadata for the checkpoint and the Activations page."""
    snap = run.snapshot()
    history = snap.history
    name = run_dataset(run)
    meta = {"dataset": name, "classes": list(data.class_names(name)), "status": snap.status,
            "message": str(snap.message), "config": asdict(run.config), "seconds": round(snap.seconds, 2)}
    if history is not None:
        meta["history"] = {k: [float(v) for v in getattr(history, k)] for k in
                           ("train_loss", "train_accuracy", "test_loss", "test_accuracy", "samples_per_s", "seconds")}
        if history.test_accuracy:
            meta["test_accuracy"] = float(history.test_accuracy[-1])
    if run.confusion is not None:  # the weights kept, which a stopped run may have moved past its last epoch
        meta["confusion"] = run.confusion.tolist()
        meta["test_accuracy"] = kept_accuracy(run)
    return meta


def run_dataset(run: Run) -> str:
    """The dataset NAME a run trained on ("fashion-mnist", "mnist"); runs from before the choice: Fashion-MNIST."""
    return getattr(run, "dataset", data.DEFAULT_DATASET)


def kept_accuracy(run: Run) -> float | None:
    """Test accuracy of the weights the run ended with (those the confusion matrix and checkpoint hold)."""
    if run.confusion is None:
        return None
    return float(run.confusion.diag().sum() / run.confusion.sum())


def current_model() -> tuple[nn.Module, Architecture, dict] | None:
    """The last model trained in this session, for the Activations page: (model, spec, meta) or None."""
    return st.session_state.get(TRAINED_KEY)
