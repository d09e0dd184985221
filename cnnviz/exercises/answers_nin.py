"""Computed answer for d2l 8.3.1 (zh 7.3.2): NiN with one, two or three 1x1 convolutions per block, what
each costs; the accuracy part is an experiment for the Train page."""

from __future__ import annotations

import torch
from torch import nn

from cnnviz.arch import PRESETS, NiNBlock, trace
from cnnviz.exercises.answer import Answer, Table, said
from cnnviz.exercises.answers_common import flops_of, same
from cnnviz.exercises.answers_nets import measured, meta_model
from cnnviz.i18n import N_


def one_by_one_stack(c: int, count: int) -> nn.Sequential:
    """`count` 1x1 convolutions of c channels with ReLU, as in a NiN block (on the meta device)."""
    with torch.device("meta"):
        return nn.Sequential(*[m for _ in range(count) for m in (nn.Conv2d(c, c, 1), nn.ReLU())])


def nin_variant(count: int) -> nn.Sequential:
    """The book's NiN (built, on meta tensors) with `count` 1x1 layers per block instead of two."""
    model = meta_model("nin")
    for name, child in model.named_children():
        if name.startswith("nin"):  # conv, ReLU, then two (1x1, ReLU) pairs
            c = child[0].out_channels
            setattr(model, name, nn.Sequential(*child[:2], *one_by_one_stack(c, count)))
    return model


def nin_one_by_one_count() -> Answer:
    """8.3.1: parameters and FLOPs of the book's NiN with 1, 2 (the book) or 3 1x1 layers per block."""
    traced = trace(PRESETS["nin"])
    base_params, base_flops = sum(r.params for r in traced), sum(r.flops for r in traced)
    blocks = [r for r in traced if isinstance(r.layer, NiNBlock)]
    per_layer = [(r.layer.out_channels, r.output_shape, r.layer.out_channels ** 2 + r.layer.out_channels,
                  2 * r.layer.out_channels ** 2 * r.output_shape[1] * r.output_shape[2]) for r in blocks]
    rows, checks = [], []
    for count in (1, 2, 3):
        params = base_params + (count - 2) * sum(p for _, _, p, _ in per_layer)
        flops = base_flops + (count - 2) * sum(f for _, _, _, f in per_layer)
        checks.append(same(said(N_("{count} per block: (params, FLOPs) vs that NiN built"), count=count),
                           (params, flops),
                           measured(nin_variant(count), PRESETS["nin"].input_shape)))
        rows.append((count, f"{params:,}", f"{flops / 1e9:.3f}"))
    for c, shape, p, f in per_layer:
        stack = one_by_one_stack(c, 1)
        checks.append(same(said(N_("one 1×1 layer of {c} channels on {h}×{w}: (params, FLOPs) vs nn.Conv2d"), c=c,
                                h=shape[1], w=shape[2]),
                           (p, f), (sum(q.numel() for q in stack.parameters()),
                                    flops_of(stack, torch.empty(1, *shape, device="meta")))))
    return Answer(
        summary=said(N_("Each 1×1 layer adds c^2 + c parameters per block: one per block gives {one} parameters, "
                        "the book's two {two}, three {three}. The 1×1 layers are the per-pixel MLP that gives NiN "
                        "its name: two make it a real (hidden-layer) MLP with two extra non-linearities; one is "
                        "only a linear mix plus ReLU. Whether accuracy follows is an experiment."),
                     one=rows[0][1], two=rows[1][1], three=rows[2][1]),
        tables=(Table(N_("The book's NiN at 224×224"),
                      (N_("1×1 layers per block"), N_("parameters"), N_("GFLOPs per image")),
                      tuple(rows)),),
        checks=tuple(checks))
