"""Computed answer for d2l 8.2.3 (zh 7.2.3): VGG-16 and VGG-19 built from Table 1 of Simonyan and
Zisserman as cnnviz architectures, checked layer count and parameters against torchvision's own models."""

from __future__ import annotations

import torch
import torchvision.models
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from cnnviz.arch import (
    PRESETS, Activation, Architecture, Dropout, Flatten, Linear, VGGBlock, build, count_flops, count_params, trace,
)
from cnnviz.exercises.answer import Answer, Table, said
from cnnviz.exercises.answers_common import same
from cnnviz.i18n import N_, Count, Listed

# (convolutions, channels) per block, Table 1 of the VGG paper: configurations A (VGG-11), D and E.
VGG_TABLE_1 = {
    "vgg11": ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512)),
    "vgg16": ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)),
    "vgg19": ((2, 64), (2, 128), (4, 256), (4, 512), (4, 512)),
}
IMAGENET = (3, 224, 224)  # torchvision's VGGs: colour 224x224 images, 1,000 classes


def vgg_architecture(name: str, classes: int = 1000) -> Architecture:
    """VGG from its block table, with the paper's head: two 4096-unit dense layers with dropout."""
    head = (Flatten(), Linear(4096), Activation("relu"), Dropout(0.5),
            Linear(4096), Activation("relu"), Dropout(0.5), Linear(classes))
    blocks = tuple(VGGBlock(n, c) for n, c in VGG_TABLE_1[name])
    return Architecture(name, f"{name} from Table 1 of the VGG paper", (*blocks, *head), IMAGENET)


def torchvision_counts(name: str) -> tuple[int, int]:
    """(weight layers, parameters) of torchvision's model of that name, built on the meta device."""
    with torch.device("meta"):
        model = getattr(torchvision.models, name)(weights=None)
    layers = sum(isinstance(m, (nn.Conv2d, nn.Linear)) for m in model.modules())
    return layers, sum(p.numel() for p in model.parameters())


def vgg_family() -> Answer:
    """8.2.3: VGG-11, -16 and -19 from the same block function, only the table changes."""
    rows, checks, millions = [], [], []
    for name, table in VGG_TABLE_1.items():
        spec = vgg_architecture(name)
        layers = sum(n for n, _ in table) + 3
        params, flops = count_params(spec), count_flops(spec)
        real_layers, real_params = torchvision_counts(name)
        checks += [same(said(N_("{name}: weight layers vs torchvision.models.{name}"), name=name), layers, real_layers),
                   same(said(N_("{name}: parameters vs torchvision.models.{name}"), name=name), params, real_params)]
        rows.append((name, " ".join(str(n) for n, _ in table), layers, f"{params:,}", f"{flops / 1e9:.1f}"))
        millions.append(Count(params, digits=0))
    return Answer(
        summary=said(N_("Only the number of convolutions per block changes: (1, 1, 2, 2, 2) for VGG-11, "
                        "(2, 2, 3, 3, 3) for VGG-16 and (2, 2, 4, 4, 4) for VGG-19, always 64-128-256-512-512 "
                        "channels. On ImageNet they have {first} and {last} parameters; the extra "
                        "convolutions add little weight but much computation."),
                     first=Listed(millions[:-1]), last=millions[-1]),
        details=N_("Built as cnnviz architectures (colour 224×224 input, 1,000 classes) and compared with "
                 "torchvision's VGG models, which follow the same table."),
        tables=(Table(N_("The VGG family on ImageNet"), (N_("network"), N_("convolutions per block"),
                                                         N_("weight layers"), N_("parameters"),
                                                         N_("GFLOPs per image")), tuple(rows)),),
        checks=tuple(checks))


def _measured_at(name: str, side: int) -> tuple[int, int]:
    """(parameters, FLOPs) of the preset built for real (on meta tensors) for side x side images."""
    with torch.device("meta"):
        model = build(PRESETS[name], input_size=side).eval()
    with FlopCounterMode(display=False) as counter:
        model(torch.empty(1, 1, side, side, device="meta"))
    return sum(p.numel() for p in model.parameters()), counter.get_total_flops()


SIDES = (224, 96, 84, 56)  # the book's size, the zh edition's 96 (zh 7.2.3), the English 84 and 56 (8.2.4)


def vgg_smaller_inputs(name: str = "vgg11_narrow") -> Answer:
    """8.2.4 (zh 7.2.3): the book's VGG-11 on 96, 84 or 56 pixels instead of 224: maps, parameters, FLOPs."""
    spec = PRESETS[name]
    rows, checks, found = [], [], {}
    for side in SIDES:
        traced = trace(spec, (1, side, side))
        last = next(r for r in traced if r.name == "flatten").input_shape  # (C, H, W) of the last block
        found[side] = (sum(r.params for r in traced), sum(r.flops for r in traced))
        checks.append(same(said(N_("{side}×{side}: (parameters, FLOPs), trace vs the built model"), side=side),
                           found[side],
                           _measured_at(name, side)))
        rows.append((f"{side}×{side}", f"{last[1]}×{last[2]}", last[0] * last[1] * last[2], f"{found[side][0]:,}",
                     f"{found[side][1] / 1e9:.3f}", f"{found[side][1] / found[224][1]:.0%}"))
    return Answer(
        summary=said(N_("Five halvings leave {maps96} maps at 96 pixels, {maps84} at 84 and {maps56} at 56 instead "
                        "of 7×7, so the first dense layer shrinks with them and the network needs {flops96}, "
                        "{flops84} and {flops56} of the FLOPs at 224. At 56 the last block sees single pixels; add "
                        "more 3×3 convolutions (non-linearities) before each pooling, as the VGG paper's deeper "
                        "configurations do, or pool fewer times. Whether the accuracy holds is an experiment: "
                        "train them."), maps96=rows[1][1], maps84=rows[2][1], maps56=rows[3][1],
                     flops96=rows[1][5], flops84=rows[2][5], flops56=rows[3][5]),
        details=N_("The book's VGG-11 (channels / 4) traced at each size and checked against the model built for "
                 "that size. A side that is not a multiple of 32 loses its odd pixels at the max pools."),
        tables=(Table(said(N_("{name} at smaller inputs"), name=name),
                      (N_("input"), N_("last maps"), N_("features into the first dense layer"), N_("parameters"),
                       N_("GFLOPs per image"), N_("FLOPs vs 224")),
                      tuple(rows)),),
        checks=tuple(checks))
