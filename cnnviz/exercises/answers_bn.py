"""Computed answers for d2l section 8.5 (zh 7.5), batch normalization: the bias it makes redundant, and
"lite" versions that only centre or only scale, checked against nn.BatchNorm2d."""

from __future__ import annotations

import torch
from torch import nn

from cnnviz.exercises.answer import Answer, Table, said
from cnnviz.exercises.answers_common import same, same_tensor
from cnnviz.i18n import N_

EPS = 1e-5  # nn.BatchNorm2d's default


def bias_before_batch_norm(seed: int = 0) -> Answer:
    """8.5.1: a bias before batch norm is cancelled by its mean subtraction, so it can be dropped."""
    g = torch.Generator().manual_seed(seed)  # its own generator: the answer leaves torch's global one alone
    X = torch.randn(8, 3, 6, 6, generator=g, dtype=torch.float64)
    weight = torch.randn(4, 3, 3, 3, generator=g, dtype=torch.float64)
    with_bias = nn.utils.skip_init(nn.Conv2d, 3, 4, 3, bias=True, dtype=torch.float64)
    without = nn.utils.skip_init(nn.Conv2d, 3, 4, 3, bias=False, dtype=torch.float64)
    with torch.no_grad():
        with_bias.weight.copy_(weight)
        without.weight.copy_(weight)
        with_bias.bias.fill_(5.0)  # a large bias, to see it vanish
    bn_a, bn_b = nn.BatchNorm2d(4, dtype=torch.float64), nn.BatchNorm2d(4, dtype=torch.float64)  # training mode
    with torch.no_grad():
        gap = float((bn_a(with_bias(X)) - bn_b(without(X))).abs().max())
    return Answer(
        summary=N_("Remove it: batch norm subtracts each channel's batch mean, and a constant bias only shifts "
                 "that mean, so it is cancelled exactly; BN's own beta plays its role. It saves one parameter "
                 "per channel (or unit)."),
        details=said(N_("Conv2d(3, 4, 3) with bias 5 then BatchNorm2d equals the same conv without bias then "
                        "BatchNorm2d (largest difference {gap} in float64)."), gap=f"{gap:.1g}"),
        checks=(same(N_("with and without bias, after BatchNorm2d in training mode: within 1e-12"), gap < 1e-12,
                     True),
                same(N_("parameters saved"), 4, with_bias.bias.numel())))


def centre_only(X: torch.Tensor) -> torch.Tensor:
    """Remove each channel's batch mean only: X (N, C, H, W)."""
    return X - X.mean(dim=(0, 2, 3), keepdim=True)


def scale_only(X: torch.Tensor) -> torch.Tensor:
    """Divide by each channel's batch standard deviation only (biased variance, as batch norm uses)."""
    return X / torch.sqrt(X.var(dim=(0, 2, 3), unbiased=False, keepdim=True) + EPS)


def _stats(Y: torch.Tensor) -> tuple[str, str]:
    mean = Y.mean(dim=(0, 2, 3))
    std = Y.std(dim=(0, 2, 3), unbiased=False)
    return f"{float(mean.abs().max()):.2g}", said(N_("{low} to {high}"), low=f"{float(std.min()):.3g}",
                                                  high=f"{float(std.max()):.3g}")


def lite_batch_norm(seed: int = 0) -> Answer:
    """8.5.4: centre-only and scale-only batch norm; both together are nn.BatchNorm2d (no affine)."""
    g = torch.Generator().manual_seed(seed)
    X = 3.0 + 2.0 * torch.randn(16, 3, 4, 4, generator=g, dtype=torch.float64)  # mean 3, std 2 per channel
    full = nn.BatchNorm2d(3, affine=False, eps=EPS, dtype=torch.float64)(X)  # training mode: batch statistics
    rows = tuple((name, *_stats(Y)) for name, Y in ((N_("input"), X), (N_("centre only"), centre_only(X)),
                                                    (N_("scale only"), scale_only(X)), (N_("batch norm"), full)))
    return Answer(
        summary=N_("Centring only removes each channel's batch mean but keeps its spread; scaling only makes the "
                 "spread 1 but keeps the offset. Both in turn are exactly batch norm (without gamma and beta)."),
        details=N_("Which part matters is an experiment: train LeNet with each on the Train page and compare the "
                 "curves. Centring alone removes any shift (a bias before it becomes useless, as in 8.5.1) but lets "
                 "each channel's scale drift; scaling alone keeps the scale fixed, which is what lets batch norm "
                 "use large learning rates, but lets the offsets drift."),
        tables=(Table(N_("Per-channel statistics of a batch of 16 (mean 3, std 2)"),
                      (N_("version"), N_("largest |mean|"), N_("std range")), rows),),
        checks=(same_tensor(N_("centre then scale vs nn.BatchNorm2d(affine=False) in training mode"),
                            scale_only(centre_only(X)), full, atol=1e-12),
                same(N_("centre only: every channel's mean is 0 (within 1e-12)"),
                     bool(centre_only(X).mean(dim=(0, 2, 3)).abs().max() < 1e-12), True),
                same(N_("scale only: the means are kept, divided by the std"),
                     bool(torch.allclose(scale_only(X).mean(dim=(0, 2, 3)),
                                         X.mean(dim=(0, 2, 3)) / torch.sqrt(X.var(dim=(0, 2, 3), unbiased=False)
                                                                            + EPS))), True)))
