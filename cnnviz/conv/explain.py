"""The arithmetic behind one output cell, written out as a student would on paper."""

from __future__ import annotations

from collections.abc import Sequence

import torch


def fmt(v: float) -> str:
    """A number as short as it reads: 19, -1, 0.111, 1.5e+03."""
    v = float(v)
    if v == int(v) and abs(v) < 1e6:
        return str(int(v))
    return f"{v:.3g}"


def _factor(v: float) -> str:
    """A factor in a product: negatives in brackets so "1×(-1)" cannot be misread."""
    s = fmt(v)
    return f"({s})" if s.startswith("-") else s


def written_sum(window: torch.Tensor, kernel: torch.Tensor) -> str:
    """'0×0 + 1×1 + 3×2 + 4×3 = 19': the window's values times the kernel's, summed, in reading order."""
    w, k = window.flatten().tolist(), kernel.flatten().tolist()
    total = sum(a * b for a, b in zip(w, k))
    terms = " + ".join(f"{_factor(a)}×{_factor(b)}" for a, b in zip(w, k))
    return f"{terms} = {fmt(total)}"


def pooled_value(window: Sequence[float], mode: str, window_size: int, pad: str = "pad") -> str:
    """'max(0, 1, 3, 4) = 4' or '(0 + 1 + 3 + 4) / 4 = 2'; padded cells are -inf (max: shown as `pad`, the
    reader's word for it) or 0 (avg)."""
    values = [float(v) for v in window]
    if mode == "max":
        shown = [pad if v == float("-inf") else fmt(v) for v in values]
        return f"max({', '.join(shown)}) = {fmt(max(values))}"
    return f"({' + '.join(fmt(v) for v in values)}) / {window_size} = {fmt(sum(values) / window_size)}"


def output_size_formula(side: str, n: int, k: int, p: int, s: int, d: int) -> str:
    """The output-size formula with this side's numbers plugged in, ending with the result."""
    out = (n + 2 * p - d * (k - 1) - 1) // s + 1
    return f"{side}: ⌊({n} + 2·{p} − {d}·({k} − 1) − 1) / {s}⌋ + 1 = {out}"


def matmul_row(weights: Sequence[float], pixel: Sequence[float], out_channel: int) -> str:
    """One output channel of a 1x1 convolution at one pixel: 'y0 = 1×4 + 0×5 + (-1)×6 = -2'."""
    terms = " + ".join(f"{_factor(w)}×{_factor(x)}" for w, x in zip(weights, pixel))
    total = sum(float(w) * float(x) for w, x in zip(weights, pixel))
    return f"y{out_channel} = {terms} = {fmt(total)}"
