"""The inputs and kernels the convolution page offers: the book's examples and classic image filters."""

from __future__ import annotations

import torch

from cnnviz.errors import CnnvizError
from cnnviz.i18n import N_

# name -> kernel rows. The book's own kernels first, then classic image filters. The names are also the
# link's values, so they stay English; pages show them translated (N_ marks them for the catalog).
KERNEL_PRESETS: dict[str, list[list[float]]] = {
    N_("book [[0, 1], [2, 3]]"): [[0, 1], [2, 3]],
    N_("identity"): [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    N_("edge [1, -1]"): [[1, -1]],
    N_("edge [1, -1] transposed"): [[1], [-1]],
    N_("Sobel x"): [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    N_("Sobel y"): [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    N_("Laplacian"): [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    N_("box blur"): [[1 / 9] * 3] * 3,
    N_("Gaussian blur"): [[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16], [1 / 16, 2 / 16, 1 / 16]],
    N_("sharpen"): [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    N_("emboss"): [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
}

INPUT_PRESETS = (  # also the link's values: English here, translated where shown
    N_("book 3x3 arange"),
    N_("edge image 6x8"),
    N_("diagonal edge 6x6"),
    N_("4x4 arange"),
    N_("two-channel example"),
    N_("random integers"),
    N_("Fashion-MNIST image"),
    N_("uploaded image"),
    N_("typed grid"),
)
MAX_KERNEL_SIDE = 7
MAX_GRID_SIDE = 12  # a typed input: every cell still shows its number on a 1280x720 screen
MAX_CHANNELS = 3


class PresetError(CnnvizError):
    """An unknown preset name or impossible preset size."""


def kernel_preset(name: str) -> torch.Tensor:
    """The named kernel as a float64 (kh, kw) tensor."""
    if name not in KERNEL_PRESETS:
        raise PresetError(N_("kernel preset {name} is unknown; choose one of {options}"), name=repr(name),
                          options=", ".join(KERNEL_PRESETS))
    return torch.tensor(KERNEL_PRESETS[name], dtype=torch.float64)


def edge_image(shift: int = 0) -> torch.Tensor:
    """The book's 6x8 image (ones with a black band in columns 2-5), shifted right by `shift` pixels."""
    X = torch.ones(6, 8, dtype=torch.float64)
    X[:, 2:6] = 0
    return torch.roll(X, shifts=shift, dims=1)  # the borders are both white, so rolling is a clean shift


def diagonal_image(n: int = 6) -> torch.Tensor:
    """Ones on and below the diagonal, zeros above: one diagonal edge (exercise 7.2.1). (n, n) float64."""
    return torch.tril(torch.ones(n, n, dtype=torch.float64))


def book_input(name: str) -> torch.Tensor:
    """The book's fixed inputs: (h, w), or (2, h, w) for the two-channel example."""
    if name == "book 3x3 arange":
        return torch.arange(9, dtype=torch.float64).reshape(3, 3)
    if name == "edge image 6x8":
        return edge_image()
    if name == "diagonal edge 6x6":
        return diagonal_image(6)
    if name == "4x4 arange":
        return torch.arange(16, dtype=torch.float64).reshape(4, 4)
    if name == "two-channel example":
        X = torch.arange(9, dtype=torch.float64).reshape(3, 3)
        return torch.stack((X, X + 1))  # (2, 3, 3), d2l 7.4.1
    raise PresetError(N_("input preset {name} is not one of the book's fixed inputs"), name=repr(name))


def random_input(h: int, w: int, seed: int, channels: int = 1, high: int = 10) -> torch.Tensor:
    """Random integers 0..high-1 as float64 (channels, h, w), the same for the same seed."""
    if not (1 <= h <= 32 and 1 <= w <= 32):
        raise PresetError(N_("random input size {h}×{w}: each side must be 1 to 32"), h=h, w=w)
    gen = torch.Generator().manual_seed(int(seed))
    return torch.randint(0, high, (channels, h, w), generator=gen).to(torch.float64)


def with_channels(X: torch.Tensor, channels: int) -> torch.Tensor:
    """(h, w) or (c, h, w) -> (channels, h, w): missing channels are X + c, as the book builds X, X + 1."""
    X = X if X.dim() == 3 else X.unsqueeze(0)
    extra = [X[0] + c for c in range(X.shape[0], channels)]
    return torch.cat([X[:channels], *[e.unsqueeze(0) for e in extra]]) if extra else X[:channels]


def stack_kernels(K: torch.Tensor, c_out: int, c_in: int) -> torch.Tensor:
    """(kh, kw) -> (c_out, c_in, kh, kw) with K[o, i] = K + i + o, as d2l 7.4 stacks K, K + 1, K + 2."""
    offsets = torch.arange(c_out, dtype=K.dtype)[:, None] + torch.arange(c_in, dtype=K.dtype)[None, :]
    return K[None, None] + offsets[:, :, None, None]


def _centre(k: int) -> int:
    """The centre tap of a side of k taps; for an even k, the upper of the two middle taps."""
    return (k - 1) // 2


def resize_kernel(K: torch.Tensor, kh: int, kw: int) -> torch.Tensor:
    """K (h, w) zero-extended or cropped to (kh, kw) about its centre, so a Sobel stays centred.

    The centre taps are aligned, so growing 3 -> 4 -> 5 one step at a time gives the same 5x5 as 3 -> 5,
    and shrinking back returns the original kernel."""
    if not (1 <= kh <= MAX_KERNEL_SIDE and 1 <= kw <= MAX_KERNEL_SIDE):
        raise PresetError(N_("kernel shape {kh}×{kw}: each side must be 1 to {most}"), kh=kh, kw=kw,
                          most=MAX_KERNEL_SIDE)
    out = torch.zeros(kh, kw, dtype=torch.float64)
    # Row r of K lands on row r + shift of the new kernel; rows that fall outside are cropped.
    (src_h, dst_h), (src_w, dst_w) = (_overlap(K.shape[0], kh), _overlap(K.shape[1], kw))
    out[dst_h, dst_w] = K[src_h, src_w].to(torch.float64)
    return out


def _overlap(old: int, new: int) -> tuple[slice, slice]:
    """The (source, destination) slices of one side when its centre taps are aligned."""
    shift = _centre(new) - _centre(old)
    start = max(0, -shift)
    stop = min(old, new - shift)
    return slice(start, stop), slice(start + shift, stop + shift)


def default_1x1_weights(c_out: int, c_in: int) -> torch.Tensor:
    """A readable (c_out, c_in) weight matrix for the 1x1 demo: channel mixes with small integers."""
    base = torch.tensor([[1, 0, -1], [1, 1, 1], [0, 2, 0]], dtype=torch.float64)
    return base[:c_out, :c_in].clone()
