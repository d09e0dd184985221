"""A first convolution that starts by whitening its input's 3x3 patches, as the speed records for small-image
training do (airbench on CIFAR-10): computed from the training images in a fraction of a second, it hands the
rest of the network decorrelated, unit-variance inputs instead of the few epochs' learning of edges.

PCA whitening of k x k patches: with the patches' covariance C = V diag(lambda) V^T (eigenvalues largest first),
the filters are the rows of diag(1 / sqrt(lambda + eps)) V^T, so each filter's response to the centred patches
has variance lambda / (lambda + eps), about 1, and the responses are uncorrelated. A convolution with more
channels than k*k filters repeats them negated (w and -w: after a max pool and ReLU both signs survive).
"""

from __future__ import annotations

import torch
from torch import nn

WHITEN_EPS = 1e-2  # added to each eigenvalue (standardised inputs: eigenvalues 0.02 to 6.9 for 3x3 patches)
WHITEN_IMAGES = 10_000  # training images whose patches are used (7.8 million 3x3 patches)


def first_conv(model: nn.Module) -> nn.Conv2d | None:
    """The model's first nn.Conv2d, or None."""
    return next((m for m in model.modules() if isinstance(m, nn.Conv2d)), None)


def patch_covariance(batch: torch.Tensor, kernel: int, padding: int) -> torch.Tensor:
    """float (B, C, H, W) -> (C k^2, C k^2) float64: the covariance of every k x k patch a stride-1 convolution
    sees. Each image's patches are multiplied in float32 (784 products a sum at 28x28), the images' sums added in
    float64: 2.3 times faster than one (B L, D) matrix in float64, and equal to it to about 1e-6."""
    cols = nn.functional.unfold(batch, kernel, padding=padding)  # (B, D, L)
    count = cols.shape[0] * cols.shape[2]
    mean = cols.sum((0, 2), dtype=torch.float64) / count  # (D,)
    second = torch.bmm(cols, cols.transpose(1, 2)).sum(0, dtype=torch.float64) / count  # (D, D)
    return second - torch.outer(mean, mean)


def whitening_filters(covariance: torch.Tensor, eps: float = WHITEN_EPS) -> torch.Tensor:
    """(D, D) covariance of the patches -> (D, D) filters, one a row, largest-variance direction first; applied
    to the centred patches they give outputs with covariance diag(lambda / (lambda + eps)) (about the identity)."""
    eigenvalues, eigenvectors = torch.linalg.eigh(covariance.double())  # ascending
    eigenvalues, eigenvectors = eigenvalues.flip(0), eigenvectors.flip(1)
    return (eigenvectors / torch.sqrt(eigenvalues.clamp(min=0) + eps)).T.float()


@torch.no_grad()
def whiten_first_conv(model: nn.Module, images: torch.Tensor, eps: float = WHITEN_EPS) -> nn.Conv2d:
    """Sets the first convolution's weights to whiten its input patches and its bias to 0 (batch norm follows).

    `images`: uint8 (N, 28, 28) training images; they pass through every module before that convolution (the
    model's Normalize), on the CPU. The convolution needs 1 input channel, stride-1 use and at most 2 k^2
    output channels; returns it."""
    conv = first_conv(model)
    if conv is None or conv.in_channels != 1 or conv.groups != 1:
        raise ValueError("whitening needs a first convolution with one input channel")
    kernel, padding = conv.kernel_size[0], conv.padding[0]
    sample = images[:WHITEN_IMAGES].to(conv.weight.device)  # wherever the model is
    filters = whitening_filters(patch_covariance(_input_of(model, conv, sample), kernel, padding), eps)
    bank = torch.cat([filters, -filters])  # (2 k^2, k^2)
    if conv.out_channels > len(bank):
        raise ValueError(f"whitening gives {len(bank)} filters; the first convolution has {conv.out_channels}")
    conv.weight.copy_(bank[:conv.out_channels].reshape(conv.weight.shape))
    if conv.bias is not None:
        conv.bias.zero_()
    return conv


def _input_of(model: nn.Module, conv: nn.Conv2d, images: torch.Tensor) -> torch.Tensor:
    """What `conv` receives for uint8 (N, 28, 28) `images`: float (N, 1, 28, 28) through the modules before it."""
    x = images.unsqueeze(1).float().div(255)
    for module in model.children():
        if module is conv:
            return x
        x = module(x)
    raise ValueError("the first convolution is not a direct child of the model")
