"""metrics.predict at a network's own input size: the same classes as the model called by hand on the images
resized by torchvision, and the confusion matrix of a resized network counted against a loop."""

from __future__ import annotations

import functools

import pytest
import torch
from torchvision.transforms.v2 import functional as TF

from cnnviz.training import metrics
from cnnviz.arch import PRESETS, build
from cnnviz.data import load_fashion_mnist
from cnnviz.training.loop import TrainConfig, fit


@pytest.fixture(scope="module")
def test_images():
    images, labels = load_fashion_mnist(train=False)
    return images[:200], labels[:200]


@functools.cache
def lenet_at(side: int) -> torch.nn.Module:
    """LeNet built for side x side inputs (its Linear layer sized to match), trained one epoch on 1,000 real
    images resized by fit, so its predictions spread over the classes."""
    torch.manual_seed(side)
    model = build(PRESETS["lenet_relu"], 1, side)
    images, labels = load_fashion_mnist(train=True)
    fit(model, (images[:1_000], labels[:1_000]), (images[:8], labels[:8]),
        TrainConfig(epochs=1, batch_size=50, device="cpu", input_size=side, mixed_precision=False))
    return model.eval()


@pytest.mark.parametrize("side", [32, 64])
def test_predict_resizes_as_torchvision_then_calls_the_model(side, test_images):
    images, _ = test_images
    model = lenet_at(side)
    resized = TF.resize(images.unsqueeze(1).float() / 255, [side, side], antialias=True)  # (N, 1, side, side)
    with torch.no_grad():
        expected = model(resized).argmax(1)
    got = metrics.predict(model, images, batch_size=64, input_size=side)
    assert got.dtype == torch.int64 and got.shape == (200,)
    assert torch.equal(got, expected)
    assert len(expected.unique()) >= 5  # the predictions spread over the classes: a real comparison


def test_a_network_for_another_size_cannot_take_28x28_images(test_images):
    """The bug this fixes: without the resize the confusion matrix of a 224 network broke."""
    with pytest.raises(RuntimeError):
        metrics.predict(lenet_at(32), test_images[0][:4])


def test_the_confusion_matrix_of_a_resized_network_counts_every_pair(test_images):
    images, labels = test_images
    predictions = metrics.predict(lenet_at(32), images, input_size=32)
    confusion = metrics.confusion_matrix(labels, predictions)
    expected = torch.zeros(10, 10, dtype=torch.int64)
    for true, predicted in zip(labels.tolist(), predictions.tolist()):
        expected[true, predicted] += 1
    assert torch.equal(confusion, expected) and confusion.sum() == 200
