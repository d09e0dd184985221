"""Widgets and live views of the Train page: settings in, the job's progress and curves out."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnnviz.arch import DEFAULT_PRESET, PRESETS, Architecture, count_params
from cnnviz.data import CLASSES, DEFAULT_DATASET, dataset_info
from cnnviz.device import available_devices, cpu_has_native_bf16, mixed_precision_allowed
from cnnviz.training.recipes import DEMOS
from cnnviz.training.loop import OPTIMIZERS, SCHEDULES, TrainConfig
from cnnviz.training.input import input_shape_of, input_size_of
from cnnviz.figures.style import FONT_SIZE
from cnnviz.i18n import N_
from cnnviz.ui.common import PRESENTER_FONT_SCALE, keep_valid, keep_widgets, presenting
from cnnviz.ui.lang import _, current, formatter
from cnnviz.ui.train.data import DATA_KEY, dataset_ui
from cnnviz.ui.train.state import workspace
from cnnviz.ui import lesson

LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.2, 0.3, 0.9, 1.0)  # the recipes' too
BATCH_SIZES = (32, 64, 128, 256, 512, 1024)
TRAIN_SIZES = (128, 512, 1_000, 2_000, 5_000, 10_000, 20_000, 30_000, 60_000)
ALL_TEST_IMAGES = 10_000
MOMENTA = (0.0, 0.9)
INIT_NAMES = {"default": N_("PyTorch's default"), "xavier": N_("Xavier uniform (the book)")}
SCALINGS = {"standardised": N_("standardised (mean 0, std 1)"), "unit": N_("[0, 1] (the book)")}
OPTIMIZER_NAMES = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW"}  # the optimizers' own names
SCHEDULE_NAMES = {"constant": N_("constant"), "cosine": N_("cosine"), "onecycle": N_("onecycle")}  # via formatter()
DEVICE_NAMES = {"auto": N_("auto")}  # the others by their own names: CUDA, MPS, CPU
BUILDER = N_("The one from the Architecture builder")  # an option value (the URL writes "builder"): shown via _
CURVES_HEIGHT = 430  # px: with the title, the progress bar and the settings, one 720-pixel screen


def _builder_architecture() -> Architecture | None:
    """The builder page's current architecture; after a reload, the copy the last builder run kept."""
    from cnnviz.ui.arch import state as arch_state

    return arch_state.builder_architecture() or workspace().builder_spec


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
    DATA_KEY: DEFAULT_DATASET,
}
RECIPE_KEY = "train_recipe"  # the key of the book's recipe last applied (cnnviz.training.recipes), kept with the settings
CELL_DEFAULTS = {"train_true": CLASSES[6], "train_pred": CLASSES[0]}  # shirts taken for T-shirts: the classic


def keep_settings() -> None:
    """The settings survive other pages, a reload (the saved copy lives in the workspace), and the Start
    button disabling the widgets in the same rerun that changed one of them."""
    arch_default = BUILDER if _builder_architecture() is not None else DEFAULT_PRESET
    keep_widgets({**DEFAULTS, **CELL_DEFAULTS, "train_arch": arch_default, RECIPE_KEY: None,
                  "train_then": None,  # compare.THEN_KEY: a link's second network
                  "train_then_batch": None},  # compare.THEN_BATCH_KEY: or its second batch size
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
    subset = size < TRAIN_SIZES[-1]
    return TrainConfig(epochs=int(s["train_epochs"]), batch_size=batch, lr=float(s["train_lr"]),
                       optimizer=s["train_optimizer"], momentum=float(s["train_momentum"]),
                       lr_schedule=s["train_schedule"], device=s["train_device"], seed=int(s["train_seed"]),
                       max_train_samples=size if subset else None,
                       max_test_samples=min(size, ALL_TEST_IMAGES) if subset else None,
                       report_every=report_every(size, batch), input_size=input_size_of(architecture_from_state()),
                       init=s["train_init"], normalize_input=s["train_scaling"] == "standardised",
                       **demo_extras(st.session_state.get(RECIPE_KEY), st.session_state.get("train_arch")))


# The fast demo's settings that have no widget (cnnviz.training.recipes.DEMOS): in force while its network is chosen.
DEMO_EXTRAS = ("nesterov", "label_smoothing", "warmup", "weight_decay", "whiten", "cpu_threads", "channels_last")


def demo_extras(recipe_key: str | None, arch_choice: str | None) -> dict[str, object]:
    demo = DEMOS.get(recipe_key or "")
    if demo is None or demo.preset != arch_choice:
        return {}
    return {name: getattr(demo.config, name) for name in DEMO_EXTRAS}


def report_every(train_size: int, batch_size: int) -> int:
    """Batches between two points of the curves: about 8 an epoch, so a quick demo on 2,000 images draws
    curves rather than two dots, and at most 50 (fit's default), since each report waits for the device."""
    steps_per_epoch = -(-train_size // batch_size)
    return max(1, min(50, steps_per_epoch // 8))


def _architecture_labels(choices: list[str]) -> dict[str, str]:
    """What the box shows for each choice, in the reader's language (bound now: AppTest formats later): the
    presets by the titles the builder uses ("AlexNet, 224x224 (d2l 8.1 / zh 7.1)"), never their ids."""
    from cnnviz.ui.arch.labels import network_title, preset_label

    built = _builder_architecture() if BUILDER in choices else None
    builder = (_("From the builder: {name}").format(name=network_title(built, current())) if built is not None
               else _(BUILDER))
    return {**{c: preset_label(c, current()) for c in choices if c != BUILDER}, BUILDER: builder}


def architecture_ui(disabled: bool) -> Architecture:
    choices = ([BUILDER] if _builder_architecture() is not None else []) + list(PRESETS)
    keep_valid("train_arch", choices, DEFAULT_PRESET)
    lesson.widget(st.selectbox, _("Architecture"), choices, key="train_arch", disabled=disabled,
                  format_func=_architecture_labels(choices).get,
                  help=_("The Architecture builder's network is offered here by its name as soon as it runs."))
    size_col, data_col = st.columns([1, 1.1], gap="small", vertical_alignment="center")
    with data_col:  # beside the size line: on a projector the first screen has no row to spare
        name = dataset_ui(disabled)
    spec = architecture_from_state()
    # The description folds into the help icon: on a projector the curves need the height.
    shown = f"**{spec.name}** · " if st.session_state.get("train_arch") == BUILDER else ""
    side = input_shape_of(spec)[1]
    size = "" if side == 28 else f" · {side}×{side}"
    about = _(spec.description) if spec.description else ""
    if side != 28:
        about += " " + _("Takes {side}×{side} images: each batch of {dataset} is resized on the device, as the "
                         "book's Resize does.").format(side=side, dataset=dataset_info(name).title)
    # A caption: two short lines at most beside the dataset box, so Start stays on a projector's first screen.
    size_col.caption(_("{shown}{params} parameters{size}").format(shown=shown, params=f"{count_params(spec):,}",
                                                            size=size), help=about.strip() or None)
    return spec


def config_ui(disabled: bool) -> TrainConfig:
    """The settings a lesson changes stay in view; the rest fold into `more_settings` beside Start."""
    left, right = st.columns(2)
    names = {o: o for o in OPTIMIZERS} if current() == "en" else OPTIMIZER_NAMES  # English: as links write them
    lesson.widget(left.selectbox, _("Optimizer"), OPTIMIZERS, key="train_optimizer", disabled=disabled,
                  format_func=lambda o: names.get(o, o))
    lesson.widget(right.select_slider, _("Learning rate"), LEARNING_RATES, key="train_lr", disabled=disabled,
                  help=_("Adam: about 0.001. SGD: about 0.1 (d2l trains the sigmoid LeNet at 0.9)."))
    lesson.widget(left.number_input, _("Epochs"), 1, 50, key="train_epochs", disabled=disabled)
    lesson.widget(right.select_slider, _("Training images"), TRAIN_SIZES, key="train_size", disabled=disabled,
                  format_func="{:,}".format,
                  help=_("Fewer images train faster; a subset is evaluated on as many test images (at most "
                         "all 10,000), so its results are a quick look, not the book's."))
    return config_from_state()


def more_settings(disabled: bool) -> None:
    """A popover: on a projector the first screen keeps the height for Start and the cost estimate. Its button has
    no tooltip: one would stay over the open popover's first fields while the pointer rests on the button."""
    with st.popover(_("More"), width="stretch", disabled=disabled):
        st.caption(_("Batch size, momentum, initialisation, input scaling, schedule, device, seed"))
        _more_settings(disabled)


def _more_settings(disabled: bool) -> None:
    lesson.widget(st.selectbox, _("Batch size"), BATCH_SIZES, key="train_batch", disabled=disabled)
    lesson.widget(st.selectbox, _("SGD momentum"), MOMENTA, key="train_momentum", disabled=disabled,
                  help=_("0 is the book's plain minibatch SGD; Adam ignores it."))
    lesson.widget(st.selectbox, _("Initialisation"), list(INIT_NAMES), key="train_init", disabled=disabled,
                  format_func={k: _(v) for k, v in INIT_NAMES.items()}.get,
                  help=_("The book's init_cnn: Xavier uniform on conv and linear weights."))
    lesson.widget(st.selectbox, _("Input scaling"), list(SCALINGS), key="train_scaling", disabled=disabled,
                  format_func={k: _(v) for k, v in SCALINGS.items()}.get,
                  help=_("The book feeds ToTensor's [0, 1] pixels; standardising them often trains faster."))
    lesson.widget(st.selectbox, _("Learning-rate schedule"), SCHEDULES, key="train_schedule", disabled=disabled,
                  format_func=formatter(),
                  help=_("cosine lowers the learning rate smoothly to 0 by the last batch (d2l 12.11)."))
    devices = ["auto", *available_devices()]
    keep_valid("train_device", devices, "auto")
    lesson.widget(st.selectbox, _("Device"), devices, key="train_device", disabled=disabled,
                  format_func={d: _(DEVICE_NAMES[d]) if d in DEVICE_NAMES else d.upper() for d in devices}.get,
                  help=_("auto picks CUDA, then Apple's MPS, then the CPU.") + " " + _precision_note())
    lesson.widget(st.number_input, _("Seed"), 0, 10_000, key="train_seed", disabled=disabled,
                  help=_("The same seed repeats a run: the same initial weights and the same shuffling."))


def figure_font_size() -> int:
    """Figure text size: larger in presenter mode, as common.chart scales it."""
    return round(FONT_SIZE * PRESENTER_FONT_SCALE) if presenting() else FONT_SIZE


def _precision_note() -> str:
    if not mixed_precision_allowed():
        return _("`CNNVIZ_BF16=off`: training runs in float32 on every device, and the saved weights are float32.")
    cpu = (_("This CPU computes bfloat16 natively, so training on it uses bfloat16 mixed precision")
           if cpu_has_native_bf16() else _("On this CPU training runs in float32"))
    return _("{cpu}; CUDA uses mixed precision too. Test accuracy is always measured in float32, and the saved "
             "weights are float32.").format(cpu=cpu)


def clock(seconds: float) -> str:
    """m:ss, or h:mm:ss from an hour."""
    if not np.isfinite(seconds):
        return "--:--"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
