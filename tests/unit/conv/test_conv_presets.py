"""Every preset of page 1 builds and runs through the ops, and equals PyTorch."""

import pytest
import torch
import torch.nn.functional as F

from cnnviz.conv import presets
from cnnviz.conv import ops


@pytest.mark.parametrize("name", list(presets.KERNEL_PRESETS))
def test_every_kernel_preset_runs_like_conv2d(name):
    K = presets.kernel_preset(name)
    assert K.dtype == torch.float64 and 1 <= min(K.shape) and max(K.shape) <= presets.MAX_KERNEL_SIDE
    X = presets.random_input(8, 8, seed=1)[0]
    torch.testing.assert_close(ops.corr2d(X, K, padding=1), F.conv2d(X[None, None], K[None, None], padding=1)[0, 0],
                               atol=1e-9, rtol=0)


def test_classic_filters_sum_as_expected():
    assert float(presets.kernel_preset("box blur").sum()) == pytest.approx(1)
    assert float(presets.kernel_preset("Gaussian blur").sum()) == pytest.approx(1)
    assert float(presets.kernel_preset("Laplacian").sum()) == 0
    assert float(presets.kernel_preset("sharpen").sum()) == 1
    assert presets.kernel_preset("Sobel y").tolist() == presets.kernel_preset("Sobel x").t().tolist()
    assert presets.kernel_preset("edge [1, -1] transposed").tolist() == [[1], [-1]]


@pytest.mark.parametrize("name", [n for n in presets.INPUT_PRESETS if n in
                                  ("book 3x3 arange", "edge image 6x8", "diagonal edge 6x6", "4x4 arange",
                                   "two-channel example")])
def test_book_inputs(name):
    X = presets.book_input(name)
    expected = {"book 3x3 arange": (3, 3), "edge image 6x8": (6, 8), "diagonal edge 6x6": (6, 6),
                "4x4 arange": (4, 4), "two-channel example": (2, 3, 3)}[name]
    assert tuple(X.shape) == expected


def test_the_diagonal_edge_and_the_edge_kernel_mark_the_diagonal():
    """Exercise 7.2.1's input: [1, -1] marks the cell right of each diagonal step, F.conv2d agreeing."""
    X = presets.book_input("diagonal edge 6x6")
    assert X[2].tolist() == [1, 1, 1, 0, 0, 0] and bool((X == X.tril()).all())
    Y = ops.corr2d(X, presets.kernel_preset("edge [1, -1]"))
    torch.testing.assert_close(Y, F.conv2d(X[None, None], presets.kernel_preset("edge [1, -1]")[None, None])[0, 0])
    assert [(r, c) for r, c in Y.nonzero().tolist()] == [(r, r) for r in range(5)]


def test_two_channel_example_with_stacked_kernels_is_the_book():
    X = presets.book_input("two-channel example")
    K = presets.stack_kernels(presets.kernel_preset("book [[0, 1], [2, 3]]"), 3, 2)
    assert ops.corr2d_multi_in_out(X, K)[:, 0, 0].tolist() == [56, 76, 96]


def test_edge_image_shift_and_channels():
    assert presets.edge_image(0)[0].tolist() == [1, 1, 0, 0, 0, 0, 1, 1]
    assert presets.edge_image(1)[0].tolist() == [1, 1, 1, 0, 0, 0, 0, 1]
    X = presets.with_channels(torch.arange(4.0).reshape(2, 2), 3)
    assert X.shape == (3, 2, 2) and X[2].tolist() == [[2, 3], [4, 5]]
    assert presets.with_channels(presets.book_input("two-channel example"), 1).shape == (1, 3, 3)


def test_random_input_is_reproducible_and_bounded():
    a, b = presets.random_input(4, 5, seed=7, channels=2), presets.random_input(4, 5, seed=7, channels=2)
    assert a.shape == (2, 4, 5) and torch.equal(a, b) and 0 <= a.min() and a.max() <= 9
    with pytest.raises(ValueError, match="each side must be 1 to 32"):
        presets.random_input(0, 5, seed=1)


def test_resize_kernel_grows_and_shrinks_about_the_centre():
    """A Sobel grown one step at a time (the number input's +) stays centred, and shrinks back to itself."""
    sobel = presets.kernel_preset("Sobel x")
    K = sobel
    for side in (4, 5):
        K = presets.resize_kernel(K, side, side)
    assert K.shape == (5, 5) and K[1:4, 1:4].tolist() == sobel.tolist() and float(K.abs().sum()) == 8
    assert presets.resize_kernel(K, 7, 7)[2:5, 2:5].tolist() == sobel.tolist()
    assert presets.resize_kernel(presets.resize_kernel(K, 4, 4), 3, 3).tolist() == sobel.tolist()
    assert presets.resize_kernel(K, 3, 3).tolist() == sobel.tolist()
    # A 7x7 turned into a 1x1 keeps its centre; any path between two shapes gives the same kernel.
    assert presets.resize_kernel(presets.resize_kernel(sobel, 7, 7), 1, 1).tolist() == [[0.0]]
    stepped = presets.resize_kernel(presets.resize_kernel(presets.resize_kernel(sobel, 4, 3), 6, 5), 5, 6)
    assert stepped.tolist() == presets.resize_kernel(sobel, 5, 6).tolist()


def test_resize_kernel_checks_its_shape():
    K = presets.kernel_preset("book [[0, 1], [2, 3]]")
    assert presets.resize_kernel(presets.resize_kernel(K, 3, 3), 2, 2).tolist() == K.tolist()
    with pytest.raises(ValueError, match="kernel shape 8×1"):
        presets.resize_kernel(K, 8, 1)
    with pytest.raises(ValueError, match="kernel preset 'nope' is unknown"):
        presets.kernel_preset("nope")
