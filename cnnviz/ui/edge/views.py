"""Widgets and playback state of the "Learn an edge kernel" page (keys prefixed edge_)."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import streamlit as st
import torch

from cnnviz.edge import fit as edge
from cnnviz.edge import inputs as edge_inputs
from cnnviz.data import CLASSES
from cnnviz.errors import CnnvizError
from cnnviz.images import load_grayscale
from cnnviz import i18n
from cnnviz.i18n import N_
from cnnviz.ui.common import keep_widgets, once_per_click, show_error, test_images
from cnnviz.ui.lang import _, current, formatter
from cnnviz.ui import lesson

LR_OPTIONS = (1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5, 1.0)
SPEEDS = (1, 2, 5, 10, 20, 50)  # steps per tick while playing
FASHION, UPLOAD, CUSTOM = N_("Fashion-MNIST image"), N_("Upload an image"), N_("Custom (type it)")
INPUTS = (*edge_inputs.SYNTHETIC_INPUTS, FASHION, UPLOAD)
TARGET_NAMES = (*edge_inputs.TARGETS, CUSTOM)
KERNEL_SIZES = (N_("same as target"), "1x1", "1x2", "2x1", "2x2", "3x3", "5x5")  # also the link's words
OPTIMIZER_LABELS = {"sgd": N_("SGD (the book's)"), "momentum": N_("SGD with momentum {momentum}"), "adam": "Adam"}
UPLOAD_SIDE = 32  # uploads are shrunk to at most this many pixels a side
# Presets: widget key -> value. The first is the book's own loop (d2l 7.2.4 / zh 6.2.4: the stripes, the
# [1, -1] edge, a 1x2 kernel without bias, plain SGD with lr 3e-2, 10 steps), so the page opens on it.
BOOK_LOOP = N_("d2l 7.2.4 / zh 6.2.4: no bias, lr 0.03, 10 steps")
EXPLORE = N_("With a bias: lr 0.01, 200 steps")
CUSTOM_PRESET = N_("custom")
PRESETS: dict[str, dict[str, object]] = {
    BOOK_LOOP: {"edge_input": INPUTS[0], "edge_target": TARGET_NAMES[0], "edge_kernel_size": KERNEL_SIZES[0],
                "edge_optimizer": "sgd", "edge_bias": False, "edge_lr": 0.03, "edge_lr_typed": "", "edge_steps": 10},
    EXPLORE: {"edge_input": INPUTS[0], "edge_target": TARGET_NAMES[0], "edge_kernel_size": KERNEL_SIZES[0],
              "edge_optimizer": "sgd", "edge_bias": True, "edge_lr": 0.01, "edge_lr_typed": "", "edge_steps": 200},
}
PRESET_SPEEDS = {BOOK_LOOP: 1, EXPLORE: 5}  # steps per tick: the book's 10 steps slowly enough to watch
DEFAULTS = {  # widget key -> initial value (keep_widgets holds them while the student is on other pages)
    "edge_fashion_index": 0, "edge_custom_kernel": "1 -1", "edge_seed": 0, "edge_compare": False,
    **PRESETS[BOOK_LOOP], "edge_speed": PRESET_SPEEDS[BOOK_LOOP],
}


def keep_settings() -> None:
    keep_widgets(DEFAULTS, "edge_saved_settings")


class BadLearningRate(CnnvizError):
    """A typed learning rate that is not a positive number."""


@dataclass(frozen=True)
class Settings:
    """Everything that defines one run; `key` changes whenever any of it does."""

    X: torch.Tensor  # (H, W) float64
    target: torch.Tensor  # (th, tw) float64
    kernel_size: tuple[int, int]
    lr: float
    steps: int
    optimizer: str
    seed: int
    bias: bool
    speed: int

    @property
    def data_key(self) -> str:
        """Identifies X and the target (so also Y)."""
        shapes = f"{tuple(self.X.shape)}{tuple(self.target.shape)}".encode()
        return hashlib.sha1(shapes + self.X.numpy().tobytes() + self.target.numpy().tobytes()).hexdigest()

    @property
    def key(self) -> tuple:
        return (self.data_key, self.kernel_size, self.lr, self.steps, self.optimizer, self.seed, self.bias)


def input_image() -> torch.Tensor:
    """The chosen input as float64 (H, W) in [0, 1]; the book's stripes when the choice is unusable."""
    choice = lesson.widget(st.selectbox, _("Input image X"), INPUTS, key="edge_input", format_func=formatter())
    fallback = edge_inputs.synthetic_input(edge_inputs.SYNTHETIC_INPUTS[0])
    try:
        if choice == FASHION:
            return _fashion_image()
        if choice == UPLOAD:
            return _uploaded_image(fallback)
        return edge_inputs.synthetic_input(choice)
    except CnnvizError as exc:
        show_error(exc)
        st.caption(_("Using the book's stripes until this is fixed."))
        return fallback


def _fashion_image() -> torch.Tensor:
    images, labels = test_images()
    index = lesson.widget(st.number_input, _("Test image number"), 0, len(images) - 1, key="edge_fashion_index")
    st.caption(_("class: {name}, 28×28").format(name=_(CLASSES[labels[index]])))
    return edge_inputs.scaled_image(images[index])


def _uploaded_image(fallback: torch.Tensor) -> torch.Tensor:
    file = st.file_uploader(_("Image (PNG or JPEG)"), key="edge_upload")
    if file is None:
        st.caption(_("Upload an image; until then the book's stripes are used."))
        return fallback
    image = edge_inputs.scaled_image(load_grayscale(file.getvalue(), max_side=UPLOAD_SIDE))
    st.caption(_("shrunk to {h}×{w} grayscale").format(h=image.shape[0], w=image.shape[1]))
    return image


def target_kernel() -> torch.Tensor:
    """The chosen target as float64 (kh, kw); [1, -1] when a typed kernel is unusable."""
    name = lesson.widget(st.selectbox, _("Target kernel"), TARGET_NAMES, key="edge_target", format_func=formatter())
    if name != CUSTOM:
        return edge_inputs.target_kernel(name)
    text = lesson.widget(st.text_area, _("Kernel rows (';' or new line between rows)"), key="edge_custom_kernel",
                         height=90)
    try:
        return edge_inputs.parse_kernel(text)
    except CnnvizError as exc:
        show_error(exc)
        st.caption(_("Using the vertical edge [1, -1] until this is fixed."))
        return edge_inputs.target_kernel(next(iter(edge_inputs.TARGETS)))


def preset_of(state) -> str:
    """The preset whose settings the page holds now, or CUSTOM_PRESET."""
    return next((name for name, values in PRESETS.items()
                 if all(state.get(key) == value for key, value in values.items() if key != "edge_lr_typed")),
                CUSTOM_PRESET)


def apply_preset() -> None:
    """The preset box's callback: its settings into the widgets (custom changes nothing)."""
    name = st.session_state["edge_preset"]
    if name in PRESETS:
        st.session_state.update(PRESETS[name])
        st.session_state["edge_speed"] = PRESET_SPEEDS[name]


def preset_box() -> None:
    """The presets, showing "custom" as soon as a setting differs from every preset."""
    st.session_state["edge_preset"] = preset_of(st.session_state)
    lesson.widget(st.radio, _("Preset"), (*PRESETS, CUSTOM_PRESET), key="edge_preset",
                  format_func=formatter(), on_change=apply_preset,  # labels wrap
                  help=_("The first is the book's own loop, so the losses match its printed ones; raise the "
                         "learning rate from there to see the loop diverge."))


def _typed_rate(typed: str) -> float | None:
    """A typed learning rate, or None when the box is empty; BadLearningRate when it is not a positive number."""
    if not typed.strip():
        return None
    try:
        value = float(typed)
    except ValueError:
        value = float("nan")
    if not math.isfinite(value) or value <= 0:
        raise BadLearningRate(N_("learning rate {typed} must be a positive number such as 0.01; using the "
                                 "slider's {lr}"), typed=repr(typed), lr=f"{st.session_state['edge_lr']:g}")
    return value


def _clear_typed() -> None:
    st.session_state["edge_lr_typed"] = ""  # the slider moved: its rate is the one used


def learning_rate() -> float:
    """One learning rate, shown once: a typed rate moves the slider to it (the slider gains that stop), and
    moving the slider empties the box. Side by side."""
    slider_col, typed_col = st.columns([1.5, 1], vertical_alignment="bottom")
    typed = lesson.widget(typed_col.text_input, _("or type one"), key="edge_lr_typed", placeholder=_("e.g. 0.016"))
    try:
        value = _typed_rate(typed)
    except BadLearningRate as exc:
        with slider_col:
            show_error(exc)
        value = None
    state = st.session_state
    if value is not None:
        state["edge_lr"] = value
    options = sorted({*LR_OPTIONS, state["edge_lr"]})
    return lesson.widget(slider_col.select_slider, _("Learning rate (log scale)"), options, key="edge_lr",
                         format_func=lambda v: f"{v:g}", on_change=_clear_typed)


def optimizer_labels():
    """The optimizer choice's format_func, in the reader's language (bound now: see lang.formatter)."""
    lang = current()
    return lambda name: i18n.gettext(lang, OPTIMIZER_LABELS[name]).format(momentum=edge.MOMENTUM)


def kernel_size(target: torch.Tensor) -> tuple[int, int]:
    shown = formatter()
    choice = lesson.widget(st.selectbox, _("Learned kernel size"), KERNEL_SIZES, key="edge_kernel_size",
                           format_func=lambda option: shown(option).replace("x", "×") if option != KERNEL_SIZES[0]
                           else shown(option),
                           help=_("It may differ from the target's, to see what happens."))
    if choice == KERNEL_SIZES[0]:
        return tuple(target.shape)
    rows, cols = choice.split("x")
    return int(rows), int(cols)


def read_settings(lr_col: st.delta_generator.DeltaGenerator) -> Settings:
    """The data and model settings in the sidebar; the learning rate, which a lesson changes most, in `lr_col`."""
    with st.sidebar:
        preset_box()
        st.subheader(_("Data"))
        X = input_image()
        target = target_kernel()
        st.subheader(_("Model and optimizer"))
        size = kernel_size(target)
        bias = lesson.widget(st.checkbox, _("Learn a bias too"), key="edge_bias")
        optimizer = lesson.widget(st.selectbox, _("Optimizer"), edge.OPTIMIZERS, key="edge_optimizer",
                                  format_func=optimizer_labels())
        steps_col, seed_col = st.columns(2)
        steps = lesson.widget(steps_col.number_input, _("Steps"), 1, 5000, step=10, key="edge_steps")
        seed = lesson.widget(seed_col.number_input, _("Initial-weight seed"), 0, 10_000, key="edge_seed")
        speed = lesson.widget(st.select_slider, _("Speed (steps per tick)"), SPEEDS, key="edge_speed")
    with lr_col:
        lr = learning_rate()
    return Settings(X, target, size, lr, int(steps), optimizer, int(seed), bias, speed)


# Playback state: the run in session_state, driven by button callbacks and the page's fragment.

def playback(settings: Settings, Y: torch.Tensor) -> edge.FitPlayback:
    """The run for these settings, kept across reruns; a new one (at step 0) whenever a setting changes."""
    state = st.session_state
    changed = state.get("edge_run_key") != settings.key
    if changed or "edge_run" not in state:
        records = edge.fit_kernel(settings.X, Y, settings.kernel_size, lr=settings.lr, steps=settings.steps,
                                  seed=settings.seed, optimizer=settings.optimizer, bias=settings.bias)
        run = edge.FitPlayback(records, settings.steps)
        run.advance(1)  # step 0: the initial kernel and its loss
        state["edge_run"], state["edge_run_key"] = run, settings.key
        if changed:
            state["edge_playing"] = False  # a new setting stops the old run
    return state["edge_run"]


@once_per_click
def set_playing(play: bool) -> None:
    """Play (True) or Pause (False): the button passes what its label says, so a click never flips back."""
    state = st.session_state
    run = state.get("edge_run")
    if play and run is not None and run.done:
        state.pop("edge_run", None)  # play again from the start
    state["edge_playing"] = play


@once_per_click
def step_once() -> None:
    st.session_state["edge_playing"] = False
    if "edge_run" in st.session_state:
        st.session_state["edge_run"].advance(1)


@once_per_click
def run_to_end() -> None:
    st.session_state["edge_playing"] = False
    if "edge_run" in st.session_state:
        run = st.session_state["edge_run"]
        run.advance(run.steps + 1)


def use_lr(lr: float) -> None:
    """Types `lr` into the learning-rate box and moves the slider to it (a button callback)."""
    st.session_state["edge_lr_typed"] = f"{lr:.3g}"
    st.session_state["edge_lr"] = float(f"{lr:.3g}")


@once_per_click
def reset() -> None:
    st.session_state["edge_playing"] = False
    st.session_state.pop("edge_run", None)
