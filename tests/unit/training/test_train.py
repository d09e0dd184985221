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
from cnnviz.training.jobs import JobSlots, TrainingJob, default_max_jobs
from cnnviz.training.loop import TrainConfig, TrainingError, fit, to_batch


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
def test_every_layout_and_precision_trains_and_reports_float32_accuracy(small_sets, channels_last, mixed_precision,
                                                                       monkeypatch):
    """bfloat16 autocast (where the CPU has it) and NHWC only change how fast it trains: the reported test
    accuracy is the float32 model's, equal to a plain forward pass of the returned model."""
    if mixed_precision:  # the hardware's own path: bfloat16 where the CPU computes it natively
        monkeypatch.setenv("CNNVIZ_BF16", "auto")
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


class GpuPathRecorder(nn.Module):
    """A network that records, during training, what the device path gave it."""

    def __init__(self):
        super().__init__()
        self.seen = []
        self.conv = nn.Conv2d(1, 8, 3, padding=1)
        self.head = nn.Sequential(nn.ReLU(), nn.AdaptiveAvgPool2d(4), nn.Flatten(), nn.Linear(128, 10))

    def forward(self, x):
        hidden = self.conv(x)  # (B, 8, S, S): 8 channels, so NHWC and NCHW strides differ
        if self.training:
            self.seen.append((tuple(x.shape), x.device.type, hidden.dtype,
                              hidden.is_contiguous(memory_format=torch.channels_last)))
        return self.head(hidden)


@pytest.mark.gpu
@pytest.mark.skipif(not GPUS, reason="no GPU (CUDA or MPS) on this machine")
@pytest.mark.parametrize("device", GPUS or ["none"])
def test_the_gpu_path_resizes_on_the_device_in_mixed_precision_and_channels_last(small_sets, device):
    """The 224x224 networks' path: uint8 batches resized on the GPU (equal to torchvision's Resize on the
    CPU), autocast (bfloat16 or float16 on CUDA), NHWC on CUDA; the reported test accuracy stays float32."""
    from torchvision.transforms import v2

    images = small_sets[1][0][:8]
    on_device = to_batch(images.to(device), False, 224).cpu()
    torch.testing.assert_close(on_device, v2.Resize(224)(images.unsqueeze(1).float() / 255), rtol=0, atol=2e-6)
    train, test = small_sets
    model = GpuPathRecorder()
    config = TrainConfig(epochs=1, batch_size=64, max_train_samples=256, input_size=96, device=device)
    history = fit(model, train, test, config)
    assert history.status == "finished"
    shape, device_type, dtype, nhwc = model.seen[0]
    assert shape == (64, 1, 96, 96) and device_type == device
    if device == "cuda":
        assert dtype in (torch.bfloat16, torch.float16) and nhwc
    with torch.no_grad():
        logits = model.cpu().eval()(to_batch(test[0], False, 96))
    plain = (logits.argmax(1) == test[1]).float().mean().item()
    assert history.test_accuracy[-1] == pytest.approx(plain, abs=3 / len(test[1]))


def test_max_train_samples_trains_on_a_subset(small_sets):
    train, test = small_sets
    reports = []
    config = TrainConfig(epochs=1, batch_size=100, max_train_samples=300, device="cpu", lr_schedule="cosine")
    fit(lenet(), train, test, config, on_progress=reports.append)
    assert reports[-1].step == reports[-1].total_steps == 3


def test_max_test_samples_evaluates_the_first_test_images(small_sets):
    """A subset run tests on as many first test images: the accuracy fit reports is theirs, in float32."""
    train, test = small_sets
    config = TrainConfig(epochs=1, batch_size=100, max_train_samples=300, max_test_samples=128, device="cpu")
    model = lenet("lenet_relu")
    history = fit(model, train, test, config)
    with torch.no_grad():
        logits = model.float()(to_batch(test[0][:128], False))
    assert history.test_accuracy[-1] == (logits.argmax(1) == test[1][:128]).float().mean().item()
    with pytest.raises(TrainingError, match="max_test_samples is 0"):
        TrainConfig(max_test_samples=0).validate()


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


# --- the network's input size: batches resized on the device, as torchvision's Resize --------------------

@pytest.mark.parametrize("size", [224, 96, 64, 14])
def test_resize_equals_torchvisions_resize_on_a_batch(size):
    from torchvision.transforms import v2

    images = load_fashion_mnist(train=False)[0][:16]  # uint8 (16, 28, 28)
    ours = to_batch(images, channels_last=False, size=size)
    theirs = v2.Resize(size)(images.unsqueeze(1).float() / 255)  # torchvision on the float batch
    assert ours.shape == (16, 1, size, size) and ours.dtype == torch.float32
    torch.testing.assert_close(ours, theirs, rtol=0, atol=0)


def test_resize_is_within_one_grey_level_of_the_books_pil_pipeline():
    """d2l resizes each PIL image (uint8) and then applies ToTensor: the same bilinear, rounded to /255."""
    from PIL import Image
    from torchvision import transforms

    images = load_fashion_mnist(train=False)[0][:8]
    book = transforms.Compose([transforms.Resize(224), transforms.ToTensor()])
    theirs = torch.stack([book(Image.fromarray(image.numpy())) for image in images])  # (8, 1, 224, 224)
    diff = (to_batch(images, False, 224) - theirs).abs()
    assert diff.max() <= 1.0001 / 255 and diff.mean() < 0.3 / 255


class InputRecorder(nn.Module):
    """A classifier for any input side that records what each forward pass receives."""

    def __init__(self):
        super().__init__()
        self.seen = []
        self.body = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(4),
                                  nn.Flatten(), nn.Linear(64, 10))

    def forward(self, x):
        self.seen.append((tuple(x.shape), x.dtype, x.device.type, self.training))
        return self.body(x)


def test_fit_feeds_the_network_batches_resized_to_its_input_size(small_sets):
    train, test = small_sets
    before = train[0].clone()
    model = InputRecorder()
    config = TrainConfig(epochs=1, batch_size=32, max_train_samples=64, input_size=64, device="cpu")
    history = fit(model, train, (test[0][:40], test[1][:40]), config)
    assert history.status == "finished"
    training = [s for s in model.seen if s[3]]
    evaluation = [s for s in model.seen if not s[3]]
    assert [s[0] for s in training] == [(32, 1, 64, 64)] * 2
    assert [s[0] for s in evaluation] == [(40, 1, 64, 64)]
    assert all(s[1] == torch.float32 and s[2] == "cpu" for s in model.seen)
    torch.testing.assert_close(train[0], before, rtol=0, atol=0)  # the resident data stays uint8 28x28
    assert train[0].dtype == torch.uint8


def test_evaluation_batches_shrink_with_the_input_area():
    assert TrainConfig().eval_batch == 1024
    assert TrainConfig(batch_size=128, input_size=224).eval_batch == 128  # 1024 * 784 / 50176 = 16 < 128
    assert TrainConfig(batch_size=32, input_size=96).eval_batch == 87


def test_a_network_built_for_another_size_is_named_not_a_traceback(small_sets):
    train, test = small_sets
    model = build(PRESETS["lenet"])  # 28x28: its first Linear wants 16x5x5 features
    with pytest.raises(TrainingError, match=r"cannot take 64×64 images .* set input_size"):
        fit(model, train, test, TrainConfig(epochs=1, batch_size=16, max_train_samples=16, input_size=64,
                                            device="cpu"))
    with pytest.raises(TrainingError, match="input_size is 0"):
        TrainConfig(input_size=0).validate()


# --- the book's initialisation and input scaling ----------------------------------------------------------

def d2l_init_weights(m):
    """train_ch6's init_weights, verbatim (d2l-zh d2l/torch.py)."""
    if type(m) == nn.Linear or type(m) == nn.Conv2d:  # noqa: E721 (the book's own test)
        nn.init.xavier_uniform_(m.weight)


def test_xavier_init_is_the_books_and_keeps_the_biases(small_sets):
    train, test = small_sets
    torch.manual_seed(5)
    model = build(PRESETS["lenet"])
    book = build(PRESETS["lenet"])
    book.load_state_dict(model.state_dict())
    torch.manual_seed(3)  # fit seeds the initialisation with config.seed
    book.apply(d2l_init_weights)
    stop = threading.Event()
    stop.set()  # returns before the first step: the weights are the initial ones
    history = fit(model, train, test, TrainConfig(init="xavier", seed=3, device="cpu", optimizer="sgd"), stop=stop)
    assert history.status == "stopped"
    for (name, ours), theirs in zip(model.state_dict().items(), book.state_dict().values()):
        torch.testing.assert_close(ours, theirs, rtol=0, atol=0, msg=name)
    conv = model.conv1.weight
    bound = (6 / (1 * 25 + 6 * 25)) ** 0.5  # Xavier uniform: sqrt(6 / (fan_in + fan_out))
    assert conv.abs().max() <= bound and conv.abs().max() > 0.9 * bound
    with pytest.raises(TrainingError, match="init 'he'"):
        TrainConfig(init="he").validate()


def test_unnormalized_input_is_the_books_0_to_1_range(small_sets):
    train, test = small_sets
    model = build(PRESETS["lenet"])
    stop = threading.Event()
    stop.set()
    fit(model, train, test, TrainConfig(normalize_input=False, device="cpu"), stop=stop)
    assert model.normalize.mean.item() == 0.0 and model.normalize.std.item() == 1.0
    x = torch.rand(3, 1, 28, 28)
    with torch.no_grad():
        torch.testing.assert_close(model(x), model[1:](x), rtol=0, atol=0)
    assert set(model.state_dict()) == set(build(PRESETS["lenet"]).state_dict())  # checkpoints keep their keys
