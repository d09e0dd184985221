"""Computed answers for d2l section 7.5 (zh 6.5), pooling: average pooling as a convolution, why max
pooling is not one, max pooling built from convolutions and ReLU, its cost, and minimum pooling."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from cnnviz.exercises.answer import Answer, Table, said
from cnnviz.exercises.answers_common import flops_of, matrix, same, same_tensor
from cnnviz.exercises.answers_padding import formula_side
from cnnviz.i18n import N_


def avg_pool_as_conv(X: torch.Tensor, window: int) -> torch.Tensor:
    """A constant kernel 1/window^2 per channel (groups = channels), stride = window: X (N, C, H, W)."""
    channels = X.shape[1]
    K = torch.full((channels, 1, window, window), 1 / window ** 2, dtype=X.dtype)
    return F.conv2d(X, K, stride=window, groups=channels)


def average_pooling() -> Answer:
    """7.5.1: average pooling is a convolution with a constant kernel and stride = window."""
    X = torch.arange(32.0, dtype=torch.float64).reshape(1, 2, 4, 4)  # two channels of 4x4
    ours, theirs = avg_pool_as_conv(X, 2), F.avg_pool2d(X, 2)
    return Answer(
        summary=N_("A k x k kernel filled with 1/k^2, applied to each channel on its own (groups = channels) with "
                 "stride k, is k x k average pooling: here equal to F.avg_pool2d to the last digit."),
        details=N_("Each output is the window's sum times 1/4, the mean. With several channels the kernel must "
                 "not mix them: a grouped convolution (one 1 x k x k kernel per channel) or a c x c x k x k "
                 "kernel that is zero off the diagonal."),
        matrices=(matrix(N_("channel 0 of X (4×4)"), X[0, 0]),
                  matrix(N_("constant kernel (2×2)"), torch.full((2, 2), 0.25, dtype=torch.float64)),
                  matrix(N_("convolution result, channel 0"), ours[0, 0])),
        checks=(same_tensor(N_("constant-kernel convolution vs F.avg_pool2d(X, 2) (float64)"), ours, theirs),
                same(N_("bit for bit (torch.equal)"), bool(torch.equal(ours, theirs)), True)))


def max_pooling_not_linear() -> Answer:
    """7.5.2: a convolution is linear, max pooling is not: one counterexample on a single 2x2 window."""
    A = torch.tensor([[[[1.0, 0.0], [0.0, 0.0]]]], dtype=torch.float64)
    B = torch.tensor([[[[0.0, 1.0], [0.0, 0.0]]]], dtype=torch.float64)
    pool = lambda X: F.max_pool2d(X, 2).item()  # noqa: E731: one window, one number
    K = torch.tensor([[[[0.3, -1.2], [2.0, 0.7]]]], dtype=torch.float64)  # any kernel will do
    conv = lambda X: F.conv2d(X, K).item()  # noqa: E731
    return Answer(
        summary=said(N_("max pool(A + B) = {together} but max pool(A) + max pool(B) = {apart}, for A = [[1, 0], "
                        "[0, 0]] and B = [[0, 1], [0, 0]]. Every convolution satisfies conv(A + B) = conv(A) + "
                        "conv(B), so no convolution is max pooling."),
                     together=f"{pool(A + B):g}", apart=f"{pool(A) + pool(B):g}"),
        details=N_("A convolution is linear: it is a fixed weighted sum of its window. Max pooling picks which "
                 "input to pass on depending on the values themselves, which no fixed weights can do. Max(-X) "
                 "= -min(X), not -max(X), is another way to see it."),
        matrices=(matrix("A", A[0, 0]), matrix("B", B[0, 0])),
        checks=(same(N_("max pooling: pool(A + B) vs pool(A) + pool(B) (they differ)"),
                     pool(A + B) == pool(A) + pool(B), False),
                same(N_("a convolution: conv(A + B) vs conv(A) + conv(B)"), round(conv(A + B), 12),
                     round(conv(A) + conv(B), 12))))


def relu_max(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """max(a, b) = relu(b) - relu(-b) + relu(a - b): only ReLUs and sums."""
    return F.relu(b) - F.relu(-b) + F.relu(a - b)


def max_pool_with_relu(X: torch.Tensor, window: int) -> tuple[torch.Tensor, list[int]]:
    """Max pooling (stride = window) from convolutions and ReLU only; X (1, 1, H, W). Returns the result and
    the channels of each ReLU layer: a tournament that halves the candidates per layer."""
    taps = window * window
    pick = torch.eye(taps, dtype=X.dtype).reshape(taps, 1, window, window)  # one-hot kernels: the window's values
    values = F.conv2d(X, pick, stride=window)  # (1, taps, oh, ow)
    widths = []
    while values.shape[1] > 1:
        a, b = values[:, 0::2], values[:, 1::2]  # pairs; an odd one out passes through as max(x, x)
        a = a[:, :b.shape[1]]
        leftover = values[:, 2 * b.shape[1]:]
        if leftover.shape[1]:
            a, b = torch.cat([a, leftover], 1), torch.cat([b, leftover], 1)
        widths.append(3 * b.shape[1])  # relu(b), relu(-b), relu(a - b) per pair: a 1x1 conv then ReLU
        values = relu_max(a, b)  # the sum back is another 1x1 conv
    return values, widths


def max_from_relu(seed: int = 0) -> Answer:
    """7.5.3: max(a, b) with ReLU, and 2x2 / 3x3 max pooling from convolutions and ReLUs."""
    g = torch.Generator().manual_seed(seed)
    a, b = torch.randn(1000, generator=g, dtype=torch.float64), torch.randn(1000, generator=g, dtype=torch.float64)
    X = torch.randint(-9, 10, (1, 1, 6, 6), generator=g).to(torch.float64)  # integers: sums stay exact
    rows, checks = [], [same_tensor(N_("max(a, b) via ReLU vs torch.maximum on 1,000 random pairs"),
                                    relu_max(a, b), torch.maximum(a, b), atol=1e-15)]
    for window in (2, 3):
        ours, widths = max_pool_with_relu(X, window)
        checks.append(same_tensor(said(N_("{window}×{window}: convolutions + ReLU vs F.max_pool2d"), window=window),
                                  ours, F.max_pool2d(X, window)))
        rows.append((f"{window}×{window}", window * window, len(widths), str(widths)))
    (_, _, layers2, widths2), (_, _, layers3, _) = rows
    return Answer(
        summary=said(N_("max(a, b) = b + ReLU(a - b), and b itself is ReLU(b) - ReLU(-b). Max pooling is then a "
                        "tournament: 2×2 (4 values) needs {layers2} ReLU layers (channels {widths2}), 3×3 (9 values) "
                        "needs {layers3}."), layers2=layers2, widths2=widths2, layers3=layers3),
        details=N_("A convolution with one-hot kernels lays the window's values out as channels; each round a 1×1 "
                 "convolution forms b, -b and a - b for every pair, a ReLU, and a 1×1 convolution sums them, "
                 "halving the candidates. n values need ceil(log2 n) rounds."),
        tables=(Table(N_("Max pooling from convolutions and ReLU"),
                      (N_("window"), N_("values"), N_("ReLU layers"), N_("channels per ReLU layer")), tuple(rows)),),
        checks=tuple(checks))


def pooling_cost(c: int = 4, side: int = 8, window: int = 3, padding: int = 1, stride: int = 2) -> Answer:
    """7.5.4: comparisons (max) or additions (average) of a pooling layer, and that it has no weights."""
    out = formula_side(side, window, 2 * padding, stride)
    outputs = c * out * out
    layer = nn.MaxPool2d(window, stride, padding)
    X = torch.zeros(1, c, side, side)
    return Answer(
        summary=said(N_("c x h_o x w_o outputs, each reading p_h p_w values: p_h p_w - 1 comparisons for max, "
                        "p_h p_w - 1 additions and a division for average. For {c}×{side}×{side}, a "
                        "{window}×{window} window, padding {padding}, stride {stride}: {outputs} outputs, "
                        "{comparisons} comparisons. No parameters, and no multiplications."),
                     c=c, side=side, window=window, padding=padding, stride=stride, outputs=outputs,
                     comparisons=f"{outputs * (window * window - 1):,}"),
        details=N_("h_o = floor((h - p_h + 2 pad + s_h) / s_h). PyTorch allows padding of at most half the window, "
                 "so the exercise's padding of (p_h, p_w) is taken as the usual half-window padding here. "
                 "torch's FLOP counter counts pooling as 0 FLOPs: it counts only multiply-adds."),
        checks=(same(N_("outputs: formula vs nn.MaxPool2d"), (c, out, out), tuple(layer(X).shape[1:])),
                same(N_("parameters of nn.MaxPool2d"), 0, sum(p.numel() for p in layer.parameters())),
                same(N_("values read: outputs x window vs the unfolded windows"), outputs * window * window,
                     F.unfold(X, window, padding=padding, stride=stride).numel()),
                same(N_("torch's FLOP counter on pooling"), 0, flops_of(layer, X))))


def min_pooling() -> Answer:
    """7.5.6: minimum pooling is -maxpool(-X); no separate layer is needed."""
    X = torch.tensor([[[[3.0, -1.0, 4.0, 1.0], [-5.0, 9.0, 2.0, -6.0],
                        [5.0, 3.0, -5.0, 8.0], [9.0, -7.0, 9.0, 3.0]]]], dtype=torch.float64)
    ours = -F.max_pool2d(-X, 2)
    windows = X.unfold(2, 2, 2).unfold(3, 2, 2)  # (1, 1, 2, 2, 2, 2): every 2x2 window
    return Answer(
        summary=N_("min(X) = -max(-X): negate, max-pool, negate. No separate minimum pooling layer is needed."),
        matrices=(matrix("X", X[0, 0]), matrix(N_("minimum pooling 2×2"), ours[0, 0])),
        checks=(same_tensor(N_("-F.max_pool2d(-X) vs the minimum of every window"), ours, windows.amin((-2, -1))),))
