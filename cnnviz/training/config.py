"""How a run trains: one frozen config with commented defaults, checked before anything starts."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from cnnviz.errors import CnnvizError
from cnnviz.i18n import N_
from cnnviz.training.input import INITS, MAX_INPUT_SIZE

OPTIMIZERS = ("sgd", "adam", "adamw")
SCHEDULES = ("constant", "cosine", "onecycle")


class TrainingError(CnnvizError):
    """A setting that cannot train, or a run that could not continue (divergence, out of memory)."""


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 10  # passes over the training set
    batch_size: int = 256  # d2l's choice for Fashion-MNIST
    lr: float = 1e-3  # Adam's usual step; plain SGD wants about 0.1 (d2l uses 0.9 for the sigmoid LeNet)
    optimizer: str = "adam"  # "sgd" | "adam" | "adamw"
    momentum: float = 0.9  # SGD only; 0 gives d2l's plain minibatch SGD
    lr_schedule: str = "constant"  # "constant" | "cosine": decays lr to 0 over the run, batch by batch (d2l 12.11);
    # | "onecycle", see below
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
    # The fast-training settings (cnnviz.training.recipes.FAST_DEMO). lr_schedule "onecycle": lr rises linearly from
    # lr/25 to lr over the first `warmup` of the steps, then falls linearly to lr/250,000 (torch's OneCycleLR,
    # Smith & Topin 2018): short runs at a high lr.
    warmup: float = 0.25  # "onecycle" only: the fraction of the run's steps spent rising
    nesterov: bool = False  # SGD with momentum only: Nesterov's look-ahead step (d2l 12.6)
    label_smoothing: float = 0.0  # cross-entropy against targets mixed with 10% (0.1) of uniform: less overconfident
    test_flip: bool = False  # evaluation averages the scores of each image and its mirror image (test-time flip)
    whiten: bool = False  # the first convolution starts as a PCA whitening of its 3x3 input patches, computed from
    # the training images, and stays frozen (cnnviz.training.whiten; airbench's first layer)

    def validate(self) -> None:
        for name, value, options in (("optimizer", self.optimizer, OPTIMIZERS),
                                     ("lr_schedule", self.lr_schedule, SCHEDULES), ("init", self.init, INITS)):
            if value not in options:
                raise TrainingError(N_("{name} {value} is unknown; choose one of {options}"),
                                    name=name, value=repr(value), options=", ".join(options))
        positive = {"epochs": self.epochs, "batch_size": self.batch_size, "lr": self.lr,
                    "report_every": self.report_every, "eval_batch_size": self.eval_batch_size}
        for name, value in positive.items():
            if not value > 0 or not math.isfinite(value):
                raise TrainingError(N_("{name} is {value}; it must be a positive number"), name=name, value=value)
        for name, value in (("max_train_samples", self.max_train_samples),
                            ("max_test_samples", self.max_test_samples)):
            if value is not None and value < 1:
                raise TrainingError(N_("{name} is {value}; use at least 1, or None for all"), name=name, value=value)
        if self.momentum < 0 or self.weight_decay < 0:
            raise TrainingError(N_("momentum {momentum} and weight_decay {weight_decay} must be >= 0"),
                                momentum=self.momentum, weight_decay=self.weight_decay)
        self._validate_recipe_extras()
        if self.input_size is not None and not 1 <= self.input_size <= MAX_INPUT_SIZE:
            raise TrainingError(N_("input_size is {size}; use a side between 1 and {most} pixels, or None for the "
                                   "images' own 28"), size=self.input_size, most=MAX_INPUT_SIZE)

    def _validate_recipe_extras(self) -> None:
        """The fast-training settings: fractions in [0, 1)."""
        for name, value in (("label_smoothing", self.label_smoothing), ("warmup", self.warmup)):
            if not 0 <= value < 1:
                raise TrainingError(N_("{name} is {value}; use a fraction from 0 up to (not including) 1"),
                                    name=name, value=value)

    @property
    def eval_batch(self) -> int:
        """Evaluation batch scaled by the input's area, so 224x224 images never take more memory to evaluate
        than a training batch does (1024 at 28x28 would be 200 MB of input alone at 224x224)."""
        side = self.input_size or 28
        return max(1, min(self.eval_batch_size, max(self.batch_size, self.eval_batch_size * 28 * 28 // side ** 2)))


def make_scheduler(optimizer: torch.optim.Optimizer, config: TrainConfig,
                   total_steps: int) -> torch.optim.lr_scheduler.LRScheduler | None:
    """The lr schedule, stepped once per batch over `total_steps` batches; None for a constant lr."""
    if config.lr_schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps)
    if config.lr_schedule == "onecycle" and total_steps >= 4:  # fewer steps: no room for a cycle, constant lr
        # Each phase needs 2 steps or torch divides by zero; linear both ways, as fast-training records use it;
        # momentum stays fixed (it is the optimizer's).
        warmup = min(max(config.warmup, 2 / total_steps), 1 - 2 / total_steps)
        return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=config.lr, total_steps=total_steps,
                                                   pct_start=warmup, anneal_strategy="linear",
                                                   cycle_momentum=False)
    return None


def make_optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    params = model.parameters()
    if config.optimizer == "sgd":
        return torch.optim.SGD(params, lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay,
                               nesterov=config.nesterov and config.momentum > 0)  # torch refuses it without momentum
    if config.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)
    return torch.optim.Adam(params, lr=config.lr, weight_decay=config.weight_decay)
