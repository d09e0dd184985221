"""Where training runs: in this server (threads) or on a Ray cluster, chosen by CNNVIZ_RAY_ADDRESS.

Both backends make jobs with the same surface (start, stop, join, status, snapshot, result, live), so pages
never ask which one they have. The Ray backend only ever connects to a cluster that is already running:
an embedded `ray.init()` would tie Ray's own processes to the calling thread, and when a Streamlit script
thread ends they die and take the server down a minute later. An address that does not answer falls back
to the thread backend, with a notice that says why.
"""

from __future__ import annotations

import os
import socket
import threading
import weakref
from dataclasses import dataclass, replace
from typing import Callable

import torch
from torch import nn

from cnnviz.device import threads_for, usable_cores
from cnnviz.i18n import N_, Text
from cnnviz.training.jobs import JobSlots, LiveOptions, TrainingJob
from cnnviz.training.loop import Dataset, TrainConfig

ADDRESS_VAR = "CNNVIZ_RAY_ADDRESS"  # "auto", "ray://host:10001", "host:6379"; unset or empty: threads
CPUS_VAR = "CNNVIZ_RAY_CPUS_PER_RUN"  # CPUs a CPU run asks the cluster for (default 1)
CONNECT_TIMEOUT_S = 3.0  # how long the address may take to answer before the thread backend takes over


@dataclass(frozen=True)
class ClusterInfo:
    """What serves training runs, for the pages' one-line summary."""

    backend: str  # "thread" | "ray"
    address: str  # "" for thread; the Ray address otherwise
    cpus: float  # cores this backend trains on (thread: those this process may use; ray: the cluster's CPUs)
    gpus: float
    running: int  # this server's runs training now
    waiting: int  # this server's runs queued, waiting for a slot or for the cluster's resources
    notice: str = ""  # a Text: why CNNVIZ_RAY_ADDRESS was not used (the fallback), "" otherwise


class _Jobs:
    """The jobs a backend made, weakly held: enough to count those running and waiting."""

    def __init__(self):
        self._jobs: weakref.WeakSet = weakref.WeakSet()
        self._lock = threading.Lock()

    def add(self, job):
        with self._lock:
            self._jobs.add(job)
        return job

    def counts(self) -> tuple[int, int]:
        with self._lock:
            statuses = [job.status for job in list(self._jobs)]
        return statuses.count("running"), statuses.count("queued")


class ThreadBackend:
    """Runs train in this process, each in a daemon thread (cnnviz.training.jobs.TrainingJob), `slots` limiting them."""

    name = "thread"

    def __init__(self, notice: str = ""):
        self.notice = notice
        self._jobs = _Jobs()

    def new_job(self, model: nn.Module, train_set: Dataset, test_set: Dataset, config: TrainConfig, *,
                slots: JobSlots | None = None, after_fit: Callable[[nn.Module], object] | None = None,
                live: LiveOptions | None = None) -> TrainingJob:
        if config.cpu_threads is None and slots is not None:  # the spare cores split between the runs at once
            config = replace(config, cpu_threads=threads_for(slots.limit))
        return self._jobs.add(TrainingJob(model, train_set, test_set, config, slots=slots, after_fit=after_fit,
                                          live=live))

    def info(self) -> ClusterInfo:
        running, waiting = self._jobs.counts()
        return ClusterInfo(backend=self.name, address="", cpus=float(usable_cores()),
                           gpus=float(torch.cuda.device_count()), running=running, waiting=waiting,
                           notice=self.notice)


class RayBackend:
    """Runs train on a Ray cluster this process is connected to (`ray.init(address=...)` already done)."""

    name = "ray"

    def __init__(self, address: str, cpus_per_run: float = 1.0):
        self.address, self.cpus_per_run = address, cpus_per_run
        self._jobs = _Jobs()
        self._waiting: list = []  # the runs still waiting for the cluster, in start order
        self._data: dict = {}  # (id(images), id(labels)) -> (the tensors, their object-store ref)
        self._data_lock = threading.Lock()
        from cnnviz.training.jobs_ray import ActorPool  # ray is connected by now: the Ray code path may load

        self._pool = ActorPool()  # the workers kept warm between runs

    def new_job(self, model: nn.Module, train_set: Dataset, test_set: Dataset, config: TrainConfig, *,
                slots: JobSlots | None = None, after_fit: Callable[[nn.Module], object] | None = None,
                live: LiveOptions | None = None):
        """A job for the cluster; `slots` does not apply (the cluster's resources queue the runs)."""
        from cnnviz.training.jobs_ray import RayTrainingJob

        resources = {"num_gpus": 1} if self._wants_gpu(config) else {"num_cpus": self.cpus_per_run}
        threads = max(1, round(self.cpus_per_run))
        return self._jobs.add(RayTrainingJob(
            model, train_set, test_set, config, resources=resources, threads=threads,
            data_refs=lambda: (self._put(train_set), self._put(test_set)), waiting=self._waiting,
            after_fit=after_fit, live=live, pool=self._pool))

    def _wants_gpu(self, config: TrainConfig) -> bool:
        return config.device == "cuda" or (config.device == "auto" and self._resources().get("GPU", 0) > 0)

    def _put(self, data: Dataset):
        """The dataset's object-store ref: put once per server, then shared by every run (tensors are read-only)."""
        import ray

        key = tuple(id(t) for t in data)
        with self._data_lock:
            if key not in self._data:  # the tensors stay referenced here, so their ids are not reused
                self._data[key] = (data, ray.put(data))
            return self._data[key][1]

    def _resources(self) -> dict:
        import ray

        if not ray.is_initialized():  # disconnected: a Ray call now would start a local Ray in this process
            return {}
        try:
            return ray.cluster_resources()
        except Exception:  # the cluster went away since: the page says 0, the runs fail with a message
            return {}

    def info(self) -> ClusterInfo:
        running, waiting = self._jobs.counts()
        resources = self._resources()
        return ClusterInfo(backend=self.name, address=self.address, cpus=float(resources.get("CPU", 0)),
                           gpus=float(resources.get("GPU", 0)), running=running, waiting=waiting)


def backend_from_env(environ=os.environ) -> ThreadBackend | RayBackend:
    """The thread backend unless CNNVIZ_RAY_ADDRESS names a Ray cluster that answers within a few seconds;
    one that does not (or no `ray` installed) gives the thread backend with a notice saying why."""
    address = environ.get(ADDRESS_VAR, "").strip()
    if not address:
        return ThreadBackend()
    try:
        cpus = _cpus_per_run(environ.get(CPUS_VAR, ""))
        _connect(address)
    except _Unreachable as exc:
        return ThreadBackend(notice=Text(N_("The Ray cluster at {address} cannot be used ({error}), so runs train "
                                            "in this server instead."), address=address, error=exc.reason))
    return RayBackend(address, cpus)


class _Unreachable(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # a few words, a Text where cnnviz wrote them


def _cpus_per_run(value: str) -> float:
    if not value.strip():
        return 1.0
    try:
        cpus = float(value)
    except ValueError:
        cpus = 0.0
    if not 0 < cpus < float("inf"):
        raise _Unreachable(Text(N_("{name} is {value}; set it to a number of CPUs above 0"), name=CPUS_VAR,
                                value=repr(value)))
    return cpus


def _connect(address: str) -> None:
    """Connects this process to the running cluster at `address`, or raises _Unreachable, within seconds."""
    try:
        import ray
    except ImportError:
        raise _Unreachable(Text(N_("Ray is not installed: pip install 'cnnviz[ray]'"))) from None
    global _connected_to
    if ray.is_initialized() and _connected_to == address:  # a second backend shares the first connection
        return
    _probe(address)  # ray.init would retry an address where nothing listens for a minute
    if ray.is_initialized():  # a process is the driver of one cluster at a time
        raise _Unreachable(Text(N_("this server is already connected to the Ray cluster at {other}; restart it "
                                   "to use another"), other=_connected_to or "?"))
    try:
        ray.init(address=address, logging_level="WARNING", log_to_driver=False)
    except Exception as exc:
        raise _Unreachable(f"{type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}") from exc
    _connected_to = address


_connected_to = ""  # the address this process connected to (ray.init is once per process)


def _probe(address: str) -> None:
    """A TCP connection to host:port ("ray://host:port" too) answers within CONNECT_TIMEOUT_S ("auto": Ray
    finds the local cluster itself, and says at once when there is none)."""
    if address == "auto":
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise _Unreachable(Text(N_("not an address: use auto, host:port or ray://host:port")))
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except ConnectionRefusedError as exc:
        raise _Unreachable(Text(N_("nothing listens there"))) from exc
    except socket.gaierror as exc:
        raise _Unreachable(Text(N_("unknown host {host}"), host=host)) from exc
    except TimeoutError as exc:
        raise _Unreachable(Text(N_("no answer within {seconds} s"), seconds=f"{CONNECT_TIMEOUT_S:g}")) from exc
    except OSError as exc:
        raise _Unreachable(exc.strerror or type(exc).__name__) from exc
