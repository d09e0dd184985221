"""Activation memory (issue 10, defect 5) against PyTorch: what every module outputs in a training forward,
and the live tensors of an inference forward tracked allocation by allocation, for every preset."""

from __future__ import annotations

import weakref

import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

from cnnviz.arch import (
    PRESETS, Activation, Architecture, ArchitectureError, Conv, Flatten, GlobalAvgPool, Linear, ResidualBlock,
    activation_memory, build, count_flops, count_params, trace,
)

# Every preset, and the pre-activation residual block (exercise 8.6.4), which no preset uses: with an identity
# shortcut, a widening stride-2 1x1 shortcut and a narrowing one (where the input-sized BN and ReLU set the peak).
PREACT = Architecture("preact", "", (Conv(16, kernel=3, padding=1), ResidualBlock(16, preact=True),
                                     ResidualBlock(32, use_1x1conv=True, stride=2, preact=True),
                                     ResidualBlock(8, use_1x1conv=True, preact=True), GlobalAvgPool(), Linear(10)))
SPECS = {**PRESETS, PREACT.name: PREACT}
NAMES = sorted(SPECS)


class LiveFloats(TorchDispatchMode):
    """Bytes of floating-point tensors alive during a forward: every operation's new outputs are added when
    made and taken off when Python frees them (views and ops that return their input add nothing)."""

    def __init__(self, already_alive: int):
        super().__init__()
        self.live = self.peak = already_alive

    def _free(self, size: int) -> None:
        self.live -= size

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        inputs = tree_flatten((args, kwargs))[0]
        outputs = out if isinstance(out, (tuple, list)) else (out,)
        for returned, tensor in zip(func._schema.returns, outputs):
            if (isinstance(tensor, torch.Tensor) and tensor.is_floating_point() and returned.alias_info is None
                    and not any(tensor is x for x in inputs)):
                size = tensor.numel() * tensor.element_size()
                self.live += size
                self.peak = max(self.peak, self.live)
                weakref.finalize(tensor, self._free, size)
        return out


def tracked_peak(module, x: torch.Tensor) -> int:
    """The most float bytes alive while `module` runs on `x` at inference (x itself included)."""
    with torch.no_grad(), LiveFloats(x.numel() * x.element_size()) as tracker:
        module(x)
    return tracker.peak


def real_or_meta(spec) -> str:
    """The CPU for all but the 15-GFLOP VGG-11, which runs on meta tensors (same shapes, no compute)."""
    return "cpu" if count_flops(spec) < 3e9 else "meta"


def module_outputs(module, x: torch.Tensor) -> int:
    """Values of every tensor the modules inside `module` (and it) output, each once; views are free."""
    outputs: dict[int, torch.Tensor] = {}

    def hook(_, inputs, output):
        if not output._is_view() and not any(output is t for t in inputs):
            outputs[id(output)] = output  # kept alive, so ids stay unique

    handles = [m.register_forward_hook(hook) for m in module.modules()]
    try:
        module(x)
    finally:
        for handle in handles:
            handle.remove()
    return sum(t.numel() for t in outputs.values())


@pytest.mark.parametrize("name", NAMES)
def test_each_rows_activations_are_what_its_modules_output_in_training(name):
    spec = SPECS[name]
    with torch.device("meta"):
        model = build(spec).train()
    x = torch.empty(2, *spec.input_shape, device="meta")  # 2 images: BatchNorm1d needs more than one to train
    rows = {row.name: row for row in trace(spec)}
    normalized = None
    for child_name, child in model.named_children():
        values = module_outputs(child, x) // 2
        if child_name == "normalize":
            normalized = values
        else:
            assert rows[child_name].activation_bytes == 4 * values, child_name
        x = child(x)
    memory = activation_memory(list(rows.values()), spec.input_shape)
    assert memory.training_bytes == 4 * (normalized + sum(r.activation_bytes // 4 for r in rows.values()))
    assert memory.input_bytes == 4 * torch.Size(spec.input_shape).numel() == 4 * normalized


@pytest.mark.parametrize("name", NAMES)
def test_inference_peak_equals_the_live_tensors_pytorch_holds(name):
    spec = SPECS[name]
    device = real_or_meta(spec)
    with torch.device(device):
        model = build(spec).eval()
    image = torch.rand(1, *spec.input_shape, device=device)
    rows = trace(spec)
    assert tracked_peak(model, image) == activation_memory(rows, spec.input_shape).peak_bytes
    x = model.normalize(image)
    for row, child in zip(rows, list(model.children())[1:]):
        assert tracked_peak(child, x) == row.peak_bytes, row.name
        x = child(x)


def test_vgg_blocks_count_the_convolutions_inside_them():
    """Defect 5: a VGG block counted only its pooled output, so VGG looked lighter than LeNet."""
    block = trace(PRESETS["vgg_small"])[0]  # VGGBlock(1, 16) on 1x28x28: conv and ReLU 16x28x28, pool 16x14x14
    assert block.activation_bytes == 4 * (2 * 16 * 28 * 28 + 16 * 14 * 14)
    assert block.peak_bytes == 4 * (28 * 28 + 2 * 16 * 28 * 28)  # input + conv output + ReLU output
    vgg = activation_memory(trace(PRESETS["vgg_small"]), (1, 28, 28))
    lenet = activation_memory(trace(PRESETS["lenet"]), (1, 28, 28))
    assert vgg.training_bytes > 3 * lenet.training_bytes and vgg.peak_bytes > 2 * lenet.peak_bytes


def test_book_networks_memory_per_image():
    vgg11 = activation_memory(trace(PRESETS["vgg11"]), (1, 224, 224))
    blocks, side, channels = 0, 224, 1
    for num_convs, channels in ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512)):
        blocks += 2 * num_convs * channels * side * side + channels * (side // 2) ** 2  # convs, ReLUs, pool
        side //= 2
    head = 6 * 4096 + 10  # two Linear, ReLU, Dropout; the scores (the Flatten is a view)
    assert vgg11.training_bytes == 4 * (224 * 224 + blocks + head)  # 63 MB: 8 GB for the book's batch of 128
    assert vgg11.peak_bytes == 4 * 224 * 224 * (1 + 1 + 2 * 64)  # image, normalised image, conv 1 and its ReLU


def test_a_network_that_would_exhaust_memory_names_the_limit_and_the_fix():
    wide = (Conv(64, kernel=3, padding=1), Activation("relu")) * 11
    spec = Architecture("wide", layers=(*wide, Flatten(), Linear(10)), input_shape=(1, 224, 224))
    with pytest.raises(ArchitectureError) as info:
        trace(spec)
    assert info.value.layer_index == 21
    assert "layer 21, Conv2d 3×3, pad 1: a training forward holds 257 MB of activations per image by here, more " \
           "than the limit of 256 MB; use fewer channels, a smaller input or pool earlier" == str(info.value)


def test_the_parameter_limit_lets_the_books_networks_through_and_stops_larger_ones():
    assert count_params(PRESETS["alexnet"]) > 20_000_000 and count_params(PRESETS["vgg11"]) > 128_000_000
    spec = Architecture("huge", layers=(Conv(512, kernel=3, padding=1), Flatten(), Linear(400), Linear(10)))
    with pytest.raises(ArchitectureError, match=r"^layer 3, Linear 400: the network reaches 160,568,720 "
                                                r"parameters here, more than the limit of 150,000,000 \(600 MB"):
        trace(spec)
