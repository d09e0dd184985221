"""Computed answers for d2l 8.4.4 and 8.4.5: how GoogLeNet saves parameters, branch by branch of its first
Inception block, with and without the 1x1 reductions, and its computation against AlexNet's; checked against
the built models."""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from cnnviz.arch import PRESETS, InceptionBlock, build, trace
from cnnviz.exercises.answer import Answer, Table, said
from cnnviz.exercises.answers_common import same
from cnnviz.exercises.answers_nets import parameter_sizes
from cnnviz.i18n import N_


def conv_params(c_in: int, c_out: int, k: int) -> int:
    return c_in * c_out * k * k + c_out  # weights and biases


def branch_rows(block: InceptionBlock, c_in: int) -> list[tuple[str, int, int]]:
    """(branch, parameters as built, parameters if the k x k convolution read all c_in channels)."""
    return [
        ("1x1", conv_params(c_in, block.c1, 1), conv_params(c_in, block.c1, 1)),
        (said(N_("1×1 to {reduce}, then 3×3"), reduce=block.c2_reduce), conv_params(c_in, block.c2_reduce, 1)
         + conv_params(block.c2_reduce, block.c2, 3), conv_params(c_in, block.c2, 3)),
        (said(N_("1×1 to {reduce}, then 5×5"), reduce=block.c3_reduce), conv_params(c_in, block.c3_reduce, 1)
         + conv_params(block.c3_reduce, block.c3, 5), conv_params(c_in, block.c3, 5)),
        (N_("3×3 max pool, then 1×1"), conv_params(c_in, block.c4, 1), conv_params(c_in, block.c4, 1)),
    ]


def unreduced(block: InceptionBlock, c_in: int) -> list[nn.Module]:
    """The four branches' convolutions if none had a 1x1 reduction (on the meta device)."""
    with torch.device("meta"):
        return [nn.Conv2d(c_in, block.c1, 1), nn.Conv2d(c_in, block.c2, 3, padding=1),
                nn.Conv2d(c_in, block.c3, 5, padding=2), nn.Conv2d(c_in, block.c4, 1)]


def first_inception() -> tuple[InceptionBlock, int, nn.Module]:
    """The book's GoogLeNet's first Inception block, its input channels, and the module build() makes."""
    row = next(r for r in trace(PRESETS["googlenet"]) if isinstance(r.layer, InceptionBlock))
    with torch.device("meta"):
        module = row.layer.build(row.input_shape)
    return row.layer, row.input_shape[0], module


def model_sizes_and_inception() -> Answer:
    """8.4.4: the four networks' parameters, and the 1x1 reductions inside one Inception block."""
    sizes = parameter_sizes()
    block, c_in, module = first_inception()
    rows = branch_rows(block, c_in)
    built = {"1x1": module.b1_1, "3×3": (module.b2_1, module.b2_2), "5×5": (module.b3_1, module.b3_2),
             N_("pool"): module.b4_2}
    measured = [sum(p.numel() for part in (parts if isinstance(parts, tuple) else (parts,))
                    for p in part.parameters()) for parts in built.values()]
    with_reduction, without = sum(r[1] for r in rows), sum(r[2] for r in rows)
    return Answer(
        summary=said(N_("{sizes} In GoogLeNet's first Inception block the 1×1 reductions cut the 3×3 and 5×5 "
                        "branches' weights: {reduced} parameters instead of {full} ({times} times fewer)."),
                     sizes=said(sizes.summary), reduced=f"{with_reduction:,}", full=f"{without:,}",
                     times=f"{without / with_reduction:.1f}"),
        details=sizes.details,
        tables=(*sizes.tables,
                Table(said(N_("First Inception block ({c_in} channels in): parameters per branch"), c_in=c_in),
                      (N_("branch"), N_("with the 1×1 reduction"), N_("k x k on all input channels")), tuple(rows))),
        checks=(*sizes.checks,
                *(same(said(N_("branch {name}: formula vs the built Inception module"), name=said(name)), row[1], real)
                  for name, row, real in zip(built, rows, measured)),
                same(N_("the whole block: formula vs the built Inception module"), with_reduction,
                     sum(p.numel() for p in module.parameters())),
                same(N_("without reductions: formula vs nn.Conv2d layers reading all input channels"), without,
                     sum(p.numel() for layer in unreduced(block, c_in) for p in layer.parameters()))))


def _at(name: str, side: int) -> tuple[int, int]:
    """(parameters, FLOPs) per image of a preset at side x side, from the trace."""
    rows = trace(PRESETS[name], (1, side, side))
    return sum(r.params for r in rows), sum(r.flops for r in rows)


def googlenet_vs_alexnet() -> Answer:
    """8.4.5: computation and weights of GoogLeNet against AlexNet, per image."""
    cases = (("alexnet", 224), ("googlenet", 224), ("googlenet", 96))
    found = {case: _at(*case) for case in cases}
    rows = tuple((name, f"{side}×{side}", f"{p / 1e6:.1f}", f"{4 * p / 2**20:.0f}", f"{f / 1e9:.2f}", f"{f / p:,.0f}")
                 for (name, side), (p, f) in found.items())
    checks = []
    for name, side in cases:
        with torch.device("meta"):
            model = build(PRESETS[name], input_size=side).eval()
        with FlopCounterMode(display=False) as counter:
            model(torch.empty(1, 1, side, side, device="meta"))
        checks.append(same(said(N_("{name} at {side}: (parameters, FLOPs), trace vs the built model"), name=name,
                                side=side), found[name, side],
                           (sum(p.numel() for p in model.parameters()), counter.get_total_flops())))
    (ap, af), (gp, gf) = found["alexnet", 224], found["googlenet", 224]
    dense = sum(r.params for r in trace(PRESETS["alexnet"]) if r.name.startswith("fc"))
    return Answer(
        summary=said(N_("On the same 224×224 image GoogLeNet needs {times} times AlexNet's FLOPs with {share} of "
                        "its weights: {google} FLOPs per weight against {alex}. A chip for GoogLeNet can hold all its "
                        "weights on chip ({mb} MB in float32, a quarter in int8) and is limited by compute and the "
                        "traffic of feature maps; AlexNet's dense layers stream {dense} MB of weights per image for "
                        "little work, so at small batches it is limited by memory bandwidth."),
                     times=f"{gf / af:.1f}", share=f"{gp / ap:.2f}", google=f"{gf / gp:,.0f}", alex=f"{af / ap:,.0f}",
                     mb=f"{4 * gp / 2**20:.0f}", dense=f"{4 * dense / 2**20:.0f}"),
        details=N_("FLOPs per weight is the arithmetic intensity of the weights: how many operations each "
                 "weight fetched from memory pays for at batch size 1; a larger batch reuses each weight more."),
        tables=(Table(N_("Per image"), (N_("network"), N_("input"), N_("params (M)"), N_("weights (MB)"), "GFLOPs",
                                        N_("FLOPs per weight")), rows),),
        checks=tuple(checks))
