"""What a trained network computes for chosen inputs: layer outputs, class means, channel statistics
(attribution is in cnnviz.inspection.attribution).

A model is an `nn.Sequential` as `cnnviz.arch.build` makes it: the first child is `normalize`, the
others are named as `trace` names the layers (conv1, act1, pool1, ...). Everything here runs the model
in eval mode without gradients and returns detached CPU tensors.
"""

from __future__ import annotations

import threading
from typing import Iterable, Sequence

import torch
from torch import nn

from cnnviz.errors import CnnvizError
from cnnviz.i18n import N_

RESIZE_ROUNDING = 1e-4  # float [0, 1] images may exceed the range by this much
NORMALIZE = "normalize"  # the model's first child; its output is not a layer a student chose
# Hooks fire for every forward of a module: a model shared by several browser sessions must not run two
# hooked forwards at once, or one call would collect the other's outputs.
_HOOKED = threading.Lock()


class ActivationError(CnnvizError):
    """Inputs or layer names that the activation tools cannot use."""


def model_device(model: nn.Module) -> torch.device:
    """Where the model's weights live (the CPU for a model without any)."""
    tensor = next(model.parameters(), None)
    if tensor is None:
        tensor = next(model.buffers(), None)
    return tensor.device if tensor is not None else torch.device("cpu")


def as_batch(images: torch.Tensor) -> torch.Tensor:
    """Images as float (N, 1, H, W) in [0, 1]: uint8 is scaled by 1/255, float must already be in [0, 1]."""
    if not isinstance(images, torch.Tensor):
        raise ActivationError(N_("images: expected a torch.Tensor, got {kind}"), kind=type(images).__name__)
    if images.dim() == 2:
        images = images[None]  # (H, W) -> (1, H, W)
    if images.dim() == 3:
        images = images[:, None]  # (N, H, W) -> (N, 1, H, W)
    if images.dim() != 4 or images.shape[1] != 1:
        raise ActivationError(
            N_("images: shape {shape} is not (N, 28, 28) or (N, 1, 28, 28); pass grayscale images, one channel each"),
            shape=tuple(images.shape))
    if images.dtype == torch.uint8:
        return images.float() / 255
    if not images.is_floating_point():
        raise ActivationError(N_("images: dtype {dtype} is neither uint8 nor float; convert them"),
                              dtype=images.dtype)
    # Resizing as training does (bilinear, antialiased) may round a hair past 0 or 1: the model sees that too.
    if images.numel() and (images.min() < -RESIZE_ROUNDING or images.max() > 1 + RESIZE_ROUNDING):
        raise ActivationError(
            N_("images: float values span [{low}, {high}]; scale them to [0, 1] (divide uint8 pixels by 255) or "
               "pass uint8"), low=f"{images.min():.3g}", high=f"{images.max():.3g}")
    return images.float()


def layer_names(model: nn.Module) -> list[str]:
    """The names `capture` accepts, in forward order (every child except `normalize`)."""
    return [name for name, _ in model.named_children() if name != NORMALIZE]


def _check_layers(model: nn.Module, layers: Iterable[str] | None) -> list[str]:
    available = layer_names(model)
    if layers is None:
        return available
    layers = list(layers)
    unknown = [name for name in layers if name not in available]
    if unknown:
        raise ActivationError(N_("layers: {unknown} not in this model; choose from {available}"),
                              unknown=", ".join(unknown), available=", ".join(available))
    return layers


def capture(model: nn.Module, images: torch.Tensor, layers: Iterable[str] | None = None) -> dict[str, torch.Tensor]:
    """Outputs of the named layers (all by default) for a batch, via forward hooks.

    images: uint8 or float in [0, 1], (N, 28, 28) or (N, 1, 28, 28). Returns {name: (N, ...)} in forward
    order, detached and on the CPU. The model runs in eval mode and is put back in its previous mode.
    """
    names = _check_layers(model, layers)
    batch = as_batch(images).to(model_device(model))
    children = dict(model.named_children())
    outputs: dict[str, torch.Tensor] = {}

    # An in-place activation after a layer would overwrite its kept output: copy only then.
    must_copy = any(getattr(module, "inplace", False) for module in model.modules())

    def keep(name: str):
        def hook(_module, _inputs, output):
            outputs[name] = output.detach().clone() if must_copy else output.detach()
        return hook

    with _HOOKED:
        handles = [children[name].register_forward_hook(keep(name)) for name in names]
        was_training = model.training
        try:
            model.eval()
            with torch.inference_mode():
                model(batch)
        finally:
            for handle in handles:
                handle.remove()
            model.train(was_training)
    # contiguous: a model trained channels_last hands back NHWC-strided maps.
    return {name: outputs[name].to("cpu").contiguous() for name in names}


def predict_proba(model: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """Softmax class probabilities (N, 10), on the CPU."""
    batch = as_batch(images).to(model_device(model))
    was_training = model.training
    try:
        model.eval()
        with torch.inference_mode():
            logits = model(batch)  # (N, 10)
    finally:
        model.train(was_training)
    return torch.softmax(logits.float(), dim=1).cpu()


def _check_labels(activations: torch.Tensor, labels: torch.Tensor, classes: Sequence[int]) -> None:
    if labels.shape != activations.shape[:1]:
        raise ActivationError(N_("labels: shape {shape} does not match {count} activations"),
                              shape=tuple(labels.shape), count=activations.shape[0])
    missing = [c for c in classes if not bool((labels == c).any())]
    if missing:
        raise ActivationError(N_("classes: no images of class {missing} in the batch; add some or drop the class"),
                              missing=missing)


def class_mean_maps(activations: torch.Tensor, labels: torch.Tensor, classes: Sequence[int]) -> torch.Tensor:
    """Mean activation of each class's images: (N, C, ...) -> (K, C, ...), K = len(classes)."""
    _check_labels(activations, labels, classes)
    return torch.stack([activations[labels == c].float().mean(dim=0) for c in classes])


def mean_difference(means: torch.Tensor, first: int = 0, second: int = 1) -> torch.Tensor:
    """means[first] - means[second]: where the first class activates more (> 0) or less (< 0)."""
    return means[first] - means[second]


def channel_means(activations: torch.Tensor) -> torch.Tensor:
    """Each image's mean activation per channel: (N, C, H, W) -> (N, C); (N, F) stays (N, F)."""
    return activations.float().flatten(2).mean(dim=2) if activations.dim() > 2 else activations.float()


def class_channel_means(activations: torch.Tensor, labels: torch.Tensor, classes: Sequence[int]) -> torch.Tensor:
    """Per-class mean of each channel's mean activation: (N, C, ...) -> (K, C)."""
    return class_mean_maps(channel_means(activations), labels, classes)


def channel_separation(activations: torch.Tensor, labels: torch.Tensor, classes: Sequence[int]) -> torch.Tensor:
    """Fisher's ratio per channel (C,): variance of the class means over the mean within-class variance.

    Large where a channel's mean activation differs between the classes more than it varies inside them.
    """
    per_image = channel_means(activations)  # (N, C)
    _check_labels(per_image, labels, classes)
    groups = [per_image[labels == c] for c in classes]
    means = torch.stack([g.mean(dim=0) for g in groups])  # (K, C)
    within = torch.stack([g.var(dim=0, unbiased=False) for g in groups]).mean(dim=0)  # (C,)
    between = means.var(dim=0, unbiased=False)  # (C,)
    return between / (within + 1e-8)


def most_separating_channels(
    activations: torch.Tensor, labels: torch.Tensor, classes: Sequence[int], top: int = 3
) -> list[int]:
    """Indices of the `top` channels with the largest Fisher ratio, best first."""
    scores = channel_separation(activations, labels, classes)
    return scores.argsort(descending=True)[:top].tolist()


_KINDS = (
    (nn.Conv2d, "convolution"),
    (nn.modules.batchnorm._BatchNorm, "batch norm"),
    ((nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d), "pooling"),
    (nn.modules.dropout._DropoutNd, "dropout"),
    (nn.Flatten, "flatten"),
    (nn.Linear, "linear"),
)
_STARTS_A_STAGE_GROUP = {"convolution", "block", "flatten", "linear"}


def layer_kind(module: nn.Module) -> str:
    """A plain-words kind of one layer: convolution, activation, pooling, batch norm, ..., or block."""
    for types, kind in _KINDS:
        if isinstance(module, types):
            return kind
    if type(module).__module__ == nn.modules.activation.__name__:
        return "activation"
    return "block"  # a composite (VGG, NiN, Inception block) or anything else


def stage_groups(model: nn.Module) -> list[list[tuple[str, str]]]:
    """The layers grouped as the book draws them: each convolution (or block) with the activation,
    pooling, ... that follow it. Returns [[(name, kind), ...], ...] in forward order."""
    groups: list[list[tuple[str, str]]] = []
    for name, module in model.named_children():
        if name == NORMALIZE:
            continue
        kind = layer_kind(module)
        if kind in _STARTS_A_STAGE_GROUP or not groups:
            groups.append([])
        groups[-1].append((name, kind))
    return groups


def first_conv(module: nn.Module) -> nn.Conv2d | None:
    """The module itself when it is a convolution, else the first convolution inside it (None if none)."""
    return next((m for m in module.modules() if isinstance(m, nn.Conv2d)), None)
