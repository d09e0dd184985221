"""Computed answers for d2l section 7.4 (zh 6.4), multiple input and output channels: composing kernels,
the cost of a layer, 1x1 convolutions, convolutions as matrix products and block-diagonal (grouped) layers.
Costs come from formulas and are checked with torch.utils.flop_counter and the real layers' tensors."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from cnnviz.exercises.answer import Answer, Table, said
from cnnviz.exercises.answers_common import flops_of, matrix, same, same_tensor
from cnnviz.exercises.answers_padding import formula_side
from cnnviz.i18n import N_
from cnnviz.conv.ops import corr2d_multi_in_out, corr2d_multi_in_out_1x1


def compose_kernels(K1: torch.Tensor, K2: torch.Tensor) -> torch.Tensor:
    """The one kernel that does corr(corr(X, K1), K2): the full convolution of K1 with K2.
    (k1, k1), (k2, k2) -> (k1 + k2 - 1, k1 + k2 - 1)."""
    k2 = K2.shape[-1]
    return F.conv2d(F.pad(K1, (k2 - 1,) * 4)[None, None], K2.flip(0, 1)[None, None])[0, 0]


def two_kernels(seed: int = 0) -> Answer:
    """7.4.1: two kernels of sizes 2 and 3 without a nonlinearity are one 4x4 kernel."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randint(-3, 4, (7, 7), generator=g).to(torch.float64)
    K1 = torch.tensor([[1.0, -1.0], [2.0, 0.0]], dtype=torch.float64)
    K2 = torch.tensor([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]], dtype=torch.float64)
    K = compose_kernels(K1, K2)
    twice = F.conv2d(F.conv2d(X[None, None], K1[None, None]), K2[None, None])[0, 0]
    return Answer(
        summary=N_("Two convolutions in a row with kernels k1 x k1 and k2 x k2 are one convolution with a "
                 "(k1 + k2 - 1) x (k1 + k2 - 1) kernel: here 2 and 3 give 4. The converse fails in general: a "
                 "4×4 kernel has 16 numbers, a 2×2 and a 3×3 only 4 + 9 = 13, so most 4×4 kernels cannot be "
                 "split."),
        details=N_("Each output of the second layer is a weighted sum of a k2 x k2 block of the first layer's "
                 "outputs, each of which sums a k1 x k1 block of the input; together they reach a "
                 "(k1 + k2 - 1)-wide block, with weights given by the full convolution of the two kernels. "
                 "With channels, the combined kernel has c_out x c_in x (k1 + k2 - 1)^2 entries."),
        matrices=(matrix("K1 (2×2)", K1), matrix("K2 (3×3)", K2), matrix(N_("The single equivalent kernel (4×4)"), K)),
        checks=(same_tensor(N_("F.conv2d twice vs F.conv2d once with the combined kernel"), twice,
                            F.conv2d(X[None, None], K[None, None])[0, 0]),
                same(N_("size of the combined kernel"), tuple(K.shape), (4, 4))))


def conv_cost(c_in: int, h: int, w: int, c_out: int, k: int, p: int, s: int) -> dict:
    """Forward and backward multiply-adds (FLOPs = 2 x) and the values held, from the formulas."""
    oh, ow = formula_side(h, k, 2 * p, s), formula_side(w, k, 2 * p, s)
    macs = c_out * c_in * k * k * oh * ow
    return {"output": (c_out, oh, ow), "forward": 2 * macs, "backward": 4 * macs,  # input and weight grads
            "input": c_in * h * w, "weights": c_out * c_in * k * k + c_out, "outputs": c_out * oh * ow}


def measured_cost(c_in: int, h: int, w: int, c_out: int, k: int, p: int, s: int) -> dict:
    """The same figures from a real nn.Conv2d: torch's FLOP counter on forward and backward, tensor sizes."""
    layer = nn.utils.skip_init(nn.Conv2d, c_in, c_out, k, padding=p, stride=s)  # values do not change counts
    X = torch.zeros(1, c_in, h, w, requires_grad=True)
    forward = flops_of(layer, X)
    Y = layer(X)
    backward = flops_of(lambda: Y.sum().backward())
    return {"output": tuple(Y.shape[1:]), "forward": forward, "backward": backward, "input": X.numel(),
            "weights": sum(p.numel() for p in layer.parameters()), "outputs": Y.numel()}


LAYER = dict(c_in=3, h=8, w=8, c_out=4, k=3, p=1, s=1)  # small enough to read, large enough to count


def layer_cost_answer() -> Answer:
    """7.4.2: forward and backward cost and memory of one convolution layer."""
    ours, real = conv_cost(**LAYER), measured_cost(**LAYER)
    names = {"output": N_("output shape"), "forward": N_("forward FLOPs"), "backward": N_("backward FLOPs"),
             "input": N_("input values"), "weights": N_("weights + biases"), "outputs": N_("output values")}
    return Answer(
        summary=N_("Forward: c_o c_i k_h k_w h_o w_o multiply-adds (2x that in FLOPs), with h_o = floor((h - k_h + "
                 "2p_h + s_h) / s_h). Memory: the input, c_o c_i k_h k_w weights (+ c_o biases) and c_o h_o w_o "
                 "outputs. Backward: about twice the forward (one product for the input's gradient, one for the "
                 "weights'), and gradients as large as the input and the weights."),
        details=said(N_("For 3 input channels at 8×8, 4 output channels, a 3×3 kernel, padding 1, stride 1: "
                        "{macs} multiply-adds forward. Training also keeps the input (and the outputs for the next "
                        "layers) until the backward pass has used them."), macs=f"{ours['forward'] // 2:,}"),
        tables=(Table(N_("One layer: 3×8×8 in, 4 channels out, 3×3, padding 1"),
                      (N_("quantity"), N_("formula"), "PyTorch"),
                      tuple((names[key], str(ours[key]), str(real[key])) for key in ours)),),
        checks=tuple(same(said(N_("{quantity}: formula vs nn.Conv2d"), quantity=said(names[key])), ours[key],
                          real[key]) for key in ours))


def doubling() -> Answer:
    """7.4.3: doubling both channel counts multiplies the work by 4; doubling the padding grows the output."""
    base = conv_cost(**LAYER)["forward"]
    cases = {N_("as is"): LAYER, N_("c_in and c_out doubled"): {**LAYER, "c_in": 6, "c_out": 8},
             N_("padding doubled (1 -> 2)"): {**LAYER, "p": 2}}
    rows, checks = [], []
    for name, shape in cases.items():
        ours = conv_cost(**shape)
        checks.append(same(said(N_("{layer}: formula vs torch's FLOP counter"), layer=said(name)), ours["forward"],
                           measured_cost(**shape)["forward"]))
        rows.append((name, "×".join(map(str, ours["output"])), ours["forward"], f"{ours['forward'] / base:g}"))
    return Answer(
        summary=said(N_("Doubling c_i and c_o multiplies the work by {channels} (it is proportional to c_i x c_o). "
                        "Doubling the padding only adds border outputs: {before} -> {after} here, {padding} times "
                        "the work, the new outputs mostly computed on zeros."),
                     channels=rows[1][3], before=rows[0][1], after=rows[2][1], padding=rows[2][3]),
        tables=(Table(N_("3×8×8 input, 3×3 kernel"), (N_("layer"), N_("output"), "FLOPs", N_("ratio")), tuple(rows)),),
        checks=tuple(checks))


def one_by_one_cost(c_in: int = 3, c_out: int = 2, side: int = 4) -> Answer:
    """zh 6.4.4: the forward cost of a 1x1 convolution is one (c_o x c_i) @ (c_i x hw) matrix product."""
    g = torch.Generator().manual_seed(1)
    X = torch.randint(-4, 5, (c_in, side, side), generator=g).to(torch.float64)
    K = torch.randint(-2, 3, (c_out, c_in, 1, 1), generator=g).to(torch.float64)
    ours = 2 * c_out * c_in * side * side
    return Answer(
        summary=said(N_("c_o x c_i x h x w multiply-adds: a 1×1 convolution is the matrix product of the "
                        "(c_o x c_i) weights with the (c_i x hw) pixels; {c_out}×{c_in} by {c_in}×{pixels} here is "
                        "{macs} multiply-adds ({flops} FLOPs)."),
                     c_out=c_out, c_in=c_in, pixels=side * side, macs=ours // 2, flops=ours),
        details=N_("Each pixel's channel vector goes through the same fully connected layer."),
        checks=(same_tensor(N_("matrix product (corr2d_multi_in_out_1x1) vs F.conv2d"),
                            corr2d_multi_in_out_1x1(X, K), F.conv2d(X[None], K)[0]),
                same(N_("FLOPs: 2 c_o c_i h w vs torch's counter on F.conv2d"), ours, flops_of(F.conv2d, X[None], K)),
                same(N_("FLOPs: the same count for the matrix product"), ours,
                     flops_of(torch.matmul, K.reshape(c_out, c_in), X.reshape(c_in, -1)))))


def y1_y2(channels: int = 64, seed: int = 0) -> Answer:
    """7.4.4: the book's Y1 (1x1 as matmul) and Y2 (the loop) agree up to rounding, not bit for bit."""
    g = torch.Generator().manual_seed(seed)
    X = torch.normal(0, 1, (channels, 3, 3), generator=g)
    K = torch.normal(0, 1, (2, channels, 1, 1), generator=g)
    Y1, Y2 = corr2d_multi_in_out_1x1(X, K), corr2d_multi_in_out(X, K)
    Y1_64, Y2_64 = corr2d_multi_in_out_1x1(X.double(), K.double()), corr2d_multi_in_out(X.double(), K.double())
    gap32, gap64 = float((Y1 - Y2).abs().max()), float((Y1_64 - Y2_64).abs().max())
    return Answer(
        summary=said(N_("Mathematically the same, numerically almost: in float32 with {channels} channels they "
                        "differ by {gap} at most, because the two programs add the products in different orders "
                        "and every float addition rounds."), channels=channels, gap=f"{gap32:.2g}"),
        details=said(N_("In float64 the largest difference is {gap}. Compare with a tolerance, as the book does "
                        "(|Y1 - Y2| < 1e-6), never with ==."), gap=f"{gap64:.2g}"),
        checks=(same(N_("float32: Y1 and Y2 within 1e-5"), gap32 < 1e-5, True),
                same(N_("float64: Y1 and Y2 within 1e-12"), gap64 < 1e-12, True),
                same_tensor(N_("Y2 vs F.conv2d (float64)"), Y2_64, F.conv2d(X.double()[None], K.double())[0],
                            atol=1e-12)))


def conv_as_matmul(c_in: int = 2, c_out: int = 3, side: int = 4, k: int = 3) -> Answer:
    """7.4.5: any convolution as one matrix product: im2col (F.unfold) times the reshaped kernel."""
    g = torch.Generator().manual_seed(2)
    X = torch.randint(-3, 4, (1, c_in, side, side), generator=g).to(torch.float64)
    K = torch.randint(-2, 3, (c_out, c_in, k, k), generator=g).to(torch.float64)
    cols = F.unfold(X, k)[0]  # (c_in * k * k, oh * ow): one window of every channel per column
    out = side - k + 1
    Y = (K.reshape(c_out, -1) @ cols).reshape(c_out, out, out)  # (c_out, c_in k k) @ (c_in k k, oh ow)
    return Answer(
        summary=said(N_("Unfold every k x k window of all c_i channels into a column (im2col): a ({rows} x "
                        "{windows}) matrix here. Reshape the kernel to ({c_out} x {rows}); one matrix product gives "
                        "all {c_out} x {windows} outputs."), rows=c_in * k * k, windows=out * out, c_out=c_out),
        details=N_("This is how many libraries run convolutions: one large, fast matrix product, paid for with "
                 "k^2 copies of each input value."),
        matrices=(matrix(N_("im2col: one column per window (channels stacked)"), cols),
                  matrix(N_("the kernel as a matrix, one row per output channel"), K.reshape(c_out, -1))),
        checks=(same_tensor(N_("kernel matrix @ F.unfold(X) vs F.conv2d"), Y, F.conv2d(X, K)[0]),
                same(N_("im2col shape"), tuple(cols.shape), (c_in * k * k, out * out))))


def block_diagonal(c: int = 8, blocks: int = 4) -> Answer:
    """7.4.7: a block-diagonal c x c matrix with b blocks costs b times less; as a grouped 1x1 convolution."""
    g = torch.Generator().manual_seed(3)
    parts = [torch.randint(-2, 3, (c // blocks, c // blocks), generator=g).to(torch.float64) for _ in range(blocks)]
    W = torch.block_diag(*parts)  # (c, c)
    X = torch.randint(-3, 4, (1, c, 3, 3), generator=g).to(torch.float64)
    grouped = torch.cat(parts)[:, :, None, None]  # (c, c / b, 1, 1): nn.Conv2d's weight with groups=b
    dense_flops, grouped_flops = flops_of(F.conv2d, X, W[:, :, None, None]), flops_of(
        lambda: F.conv2d(X, grouped, groups=blocks))
    return Answer(
        summary=said(N_("b times faster: each of the b blocks is (c/b) x (c/b), so c^2 / b multiplications instead "
                        "of c^2 ({blocks} times fewer for c = {c}, b = {blocks}). The price: channels in different "
                        "blocks never mix. Shuffle channels between layers (ShuffleNet) or add a dense 1×1 layer "
                        "now and then."), blocks=blocks, c=c),
        details=N_("A block-diagonal 1×1 convolution is what nn.Conv2d(groups=b) computes."),
        matrices=(matrix(said(N_("block-diagonal {c}×{c} weights, {blocks} blocks"), c=c, blocks=blocks), W),),
        checks=(same_tensor(N_("dense 1×1 conv with the block-diagonal matrix vs F.conv2d(groups=b)"),
                            F.conv2d(X, W[:, :, None, None]), F.conv2d(X, grouped, groups=blocks)),
                same(N_("FLOP ratio dense / grouped (torch's counter)"), dense_flops // grouped_flops, blocks),
                same(N_("weights of nn.Conv2d(c, c, 1, groups=b, bias=False)"), c * c // blocks,
                     nn.Conv2d(c, c, 1, groups=blocks, bias=False, device="meta").weight.numel())))
