"""Computed answers for d2l sections 8.1-8.4 (zh 7.1-7.4): where AlexNet, VGG, NiN and GoogLeNet keep their
parameters, FLOPs and memory, from cnnviz.arch's trace of the book's presets, checked against the real
built models (on meta tensors: same modules and shapes, no memory, no compute)."""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from cnnviz.arch import PRESETS, Conv, Linear, NiNBlock, VGGBlock, activation_memory, build, trace
from cnnviz.exercises.answer import Answer, Table, said
from cnnviz.exercises.answers_common import same
from cnnviz.arch.titles import preset_title
from cnnviz.i18n import N_, Count, join, Listed

MB = 2**20


def meta_model(name: str) -> nn.Sequential:
    """The preset built for real, on the meta device."""
    with torch.device("meta"):
        return build(PRESETS[name])


def measured(model: nn.Module, shape) -> tuple[int, int]:
    """(parameters, FLOPs for one image) of a real model in eval mode: numel summed, torch's FLOP counter."""
    model.eval()
    with FlopCounterMode(display=False) as counter:
        model(torch.empty(1, *shape, device="meta"))
    return sum(p.numel() for p in model.parameters()), counter.get_total_flops()


def split_at_flatten(name: str) -> tuple[nn.Sequential, nn.Sequential, tuple]:
    """The built model's convolutional part (up to the Flatten) and its dense head, and the head's input."""
    model = meta_model(name)
    cut = list(dict(model.named_children())).index("flatten")
    body = model[:cut]
    with torch.no_grad():
        head_input = tuple(body(torch.empty(1, *PRESETS[name].input_shape, device="meta")).shape[1:])
    return body, model[cut:], head_input


def parts(name: str) -> dict:
    """Parameters and FLOPs of the convolutional part and of the dense layers, from the trace."""
    rows = trace(PRESETS[name])
    cut = next(i for i, row in enumerate(rows) if row.name == "flatten")
    conv, dense = rows[:cut], rows[cut:]
    return {"conv params": sum(r.params for r in conv), "dense params": sum(r.params for r in dense),
            "conv FLOPs": sum(r.flops for r in conv), "dense FLOPs": sum(r.flops for r in dense),
            "conv activations": sum(r.activation_bytes for r in conv),
            "dense activations": sum(r.activation_bytes for r in dense)}


def part_checks(name: str, ours: dict) -> list:
    body, head, head_input = split_at_flatten(name)
    (bp, bf), (hp, hf) = measured(body, PRESETS[name].input_shape), measured(head, head_input)
    return [same(said(N_("{name}: convolutional part's parameters, trace vs the built model"), name=preset_title(name)),
                 ours["conv params"], bp),
            same(said(N_("{name}: dense layers' parameters, trace vs the built model"), name=preset_title(name)),
                 ours["dense params"], hp),
            same(said(N_("{name}: convolutional FLOPs, trace vs torch's FLOP counter"), name=preset_title(name)),
                 ours["conv FLOPs"], bf),
            same(said(N_("{name}: dense FLOPs, trace vs torch's FLOP counter"), name=preset_title(name)), ours["dense FLOPs"], hf)]


def alexnet_costs() -> Answer:
    """8.1.1: AlexNet's memory and FLOPs per layer; the dense layers hold the weights, the convolutions do
    the work."""
    rows = [r for r in trace(PRESETS["alexnet"]) if isinstance(r.layer, (Conv, Linear))]
    table = tuple((r.name, r.kind, "×".join(map(str, r.output_shape)), r.params, f"{4 * r.params / MB:.1f}",
                   f"{r.activation_bytes / 1024:,.0f}", f"{r.flops / 1e6:,.1f}") for r in rows)
    ours = parts("alexnet")
    total = ours["conv params"] + ours["dense params"]
    weights = ours["dense params"] / total
    work = ours["dense FLOPs"] / (ours["conv FLOPs"] + ours["dense FLOPs"])
    return Answer(
        # The percent signs go in the values: "% o" in a template reads as a printf directive to gettext.
        summary=said(N_("The three dense layers hold {weights} of AlexNet's {total} million weights ({dense_mb} MB "
                        "of {total_mb} MB in float32) but do only {work} of its {gflops} GFLOPs per image: memory "
                        "is in the dense layers, computation in the convolutions."),
                     weights=f"{100 * weights:.1f}%", total=f"{total / 1e6:.1f}",
                     dense_mb=f"{4 * ours['dense params'] / MB:,.0f}", total_mb=f"{4 * total / MB:,.0f}",
                     work=f"{100 * work:.1f}%", gflops=f"{(ours['conv FLOPs'] + ours['dense FLOPs']) / 1e9:.2f}"),
        details=said(N_("Per image on the book's 224×224 input; a multiply-add counts 2 FLOPs. Activations are the "
                        "float32 outputs a training forward keeps: the convolutions' feature maps dominate them too "
                        "({conv_mb} MB vs {dense_kb} KB per image). For training, the weights are needed 3-4 times "
                        "(gradients, momentum) and the activations once per image of the batch; at inference only "
                        "the weights and one layer's maps at a time."),
                     conv_mb=f"{ours['conv activations'] / MB:.1f}",
                     dense_kb=f"{ours['dense activations'] / 1024:.0f}"),
        tables=(Table(N_("AlexNet layer by layer (one 224×224 image)"),
                      (N_("layer"), N_("kind"), N_("output"), N_("weights"), N_("weights MB"), N_("activations KB"),
                       "MFLOPs"), table),),
        checks=tuple(part_checks("alexnet", ours)))


def alexnet_vs_vgg() -> Answer:
    """8.2.1: parameters and FLOPs of AlexNet and VGG-11, convolutions against dense layers."""
    names = ("alexnet", "vgg11", "vgg11_narrow")
    found = {name: parts(name) for name in names}
    table = tuple((preset_title(name), f"{(p['conv params'] + p['dense params']) / 1e6:.1f}", f"{p['conv params'] / 1e6:.2f}",
                   f"{p['dense params'] / 1e6:.1f}", f"{p['conv FLOPs'] / 1e9:.2f}", f"{p['dense FLOPs'] / 1e9:.3f}")
                  for name, p in found.items())
    vgg, alex = found["vgg11"], found["alexnet"]
    first = next(r for r in trace(PRESETS["vgg11"]) if isinstance(r.layer, Linear))
    return Answer(
        summary=said(N_("VGG-11 has {vgg} parameters against AlexNet's {alex}, and needs {times} "
                        "times the convolutional FLOPs ({vgg_gflops} vs {alex_gflops} GFLOPs). In both, the dense "
                        "layers hold most parameters and the convolutions do almost all the work. Global average "
                        "pooling (NiN) or a smaller first dense layer cuts the dense cost."),
                     vgg=Count(vgg['conv params'] + vgg['dense params'], digits=0),
                     alex=Count(alex['conv params'] + alex['dense params'], digits=0),
                     times=f"{vgg['conv FLOPs'] / alex['conv FLOPs']:.0f}", vgg_gflops=f"{vgg['conv FLOPs'] / 1e9:.1f}",
                     alex_gflops=f"{alex['conv FLOPs'] / 1e9:.1f}"),
        details=said(N_("VGG's first dense layer alone reads {features} features into {units} units: {weights} "
                        "weights. {narrow} is the version the book trains (channels / 4)."),
                     features=f"{first.input_shape[0]:,}", units=f"{first.output_shape[0]:,}",
                     weights=Count(first.params), narrow=preset_title("vgg11_narrow")),
        tables=(Table(N_("Per 224×224 image"), (N_("network"), N_("params (M)"), N_("conv params (M)"),
                                                N_("dense params (M)"), N_("conv GFLOPs"), N_("dense GFLOPs")),
                      table),),
        checks=tuple(check for name in names for check in part_checks(name, found[name])))


def vgg_layers() -> Answer:
    """8.2.2: VGG-11's 11 layers are 8 convolutions inside 5 blocks plus 3 dense layers."""
    blocks = [r for r in trace(PRESETS["vgg11"]) if isinstance(r.layer, VGGBlock)]
    model = meta_model("vgg11")
    convs = sum(isinstance(m, nn.Conv2d) for m in model.modules())
    dense = sum(isinstance(m, nn.Linear) for m in model.modules())
    counts = [r.layer.num_convs for r in blocks]
    doubled = [str(i) for i, n in enumerate(counts, start=1) if n > 1]
    return Answer(
        summary=said(N_("The summary lists {blocks} VGG blocks, not {convs} convolutions: blocks {doubled} hold two "
                        "3×3 convolutions each, so {sum} = {convs} convolutions, plus {dense} dense layers, make "
                        "{total}."), blocks=len(blocks), convs=sum(counts), doubled=", ".join(doubled),
                     sum=" + ".join(map(str, counts)), dense=dense, total=sum(counts) + dense),
        tables=(Table(N_("VGG-11's blocks"), (N_("block"), N_("convolutions inside"), N_("output")),
                      tuple((r.name, r.layer.num_convs, "×".join(map(str, r.output_shape))) for r in blocks)),),
        checks=(same(N_("convolutions: sum over the blocks vs nn.Conv2d modules in the built model"),
                     sum(r.layer.num_convs for r in blocks), convs),
                same(N_("dense layers in the built model"), 3, dense),
                same(N_("weight layers in total"), 11, convs + dense)))


def _nin_blocks():
    return [r for r in trace(PRESETS["nin"]) if isinstance(r.layer, NiNBlock)]


def nin_three_by_three() -> Answer:
    """8.3.2: NiN's two 1x1 convolutions per block replaced by 3x3 ones (padding 1): cost per block."""
    rows, checks = [], []
    for r in _nin_blocks():
        c, (h, w) = r.layer.out_channels, r.output_shape[1:]
        for k in (1, 3):
            with torch.device("meta"):
                pair = nn.Sequential(nn.Conv2d(c, c, k, padding=k // 2), nn.Conv2d(c, c, k, padding=k // 2))
            ours = (2 * (k * k * c * c + c), 2 * 2 * k * k * c * c * h * w)  # params, FLOPs of the two layers
            checks.append(same(said(N_("{block}, two {k}×{k} layers of {c} channels on {h}×{w}: formula vs "
                                       "nn.Conv2d"), block=r.name, k=k, c=c, h=h, w=w),
                               ours, measured(pair, (c, h, w))))
            rows.append((r.name, c, f"{h}×{w}", f"{k}×{k}", ours[0], f"{ours[1] / 1e6:,.1f}"))
    return Answer(
        summary=N_("Each 1×1 convolution becomes 9 times as expensive: the two per block go from 2(c^2 + c) to "
                 "2(9c^2 + c) weights and 9 times the FLOPs, and each block sees 4 more pixels of context (the "
                 "1×1 layers add none)."),
        details=N_("The blocks of the book's NiN at 224×224; FLOPs per image of the two extra layers only."),
        tables=(Table(N_("NiN's per-pixel layers as 1×1 and as 3×3"),
                      (N_("block"), N_("channels"), N_("map"), N_("kernel"), N_("weights"), "MFLOPs"), tuple(rows)),),
        checks=tuple(checks))


def nin_dense_head() -> Answer:
    """8.3.3: global average pooling against a dense layer at the end of NiN."""
    last = _nin_blocks()[-1]  # 10 channels at 5x5
    features = last.output_shape[0] * last.output_shape[1] * last.output_shape[2]
    gap = nn.AdaptiveAvgPool2d(1)
    with torch.device("meta"):
        dense = nn.Linear(features, 10)
        on_384 = nn.Linear(384 * 5 * 5, 10)
    return Answer(
        summary=said(N_("Global average pooling has no parameters; a dense layer from the last block's {features} "
                        "values to 10 classes has {dense}, and one straight from the 384×5×5 maps (the last NiN "
                        "block dropped) {on_384}. Tiny next to AlexNet's {alex} dense weights, but the dense "
                        "layer ties the network to one input size and can overfit where the average cannot."),
                     features=features, dense=f"{features * 10 + 10:,}", on_384=f"{384 * 25 * 10 + 10:,}",
                     alex=Count(parts('alexnet')['dense params'], digits=0)),
        checks=(same(N_("parameters of global average pooling"), 0, sum(p.numel() for p in gap.parameters())),
                same(said(N_("nn.Linear({features}, 10) parameters"), features=features), features * 10 + 10,
                     dense.weight.numel() + 10),
                same(N_("nn.Linear(9600, 10) parameters"), 384 * 25 * 10 + 10,
                     on_384.weight.numel() + on_384.bias.numel())))


def nin_resources(batch: int = 128) -> Answer:
    """8.3.4: NiN's parameters, FLOPs, and memory to train (SGD, the book's batch of 128) and to predict."""
    spec = PRESETS["nin"]
    rows = trace(spec)
    params, flops = sum(r.params for r in rows), sum(r.flops for r in rows)
    memory = activation_memory(rows, spec.input_shape)
    train_bytes = 4 * params * 2 + batch * memory.training_bytes  # weights + gradients (plain SGD) + activations
    predict_bytes = 4 * params + memory.peak_bytes
    return Answer(
        summary=said(N_("{params} parameters ({mb} MB), {gflops} GFLOPs per 224×224 image; training with batches "
                        "of {batch} holds about {train} GiB (weights, gradients and {activations} MB of activations "
                        "per image), prediction about {predict} MB for one image."),
                     params=f"{params:,}", mb=f"{4 * params / MB:.1f}", gflops=f"{flops / 1e9:.2f}", batch=batch,
                     train=f"{train_bytes / 2**30:.1f}", activations=f"{memory.training_bytes / MB:.1f}",
                     predict=f"{predict_bytes / MB:.0f}"),
        details=N_("Few parameters (no dense layers) but large early feature maps: NiN's memory is activations. "
                 "Training needs every layer's output kept for the backward pass; prediction only the weights "
                 "and the largest moment of one forward."),
        checks=tuple(same(said(N_("NiN {what}: trace vs the built model"), what=said(what)), ours, real)
                     for what, ours, real in zip((N_("parameters"), "FLOPs"), (params, flops),
                                                 measured(meta_model("nin"), spec.input_shape))))


def googlenet_smallest_input() -> Answer:
    """8.4.2: the smallest image GoogLeNet (the book's, at 96x96) takes, and what its last stage then sees."""
    model = meta_model("googlenet")  # global average pooling: the same modules take any input size
    body = model[:-2]  # everything before the global average pooling and the dense layer
    sizes = (1, 32, 33, 96, 224)
    with torch.no_grad():  # meta kernels check shapes as the CPU ones do, so a too-small input would raise
        maps = {n: tuple(body(torch.empty(1, 1, n, n, device="meta")).shape[1:]) for n in sizes}
        scores = tuple(model(torch.empty(1, 1, 1, 1, device="meta")).shape)
    smallest_two = min(n for n in sizes if maps[n][1] >= 2)
    return Answer(
        summary=said(N_("1×1: every convolution and every max pool in the book's GoogLeNet is padded, so no map "
                        "ever shrinks below 1×1 and the global average pooling takes whatever is left. Five "
                        "stride-2 steps divide the side by 32, so below {side}×{side} the last Inception stage sees "
                        "a single pixel and its 3×3 and 5×5 paths see mostly padding."), side=smallest_two),
        details=N_("The book resizes Fashion-MNIST to 96×96, leaving 3×3 maps for the last stage; ImageNet's "
                 "224×224 leaves 7×7."),
        tables=(Table(N_("Map before the global average pooling"), (N_("input"), N_("last stage's maps")),
                      tuple((f"{n}×{n}", "×".join(map(str, maps[n]))) for n in sizes)),),
        checks=(same(N_("the built GoogLeNet on a 1×1 image gives 10 scores"), scores, (1, 10)),
                same(N_("last maps on the book's 96×96 input"), maps[96], (1024, 3, 3)),
                same(said(N_("{side}×{side} leaves 1×1 maps"), side=smallest_two - 1), maps[smallest_two - 1][1:],
                     (1, 1))
                if smallest_two - 1 in maps else same(said(N_("{side}×{side} leaves 1×1 maps"), side=1),
                                                      maps[1][1:], (1, 1))))


def parameter_sizes() -> Answer:
    """8.4.4: parameters of AlexNet, VGG-11, NiN and GoogLeNet, and how the last two save them."""
    names = ("alexnet", "vgg11", "nin", "googlenet")
    rows, checks, millions = [], [], []
    for name in names:
        spec = PRESETS[name]
        traced = trace(spec)
        params = sum(r.params for r in traced)
        dense = sum(r.params for r in traced if isinstance(r.layer, Linear))
        checks.append(same(said(N_("{name}: trace vs the built model"), name=preset_title(name)), params,
                           measured(meta_model(name), spec.input_shape)[0]))
        rows.append((preset_title(name), "×".join(map(str, spec.input_shape[1:])), f"{params:,}",
                     f"{100 * dense / params:.1f}%"))
        millions.append(join(preset_title(name), " ", Count(params)))
    return Answer(
        summary=said(N_("Parameters: {millions}. NiN and GoogLeNet end with global average pooling instead of "
                        "wide dense layers, and use 1×1 convolutions to cut the channels before the expensive 3×3 "
                        "and 5×5 ones."), millions=Listed(millions)),
        tables=(Table(N_("Parameters of the book's networks"),
                      (N_("network"), N_("input"), N_("parameters"), N_("in dense layers")),
                      tuple(rows)),),
        checks=tuple(checks))
