"""What a run costs before it starts: the measured epoch time and the memory check."""

from __future__ import annotations

import types

import pytest
import torch

from cnnviz.training import cost as train_cost
from cnnviz.arch import PRESETS, build
from cnnviz.device import available_devices
from cnnviz.training.recipes import RECIPES, recipe_config
from cnnviz.training.loop import TrainConfig, TrainingError
from cnnviz.training.cost import check_memory, epoch_cost, measure_samples_per_s, memory_need

GIB = 2 ** 30


class FakeClock:
    """perf_counter that advances `step` seconds per call: timings become exact numbers."""

    def __init__(self, step: float):
        self.now, self.step = 0.0, step

    def perf_counter(self):
        self.now += self.step
        return self.now


def test_samples_per_s_counts_the_timed_steps_not_the_warm_up(monkeypatch):
    monkeypatch.setattr(train_cost, "time", types.SimpleNamespace(perf_counter=FakeClock(0.5).perf_counter))
    config = TrainConfig(batch_size=32, device="cpu")
    # clock reads: warm-up start and end (0.5 s, under the budget), then the timed start, a budget check
    # before the second and third steps, and the end: 3 steps of 32 images in 1.5 s
    rate = measure_samples_per_s(build(PRESETS["lenet"]), config, batches=3, budget_s=10)
    assert rate == pytest.approx(3 * 32 / 1.5)


def test_a_warm_up_longer_than_the_budget_is_the_measurement(monkeypatch):
    monkeypatch.setattr(train_cost, "time", types.SimpleNamespace(perf_counter=FakeClock(4.0).perf_counter))
    rate = measure_samples_per_s(build(PRESETS["lenet"]), TrainConfig(batch_size=8, device="cpu"), budget_s=3)
    assert rate == pytest.approx(8 / 4.0)


def test_measuring_leaves_the_callers_random_stream_alone():
    model = build(PRESETS["lenet_modern"])  # dropout draws random numbers while it trains
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    measure_samples_per_s(model, TrainConfig(batch_size=16, device="cpu"), batches=1)
    torch.testing.assert_close(torch.rand(3), expected)


def test_an_epoch_cost_is_measured_once_per_network_and_device(monkeypatch):
    calls = []

    def fake_measure(model, config, batches=2, budget_s=3.0):
        calls.append((type(model).__name__, config.batch_size, config.input_size, config.device))
        return 500.0

    train_cost._cached_samples_per_s.cache_clear()
    monkeypatch.setattr(train_cost, "measure_samples_per_s", fake_measure)
    config = recipe_config(RECIPES["alexnet_zh"], device="cpu")
    cost = epoch_cost(PRESETS["alexnet"], config)
    again = epoch_cost(PRESETS["alexnet"], config)
    other_seed = epoch_cost(PRESETS["alexnet"], recipe_config(RECIPES["alexnet_zh"], device="cpu", seed=7))
    assert cost == again == other_seed and len(calls) == 1
    probe = calls[0][1]
    assert calls[0][2:] == (224, "cpu") and 2 <= probe < config.batch_size  # a quick probe on a CPU
    assert cost.samples_per_s == 500.0 and cost.images == 60_000 and cost.seconds == pytest.approx(120.0)
    subset = epoch_cost(PRESETS["alexnet"], recipe_config(RECIPES["alexnet_zh"], device="cpu", max_train_samples=600))
    assert subset.images == 600 and subset.seconds == pytest.approx(1.2) and len(calls) == 1
    epoch_cost(PRESETS["lenet"], config)
    assert len(calls) == 2 and calls[1][1:3] == (128, 28)  # LeNet is cheap: the recipe's own batch
    train_cost._cached_samples_per_s.cache_clear()


def test_a_real_measurement_on_this_device_is_positive():
    train_cost._cached_samples_per_s.cache_clear()
    cost = epoch_cost(PRESETS["lenet"], TrainConfig(batch_size=64, device="cpu"))
    assert cost.samples_per_s > 0 and cost.seconds == pytest.approx(60_000 / cost.samples_per_s)


def test_a_run_that_does_not_fit_names_the_limit_and_the_batch_that_does():
    spec, config = PRESETS["vgg11"], TrainConfig(batch_size=128, optimizer="sgd", momentum=0.0, device="cpu")
    need = memory_need(spec, config)
    with pytest.raises(TrainingError) as err:
        check_memory(spec, config, available=4 * GIB)
    largest = need.largest_batch(4 * GIB)
    message = str(err.value)
    assert "vgg11 at 224×224 with batch_size 128" in message and "4.0 GiB free" in message
    assert f"use batch_size {largest} or less" in message and 1 <= largest < 128
    check_memory(spec, TrainConfig(batch_size=largest, optimizer="sgd", momentum=0.0, device="cpu"),
                 available=4 * GIB)  # the suggested batch fits
    with pytest.raises(TrainingError, match="even one image does not fit"):
        check_memory(spec, config, available=GIB // 2)  # 129M weights, gradients and a copy: 1.5 GB


def test_the_optimizer_state_is_counted():
    spec = PRESETS["alexnet"]
    sgd = memory_need(spec, TrainConfig(optimizer="sgd", momentum=0.0))
    adam = memory_need(spec, TrainConfig(optimizer="adam"))
    params = sum(p.numel() for p in build(spec).parameters())
    assert adam.fixed_bytes - sgd.fixed_bytes == 2 * 4 * params and adam.per_image_bytes == sgd.per_image_bytes


@pytest.mark.parametrize("key", ["alexnet_zh", "vgg_zh", "nin_zh", "googlenet_zh", "lenet_zh"])
def test_the_books_recipes_fit_a_16_gib_device(key):
    recipe = RECIPES[key]
    need = check_memory(PRESETS[recipe.preset], recipe.config, available=16 * GIB)
    assert need.total(recipe.config.batch_size) < 16 * GIB * 0.9


def _cuda_peak(model, batch: int) -> int:
    """Peak bytes allocated by one float32 SGD step of `model` on `batch` 224x224 images."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    x, y = torch.rand(batch, 1, 224, 224, device="cuda"), torch.randint(0, 10, (batch,), device="cuda")
    torch.nn.functional.cross_entropy(model(x), y).backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    torch.cuda.synchronize()
    return torch.cuda.max_memory_allocated()


@pytest.mark.gpu
@pytest.mark.skipif("cuda" not in available_devices(), reason="no CUDA GPU on this machine")
def test_the_memory_estimate_bounds_a_real_cuda_step():
    """AlexNet at 224x224 on CUDA: the estimate's cost per image is at least what one more image really
    takes at the peak (two batch sizes' difference, so cuDNN's workspace cancels), and within 2x of it."""
    spec = PRESETS["alexnet"]
    model = build(spec).cuda()
    _cuda_peak(model, 8)  # warm-up: cuDNN picks its kernels
    per_image = (_cuda_peak(model, 64) - _cuda_peak(model, 32)) / 32
    estimate = memory_need(spec, TrainConfig(optimizer="sgd", momentum=0.0)).per_image_bytes
    assert per_image < estimate < 2 * per_image
