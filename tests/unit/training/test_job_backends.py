"""The same job tests on both training backends: threads in this process, and a local Ray cluster this module
starts itself (and ends by terminating the process that started it: `ray stop` would end every cluster on
the machine). The oracle is `fit` called directly in this process with the same seed and data."""

from __future__ import annotations

import os
import signal
import time

import pytest
import torch

from bench._ray_head import free_port, ray_head
from cnnviz.training import backends
from cnnviz.training import jobs_ray
from cnnviz.training import metrics
from cnnviz.arch import PRESETS, build
from cnnviz.training.backends import RayBackend, ThreadBackend, backend_from_env
from cnnviz.data import load_fashion_mnist
from cnnviz.training.jobs import JobSlots, LiveOptions
from cnnviz.training.jobs_ray import WAITING_GPU
from cnnviz.training.live import class_examples
from cnnviz.training.loop import TrainConfig, TrainingError, fit

# Exact arithmetic on both sides: one thread, no autocast, the standard layout, so the oracle can be compared.
SHORT = TrainConfig(epochs=2, batch_size=64, report_every=2, device="cpu", cpu_threads=1, mixed_precision=False,
                    channels_last=False)
LONG = TrainConfig(**{**SHORT.__dict__, "epochs": 200})  # stopped long before its end


@pytest.fixture(scope="module")
def ray_address():
    """A 2-CPU Ray head of this module's own (another cluster may run here), ended after the module."""
    with ray_head(cpus=2) as (address, _):
        yield address


@pytest.fixture(scope="module")
def ray_backend(ray_address):
    backend = backend_from_env({"CNNVIZ_RAY_ADDRESS": ray_address})
    assert isinstance(backend, RayBackend), backend.info().notice
    return backend


@pytest.fixture(params=["thread", "ray"])
def backend(request):
    return ThreadBackend() if request.param == "thread" else request.getfixturevalue("ray_backend")


@pytest.fixture(scope="module")
def sets():
    """512 training and 256 test images of the real Fashion-MNIST."""
    (train_images, train_labels), (test_images, test_labels) = load_fashion_mnist(True), load_fashion_mnist(False)
    return (train_images[:512], train_labels[:512]), (test_images[:256], test_labels[:256])


def lenet(seed: int = 0):
    torch.manual_seed(seed)
    return build(PRESETS["lenet_relu"])


@pytest.fixture(scope="module")
def oracle(sets):
    """What `fit` gives in this process for SHORT: the history both backends must reproduce."""
    return fit(lenet(), *sets, SHORT)


def new_job(backend, sets, config, model=None):
    train, test = sets
    return backend.new_job(model or lenet(), train, test, config,
                           after_fit=lambda m: metrics.predict(m, test[0], 256),
                           live=LiveOptions(images=class_examples(*test)))


def wait_until(condition, what: str, limit_s: float = 120) -> None:
    """Polls a job; the limit only guards against a hang."""
    deadline = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.05)


def torch_predictions(model, images) -> torch.Tensor:
    with torch.no_grad():
        return model.eval()(images.unsqueeze(1).float() / 255).argmax(1)  # (N, 1, 28, 28) in [0, 1]


def test_two_short_runs_at_once_finish_with_their_own_full_histories(backend, sets, oracle):
    """Two at once (the Ray head has 2 CPUs, a run asks for 1): the first reproduces the oracle, the second,
    from other initial weights, its own history; nothing is lost or mixed up, and the live snapshots came too."""
    first, second = new_job(backend, sets, SHORT).start(), new_job(backend, sets, SHORT, lenet(seed=1)).start()
    info = backend.info()
    assert info.running + info.waiting == 2 and info.backend == backend.name
    assert first.join(120) and second.join(120)
    assert first.status == second.status == "finished", (first.snapshot().message, second.snapshot().message)
    history = first.snapshot().history
    for name in ("train_loss", "train_accuracy", "test_loss", "test_accuracy"):
        assert getattr(history, name) == pytest.approx(getattr(oracle, name), rel=1e-5), name
    assert second.snapshot().history.train_loss != pytest.approx(oracle.train_loss, rel=1e-5)
    for job in (first, second):
        assert_complete(job, sets)
    assert backend.info().running == backend.info().waiting == 0


def assert_complete(job, sets) -> None:
    """Every report in order, the result computed from the final weights, a live snapshot at the start and per
    report."""
    snap = job.snapshot()
    assert job.backend in ("thread", "ray") and snap.message == "" and snap.history.epochs_done == 2
    steps = [p.step for p in snap.points]
    assert steps == list(range(2, 17, 2))  # 8 batches an epoch, a report every 2
    assert [p.test_accuracy for p in snap.points if p.test_accuracy is not None] == snap.history.test_accuracy
    test_images, test_labels = sets[1]  # torch agrees with the result, and the result with the history
    assert torch.equal(job.result, torch_predictions(job.model, test_images))
    assert (job.result == test_labels).float().mean().item() == pytest.approx(snap.history.test_accuracy[-1])
    snapshots = job.live_snapshots()  # made where it trained, kept here: the first at step 0, the last at the end
    assert [s.step for s in snapshots] == [0] + steps
    assert torch.equal(snapshots[-1].state["conv1.weight"], job.model.conv1.weight.detach())
    assert not torch.equal(snapshots[0].state["conv1.weight"], snapshots[-1].state["conv1.weight"])


def test_stop_returns_within_a_second_and_keeps_the_weights(backend, sets):
    model = lenet()
    initial = {k: v.clone() for k, v in model.state_dict().items()}
    job = new_job(backend, sets, LONG, model).start()
    wait_until(lambda: len(job.snapshot().points) >= 3, "three reports")
    stopped_at = time.monotonic()
    job.stop("the test pressed Stop")
    assert job.join(1.0), "stop took over a second"
    print(f"{backend.name}: stop -> ended in {time.monotonic() - stopped_at:.3f} s")
    snap = job.snapshot()
    assert snap.status == "stopped" and str(snap.message).endswith("because the test pressed Stop")
    assert not torch.equal(job.model.conv1.weight, initial["conv1.weight"])  # it trained, and kept that
    assert torch.equal(job.result, torch_predictions(job.model, sets[1][0]))  # the result is of the kept weights
    assert snap.history.epochs_done < LONG.epochs


def test_a_failure_inside_fit_fails_the_run_with_fits_own_message(backend, sets):
    config = TrainConfig(**{**SHORT.__dict__, "input_size": 32})  # LeNet's fc1 takes 16x5x5, not 16x6x6
    with pytest.raises(TrainingError) as raised:
        fit(lenet(), *sets, config)
    job = new_job(backend, sets, config).start()
    assert job.join(120) and job.status == "failed"
    message = job.snapshot().message
    assert str(message) == str(raised.value) and message.template == raised.value.message.template


def test_a_worker_that_dies_or_hangs_never_hangs_its_run(ray_backend, sets, monkeypatch):
    """One worker is killed: its run fails, saying so. Another is frozen (SIGSTOP) and then stopped: after
    STOP_WAIT_S without its weights the actor is killed and the run ends "stopped", saying the weights are lost."""
    import ray

    monkeypatch.setattr(jobs_ray, "STOP_WAIT_S", 1.0)
    killed, frozen = new_job(ray_backend, sets, LONG).start(), new_job(ray_backend, sets, LONG).start()
    wait_until(lambda: killed.snapshot().points and frozen.snapshot().points, "both runs reporting")
    os.kill(ray.get(killed._actor.pid.remote(), timeout=30), signal.SIGKILL)
    os.kill(ray.get(frozen._actor.pid.remote(), timeout=30), signal.SIGSTOP)
    frozen.stop("the test pressed Stop")
    assert killed.join(60) and frozen.join(60), "a run hung after its worker died or froze"
    message = killed.snapshot().message
    assert killed.status == "failed" and "the Ray worker training this run died" in message
    assert "start the run again" in message
    message = frozen.snapshot().message
    assert frozen.status == "stopped" and "did not send the weights back within 1 s" in message
    assert message.endswith("because the test pressed Stop") and frozen.result is None


def test_a_worker_that_answered_to_the_end_serves_the_next_run(ray_backend, sets, oracle):
    """A fresh worker spends seconds importing PyTorch: one whose run ended cleanly is kept for the next run of
    the same shape, which still trains from its own weights to its own history."""
    import ray

    first = new_job(ray_backend, sets, SHORT).start()
    assert first.join(120) and first.status == "finished"
    worker = ray.get(first._actor.pid.remote(), timeout=30)
    second = new_job(ray_backend, sets, SHORT).start()
    assert second.join(120) and second.status == "finished"
    assert ray.get(second._actor.pid.remote(), timeout=30) == worker
    assert second.snapshot().history.train_loss == pytest.approx(oracle.train_loss, rel=1e-5)
    assert_complete(second, sets)


def test_a_gpu_run_on_a_cluster_without_one_waits_visibly_and_stops_at_once(ray_backend, sets):
    job = new_job(ray_backend, sets, TrainConfig(**{**SHORT.__dict__, "device": "cuda"})).start()
    assert job.resources == {"num_gpus": 1}
    wait_until(lambda: job.snapshot().waiting_for == WAITING_GPU, "waiting for a GPU worker", 30)
    snap = job.snapshot()
    assert snap.status == "queued" and snap.queue_position == 1 and snap.points == ()
    assert ray_backend.info().waiting == 1
    job.stop("the test pressed Stop")
    assert job.join(1.0)
    assert job.status == "stopped" and job.snapshot().message == "stopped while queued because the test pressed Stop"


def test_no_address_means_the_thread_backend():
    for environ in ({}, {"CNNVIZ_RAY_ADDRESS": "  "}):
        backend = backend_from_env(environ)
        assert isinstance(backend, ThreadBackend)
        info = backend.info()
        assert (info.backend, info.address, info.notice) == ("thread", "", "")
        assert info.cpus == len(os.sched_getaffinity(0)) and info.gpus == torch.cuda.device_count()


@pytest.mark.parametrize("address", ["127.0.0.1:{port}", "ray://127.0.0.1:{port}"])
def test_an_address_where_nothing_listens_falls_back_to_threads_and_says_so(address):
    address = address.format(port=free_port())  # free now: nothing listens there
    began = time.monotonic()
    backend = backend_from_env({"CNNVIZ_RAY_ADDRESS": address})
    assert time.monotonic() - began < 10 * backends.CONNECT_TIMEOUT_S  # a few seconds, not Ray's minute of retries
    assert isinstance(backend, ThreadBackend)
    notice = backend.info().notice
    assert f"The Ray cluster at {address} cannot be used (" in notice and "train in this server instead" in notice


def test_a_bad_cpus_per_run_names_the_variable():
    backend = backend_from_env({"CNNVIZ_RAY_ADDRESS": "auto", "CNNVIZ_RAY_CPUS_PER_RUN": "many"})
    assert isinstance(backend, ThreadBackend) and "CNNVIZ_RAY_CPUS_PER_RUN is 'many'" in backend.info().notice


@pytest.mark.parametrize(("limit", "cores", "threads"), [(1, 2, 1), (1, 16, 15), (4, 16, 3), (8, 16, 1)])
def test_thread_runs_share_the_spare_cores_between_the_runs_allowed_at_once(monkeypatch, sets, limit, cores, threads):
    """One big run gets every spare core; many small ones split them (cnnviz.device.threads_for)."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cores)))
    auto = TrainConfig(**{**SHORT.__dict__, "cpu_threads": None})
    job = ThreadBackend().new_job(lenet(), *sets, auto, slots=JobSlots(limit))
    assert job.config.cpu_threads == threads
    mine = ThreadBackend().new_job(lenet(), *sets, SHORT, slots=JobSlots(limit))
    assert mine.config.cpu_threads == 1  # a run that chose its threads keeps them


def test_the_pool_keeps_one_warm_worker_per_shape_for_a_while(monkeypatch):
    killed = []
    monkeypatch.setattr(jobs_ray, "_kill", killed.append)
    pool = jobs_ray.ActorPool(keep=1, idle_s=0.2)
    pool.give_back(("cpu", 1), "a")
    pool.give_back(("cpu", 1), "b")  # one more than it keeps: ended at once
    assert killed == ["b"] and pool.take(("gpu", 1)) is None and pool.take(("cpu", 1)) == "a"
    pool.give_back(("cpu", 1), "c")
    wait_until(lambda: killed == ["b", "c"], "the idle worker ending after idle_s", 10)
    assert pool.take(("cpu", 1)) is None


def test_a_warm_worker_outliving_the_connection_never_starts_ray_here(monkeypatch):
    """The pool's timer may fire after the server left the cluster: ray.kill would then start a local Ray in this
    process (an embedded ray.init, whose processes die with the timer's thread and take the process along)."""
    import ray

    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "kill", lambda actor: pytest.fail("ray.kill called while disconnected"))
    jobs_ray._kill("an actor of a cluster this process has left")
    assert jobs_ray._waiting_for({"num_cpus": 1}) == jobs_ray.WAITING_START


def test_a_ray_worker_that_dies_leaves_its_run_on_the_class_board_with_every_epoch_it_reported(ray_backend, sets,
                                                                                                 tmp_path):
    """A real Ray worker killed mid-run: the class board keeps the run, its epochs so far and why it ended, on
    disk too (a server restart reads it back)."""
    import ray

    from cnnviz.classroom import ClassRegistry, TeacherKey
    from cnnviz.classroom.settings import settings_of

    registry = ClassRegistry(tmp_path, TeacherKey("key"), poll_s=0.01)
    registry.open("RAY26")
    job = new_job(ray_backend, sets, LONG).start()
    run_id = registry.add_run("RAY26", "Ada", "lenet", settings_of(LONG), job=job)
    wait_until(lambda: len(registry.board("RAY26").run(run_id).test_accuracy) >= 2, "two epochs on the board",
               limit_s=120)
    os.kill(ray.get(job._actor.pid.remote(), timeout=30), signal.SIGKILL)
    assert job.join(60), "the run hung after its worker died"
    wait_until(lambda: registry.watching() == 0, "the board's watcher let the ended run go")
    run = registry.board("RAY26").run(run_id)
    reported = [p.test_accuracy for p in job.snapshot().points if p.test_accuracy is not None]
    assert run.status == "failed" and "the Ray worker training this run died" in run.message
    assert len(run.test_accuracy) >= 2 and run.test_accuracy == pytest.approx(reported)
    again = ClassRegistry(tmp_path, TeacherKey("key")).board("RAY26").run(run_id)  # the server restarted
    assert (again.status, again.test_accuracy) == ("failed", run.test_accuracy)
