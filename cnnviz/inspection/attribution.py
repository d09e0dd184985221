"""Why a network decides: which input pixels a class score rests on, through captum's attribution methods.

A model is an `nn.Sequential` as `cnnviz.arch.build` makes it: the first child is `normalize`, so it takes
images in [0, 1] of any size and channel count. Each method explains one image and one target class and
returns a map at the input's size (channels summed): Saliency (|d score / d pixel|), Integrated Gradients,
Occlusion (score drop when a patch is blacked out) and Grad-CAM on a chosen convolutional layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from captum.attr import IntegratedGradients, LayerAttribution, LayerGradCam, Occlusion, Saliency
from torch import nn

from cnnviz.inspection.capture import _HOOKED, first_conv, model_device
from cnnviz.errors import CnnvizError
from cnnviz.i18n import N_

NORMALIZE = "normalize"  # the model's first child: not a layer to explain
METHODS = ("saliency", "integrated gradients", "occlusion", "grad-cam")  # stable values (keys, URLs)
METHOD_NAMES = {"saliency": N_("Saliency"), "integrated gradients": N_("Integrated Gradients"),
                "occlusion": N_("Occlusion"), "grad-cam": "Grad-CAM"}  # a name: the same in every language
SIGNED = {"integrated gradients", "occlusion"}
MANY_PASSES = ("integrated gradients", "occlusion")  # 8 to 169 forward passes each, not one  # evidence for (> 0) and against (< 0) the class
IG_STEPS = 16  # Gauss-Legendre points: exact for polynomials of degree 31 along the path
IG_STEPS_LARGE = 8  # for inputs above OVERLAP_UP_TO: each point is a forward and backward at 96 or 224
OVERLAP_UP_TO = 64  # Occlusion's windows overlap by half up to this side
BASELINE = 0.0  # a black image: Fashion-MNIST's background, so "nothing there" means something


class AttributionError(CnnvizError):
    """A method that does not apply to this model, layer, image or class."""


@dataclass(frozen=True)
class Attribution:
    """One method's answer for one image and class: `map` (H, W) at the input's size, channels summed."""

    map: torch.Tensor
    method: str  # one of METHODS
    target: int  # the class whose score is explained
    layer: str | None = None  # Grad-CAM's layer


def one_image(image: torch.Tensor) -> torch.Tensor:
    """(H, W), (C, H, W) or (1, C, H, W), uint8 or float in [0, 1] -> float (1, C, H, W)."""
    if not isinstance(image, torch.Tensor) or not 2 <= image.dim() <= 4:
        raise AttributionError(N_("image: expected one image shaped (H, W) or (C, H, W), got {shape}"),
                               shape=tuple(getattr(image, "shape", ())))
    batch = image[None, None] if image.dim() == 2 else image[None] if image.dim() == 3 else image
    if batch.shape[0] != 1:
        raise AttributionError(N_("image: expected one image, got a batch of {count}"), count=image.shape[0])
    batch = batch.float() / 255 if batch.dtype == torch.uint8 else batch.float()
    return batch.detach().clone()  # a leaf of our own: captum sets requires_grad on it


def conv_layers(model: nn.Module) -> list[str]:
    """The children Grad-CAM can explain: convolutions and blocks made of them, in forward order."""
    return [name for name, child in model.named_children()
            if name != NORMALIZE and first_conv(child) is not None]


def _scores(model: nn.Module, target: int):
    """The model as captum's forward function, checking the class on the first call rather than spending a
    forward pass of its own on it (a second, for VGG at 224)."""
    def forward(batch: torch.Tensor) -> torch.Tensor:
        logits = model(batch)  # (B, K)
        if not 0 <= target < logits.shape[1]:
            raise AttributionError(N_("class {target} is not one of the model's classes 0 to {last}"),
                                   target=target, last=logits.shape[1] - 1)
        return logits
    return forward


def _check_layer(model: nn.Module, layer: str) -> nn.Module:
    children = dict(model.named_children())
    convs = conv_layers(model)
    if not convs:
        raise AttributionError(N_("this model has no convolutional layer, so Grad-CAM has no feature maps to "
                                  "weigh; use Saliency, Integrated Gradients or Occlusion"))
    if layer not in children or layer == NORMALIZE:
        raise AttributionError(N_("layer {layer} is not in this model; choose one of {options}"),
                               layer=layer, options=", ".join(convs))
    if layer not in convs:
        raise AttributionError(N_("layer {layer} is not a convolution, so its output has no feature maps for "
                                  "Grad-CAM to weigh; choose one of {options}"), layer=layer, options=", ".join(convs))
    return children[layer]


def occlusion_window(side: int) -> tuple[int, int]:
    """(window, stride) for a side, tiling it exactly (captum averages over the windows covering a pixel;
    a pixel no window covers would divide by zero). Small images: 13x13 half-overlapping windows (169
    forward passes, cheap at 28x28); large ones: a 7x7 grid of 49, since one forward of a 224x224 network
    costs as much as ~100 of LeNet."""
    positions = 13 if side <= OVERLAP_UP_TO else 7
    stride = max(1, side // (positions + 1 if side <= OVERLAP_UP_TO else positions))
    window = min(side, max(2, side - (positions - 1) * stride))
    return window, stride


def _attribute(model: nn.Module, batch: torch.Tensor, method: str, target: int, layer: str | None,
               ig_steps: int, window: int | None) -> torch.Tensor:
    """The raw captum attribution (1, C, H, W), or (1, 1, H, W) for Grad-CAM."""
    scores = _scores(model, target)
    if method == "saliency":
        return Saliency(scores).attribute(batch, target=target, abs=True)
    if method == "integrated gradients":
        return IntegratedGradients(scores).attribute(batch, baselines=BASELINE, target=target, n_steps=ig_steps,
                                                    internal_batch_size=ig_steps)
    if method == "occlusion":
        size, stride = occlusion_window(batch.shape[-1]) if window is None else (window, window)
        return Occlusion(scores).attribute(batch, sliding_window_shapes=(batch.shape[1], size, size),
                                          strides=(batch.shape[1], stride, stride), baselines=BASELINE,
                                          target=target, perturbations_per_eval=16)
    cam = LayerGradCam(scores, _check_layer(model, layer)).attribute(batch, target=target, relu_attributions=True)
    if cam.dim() != 4:  # a block that ends without maps
        raise AttributionError(N_("layer {layer} outputs shape {shape}, not feature maps; choose a convolution"),
                               layer=layer, shape=tuple(cam.shape[1:]))
    return LayerAttribution.interpolate(cam, tuple(batch.shape[-2:]), interpolate_mode="bilinear")


def attribute(model: nn.Module, image: torch.Tensor, method: str, target: int, layer: str | None = None,
              ig_steps: int | None = None, window: int | None = None) -> Attribution:
    """`method` (one of METHODS) for one image and class `target`; `layer` names Grad-CAM's convolution.

    `ig_steps` and `window` override the defaults (IG_STEPS or IG_STEPS_LARGE; `occlusion_window`, stride =
    window): few steps and large windows keep a 224x224 network quick.
    The model runs in eval mode and is put back; its weights' .grad stay untouched (captum uses autograd.grad).
    """
    if method not in METHODS:
        raise AttributionError(N_("method {method} is not one of {options}"), method=method,
                               options=", ".join(METHODS))
    if method == "grad-cam":
        _check_layer(model, layer)
    batch = one_image(image).to(model_device(model)).requires_grad_(method != "occlusion")
    if ig_steps is None:
        ig_steps = IG_STEPS if batch.shape[-1] <= OVERLAP_UP_TO else IG_STEPS_LARGE
    # Forward hooks (Grad-CAM's, and `capture`'s on a model shared by several sessions) must not interleave.
    with _HOOKED:
        was_training = model.training
        try:
            model.eval()
            with torch.enable_grad():
                values = _attribute(model, batch, method, target, layer, ig_steps, window)
        finally:
            model.train(was_training)
    return Attribution(values.detach().sum(dim=1)[0].float().cpu(), method, target, layer)  # (H, W)
