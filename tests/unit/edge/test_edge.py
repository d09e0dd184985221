"""cnnviz.edge.fit and cnnviz.edge.inputs: learning the book's edge kernel, checked against direct computation."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from cnnviz.edge import fit as edge
from cnnviz.edge import inputs as edge_inputs
from cnnviz.errors import CnnvizError
from cnnviz.figures import edge as figures

pytestmark = pytest.mark.usefixtures("one_torch_thread")
VERTICAL = "Vertical edge [1, -1]"
HORIZONTAL = "Horizontal edge [[1], [-1]]"


def corr2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """d2l's corr2d, a plain loop in float64: the oracle for every output."""
    h, w = K.shape
    Y = torch.zeros(X.shape[0] - h + 1, X.shape[1] - w + 1, dtype=torch.float64)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w].double() * K.double()).sum()
    return Y


@pytest.fixture
def book():
    """The book's X (6x8, columns 2-5 zero) and Y = corr2d(X, [1, -1])."""
    X = edge_inputs.synthetic_input(edge_inputs.SYNTHETIC_INPUTS[0])
    return X, edge_inputs.target_output(X, edge_inputs.target_kernel(VERTICAL))


def test_book_example_matches_the_printed_values(book):
    X, Y = book
    assert X.tolist() == [[1, 1, 0, 0, 0, 0, 1, 1]] * 6
    assert Y.tolist() == [[0, 1, 0, 0, 0, -1, 0]] * 6  # d2l prints 1 at column 1, -1 at column 5


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("seed", [0, 1, 7, 42])
def test_converges_to_the_edge_kernel(book, seed, bias):
    *_, last = edge.fit_kernel(*book, (1, 2), lr=0.01, steps=200, seed=seed, bias=bias)
    assert last.step == 200
    assert torch.allclose(last.weight, torch.tensor([[1.0, -1.0]], dtype=torch.float64), atol=0.05)
    assert abs(last.bias) < 0.05


def test_the_books_own_loop_lr_003_needs_no_bias(book):
    """d2l trains with lr 3e-2 and no bias; a bias adds a stiffer direction and the same lr blows up."""
    *_, last = edge.fit_kernel(*book, (1, 2), lr=0.03, steps=100, bias=False)
    assert torch.allclose(last.weight, torch.tensor([[1.0, -1.0]], dtype=torch.float64), atol=1e-6)
    with pytest.raises(edge.Diverged):
        list(edge.fit_kernel(*book, (1, 2), lr=0.03, steps=100, bias=True))


def test_each_loss_is_the_summed_squared_error_of_its_kernel(book):
    X, Y = book
    records = list(edge.fit_kernel(X, Y, (1, 2), steps=30, seed=3))
    assert [r.step for r in records] == list(range(31))
    for rec in records:
        direct = ((corr2d(X, rec.weight) + rec.bias - Y) ** 2).sum().item()
        assert rec.loss == pytest.approx(direct, rel=1e-12, abs=1e-15)
    assert records[-1].loss < records[0].loss / 100


def test_one_step_is_plain_gradient_descent_on_the_summed_loss(book):
    X, Y = book
    first, second = list(edge.fit_kernel(X, Y, (1, 2), lr=0.01, steps=1, seed=5))
    P = edge_inputs.patch_matrix(X, (1, 2), bias=True)  # (42, 3): output = P @ [w0, w1, b]
    theta = torch.cat([first.weight.flatten(), torch.tensor([first.bias], dtype=torch.float64)])
    grad = 2 * P.T @ (P @ theta - Y.flatten())  # d/dtheta of sum((P theta - y)^2)
    expected = theta - 0.01 * grad
    assert torch.allclose(second.weight.flatten(), expected[:2], atol=1e-12)
    assert second.bias == pytest.approx(expected[2].item(), abs=1e-12)


def test_runs_are_deterministic_for_a_seed(book):
    a = [r.weight for r in edge.fit_kernel(*book, (1, 2), steps=20, seed=9, optimizer="adam")]
    b = [r.weight for r in edge.fit_kernel(*book, (1, 2), steps=20, seed=9, optimizer="adam")]
    c = next(edge.fit_kernel(*book, (1, 2), steps=20, seed=10))
    assert all(torch.equal(x, y) for x, y in zip(a, b))
    assert not torch.equal(a[0], c.weight)
    w0, b0 = edge.initial_parameters((1, 2), 9)
    assert torch.equal(a[0], w0) and w0.abs().max() <= 1 / 2**0.5 and b0.abs() <= 1 / 2**0.5


def test_momentum_converges_and_adam_lowers_the_loss(book):
    *_, last = edge.fit_kernel(*book, (1, 2), lr=0.01, steps=200, optimizer="momentum")
    assert torch.allclose(last.weight, torch.tensor([[1.0, -1.0]], dtype=torch.float64), atol=0.05)
    records = list(edge.fit_kernel(*book, (1, 2), lr=0.01, steps=200, optimizer="adam"))
    assert records[-1].loss < records[0].loss / 20


def test_divergence_is_reported_not_returned_as_nan(book):
    records = []
    with pytest.raises(edge.Diverged) as caught:
        for rec in edge.fit_kernel(*book, (1, 2), lr=0.05, steps=200, seed=0):
            records.append(rec)
    exc = caught.value
    assert isinstance(exc, CnnvizError)
    assert exc.step == len(records) == 4
    assert f"at step {exc.step}" in str(exc) and "lower the learning rate" in str(exc)
    assert all(torch.isfinite(r.weight).all() and r.loss < exc.limit for r in records)


def test_the_stable_learning_rate_limit_is_the_real_one(book):
    """1 / the largest eigenvalue of P^T P: the book's patches give [[18,12,18],[12,18,18],[18,18,42]]."""
    X, Y = book
    report = edge_inputs.identifiability(X, Y, (1, 2), bias=True)
    gram = torch.tensor([[18.0, 12, 18], [12, 18, 18], [18, 18, 42]], dtype=torch.float64)
    assert report.max_stable_lr == pytest.approx(1 / torch.linalg.eigvalsh(gram).max().item(), rel=1e-9)
    *_, below = edge.fit_kernel(X, Y, (1, 2), lr=0.9 * report.max_stable_lr, steps=150)
    assert below.loss < 1e-6
    with pytest.raises(edge.Diverged):
        list(edge.fit_kernel(X, Y, (1, 2), lr=1.1 * report.max_stable_lr, steps=300))


@pytest.mark.parametrize("kwargs", [
    {"lr": 0}, {"lr": -0.01}, {"lr": float("nan")}, {"steps": 0}, {"optimizer": "rmsprop"},
    {"kernel_size": (7, 2)}, {"kernel_size": (0, 2)},
])
def test_bad_settings_raise_before_any_step(book, kwargs):
    args = {"kernel_size": (1, 2), **kwargs}
    with pytest.raises(edge.BadFitSetting):
        edge.fit_kernel(*book, **args)


def test_book_example_is_identifiable(book):
    report = edge_inputs.identifiability(*book, (1, 2), bias=True)
    assert (report.rank, report.n_params, report.n_patches) == (3, 3, 42)
    assert report.identifiable and report.best_loss < 1e-20 and report.notes() == []


def test_no_edge_in_the_targets_direction_is_flagged(book):
    X, _ = book
    Y = edge_inputs.target_output(X, edge_inputs.target_kernel(HORIZONTAL))
    report = edge_inputs.identifiability(X, Y, (2, 1), bias=False)
    assert report.target_silent and not report.identifiable and report.rank == 1
    direction = report.null_direction / report.null_direction.norm()
    assert torch.allclose(direction.abs(), torch.tensor([0.5**0.5, 0.5**0.5], dtype=torch.float64))
    assert direction[0] * direction[1] < 0  # [1, -1] (top minus bottom) is invisible in vertical stripes
    notes = " ".join(map(str, report.notes()))
    assert "no edge in the target's direction" in notes and "Not identifiable" in notes


def test_a_flat_image_identifies_only_the_kernel_sum():
    X = edge_inputs.synthetic_input("Flat (6x8)")
    report = edge_inputs.identifiability(X, torch.zeros(6, 7, dtype=torch.float64), (1, 2), bias=True)
    assert report.rank == 1 and report.n_params == 3


def test_unidentifiable_kernels_depend_on_the_start(book):
    """A 2x2 kernel on vertical stripes: rows are equal, so only each column's sum is pinned down."""
    X, Y = book
    report = edge_inputs.identifiability(X, Y, (2, 2), bias=False)
    assert (report.rank, report.n_params) == (2, 4)
    a, b = (list(edge.fit_kernel(X, Y, (2, 2), lr=0.01, steps=100, seed=s, bias=False))[-1] for s in (0, 1))
    assert a.loss < 1e-12 and b.loss < 1e-12
    assert (a.weight - b.weight).abs().max() > 0.1  # different kernels ...
    column_sums = torch.tensor([1.0, -1.0], dtype=torch.float64)
    assert torch.allclose(a.weight.sum(0), column_sums) and torch.allclose(b.weight.sum(0), column_sums)
    X_fit, _ = edge.align(X, Y, (2, 2))
    assert torch.allclose(corr2d(X_fit, a.weight), corr2d(X_fit, b.weight), atol=1e-6)  # ... same output
    null = report.null_direction.reshape(2, 2)
    assert torch.allclose(null.sum(0), torch.zeros(2, dtype=torch.float64), atol=1e-12)


def test_a_too_small_kernel_reaches_the_least_squares_loss(book):
    X, Y = book
    report = edge_inputs.identifiability(X, Y, (1, 1), bias=True)
    assert report.best_loss > 1
    *_, last = edge.fit_kernel(X, Y, (1, 1), lr=0.01, steps=100)
    assert last.loss == pytest.approx(report.best_loss, rel=1e-6)
    assert any("cannot reproduce Y exactly" in str(note) for note in report.notes())


def test_a_bigger_kernel_lines_up_with_y_at_the_top_left(book):
    X, Y = book
    X_fit, Y_fit = edge.align(X, Y, (2, 2))
    assert X_fit.shape == (6, 8) and Y_fit.shape == (5, 7)
    embedded = torch.tensor([[1.0, -1.0], [0.0, 0.0]], dtype=torch.float64)
    assert edge.squared_error(X_fit, Y_fit, embedded).item() == 0


@pytest.mark.parametrize("name", edge_inputs.SYNTHETIC_INPUTS)
@pytest.mark.parametrize("target", list(edge_inputs.TARGETS))
def test_targets_on_every_input_match_the_loop(name, target):
    X, K = edge_inputs.synthetic_input(name), edge_inputs.target_kernel(target)
    Y = edge_inputs.target_output(X, K)
    assert torch.allclose(Y, corr2d(X, K))
    assert torch.allclose(Y, F.conv2d(X[None, None], K[None, None])[0, 0])


def test_a_real_fashion_mnist_image_needs_a_smaller_learning_rate():
    from cnnviz.data import load_fashion_mnist

    images, _ = load_fashion_mnist(train=False)
    X = edge_inputs.scaled_image(images[0])  # (28, 28) in [0, 1]
    Y = edge_inputs.target_output(X, edge_inputs.target_kernel("Sobel x"))
    report = edge_inputs.identifiability(X, Y, (3, 3), bias=True)
    assert report.identifiable and report.max_stable_lr < 0.01
    with pytest.raises(edge.Diverged):
        list(edge.fit_kernel(X, Y, (3, 3), lr=0.01, steps=50))


@pytest.mark.parametrize("text, expected", [
    ("1 -1", [[1, -1]]), ("1, 0, -1; 2 0 -2", [[1, 0, -1], [2, 0, -2]]), ("1\n-1\n", [[1], [-1]]), ("2e-1", [[0.2]]),
])
def test_parse_kernel(text, expected):
    assert edge_inputs.parse_kernel(text).tolist() == expected


@pytest.mark.parametrize("text, words", [
    ("1 x", "'x' is not a number"), ("1 2; 3", "different lengths"), ("  ", "empty"),
    ("1 nan", "not a finite number"), (";".join(["1 " * 8] * 8), "larger than 7×7"),
])
def test_parse_kernel_rejects_bad_text(text, words):
    with pytest.raises(edge_inputs.BadKernel, match=words):
        edge_inputs.parse_kernel(text)


def test_compare_learning_rates(book):
    runs = edge.compare_learning_rates(*book, (1, 2), [0.001, 0.01, 0.05], steps=100, seed=0)
    assert [r.lr for r in runs] == [0.001, 0.01, 0.05]
    assert [r.diverged_at for r in runs] == [None, None, 4]
    assert len(runs[0].losses) == 101 and len(runs[2].losses) == 4
    assert runs[1].losses[-1] < runs[0].losses[-1] < runs[0].losses[0]
    assert runs[1].losses == [r.loss for r in edge.fit_kernel(*book, (1, 2), lr=0.01, steps=100, seed=0)]


def test_playback_advances_stops_and_keeps_divergence(book):
    run = edge.FitPlayback(edge.fit_kernel(*book, (1, 2), steps=50), 50)
    run.advance(1)
    assert run.last.step == 0 and not run.done
    run.advance(1000)
    assert run.finished and run.last.step == 50 and len(run.history) == 51
    bad = edge.FitPlayback(edge.fit_kernel(*book, (1, 2), lr=0.05, steps=50), 50)
    bad.advance(1000)
    assert bad.done and bad.error.step == 4 and bad.last.step == 3


def test_figures_show_the_run(book):
    records = list(edge.fit_kernel(*book, (1, 2), steps=10))
    loss = figures.loss_curve([r.loss for r in records], 10).to_dict()
    assert loss["layout"]["yaxis"]["type"] == "log" and list(loss["data"][0]["y"]) == [r.loss for r in records]
    kernels = figures.kernel_heatmaps(records[-1].weight, edge_inputs.target_kernel(VERTICAL), 10, 0.0).to_dict()
    assert kernels["data"][0]["z"] == records[-1].weight.tolist() and kernels["data"][1]["z"] == [[1.0, -1.0]]
    weights = torch.stack([r.weight for r in records])
    paths = figures.weight_trajectories(weights, [r.bias for r in records], None, 10).to_dict()
    assert list(paths["data"][1]["y"]) == weights[:, 0, 1].tolist()
    runs = edge.compare_learning_rates(*book, (1, 2), [0.01, 0.05], steps=10)
    assert "diverged at step 4" in figures.lr_comparison(runs, 0.016).to_dict()["data"][1]["name"]


def test_compact_numbers_fit_their_width():
    """Defect 10: a diverged run's numbers must stay inside their cells."""
    assert [figures.compact_number(v, 4, 1) for v in (0.04, -0.96, -88.6, 123.4, -1234.5, 12345.6, -2e9)] == \
        ["0.0", "-1.0", "-89", "123", "-1e3", "1e4", "-2e9"]
    assert [figures.compact_number(v) for v in (-22.4463, 0.66, -1e-9, 1.0)] == ["-22.4", "0.66", "0.00", "1.00"]


def test_colour_scales_are_set_by_the_target_and_say_when_they_clip():
    target = edge_inputs.target_kernel("Sobel x")  # values up to 2
    calm = figures.kernel_heatmaps(torch.tensor([[0.5, -0.5]]), target, 1, None).to_dict()
    assert calm["data"][0]["zmax"] == 2.5 and "subtitle" not in calm["layout"]["title"]
    wild = figures.kernel_heatmaps(torch.tensor([[300.0, -7.0]]), target, 9, 1234.5).to_dict()
    assert [d["zmax"] for d in wild["data"]] == [2.5, 2.5]
    assert wild["layout"]["title"]["subtitle"]["text"] == "colours clipped at ±2.50, the target's range"
    assert wild["layout"]["title"]["text"] == "Learned kernel vs target · bias 1234.5"
    zeros = figures.kernel_heatmaps(torch.tensor([[0.3, -0.6]]), torch.zeros(1, 2), 1, None).to_dict()
    assert zeros["data"][1]["zmax"] == pytest.approx(0.6)  # an all-zero target: the learned kernel's range
