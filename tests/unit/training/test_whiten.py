"""The whitened first convolution (issue 27): its filters really whiten Fashion-MNIST's 3x3 patches, the
convolution computes exactly those filters, and fit keeps it frozen for the run only."""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch
from torch import nn

from cnnviz.arch import PRESETS, build
from cnnviz.training.loop import TrainConfig, TrainingError, fit
from cnnviz.training.recipes import FAST_DEMO
from cnnviz.training.whiten import WHITEN_EPS, patch_covariance, whiten_first_conv, whitening_filters


@pytest.fixture(scope="module")
def fashion():
    from cnnviz.data import load_fashion_mnist
    return load_fashion_mnist(train=True), load_fashion_mnist(train=False)


def _standardised(model, images):
    return model.normalize(images.unsqueeze(1).float() / 255)  # (N, 1, 28, 28)


def _patches(batch, kernel, padding):
    """float (B, 1, H, W) -> (B * H * W, k^2): each window a padded stride-1 convolution sees, cut out one by one."""
    padded = nn.functional.pad(batch[:, 0], (padding,) * 4)
    side = batch.shape[-1]
    return torch.stack([padded[:, i:i + kernel, j:j + kernel].reshape(len(batch), -1)
                        for i in range(side) for j in range(side)], 1).reshape(-1, kernel * kernel)


def _covariance(rows):
    centred = rows.double() - rows.double().mean(0)
    return centred.T @ centred / len(rows)


def test_the_patch_covariance_is_the_covariance_of_every_window_the_convolution_sees(fashion):
    (images, _), _ = fashion
    x = _standardised(build(PRESETS["fast_demo"]), images[:200])
    rows = _patches(x, 3, 1)
    assert rows.shape == (200 * 784, 9)  # 156,800 windows cut out by slicing
    assert torch.allclose(patch_covariance(x, 3, 1), _covariance(rows), rtol=0, atol=1e-6)


def test_without_eps_the_filters_turn_the_patches_covariance_into_the_identity(fashion):
    (images, _), _ = fashion
    rows = _patches(_standardised(build(PRESETS["fast_demo"]), images[:500]), 3, 1).double()
    filters = whitening_filters(_covariance(rows), eps=0.0).double()  # (9, 9)
    out = (rows - rows.mean(0)) @ filters.T
    covariance = out.T @ out / len(out)
    assert torch.allclose(covariance, torch.eye(9, dtype=torch.float64), atol=2e-4)


def test_with_eps_each_filters_variance_is_lambda_over_lambda_plus_eps(fashion):
    (images, _), _ = fashion
    rows = _patches(_standardised(build(PRESETS["fast_demo"]), images[:500]), 3, 1).double()
    centred = rows - rows.mean(0)
    eigenvalues = torch.linalg.eigvalsh(_covariance(rows)).flip(0)  # largest first
    out = centred @ whitening_filters(_covariance(rows)).double().T
    covariance = out.T @ out / len(out)
    expected = torch.diag(eigenvalues / (eigenvalues + WHITEN_EPS))
    assert torch.allclose(covariance, expected, atol=2e-4)
    assert expected[0, 0] > 0.99 and expected[-1, -1] > 0.6  # Fashion-MNIST: eigenvalues 6.9 down to 0.02


def test_the_first_convolution_computes_the_filters_and_their_negatives(fashion):
    (images, _), _ = fashion
    torch.manual_seed(0)
    model = build(PRESETS["fast_demo"])
    conv = whiten_first_conv(model, images[:300])
    assert conv is model.conv1 and conv.out_channels == 16
    x = _standardised(model, images[:300])
    filters = whitening_filters(_covariance(_patches(x, 3, 1)))  # (9, 9)
    # the covariances agree to 1e-6; the filters scale them by up to 1 / sqrt(0.02 + eps), about 6
    assert torch.allclose(conv.weight[:9].reshape(9, 9), filters, rtol=0, atol=1e-4)
    assert torch.allclose(conv.weight[9:].reshape(7, 9), -filters[:7], rtol=0, atol=1e-4)  # largest-variance ones
    assert torch.equal(conv.bias, torch.zeros(16))
    with torch.no_grad():
        out = conv(x)[:, :9].permute(0, 2, 3, 1).reshape(-1, 9).double()  # (N*784, 9)
    out = out - out.mean(0)
    covariance = out.T @ out / len(out)
    assert torch.allclose(covariance.diagonal(), torch.ones(9, dtype=torch.float64), atol=0.35)
    assert (covariance - torch.diag(covariance.diagonal())).abs().max() < 1e-3


def test_a_network_that_cannot_be_whitened_is_refused_in_words(fashion):
    train, test = fashion
    config = TrainConfig(whiten=True, epochs=1, max_train_samples=64, max_test_samples=64, device="cpu")
    with pytest.raises(TrainingError, match="cannot start from whitened patches"):
        fit(nn.Sequential(nn.Flatten(), nn.Linear(784, 10)), train, test, config)


def test_fit_keeps_the_whitened_convolution_frozen_and_trainable_afterwards(fashion):
    train, test = fashion
    torch.manual_seed(0)
    model = build(PRESETS["fast_demo"])
    config = replace(FAST_DEMO.config, whiten=True, epochs=1, batch_size=32, max_train_samples=128,
                     max_test_samples=64, device="cpu", channels_last=False)
    expected = build(PRESETS["fast_demo"])
    whiten_first_conv(expected, train[0][:128])  # the run's own 128 images
    started = []
    fit(model, train, test, config, on_start=lambda m: started.append(m.conv1.weight.detach().clone()))
    assert torch.equal(started[0], expected.conv1.weight)  # whitened before the first step
    assert torch.equal(model.conv1.weight, expected.conv1.weight)  # and never stepped
    assert not torch.equal(model.conv2.weight, build(PRESETS["fast_demo"]).conv2.weight)
    assert all(p.requires_grad for p in model.parameters())
