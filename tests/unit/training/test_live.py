"""Live learning's snapshots: the prefix of every preset, its maps against the full model's own outputs, the
kernels against the weights at the time, the store's bound and thinning, and a network without convolutions."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from cnnviz.inspection import capture as activations
from cnnviz.arch import PRESETS, Architecture, Flatten, Linear, build
from cnnviz.training.jobs import LiveOptions, TrainingJob
from cnnviz.training.live import LiveRecorder, SnapshotStore, class_examples, live_plan
from cnnviz.training.loop import TrainConfig
from cnnviz.training.input import input_shape_of, resize_batch

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _images(n: int = 2) -> torch.Tensor:
    return torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8, generator=torch.Generator().manual_seed(1))


def _convs_in(model: nn.Module, names) -> int:
    children = dict(model.named_children())
    return sum(isinstance(m, nn.Conv2d) for name in names for m in children[name].modules())


@pytest.mark.parametrize("name", list(PRESETS))
def test_the_prefix_ends_after_the_second_conv_stage_and_its_maps_are_the_models_own(name):
    spec = PRESETS[name]
    side = input_shape_of(spec)[1]
    torch.manual_seed(0)
    model = build(spec).eval()
    plan = live_plan(model, side)
    names = [n for n, _ in model.named_children()]
    assert len(plan.stages) == 2 and plan.prefix == tuple(names[:names.index(plan.stages[1]) + 1])
    # The stage ends where the book's stage does: before the pooling, or at a block's end.
    after = names[len(plan.prefix)] if len(plan.prefix) < len(names) else None
    kinds = {n: activations.layer_kind(m) for n, m in model.named_children()}
    assert after is None or kinds[after] not in ("batch norm", "activation")
    assert kinds[plan.stages[0]] in ("activation", "block", "batch norm", "convolution")
    first_two_convs = [n for n in names if kinds[n] in ("convolution", "block")
                       and activations.first_conv(dict(model.named_children())[n]) is not None][:2]
    assert set(first_two_convs) <= set(plan.prefix) and _convs_in(model, plan.prefix) >= 2

    recorder = LiveRecorder(model, side)
    snapshot = recorder.copy(model, step=1, epoch=0.5)
    full_params = sum(p.numel() for p in model.parameters())
    prefix_params = sum(t.numel() for k, t in snapshot.state.items() if "running" not in k and "tracked" not in k
                        and "normalize" not in k)
    assert prefix_params < full_params or len(plan.prefix) == len(names)
    images = _images()
    maps = recorder.feature_maps(snapshot, images)
    batch = resize_batch(images[:, None].float() / 255, side)  # (2, 1, side, side) as training resizes
    expected = activations.capture(model, batch.clamp(0, 1), plan.stages)
    for stage in plan.stages:
        torch.testing.assert_close(maps[stage], expected[stage], rtol=1e-5, atol=1e-5)
    first = next(m for m in model.modules() if isinstance(m, nn.Conv2d))
    torch.testing.assert_close(recorder.kernels(snapshot), first.weight.detach())


def test_alexnet_copies_only_its_first_two_convolutions():
    model = build(PRESETS["alexnet"])
    recorder = LiveRecorder(model, 224)
    snapshot = recorder.copy(model, 1, 0.1)
    conv1, conv2 = [m for m in model.modules() if isinstance(m, nn.Conv2d)][:2]
    weights = sum(m.weight.numel() + m.bias.numel() for m in (conv1, conv2))
    assert snapshot.nbytes == pytest.approx(weights * 4, rel=0.001)  # + Normalize's two numbers
    assert snapshot.nbytes < 3 * 2**20 and 4 <= recorder.store.capacity < 48


def test_kernels_are_the_weights_at_each_snapshot_while_training():
    spec = PRESETS["lenet_relu"]
    torch.manual_seed(0)
    model = build(spec)
    images, labels = _images(256), torch.randint(0, 10, (256,), generator=torch.Generator().manual_seed(2))
    config = TrainConfig(epochs=2, batch_size=64, lr=0.01, report_every=1, seed=0)
    seen = []  # (step, the first conv's weight as it was at that report)
    initial = model.conv1.weight.detach().clone()
    job = TrainingJob(model, (images, labels), (images[:64], labels[:64]), config, live=LiveOptions())
    report = job._report

    def spy(progress):
        seen.append((progress.step, model.conv1.weight.detach().clone()))
        report(progress)
    job._report = spy
    job.start()
    assert job.join(120) and job.status == "finished"
    snapshots = job.live_snapshots()
    by_step = {0: initial, **dict(seen)}  # step 0: the weights the run started from, before any step
    assert len(snapshots) == len(seen) + 1 == 9 and [s.step for s in snapshots] == [0] + [step for step, _ in seen]
    for snap in snapshots:
        torch.testing.assert_close(job.live.kernels(snap), by_step[snap.step], rtol=0, atol=0)
    assert not torch.equal(job.live.kernels(snapshots[0]), job.live.kernels(snapshots[-1]))
    torch.testing.assert_close(job.live.kernels(snapshots[-1]), model.conv1.weight.detach(), rtol=0, atol=0)


def test_the_store_is_bounded_and_spans_the_run_evenly():
    store = SnapshotStore(capacity=6)
    for i in range(100):
        store.add(i)
        assert len(store.items()) <= 6
    kept = store.items()
    gaps = {b - a for a, b in zip(kept, kept[1:])}
    assert kept[0] == 0 and len(gaps) == 1 and kept[-1] + gaps.pop() > 99 - 16  # even steps reaching the end
    with pytest.raises(ValueError, match="capacity"):
        SnapshotStore(1)


def test_a_recorder_ends_its_replay_with_the_latest_snapshot():
    model = build(PRESETS["lenet"])
    recorder = LiveRecorder(model, max_snapshots=4)
    for step in range(1, 12):
        recorder.add(recorder.copy(model, step, step / 10))
    steps = [s.step for s in recorder.snapshots()]
    assert steps[0] == 1 and steps[-1] == 11 and len(steps) <= 5


def test_a_network_without_convolutions_has_no_kernels():
    spec = Architecture(name="mlp", layers=(Flatten(), Linear(out_features=32), Linear(out_features=10)))
    model = build(spec)
    recorder = LiveRecorder(model)
    assert not recorder.plan.has_kernels and recorder.plan.stages == ()
    assert recorder.copy(model, 1, 0.1) is None
    job = TrainingJob(model, (_images(64), torch.zeros(64, dtype=torch.long)), (_images(8),
                      torch.zeros(8, dtype=torch.long)), TrainConfig(epochs=1, batch_size=32), live=LiveOptions())
    job.start()
    assert job.join(60) and job.status == "finished" and job.live_snapshots() == ()


def test_one_example_of_each_class():
    images = _images(30)
    labels = torch.arange(30) % 10
    examples = class_examples(images, labels)
    assert torch.equal(examples, images[:10])


def test_a_wrapped_network_shows_its_kernels_and_no_scores_as_maps():
    """A model wrapped whole in another module (as tests wrap one to make it diverge): one "block" that ends
    in scores (N, 10), which are not feature maps."""
    inner = build(PRESETS["lenet_relu"])
    wrapper = nn.Sequential()
    wrapper.add_module("net", inner)
    recorder = LiveRecorder(wrapper)
    snapshot = recorder.copy(wrapper, 1, 0.1)
    torch.testing.assert_close(recorder.kernels(snapshot), inner.conv1.weight.detach())
    assert recorder.feature_maps(snapshot, _images()) == {}
