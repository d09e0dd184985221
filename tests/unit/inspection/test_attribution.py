"""cnnviz.inspection.attribution: each captum method equals the method computed by hand in torch on a tiny model, and
every method runs for every preset at its input size."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest
import torch
from torch import nn

from cnnviz.inspection import attribution as attr
from cnnviz.arch import PRESETS, Activation, Architecture, Conv, Flatten, Linear, build
from cnnviz.arch.modules import Normalize
from cnnviz.training.input import init_weights

pytestmark = pytest.mark.usefixtures("one_torch_thread")
TARGETS = (0, 2)


@pytest.fixture(scope="module")
def tiny():
    """1-channel 6x6 input -> normalize -> conv 3x3 (3 channels) -> ReLU -> linear to 4 classes."""
    torch.manual_seed(5)
    return nn.Sequential(OrderedDict(
        normalize=Normalize(0.3, 0.4), conv1=nn.Conv2d(1, 3, 3), act1=nn.ReLU(), flatten=nn.Flatten(),
        fc1=nn.Linear(3 * 4 * 4, 4))).eval()


@pytest.fixture(scope="module")
def image():
    return torch.rand(1, 6, 6, generator=torch.Generator().manual_seed(1))  # (C, H, W) in [0, 1]


def score(model: nn.Module, x: torch.Tensor, target: int) -> torch.Tensor:
    return model(x)[0, target]


def gradient(model: nn.Module, x: torch.Tensor, target: int) -> torch.Tensor:
    x = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(score(model, x, target), x)
    return grad


@pytest.mark.parametrize("target", TARGETS)
def test_saliency_is_the_absolute_input_gradient(tiny, image, target):
    got = attr.attribute(tiny, image, "saliency", target)
    want = gradient(tiny, image[None], target).abs()[0, 0]  # captum's abs=True default
    assert got.map.shape == (6, 6) and want.sum() > 0
    torch.testing.assert_close(got.map, want)


@pytest.mark.parametrize("target", TARGETS)
def test_integrated_gradients_is_the_gauss_legendre_path_sum(tiny, image, target):
    steps = 7
    got = attr.attribute(tiny, image, "integrated gradients", target, ig_steps=steps)
    points, weights = np.polynomial.legendre.leggauss(steps)  # on [-1, 1]; captum's default method
    x, baseline = image[None], torch.zeros(1, 1, 6, 6)
    path = sum(0.5 * w * gradient(tiny, baseline + 0.5 * (1 + a) * (x - baseline), target)
               for a, w in zip(points, weights))  # the mean gradient along the straight path
    want = ((x - baseline) * path)[0, 0]
    assert want.abs().sum() > 0
    torch.testing.assert_close(got.map, want, rtol=1e-4, atol=1e-6)
    # Completeness: with enough points the attributions add up to the score's change from the black image.
    with torch.no_grad():
        change = score(tiny, x, target) - score(tiny, baseline, target)
    fine = attr.attribute(tiny, image, "integrated gradients", target, ig_steps=64)
    assert float(fine.map.sum()) == pytest.approx(float(change), rel=0.02)


def occluded_by_hand(model, x, target, window, stride):
    """Each pixel: the mean score drop over the windows that cover it, each window set to black."""
    with torch.no_grad():
        full = score(model, x, target)
        total, count = torch.zeros(6, 6), torch.zeros(6, 6)
        for top in range(0, 6 - window + 1, stride):
            for left in range(0, 6 - window + 1, stride):
                hidden = x.clone()
                hidden[..., top:top + window, left:left + window] = 0
                total[top:top + window, left:left + window] += full - score(model, hidden, target)
                count[top:top + window, left:left + window] += 1
    return total / count


@pytest.mark.parametrize("target", TARGETS)
def test_occlusion_is_the_score_drop_when_a_window_is_blacked_out(tiny, image, target):
    assert attr.occlusion_window(6) == (2, 1)
    got = attr.attribute(tiny, image, "occlusion", target)
    want = occluded_by_hand(tiny, image[None], target, window=2, stride=1)
    assert want.abs().sum() > 0
    torch.testing.assert_close(got.map, want)
    bigger = attr.attribute(tiny, image, "occlusion", target, window=3)  # stride 3: four windows, no overlap
    torch.testing.assert_close(bigger.map, occluded_by_hand(tiny, image[None], target, window=3, stride=3))


@pytest.mark.parametrize("target", TARGETS)
def test_grad_cam_is_the_relu_of_gradient_weighted_maps(tiny, image, target):
    got = attr.attribute(tiny, image, "grad-cam", target, layer="conv1")
    maps = tiny.conv1(tiny.normalize(image[None])).detach().requires_grad_(True)  # (1, 3, 4, 4)
    (grad,) = torch.autograd.grad(tiny[2:](maps)[0, target], maps)
    cam = torch.relu((grad.mean(dim=(2, 3), keepdim=True) * maps).sum(dim=1, keepdim=True))  # (1, 1, 4, 4)
    want = nn.functional.interpolate(cam, size=(6, 6), mode="bilinear", align_corners=False)[0, 0]
    assert got.map.shape == (6, 6) and want.sum() > 0 and got.layer == "conv1"
    torch.testing.assert_close(got.map, want.detach())


def test_the_model_is_left_as_it_was(tiny, image):
    tiny.train()
    for method in attr.METHODS:
        attr.attribute(tiny, image, method, 1, layer="conv1")
    assert tiny.training and all(p.grad is None for p in tiny.parameters())  # a shared model stays untouched
    tiny.eval()


def test_uint8_and_colour_images_are_explained_per_pixel():
    torch.manual_seed(0)
    spec = Architecture(name="colour", layers=(Conv(4, kernel=3), Activation("relu"), Flatten(), Linear(10)),
                        input_shape=(3, 8, 8))
    model = build(spec).eval()
    pixels = torch.randint(0, 256, (3, 8, 8), dtype=torch.uint8, generator=torch.Generator().manual_seed(2))
    got = attr.attribute(model, pixels, "saliency", 7)
    want = gradient(model, pixels[None].float() / 255, 7).abs().sum(dim=1)[0]  # channels summed
    torch.testing.assert_close(got.map, want)


@pytest.mark.parametrize("layer, match", [
    ("act1", "act1 is not a convolution"), ("fc1", "fc1 is not a convolution"),
    ("normalize", "not in this model"), ("conv9", "conv9 is not in this model; choose one of conv1"),
])
def test_grad_cam_on_a_layer_without_feature_maps_says_why(tiny, image, layer, match):
    with pytest.raises(attr.AttributionError, match=match):
        attr.attribute(tiny, image, "grad-cam", 0, layer=layer)


def test_a_model_without_convolutions_has_no_grad_cam_but_the_other_methods(image):
    mlp = nn.Sequential(OrderedDict(normalize=Normalize(0.3, 0.4), flatten=nn.Flatten(), fc1=nn.Linear(36, 4)))
    assert attr.conv_layers(mlp) == []
    with pytest.raises(attr.AttributionError, match="no convolutional layer") as caught:
        attr.attribute(mlp, image, "grad-cam", 0, layer="fc1")
    assert "卷积层" in caught.value.render("zh")  # the reader's language, from the catalog
    weights = mlp.fc1.weight[3].reshape(6, 6) / 0.4  # a linear model's input gradient is its weights
    torch.testing.assert_close(attr.attribute(mlp, image, "saliency", 3).map, weights.abs().detach())


@pytest.mark.parametrize("method, target, match", [
    ("smoothgrad", 0, "method smoothgrad is not one of saliency"), ("saliency", 4, "class 4 is not one of"),
])
def test_an_unknown_method_or_class_says_so(tiny, image, method, target, match):
    with pytest.raises(attr.AttributionError, match=match):
        attr.attribute(tiny, image, method, target)


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_method_runs_for_every_preset_at_its_input_size(preset):
    spec = PRESETS[preset]
    torch.manual_seed(0)
    model = build(spec).eval()  # untrained: the shapes and the plumbing are what is tested
    init_weights(model, "xavier")  # as the page builds the book's untrained networks (PyTorch's default leaves
    channels, side, _ = spec.input_shape  # NiN's class maps dead); 28, or the book's 96 and 224
    image = torch.rand(channels, side, side, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        target = int(model(image[None]).argmax())
    layer = attr.conv_layers(model)[-1]
    for method in attr.METHODS:
        # One IG point and one occlusion window the image's size: seconds, not minutes, for VGG at 224.
        got = attr.attribute(model, image, method, target, layer=layer, ig_steps=1, window=side)
        assert got.map.shape == (side, side) and torch.isfinite(got.map).all(), method
        if method in ("saliency", "grad-cam"):
            assert (got.map >= 0).all(), method
        if method == "saliency":
            assert got.map.sum() > 0


def test_the_figure_shows_each_map_with_its_values_and_a_note_where_a_method_failed(tiny, image):
    from cnnviz.figures.attribution import attribution_grid

    maps = {m: attr.attribute(tiny, image, m, 1, layer="conv1").map for m in attr.METHODS}
    fig = attribution_grid(image, [("predicted", maps), ("other", {**maps, "grad-cam": "不适用"})], "conv1",
                           lang="zh")
    heat = [t for t in fig.data if t.type == "heatmap"]
    assert len(heat) == 9  # 2 images + 4 maps + 3 maps
    np.testing.assert_allclose(heat[0].z, image[0].numpy() * 255, rtol=1e-6)
    for trace, method in zip(heat[1:5], attr.METHODS):
        np.testing.assert_allclose(trace.z, maps[method].numpy())
    occlusion = heat[3]
    assert occlusion.zmin == -occlusion.zmax > -float(maps["occlusion"].abs().max()) - 1e-6  # signed, centred
    texts = [a.text for a in fig.layout.annotations]
    assert texts[:5] == ["图像", "显著性图", "积分梯度", "遮挡", "conv1 上的<br>Grad-CAM"]  # CJK: twice as wide
    assert "不适用" in texts  # the second row's Grad-CAM cell shows its note instead of a map


@pytest.mark.parametrize("layer,lang,title", [
    ("conv2", "en", "Grad-CAM at conv2"),  # fits above its column on one line
    ("residual6", "en", "Grad-CAM at<br>residual6"),  # ResNet's last block: one line passes the figure's edge
    ("transition2", "zh", "transition2<br>上的 Grad-CAM"),
    ("dense3", "zh", "dense3 上的<br>Grad-CAM"),  # as many letters as "Grad-CAM at conv2", but 上的 is twice as wide
])
def test_a_long_grad_cam_title_wraps_inside_the_figure(image, layer, lang, title):
    from cnnviz.figures.attribution import attribution_grid

    fig = attribution_grid(image, [("predicted", {})], layer, lang=lang)
    assert fig.layout.annotations[4].text == title
    assert fig.layout.margin.t == (62 if "<br>" in title else 40)  # room for the second line above the maps
