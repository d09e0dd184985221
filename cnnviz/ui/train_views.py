"""Widgets and live views of the Train page: settings in, the job's progress and curves out."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnnviz.arch import DEFAULT_PRESET, PRESETS, Architecture, count_params
from cnnviz.data import CLASSES
from cnnviz.device import available_devices, cpu_has_native_bf16
from cnnviz.figures import train as figures
from cnnviz.jobs import JobSnapshot
from cnnviz.train import OPTIMIZERS, SCHEDULES, TrainConfig
from cnnviz.train_input import input_shape_of
from cnnviz.figures.style import FONT_SIZE
from cnnviz.ui.common import PRESENTER_FONT_SCALE, chart, keep_valid, keep_widgets, presenting
from cnnviz.ui.train_state import Run, kept_accuracy, workspace

LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.3, 0.9, 1.0)  # the recipes' too
BATCH_SIZES = (32, 64, 128, 256, 512, 1024)
TRAIN_SIZES = (128, 512, 1_000, 2_000, 5_000, 10_000, 20_000, 30_000, 60_000)
ALL_TEST_IMAGES = 10_000
MOMENTA = (0.0, 0.9)
INIT_NAMES = {"default": "PyTorch's default", "xavier": "Xavier uniform (the book)"}
SCALINGS = {"standardised": "standardised (mean 0, std 1)", "unit": "[0, 1] (the book)"}
BUILDER = "The one from the Architecture builder"
CURVES_HEIGHT = 430  # px: with the title, the progress bar and the settings, one 720-pixel screen


def _builder_architecture() -> Architecture | None:
    """The builder page's current architecture; after a reload, the copy the last builder run kept."""
    from cnnviz.ui import arch_state

    if st.session_state.get(arch_state.CURRENT_KEY):
        return arch_state.current_architecture()
    return workspace().builder_spec


DEFAULTS = {  # widget key -> initial value; the Start callback reads the same keys
    "train_optimizer": "adam",
    "train_lr": 0.001,
    "train_schedule": "constant",
    "train_batch": 256,
    "train_epochs": 10,
    "train_device": "auto",
    "train_size": 60_000,
    "train_seed": 0,
    "train_momentum": 0.9,
    "train_init": "default",
    "train_scaling": "standardised",
}
RECIPE_KEY = "train_recipe"  # the key of the book's recipe last applied (cnnviz.recipes), kept with the settings
CELL_DEFAULTS = {"train_true": CLASSES[6], "train_pred": CLASSES[0]}  # shirts taken for T-shirts: the classic


def keep_settings() -> None:
    """The settings survive other pages, a reload (the saved copy lives in the workspace), and the Start
    button disabling the widgets in the same rerun that changed one of them."""
    arch_default = BUILDER if _builder_architecture() is not None else DEFAULT_PRESET
    keep_widgets({**DEFAULTS, **CELL_DEFAULTS, "train_arch": arch_default, RECIPE_KEY: None},
                 "train_saved_settings")


def architecture_from_state() -> Architecture:
    choice = st.session_state.get("train_arch", DEFAULT_PRESET)
    built = _builder_architecture() if choice == BUILDER else None
    return built or PRESETS.get(choice, PRESETS[DEFAULT_PRESET])


def config_from_state() -> TrainConfig:
    """The settings as the widgets hold them now (also inside a button's callback, before the rerun).
    The network's own input size, and on a subset of the training images a test subset as large."""
    s = {**DEFAULTS, **{k: st.session_state[k] for k in DEFAULTS if k in st.session_state}}
    size, batch = int(s["train_size"]), int(s["train_batch"])
    side = input_shape_of(architecture_from_state())[1]
    subset = size < TRAIN_SIZES[-1]
    return TrainConfig(epochs=int(s["train_epochs"]), batch_size=batch, lr=float(s["train_lr"]),
                       optimizer=s["train_optimizer"], momentum=float(s["train_momentum"]),
                       lr_schedule=s["train_schedule"], device=s["train_device"], seed=int(s["train_seed"]),
                       max_train_samples=size if subset else None,
                       max_test_samples=min(size, ALL_TEST_IMAGES) if subset else None,
                       report_every=report_every(size, batch), input_size=None if side == 28 else side,
                       init=s["train_init"], normalize_input=s["train_scaling"] == "standardised")


def report_every(train_size: int, batch_size: int) -> int:
    """Batches between two points of the curves: about 8 an epoch, so a quick demo on 2,000 images draws
    curves rather than two dots, and at most 50 (fit's default), since each report waits for the device."""
    steps_per_epoch = -(-train_size // batch_size)
    return max(1, min(50, steps_per_epoch // 8))


def architecture_ui(disabled: bool) -> Architecture:
    choices = ([BUILDER] if _builder_architecture() is not None else []) + list(PRESETS)
    keep_valid("train_arch", choices, DEFAULT_PRESET)
    st.selectbox("Architecture", choices, key="train_arch", disabled=disabled,
                 help="Build your own on the Architecture builder page and press 'use for training'.")
    spec = architecture_from_state()
    # The description folds into the help icon: on a projector the curves need the height.
    name = f"**{spec.name}** · " if st.session_state.get("train_arch") == BUILDER else ""
    side = input_shape_of(spec)[1]
    size = "" if side == 28 else f" · {side}x{side}"
    about = (spec.description or "") + ("" if side == 28 else f" Takes {side}x{side} images: each batch of "
                                        "Fashion-MNIST is resized on the device, as the book's Resize does.")
    st.markdown(f"{name}{count_params(spec):,} parameters{size}", help=about.strip() or None)
    return spec


def config_ui(disabled: bool) -> TrainConfig:
    """The settings a lesson changes stay in view; the rest fold into `more_settings` beside Start."""
    left, right = st.columns(2)
    left.selectbox("Optimizer", OPTIMIZERS, key="train_optimizer", disabled=disabled)
    right.select_slider("Learning rate", LEARNING_RATES, key="train_lr", disabled=disabled,
                        help="Adam: about 0.001. SGD: about 0.1 (d2l trains the sigmoid LeNet at 0.9).")
    left.number_input("Epochs", 1, 50, key="train_epochs", disabled=disabled)
    right.select_slider("Training images", TRAIN_SIZES, key="train_size", disabled=disabled, format_func="{:,}".format,
                        help="Fewer images train faster; a subset is evaluated on as many test images (at most all "
                             "10,000), so its results are a quick look, not the book's.")
    return config_from_state()


def more_settings(disabled: bool) -> None:
    """A popover: on a projector the first screen keeps the height for Start and the cost estimate."""
    with st.popover("More", width="stretch", disabled=disabled,
                    help="Batch size, momentum, initialisation, input scaling, schedule, device, seed"):
        _more_settings(disabled)


def _more_settings(disabled: bool) -> None:
    st.selectbox("Batch size", BATCH_SIZES, key="train_batch", disabled=disabled)
    st.selectbox("SGD momentum", MOMENTA, key="train_momentum", disabled=disabled,
                 help="0 is the book's plain minibatch SGD; Adam ignores it.")
    st.selectbox("Initialisation", list(INIT_NAMES), key="train_init", disabled=disabled,
                 format_func=INIT_NAMES.get, help="The book's init_cnn: Xavier uniform on conv and linear weights.")
    st.selectbox("Input scaling", list(SCALINGS), key="train_scaling", disabled=disabled, format_func=SCALINGS.get,
                 help="The book feeds ToTensor's [0, 1] pixels; standardising them often trains faster.")
    st.selectbox("Learning-rate schedule", SCHEDULES, key="train_schedule", disabled=disabled,
                 help="cosine lowers the learning rate smoothly to 0 by the last batch (d2l 12.11).")
    devices = ["auto", *available_devices()]
    keep_valid("train_device", devices, "auto")
    st.selectbox("Device", devices, key="train_device", disabled=disabled,
                 help="auto picks CUDA, then Apple's MPS, then the CPU. " + _precision_note())
    st.number_input("Seed", 0, 10_000, key="train_seed", disabled=disabled,
                    help="The same seed repeats a run: the same initial weights and the same shuffling.")


def figure_font_size() -> int:
    """Figure text size: larger in presenter mode, as common.chart scales it."""
    return round(FONT_SIZE * PRESENTER_FONT_SCALE) if presenting() else FONT_SIZE


def _precision_note() -> str:
    cpu = ("This CPU computes bfloat16 natively, so training on it uses bfloat16 mixed precision"
           if cpu_has_native_bf16() else "On this CPU training runs in float32")
    return (f"{cpu}; CUDA uses mixed precision too. Test accuracy is always measured in float32, "
            "and the saved weights are float32.")


def clock(seconds: float) -> str:
    """m:ss, or h:mm:ss from an hour."""
    if not np.isfinite(seconds):
        return "--:--"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def status_view(run: Run, snap: JobSnapshot) -> None:
    """Queue place, progress bar, or how the run ended."""
    if snap.status in ("new", "queued"):
        place = f" (place {snap.queue_position} in line)" if snap.queue_position else ""
        st.info(f"Queued{place}: another training job is using this server's processor. "
                "It starts when that one ends.", icon=":material/hourglass_top:")
        return
    latest = snap.latest
    if snap.status == "running":
        if latest is None:
            st.progress(0.0, text=f"{run.label}: starting, moving the data to the device...")
            return
        st.progress(min(latest.step / latest.total_steps, 1.0),
                    text=f"{run.label} · epoch {latest.epoch:.2f} of {run.config.epochs} · "
                         f"{latest.samples_per_s:,.0f} samples/s · ETA {clock(latest.eta_s)}")
        return
    text = ended_text(run, snap)
    if snap.status == "finished":
        st.success(text, icon=":material/check_circle:")
    elif snap.status == "stopped":
        st.warning(text, icon=":material/stop_circle:")
    else:
        st.error(text, icon=":material/error:")


def ended_text(run: Run, snap: JobSnapshot) -> str:
    """How a run ended and what its kept weights score: the same weights as the results below."""
    history, kept = snap.history, kept_accuracy(run)
    epochs = history.epochs_done if history is not None else 0
    last_epoch = history.test_accuracy[-1] if epochs else None
    if snap.status == "finished":
        score = kept if kept is not None else last_epoch
        summary = f" Test accuracy **{score:.1%}** after {epochs} epoch{'' if epochs == 1 else 's'}." \
            if score is not None else ""
        return f"{run.label}: finished after {clock(snap.seconds)}.{summary}"
    message = f"{snap.message[:1].upper()}{snap.message[1:]}"
    text = f"{run.label}, after {clock(snap.seconds)}: {message}."
    if kept is not None:  # the weights as the run ended, not those of its last full epoch
        text += (f" The weights it kept score **{kept:.1%}** on the test set; the confusion matrix, per-class "
                 "accuracy and checkpoint below are theirs.")
        if last_epoch is not None:
            text += f" Its last full epoch ({epochs}) scored {last_epoch:.1%}."
    elif snap.status == "stopped":
        text += " Its weights so far are kept."
    return text


def curves_view(run: Run, snap: JobSnapshot, marks=None) -> None:
    """The run's curves; `marks(fig)` adds to them (the book's printed result)."""
    if snap.points:
        fig = figures.curves_figure(snap.points, run.config.epochs, height=CURVES_HEIGHT,
                                    font_size=figure_font_size())
        chart(marks(fig) if marks else fig, key="train_curves")
    elif snap.status in ("running", "queued"):
        every = run.config.report_every
        st.caption(f"The curves appear after the first {every} batch{'' if every == 1 else 'es'}.")
