"""Learning a convolution kernel from an image and its output by gradient descent (d2l 7.2.4)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator, Sequence

import torch
import torch.nn.functional as F

from cnnviz.errors import CnnvizError
from cnnviz.i18n import N_

OPTIMIZERS = ("sgd", "momentum", "adam")
MOMENTUM = 0.9  # for "momentum": SGD with this momentum coefficient
DIVERGENCE_FACTOR = 1e4  # a loss this many times its start (or at least 1) means the run diverged
MAX_STEPS = 100_000


class BadFitSetting(CnnvizError):
    """A setting fit_kernel cannot use: learning rate, steps, optimizer or kernel size."""


class Diverged(CnnvizError):
    """The loss blew up: the learning rate is too high for this input."""

    def __init__(self, step: int, loss: float, limit: float, lr: float):
        self.step, self.loss, self.limit, self.lr = step, loss, limit, lr
        super().__init__(N_("loss grew past {limit} at step {step} (learning rate {lr}): the run diverged; "
                            "lower the learning rate"), limit=f"{limit:.3g}", step=step, lr=f"{lr:g}")


@dataclass(frozen=True)
class FitRecord:
    """The state after `step` updates (step 0 is the initial kernel) and the loss at exactly that state."""

    step: int
    loss: float
    weight: torch.Tensor  # (kh, kw)
    bias: float


def check_lr(lr: float) -> float:
    if not isinstance(lr, (int, float)) or not math.isfinite(lr) or lr <= 0:
        raise BadFitSetting(N_("learning rate {lr} must be a positive number; try 0.01"), lr=repr(lr))
    return float(lr)


def align(X: torch.Tensor, Y: torch.Tensor, kernel_size: tuple[int, int]) -> tuple[torch.Tensor, torch.Tensor]:
    """Crops X (H, W) and Y (h, w) so a kernel_size kernel's output matches Y cell for cell, top-left aligned.

    A learned kernel may differ in size from the one that made Y; each output cell then compares with
    the Y cell at the same position (a bigger kernel can hold the target in its top-left corner).
    """
    kh, kw = kernel_size
    if kh < 1 or kw < 1:
        raise BadFitSetting(N_("kernel size {kh}×{kw} must be at least 1×1"), kh=kh, kw=kw)
    oh, ow = min(Y.shape[0], X.shape[0] - kh + 1), min(Y.shape[1], X.shape[1] - kw + 1)
    if oh < 1 or ow < 1:
        raise BadFitSetting(N_("kernel size {kh}×{kw} does not fit the {h}×{w} input; pick a smaller kernel"),
                            kh=kh, kw=kw, h=X.shape[0], w=X.shape[1])
    return X[: oh + kh - 1, : ow + kw - 1], Y[:oh, :ow]


def predict(X: torch.Tensor, weight: torch.Tensor, bias: float | torch.Tensor = 0.0) -> torch.Tensor:
    """Cross-correlation of X (H, W) with weight (kh, kw), plus bias: (H-kh+1, W-kw+1), like d2l's corr2d."""
    return F.conv2d(X[None, None], weight[None, None].to(X.dtype))[0, 0] + bias


def squared_error(X: torch.Tensor, Y: torch.Tensor, weight: torch.Tensor, bias: float = 0.0) -> torch.Tensor:
    """The book's loss: squared error summed over every output cell (X, Y already aligned)."""
    return ((predict(X, weight, bias) - Y) ** 2).sum()


def initial_parameters(kernel_size: tuple[int, int], seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Weight (kh, kw) and bias () drawn as nn.Conv2d does: uniform in +-1/sqrt(kh*kw), from `seed`."""
    gen = torch.Generator().manual_seed(int(seed))
    bound = 1 / math.sqrt(kernel_size[0] * kernel_size[1])
    weight = (torch.rand(kernel_size, generator=gen, dtype=torch.float64) * 2 - 1) * bound
    bias = (torch.rand((), generator=gen, dtype=torch.float64) * 2 - 1) * bound
    return weight, bias


def _make_optimizer(name: str, params: list[torch.Tensor], lr: float) -> torch.optim.Optimizer:
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=MOMENTUM)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    raise BadFitSetting(N_("optimizer {name} is not one of {options}"), name=repr(name), options=", ".join(OPTIMIZERS))


def fit_kernel(
    X: torch.Tensor,
    Y: torch.Tensor,
    kernel_size: tuple[int, int],
    lr: float = 0.01,
    steps: int = 200,
    seed: int = 0,
    optimizer: str = "sgd",
    bias: bool = True,
) -> Iterator[FitRecord]:
    """Yields steps + 1 FitRecords: the initial kernel, then the kernel after each update.

    X (H, W) is the input, Y the output to reproduce. Raises Diverged (from the iteration) when the
    loss blows up; the settings are checked here, before the first record.
    """
    check_lr(lr)
    if not 1 <= int(steps) <= MAX_STEPS:
        raise BadFitSetting(N_("steps {steps} must be between 1 and {most}"), steps=steps, most=MAX_STEPS)
    if optimizer not in OPTIMIZERS:
        raise BadFitSetting(N_("optimizer {name} is not one of {options}"), name=repr(optimizer),
                            options=", ".join(OPTIMIZERS))
    X, Y = align(X.double(), Y.double(), tuple(kernel_size))
    return _descend(X, Y, tuple(kernel_size), lr, int(steps), seed, optimizer, bias)


def _descend(X, Y, kernel_size, lr, steps, seed, optimizer, use_bias) -> Iterator[FitRecord]:
    weight, bias = initial_parameters(kernel_size, seed)
    if not use_bias:
        bias = torch.zeros((), dtype=torch.float64)
    weight.requires_grad_(True)
    bias.requires_grad_(use_bias)
    opt = _make_optimizer(optimizer, [weight, bias] if use_bias else [weight], lr)
    loss = squared_error(X, Y, weight, bias)
    limit = DIVERGENCE_FACTOR * max(loss.item(), 1.0)
    for step in range(steps + 1):
        if step:
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss = squared_error(X, Y, weight, bias)
            if not math.isfinite(loss.item()) or loss.item() > limit:
                raise Diverged(step, loss.item(), limit, lr)
        yield FitRecord(step, loss.item(), weight.detach().clone(), bias.item())


class FitPlayback:
    """A fit_kernel run advanced on demand (one page tick at a time): its records and how it ended."""

    def __init__(self, records: Iterator[FitRecord], steps: int):
        self._records = records
        self.steps = steps
        self.history: list[FitRecord] = []
        self.error: Diverged | None = None
        self.finished = False

    @property
    def done(self) -> bool:
        return self.finished or self.error is not None

    @property
    def last(self) -> FitRecord | None:
        return self.history[-1] if self.history else None

    def advance(self, n: int = 1) -> None:
        """Runs up to n more steps; stops early at the end or when the run diverges."""
        for _ in range(n):
            if self.done:
                return
            try:
                self.history.append(next(self._records))
            except StopIteration:
                self.finished = True
            except Diverged as exc:
                self.error = exc
        if len(self.history) == self.steps + 1:
            self.finished = True


@dataclass(frozen=True)
class LrRun:
    lr: float
    losses: list[float]  # one per record, step 0 first
    diverged_at: int | None  # the step where the loss blew up, if it did


def compare_learning_rates(
    X: torch.Tensor, Y: torch.Tensor, kernel_size: tuple[int, int], lrs: Sequence[float], **fit_args
) -> list[LrRun]:
    """One fit_kernel run per learning rate, same start (seed) and settings: their loss curves."""
    runs = []
    for lr in lrs:
        losses, diverged_at = [], None
        try:
            for rec in fit_kernel(X, Y, kernel_size, lr=lr, **fit_args):
                losses.append(rec.loss)
        except Diverged as exc:
            diverged_at = exc.step
        runs.append(LrRun(lr, losses, diverged_at))
    return runs
