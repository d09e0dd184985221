"""Every registered answer runs, passes its own checks, and shows numbers PyTorch agrees with: each test
recomputes the answer's key numbers independently (torch.nn.functional, real layers, autograd)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from cnnviz.exercises.answer import Answer, Matrix, Table
from cnnviz.exercises.answers import ANSWERS
from cnnviz.exercises.answers_common import same, same_tensor
from cnnviz.exercises.catalog import find

# Top-level exercise counts per section, d2l-en 7.2-8.5 and d2l-zh 6.2-7.5 (shared/reference, section 2.2).
EN_COUNTS = {"7.2": 4, "7.3": 6, "7.4": 7, "7.5": 7, "7.6": 5, "8.1": 8, "8.2": 4, "8.3": 6, "8.4": 5, "8.5": 7,
             "8.6": 5, "8.7": 5, "8.8": 4}
ZH_COUNTS = {"6.2": 4, "6.3": 4, "6.4": 6, "6.5": 6, "6.6": 4, "7.1": 5, "7.2": 4, "7.3": 4, "7.4": 3, "7.5": 7,
             "7.6": 5, "7.7": 5}


def answer(exercise: str) -> Answer:
    return ANSWERS[exercise]()


def by_caption(items, start: str):
    return next(item for item in items if item.caption.startswith(start))


def flops(fn, *args) -> int:
    with FlopCounterMode(display=False) as counter:
        fn(*args)
    return counter.get_total_flops()


@pytest.mark.parametrize("exercise", sorted(ANSWERS))
def test_every_answer_is_well_formed_and_passes_its_checks(exercise):
    result = ANSWERS[exercise]()
    assert isinstance(result, Answer) and result.summary and result.checks
    assert result.all_checks_pass, [c for c in result.checks if not c.passed]
    for m in result.matrices:
        assert isinstance(m, Matrix) and isinstance(m.values, np.ndarray) and m.values.ndim == 2
    for t in result.tables:
        assert isinstance(t, Table) and t.rows and all(len(row) == len(t.columns) for row in t.rows)


@pytest.mark.parametrize("exercise", sorted(ANSWERS))
def test_ids_name_real_top_level_exercises(exercise):
    match = re.fullmatch(r"(zh-)?(\d\.\d)\.(\d+)", exercise)
    assert match, exercise
    counts = ZH_COUNTS if match[1] else EN_COUNTS
    assert 1 <= int(match[3]) <= counts[match[2]]


def test_the_brief_is_covered():
    wanted = {"7.2.1", "7.2.2", "7.2.4", "7.3.1", "7.4.2", "7.4.3", "7.5.1", "7.5.2", "7.5.3", "7.5.4",
              "8.1.1", "8.2.1", "8.3.2", "8.4.4", "8.5.1"}
    assert wanted <= set(ANSWERS)


def test_checks_can_fail():
    a = torch.tensor([[1.0, 2.0]], dtype=torch.float64)
    assert not same_tensor("off by 1e-9", a, a + 1e-9).passed
    assert not same_tensor("shape", a, a.T).passed
    assert same_tensor("within tolerance", a, a + 1e-13, atol=1e-12).passed
    assert not same("numbers", 3, 4).passed and same("tuples", (2, 2), (2, 2)).passed


def test_diagonal_edges_match_conv2d():
    result = answer("7.2.1")
    X = torch.tensor(by_caption(result.matrices, "X:").values)
    K = torch.tensor([[1.0, -1.0]], dtype=torch.float64)
    conv = lambda img, k: F.conv2d(img[None, None], k[None, None])[0, 0].numpy()  # noqa: E731
    assert torch.equal(X, torch.tril(torch.ones(6, 6, dtype=torch.float64)))
    np.testing.assert_array_equal(by_caption(result.matrices, "K = [1, -1] on X").values, conv(X, K))
    np.testing.assert_array_equal(by_caption(result.matrices, "K on X transposed").values, conv(X.T, K))
    np.testing.assert_array_equal(by_caption(result.matrices, "K transposed").values, conv(X, K.T))
    assert np.array_equal(conv(X, K), np.eye(6, 5))  # +1 on the diagonal: the edge is found


def test_derivative_kernels_give_d_factorial_on_x_to_the_d():
    table = answer("7.2.2").tables[0]
    x = torch.arange(10, dtype=torch.float64)
    for order, kernel, size, output, exact in table.rows:
        K = torch.tensor([-1.0, 1.0], dtype=torch.float64)
        for _ in range(order - 1):  # the d-th difference is [-1, 1] convolved with itself d times
            K = F.conv1d(F.pad(K, (1, 1))[None, None], torch.tensor([[[1.0, -1.0]]], dtype=torch.float64))[0, 0]
        assert eval(kernel) == K.long().tolist() and size == order + 1 == len(K)  # noqa: S307: a list literal
        result = F.conv1d((x ** order)[None, None], K[None, None])[0, 0]
        assert torch.all(result == math.factorial(order)) and output == exact == math.factorial(order)


def test_toeplitz_matrix_is_the_jacobian_of_conv2d():
    result = answer("7.2.4")
    W = torch.tensor(by_caption(result.matrices, "W").values)
    X = torch.arange(9.0, dtype=torch.float64).reshape(3, 3)
    K = torch.tensor(by_caption(result.matrices, "K").values)
    jacobian = torch.autograd.functional.jacobian(lambda x: F.conv2d(x.reshape(1, 1, 3, 3), K[None, None]).flatten(),
                                                  X.flatten())
    assert torch.equal(W, jacobian)
    assert (W @ X.flatten()).tolist() == [19.0, 25.0, 37.0, 43.0]  # the book's printed output
    for n_text, _, shape, nonzeros, zeros in result.tables[0].rows:
        n = int(n_text.split("×")[0])
        J = torch.autograd.functional.jacobian(
            lambda x: F.conv2d(x.reshape(1, 1, n, n), torch.ones(1, 1, 3, 3, dtype=torch.float64)).flatten(),
            torch.zeros(n * n, dtype=torch.float64))
        assert shape == f"{J.shape[0]} x {J.shape[1]}" and nonzeros == int((J != 0).sum())
        assert zeros == f"{100 * (1 - nonzeros / J.numel()):.1f}%"


def test_output_shapes_match_real_layers():
    assert "2×2" in answer("7.3.1").summary
    assert nn.Conv2d(1, 1, (3, 5), padding=(0, 1), stride=(3, 4))(torch.zeros(1, 1, 8, 8)).shape[-2:] == (2, 2)
    for kernel, padding, stride, _, output in answer("zh-6.3.2").tables[0].rows:
        k = int(kernel.split("×")[0])
        side = nn.Conv2d(1, 1, k, padding=padding, stride=stride)(torch.zeros(1, 1, 8, 8)).shape[-1]
        assert output == f"{side}×{side}"


def test_mirror_padding_is_numpys_reflect():
    result = answer("7.3.3")
    X = by_caption(result.matrices, "X").values
    padded = by_caption(result.matrices, "X mirror").values
    assert np.array_equal(padded, np.pad(X, 1, mode="reflect"))


def test_stride_flops_match_the_counter():
    for stride, output, stated, _ in answer("7.3.4").tables[0].rows:
        layer = nn.Conv2d(8, 8, 3, padding=1, stride=stride, bias=False)
        assert stated == flops(layer, torch.zeros(1, 8, 32, 32))


def test_half_stride_is_conv_transpose():
    result = answer("7.3.6")
    X = torch.tensor(by_caption(result.matrices, "X").values)
    up = F.conv_transpose2d(X[None, None], torch.ones(1, 1, 2, 2, dtype=torch.float64), stride=2)[0, 0]
    assert np.array_equal(by_caption(result.matrices, "stride 1/2").values, up.numpy())


def test_two_kernels_are_one_on_a_fresh_input():
    result = answer("7.4.1")
    K1, K2, K = (torch.tensor(m.values) for m in result.matrices)
    X = torch.randn(1, 1, 9, 9, dtype=torch.float64)
    twice = F.conv2d(F.conv2d(X, K1[None, None]), K2[None, None])
    assert torch.allclose(twice, F.conv2d(X, K[None, None]), atol=1e-12) and K.shape == (4, 4)


def test_layer_cost_table_matches_pytorch():
    rows = {row[0]: row[1:] for row in answer("7.4.2").tables[0].rows}
    layer = nn.Conv2d(3, 4, 3, padding=1)
    X = torch.zeros(1, 3, 8, 8, requires_grad=True)
    assert int(rows["forward FLOPs"][1]) == flops(layer, X) == 2 * F.unfold(X, 3, padding=1).numel() * 4
    assert int(rows["weights + biases"][0]) == sum(p.numel() for p in layer.parameters())
    Y = layer(X)
    assert int(rows["backward FLOPs"][0]) == flops(lambda: Y.sum().backward())
    ratios = [row[-1] for row in answer("7.4.3").tables[0].rows]
    base = flops(layer, X)
    assert float(ratios[1]) == flops(nn.Conv2d(6, 8, 3, padding=1), torch.zeros(1, 6, 8, 8)) / base == 4
    assert float(ratios[2]) == flops(nn.Conv2d(3, 4, 3, padding=2), X) / base


def test_one_by_one_and_im2col_match_conv2d():
    macs = flops(F.conv2d, torch.zeros(1, 3, 4, 4), torch.zeros(2, 3, 1, 1)) // 2
    assert f"{macs} multiply-adds ({2 * macs} FLOPs)" in answer("zh-6.4.4").summary
    result = answer("7.4.5")
    cols, weights = (torch.tensor(m.values) for m in result.matrices)
    assert cols.shape == (2 * 9, 4) and weights.shape == (3, 18)


def test_block_diagonal_is_a_grouped_convolution():
    W = torch.tensor(answer("7.4.7").matrices[0].values)
    X = torch.randn(1, 8, 5, 5, dtype=torch.float64)
    grouped = nn.Conv2d(8, 8, 1, groups=4, bias=False, dtype=torch.float64)
    with torch.no_grad():
        grouped.weight.copy_(torch.cat([W[i:i + 2, i:i + 2] for i in range(0, 8, 2)])[:, :, None, None])
    assert torch.allclose(grouped(X), F.conv2d(X, W[:, :, None, None]), atol=1e-12)
    assert int((W != 0).sum()) <= 8 * 8 // 4


def test_average_pooling_is_a_constant_kernel_conv():
    result = answer("7.5.1")
    X = torch.randint(-50, 50, (1, 3, 6, 6)).to(torch.float64)
    conv = nn.Conv2d(3, 3, 2, stride=2, groups=3, bias=False, dtype=torch.float64)
    with torch.no_grad():
        conv.weight.fill_(by_caption(result.matrices, "constant kernel").values[0, 0])
    assert torch.equal(conv(X), F.avg_pool2d(X, 2))
    shown = by_caption(result.matrices, "convolution result").values
    assert np.array_equal(shown, F.avg_pool2d(torch.arange(16.0).reshape(1, 1, 4, 4), 2)[0, 0].numpy())


def test_max_pooling_counterexample_breaks_linearity():
    A, B = (torch.tensor(m.values)[None, None] for m in answer("7.5.2").matrices)
    assert F.max_pool2d(A + B, 2) != F.max_pool2d(A, 2) + F.max_pool2d(B, 2)


def test_max_pooling_from_relu_layers():
    from cnnviz.exercises.answers_pool import max_pool_with_relu, relu_max

    a, b = torch.randn(500, dtype=torch.float64), torch.randn(500, dtype=torch.float64)
    assert torch.allclose(relu_max(a, b), torch.maximum(a, b), atol=1e-15)
    X = torch.randint(-20, 20, (1, 1, 12, 12)).to(torch.float64)
    for window, values, layers, _ in answer("7.5.3").tables[0].rows:
        k = int(window[0])
        ours, _ = max_pool_with_relu(X, k)
        assert torch.equal(ours, F.max_pool2d(X, k)) and layers == math.ceil(math.log2(values))


def test_pooling_cost_and_min_pooling():
    summary = answer("7.5.4").summary
    out = F.max_pool2d(torch.zeros(1, 4, 8, 8), 3, 2, 1)
    assert f"{out.numel()} outputs, {out.numel() * 8:,} comparisons" in summary
    result = answer("7.5.6")
    X = torch.tensor(result.matrices[0].values)
    assert np.array_equal(result.matrices[1].values, (-F.max_pool2d(-X[None], 2))[0].numpy())


def test_answers_are_pure():
    """No answer moves torch's global random state or changes between calls."""
    state = torch.get_rng_state()
    first = {exercise: fn() for exercise, fn in ANSWERS.items()}
    assert torch.equal(state, torch.get_rng_state())
    for exercise in ("7.4.4", "7.5.3", "8.5.1", "8.5.4", "8.7.1"):  # the ones drawing random numbers
        again = ANSWERS[exercise]()
        assert again.summary == first[exercise].summary and again.checks == first[exercise].checks


def test_lite_batch_norm_halves_compose_to_batch_norm():
    from cnnviz.exercises.answers_bn import centre_only, scale_only

    X = 5 + 3 * torch.randn(8, 2, 3, 3, dtype=torch.float64)
    reference = nn.BatchNorm2d(2, affine=False, dtype=torch.float64)(X)
    assert torch.allclose(scale_only(centre_only(X)), reference, atol=1e-12)
    rows = {row[0]: row for row in answer("8.5.4").tables[0].rows}
    assert rows["batch norm"][2] == "1 to 1" and rows["centre only"][2] == rows["input"][2]


def test_the_books_loop_has_conv2ds_gradient():
    check = answer("7.2.3").checks[0]
    X = torch.arange(16.0, dtype=torch.float64).reshape(1, 1, 4, 4)
    upstream = torch.tensor([[1.0, -1.0, 2.0], [0.5, 0.0, 1.0], [-2.0, 1.0, 3.0]], dtype=torch.float64)
    # d(sum(upstream * corr(X, K))) / dK is the correlation of X with the upstream gradient
    assert check.ours == str(F.conv2d(X, upstream[None, None])[0, 0].tolist())


def test_the_zh_6_2_4_answer_gives_the_integral_kernel_the_zh_exercise_asks_for():
    """zh 6.2.4 asks for a second-derivative kernel, an integral kernel and the smallest d-th derivative kernel."""
    exercise = find("zh-6.2.4")
    assert exercise.id == "7.2.2" and "积分" in exercise.statement.zh and "二阶导数" in exercise.statement.zh
    answer = ANSWERS["7.2.2"]()
    (integral,) = [m for m in answer.matrices if "running sum" in str(m.caption)]
    ones = integral.values.ravel()
    assert (ones == 1).all() and ones.size == 8
    signal = [float(x * x) for x in range(1, 9)]
    padded = [0.0] * (ones.size - 1) + signal
    running = [sum(padded[i + k] * ones[k] for k in range(ones.size)) for i in range(len(signal))]  # by hand
    assert running == list(np.cumsum(signal)) == [1, 5, 14, 30, 55, 91, 140, 204]
    assert all(check.passed for check in answer.checks)
