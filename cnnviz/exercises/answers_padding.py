"""Computed answers for d2l section 7.3 (zh 6.3), padding and stride: output shapes by the formula and
by the real nn.Conv2d, mirror padding, what a stride saves, and a stride of 1/2."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from cnnviz.exercises.answer import Answer, Table, said
from cnnviz.exercises.answers_common import flops_of, matrix, same, same_tensor
from cnnviz.i18n import N_


def formula_side(n: int, k: int, p: int, s: int) -> int:
    """floor((n - k + p + s) / s), p the total padding of the side (both ends): the book's formula."""
    return (n - k + p + s) // s


def layer_shape(n: int, kernel, padding, stride) -> tuple[int, int]:
    """The output (h, w) of a real nn.Conv2d on an n x n image, run on meta tensors (no compute)."""
    layer = nn.Conv2d(1, 1, kernel, padding=padding, stride=stride, device="meta")
    return tuple(layer(torch.empty(1, 1, n, n, device="meta")).shape[-2:])


def book_example_shape() -> Answer:
    """7.3.1: the section's last example, 8x8 input, kernel (3, 5), padding (0, 1), stride (3, 4)."""
    n, (kh, kw), (ph, pw), (sh, sw) = 8, (3, 5), (0, 1), (3, 4)
    ours = (formula_side(n, kh, 2 * ph, sh), formula_side(n, kw, 2 * pw, sw))
    return Answer(
        summary=said(N_("The output is {h}×{w}: floor((8 - 3 + 0 + 3) / 3) = 2 rows and "
                        "floor((8 - 5 + 2 + 4) / 4) = 2 columns, as the real layer gives."), h=ours[0], w=ours[1]),
        details=N_("Per side: floor((n - k + p + s) / s), with p the padding of both ends together (2 x 1 = 2 "
                 "columns here). Height: (8 - 3 + 0 + 3) / 3 = 8 / 3, floored to 2. Width: (8 - 5 + 2 + 4) / 4 "
                 "= 9 / 4, floored to 2. The leftover rows and columns are simply never reached by the window."),
        checks=(same(N_("formula vs nn.Conv2d(1, 1, (3, 5), padding=(0, 1), stride=(3, 4)) on 8×8"), ours,
                     layer_shape(n, (kh, kw), (ph, pw), (sh, sw))),))


OTHER_COMBINATIONS = ((3, 1, 1), (3, 1, 2), (5, 2, 2), (3, 0, 3), (2, 0, 2), (4, 1, 3), (7, 3, 1), (1, 0, 2))


def other_combinations(n: int = 8) -> Answer:
    """zh 6.3.2: other padding and stride combinations on an 8x8 input, formula against nn.Conv2d."""
    rows, checks = [], []
    for k, p, s in OTHER_COMBINATIONS:
        ours = formula_side(n, k, 2 * p, s)
        real = layer_shape(n, k, p, s)
        checks.append(same(said(N_("kernel {k}, padding {p}, stride {s}: formula vs nn.Conv2d"), k=k, p=p, s=s),
                           (ours, ours), real))
        rows.append((f"{k}×{k}", p, s, f"floor(({n} - {k} + {2 * p} + {s}) / {s})", f"{ours}×{ours}"))
    return Answer(
        summary=N_("With an odd kernel k and padding (k - 1) / 2 the size is kept at stride 1 and divided by the "
                 "stride (rounded up) otherwise; without padding each layer loses k - 1 pixels."),
        details=N_("Every row is computed with the formula and checked against a real nn.Conv2d on an 8×8 input."),
        tables=(Table(said(N_("Output size on a {n}×{n} input"), n=n),
                      (N_("kernel"), N_("padding"), N_("stride"), N_("formula"), N_("output")),
                      tuple(rows)),),
        checks=tuple(checks))


def mirror_pad(X: torch.Tensor, p: int) -> torch.Tensor:
    """Reflect p rows and columns at each border, the border itself not repeated: X (h, w) -> (h+2p, w+2p)."""
    rows = torch.cat([X[1:p + 1].flip(0), X, X[-p - 1:-1].flip(0)])  # (h + 2p, w)
    return torch.cat([rows[:, 1:p + 1].flip(1), rows, rows[:, -p - 1:-1].flip(1)], dim=1)  # (h + 2p, w + 2p)


def mirror_padding(p: int = 1) -> Answer:
    """7.3.3: mirror padding by indexing, against F.pad(mode="reflect") and nn.Conv2d(padding_mode="reflect")."""
    X = torch.arange(1.0, 10.0, dtype=torch.float64).reshape(3, 3)
    ours = mirror_pad(X, p)
    K = torch.tensor([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]], dtype=torch.float64)  # Laplacian
    layer = nn.utils.skip_init(nn.Conv2d, 1, 1, 3, padding=p, padding_mode="reflect", bias=False,
                               dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(K[None, None])
        reference = layer(X[None, None])[0, 0]
    first, padded_first = X[0].long().tolist(), ours[p].long().tolist()  # the first row, before and after
    return Answer(
        summary=said(N_("Mirror padding copies the rows and columns next to the border across it (the border "
                        "itself is not repeated): {first} padded by {p} becomes {padded}. PyTorch calls it "
                        "'reflect'."), first=first, p=p, padded=padded_first),
        details=N_("Flip the p rows after the first and before the last and stack them on, then do the same for "
                 "columns. Unlike zero padding, it invents no dark frame, so an edge detector does not fire at "
                 "the image border. 'replicate' padding (repeat the border value) is the other common choice."),
        matrices=(matrix("X (3×3)", X), matrix(said(N_("X mirror-padded by {p}"), p=p), ours)),
        checks=(same_tensor(N_("our mirror padding vs F.pad(mode='reflect')"), ours,
                            F.pad(X[None, None], (p, p, p, p), mode="reflect")[0, 0]),
                same_tensor(N_("Laplacian on our padding vs nn.Conv2d(padding_mode='reflect')"),
                            F.conv2d(ours[None, None], K[None, None])[0, 0], reference, atol=1e-12)))


def stride_savings(n: int = 32, channels: int = 8) -> Answer:
    """7.3.4: FLOPs of one 3x3 convolution at strides 1, 2 and 4: the cost falls with the square of the stride."""
    rows, checks = [], []
    X = torch.empty(1, channels, n, n, device="meta")
    for s in (1, 2, 4):
        layer = nn.Conv2d(channels, channels, 3, padding=1, stride=s, bias=False, device="meta")
        side = formula_side(n, 3, 2, s)
        ours = 2 * channels * channels * 9 * side * side
        checks.append(same(said(N_("stride {s}: 2 c_o c_i k^2 h_out w_out vs torch's FLOP counter"), s=s), ours,
                           flops_of(layer, X)))
        rows.append((s, f"{side}×{side}", ours, f"{ours / (2 * channels * channels * 9 * n * n):.4g}"))
    return Answer(
        summary=N_("A stride s computes only every s-th output along each side: about s^2 times fewer outputs, "
                 "so s^2 times fewer multiply-adds and less memory for the next layer."),
        details=said(N_("A 3×3 convolution with {channels} input and output channels and padding 1 on a {n}×{n} "
                        "input; FLOPs count a multiply-add as 2, as torch.utils.flop_counter does."),
                     channels=channels, n=n),
        tables=(Table(N_("Cost of one convolution by stride"),
                      (N_("stride"), N_("output"), "FLOPs", N_("share of stride 1")),
                      tuple(rows)),),
        checks=tuple(checks))


def half_stride() -> Answer:
    """7.3.6: a stride of 1/2 is a transposed convolution: spread the input out with zeros, then convolve."""
    X = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64)
    K = torch.tensor([[1.0, 1.0], [1.0, 1.0]], dtype=torch.float64)
    up = F.conv_transpose2d(X[None, None], K[None, None], stride=2)[0, 0]  # (4, 4)
    spread = torch.zeros(3, 3, dtype=torch.float64)
    spread[::2, ::2] = X  # a zero between neighbours: the stride-1/2 grid
    ours = F.conv2d(F.pad(spread, (1, 1, 1, 1))[None, None], K.flip(0, 1)[None, None])[0, 0]
    return Answer(
        summary=N_("Put a zero between neighbouring input values (the input now has 'half-pixel' steps) and "
                 "slide the kernel with stride 1: the output is twice as large. This is the transposed "
                 "convolution, used to upsample (segmentation, generators, decoders)."),
        details=N_("With a 2×2 kernel of ones each input value is copied into a 2×2 block: nearest-neighbour "
                 "upsampling, here learned when the kernel is trained."),
        matrices=(matrix("X (2×2)", X), matrix(N_("stride 1/2 with a 2×2 kernel of ones (4×4)"), up)),
        checks=(same_tensor(N_("zeros in between, then F.conv2d, vs F.conv_transpose2d(stride=2)"), ours, up),
                same_tensor(N_("each value becomes a 2×2 block"), up,
                            X.repeat_interleave(2, 0).repeat_interleave(2, 1))))
