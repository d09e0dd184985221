"""fit on the real data, stopping, divergence, and the process-wide job limit."""

from __future__ import annotations

import threading
import time

import pytest
import torch
from torch import nn

from cnnviz.arch import PRESETS, build
from cnnviz.data import load_fashion_mnist
from cnnviz.device import available_devices
from cnnviz.jobs import JobSlots, TrainingJob, default_max_jobs
from cnnviz.train import TrainConfig, TrainingError, fit


@pytest.fixture(scope="module")
def small_sets():
    """2,000 training and 1,000 test images of the real Fashion-MNIST."""
    train_images, train_labels = load_fashion_mnist(train=True)
    test_images, test_labels = load_fashion_mnist(train=False)
    return (train_images[:2_000], train_labels[:2_000]), (test_images[:1_000], test_labels[:1_000])


def lenet(name="lenet_bn", seed=0):
    torch.manual_seed(seed)
    return build(PRESETS[name])


def test_fit_lowers_the_loss_and_raises_the_accuracy(small_sets):
    train, test = small_sets
    reports = []
    config = TrainConfig(epochs=3, batch_size=64, lr=1e-3, report_every=5, device="cpu")
    history = fit(lenet(), train, test, config, on_progress=reports.append)
    assert history.status == "finished" and history.epochs_done == 3
    first = reports[0]
    assert first.step == 5 and first.epoch == pytest.approx(5 / 32)
    assert history.train_loss[-1] < 0.7 * first.loss
    assert history.train_accuracy[-1] > first.accuracy + 0.2
    assert history.test_accuracy[-1] > 0.6  # chance is 0.1
    assert history.test_loss[-1] < history.test_loss[0]
    ends = [r for r in reports if r.test_accuracy is not None]
    assert [r.epoch for r in ends] == [1.0, 2.0, 3.0] and ends[-1].eta_s == 0
    assert [r.test_accuracy for r in ends] == history.test_accuracy


@pytest.mark.parametrize("channels_last", [False, True])
@pytest.mark.parametrize("mixed_precision", [False, True])
def test_every_layout_and_precision_trains_and_reports_float32_accuracy(small_sets, channels_last, mixed_precision):
    """bfloat16 autocast (where the CPU has it) and NHWC only change how fast it trains: the reported test
    accuracy is the float32 model's, equal to a plain forward pass of the returned model."""
    train, test = small_sets
    model = lenet("lenet_modern")
    config = TrainConfig(epochs=2, batch_size=64, device="cpu", channels_last=channels_last,
                         mixed_precision=mixed_precision)
    history = fit(model, train, test, config)
    assert history.status == "finished" and history.test_accuracy[-1] > 0.7
    images, labels = test
    with torch.no_grad():
        logits = model(images.unsqueeze(1).float() / 255)  # contiguous float32, no autocast
    plain = (logits.argmax(1) == labels).float().mean().item()
    assert history.test_accuracy[-1] == pytest.approx(plain, abs=1.5 / len(labels))  # at most one near-tie flips


GPUS = [d for d in available_devices() if d != "cpu"]


@pytest.mark.gpu
@pytest.mark.skipif(not GPUS, reason="no GPU (CUDA or MPS) on this machine")
@pytest.mark.parametrize("device", GPUS or ["none"])
def test_fit_on_the_gpu_trains_with_mixed_precision_and_reports_float32_accuracy(small_sets, device):
    train, test = small_sets
    model = lenet("lenet_modern")
    history = fit(model, train, test, TrainConfig(epochs=2, batch_size=64, device=device))
    assert history.status == "finished" and history.test_accuracy[-1] > 0.7
    assert next(model.parameters()).device.type == device and next(model.parameters()).dtype == torch.float32
    images, labels = test
    with torch.no_grad():
        logits = model.cpu()(images.unsqueeze(1).float() / 255)
    plain = (logits.argmax(1) == labels).float().mean().item()
    assert history.test_accuracy[-1] == pytest.approx(plain, abs=3 / len(labels))  # GPU vs CPU kernels


def test_max_train_samples_trains_on_a_subset(small_sets):
    train, test = small_sets
    reports = []
    config = TrainConfig(epochs=1, batch_size=100, max_train_samples=300, device="cpu", lr_schedule="cosine")
    fit(lenet(), train, test, config, on_progress=reports.append)
    assert reports[-1].step == reports[-1].total_steps == 3


def test_stop_returns_promptly_with_a_usable_model(small_sets):
    train, test = small_sets
    full = load_fashion_mnist(train=True)
    stop, started = threading.Event(), threading.Event()
    model = lenet()
    result = {}

    def run():
        result["history"] = fit(model, full, test, TrainConfig(epochs=5, report_every=1, device="cpu"),
                                on_progress=lambda p: started.set(), stop=stop)

    thread = threading.Thread(target=run)
    thread.start()
    assert started.wait(60)
    t0 = time.perf_counter()
    stop.set()
    thread.join(30)
    elapsed = time.perf_counter() - t0
    assert elapsed < 3.0, f"fit took {elapsed:.2f} s to stop"  # issue: within a second; generous on a busy CPU
    assert result["history"].status == "stopped" and "stopped at step" in result["history"].message
    with torch.no_grad():
        assert torch.isfinite(model(torch.rand(2, 1, 28, 28))).all()


class ExplodesAtCall(nn.Module):
    """A tiny classifier whose logits turn NaN on its n-th training call."""

    def __init__(self, n: int):
        super().__init__()
        self.n, self.calls = n, 0
        self.body = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))

    def forward(self, x):
        logits = self.body(x)
        if self.training:
            self.calls += 1
            if self.calls == self.n:
                logits = logits * float("nan")
        return logits


def test_a_nan_loss_stops_the_run_and_keeps_the_last_good_weights(small_sets):
    train, test = small_sets
    model = ExplodesAtCall(7)
    kept = {}

    def remember(progress):
        kept[progress.step] = {k: v.clone() for k, v in model.state_dict().items()}

    history = fit(model, train, test, TrainConfig(epochs=1, batch_size=50, report_every=5, optimizer="sgd",
                                                  lr=0.1, device="cpu"), on_progress=remember)
    assert history.status == "diverged"
    assert "loss became NaN or infinite at step 7" in history.message and "lower the learning rate" in history.message
    assert list(kept) == [5]
    for name, value in model.state_dict().items():
        assert torch.isfinite(value).all()
        torch.testing.assert_close(value, kept[5][name], rtol=0, atol=0)


def test_bad_settings_name_the_parameter():
    with pytest.raises(TrainingError, match="optimizer 'rmsprop'"):
        TrainConfig(optimizer="rmsprop").validate()
    with pytest.raises(TrainingError, match="lr is -0.1"):
        TrainConfig(lr=-0.1).validate()
    with pytest.raises(TrainingError, match="lr_schedule 'step'"):
        TrainConfig(lr_schedule="step").validate()
    with pytest.raises(TrainingError, match="batch_size is 0"):
        TrainConfig(batch_size=0).validate()


def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_with_a_limit_of_one_the_second_job_queues_then_runs(small_sets):
    train, test = small_sets
    slots = JobSlots(1)
    long_run = TrainConfig(epochs=50, batch_size=50, device="cpu")
    first = TrainingJob(lenet(), train, test, long_run, slots=slots).start()
    wait_for(lambda: first.snapshot().points)
    second = TrainingJob(lenet(seed=1), train, test, TrainConfig(epochs=1, batch_size=100, device="cpu"),
                         slots=slots, after_fit=lambda m: "predicted").start()
    third = TrainingJob(lenet(seed=2), train, test, long_run, slots=slots).start()
    wait_for(lambda: third.snapshot().queue_position == 2)
    snap = second.snapshot()
    assert snap.status == "queued" and snap.queue_position == 1 and not snap.points
    assert slots.running == 1
    third.stop()  # cancelled while waiting: it never runs
    assert third.join(10) and third.snapshot().status == "stopped" and not third.snapshot().points
    first.stop()
    assert first.join(10) and first.snapshot().status == "stopped"
    assert second.join(120)
    snap = second.snapshot()
    assert snap.status == "finished" and snap.history.epochs_done == 1 and snap.queue_position is None
    assert second.result == "predicted" and slots.running == 0


def test_a_failing_job_reports_why_and_frees_its_slot(small_sets):
    train, test = small_sets
    slots = JobSlots(1)
    job = TrainingJob(lenet(), train, test, TrainConfig(optimizer="rmsprop"), slots=slots).start()
    assert job.join(30)
    assert job.snapshot().status == "failed" and "optimizer 'rmsprop'" in job.snapshot().message
    assert slots.running == 0


def test_max_jobs_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("CNNVIZ_MAX_JOBS", raising=False)
    assert default_max_jobs("cpu") == 1
    monkeypatch.setenv("CNNVIZ_MAX_JOBS", "3")
    assert default_max_jobs("cpu") == 3
    monkeypatch.setenv("CNNVIZ_MAX_JOBS", "lots")
    with pytest.raises(ValueError, match="CNNVIZ_MAX_JOBS"):
        default_max_jobs()
