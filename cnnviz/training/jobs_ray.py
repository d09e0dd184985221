"""Training runs on a Ray cluster, behind the same interface as the in-process `TrainingJob`.

A run is a Ray actor (`RunActor`) whose `run` method is a streaming generator: it trains with `fit` in a
thread of its own and yields each report as it comes (a Progress and, for the live panels, a LiveSnapshot of
the first layers, made on the worker), then the final CPU weights and History. A second actor method sets the
stop flag `fit` checks every batch, so Stop brings the weights back in milliseconds; the actor is killed only
when nothing comes back. On the server, `RayTrainingJob` keeps the model the page built and a daemon thread
that reads the stream, loads the final weights into that model and runs `after_fit` here, so a finished Ray
run looks to a page exactly like a thread run. Ray is an optional extra: it is imported only in this module's
functions, which only a `RayBackend` (cnnviz.training.backends) calls.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from dataclasses import replace
from typing import Callable

import torch
from torch import nn

from cnnviz.i18n import N_, Text
from cnnviz.training.jobs import JobSnapshot, LiveOptions, TrainingJob, failure_message
from cnnviz.training.live import LiveRecorder
from cnnviz.training.loop import Dataset, TrainConfig, fit

POLL_S = 0.1  # how often the reader looks at the stop flag while it waits for the stream
STOP_WAIT_S = 10.0  # after Stop, how long the final weights may take before the actor is killed
RESOURCES_EVERY_S = 1.0  # how often a queued run asks the cluster what it is waiting for

WAITING_GPU = N_("a GPU worker")
WAITING_CPUS = N_("free CPUs on the cluster")
WAITING_START = N_("a worker to start")


class RunActor:
    """The worker's side of a run (Ray makes it an actor with two concurrent calls: `run` and `stop`)."""

    def __init__(self, threads: int):
        torch.set_num_threads(threads)  # Ray's OMP_NUM_THREADS comes too late for an already-imported torch
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def pid(self) -> int:
        return os.getpid()

    def run(self, model: nn.Module, train_set: Dataset, test_set: Dataset, config: TrainConfig,
            live: LiveOptions | None):
        """Yields ("started", pid, None), ("live", the step-0 LiveSnapshot, None) with `live`, then ("progress",
        Progress, LiveSnapshot | None) per report, and last ("done", CPU state_dict, History) or ("failed", Text,
        None)."""
        self._stop.clear()  # a worker kept from an earlier run: that run's Stop is not this one's
        records: queue.Queue = queue.Queue()
        recorder = LiveRecorder(model, config.input_size, live.keep) if live is not None else None

        def report(progress) -> None:
            snapshot = recorder.copy(model, progress.step, progress.epoch) if recorder is not None else None
            records.put(("progress", progress, snapshot))

        def start(model) -> None:  # the weights at step 0, for the live panels' replay
            records.put(("live", recorder.copy_initial(model), None))

        def train() -> None:
            try:
                history = fit(model, train_set, test_set, config, report, self._stop,
                              on_start=start if recorder is not None else None)
                model.to("cpu", memory_format=torch.contiguous_format)
                records.put(("done", model.state_dict(), history))
            except Exception as exc:  # the server shows it; the worker lives on until it is killed
                records.put(("failed", failure_message(exc), None))

        yield "started", os.getpid(), None
        threading.Thread(target=train, name="cnnviz-ray-fit", daemon=True).start()
        while True:
            record = records.get()
            yield record
            if record[0] in ("done", "failed"):
                return


class RayTrainingJob(TrainingJob):
    """A `TrainingJob` whose training happens in a Ray actor; `start`, `stop`, `snapshot`, `result`, `live`
    behave as the thread job's. `queue` is the backend's list of its runs waiting for the cluster."""

    backend = "ray"

    def __init__(self, model: nn.Module, train_set: Dataset, test_set: Dataset, config: TrainConfig, *,
                 resources: dict, threads: int, data_refs: Callable[[], tuple], waiting: list,
                 after_fit: Callable[[nn.Module], object] | None = None, live: LiveOptions | None = None,
                 pool: "ActorPool | None" = None):
        super().__init__(model, train_set, test_set, config, slots=None, after_fit=after_fit, live=live)
        self.resources, self.threads = resources, threads  # {"num_cpus": 1} or {"num_gpus": 1}
        self._pool = pool  # workers kept warm between runs (None: a new worker every run)
        self._reusable = False  # the worker answered to the end: it may serve the next run
        self._data_refs = data_refs  # the datasets' object-store refs (put once per server)
        self._waiting = waiting  # shared by the backend's jobs, in start order; guarded by its own lock
        self._waiting_for: str = Text(WAITING_START)
        self._actor = None

    def start(self) -> "RayTrainingJob":
        self._claim("queued")  # until its worker says it has started
        with _WAITING_LOCK:
            self._waiting.append(self)
        self._thread.start()
        return self

    def snapshot(self) -> JobSnapshot:
        snap = super().snapshot()
        if snap.status != "queued":
            return snap
        with self._lock:
            waiting_for = self._waiting_for
        return replace(snap, queue_position=self.queue_position(), waiting_for=waiting_for)

    def queue_position(self) -> int | None:
        """1 for the first of this server's Ray runs still waiting for the cluster, 2 behind it, ..."""
        with _WAITING_LOCK:
            return self._waiting.index(self) + 1 if self in self._waiting else None

    def _run(self) -> None:
        import ray

        try:
            self._actor = (self._pool and self._pool.take(self._shape())) or \
                ray.remote(RunActor).options(max_concurrency=2, **self.resources).remote(self.threads)
            train_ref, test_ref = self._data_refs()
            stream = self._actor.run.options(num_returns="streaming").remote(
                self.model, train_ref, test_ref, self._worker_config(), self.live_options)
            self._read(stream)
        except Exception as exc:  # the worker died, or the cluster went away: say so, never hang
            self._set(status="failed", message=_ray_failure(exc), ended=time.perf_counter())
        finally:
            self._leave_queue()
            if self._reusable and self._pool is not None and self._actor is not None:
                self._pool.give_back(self._shape(), self._actor)
            else:
                self._kill_actor()

    def _shape(self) -> tuple:
        """What a worker was made for: only a run asking the same may reuse it."""
        return tuple(sorted(self.resources.items())), self.threads

    def _kill_actor(self) -> None:
        """No idle worker holds its CPUs or GPU after the run (a pending actor is cancelled)."""
        if self._actor is not None:
            _kill(self._actor)

    def _worker_config(self) -> TrainConfig:
        if "num_gpus" in self.resources:
            return replace(self.config, device="cuda")
        # "auto" on a CPU run: the worker may see a GPU it did not ask for, and another run may hold it
        device = "cpu" if self.config.device == "auto" else self.config.device
        return replace(self.config, device=device, cpu_threads=self.threads)

    def _read(self, stream) -> None:
        """Consumes the stream until the run ends, is stopped, or its actor dies."""
        import ray

        started, give_up_at, asked_at = False, None, 0.0
        while True:
            if self._stop.is_set() and give_up_at is None:
                if not started:  # still waiting for resources: the pending actor is cancelled on the way out
                    self._set(status="stopped", message=self._stopped_message(Text(N_("stopped while queued"))))
                    return
                self._actor.stop.remote()
                give_up_at = time.monotonic() + STOP_WAIT_S
            ready, _ = ray.wait([stream], timeout=POLL_S)
            if not ready:
                if give_up_at is not None and time.monotonic() > give_up_at:
                    self._give_up()
                    return
                if not started and time.monotonic() - asked_at > RESOURCES_EVERY_S:
                    asked_at = time.monotonic()
                    self._set_waiting_for(_waiting_for(self.resources))
                continue
            kind, first, second = ray.get(next(stream), timeout=60)  # ready: wait() said so
            if kind == "started":
                started = True
                self._leave_queue()
                self._set(status="running", started=time.perf_counter())
            elif kind == "progress":
                self._record(first, second)
            elif kind == "live":
                self._add_live(first)
            else:
                self._end(kind, first, second)
                return

    def _give_up(self) -> None:
        """Stopped, but the worker never answered (hung, or swapped out): the actor is killed on the way out."""
        self._set(status="stopped", ended=time.perf_counter(), message=self._stopped_message(Text(
            N_("stopped at step {step}; its Ray worker did not send the weights back within {seconds} s, so the "
               "model keeps its initial weights"), step=self._last_step(), seconds=f"{STOP_WAIT_S:g}")))

    def _end(self, kind: str, payload, history) -> None:
        self._reusable = True  # the worker sent its last record: healthy, idle again
        if kind == "failed":
            self._set(status="failed", message=payload, ended=time.perf_counter())
            return
        self.model.load_state_dict(payload)
        try:
            self._finish(history)
        except Exception as exc:  # after_fit failed here, as it would in a thread job
            self._set(status="failed", message=failure_message(exc), ended=time.perf_counter())

    def _last_step(self) -> int:
        with self._lock:
            return self._state.points[-1].step if self._state.points else 0

    def _set_waiting_for(self, text: str) -> None:
        with self._lock:
            self._waiting_for = text

    def _leave_queue(self) -> None:
        with _WAITING_LOCK:
            if self in self._waiting:
                self._waiting.remove(self)


class ActorPool:
    """Workers kept warm between runs, at most `keep` per shape (resources, threads), each for `idle_s`:
    a fresh worker spends seconds importing PyTorch, and an idle one holds its CPUs or GPU and ~0.8 GB."""

    def __init__(self, keep: int = 1, idle_s: float = 60.0):
        self.keep, self.idle_s = keep, idle_s
        self._idle: dict[tuple, list] = {}
        self._lock = threading.Lock()

    def take(self, shape: tuple):
        with self._lock:
            idle = self._idle.get(shape, [])
            return idle.pop() if idle else None

    def give_back(self, shape: tuple, actor) -> None:
        with self._lock:
            idle = self._idle.setdefault(shape, [])
            kept = len(idle) < self.keep
            if kept:
                idle.append(actor)
        if not kept:
            _kill(actor)
            return
        timer = threading.Timer(self.idle_s, self._expire, args=(shape, actor))
        timer.daemon = True
        timer.start()

    def _expire(self, shape: tuple, actor) -> None:
        with self._lock:
            idle = self._idle.get(shape, [])
            if actor not in idle:
                return  # a run took it since
            idle.remove(actor)
        _kill(actor)


def _kill(actor) -> None:
    import ray

    if not ray.is_initialized():  # this process left the cluster, its actors with it: ray.kill now would start
        return  # a local Ray inside this process, which takes the process down when this thread ends
    try:
        ray.kill(actor)
    except Exception:  # the cluster is gone, and the actor with it
        pass


_WAITING_LOCK = threading.Lock()  # guards every backend's list of waiting runs (they are short)


def _waiting_for(resources: dict) -> Text:
    """What a queued run waits for, from what the cluster has free now."""
    import ray

    if not ray.is_initialized():  # disconnected: a Ray call now would start a local Ray in this process
        return Text(WAITING_START)
    try:
        free = ray.available_resources()
    except Exception:  # the cluster did not answer now: say the general thing
        return Text(WAITING_START)
    if resources.get("num_gpus", 0) > free.get("GPU", 0):
        return Text(WAITING_GPU)
    if resources.get("num_cpus", 0) > free.get("CPU", 0):
        return Text(WAITING_CPUS)
    return Text(WAITING_START)


def _ray_failure(exc: Exception) -> Text:
    """A worker that died or a cluster that went away, in words: what happened and what to do."""
    import ray

    if isinstance(exc, ray.exceptions.RayActorError):
        return Text(N_("the Ray worker training this run died ({error}); start the run again, and if it dies again "
                       "choose a smaller batch size or network: the worker may have run out of memory"),
                    error=type(exc).__name__)
    return Text(N_("the Ray cluster failed this run ({error}); start it again"),
                error=f"{type(exc).__name__}: {str(exc)[:200]}")
