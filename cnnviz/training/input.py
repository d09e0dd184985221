"""What a network sees and starts from: batches turned into floats and resized on the device, and the
book's initialisation and input scaling.

The dataset stays on the device as uint8 (N, 28, 28); each batch becomes float there and, when the network
takes another size, is resized there too, exactly as torchvision's `Resize` does on float tensors
(bilinear, half-pixel centres, antialiased when shrinking). d2l resizes each PIL image on the CPU before
`ToTensor`, which rounds to whole grey levels: the two differ by at most 1/255 per pixel.
"""

from __future__ import annotations

import torch
from torch import nn

from cnnviz.arch.modules import Normalize
from cnnviz.arch.spec import INPUT_SHAPE

DATA_SIZE = 28  # Fashion-MNIST's side
MAX_INPUT_SIZE = 512  # a larger side would be a slide show on any device
INITS = ("default", "xavier")


def input_shape_of(spec) -> tuple[int, int, int]:
    """(channels, height, width) an Architecture takes: its own `input_shape` where it has one, else 28x28."""
    return tuple(getattr(spec, "input_shape", INPUT_SHAPE))


def input_size_of(spec) -> int | None:
    """TrainConfig.input_size for `spec`: None at the data's own side (28), else the side the network takes."""
    side = input_shape_of(spec)[1]
    return None if side == DATA_SIZE else side


def resize_batch(batch: torch.Tensor, size: int) -> torch.Tensor:
    """float (B, C, H, W) -> (B, C, size, size) on the batch's device, as torchvision.transforms.v2.Resize.

    torchvision calls `interpolate(mode="bilinear", align_corners=False, antialias=True)` on float tensors;
    the same call here gives the same numbers (tests compare them).
    """
    if batch.shape[-2:] == (size, size):
        return batch
    return nn.functional.interpolate(batch, size=(size, size), mode="bilinear", align_corners=False,
                                     antialias=True)


def to_batch(images: torch.Tensor, channels_last: bool, size: int | None = None) -> torch.Tensor:
    """uint8 (B, 28, 28) -> float (B, 1, size, size) in [0, 1], on the images' device (size None: 28)."""
    batch = images.unsqueeze(1).float().div_(255)  # (B, 1, 28, 28)
    if size is not None:
        batch = resize_batch(batch, size)  # (B, 1, size, size)
    return batch.contiguous(memory_format=torch.channels_last) if channels_last else batch


def init_weights(model: nn.Module, scheme: str) -> None:
    """"xavier": d2l's `init_cnn` (and `train_ch6`'s `init_weights`): Xavier uniform on the weights of every
    `nn.Conv2d` and `nn.Linear`, biases left as PyTorch made them. "default": nothing (PyTorch's own)."""
    if scheme == "default":
        return
    for module in model.modules():
        # d2l tests type(m) == nn.Linear or nn.Conv2d; subclasses such as LazyConv2d are skipped there too.
        if type(module) in (nn.Conv2d, nn.Linear):
            nn.init.xavier_uniform_(module.weight)


@torch.no_grad()
def use_unit_range_input(model: nn.Module) -> None:
    """The book's input: ToTensor's [0, 1] with no standardisation. cnnviz's `build` starts with a
    Normalize (Fashion-MNIST's mean and std); setting it to mean 0, std 1 keeps the model's layout (and
    its checkpoints' keys) while it passes the images through unchanged."""
    for module in model.modules():
        if isinstance(module, Normalize):
            module.mean.fill_(0.0)
            module.std.fill_(1.0)
