"""The images that excite a channel most: each image's peak of every channel equals the maximum of the full
forward pass's map (forward hooks on the whole model), at the same unit; the top list is sorted."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from cnnviz.arch import PRESETS, build
from cnnviz.inspection.capture import ActivationError
from cnnviz.inspection.top_images import channel_peaks
from cnnviz.inspection.unit_trace import trace_units


def _images(count: int = 37) -> torch.Tensor:
    return torch.randint(0, 256, (count, 28, 28), dtype=torch.uint8, generator=torch.Generator().manual_seed(4))


@pytest.mark.parametrize("preset, layer", [("lenet_modern", "act2"), ("lenet_modern", "fc1"),
                                           ("googlenet_small", "inception1.b3_2"), ("vgg_small", "vgg2.1")])
def test_each_images_peak_is_the_max_of_its_map(preset, layer):
    torch.manual_seed(0)
    model = build(PRESETS[preset]).eval()
    images = _images()
    done = []
    peaks = channel_peaks(model, layer, images, progress=done.append, batch_size=16)
    assert done == [16 / 37, 32 / 37, 1.0]
    for i in (0, 17, 36):
        full = trace_units(model, images[i]).step(layer).output  # (C, H, W) or (F,)
        flat = full.flatten(1) if full.dim() == 3 else full[:, None]
        assert torch.allclose(peaks.values[i], flat.max(dim=1).values, atol=1e-5)
        for c in range(0, flat.shape[0], 5):
            assert flat[c, peaks.positions[i, c]] == pytest.approx(float(flat[c].max()), abs=1e-5)


def test_the_top_images_are_the_largest_and_name_their_unit():
    torch.manual_seed(1)
    model = build(PRESETS["lenet"]).eval()
    images = _images(50)
    peaks = channel_peaks(model, "conv2", images)
    top = peaks.top(channel=3, count=5)
    values = [value for _i, value, _unit in top]
    assert values == sorted(values, reverse=True) and values[0] == pytest.approx(float(peaks.values[:, 3].max()))
    index, value, (row, col) = top[0]
    # conv2 of LeNet by hand: the normalised image through conv1, sigmoid, 2x2 average pooling, then conv2
    with torch.no_grad():
        x = (images[index][None, None].float() / 255 - model.normalize.mean) / model.normalize.std
        x = F.avg_pool2d(torch.sigmoid(F.conv2d(x, model.conv1.weight, model.conv1.bias, padding=2)), 2)
        conv2 = F.conv2d(x, model.conv2.weight, model.conv2.bias)[0, 3]
    assert float(conv2[row, col]) == pytest.approx(value, abs=1e-5)
    with pytest.raises(ActivationError, match="channel 16 is outside conv2's 16 channels"):
        peaks.top(16)
    with pytest.raises(ActivationError, match="layer conv9 is not in this model"):
        channel_peaks(model, "conv9", images)


@pytest.mark.parametrize("layer", ["conv1", "act2"])
def test_the_batch_keeps_the_largest_output_up_to_the_layer_under_the_budget(layer, monkeypatch):
    """Modern LeNet's largest output up to conv1 (itself) or act2 is conv1's 16 x 28 x 28 floats; with a budget of
    ten such outputs, ten images go through at a time, and the peaks are those of one large batch."""
    from cnnviz.inspection import top_images

    torch.manual_seed(0)
    model = build(PRESETS["lenet_modern"]).eval()
    conv1 = 16 * 28 * 28
    assert tuple(trace_units(model, _images(1)[0]).step("conv1").output.shape) == (16, 28, 28)
    monkeypatch.setattr(top_images, "BATCH_BYTES", 4 * conv1 * 10 + 3)
    images = _images(25)
    assert top_images.batch_for(model, dict(model.named_modules())[layer], images[:1, None].float() / 255) == 10
    done = []
    peaks = channel_peaks(model, layer, images, progress=done.append)
    assert done == [10 / 25, 20 / 25, 1.0]
    whole = channel_peaks(model, layer, images, batch_size=25)
    assert torch.allclose(peaks.values, whole.values, atol=1e-5) and torch.equal(peaks.positions, whole.positions)


def test_a_time_budget_keeps_the_first_images_searched_and_none_searches_them_all():
    torch.manual_seed(0)
    model = build(PRESETS["lenet_modern"]).eval()
    images = _images(25)
    done = []
    first = channel_peaks(model, "act2", images, progress=done.append, batch_size=10, budget_s=0.0)
    assert first.values.shape[0] == 10 and done == [10 / 25]  # the first batch always runs
    everything = channel_peaks(model, "act2", images, batch_size=10, budget_s=None)
    assert everything.values.shape[0] == 25 and torch.allclose(first.values, everything.values[:10], atol=1e-5)
    assert channel_peaks(model, "act2", images, batch_size=10, budget_s=60.0).values.shape[0] == 25
