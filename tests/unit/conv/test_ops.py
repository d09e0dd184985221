"""cnnviz.conv.ops against torch.nn.functional in float64, the book's printed examples, and every invalid input."""

from __future__ import annotations

import itertools

import pytest
import torch
import torch.nn.functional as F

from cnnviz.conv import ops
from cnnviz.errors import CnnvizError

SIZES = [(1, 1), (3, 3), (5, 7), (8, 6)]
KERNELS = [(1, 1), (2, 2), (3, 2), (1, 4), (3, 3)]
PADDINGS = [0, 1, (2, 0)]
STRIDES = [1, 2, (1, 3)]
DILATIONS = [1, 2, (2, 1)]


def _pair(v):
    return (v, v) if isinstance(v, int) else v


def _fits(hw, khw, padding, dilation) -> bool:
    (h, w), (kh, kw), (ph, pw), (dh, dw) = hw, khw, _pair(padding), _pair(dilation)
    return dh * (kh - 1) + 1 <= h + 2 * ph and dw * (kw - 1) + 1 <= w + 2 * pw


def _rand(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


@pytest.mark.parametrize("padding,stride,dilation", list(itertools.product(PADDINGS, STRIDES, DILATIONS)))
def test_corr2d_equals_conv2d(padding, stride, dilation):
    checked = 0
    for n, (hw, khw) in enumerate(itertools.product(SIZES, KERNELS)):
        X, K = _rand(*hw, seed=n), _rand(*khw, seed=100 + n)
        if not _fits(hw, khw, padding, dilation):
            said = "larger than the padded input" if padding else "larger than the input"  # "padded" only with padding
            with pytest.raises(ValueError, match=said):
                ops.corr2d(X, K, padding, stride, dilation)
            continue
        ref = F.conv2d(X[None, None], K[None, None], padding=padding, stride=stride, dilation=dilation)[0, 0]
        Y = ops.corr2d(X, K, padding, stride, dilation)
        assert Y.dtype == torch.float64 and Y.shape == ref.shape
        torch.testing.assert_close(Y, ref, atol=1e-9, rtol=0)
        assert Y.shape == tuple(ops.output_size(X.shape[a], K.shape[a], _pair(padding)[a], _pair(stride)[a],
                                                _pair(dilation)[a]) for a in (0, 1))
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize("c_in,c_out", [(1, 1), (2, 3), (3, 2), (3, 3)])
@pytest.mark.parametrize("padding,stride,dilation", [(0, 1, 1), (1, 2, 1), ((2, 1), (1, 2), (2, 1)), (1, 1, 2)])
def test_multi_channel_equals_conv2d(c_in, c_out, padding, stride, dilation):
    X, K = _rand(c_in, 7, 6, seed=c_in), _rand(c_out, c_in, 3, 2, seed=c_out)
    ref = F.conv2d(X[None], K, padding=padding, stride=stride, dilation=dilation)[0]
    torch.testing.assert_close(ops.corr2d_multi_in_out(X, K, padding, stride, dilation), ref, atol=1e-9, rtol=0)
    torch.testing.assert_close(ops.corr2d_multi_in(X, K[0], padding, stride, dilation), ref[0], atol=1e-9, rtol=0)


@pytest.mark.parametrize("c_in,c_out,h,w", [(1, 1, 1, 1), (3, 2, 3, 3), (2, 3, 5, 4)])
def test_1x1_is_a_matrix_product(c_in, c_out, h, w):
    X, K = _rand(c_in, h, w, seed=1), _rand(c_out, c_in, 1, 1, seed=2)
    Y = ops.corr2d_multi_in_out_1x1(X, K)
    torch.testing.assert_close(Y, F.conv2d(X[None], K)[0], atol=1e-9, rtol=0)
    torch.testing.assert_close(Y, ops.corr2d_multi_in_out(X, K), atol=1e-9, rtol=0)


POOLS = [((2, 2), 0, 1), ((3, 3), 1, 2), ((2, 4), (1, 2), (2, 3)), ((3, 2), (1, 0), (3, 1)), ((1, 1), 0, 1),
         ((4, 4), 2, 1), ((2, 3), (1, 1), 2)]


@pytest.mark.parametrize("window,padding,stride", POOLS)
@pytest.mark.parametrize("hw", [(4, 4), (5, 7), (6, 3)])
def test_pool2d_equals_max_and_avg_pool(window, padding, stride, hw):
    X = _rand(2, *hw, seed=hw[0] * 10 + hw[1])
    assert _fits(hw, window, padding, 1)
    torch.testing.assert_close(ops.pool2d(X, window, "max", padding, stride),
                               F.max_pool2d(X[None], window, stride, padding)[0], atol=1e-9, rtol=0)
    torch.testing.assert_close(ops.pool2d(X, window, "avg", padding, stride),
                               F.avg_pool2d(X[None], window, stride, padding, count_include_pad=True)[0],
                               atol=1e-9, rtol=0)
    torch.testing.assert_close(ops.pool2d(X[0], window, "max", padding, stride),
                               F.max_pool2d(X[:1][None], window, stride, padding)[0, 0], atol=1e-9, rtol=0)


def test_pool2d_with_all_negative_values_ignores_padding():
    X = -1 - torch.arange(9, dtype=torch.float64).reshape(3, 3)  # every value < 0: a padded 0 must not win
    torch.testing.assert_close(ops.pool2d(X, 3, padding=1), F.max_pool2d(X[None], 3, 1, 1)[0])
    assert float(ops.pool2d(X, 3, padding=1).max()) == -1


# --- the book's printed examples, exactly -------------------------------------------------------------

def test_book_corr2d():
    X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    assert ops.corr2d(X, K).tolist() == [[19, 25], [37, 43]]


def test_book_edge_detection():
    X = torch.ones((6, 8))
    X[:, 2:6] = 0
    K = torch.tensor([[1.0, -1.0]])
    Y = ops.corr2d(X, K)
    assert Y.tolist() == [[0, 1, 0, 0, 0, -1, 0]] * 6
    assert ops.corr2d(X.t(), K).tolist() == [[0] * 5] * 8  # the transposed image: no vertical edges


def test_book_multi_channel():
    X = torch.tensor([[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]],
                      [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]])
    K = torch.tensor([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])
    assert ops.corr2d_multi_in(X, K).tolist() == [[56, 72], [104, 120]]
    K3 = torch.stack((K, K + 1, K + 2), 0)
    assert K3.shape == (3, 2, 2, 2)
    assert ops.corr2d_multi_in_out(X, K3).tolist() == [[[56, 72], [104, 120]], [[76, 100], [148, 172]],
                                                       [[96, 128], [192, 224]]]


def test_book_1x1():
    X, K = torch.normal(0, 1, (3, 3, 3)), torch.normal(0, 1, (2, 3, 1, 1))
    assert float((ops.corr2d_multi_in_out_1x1(X, K) - ops.corr2d_multi_in_out(X, K)).abs().sum()) < 1e-6


def test_book_pool2d():
    X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
    assert ops.pool2d(X, (2, 2)).tolist() == [[4, 5], [7, 8]]
    assert ops.pool2d(X, (2, 2), "avg").tolist() == [[2, 3], [5, 6]]


def test_book_pooling_padding_and_stride():
    X = torch.arange(16, dtype=torch.float32).reshape(4, 4)
    assert ops.pool2d(X, 3, stride=3).tolist() == [[10]]  # nn.MaxPool2d(3): stride defaults to 3
    assert ops.pool2d(X, 3, padding=1, stride=2).tolist() == [[5, 7], [13, 15]]
    assert ops.pool2d(X, (2, 4), padding=(1, 2), stride=(2, 3)).tolist() == [[1, 3], [9, 11], [13, 15]]
    assert ops.pool2d(X, (2, 3), padding=(0, 1), stride=(2, 3)).tolist() == [[5, 7], [13, 15]]
    X2 = torch.stack((X, X + 1))  # two channels in, two out
    assert ops.pool2d(X2, 3, padding=1, stride=2).tolist() == [[[5, 7], [13, 15]], [[6, 8], [14, 16]]]


@pytest.mark.parametrize("kernel,padding,stride,shape", [
    (3, 1, 1, (8, 8)), ((5, 3), (2, 1), 1, (8, 8)), (3, 1, 2, (4, 4)), ((3, 5), (0, 1), (3, 4), (2, 2)),
])
def test_book_comp_conv2d_shapes(kernel, padding, stride, shape):
    X = _rand(8, 8)
    K = _rand(*_pair(kernel))
    assert tuple(ops.corr2d(X, K, padding, stride).shape) == shape


def test_output_size_and_receptive_window():
    assert ops.output_size(8, 3, 1, 2) == 4
    assert ops.output_size(8, 5, 0, 3) == 2
    assert ops.output_size(7, 3, 0, 1, 2) == 3
    assert ops.receptive_window(0, 0, 2) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert ops.receptive_window(1, 2, (2, 2), stride=(2, 3), dilation=(1, 2)) == [(2, 6), (2, 8), (3, 6), (3, 8)]


def test_receptive_window_cells_give_the_output():
    X, K = _rand(6, 7), _rand(3, 2, seed=3)
    padding, stride, dilation = (1, 2), (2, 1), (2, 3)
    Y, Xp = ops.corr2d(X, K, padding, stride, dilation), ops.padded(X, padding)
    for i, j in itertools.product(range(Y.shape[0]), range(Y.shape[1])):
        cells = ops.receptive_window(i, j, tuple(K.shape), stride, dilation)
        window = torch.stack([Xp[r, c] for r, c in cells])
        assert abs(float((window * K.flatten()).sum() - Y[i, j])) < 1e-12


def test_true_convolution_flips_the_kernel():
    X, K = _rand(5, 5), _rand(3, 2, seed=4)
    flipped = ops.corr2d(X, ops.flip_kernel(K))
    # scipy-style convolution: conv_transpose with the same kernel on a padded input is the full convolution
    full = F.conv_transpose2d(X[None, None], K[None, None])[0, 0]
    torch.testing.assert_close(flipped, full[2:-2, 1:-1], atol=1e-9, rtol=0)


def test_integer_inputs_are_computed_in_float64_and_float32_stays_float32():
    X, K = torch.arange(9).reshape(3, 3), torch.tensor([[0, 1], [2, 3]])
    assert ops.corr2d(X, K).dtype == torch.float64
    assert ops.corr2d(X.float(), K.float()).dtype == torch.float32


# --- invalid input --------------------------------------------------------------------------------------

X3, K2 = torch.zeros(3, 3), torch.zeros(2, 2)


@pytest.mark.parametrize("call,match", [
    (lambda: ops.corr2d(X3, torch.zeros(4, 4)),
     r"kernel 4×4 .* larger than the input 3×3; use a smaller kernel or dilation, or add padding"),
    (lambda: ops.corr2d(X3, K2, dilation=3), r"spans 4×4.*larger than the input"),
    (lambda: ops.corr2d(X3, K2, stride=0), r"stride=0.*>= 1"),
    (lambda: ops.corr2d(X3, K2, stride=(1, -2)), r"stride=\(1, -2\).*>= 1"),
    (lambda: ops.corr2d(X3, K2, dilation=0), r"dilation=0.*>= 1"),
    (lambda: ops.corr2d(X3, K2, padding=-1), r"padding=-1.*>= 0"),
    (lambda: ops.corr2d(X3, K2, padding=(1, 2, 3)), r"padding=\(1, 2, 3\) must be an int or a pair"),
    (lambda: ops.corr2d(X3, K2, stride=1.5), r"stride=1.5 must be an int or a pair"),
    (lambda: ops.pool2d(X3, 2, padding=2), r"padding=\(2, 2\) is more than half the pooling window 2×2"),
    (lambda: ops.pool2d(X3, 2, mode="min"), r"mode='min' is not a pooling mode; use 'max' or 'avg'"),
    (lambda: ops.pool2d(X3, 4), r"larger than the input"),
    (lambda: ops.pool2d(X3, 6, padding=1), r"larger than the padded input 5×5 \(input 3×3, padding 1×1\)"),
    (lambda: ops.pool2d(torch.zeros(1, 1, 3, 3), 2), r"X must have shape \(h, w\) or \(c, h, w\)"),
    (lambda: ops.corr2d(torch.zeros(1, 3, 3), K2), r"X must have shape \(h, w\); got shape \(1, 3, 3\)"),
    (lambda: ops.corr2d(X3, torch.zeros(2)), r"K must have shape \(kh, kw\)"),
    (lambda: ops.corr2d([[1.0]], K2), r"X must be a torch.Tensor"),
    (lambda: ops.corr2d(torch.zeros(0, 3), K2), r"X is empty"),
    (lambda: ops.corr2d_multi_in(torch.zeros(2, 3, 3), torch.zeros(3, 2, 2)),
     r"X has 2 input channels but K expects 3"),
    (lambda: ops.corr2d_multi_in_out(torch.zeros(2, 3, 3), torch.zeros(2, 2, 2)), r"K must have shape \(c_out"),
    (lambda: ops.corr2d_multi_in_out_1x1(torch.zeros(2, 3, 3), torch.zeros(1, 2, 2, 2)), r"1×1 kernel"),
    (lambda: ops.corr2d_multi_in_out_1x1(torch.zeros(2, 3, 3), torch.zeros(1, 3, 1, 1)), r"2 input channels"),
    (lambda: ops.corr2d(torch.tensor([[1.0, float("nan")]]), torch.ones(1, 1)), r"X contains NaN or infinite"),
    (lambda: ops.corr2d(X3, torch.tensor([[float("inf")]])), r"K contains NaN or infinite"),
    (lambda: ops.receptive_window(0, 0, 0), r"kernel_size=0"),
])
def test_invalid_inputs(call, match):
    with pytest.raises(ValueError, match=match) as info:
        call()
    assert isinstance(info.value, CnnvizError)
