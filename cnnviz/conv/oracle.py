"""'Same as PyTorch': the page's numbers recomputed with torch.nn layers, and the largest difference."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class Check:
    code: str  # the PyTorch line that computes the same thing
    max_abs_diff: float


def conv_check(X: torch.Tensor, K: torch.Tensor, Y: torch.Tensor, padding, stride, dilation) -> Check:
    """nn.Conv2d with weight K, no bias, on X (c_in, h, w) against our Y (c_out, oh, ow); K (c_out, c_in, kh, kw)."""
    c_out, c_in, kh, kw = K.shape
    # skip_init: the weights are overwritten below, and the default random init costs milliseconds.
    layer = nn.utils.skip_init(nn.Conv2d, c_in, c_out, (kh, kw), stride=stride, padding=padding,
                               dilation=dilation, bias=False, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(K)
        ref = layer(X.to(torch.float64).unsqueeze(0))[0]  # (c_out, oh, ow)
    code = (f"nn.Conv2d({c_in}, {c_out}, kernel_size={(kh, kw)}, padding={tuple(padding)}, "
            f"stride={tuple(stride)}, dilation={tuple(dilation)}, bias=False)")
    return Check(code, _diff(ref, Y))


def pool_check(X: torch.Tensor, Y: torch.Tensor, mode: str, pool_size, padding, stride) -> Check:
    """nn.MaxPool2d / nn.AvgPool2d on X (c, h, w) against our Y (c, oh, ow), stride given explicitly."""
    if mode == "max":
        layer, name = nn.MaxPool2d(pool_size, stride=stride, padding=padding), "MaxPool2d"
    else:
        layer, name = nn.AvgPool2d(pool_size, stride=stride, padding=padding, count_include_pad=True), "AvgPool2d"
    ref = layer(X.to(torch.float64).unsqueeze(0))[0]
    code = f"nn.{name}({tuple(pool_size)}, stride={tuple(stride)}, padding={tuple(padding)})"
    return Check(code, _diff(ref, Y))


def _diff(ref: torch.Tensor, ours: torch.Tensor) -> float:
    if ref.shape != ours.shape:
        return float("inf")
    return float((ref - ours).abs().max()) if ref.numel() else 0.0
