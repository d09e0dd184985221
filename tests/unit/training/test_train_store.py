"""The workspace store behind the Train page's reloads: a page that comes back within the grace period finds
its run training; otherwise the run stops, keeping its weights, and its message says why."""

from __future__ import annotations

import threading
import time

import pytest
import torch

from cnnviz.arch import PRESETS, build
from cnnviz.errors import CnnvizError
from cnnviz.training.jobs import TrainingJob
from cnnviz.training.loop import TrainConfig
from cnnviz.training.store import Run, WorkspaceStore, reconnect_grace_s


def _random_data(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(n)
    return torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8, generator=generator), \
        torch.randint(0, 10, (n,), generator=generator)


def _long_job() -> TrainingJob:
    """A job that trains far longer than any test waits: stopped explicitly, it ends within a batch."""
    config = TrainConfig(epochs=10_000, batch_size=64, device="cpu", report_every=1)
    return TrainingJob(build(PRESETS["lenet_relu"]), _random_data(256), _random_data(64), config).start()


def _running(store: WorkspaceStore):
    workspace = store.create()
    job = _long_job()
    workspace.current = Run(1, PRESETS["lenet_relu"], job.config, job)
    store.attach(workspace)
    return workspace, job


def _wait_for_points(job: TrainingJob) -> None:
    deadline = time.monotonic() + 120  # a hang guard only
    while not job.snapshot().points:
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_a_page_that_never_comes_back_stops_its_job_and_says_why():
    store = WorkspaceStore(grace_s=0.1)
    workspace, job = _running(store)
    _wait_for_points(job)
    store.detach(workspace)  # the tab closed
    assert job.join(60) and job.status == "stopped"
    message = job.snapshot().message
    assert message.startswith("stopped at step ")
    assert message.endswith("because no page showed it for 0.1 s (its tab was closed or reloaded)")
    assert store.get(workspace.id) is workspace  # the runs stay, for a page that comes back later


def test_a_reload_within_the_grace_period_finds_the_job_training():
    store = WorkspaceStore(grace_s=0.5)
    workspace, job = _running(store)
    store.detach(workspace)  # the old session ends...
    store.attach(workspace)  # ...and the reloaded one finds the workspace
    time.sleep(1.0)  # past the grace period: the stale timer must not stop the job
    assert job.status in ("queued", "running")
    job.stop("the test ended")
    assert job.join(60) and job.snapshot().message.endswith("because the test ended")


def test_the_new_session_may_attach_before_the_old_one_detaches():
    store = WorkspaceStore(grace_s=0.1)
    workspace, job = _running(store)
    store.attach(workspace)  # reloaded page first...
    store.detach(workspace)  # ...then the old session's release
    time.sleep(0.5)
    assert job.status in ("queued", "running") and workspace.viewers == 1
    job.stop()
    assert job.join(60) and job.snapshot().message.startswith("stopped at step ")


def test_stale_workspaces_are_dropped_and_their_jobs_stopped():
    now = [0.0]
    store = WorkspaceStore(grace_s=1e6, keep_s=100, max_workspaces=3, clock=lambda: now[0])
    old, job = _running(store)
    store.detach(old)
    viewed = store.create()
    store.attach(viewed)
    now[0] = 101.0  # `old` unseen for longer than keep_s; `viewed` is still on screen
    store.create()
    assert store.get(old.id) is None and store.get(viewed.id) is viewed
    assert job.join(60) and job.snapshot().message.endswith("because its workspace was dropped from the server")
    for _ in range(3):  # over max_workspaces: unseen ones go first, a viewed one never
        store.create()
    assert len(store) == 3 and store.get(viewed.id) is viewed


def _wait_for_status(job, status: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while job.status != status:
        assert time.monotonic() < deadline, f"the job stayed {job.status!r}, never {status!r}"
        time.sleep(0.01)


def test_a_stop_while_queued_says_why():
    from cnnviz.training.jobs import JobSlots

    slots = JobSlots(1)
    first = TrainingJob(build(PRESETS["lenet_relu"]), _random_data(256), _random_data(64),
                        TrainConfig(epochs=10_000, device="cpu"), slots=slots).start()
    _wait_for_status(first, "running")  # holds the only slot, so the second job must queue
    second = TrainingJob(build(PRESETS["lenet_relu"]), _random_data(256), _random_data(64),
                         TrainConfig(epochs=1, device="cpu"), slots=slots).start()
    _wait_for_status(second, "queued")
    second.stop("you pressed Stop")
    first.stop()
    assert second.join(60) and first.join(60)
    assert second.snapshot().message == "stopped while queued because you pressed Stop"


@pytest.mark.parametrize(("value", "seconds"), [("", 60.0), ("0", 0.0), ("2.5", 2.5)])
def test_the_grace_period_comes_from_the_environment(monkeypatch, value, seconds):
    monkeypatch.setenv("CNNVIZ_RECONNECT_GRACE_S", value)
    assert reconnect_grace_s() == seconds


@pytest.mark.parametrize("value", ["-1", "soon", "inf"])
def test_a_bad_grace_period_names_the_variable(monkeypatch, value):
    monkeypatch.setenv("CNNVIZ_RECONNECT_GRACE_S", value)
    with pytest.raises(CnnvizError, match="CNNVIZ_RECONNECT_GRACE_S is"):
        reconnect_grace_s()


def test_a_reload_claims_the_workspace_once_its_old_page_has_gone():
    store = WorkspaceStore()
    workspace = store.create()
    store.attach(workspace)  # the old page, still connected
    assert store.claim("nope") == (None, "unknown")
    assert store.claim(workspace.id, wait_s=0.1) == (None, "in use")  # another tab: a shared link
    threading.Timer(0.2, store.detach, args=(workspace,)).start()  # the old page leaves as the reload arrives
    assert store.claim(workspace.id, wait_s=30) == (workspace, "found")
