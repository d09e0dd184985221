"""2-D cross-correlation and pooling as d2l writes them (sections 7.2-7.5), checked against PyTorch.

Every function slides a window over a (padded) input exactly like the book's loop
`Y[i, j] = (X[i:i + h, j:j + w] * K).sum()`, vectorised with `Tensor.unfold`, so the result equals
`torch.nn.functional.conv2d / max_pool2d / avg_pool2d` for every valid combination of padding, stride
and dilation. Integer inputs are computed in float64, so the book's printed examples come out exact.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnviz.errors import CnnvizError
from cnnviz.i18n import N_

Pair = tuple[int, int]
POOL_MODES = ("max", "avg")


class OpsError(CnnvizError):
    """A convolution or pooling asked for with impossible sizes, ranks or values."""


def as_pair(name: str, value, minimum: int) -> Pair:
    """An int or an (h, w) pair of ints, each >= minimum, as a pair."""
    pair = (value, value) if isinstance(value, int) and not isinstance(value, bool) else value
    try:
        ok = len(pair) == 2 and all(isinstance(v, int) and not isinstance(v, bool) for v in pair)
    except TypeError:
        ok = False
    if not ok:
        raise OpsError(N_("{name}={value} must be an int or a pair of ints (height, width)"), name=name,
                       value=repr(value))
    if min(pair) < minimum:
        raise OpsError(N_("{name}={value}: each entry must be >= {minimum}; change it to {minimum} or more"),
                       name=name, value=repr(value), minimum=minimum)
    return int(pair[0]), int(pair[1])


def output_size(n: int, k: int, padding: int = 0, stride: int = 1, dilation: int = 1) -> int:
    """floor((n + 2p - d(k - 1) - 1) / s) + 1: the output length along one side."""
    return (n + 2 * padding - dilation * (k - 1) - 1) // stride + 1


def receptive_window(i: int, j: int, kernel_size, stride=1, dilation=1) -> list[Pair]:
    """The (row, col) cells of the padded input that output cell (i, j) reads, in kernel order."""
    (kh, kw), (sh, sw), (dh, dw) = (as_pair("kernel_size", kernel_size, 1), as_pair("stride", stride, 1),
                                    as_pair("dilation", dilation, 1))
    return [(i * sh + a * dh, j * sw + b * dw) for a in range(kh) for b in range(kw)]


def _check(name: str, t, rank: int | tuple[int, ...], shape_name: str) -> None:
    if not isinstance(t, torch.Tensor):
        raise OpsError(N_("{name} must be a torch.Tensor of shape {shape}; got {kind}"), name=name,
                       shape=shape_name, kind=type(t).__name__)
    if t.dim() not in ((rank,) if isinstance(rank, int) else rank):
        raise OpsError(N_("{name} must have shape {shape}; got shape {got} ({dims} dimensions)"), name=name,
                       shape=shape_name, got=tuple(t.shape), dims=t.dim())
    if t.numel() == 0:
        raise OpsError(N_("{name} is empty (shape {got}); give it at least one value per side"), name=name,
                       got=tuple(t.shape))
    if t.is_floating_point() and not bool(torch.isfinite(t).all()):
        raise OpsError(N_("{name} contains NaN or infinite values; use finite numbers only"), name=name)


def _dtype(*tensors: torch.Tensor) -> torch.dtype:
    """The promoted floating dtype; integer inputs are computed in float64 so sums stay exact."""
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = torch.promote_types(dtype, t.dtype)
    return dtype if dtype.is_floating_point else torch.float64


def windows(X: torch.Tensor, kernel_size, padding=0, stride=1, dilation=1, fill: float = 0.0) -> torch.Tensor:
    """Every window the kernel sees: X (..., h, w) -> (..., oh, ow, kh, kw), padding filled with `fill`."""
    (kh, kw), (ph, pw) = as_pair("kernel_size", kernel_size, 1), as_pair("padding", padding, 0)
    (sh, sw), (dh, dw) = as_pair("stride", stride, 1), as_pair("dilation", dilation, 1)
    h, w = X.shape[-2:]
    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    if (span_h > h or span_w > w) and not (ph or pw):  # no padding: "the padded input" would puzzle a reader
        raise OpsError(N_("the kernel {kh}×{kw} (dilation {dh}×{dw}, so it spans {span_h}×{span_w}) is larger "
                          "than the input {h}×{w}; use a smaller kernel or dilation, or add padding"),
                       kh=kh, kw=kw, dh=dh, dw=dw, span_h=span_h, span_w=span_w, h=h, w=w)
    if span_h > h + 2 * ph or span_w > w + 2 * pw:
        raise OpsError(N_("the kernel {kh}×{kw} (dilation {dh}×{dw}, so it spans {span_h}×{span_w}) is larger "
                          "than the padded input {ph_total}×{pw_total} (input {h}×{w}, padding {ph}×{pw}); use a "
                          "smaller kernel or dilation, or more padding"),
                       kh=kh, kw=kw, dh=dh, dw=dw, span_h=span_h, span_w=span_w, ph_total=h + 2 * ph,
                       pw_total=w + 2 * pw, h=h, w=w, ph=ph, pw=pw)
    Xp = F.pad(X, (pw, pw, ph, ph), value=fill) if ph or pw else X
    win = Xp.unfold(-2, span_h, sh).unfold(-2, span_w, sw)  # (..., oh, ow, span_h, span_w)
    return win[..., ::dh, ::dw]  # (..., oh, ow, kh, kw)


def corr2d(X: torch.Tensor, K: torch.Tensor, padding=0, stride=1, dilation=1) -> torch.Tensor:
    """2-D cross-correlation: X (h, w), K (kh, kw) -> (oh, ow)."""
    _check("X", X, 2, "(h, w)")
    _check("K", K, 2, "(kh, kw)")
    dtype = _dtype(X, K)
    win = windows(X.to(dtype), tuple(K.shape), padding, stride, dilation)  # (oh, ow, kh, kw)
    return torch.einsum("ijab,ab->ij", win, K.to(dtype))


def corr2d_multi_in(X: torch.Tensor, K: torch.Tensor, padding=0, stride=1, dilation=1) -> torch.Tensor:
    """Sum over input channels of corr2d: X (c_in, h, w), K (c_in, kh, kw) -> (oh, ow)."""
    _check("K", K, 3, "(c_in, kh, kw)")
    return corr2d_multi_in_out(X, K.unsqueeze(0), padding, stride, dilation)[0]


def corr2d_multi_in_out(X: torch.Tensor, K: torch.Tensor, padding=0, stride=1, dilation=1) -> torch.Tensor:
    """One multi-input correlation per output channel: X (c_in, h, w), K (c_out, c_in, kh, kw) -> (c_out, oh, ow)."""
    _check("X", X, 3, "(c_in, h, w)")
    _check("K", K, 4, "(c_out, c_in, kh, kw)")
    _check_channels(X, K)
    dtype = _dtype(X, K)
    win = windows(X.to(dtype), tuple(K.shape[-2:]), padding, stride, dilation)  # (c_in, oh, ow, kh, kw)
    return torch.einsum("cijab,ocab->oij", win, K.to(dtype))


def corr2d_multi_in_out_1x1(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """The 1x1 convolution as one matrix product: X (c_in, h, w), K (c_out, c_in, 1, 1) -> (c_out, h, w)."""
    _check("X", X, 3, "(c_in, h, w)")
    _check("K", K, 4, "(c_out, c_in, 1, 1)")
    if tuple(K.shape[-2:]) != (1, 1):
        raise OpsError(N_("K must be a 1×1 kernel, shape (c_out, c_in, 1, 1); got shape {got}"),
                       got=tuple(K.shape))
    _check_channels(X, K)
    dtype = _dtype(X, K)
    c_in, h, w = X.shape
    Y = K.to(dtype).reshape(K.shape[0], c_in) @ X.to(dtype).reshape(c_in, h * w)  # (c_out, h * w)
    return Y.reshape(K.shape[0], h, w)


def _check_channels(X: torch.Tensor, K: torch.Tensor) -> None:
    if X.shape[0] != K.shape[1]:
        raise OpsError(N_("X has {x_channels} input channels but K expects {k_channels} (K shape {shape}); give "
                          "both the same number of input channels"),
                       x_channels=X.shape[0], k_channels=K.shape[1], shape=tuple(K.shape))


def pool2d(X: torch.Tensor, pool_size, mode: str = "max", padding=0, stride=1) -> torch.Tensor:
    """The book's pooling (stride 1 unless told): X (h, w) or (c, h, w) -> (oh, ow) or (c, oh, ow).

    Padding acts as in nn.MaxPool2d (a padded cell never wins) and nn.AvgPool2d (padded zeros are
    counted, count_include_pad=True); like PyTorch, padding may be at most half the window.
    """
    if mode not in POOL_MODES:
        raise OpsError(N_("mode={mode} is not a pooling mode; use 'max' or 'avg'"), mode=repr(mode))
    _check("X", X, (2, 3), "(h, w) or (c, h, w)")
    (kh, kw), (ph, pw) = as_pair("pool_size", pool_size, 1), as_pair("padding", padding, 0)
    if ph > kh // 2 or pw > kw // 2:
        raise OpsError(N_("padding=({ph}, {pw}) is more than half the pooling window {kh}×{kw}; PyTorch allows at "
                          "most ({half_h}, {half_w}): use less padding or a larger window"),
                       ph=ph, pw=pw, kh=kh, kw=kw, half_h=kh // 2, half_w=kw // 2)
    dtype = _dtype(X)
    fill = float("-inf") if mode == "max" else 0.0
    win = windows(X.to(dtype), (kh, kw), (ph, pw), stride, 1, fill=fill)  # (..., oh, ow, kh, kw)
    if mode == "max":
        return win.amax(dim=(-2, -1))
    return win.sum(dim=(-2, -1)) / (kh * kw)


def flip_kernel(K: torch.Tensor) -> torch.Tensor:
    """The kernel turned 180 degrees: true convolution is cross-correlation with this kernel."""
    return K.flip(-2, -1)


def padded(X: torch.Tensor, padding) -> torch.Tensor:
    """X (..., h, w) with `padding` zero rows and columns on each side: what the kernel slides over."""
    ph, pw = as_pair("padding", padding, 0)
    return F.pad(X, (pw, pw, ph, ph))
