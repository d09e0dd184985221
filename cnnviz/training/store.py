"""What a person did on the Train page, kept on the server so that a browser reload finds it again.

A reload opens a new Streamlit session, and with it an empty `st.session_state`. So the page keeps its
runs, their models and its settings in a `Workspace`, held by a process-wide `WorkspaceStore` under an id
that the page writes into its URL (?session=<id>); the reloaded page reads the id back and carries on.

Jobs: a page that shows a workspace is one of its viewers. When the last viewer goes (the tab closed or
is reloading), a grace period starts; a viewer that comes back within it finds the run still training,
otherwise the run is stopped, keeping its weights, and the page says why when it returns. A link whose
workspace another tab still shows opens a new workspace instead: a shared link never hands a student the
teacher's runs (or their Stop button). Runs are numbered per workspace, so a later "?run=<n>" can name one.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import torch

from cnnviz.arch import Architecture
from cnnviz.errors import CnnvizError
from cnnviz.i18n import N_, Text
from cnnviz.training.jobs import DONE, JobSnapshot, TrainingJob
from cnnviz.training.loop import TrainConfig

GRACE_S = 60.0  # seconds a running job waits for its page to come back (a reload takes a few; wifi may take more)
KEEP_S = 6 * 3600.0  # a workspace nobody looks at is dropped after this long (a school day)
MAX_WORKSPACES = 100  # beyond this, the workspaces unseen the longest are dropped first
CLAIM_WAIT_S = 2.0  # how long a reloaded page waits for its old session to let its workspace go


def reconnect_grace_s() -> float:
    """CNNVIZ_RECONNECT_GRACE_S if set (0 stops a closed tab's job at once), else GRACE_S."""
    value = os.environ.get("CNNVIZ_RECONNECT_GRACE_S", "").strip()
    if not value:
        return GRACE_S
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise CnnvizError(f"CNNVIZ_RECONNECT_GRACE_S is {value!r}; set it to a number of seconds >= 0")
    return seconds


@dataclass(eq=False)  # identity: runs hold tensors and jobs, and two runs are never "equal"
class Run:
    """One training run: its job while it trains, then its results."""

    number: int
    spec: Architecture
    config: TrainConfig
    job: TrainingJob
    archived: bool = False  # added to the runs list and made the current model
    confusion: torch.Tensor | None = None  # (10, 10) int64, from the weights the job ended with
    final: JobSnapshot | None = None

    @property
    def label(self) -> str:
        c = self.config
        return f"#{self.number} {self.spec.name} · {c.optimizer} lr {c.lr:g}"

    def snapshot(self) -> JobSnapshot:
        return self.final or self.job.snapshot()

    @property
    def active(self) -> bool:
        return not self.archived and self.job.status not in DONE


@dataclass
class Workspace:
    """The Train page's state for one person: kept across reloads of their tab."""

    id: str
    runs: list[Run] = field(default_factory=list)  # ended runs, oldest first
    current: Run | None = None  # the run training now, or the last one
    trained: tuple | None = None  # (model, spec, meta) of the last ended run, for the Activations page
    settings: dict = field(default_factory=dict)  # widget key -> value, as keep_widgets stores them
    overlay_hidden: set[int] = field(default_factory=set)  # run numbers removed from the comparison
    builder_spec: Architecture | None = None  # the builder's architecture, when a run used it
    queued: list = field(default_factory=list)  # (spec, config, dataset) to start when the current run ends
    viewers: int = 0  # pages showing this workspace now
    last_seen: float = 0.0  # clock time the last viewer left (or now, while viewed)
    _detached: int = 0  # counts departures, so a late grace timer knows it is stale

    def next_number(self) -> int:
        return max([r.number for r in self.runs] + [getattr(self.current, "number", 0)]) + 1

    def stop_jobs(self, reason: str) -> bool:
        """Stops the current run if it is training; True when there was one."""
        run = self.current
        if run is None or not run.active:
            return False
        run.job.stop(reason)
        return True


class WorkspaceStore:
    """Workspaces by id, shared by every session of the server; thread-safe."""

    def __init__(self, grace_s: float = GRACE_S, keep_s: float = KEEP_S, max_workspaces: int = MAX_WORKSPACES,
                 clock: Callable[[], float] = time.monotonic):
        self.grace_s, self.keep_s, self.max_workspaces = grace_s, keep_s, max_workspaces
        self._clock = clock
        self._lock = threading.Condition()  # notified when a viewer leaves (see claim)
        self._workspaces: dict[str, Workspace] = {}

    def __len__(self) -> int:
        with self._lock:
            return len(self._workspaces)

    def get(self, workspace_id: str | None) -> Workspace | None:
        with self._lock:
            return self._workspaces.get(workspace_id or "")

    def create(self) -> Workspace:
        with self._lock:
            self._drop_stale()
            workspace = Workspace(secrets.token_urlsafe(9), last_seen=self._clock())
            self._workspaces[workspace.id] = workspace
            return workspace

    def claim(self, workspace_id: str | None, wait_s: float = CLAIM_WAIT_S) -> tuple[Workspace | None, str]:
        """The workspace a new page's URL names, and "found", "unknown" or "in use". A reload's old page
        leaves as the new one arrives, so a workspace still shown elsewhere gets `wait_s` to be let go;
        one still shown after that is another tab's (a shared link), which must not take it over."""
        deadline = self._clock() + wait_s
        with self._lock:
            workspace = self._workspaces.get(workspace_id or "")
            if workspace is None:
                return None, "unknown"
            while workspace.viewers and self._clock() < deadline:
                self._lock.wait(timeout=0.05)
            return (None, "in use") if workspace.viewers else (workspace, "found")

    def attach(self, workspace: Workspace) -> None:
        """A page shows `workspace`: a pending grace period no longer stops its job."""
        with self._lock:
            workspace.viewers += 1
            workspace.last_seen = self._clock()

    def detach(self, workspace: Workspace) -> None:
        """A page showing `workspace` went away; the last one to go starts the grace period."""
        with self._lock:
            workspace.viewers = max(workspace.viewers - 1, 0)
            workspace.last_seen = self._clock()
            self._lock.notify_all()
            if workspace.viewers:
                return
            workspace._detached += 1
            departure = workspace._detached
        timer = threading.Timer(self.grace_s, self._grace_over, args=(workspace, departure))
        timer.daemon = True
        timer.start()

    def _grace_over(self, workspace: Workspace, departure: int) -> None:
        with self._lock:
            if workspace.viewers or workspace._detached != departure:
                return  # a page came back (and maybe left again: its own timer decides)
        # The job's message carries the reason, so the page that comes back says what happened.
        workspace.stop_jobs(Text(N_("no page showed it for {seconds} s (its tab was closed or reloaded)"),
                                 seconds=f"{self.grace_s:g}"))

    def _drop_stale(self) -> None:
        """Drops workspaces unseen for `keep_s`, then the longest unseen beyond `max_workspaces` (lock held)."""
        now = self._clock()
        unseen = sorted((w for w in self._workspaces.values() if not w.viewers), key=lambda w: w.last_seen)
        excess = len(self._workspaces) + 1 - self.max_workspaces
        for i, workspace in enumerate(unseen):
            if i < excess or now - workspace.last_seen > self.keep_s:
                workspace.stop_jobs(Text(N_("its workspace was dropped from the server")))
                del self._workspaces[workspace.id]
