"""cnnviz.inspection.capture against torch itself: layer-by-layer runs, manual means, real presets."""

from __future__ import annotations

import dataclasses
from collections import OrderedDict

import pytest
import torch
from torch import nn

from cnnviz.inspection import capture as act
from cnnviz.arch import PRESETS, build, trace


class Normalize(nn.Module):
    def forward(self, x):
        return (x - 0.2860) / 0.3530


def small_lenet(seed: int = 0, inplace: bool = False) -> nn.Sequential:
    """The contract's shape: `normalize` first, then children named like trace rows."""
    torch.manual_seed(seed)
    return nn.Sequential(OrderedDict(
        normalize=Normalize(),
        conv1=nn.Conv2d(1, 6, 5, padding=2), act1=nn.ReLU(inplace=inplace), pool1=nn.MaxPool2d(2),
        conv2=nn.Conv2d(6, 16, 5), bn2=nn.BatchNorm2d(16), act2=nn.Sigmoid(), pool2=nn.AvgPool2d(2),
        flatten=nn.Flatten(), fc1=nn.Linear(400, 120), act3=nn.ReLU(), fc2=nn.Linear(120, 10),
    ))


@pytest.fixture
def images() -> torch.Tensor:
    generator = torch.Generator().manual_seed(1)
    return torch.randint(0, 256, (8, 28, 28), dtype=torch.uint8, generator=generator)


def layer_by_layer(model: nn.Sequential, batch: torch.Tensor) -> dict[str, torch.Tensor]:
    out, x = {}, batch
    for name, module in model.named_children():
        x = module(x)
        out[name] = x.clone()  # an in-place ReLU would overwrite x
    return out


@pytest.mark.parametrize("inplace", [False, True])
def test_capture_equals_running_the_layers_one_by_one(images, inplace):
    model = small_lenet(inplace=inplace).eval()
    got = act.capture(model, images)
    with torch.no_grad():
        want = layer_by_layer(model, images[:, None].float() / 255)
    assert list(got) == act.layer_names(model) == list(want)[1:]
    for name, tensor in got.items():
        assert not tensor.requires_grad and tensor.device.type == "cpu"
        torch.testing.assert_close(tensor, want[name], rtol=0, atol=0)


def test_capture_accepts_uint8_and_float_and_chosen_layers(images):
    model = small_lenet()
    from_uint8 = act.capture(model, images, ["conv2", "pool1"])
    from_float = act.capture(model, images[:, None].float() / 255, ["conv2", "pool1"])
    assert list(from_uint8) == ["conv2", "pool1"]
    assert from_uint8["conv2"].shape == (8, 16, 10, 10)
    torch.testing.assert_close(from_uint8["conv2"], from_float["conv2"])


def test_capture_leaves_the_mode_and_refuses_bad_input(images):
    model = small_lenet().train()
    act.capture(model, images)
    assert model.training  # put back as it was
    with pytest.raises(act.ActivationError, match="conv9.*choose from normalize|conv9.*conv1"):
        act.capture(model, images, ["conv9"])
    with pytest.raises(act.ActivationError, match=r"\[0, 1\]"):
        act.capture(model, images.float())
    with pytest.raises(act.ActivationError, match="one channel"):
        act.capture(model, torch.zeros(2, 3, 28, 28))


def test_predict_proba_is_the_softmax_of_the_logits(images):
    model = small_lenet().eval()
    probs = act.predict_proba(model, images)
    with torch.no_grad():
        want = torch.softmax(model(images[:, None].float() / 255), dim=1)
    torch.testing.assert_close(probs, want)
    torch.testing.assert_close(probs.sum(dim=1), torch.ones(8))


def test_class_means_differences_and_channel_means_match_manual_sums():
    maps = torch.arange(6 * 2 * 3 * 3, dtype=torch.float32).reshape(6, 2, 3, 3) ** 1.5
    labels = torch.tensor([2, 4, 2, 4, 4, 7])
    means = act.class_mean_maps(maps, labels, [2, 4])
    coat = (maps[1] + maps[3] + maps[4]) / 3
    torch.testing.assert_close(means[0], (maps[0] + maps[2]) / 2)
    torch.testing.assert_close(means[1], coat)
    torch.testing.assert_close(act.mean_difference(means), (maps[0] + maps[2]) / 2 - coat)
    per_class = act.class_channel_means(maps, labels, [2, 4])
    assert per_class.shape == (2, 2)
    assert per_class[1, 0].item() == pytest.approx(coat[0].sum().item() / 9, rel=1e-6)
    with pytest.raises(act.ActivationError, match="no images of class"):
        act.class_mean_maps(maps, labels, [0, 2])


def test_channel_separation_is_fishers_ratio_and_finds_the_separating_channel():
    generator = torch.Generator().manual_seed(0)
    noise = torch.randn(40, 3, 4, 4, generator=generator) * 0.1
    labels = torch.tensor([0] * 20 + [1] * 20)
    maps = noise.clone()
    maps[20:, 2] += 1.0  # only channel 2 tells class 1 from class 0
    score = act.channel_separation(maps, labels, [0, 1])
    per_image = maps.mean(dim=(2, 3))  # (N, C)
    a, b = per_image[:20], per_image[20:]
    between = ((a.mean(0) - b.mean(0)) / 2) ** 2
    within = (a.var(0, unbiased=False) + b.var(0, unbiased=False)) / 2
    torch.testing.assert_close(score, between / (within + 1e-8))
    assert act.most_separating_channels(maps, labels, [0, 1], top=1) == [2]


def test_stage_groups_follow_the_book():
    groups = act.stage_groups(small_lenet())
    assert groups[0] == [("conv1", "convolution"), ("act1", "activation"), ("pool1", "pooling")]
    assert groups[1] == [("conv2", "convolution"), ("bn2", "batch norm"), ("act2", "activation"),
                         ("pool2", "pooling")]
    assert [g[0][1] for g in groups[2:]] == ["flatten", "linear", "linear"]


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_capture_shapes_equal_trace_shapes_for_every_preset(preset):
    spec = PRESETS[preset]
    model = build(spec)
    _, side, _ = spec.input_shape  # 28, or the book's 96 and 224
    images = torch.rand(1, 1, side, side, generator=torch.Generator().manual_seed(0))
    rows = trace(spec)
    got = act.capture(model, images)
    assert list(got) == [row.name for row in rows]
    for row in rows:
        assert tuple(got[row.name].shape[1:]) == tuple(row.output_shape), row.name


def test_capture_takes_batches_resized_as_training_resizes_them(images):
    """resize_batch may round a hair past [0, 1]; the model gets exactly what fit would feed it, unclamped."""
    from cnnviz.training.input import resize_batch

    torch.manual_seed(0)
    model = build(dataclasses.replace(PRESETS["lenet_relu"], input_shape=(1, 64, 64)))
    resized = resize_batch(images[:, None].float() / 255, 64)  # (8, 1, 64, 64)
    got = act.capture(model, resized, ["conv1"])["conv1"]
    torch.testing.assert_close(got, layer_by_layer(model.eval(), resized)["conv1"])
    with pytest.raises(act.ActivationError, match=r"\[0, 1\]"):
        act.capture(model, resized + 0.01)  # beyond rounding: a scaling mistake, refused
