"""What the edge-kernel learner is given: target kernels, input images, and whether they pin the kernel down."""

from __future__ import annotations

import re
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from cnnviz.edge.fit import align, predict
from cnnviz.errors import CnnvizError
from cnnviz.i18n import N_, Message

# Cross-correlation kernels (d2l's corr2d convention); Sobel x is positive where brightness rises to the right.
TARGETS: dict[str, list[list[float]]] = {  # names marked for translation; shown with _() as options
    N_("Vertical edge [1, -1]"): [[1, -1]],
    N_("Horizontal edge [[1], [-1]]"): [[1], [-1]],
    N_("Sobel x"): [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    N_("Sobel y"): [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    N_("Laplacian"): [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
}
MAX_KERNEL_SIDE = 7
SYNTHETIC_INPUTS = (N_("Book's stripes (6x8)"), N_("Checkerboard (8x8)"), N_("Diagonal edge (8x8)"), N_("Flat (6x8)"))


class BadKernel(CnnvizError):
    """A typed-in kernel that is not a rectangle of numbers."""


def target_kernel(name: str) -> torch.Tensor:
    """A named target kernel as float64 (kh, kw)."""
    return torch.tensor(TARGETS[name], dtype=torch.float64)


def parse_kernel(text: str) -> torch.Tensor:
    """'1 -1; 0 0' or one row per line, numbers split by spaces or commas -> float64 (kh, kw)."""
    rows = [r for r in re.split(r"[;\n]", text or "") if r.strip()]
    if not rows:
        raise BadKernel(N_("the custom kernel is empty; type rows of numbers, e.g. '1 -1' or '1 0 -1; 2 0 -2'"))
    values = [[_number(cell, i, j) for j, cell in enumerate(re.split(r"[,\s]+", row.strip()))]
              for i, row in enumerate(rows, start=1)]
    widths = {len(row) for row in values}
    if len(widths) > 1:
        raise BadKernel(N_("the custom kernel's rows have different lengths ({lengths}); give every row the "
                           "same number of values"), lengths=", ".join(str(len(r)) for r in values))
    if len(values) > MAX_KERNEL_SIDE or widths.pop() > MAX_KERNEL_SIDE:
        raise BadKernel(N_("the custom kernel is larger than {side}×{side}; type a smaller one"), side=MAX_KERNEL_SIDE)
    return torch.tensor(values, dtype=torch.float64)


def _number(cell: str, row: int, col: int) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise BadKernel(N_("custom kernel row {row}, value {index}: {cell} is not a number; type numbers like 1, "
                           "-0.5 or 2e-1"), row=row, index=col + 1, cell=repr(cell)) from None
    if value != value or abs(value) == float("inf"):
        raise BadKernel(N_("custom kernel row {row}, value {index}: {cell} is not a finite number"), row=row,
                        index=col + 1, cell=repr(cell))
    return value


def synthetic_input(name: str) -> torch.Tensor:
    """One of SYNTHETIC_INPUTS as float64 (H, W) with values 0 and 1."""
    if name == SYNTHETIC_INPUTS[0]:  # d2l: ones with a black band in the middle columns
        X = torch.ones(6, 8, dtype=torch.float64)
        X[:, 2:6] = 0
        return X
    if name == SYNTHETIC_INPUTS[1]:  # 2x2 squares
        i, j = torch.meshgrid(torch.arange(8), torch.arange(8), indexing="ij")
        return ((i // 2 + j // 2) % 2).double()
    if name == SYNTHETIC_INPUTS[2]:  # bright above the diagonal
        return torch.ones(8, 8, dtype=torch.float64).triu(1)
    if name == SYNTHETIC_INPUTS[3]:
        return torch.ones(6, 8, dtype=torch.float64)
    raise CnnvizError(N_("input {name} is not one of {options}"), name=repr(name), options=", ".join(SYNTHETIC_INPUTS))


def scaled_image(pixels: torch.Tensor) -> torch.Tensor:
    """A grayscale image with values in [0, 255] (uint8 or float) as float64 in [0, 1]."""
    return pixels.double() / 255


def target_output(X: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """Y: the input seen through the target kernel, no bias (H-kh+1, W-kw+1)."""
    if kernel.shape[0] > X.shape[0] or kernel.shape[1] > X.shape[1]:
        raise CnnvizError(N_("the {kh}×{kw} target kernel is larger than the {h}×{w} input; pick a smaller kernel "
                             "or a larger image"), kh=kernel.shape[0], kw=kernel.shape[1], h=X.shape[0], w=X.shape[1])
    return predict(X.double(), kernel.double())


@dataclass(frozen=True)
class Identifiability:
    """What the input can teach a kernel of a given size: rank of its patches, best loss, stable lr."""

    kernel_size: tuple[int, int]
    bias: bool
    n_patches: int
    n_params: int  # kh * kw (+ 1 with bias)
    rank: int  # of the (n_patches, n_params) patch matrix
    null_direction: torch.Tensor | None  # (n_params,): a change of the parameters the output cannot see
    best_loss: float  # least-squares minimum: > 0 when this kernel size cannot reproduce Y
    max_stable_lr: float  # plain gradient descent diverges above 1 / largest eigenvalue of P^T P
    target_silent: bool  # Y is zero everywhere: the input has nothing the target responds to

    @property
    def identifiable(self) -> bool:
        return self.rank == self.n_params

    def notes(self) -> list[Message]:
        """Plain-language findings, most important first (render each in the reader's language)."""
        notes = []
        if self.target_silent:
            notes.append(Message(N_("Y is zero everywhere: this input has no edge in the target's direction, "
                                    "so nothing in the data tells the learner what the target is.")))
        if not self.identifiable:
            notes.append(self._not_identifiable_note())
        if self.best_loss > 1e-9 * max(1.0, self.n_patches):
            kh, kw = self.kernel_size
            notes.append(Message(N_("A {kh}×{kw} kernel cannot reproduce Y exactly: the smallest possible loss is "
                                    "{loss}."), {"kh": kh, "kw": kw, "loss": f"{self.best_loss:.3g}"}))
        return notes

    def _not_identifiable_note(self) -> Message:
        kh, kw = self.kernel_size
        direction = self.null_direction
        direction = direction * direction[direction.abs().argmax()].sign()  # largest entry positive
        values = [round(v, 2) + 0.0 for v in direction.tolist()]  # + 0.0 turns -0.0 into 0.0
        rows = "; ".join(" ".join(f"{v:+.2f}" for v in values[r * kw:(r + 1) * kw]) for r in range(kh))
        bias = f"{values[-1]:+.2f}" if self.bias else None
        template = (N_("Not identifiable: the input's {patches} patches span only {rank} of the {params} directions "
                       "of a {kh}×{kw} kernel plus bias, so {hidden} of its directions cannot be seen in the output. "
                       "For example, adding any multiple of {direction} (bias {bias}) leaves the output unchanged, so "
                       "the learned kernel depends on where it started.") if self.bias else
                    N_("Not identifiable: the input's {patches} patches span only {rank} of the {params} directions "
                       "of a {kh}×{kw} kernel, so {hidden} of its directions cannot be seen in the output. For "
                       "example, adding any multiple of {direction} leaves the output unchanged, so the learned "
                       "kernel depends on where it started."))
        return Message(template, {"patches": self.n_patches, "rank": self.rank, "params": self.n_params, "kh": kh,
                                  "kw": kw, "hidden": self.n_params - self.rank, "direction": f"[{rows}]",
                                  "bias": bias})


def patch_matrix(X: torch.Tensor, kernel_size: tuple[int, int], bias: bool) -> torch.Tensor:
    """Every kernel_size window of X as a row (row-major kernel order), plus a column of ones for the bias."""
    patches = F.unfold(X.double()[None, None], kernel_size)[0].T  # (n_patches, kh * kw)
    if bias:
        patches = torch.cat([patches, torch.ones(len(patches), 1, dtype=patches.dtype)], dim=1)
    return patches


def identifiability(X: torch.Tensor, Y: torch.Tensor, kernel_size: tuple[int, int], bias: bool = True
                    ) -> Identifiability:
    """Least squares on the unfolded input: is the kernel fixed by (X, Y), and how well can it fit?"""
    X, Y = align(X.double(), Y.double(), tuple(kernel_size))
    P = patch_matrix(X, tuple(kernel_size), bias)  # (n_patches, n_params); output = P @ params
    y = Y.reshape(-1, 1)  # (n_patches, 1), row-major like unfold
    _, s, vh = torch.linalg.svd(P, full_matrices=True)
    tol = s.max().item() * max(P.shape) * torch.finfo(P.dtype).eps if len(s) else 0.0
    rank = int((s > tol).sum())
    solution = torch.linalg.pinv(P) @ y
    return Identifiability(
        kernel_size=tuple(kernel_size),
        bias=bias,
        n_patches=P.shape[0],
        n_params=P.shape[1],
        rank=rank,
        null_direction=vh[-1] if rank < P.shape[1] else None,
        best_loss=((P @ solution - y) ** 2).sum().item(),
        max_stable_lr=1 / (s.max().item() ** 2) if rank else float("inf"),
        target_silent=bool(Y.abs().max() < 1e-12),
    )
