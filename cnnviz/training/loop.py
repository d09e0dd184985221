"""Train a classifier on tensors held on the device: the trainer reports, it never draws.

Fast by construction: the whole dataset sits on the device as uint8 (N, 28, 28); each batch is gathered
by a random permutation and turned into floats there, and resized there when the network takes another
size (no per-item PIL, no DataLoader workers).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable

import torch
from torch import nn

from cnnviz.device import channels_last_pays, mixed_precision_dtype, pick_device, set_cpu_threads
from cnnviz.i18n import N_, Text
from cnnviz.training.config import OPTIMIZERS, SCHEDULES, TrainConfig, TrainingError, make_optimizer, make_scheduler
from cnnviz.training.input import init_weights, to_batch, use_unit_range_input
from cnnviz.training.whiten import whiten_first_conv

__all__ = ["OPTIMIZERS", "SCHEDULES", "Dataset", "History", "Progress", "TrainConfig", "TrainingError", "evaluate",
           "fit", "make_optimizer", "to_batch"]

Dataset = tuple[torch.Tensor, torch.Tensor]  # images uint8 (N, 28, 28), labels int64 (N,)


@dataclass(frozen=True)
class Progress:
    """One report: running means over the current epoch so far, as d2l's Animator plots them."""

    step: int  # batches done since the start
    total_steps: int  # batches in the whole run
    epoch: float  # fractional epoch, e.g. 2.5 = halfway through the third
    loss: float  # mean training loss over this epoch so far
    accuracy: float  # mean training accuracy over this epoch so far
    samples_per_s: float  # training throughput over this epoch so far
    eta_s: float  # estimated seconds left
    test_accuracy: float | None = None  # only at an epoch's end
    test_loss: float | None = None


@dataclass
class History:
    """Per-epoch results, plus how the run ended."""

    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    samples_per_s: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)  # wall time of each epoch, evaluation included
    status: str = "finished"  # "finished" | "stopped" | "diverged"
    message: str = ""  # why it ended early, in words a student can act on (an i18n.Text: any language)

    @property
    def epochs_done(self) -> int:
        return len(self.train_loss)


@torch.no_grad()
def evaluate(model: nn.Module, data: Dataset, batch_size: int = 1024, stop=None,
             channels_last: bool = False, input_size: int | None = None, flip: bool = False) -> tuple[float, float]:
    """Mean cross-entropy and accuracy of `model` on (images, labels) already on the model's device;
    `input_size`: the side the model takes, each batch resized to it on the device; `flip`: the scores are
    the mean of each image's and its mirror image's (test-time augmentation)."""
    images, labels = data
    was_training = model.training
    model.eval()
    loss_sum = torch.zeros((), device=images.device)
    correct = torch.zeros((), device=images.device)
    seen = 0
    for start in range(0, len(images), batch_size):
        if stop is not None and stop.is_set():
            break
        batch = to_batch(images[start:start + batch_size], channels_last, input_size)  # (B, 1, S, S)
        logits = model(batch).float()  # (B, 10)
        if flip:
            logits = (logits + model(batch.flip(3)).float()) / 2
        target = labels[start:start + batch_size]
        loss_sum += nn.functional.cross_entropy(logits, target, reduction="sum")
        correct += (logits.argmax(1) == target).sum()
        seen += len(target)
    model.train(was_training)
    seen = max(seen, 1)
    return loss_sum.item() / seen, correct.item() / seen


@dataclass
class _Run:
    """The state of one `fit` call, kept together so the loop's helpers stay small."""

    model: nn.Module
    config: TrainConfig
    device: torch.device
    train: Dataset
    test: Dataset
    channels_last: bool
    autocast_dtype: torch.dtype | None
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler | None
    scaler: torch.amp.GradScaler | None
    total_steps: int
    history: History = field(default_factory=History)
    step: int = 0
    good_state: dict | None = None  # the last weights known to be finite
    started: float = field(default_factory=time.perf_counter)


def _prepare(model: nn.Module, train_set: Dataset, test_set: Dataset, config: TrainConfig) -> _Run:
    config.validate()
    device = pick_device(config.device)
    if device.type == "cpu":
        set_cpu_threads(config.cpu_threads)
    images, labels = train_set
    if config.max_train_samples is not None:
        images, labels = images[:config.max_train_samples], labels[:config.max_train_samples]
    if config.max_test_samples is not None:  # a subset's epoch should not wait on 10,000 evaluations
        test_set = (test_set[0][:config.max_test_samples], test_set[1][:config.max_test_samples])
    channels_last = channels_last_pays(model, device) if config.channels_last is None else config.channels_last
    init_weights(model, config.init)  # before the move, so a seed gives the same weights on every device
    if not config.normalize_input:
        use_unit_range_input(model)
    if config.whiten:  # frozen for the run: fit makes it trainable again when it returns
        _whiten(model, images)
    model.to(device, memory_format=torch.channels_last if channels_last else torch.contiguous_format)
    # Training only: evaluation stays in float32, so the accuracies reported are exact.
    autocast_dtype = mixed_precision_dtype(device) if config.mixed_precision else None
    total_steps = math.ceil(len(images) / config.batch_size) * config.epochs
    optimizer = make_optimizer(model, config)
    scheduler = make_scheduler(optimizer, config, total_steps)
    return _Run(
        model=model, config=config, device=device,
        train=(images.to(device), labels.to(device)),
        test=(test_set[0].to(device), test_set[1].to(device)),
        channels_last=channels_last, autocast_dtype=autocast_dtype,
        optimizer=optimizer, scheduler=scheduler,
        scaler=torch.amp.GradScaler("cuda") if autocast_dtype == torch.float16 else None,
        total_steps=total_steps,
    )


def _whiten(model: nn.Module, images: torch.Tensor) -> None:
    try:
        whiten_first_conv(model, images).requires_grad_(False)
    except ValueError as exc:
        raise TrainingError(N_("this network cannot start from whitened patches ({error}); turn whitening off"),
                            error=str(exc)) from exc


def _train_step(run: _Run, images: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """One optimizer step; returns the batch's mean loss and its number correct, still on the device."""
    batch = to_batch(images, run.channels_last, run.config.input_size)  # (B, 1, size, size)
    with torch.autocast(run.device.type, dtype=run.autocast_dtype, enabled=run.autocast_dtype is not None):
        logits = run.model(batch)  # (B, 10)
        loss = nn.functional.cross_entropy(logits.float(), labels, label_smoothing=run.config.label_smoothing)
    run.optimizer.zero_grad(set_to_none=True)
    if run.scaler is not None:
        run.scaler.scale(loss).backward()
        run.scaler.step(run.optimizer)
        run.scaler.update()
    else:
        loss.backward()
        run.optimizer.step()
    if run.scheduler is not None:
        run.scheduler.step()
    correct = (logits.detach().argmax(1) == labels).sum()
    return loss.detach(), correct


def _first_bad_step(losses: list[torch.Tensor], first_step: int) -> int | None:
    """The step whose loss was NaN or infinite, or None when all are finite (one device sync)."""
    bad = (~torch.isfinite(torch.stack(losses))).nonzero()
    return None if len(bad) == 0 else first_step + int(bad[0])


def _weights_finite(model: nn.Module) -> bool:
    return all(bool(torch.isfinite(p).all()) for p in model.parameters())


def _remember_good_weights(run: _Run) -> None:
    if _weights_finite(run.model):
        run.good_state = {k: v.detach().clone() for k, v in run.model.state_dict().items()}


def _diverged(run: _Run, step: int) -> None:
    """Restores the last good weights and records why the run ended."""
    if run.good_state is not None:
        run.model.load_state_dict(run.good_state)
    run.history.status = "diverged"
    run.history.message = Text(N_("loss became NaN or infinite at step {step}: lower the learning rate (now {lr}); "
                                  "the weights from before it diverged are kept"), step=step, lr=f"{run.config.lr:g}")


def _run_epoch(run: _Run, epoch: int, on_progress, stop) -> bool:
    """Trains one epoch; returns False when the run must end (stopped or diverged)."""
    config, (images, labels) = run.config, run.train
    n, bs = len(images), config.batch_size
    generator = torch.Generator(device="cpu").manual_seed(config.seed * 1_000 + epoch)
    order = torch.randperm(n, generator=generator).to(run.device)
    loss_sum = torch.zeros((), device=run.device)
    correct = torch.zeros((), device=run.device)
    pending: list[torch.Tensor] = []  # batch losses since the last finiteness check
    seen, epoch_start, steps = 0, time.perf_counter(), math.ceil(n / bs)
    for i in range(steps):
        if stop is not None and stop.is_set():
            run.history.status, run.history.message = "stopped", Text(N_("stopped at step {step}"), step=run.step)
            return False
        index = order[i * bs:(i + 1) * bs]
        loss, batch_correct = _train_step(run, images[index], labels[index])
        run.step += 1
        seen += len(index)
        loss_sum += loss * len(index)
        correct += batch_correct
        pending.append(loss)
        if len(pending) == config.report_every or i == steps - 1:
            bad = _first_bad_step(pending, run.step - len(pending) + 1)
            if bad is not None:
                _diverged(run, bad)
                return False
            pending.clear()
            _remember_good_weights(run)
            if on_progress is not None and i < steps - 1:
                on_progress(_progress(run, epoch + (i + 1) / steps, loss_sum, correct, seen, epoch_start))
    return _end_epoch(run, epoch, loss_sum.item() / seen, correct.item() / seen, seen, epoch_start,
                      on_progress, stop)


def _progress(run: _Run, epoch: float, loss_sum, correct, seen, epoch_start, **test) -> Progress:
    elapsed = time.perf_counter() - run.started
    eta = elapsed / run.step * (run.total_steps - run.step) if run.step else float("nan")
    return Progress(step=run.step, total_steps=run.total_steps, epoch=epoch,
                    loss=float(loss_sum) / seen, accuracy=float(correct) / seen,
                    samples_per_s=seen / max(time.perf_counter() - epoch_start, 1e-9), eta_s=eta, **test)


def _end_epoch(run: _Run, epoch: int, loss: float, accuracy: float, seen: int, epoch_start: float,
               on_progress, stop) -> bool:
    samples_per_s = seen / max(time.perf_counter() - epoch_start, 1e-9)
    test_loss, test_accuracy = evaluate(run.model, run.test, run.config.eval_batch, stop, run.channels_last,
                                        run.config.input_size, run.config.test_flip)
    if stop is not None and stop.is_set():  # the evaluation was cut short: its numbers mean nothing
        run.history.status, run.history.message = "stopped", Text(N_("stopped at step {step}"), step=run.step)
        return False
    h = run.history
    h.train_loss.append(loss)
    h.train_accuracy.append(accuracy)
    h.test_loss.append(test_loss)
    h.test_accuracy.append(test_accuracy)
    h.samples_per_s.append(samples_per_s)
    h.seconds.append(time.perf_counter() - epoch_start)
    if on_progress is not None:
        report = _progress(run, float(epoch + 1), loss * seen, accuracy * seen, seen, epoch_start,
                           test_accuracy=test_accuracy, test_loss=test_loss)
        on_progress(report)
    return True


def fit(model: nn.Module, train_set: Dataset, test_set: Dataset, config: TrainConfig = TrainConfig(),
        on_progress: Callable[[Progress], None] | None = None, stop=None,
        on_start: Callable[[nn.Module], None] | None = None) -> History:
    """Trains `model` (float (N, 1, S, S) in [0, 1] -> logits (N, 10), S = `config.input_size` or 28) in place
    and returns its History; `config.init` and `config.normalize_input` are applied to it first.

    `on_progress` gets a `Progress` every `config.report_every` batches and at each epoch's end. `stop`
    (a `threading.Event`) is checked every batch; the model stays usable whenever `fit` returns. `on_start`
    gets the model once, initialised and on its device, before the first step.
    """
    torch.manual_seed(config.seed)  # the "xavier" initialisation, then dropout
    run = _prepare(model, train_set, test_set, config)
    _remember_good_weights(run)
    if on_start is not None:  # the weights the run starts from (initialised, on the device): step 0
        on_start(model)
    model.train()
    try:
        for epoch in range(config.epochs):
            if not _run_epoch(run, epoch, on_progress, stop):
                break
    except torch.OutOfMemoryError as exc:
        raise TrainingError(N_("the {device} ran out of memory with batch_size {batch}: choose a smaller batch "
                               "size or a smaller architecture"),
                            device=run.device.type.upper(), batch=config.batch_size) from exc
    except RuntimeError as exc:
        if run.step > 0:  # it trained before: not a mismatch of sizes, a real failure
            raise
        raise TrainingError(N_("the network cannot take {side}×{side} images (input_size {input_size}): {error}; "
                               "set input_size to the side the network was built for"),
                            side=config.input_size or 28, input_size=config.input_size, error=exc) from exc
    finally:
        model.eval()
        if config.whiten:  # the whitened first convolution was frozen for the run only
            model.requires_grad_(True)
        if run.device.type == "cuda":
            torch.cuda.empty_cache()
    return run.history
