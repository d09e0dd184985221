"""How a run trains: one frozen config with commented defaults, checked before anything starts."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from cnnviz.errors import CnnvizError
from cnnviz.train_input import INITS, MAX_INPUT_SIZE

OPTIMIZERS = ("sgd", "adam", "adamw")
SCHEDULES = ("constant", "cosine")


class TrainingError(CnnvizError):
    """A setting that cannot train, or a run that could not continue (divergence, out of memory)."""


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 10  # passes over the training set
    batch_size: int = 256  # d2l's choice for Fashion-MNIST
    lr: float = 1e-3  # Adam's usual step; plain SGD wants about 0.1 (d2l uses 0.9 for the sigmoid LeNet)
    optimizer: str = "adam"  # "sgd" | "adam" | "adamw"
    momentum: float = 0.9  # SGD only; 0 gives d2l's plain minibatch SGD
    lr_schedule: str = "constant"  # "constant" | "cosine": decays lr to 0 over the run, batch by batch (d2l 12.11)
    weight_decay: float = 0.0  # L2 penalty, d2l 3.7
    device: str = "auto"  # "auto" | "cpu" | "cuda" | "mps"
    seed: int = 0  # shuffling, dropout and the "xavier" initialisation; the same seed repeats a run on a device
    max_train_samples: int | None = None  # train on the first N images only: quick demos and tests
    max_test_samples: int | None = None  # evaluate on the first N test images only (None: all 10,000)
    report_every: int = 50  # batches between progress reports (and an epoch's end always reports)
    mixed_precision: bool = True  # autocast: bfloat16/float16 on CUDA, bfloat16 on CPUs that compute it natively
    channels_last: bool | None = None  # None: where it measured faster (cnnviz.device.channels_last_pays)
    cpu_threads: int | None = None  # None: all cores but one, left for the web server (1 on 2 cores)
    eval_batch_size: int = 1024  # at 28x28; evaluation needs no gradients, so larger batches fit (scaled by area)
    input_size: int | None = None  # the network's input side; batches are resized on the device (None: 28, as stored)
    init: str = "default"  # "default": PyTorch's own; "xavier": d2l's init_cnn (Xavier uniform conv/linear weights)
    normalize_input: bool = True  # False: the book's input, ToTensor's [0, 1] with no standardisation

    def validate(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise TrainingError(f"optimizer {self.optimizer!r} is unknown; choose one of {', '.join(OPTIMIZERS)}")
        if self.lr_schedule not in SCHEDULES:
            raise TrainingError(f"lr_schedule {self.lr_schedule!r} is unknown; choose one of {', '.join(SCHEDULES)}")
        if self.init not in INITS:
            raise TrainingError(f"init {self.init!r} is unknown; choose one of {', '.join(INITS)}")
        positive = {"epochs": self.epochs, "batch_size": self.batch_size, "lr": self.lr,
                    "report_every": self.report_every, "eval_batch_size": self.eval_batch_size}
        for name, value in positive.items():
            if not value > 0 or not math.isfinite(value):
                raise TrainingError(f"{name} is {value}; it must be a positive number")
        if self.max_train_samples is not None and self.max_train_samples < 1:
            raise TrainingError(f"max_train_samples is {self.max_train_samples}; use at least 1, or None for all")
        if self.max_test_samples is not None and self.max_test_samples < 1:
            raise TrainingError(f"max_test_samples is {self.max_test_samples}; use at least 1, or None for all")
        if self.momentum < 0 or self.weight_decay < 0:
            raise TrainingError(f"momentum {self.momentum} and weight_decay {self.weight_decay} must be >= 0")
        if self.input_size is not None and not 1 <= self.input_size <= MAX_INPUT_SIZE:
            raise TrainingError(f"input_size is {self.input_size}; use a side between 1 and {MAX_INPUT_SIZE} "
                                "pixels, or None for the images' own 28")

    @property
    def eval_batch(self) -> int:
        """Evaluation batch scaled by the input's area, so 224x224 images never take more memory to evaluate
        than a training batch does (1024 at 28x28 would be 200 MB of input alone at 224x224)."""
        side = self.input_size or 28
        return max(1, min(self.eval_batch_size, max(self.batch_size, self.eval_batch_size * 28 * 28 // side ** 2)))


def make_optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    params = model.parameters()
    if config.optimizer == "sgd":
        return torch.optim.SGD(params, lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay)
    if config.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)
    return torch.optim.Adam(params, lr=config.lr, weight_decay=config.weight_decay)
