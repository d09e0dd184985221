"""Before Start: what the run will cost here (measured), whether it fits in memory, and a confirmation (or a
subset) before a run of more than a few minutes."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import streamlit as st

from cnnviz.arch import Architecture
from cnnviz.errors import CnnvizError
from cnnviz.training.loop import TrainConfig
from cnnviz.training.cost import EpochCost, check_memory, epoch_cost
from cnnviz.ui.lang import _, render
from cnnviz.ui.train.live import network_name
from cnnviz.ui.train.views import ALL_TEST_IMAGES, TRAIN_SIZES, clock

CONFIRM_S = 180.0  # a run estimated longer than this asks before it starts
EVAL_SPEEDUP = 3.0  # evaluating an image costs about a third of training on it (forward only, no backward)
CONFIRM_KEY = "train_confirm"  # the config a pending confirmation is about


@dataclass(frozen=True)
class RunEstimate:
    """What a run will take: training measured here, evaluation from the same measurement."""

    cost: EpochCost  # one epoch's training
    test_images: int
    epochs: int

    @property
    def epoch_s(self) -> float:
        return self.cost.seconds + self.test_images / (EVAL_SPEEDUP * self.cost.samples_per_s)

    @property
    def total_s(self) -> float:
        return self.epochs * self.epoch_s


def estimate(spec: Architecture, config: TrainConfig) -> RunEstimate:
    """Measured on first use per network, device and batch (cached in cnnviz.training.cost)."""
    return RunEstimate(epoch_cost(spec, config), config.max_test_samples or ALL_TEST_IMAGES, config.epochs)


def estimate_text(spec: Architecture, run: RunEstimate) -> str:
    c = run.cost
    epochs = (_("{n} epoch") if run.epochs == 1 else _("{n} epochs")).format(n=run.epochs)
    return ":material/timer: " + _(
        "**Measured here**: {rate} images/s on the {device} → an epoch ≈ **{epoch}**, {epochs} ≈ **{total}** "
        "({train} training and {test} test images an epoch).").format(
        rate=f"{c.samples_per_s:,.0f}", device=c.device.upper(), epoch=clock(run.epoch_s), epochs=epochs,
        total=clock(run.total_s), train=f"{c.images:,}", test=f"{run.test_images:,}")


def memory_problem(spec: Architecture, config: TrainConfig) -> CnnvizError | None:
    """The refusal (the limit and the largest batch that fits) when the run would exhaust the device's memory."""
    try:
        check_memory(spec, config)
    except CnnvizError as exc:
        return exc
    return None


def largest_quick_subset(spec: Architecture, config: TrainConfig) -> int | None:
    """The most training images (a step of the slider) whose run is estimated under CONFIRM_S."""
    quick = [n for n in TRAIN_SIZES[:-1]
             if estimate(spec, dataclasses.replace(config, max_train_samples=n,
                                                   max_test_samples=min(n, ALL_TEST_IMAGES))).total_s <= CONFIRM_S]
    return quick[-1] if quick else None


def plan_view(spec: Architecture, config: TrainConfig, running: bool) -> CnnvizError | None:
    """The estimate and any memory refusal under Start; returns the refusal (Start is then disabled)."""
    problem = memory_problem(spec, config)
    if problem is not None:
        st.error(_("This run would not fit: {problem}.").format(problem=render(problem).rstrip(".。")), icon=":material/memory:")
        return problem
    if not running:  # measuring while a run trains would slow it and measure the contention
        measuring = _("Measuring how fast {network} trains on this machine...").format(network=network_name(spec))
        with st.spinner(measuring):
            run = estimate(spec, config)
        st.caption(estimate_text(spec, run),
                   help=_("A few real training steps of this network on random images, timed once per network and "
                          "device; evaluation counted at a third of a training step per image. The first epoch "
                          "also pays for moving the data and warming up."))
    return None


def needs_confirmation(spec: Architecture, config: TrainConfig) -> bool:
    """True (and the question is asked on the next run) when the run is estimated over CONFIRM_S."""
    if estimate(spec, config).total_s <= CONFIRM_S:
        return False
    st.session_state[CONFIRM_KEY] = config
    return True


def confirmation_view(spec: Architecture, config: TrainConfig, start_anyway, start_subset) -> None:
    """Asks before a long run: start it anyway, or on the largest subset that is quick; a changed setting
    drops the question (it was about other settings)."""
    asked = st.session_state.get(CONFIRM_KEY)
    if asked is None:
        return
    if asked != config:
        del st.session_state[CONFIRM_KEY]
        return
    run = estimate(spec, config)
    subset = largest_quick_subset(spec, config)
    long = _("This run would take about **{total}** here ({epochs} × {epoch}, measured).").format(
        total=clock(run.total_s), epochs=run.epochs, epoch=clock(run.epoch_s))
    offer = (_("Start it anyway, or train on a subset: {images} images take under {minutes} minutes.").format(
        images=f"{subset:,}", minutes=f"{CONFIRM_S / 60:.0f}") if subset else
        _("Start it anyway, or train on a subset; even the smallest one takes longer: use fewer epochs."))
    st.warning(f"{long} {offer} " + _("A subset's results are not the book's."), icon=":material/hourglass_top:")
    left, right = st.columns(2)
    left.button(_("Start anyway"), key="train_confirm_start", on_click=start_anyway, width="stretch")
    if subset:
        right.button(_("Use {images} images").format(images=f"{subset:,}"), key="train_use_subset", type="primary",
                     on_click=start_subset, args=(subset,), width="stretch")


def drop_confirmation() -> None:
    st.session_state.pop(CONFIRM_KEY, None)
