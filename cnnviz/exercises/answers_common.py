"""Small helpers the answer modules share: checks against PyTorch, shown the same way everywhere."""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

from cnnviz.exercises.answer import Check, Matrix, said
from cnnviz.i18n import N_

SHOW_LIMIT = 16  # tensors with more values are shown by shape, not value by value


def shown(value) -> str:
    """A value as a Check shows it: numbers with thousands separators, small tensors in full."""
    if isinstance(value, torch.Tensor):
        if value.numel() <= SHOW_LIMIT:
            whole = value.is_floating_point() and bool((value == value.round()).all())
            return str((value.long() if whole else value).tolist())  # [[19, 25]], not [[19.0, 25.0]]
        return said(N_("tensor of shape {shape}"), shape=tuple(value.shape))
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def same(what: str, ours, reference) -> Check:
    """Exact agreement of two numbers, tuples or strings."""
    return Check(said(what), shown(ours), shown(reference), ours == reference)


def same_tensor(what: str, ours: torch.Tensor, reference: torch.Tensor, atol: float = 0.0) -> Check:
    """Tensors of the same shape whose largest difference is at most `atol` (0: equal to the last digit)."""
    agree = ours.shape == reference.shape and bool((ours - reference).abs().max() <= atol)
    gap = float((ours - reference).abs().max()) if ours.shape == reference.shape else float("inf")
    return Check(said(N_("{what}, largest difference {gap}"), what=said(what), gap=f"{gap:.3g}"),
                 shown(ours), shown(reference), agree)


def matrix(caption: str, values: torch.Tensor) -> Matrix:
    """A 2-D tensor as an Answer's Matrix (numpy, float)."""
    return Matrix(caption, np.asarray(values.detach().to(torch.float64).cpu().numpy()))


def flops_of(fn, *args) -> int:
    """FLOPs torch.utils.flop_counter counts for fn(*args) (a multiply-add counts 2)."""
    with FlopCounterMode(display=False) as counter:
        fn(*args)
    return counter.get_total_flops()
