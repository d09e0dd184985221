"""The sliding-window layers unit by unit: a convolution's windows, kernels and sums; a pooling's window and
the max (or mean) it takes. Numbers in float64 from the layer's own input and weights (explain_unit.py
dispatches here)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from cnnviz.i18n import N_, Text


def _pair(value) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)


@dataclass(frozen=True)
class Window:
    """Where one output unit reads: input rows and columns (may lie in the padding), and which are padding."""

    rows: torch.Tensor  # (kh,) input row of each tap, -1 or >= H inside the padding
    cols: torch.Tensor  # (kw,)
    padded: torch.Tensor  # bool (kh, kw): True where the tap reads a padding cell

    @property
    def origin(self) -> tuple[int, int]:
        return int(self.rows[0]), int(self.cols[0])


def window_of(row: int, col: int, size: tuple[int, int], kernel, stride, padding, dilation) -> Window:
    """The taps of output unit (row, col) of a sliding window over an input of `size` (H, W)."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = map(_pair, (kernel, stride, padding, dilation))
    rows = row * sh - ph + dh * torch.arange(kh)
    cols = col * sw - pw + dw * torch.arange(kw)
    outside_r = (rows < 0) | (rows >= size[0])
    outside_c = (cols < 0) | (cols >= size[1])
    return Window(rows, cols, outside_r[:, None] | outside_c[None, :])


def read(x: torch.Tensor, window: Window, fill: float = 0.0) -> torch.Tensor:
    """x (C, H, W) read through the window: (C, kh, kw), padding cells set to `fill`."""
    rows = window.rows.clamp(0, x.shape[1] - 1)
    cols = window.cols.clamp(0, x.shape[2] - 1)
    values = x.double()[:, rows][:, :, cols]  # (C, kh, kw)
    return values.masked_fill(window.padded, fill)


@dataclass(frozen=True)
class ConvUnit:
    """out[c, r, col] = sum over the group's input channels of sum(window * kernel) + bias."""

    in_channels: tuple[int, ...]  # the input channels this unit reads (its group's)
    window: Window
    values: torch.Tensor  # (Cg, kh, kw) the input under the window, 0 in the padding
    kernel: torch.Tensor  # (Cg, kh, kw)
    channel_sums: torch.Tensor  # (Cg,) sum(values * kernel) per input channel
    bias: float
    total: float
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    groups: int


def conv_unit(module: nn.Conv2d, x: torch.Tensor, index: tuple[int, int, int]) -> ConvUnit:
    """One unit of `module` applied to x (C, H, W)."""
    channel, row, col = index
    per_group_out = module.out_channels // module.groups
    per_group_in = module.in_channels // module.groups
    first = (channel // per_group_out) * per_group_in
    window = window_of(row, col, x.shape[1:], module.kernel_size, module.stride, module.padding, module.dilation)
    values = read(x[first:first + per_group_in], window)  # (Cg, kh, kw)
    kernel = module.weight.detach()[channel].to("cpu", torch.float64)  # (Cg, kh, kw)
    channel_sums = (values * kernel).sum(dim=(1, 2))  # (Cg,)
    bias = float(module.bias.detach()[channel]) if module.bias is not None else 0.0
    return ConvUnit(tuple(range(first, first + per_group_in)), window, values, kernel, channel_sums, bias,
                    float(channel_sums.sum()) + bias, _pair(module.stride), _pair(module.padding),
                    _pair(module.dilation), module.groups)


@dataclass(frozen=True)
class PoolUnit:
    """out[c, r, col] = max or mean of the window; `picked` is where the max sits (None for a mean)."""

    mode: str  # "max" or "avg"
    window: Window
    values: torch.Tensor  # (kh, kw), padding cells -inf for max and 0 for avg
    picked: tuple[int, int] | None  # (i, j) inside the window
    divisor: int  # what the sum is divided by (avg), 1 for max
    total: float


def _adaptive_window(row: int, col: int, size: tuple[int, int], out: tuple[int, int]) -> Window:
    """PyTorch's adaptive pooling bins: start floor(i*H/O), end ceil((i+1)*H/O)."""
    def span(i, n, o):
        start, end = math.floor(i * n / o), math.ceil((i + 1) * n / o)
        return torch.arange(start, end)
    rows, cols = span(row, size[0], out[0]), span(col, size[1], out[1])
    return Window(rows, cols, torch.zeros(len(rows), len(cols), dtype=torch.bool))


def pool_unit(module: nn.Module, x: torch.Tensor, index: tuple[int, int, int]) -> PoolUnit:
    """One unit of a max / average / adaptive pooling layer applied to x (C, H, W)."""
    channel, row, col = index
    mode = "max" if isinstance(module, (nn.MaxPool2d, nn.AdaptiveMaxPool2d)) else "avg"
    if isinstance(module, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
        out = _pair(module.output_size)
        out = tuple(x.shape[1 + i] if o is None else o for i, o in enumerate(out))
        window = _adaptive_window(row, col, x.shape[1:], out)
        include_pad = False
    else:
        dilation = module.dilation if mode == "max" else 1
        window = window_of(row, col, x.shape[1:], module.kernel_size, module.stride or module.kernel_size,
                           module.padding, dilation)
        include_pad = mode == "avg" and module.count_include_pad
    values = read(x[channel:channel + 1], window, fill=-math.inf if mode == "max" else 0.0)[0]  # (kh, kw)
    if mode == "max":
        flat = int(values.argmax())
        picked = divmod(flat, values.shape[1])
        return PoolUnit(mode, window, values, picked, 1, float(values.max()))
    divisor = values.numel() if include_pad else int((~window.padded).sum())
    if getattr(module, "divisor_override", None):
        divisor = module.divisor_override
    return PoolUnit(mode, window, values, None, divisor, float(values.sum()) / divisor)


def pool_problem(module: nn.Module) -> Text | None:
    """Why a pooling layer cannot be explained window by window here, or None."""
    if getattr(module, "ceil_mode", False):
        return Text(N_("it rounds its output size up (ceil_mode), so its last windows are cut off"))
    return None


def conv_problem(module: nn.Conv2d) -> Text | None:
    """Why a convolution cannot be explained window by window here, or None."""
    if isinstance(module.padding, str) or module.padding_mode != "zeros":
        rule = module.padding if isinstance(module.padding, str) else module.padding_mode
        return Text(N_("it pads by a rule ({rule}) rather than with zeros"), rule=rule)
    return None
