"""Computed answers for d2l section 7.2 (zh 6.2), convolutions for images: diagonal edges, hand-made
kernels and the cross-correlation as a matrix product. Every number is checked against F.conv2d."""

from __future__ import annotations

from math import comb, factorial

import torch
import torch.nn.functional as F

from cnnviz.conv.presets import diagonal_image
from cnnviz.exercises.answer import Answer, Table, said
from cnnviz.exercises.answers_common import matrix, same, same_tensor
from cnnviz.i18n import N_

EDGE_K = torch.tensor([[1.0, -1.0]], dtype=torch.float64)  # the book's edge kernel K (1 x 2)


def conv(X: torch.Tensor, K: torch.Tensor, **kw) -> torch.Tensor:
    """F.conv2d on one 2-D image and one 2-D kernel: X (h, w), K (kh, kw) -> (oh, ow)."""
    return F.conv2d(X[None, None], K[None, None], **kw)[0, 0]


def corr2d_loop(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """The book's own loop, Y[i, j] = (X[i:i+h, j:j+w] * K).sum(), to compare with F.conv2d."""
    h, w = K.shape
    Y = torch.zeros(X.shape[0] - h + 1, X.shape[1] - w + 1, dtype=X.dtype)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


def diagonal_edges(n: int = 6) -> Answer:
    """7.2.1: the kernel [1, -1] on a diagonal edge, on its transpose, and transposed itself."""
    X = diagonal_image(n)
    on_x, on_xt, kt_on_x = corr2d_loop(X, EDGE_K), corr2d_loop(X.T, EDGE_K), corr2d_loop(X, EDGE_K.T)
    checks = (
        same_tensor(N_("K on X, the book's loop vs F.conv2d"), on_x, conv(X, EDGE_K)),
        same_tensor(N_("K on X transposed vs F.conv2d"), on_xt, conv(X.T, EDGE_K)),
        same_tensor(N_("K transposed on X vs F.conv2d"), kt_on_x, conv(X, EDGE_K.T)),
        same_tensor(N_("transposing both transposes the output: corr(X^T, K^T) = corr(X, K)^T"),
                    corr2d_loop(X.T, EDGE_K.T), on_x.T),
        same(N_("cells marked by K on X (one per row, on the diagonal)"), int(on_x.abs().sum()), n - 1),
    )
    return Answer(
        summary=N_("A diagonal edge changes both across rows and across columns, so [1, -1] finds it in every "
                 "case: one diagonal of +1 on X, a diagonal of -1 on X transposed (the step now goes from 0 to "
                 "1), and -1 next to the diagonal with the transposed kernel, which now looks down columns."),
        details=N_("The book's vertical edge vanished when X was transposed, because [1, -1] only compares "
                 "horizontal neighbours. A diagonal edge is both horizontal and vertical, so no transpose hides "
                 "it; only the sign and the position (which side of the diagonal) change. Transposing both the "
                 "image and the kernel transposes the output."),
        matrices=(matrix(said(N_("X: a {n}×{n} image with one diagonal edge"), n=n), X),
                  matrix(N_("K = [1, -1] on X"), on_x),
                  matrix(N_("K on X transposed"), on_xt),
                  matrix(N_("K transposed ([1, -1] as a column) on X"), kt_on_x)),
        checks=checks)


def finite_difference(order: int) -> torch.Tensor:
    """The d-th forward difference, coefficients (-1)^(d-k) C(d, k): [-1, 1], [1, -2, 1], ... (d + 1,)."""
    return torch.tensor([(-1) ** (order - k) * comb(order, k) for k in range(order + 1)], dtype=torch.float64)


def _derivative_rows(max_order: int) -> tuple[tuple, list]:
    """Per order d: the kernel, its size, and its output on x^d along a row (exactly d!), checked."""
    rows, checks = [], []
    x = torch.arange(12, dtype=torch.float64)
    for d in range(1, max_order + 1):
        K = finite_difference(d)
        out = conv((x ** d)[None, :], K[None, :])  # (1, 12 - d)
        checks.append(same_tensor(said(N_("order {d}: F.conv2d of {kernel} on x^{d} = {d}! everywhere"), d=d,
                                       kernel=K.long().tolist()),
                                  out, torch.full_like(out, factorial(d))))
        # A kernel of size d cannot: it would have to give 0 on 1, x, ..., x^(d-1) (whose d-th derivative is
        # 0), and those d rows (j^m) form an invertible Vandermonde matrix, so only the zero kernel does.
        vandermonde = torch.arange(d, dtype=torch.float64)[None, :] ** torch.arange(d)[:, None]
        checks.append(same(said(N_("order {d}: rank of the {d}×{d} system a size-{d} kernel must solve"), d=d),
                           int(torch.linalg.matrix_rank(vandermonde)), d))
        rows.append((d, str(K.long().tolist()), d + 1, float(out[0, 0]), factorial(d)))
    return tuple(rows), checks


def _directional(v: tuple[float, float]) -> tuple[torch.Tensor, list]:
    """A 2x2 kernel for the derivative along v = (v1, v2) (v1 along columns, v2 along rows), checked on
    ramps: the slope along v comes out, and a ramp along (v2, -v1) gives 0."""
    dx = torch.tensor([[-1.0, 1.0], [-1.0, 1.0]], dtype=torch.float64) / 2  # d/dx averaged over two rows
    dy = dx.T  # d/dy averaged over two columns
    K = v[0] * dx + v[1] * dy
    rows, cols = torch.meshgrid(torch.arange(6.0, dtype=torch.float64), torch.arange(6.0, dtype=torch.float64),
                                indexing="ij")
    ramp = 2 * cols + 3 * rows  # slope (2, 3)
    along_edge = v[1] * cols - v[0] * rows  # constant along v: an edge in direction (v2, -v1) has no slope
    out, flat = conv(ramp, K), conv(along_edge, K)
    return K, [same_tensor(said(N_("K_v on the ramp 2x + 3y gives 2 v1 + 3 v2 = {slope}"),
                                slope=f"{2 * v[0] + 3 * v[1]:g}"), out,
                           torch.full_like(out, 2 * v[0] + 3 * v[1]), atol=1e-12),
               same_tensor(N_("K_v on a ramp that only changes along (v2, -v1) gives 0"), flat,
                           torch.zeros_like(flat), atol=1e-12)]


def _blurs() -> tuple[tuple, list]:
    """Box and Gaussian 3x3 blurs: both keep a flat image; on a checkerboard (the finest detail) the
    Gaussian gives 0 and the box keeps 1/9."""
    box = torch.full((3, 3), 1 / 9, dtype=torch.float64)
    gauss = torch.outer(*(torch.tensor([1.0, 2.0, 1.0], dtype=torch.float64),) * 2) / 16
    flat = torch.full((6, 6), 5.0, dtype=torch.float64)
    board = (-1.0) ** (torch.arange(6)[:, None] + torch.arange(6)[None, :]).to(torch.float64)
    checks = []
    for name, K in ((N_("box blur"), box), (N_("Gaussian blur"), gauss)):
        checks.append(same_tensor(said(N_("{blur} keeps a flat image"), blur=said(name)), conv(flat, K),
                                  flat[1:-1, 1:-1], atol=1e-12))
    checks.append(same_tensor(N_("Gaussian blur removes the checkerboard"), conv(board, gauss),
                              torch.zeros(4, 4, dtype=torch.float64), atol=1e-12))
    checks.append(same(N_("box blur leaves 1/9 of the checkerboard"), round(float(conv(board, box).abs().max()), 12),
                       round(1 / 9, 12)))
    return (box, gauss), checks


def _integral(n: int = 8) -> tuple[torch.Tensor, list]:
    """The zh edition's integral kernel: n ones, padded n - 1 on the left, sum everything up to each pixel, the
    running sum torch.cumsum computes (a kernel as long as the signal; a fixed window of ones sums a window)."""
    signal = torch.arange(1.0, n + 1, dtype=torch.float64)[None, :] ** 2  # x^2 at x = 1..n: (1, n)
    ones = torch.ones(1, n, dtype=torch.float64)
    running = conv(F.pad(signal, (n - 1, 0)), ones)  # (1, n)
    checks = [same_tensor(N_("n ones after n - 1 zeros of padding: the running sum, as torch.cumsum"), running,
                          torch.cumsum(signal, dim=1)),
              same(N_("3 ones: the sum over a window of 3, a box blur without its 1/3"),
                   conv(signal, ones[:, :3]).tolist()[0][0], float(signal[0, :3].sum()))]
    return ones, checks


def hand_kernels(v: tuple[float, float] = (0.6, 0.8), max_order: int = 4) -> Answer:
    """7.2.2 / zh 6.2.4: directional edge, second derivative, blur, the integral (zh) and the smallest kernel for
    a d-th derivative."""
    K_v, directional_checks = _directional(v)
    (box, gauss), blur_checks = _blurs()
    ones, integral_checks = _integral()
    rows, derivative_checks = _derivative_rows(max_order)
    line = torch.zeros(1, 9, dtype=torch.float64)
    line[0, 4] = 1.0  # a one-pixel line
    line_out = conv(line, finite_difference(2)[None, :])
    line_check = same_tensor(N_("[1, -2, 1] on a one-pixel line: -2 on the line, +1 beside it"), line_out,
                             torch.tensor([[0, 0, 1, -2, 1, 0, 0]], dtype=torch.float64))
    return Answer(
        summary=N_("A derivative of order d needs d + 1 taps: the d-th difference (-1)^(d-k) C(d, k), e.g. "
                 "[1, -2, 1] for the second derivative (size 3); an integral is the opposite, a kernel of ones "
                 "as long as the signal, padded on one side (a running sum); a blur is a positive kernel summing "
                 "to 1; an edge detector for edges across v is v1 d/dx + v2 d/dy."),
        details=N_("Each kernel is applied with F.conv2d to an image whose exact answer is known: x^d rows give d! "
                 "everywhere, ramps give their slope along v, a flat image stays flat under a blur. The second "
                 "difference responds most to thin lines and single points (it measures curvature). A kernel "
                 "of d taps cannot give a d-th derivative: it would have to vanish on 1, x, ..., x^(d-1), and "
                 "that Vandermonde system has only the zero solution. Blurs remove noise and fine detail "
                 "before downsampling (anti-aliasing)."),
        tables=(Table(N_("Smallest kernel for a derivative of order d, applied to x^d"),
                      (N_("order d"), N_("kernel"), N_("size"), N_("output on x^d"), "d!"), rows),),
        matrices=(matrix(said(N_("Edge kernel for v = {v}: the derivative along v"), v=v), K_v),
                  matrix(N_("Integral (running sum) of a signal of 8: 8 ones, padded 7 on the left"), ones),
                  matrix(N_("Box blur 3×3"), box), matrix(N_("Gaussian blur 3×3 (binomial)"), gauss)),
        checks=(*directional_checks, *integral_checks, *blur_checks, line_check, *derivative_checks))


def toeplitz_matrix(K: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """W with W @ X.flatten() = corr2d(X, K).flatten() for X (h, w): shape (oh * ow, h * w)."""
    kh, kw = K.shape
    oh, ow = h - kh + 1, w - kw + 1
    W = torch.zeros(oh * ow, h * w, dtype=K.dtype)
    for i in range(oh):
        for j in range(ow):
            row = torch.zeros(h, w, dtype=K.dtype)
            row[i:i + kh, j:j + kw] = K  # the kernel placed over the window of output (i, j)
            W[i * ow + j] = row.flatten()
    return W


def _sparsity_rows(kernel: int = 3) -> tuple[tuple, list]:
    """W's shape, nonzeros and share of zeros for a few input sizes, formula against the built matrix."""
    rows, checks = [], []
    K = torch.arange(1.0, kernel * kernel + 1, dtype=torch.float64).reshape(kernel, kernel)  # no zero taps
    for n in (4, 8, 28):
        W = toeplitz_matrix(K, n, n)
        out = (n - kernel + 1) ** 2
        nonzeros = int((W != 0).sum())
        checks.append(same(said(N_("{n}×{n} input: nonzeros of W = outputs x kernel taps"), n=n), nonzeros,
                           out * kernel ** 2))
        rows.append((f"{n}×{n}", f"{kernel}×{kernel}", f"{out} x {n * n}", nonzeros,
                     f"{100 * (1 - nonzeros / W.numel()):.1f}%"))
    return tuple(rows), checks


def cross_correlation_as_matmul() -> Answer:
    """7.2.4: the book's 3x3 example as a matrix product, two ways (Toeplitz matrix and im2col)."""
    X = torch.arange(9.0, dtype=torch.float64).reshape(3, 3)
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]], dtype=torch.float64)
    W = toeplitz_matrix(K, 3, 3)  # (4, 9)
    reference = conv(X, K)  # [[19, 25], [37, 43]]
    jacobian = torch.autograd.functional.jacobian(lambda x: conv(x.reshape(3, 3), K).flatten(), X.flatten())
    patches = F.unfold(X[None, None], kernel_size=2)[0]  # (kh * kw, oh * ow) = (4, 4): one column per window
    rows, sparsity_checks = _sparsity_rows()
    placed = int(toeplitz_matrix(torch.ones_like(K), 3, 3).sum())  # kernel entries in W
    outputs = (W @ X.flatten()).long().tolist()
    return Answer(
        summary=said(N_("Flatten the 3×3 input into a 9-vector; the 2×2 kernel becomes a {rows}×{columns} "
                        "matrix W with the kernel's 4 weights in each row ({placed} of its {entries} entries, so "
                        "{zeros} are always zero), and W @ x gives the {count} outputs {outputs}. Or flatten the "
                        "kernel and stack each input window as a column (im2col)."),
                     rows=W.shape[0], columns=W.shape[1], placed=placed, entries=W.numel(),
                     zeros=f"{1 - placed / W.numel():.0%}", count=len(outputs), outputs=outputs),
        details=N_("Row (i, j) of W holds the kernel at the window of output (i, j), zeros elsewhere; W is exactly "
                 "the Jacobian of the convolution (checked with torch.autograd). For an n x n input and k x k "
                 "kernel, W is (n-k+1)^2 x n^2 with k^2 nonzeros per row, so it gets sparser as the image "
                 "grows. im2col (F.unfold) is how libraries do it: the windows become a dense (k^2, outputs) "
                 "matrix and one matrix product with the flattened kernel gives every output."),
        tables=(Table(N_("Size and sparsity of W (3×3 kernel)"),
                      (N_("input"), N_("kernel"), N_("W shape"), N_("nonzeros"), N_("zeros")), rows),),
        matrices=(matrix("X (3×3)", X), matrix("K (2×2)", K),
                  matrix(N_("W (4×9): W @ X.flatten() = Y.flatten()"), W),
                  matrix(N_("im2col: F.unfold(X), one 2×2 window per column"), patches)),
        checks=(same_tensor(N_("W @ X.flatten() vs F.conv2d"), (W @ X.flatten()).reshape(2, 2), reference),
                same_tensor(N_("W vs the Jacobian of F.conv2d (torch.autograd)"), W, jacobian),
                same_tensor(N_("K.flatten() @ F.unfold(X) vs F.conv2d"), (K.flatten() @ patches).reshape(2, 2),
                            reference),
                same(N_("W shape"), tuple(W.shape), (4, 9)),
                same(N_("kernel entries in W (the pattern of W built from an all-ones kernel)"),
                     int(toeplitz_matrix(torch.ones_like(K), 3, 3).sum()), 4 * K.numel()),
                *sparsity_checks))


def _leaf_error() -> str:
    """The message PyTorch gives when the output is made a leaf that requires grad and then written in place."""
    X, K = torch.ones(3, 3), torch.ones(2, 2)
    Y = torch.zeros(2, 2, requires_grad=True)
    try:
        Y[0, 0] = (X[:2, :2] * K).sum()
    except RuntimeError as exc:
        return str(exc).splitlines()[0]
    return ""


def autograd_through_the_loop() -> Answer:
    """7.2.3: the book's Conv2D (a Python loop writing into Y) differentiates fine in PyTorch."""
    X = torch.arange(16.0, dtype=torch.float64).reshape(4, 4)
    upstream = torch.tensor([[1.0, -1.0, 2.0], [0.5, 0.0, 1.0], [-2.0, 1.0, 3.0]], dtype=torch.float64)
    grads = []
    for run in (lambda w: corr2d_loop(X, w), lambda w: conv(X, w)):
        weight = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64, requires_grad=True)
        bias = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        ((run(weight) + bias) * upstream).sum().backward()
        grads.append((weight.grad, bias.grad))
    message = _leaf_error()
    return Answer(
        summary=N_("In PyTorch there is no error: writing Y[i, j] = ... into a fresh zeros tensor is recorded by "
                 "autograd, and the book's Conv2D gets the same gradients as F.conv2d (the exercise dates from "
                 "the MXNet edition). An error appears only if Y itself is created with requires_grad=True."),
        details=said(N_("That case raises: `{message}`. The loop is correct but slow: one tiny autograd node per "
                        "output value."), message=message),
        checks=(same_tensor(N_("weight gradient: the book's loop vs F.conv2d"), grads[0][0], grads[1][0]),
                same_tensor(N_("bias gradient: the book's loop vs F.conv2d"), grads[0][1], grads[1][1]),
                same(N_("PyTorch refuses an in-place write into a leaf that requires grad"), "leaf Variable" in message,
                     True)))
