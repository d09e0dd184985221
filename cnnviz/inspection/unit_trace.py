"""One image through a whole network, kept for explaining its units: every leaf module's input and output in
call order (the steps), every top-level layer's output (the overview) and the logits, from one forward pass.

A leaf is a module without children (Conv2d, ReLU, MaxPool2d, the Inception block's branches...). A leaf
called more than once in one forward (the Inception block's shared ReLU) gives one step per call, named
"inception1.relu", "inception1.relu (2)", ... All tensors are float CPU tensors of one image, batch dim dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from cnnviz.inspection.capture import _HOOKED, NORMALIZE, as_batch, model_device


@dataclass(frozen=True)
class Step:
    """One call of a leaf module: its dotted name, the module, and one image's input and output; a module called
    with several tensors (a dense block's concatenation) keeps the others in `more_inputs`."""

    name: str
    module: nn.Module
    input: torch.Tensor  # (C, H, W) or (F,)
    output: torch.Tensor  # (C, H, W) or (F,)
    more_inputs: tuple[torch.Tensor, ...] = ()  # the second and later tensors of the call, (C_k, H, W) each


@dataclass(frozen=True)
class Trace:
    """Everything one forward pass of one image shows: steps, top-level layers and scores."""

    steps: tuple[Step, ...]
    layers: dict[str, torch.Tensor]  # top-level child name -> its output (C, H, W) or (F,), forward order
    logits: torch.Tensor  # (K,)

    def step(self, name: str) -> Step:
        return next(step for step in self.steps if step.name == name)

    def step_for(self, layer: str, channel: int) -> tuple[str, int]:
        """The step (and its channel) that produced channel `channel` of top-level `layer`: the layer itself
        when it is a leaf; for a block, its inner step whose output is the block's (a VGG or NiN block's
        last layer) or, for an Inception block, the branch whose output holds that channel of the
        concatenation."""
        names = [step.name for step in self.steps]
        if layer in names:
            return layer, channel
        block = self.layers[layer]
        inner = [step for step in self.steps if step.name.startswith(f"{layer}.")]
        whole = next((step for step in reversed(inner) if torch.equal(step.output, block)), None)
        if whole is not None:
            return whole.name, channel
        offset = 0
        for step in inner:  # the concatenation's parts in order, each the last step of its branch
            part = step.output
            if part.dim() == block.dim() and part.shape[1:] == block.shape[1:] and \
                    offset + part.shape[0] <= block.shape[0] and torch.equal(part, block[offset:offset + part.shape[0]]):
                if channel < offset + part.shape[0]:
                    return step.name, channel - offset
                offset += part.shape[0]
        return (inner[-1].name if inner else names[0]), 0

    @property
    def probabilities(self) -> torch.Tensor:
        """softmax(logits), (K,)."""
        return torch.softmax(self.logits.double(), dim=0)


def _leaves(model: nn.Module) -> list[tuple[str, nn.Module]]:
    return [(name, module) for name, module in model.named_modules() if name and not any(module.children())]


def _one(tensor: torch.Tensor) -> torch.Tensor:
    """The batch's first image as a float CPU tensor; a copy, so an in-place layer after it cannot change it."""
    return tensor.detach()[0].to("cpu", torch.float32, copy=True).contiguous()


def trace_units(model: nn.Module, image: torch.Tensor) -> Trace:
    """Runs `image` (uint8 or float [0, 1], (H, W), (1, H, W) or (1, 1, H, W)) through `model` in eval mode with
    forward hooks on every leaf and every top-level child; the model is put back in its previous mode."""
    batch = as_batch(image)[:1].to(model_device(model))  # (1, 1, H, W)
    steps: list[Step] = []
    layers: dict[str, torch.Tensor] = {}
    calls: dict[str, int] = {}

    def keep_step(name: str):
        def hook(module, inputs, output):
            calls[name] = calls.get(name, 0) + 1
            shown = name if calls[name] == 1 else f"{name} ({calls[name]})"
            more = tuple(_one(t) for t in inputs[1:] if isinstance(t, torch.Tensor))
            steps.append(Step(shown, module, _one(inputs[0]), _one(output), more))
        return hook

    def keep_layer(name: str):
        def hook(_module, _inputs, output):
            layers[name] = _one(output)
        return hook

    with _HOOKED:
        handles = [module.register_forward_hook(keep_step(name)) for name, module in _leaves(model)]
        handles += [module.register_forward_hook(keep_layer(name)) for name, module in model.named_children()
                    if name != NORMALIZE]
        was_training = model.training
        try:
            model.eval()
            with torch.inference_mode():
                logits = model(batch)  # (1, K)
        finally:
            for handle in handles:
                handle.remove()
            model.train(was_training)
    return Trace(tuple(steps), layers, _one(logits))
