"""Computed answers for d2l 8.7.1-8.7.3 (zh 7.7.1-7.7.3): average against max pooling in DenseNet's transition
layer, where DenseNet saves parameters against ResNet-18, and its activation memory at 224x224, all from the
book's presets as cnnviz builds and traces them, checked against the built modules."""

from __future__ import annotations

import copy

import torch
from torch import nn

from cnnviz.arch import PRESETS, TransitionLayer, activation_memory, build, trace
from cnnviz.arch.titles import preset_title
from cnnviz.exercises.answer import Answer, Table, said
from cnnviz.exercises.answers_common import same, same_tensor
from cnnviz.i18n import N_

MB = 2**20
BATCH = 256  # the zh edition's batch size for both networks


def first_transition(name: str = "densenet") -> tuple[TransitionLayer, tuple]:
    """The preset's first transition layer and its input shape (192x24x24 in the book's DenseNet)."""
    row = next(r for r in trace(PRESETS[name]) if isinstance(r.layer, TransitionLayer))
    return row.layer, row.input_shape


def transition_pair(seed: int = 0) -> tuple[nn.Sequential, nn.Sequential, tuple]:
    """The first transition layer as built (average pool) and the same weights with a 2x2 max pool instead."""
    layer, shape = first_transition()
    with torch.random.fork_rng(devices=[]):  # the answer leaves torch's global generator alone
        torch.manual_seed(seed)
        average = layer.build(shape)
    maximum = copy.deepcopy(average)
    maximum[3] = nn.MaxPool2d(kernel_size=2, stride=2)
    return average, maximum, shape


def reached_by_gradient(transition: nn.Sequential, X: torch.Tensor) -> tuple[float, torch.Tensor]:
    """The share of the 1x1 convolution's outputs that receive gradient from the pooled output's sum, and that
    output. X: (N, C, H, W)."""
    before_pool = transition[:3](X)  # (N, C', H, W): BN, ReLU, 1x1 conv
    before_pool.retain_grad()
    out = transition[3](before_pool)  # (N, C', H / 2, W / 2)
    out.sum().backward()
    return float((before_pool.grad != 0).double().mean()), out.detach()


def average_or_max_pooling(seed: int = 0) -> Answer:
    """8.7.1: the transition's parameters do not change with the pooling; what it passes on, and what it lets
    the gradient reach, do."""
    average, maximum, shape = transition_pair(seed)
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(4, *shape, generator=g)  # a batch of 4: BN in training mode
    share_avg, out_avg = reached_by_gradient(average, X)
    share_max, out_max = reached_by_gradient(maximum, X)
    with torch.no_grad():  # average pooling is linear: it commutes with the 1x1 convolution
        conv_then_pool = average(X)
        pool_then_conv = average[2](average[3](average[1](average[0](X))))
    params = [sum(p.numel() for p in t.parameters()) for t in (average, maximum)]
    return Answer(
        summary=said(N_("Nothing changes in the parameters ({params:,} either way: pooling has none). What changes "
                        "is what passes: an average keeps a quarter of each of the four values a window holds, so "
                        "every feature the dense block concatenated still counts, and every one of them gets "
                        "gradient ({avg:.0%} of the 1×1 convolution's outputs); a max pool passes one value per "
                        "window and only it learns ({max:.0%})."),
                     params=params[0], avg=share_avg, max=share_max),
        details=N_("Measured on DenseNet's first transition layer (192 channels in, 96 out, 24×24 maps) with "
                   "random inputs. Averaging is linear, so it may also run before the 1×1 convolution, on a "
                   "quarter of the positions; a max pool cannot move past the convolution. The max pool's output "
                   "is never below the average, so the next block's inputs shift upwards."),
        tables=(Table(N_("Transition layer 192 -> 96 channels"), (N_("pooling"), N_("parameters"),
                                                                    N_("outputs that get gradient"),
                                                                    N_("mean output")),
                      ((N_("average 2×2"), f"{params[0]:,}", f"{share_avg:.0%}", f"{float(out_avg.mean()):.3f}"),
                       (N_("max 2×2"), f"{params[1]:,}", f"{share_max:.0%}", f"{float(out_max.mean()):.3f}"))),),
        checks=(same(N_("parameters with average vs with max pooling"), params[0], params[1]),
                same(N_("parameters: the built transition vs BN (2C) + 1×1 conv (C x C' + C')"), params[0],
                     2 * shape[0] + shape[0] * average[2].out_channels + average[2].out_channels),
                same(N_("the max pool's output is at least the average everywhere"), bool((out_max >= out_avg).all()),
                     True),
                same_tensor(N_("conv then average pool vs average pool then conv"), conv_then_pool, pool_then_conv,
                            atol=1e-4)))


def conv3x3(model: nn.Module) -> list[nn.Conv2d]:
    return [m for m in model.modules() if isinstance(m, nn.Conv2d) and m.kernel_size == (3, 3)]


def _weights(conv: nn.Conv2d) -> int:
    return sum(p.numel() for p in conv.parameters())


def densenet_vs_resnet() -> Answer:
    """8.7.2: DenseNet's and ResNet-18's parameters, and the 3x3 convolutions that make the difference."""
    rows, checks, found = [], [], {}
    for name in ("resnet18", "densenet"):
        with torch.device("meta"):
            model = build(PRESETS[name])
        convs = conv3x3(model)
        largest = max(convs, key=_weights)
        total = sum(r.params for r in trace(PRESETS[name]))
        found[name] = total, sum(map(_weights, convs)), largest, max(c.out_channels for c in convs)
        rows.append((preset_title(name), f"{total:,}", f"{found[name][1]:,}", len(convs),
                     f"{largest.in_channels} -> {largest.out_channels}", f"{_weights(largest):,}"))
        checks.append(same(said(N_("{name}: parameters, trace vs the built model"), name=preset_title(name)), total,
                           sum(p.numel() for p in model.parameters())))
    (res, res3, big, _), (dense, dense3, dense_big, growth) = found["resnet18"], found["densenet"]
    return Answer(
        summary=said(N_("DenseNet has {dense:,} parameters, {times} times fewer than ResNet-18's {res:,}. Each of "
                        "its 3×3 convolutions outputs only the growth rate ({growth} channels) and, with transition "
                        "layers halving the channels, reads at most {most} channels; ResNet-18's reach {big_in} "
                        "channels in and {big_out} out, and its largest alone has {big:,} parameters, {ratio} "
                        "times DenseNet's whole network. Concatenation lets later layers reuse earlier features "
                        "instead of recomputing them in wide layers."),
                     dense=dense, times=f"{res / dense:.1f}", res=res, growth=growth, most=dense_big.in_channels,
                     big_in=big.in_channels, big_out=big.out_channels, big=_weights(big),
                     ratio=f"{_weights(big) / dense:.1f}"),
        details=said(N_("The 3×3 convolutions hold {res3:,} of ResNet-18's parameters and {dense3:,} of "
                        "DenseNet's. A 3×3 convolution costs 9 x in x out weights: ResNet-18 doubles both with "
                        "each stage, DenseNet keeps out at the growth rate."), res3=res3, dense3=dense3),
        tables=(Table(N_("The book's networks at 96×96"), (N_("network"), N_("parameters"),
                                                           N_("in 3×3 convolutions"), N_("3×3 convolutions"),
                                                           N_("largest 3×3 convolution (channels)"),
                                                           N_("its parameters")), tuple(rows)),),
        checks=tuple(checks))


def module_outputs(model: nn.Module, X: torch.Tensor) -> int:
    """Values of every tensor the modules inside `model` output in a forward on X, each once; views and
    modules that return their input (in-place ReLU) add nothing."""
    seen: dict[int, torch.Tensor] = {}

    def hook(_, inputs, output):
        if not output._is_view() and not any(output is t for t in inputs):
            seen[id(output)] = output  # kept alive, so ids stay unique

    handles = [m.register_forward_hook(hook) for m in model.modules()]
    try:
        model(X)
    finally:
        for handle in handles:
            handle.remove()
    return sum(t.numel() for t in seen.values())


def densenet_memory(side: int = 224) -> Answer:
    """8.7.3: activation memory per image of DenseNet and ResNet-18 at 96 and at `side`, from the memory tracker."""
    rows, checks, found = [], [], {}
    for name in ("densenet", "resnet18"):
        for s in (96, side):
            shape = (1, s, s)
            traced = trace(PRESETS[name], shape)
            memory = activation_memory(traced, shape)
            params = sum(r.params for r in traced)
            found[name, s] = memory.training_bytes, params
            rows.append((preset_title(name), f"{s}×{s}", f"{4 * params / MB:.1f}", f"{memory.training_bytes / MB:.1f}",
                         f"{BATCH * memory.training_bytes / 2**30:.1f}", f"{memory.peak_bytes / MB:.1f}"))
            with torch.device("meta"):
                model = build(PRESETS[name], input_size=s).train()
            checks.append(same(said(N_("{name} at {side}: training activations, memory tracker vs the outputs of the "
                                       "built model's modules (bytes)"), name=preset_title(name), side=s),
                               memory.training_bytes, 4 * module_outputs(model, torch.empty(1, *shape, device="meta"))))
    (dense, dense_params), (res, res_params) = found["densenet", side], found["resnet18", side]
    return Answer(
        summary=said(N_("At {side}×{side} a training forward of DenseNet keeps {dense} MB of activations per image, "
                        "{times} times ResNet-18's {res} MB although it has {fewer} times fewer parameters: {batch} "
                        "images need {gb} GB. Every concatenation copies all the channels before it, and each BN and "
                        "ReLU runs on the whole growing stack."),
                     side=side, dense=f"{dense / MB:.0f}", times=f"{dense / res:.1f}", res=f"{res / MB:.0f}",
                     fewer=f"{res_params / dense_params:.0f}",
                     batch=BATCH, gb=f"{BATCH * dense / 2**30:.1f}"),
        details=N_("Other ways to cut memory: recompute the concatenations, BN and ReLU outputs in the backward pass "
                   "instead of keeping them (gradient checkpointing, torch.utils.checkpoint), or write each "
                   "layer's output into one preallocated buffer so the concatenation copies nothing, which needs "
                   "the framework to let operations share memory (the memory-efficient DenseNet of Pleiss et "
                   "al.). Smaller batches or mixed precision also help."),
        tables=(Table(N_("Memory per image (float32)"), (N_("network"), N_("input"), N_("weights (MB)"),
                                                          N_("training activations (MB)"),
                                                          said(N_("for a batch of {batch} (GB)"), batch=BATCH),
                                                          N_("inference peak (MB)")), tuple(rows)),),
        checks=tuple(checks))
