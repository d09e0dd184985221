"""The settings a board shows for a run, and which of them differ from the lesson's (or the page's defaults)."""

from __future__ import annotations

from dataclasses import asdict

from cnnviz.data import DEFAULT_DATASET
from cnnviz.training.loop import TrainConfig

ALL_IMAGES = 60_000  # a run on the whole training set
# Settings a class compares, in the order a table shows them; "images" is the training subset's size.
SETTINGS = ("lr", "optimizer", "batch_size", "epochs", "momentum", "lr_schedule", "weight_decay", "seed", "init",
            "images", "dataset")
GROUPS = ("lr", "optimizer", "network", "batch_size")  # what a board groups by and plots final accuracy against


def settings_of(config: TrainConfig, dataset: str = DEFAULT_DATASET) -> dict:
    """The compared settings of a run: plain numbers and words, JSON-ready."""
    values = asdict(config)
    found = {name: values[name] for name in SETTINGS if name in values}
    found["images"] = config.max_train_samples or ALL_IMAGES
    found["dataset"] = dataset
    return found


DEFAULT_BASELINE = settings_of(TrainConfig())  # the Train page's defaults: what a run without a lesson differs from


def differing(settings: dict, baseline: dict | None = None) -> dict:
    """The settings whose value is not the baseline's, in SETTINGS order. Momentum counts only for SGD."""
    base = DEFAULT_BASELINE if baseline is None else {**DEFAULT_BASELINE, **baseline}
    found = {}
    for name in SETTINGS:
        if name == "momentum" and settings.get("optimizer") != "sgd":
            continue
        if name in settings and settings[name] != base.get(name):
            found[name] = settings[name]
    return found


def describe(values: dict, names: dict[str, str] | None = None) -> str:
    """"lr=0.01, optimizer=sgd": a run's differing settings in one short line; `names` may rename the settings
    (a page's translated words), else they are the code's."""
    names = names or {}
    return ", ".join(f"{names.get(name, name)}={value:g}" if isinstance(value, float) else
                     f"{names.get(name, name)}={value}" for name, value in values.items())
