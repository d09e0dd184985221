"""Computed answers for d2l 8.6.2, 8.6.3 (zh 7.6.2, 7.6.3) and 8.8.2: ResNet depths from Table 1 of the ResNet
paper, the bottleneck block against the basic residual block, and RegNetX with plain residual blocks; every count
comes from cnnviz's layer specs (`layer_cost`, `trace`) and is checked against torchvision and the built modules."""

from __future__ import annotations

import torch
import torchvision.models
from torch import nn

from cnnviz.arch import (
    PRESETS, Activation, Architecture, BatchNorm, Conv, GlobalAvgPool, Linear, Pool, ResidualBlock, ResNeXtBlock,
    build, trace,
)
from cnnviz.arch.titles import preset_title
from cnnviz.arch.trace import layer_cost
from cnnviz.exercises.answer import Answer, Table, said
from cnnviz.exercises.answers_common import flops_of, same
from cnnviz.i18n import N_

WIDTHS = (64, 128, 256, 512)  # the four stages' channels (a bottleneck stage outputs four times as many)
# Table 1 of the ResNet paper: residual blocks per stage, and whether they are bottleneck blocks.
RESNET_TABLE_1 = {"resnet18": ((2, 2, 2, 2), False), "resnet34": ((3, 4, 6, 3), False),
                  "resnet50": ((3, 4, 6, 3), True)}
IMAGENET = (3, 224, 224)  # the paper's (and torchvision's) colour 224x224 images, 1,000 classes
BOOK = (1, 96, 96)  # the book's Fashion-MNIST resized to 96, 10 classes


def resnet_layers(name: str, classes: int = 10) -> tuple:
    """The book's ResNet stem, the paper's stages for `name` built from cnnviz's blocks, and the head. A bottleneck
    block is a ResNeXtBlock with 1 group and bottleneck multiplier 0.25 (1x1 to a quarter, 3x3, 1x1 back up)."""
    depths, bottleneck = RESNET_TABLE_1[name]
    blocks = []
    for i, (count, width) in enumerate(zip(depths, WIDTHS)):
        for j in range(count):
            stride = 2 if j == 0 and i > 0 else 1
            blocks.append(ResNeXtBlock(4 * width, 1, 0.25, use_1x1conv=j == 0, stride=stride) if bottleneck else
                          ResidualBlock(width, use_1x1conv=j == 0 and i > 0, stride=stride))
    return (Conv(64, kernel=7, stride=2, padding=3), BatchNorm(), Activation("relu"), Pool("max", 3, 2, padding=1),
            *blocks, GlobalAvgPool(), Linear(classes))


def stack_cost(layers, shape) -> tuple[int, int]:
    """(parameters, FLOPs per image) of `layers` on `shape`, summed layer by layer with the tracer's own cost.
    Unlike `trace` it applies no size limits: ResNet-50's last stage has 2,048 channels, beyond the builder's."""
    params = flops = 0
    for layer in layers:
        p, f = layer_cost(layer, shape)
        params, flops, shape = params + p, flops + f, layer.output_shape(shape)
    return params, flops


def built(layers, shape) -> nn.Sequential:
    """`layers` as modules on the meta device (no memory), as `build` makes them."""
    modules = []
    with torch.device("meta"):
        for layer in layers:
            modules.append(layer.build(shape))
            shape = layer.output_shape(shape)
    return nn.Sequential(*modules)


def torchvision_style(model: nn.Module) -> int:
    """The parameters of `model` built as torchvision builds ResNets: no bias in any convolution (a BN follows
    each) and a BN after every 1x1 shortcut (the book's basic block has none)."""
    biases = sum(m.bias.numel() for m in model.modules() if isinstance(m, nn.Conv2d) and m.bias is not None)
    shortcut_bns = sum(2 * m.conv3.out_channels for m in model.modules()
                       if type(m).__name__ == "Residual" and m.conv3 is not None)
    return sum(p.numel() for p in model.parameters()) - biases + shortcut_bns


def torchvision_counts(name: str) -> tuple[int, int]:
    """(parameters, FLOPs per 224x224 image) of torchvision.models.<name>, on the meta device."""
    with torch.device("meta"):
        model = getattr(torchvision.models, name)(weights=None).eval()
    return sum(p.numel() for p in model.parameters()), flops_of(model, torch.empty(1, *IMAGENET, device="meta"))


def resnet_depths() -> Answer:
    """8.6.2: ResNet-18, -34 and -50 from the paper's table, at the book's 96x96 and on ImageNet."""
    rows, checks, found = [], [], {}
    for name, (depths, bottleneck) in RESNET_TABLE_1.items():
        book, imagenet = resnet_layers(name, 10), resnet_layers(name, 1000)
        (p96, f96), (p224, f224) = stack_cost(book, BOOK), stack_cost(imagenet, IMAGENET)
        real_params, real_flops = torchvision_counts(name)
        found[name] = p96, f96
        title = f"ResNet-{name.removeprefix('resnet')}"
        rows.append((title, " ".join(map(str, depths)), N_("bottleneck") if bottleneck else N_("basic"),
                     f"{p96:,}", f"{f96 / 1e9:.2f}", f"{p224:,}", f"{real_params:,}", f"{f224 / 2e9:.2f}"))
        checks += [same(said(N_("{name} on ImageNet: parameters without conv biases, with shortcut BNs, vs "
                                "torchvision.models.{model}"), name=title, model=name),
                        torchvision_style(built(imagenet, IMAGENET)), real_params),
                   same(said(N_("{name} on ImageNet: FLOPs vs torchvision.models.{model}"), name=title, model=name),
                        f224, real_flops)]
    spec = Architecture("resnet34", "", resnet_layers("resnet34"), BOOK)  # within the builder's limits
    traced = trace(spec)
    checks.append(same(N_("ResNet-34 at 96: (parameters, FLOPs) summed block by block vs the builder's trace"),
                       found["resnet34"], (sum(r.params for r in traced), sum(r.flops for r in traced))))
    (p18, f18), (p34, f34), (p50, f50) = found.values()
    return Answer(
        summary=said(N_("At the book's 96×96 (one channel, 10 classes) ResNet-18 has {p18:,} parameters and needs "
                        "{f18} GFLOPs per image; ResNet-34 (3, 4, 6, 3 basic blocks) has {p34:,} and {f34}; "
                        "ResNet-50 (the same depths of bottleneck blocks, four times wider outputs) has {p50:,} and "
                        "{f50}, {times} times the computation of ResNet-18."),
                     p18=p18, f18=f"{f18 / 1e9:.2f}", p34=p34, f34=f"{f34 / 1e9:.2f}", p50=p50,
                     f50=f"{f50 / 1e9:.2f}", times=f"{f50 / f18:.1f}"),
        details=N_("Each network is the book's stem and head around the paper's stages, built from cnnviz's blocks "
                   "(a bottleneck block is a ResNeXtBlock with 1 group and bottleneck multiplier 0.25) and costed "
                   "block by block with the builder's own tracer. On ImageNet (colour 224×224 images, 1,000 "
                   "classes) the FLOPs equal torchvision's models exactly; the parameters differ only by the "
                   "book's choices: every convolution has a bias, and the basic block's 1×1 shortcut has no batch "
                   "norm. The paper counts multiply-adds (1.8, 3.6 and 3.8 billion): half the FLOPs; its "
                   "ResNet-50 strides in the first 1×1 convolution, torchvision's and cnnviz's in the 3×3. The "
                   "builder stops at 1,024 channels, so ResNet-50's last stage (2,048) cannot be built there."),
        tables=(Table(N_("ResNet depths from the paper's Table 1"),
                      (N_("network"), N_("blocks per stage"), N_("block"), N_("parameters at 96"),
                       N_("GFLOPs at 96"), N_("parameters on ImageNet"), N_("torchvision's parameters"),
                       N_("billion multiply-adds on ImageNet")), tuple(rows)),),
        checks=tuple(checks))


def _block_row(label: str, layer, shape) -> tuple[tuple, tuple[int, int], object, tuple]:
    """(table row, (parameters, FLOPs) from the tracer, the block, its input shape)."""
    params, flops = layer_cost(layer, shape)
    return (label, "×".join(map(str, shape)), f"{params:,}", f"{flops / 1e6:.1f}"), (params, flops), layer, shape


def _measured(layer, shape) -> tuple[int, int]:
    """(parameters, FLOPs) of the block's module run on a tensor (on the meta device: the same shapes and counts,
    and torch's random generator is left alone)."""
    with torch.device("meta"):
        module = layer.build(shape).eval()
    return sum(p.numel() for p in module.parameters()), flops_of(module, torch.empty(1, *shape, device="meta"))


def bottleneck_saving(width: int = 256, side: int = 24) -> Answer:
    """8.6.3: a bottleneck block against a basic residual block of the same width, and against the basic block
    a quarter as wide (the pairing of Figure 5 of the ResNet paper)."""
    wide, narrow = (width, side, side), (width // 4, side, side)
    cases = [_block_row(said(N_("basic block, two 3×3 convolutions at {c}"), c=width), ResidualBlock(width), wide),
             _block_row(said(N_("bottleneck block, 1×1 to {b}, 3×3, 1×1 to {c}"), b=width // 4, c=width),
                        ResNeXtBlock(width, 1, 0.25), wide),
             _block_row(said(N_("basic block at {c}"), c=width // 4), ResidualBlock(width // 4), narrow)]
    (_, basic, *_), (_, bottle, *_), (_, small, *_) = cases
    return Answer(
        summary=said(N_("At {c} channels on {side}×{side} maps a bottleneck block has {pb:,} parameters against the "
                        "basic block's {pa:,} ({p} times fewer) and needs {f} times fewer FLOPs: its 3×3 "
                        "convolution works on {b} channels only. It costs about as much as a basic block of {b} "
                        "channels ({ps:,} parameters) while carrying {c}-channel features, which is how ResNet-50 "
                        "keeps ResNet-34's cost with outputs four times as wide."),
                     c=width, side=side, pb=bottle[0], pa=basic[0], p=f"{basic[0] / bottle[0]:.1f}",
                     f=f"{basic[1] / bottle[1]:.1f}", b=width // 4, ps=small[0]),
        details=N_("In the builder the bottleneck block is a ResNeXtBlock with 1 group and bottleneck multiplier "
                   "0.25. Parameters include the convolutions' biases and the batch norms' scales and shifts, as "
                   "the book's blocks have them."),
        tables=(Table(N_("One block, identity shortcut"), (N_("block"), N_("input"), N_("parameters"),
                                                          N_("MFLOPs per image")), tuple(case[0] for case in cases)),),
        checks=tuple(same(said(N_("{block}: (parameters, FLOPs), tracer vs the module run on a tensor"), block=row[0]),
                          cost, _measured(layer, shape))
                     for row, cost, layer, shape in cases))


def as_residual(layers) -> tuple:
    """Every ResNeXt block replaced by a basic residual block of the same width, stride and shortcut."""
    return tuple(ResidualBlock(layer.out_channels, layer.use_1x1conv, layer.stride)
                 if isinstance(layer, ResNeXtBlock) else layer for layer in layers)


def regnet_with_resnet_blocks() -> Answer:
    """8.8.2: RegNetX-32 and its small version with ResNet's basic blocks instead of ResNeXt blocks."""
    rows, checks, found = [], [], {}
    for name in ("regnetx32", "regnet_small"):
        spec = PRESETS[name]
        for label, layers in ((N_("ResNeXt blocks"), spec.layers), (N_("residual blocks"), as_residual(spec.layers))):
            variant = Architecture(name, "", layers, spec.input_shape)
            traced = trace(variant)
            found[name, label] = sum(r.params for r in traced), sum(r.flops for r in traced)
            rows.append((preset_title(name), label, "×".join(map(str, spec.input_shape)), f"{found[name, label][0]:,}",
                         f"{found[name, label][1] / 1e6:.1f}"))
            checks.append(same(said(N_("{name} with {blocks}: (parameters, FLOPs), trace vs the built model"),
                                    name=preset_title(name), blocks=said(label)), found[name, label],
                               _measured_model(variant)))
    (pn, fn), (pr, fr) = found["regnetx32", N_("ResNeXt blocks")], found["regnetx32", N_("residual blocks")]
    return Answer(
        summary=said(N_("With basic residual blocks RegNetX-32 grows from {pn:,} to {pr:,} parameters ({p} times) "
                        "and from {fn} to {fr} MFLOPs per image: two full 3×3 convolutions replace a 1×1, a grouped "
                        "3×3 and a 1×1. Whether the extra cost buys accuracy is the experiment: train both."),
                     pn=pn, pr=pr, p=f"{pr / pn:.1f}", fn=f"{fn / 1e6:.0f}", fr=f"{fr / 1e6:.0f}"),
        details=N_("Each ResNeXtBlock row becomes a ResidualBlock with the same channels, stride and 1×1 shortcut; "
                   "the stem and head stay."),
        tables=(Table(N_("RegNetX with either block"), (N_("network"), N_("blocks"), N_("input"), N_("parameters"),
                                                        N_("MFLOPs per image")), tuple(rows)),),
        checks=tuple(checks))


def _measured_model(spec: Architecture) -> tuple[int, int]:
    """(parameters, FLOPs) of the whole network built and run on meta tensors."""
    with torch.device("meta"):
        model = build(spec).eval()
    return sum(p.numel() for p in model.parameters()), flops_of(model, torch.empty(1, *spec.input_shape,
                                                                                   device="meta"))
