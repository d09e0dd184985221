"""The trained checkpoints shipped in assets/, so the Activations page has a model the moment the app starts.

`scripts/train_default.py` makes them (fixed seed, the project's own `fit`, the real Fashion-MNIST).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cnnviz.arch import DEFAULT_PRESET
from cnnviz.i18n import N_

ASSETS = Path(__file__).resolve().parents[2] / "assets"


@dataclass(frozen=True)
class ShippedModel:
    preset: str  # the name in cnnviz.arch.PRESETS
    filename: str  # in assets/
    label: str  # how the page names it (English: its value in widgets and links; shown translated)
    min_accuracy: float  # the test accuracy the script must reach before it saves

    @property
    def path(self) -> Path:
        return ASSETS / self.filename


SHIPPED = (
    ShippedModel(DEFAULT_PRESET, f"{DEFAULT_PRESET}.pt", N_("Modern LeNet (batch norm)"), 0.91),
    ShippedModel("lenet", "lenet_sigmoid.pt", N_("The book's LeNet (sigmoid)"), 0.80),
)
