"""What a trained classifier gets right and wrong: predictions, confusion matrix, per-class accuracy, CSV."""

from __future__ import annotations

import csv
import io

import torch
from torch import nn

from cnnviz.training.loop import History, to_batch


@torch.no_grad()
def predict(model: nn.Module, images: torch.Tensor, batch_size: int = 1024,
            input_size: int | None = None) -> torch.Tensor:
    """Predicted classes int64 (N,) for uint8 images (N, 28, 28), on the model's device; `input_size`: the
    side the model takes (None: 28), each batch resized to it on the device as training did."""
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    out = [model(to_batch(images[i:i + batch_size].to(device), False, input_size)).argmax(1).cpu()
           for i in range(0, len(images), batch_size)]
    model.train(was_training)
    return torch.cat(out) if out else torch.zeros(0, dtype=torch.long)


def confusion_matrix(labels: torch.Tensor, predictions: torch.Tensor, num_classes: int = 10) -> torch.Tensor:
    """int64 (num_classes, num_classes): row = true class, column = predicted class."""
    flat = labels.long() * num_classes + predictions.long()
    return torch.bincount(flat, minlength=num_classes ** 2).reshape(num_classes, num_classes)


def per_class_accuracy(confusion: torch.Tensor) -> torch.Tensor:
    """float64 (num_classes,): the diagonal over each row's total (0 for a class never seen)."""
    totals = confusion.sum(1).double()
    return torch.where(totals > 0, confusion.diag().double() / totals.clamp(min=1), torch.zeros_like(totals))


def cell_indices(labels: torch.Tensor, predictions: torch.Tensor, true_class: int, predicted: int) -> torch.Tensor:
    """Indices of the images of `true_class` that the model called `predicted`."""
    return ((labels == true_class) & (predictions == predicted)).nonzero().flatten()


def history_csv(history: History) -> str:
    """One row per epoch: epoch, train loss/accuracy, test loss/accuracy, samples/s, seconds."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "samples_per_s", "seconds"])
    rows = zip(history.train_loss, history.train_accuracy, history.test_loss, history.test_accuracy,
               history.samples_per_s, history.seconds)
    for epoch, row in enumerate(rows, start=1):
        writer.writerow([epoch, *(f"{v:.6g}" for v in row)])
    return out.getvalue()


def per_class_csv(confusion: torch.Tensor, classes: tuple[str, ...]) -> str:
    """One row per class: class, images, correct, accuracy."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["class", "images", "correct", "accuracy"])
    for name, total, correct, acc in zip(classes, confusion.sum(1).tolist(), confusion.diag().tolist(),
                                         per_class_accuracy(confusion).tolist()):
        writer.writerow([name, total, correct, f"{acc:.4f}"])
    return out.getvalue()
