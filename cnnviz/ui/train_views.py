"""Widgets and views of the Train page: settings in, job state and results out."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnnviz import checkpoint, metrics
from cnnviz.arch import DEFAULT_PRESET, PRESETS, Architecture, count_params
from cnnviz.data import CLASSES
from cnnviz.device import available_devices, cpu_has_native_bf16
from cnnviz.figures import train as figures
from cnnviz.jobs import JobSnapshot
from cnnviz.train import OPTIMIZERS, SCHEDULES, TrainConfig
from cnnviz.ui.common import keep_valid, keep_widgets
from cnnviz.ui.train_state import Run, run_meta

LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.9)
BATCH_SIZES = (32, 64, 128, 256, 512, 1024)
TRAIN_SIZES = (1_000, 2_000, 5_000, 10_000, 20_000, 30_000, 60_000)
BUILDER = "The one from the Architecture builder"


def _builder_architecture() -> Architecture | None:
    """The builder page's current architecture, when that page has chosen one."""
    from cnnviz.ui import arch_state

    return st.session_state.get(arch_state.CURRENT_KEY) and arch_state.current_architecture()


DEFAULTS = {  # widget key -> initial value; the Start callback reads the same keys
    "train_optimizer": "adam",
    "train_lr": 0.001,
    "train_schedule": "constant",
    "train_batch": 256,
    "train_epochs": 10,
    "train_device": "auto",
    "train_size": 60_000,
    "train_seed": 0,
}


def keep_settings() -> None:
    """The settings survive other pages, and the Start button disabling the widgets in the same rerun
    that changed one of them."""
    arch_default = BUILDER if _builder_architecture() is not None else DEFAULT_PRESET
    keep_widgets({**DEFAULTS, "train_arch": arch_default}, "train_saved_settings")


def architecture_from_state() -> Architecture:
    choice = st.session_state.get("train_arch", DEFAULT_PRESET)
    built = _builder_architecture() if choice == BUILDER else None
    return built or PRESETS.get(choice, PRESETS[DEFAULT_PRESET])


def config_from_state() -> TrainConfig:
    """The settings as the widgets hold them now (also inside a button's callback, before the rerun)."""
    s = {**DEFAULTS, **{k: st.session_state[k] for k in DEFAULTS if k in st.session_state}}
    size = int(s["train_size"])
    return TrainConfig(epochs=int(s["train_epochs"]), batch_size=int(s["train_batch"]), lr=float(s["train_lr"]),
                       optimizer=s["train_optimizer"], lr_schedule=s["train_schedule"],
                       device=s["train_device"], seed=int(s["train_seed"]),
                       max_train_samples=None if size >= TRAIN_SIZES[-1] else size)


def architecture_ui(disabled: bool) -> Architecture:
    choices = ([BUILDER] if _builder_architecture() is not None else []) + list(PRESETS)
    keep_valid("train_arch", choices, DEFAULT_PRESET)
    st.selectbox("Architecture", choices, key="train_arch", disabled=disabled,
                 help="Build your own on the Architecture builder page and press 'use for training'.")
    spec = architecture_from_state()
    st.markdown(f"**{spec.name}** · {count_params(spec):,} parameters")
    if spec.description:
        st.caption(spec.description)
    return spec


def config_ui(disabled: bool) -> TrainConfig:
    left, right = st.columns(2)
    left.selectbox("Optimizer", OPTIMIZERS, key="train_optimizer", disabled=disabled)
    right.select_slider("Learning rate", LEARNING_RATES, key="train_lr", disabled=disabled,
                        help="Adam: about 0.001. SGD: about 0.1 (d2l trains the sigmoid LeNet at 0.9).")
    left.selectbox("Batch size", BATCH_SIZES, key="train_batch", disabled=disabled)
    right.number_input("Epochs", 1, 50, key="train_epochs", disabled=disabled)
    devices = ["auto", *available_devices()]
    keep_valid("train_device", devices, "auto")
    left.selectbox("Device", devices, key="train_device", disabled=disabled,
                   help="auto picks CUDA, then Apple's MPS, then the CPU. " + _precision_note())
    right.select_slider("Training images", TRAIN_SIZES, key="train_size", disabled=disabled, format_func="{:,}".format,
                        help="Fewer images train faster; the test set is always all 10,000.")
    left.number_input("Seed", 0, 10_000, key="train_seed", disabled=disabled)
    right.selectbox("Learning-rate schedule", SCHEDULES, key="train_schedule", disabled=disabled,
                    help="cosine lowers the learning rate smoothly to 0 by the last batch (d2l 12.11).")
    return config_from_state()


def _precision_note() -> str:
    cpu = ("This CPU computes bfloat16 natively, so training on it uses bfloat16 mixed precision"
           if cpu_has_native_bf16() else "On this CPU training runs in float32")
    return (f"{cpu}; CUDA uses mixed precision too. Test accuracy is always measured in float32, "
            "and the saved weights are float32.")


def _clock(seconds: float) -> str:
    if not np.isfinite(seconds):
        return "--:--"
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes}:{secs:02d}"


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
            st.progress(0.0, text="Starting: moving the data to the device...")
            return
        st.progress(min(latest.step / latest.total_steps, 1.0),
                    text=f"Epoch {latest.epoch:.2f} of {run.config.epochs} · "
                         f"{latest.samples_per_s:,.0f} samples/s · ETA {_clock(latest.eta_s)}")
        return
    summary = ""
    if snap.history is not None and snap.history.test_accuracy:
        done = snap.history.epochs_done
        summary = f" Test accuracy {snap.history.test_accuracy[-1]:.1%} after {done} epoch{'' if done == 1 else 's'}."
    text = f"{run.label}: {snap.status} after {_clock(snap.seconds)}.{summary}"
    if snap.status == "finished":
        st.success(text, icon=":material/check_circle:")
    elif snap.status == "stopped":
        st.warning(f"{text} You {snap.message}; the weights so far are kept.", icon=":material/stop_circle:")
    else:
        st.error(f"{text} {snap.message[:1].upper()}{snap.message[1:]}", icon=":material/error:")


def curves_view(run: Run, snap: JobSnapshot) -> None:
    if snap.points:
        st.plotly_chart(figures.curves_figure(snap.points, run.config.epochs), key="train_curves", width="stretch")
    elif snap.status in ("running", "queued"):
        st.caption("The curves appear after the first 50 batches.")


def _chosen_cell() -> tuple[int, int]:
    """A clicked confusion-matrix cell moves the two selectboxes (only when the click is new)."""
    event = st.session_state.get("train_confusion")
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    if points:
        cell = (CLASSES.index(points[0]["y"]), CLASSES.index(points[0]["x"]))
        if cell != st.session_state.get("train_last_click"):
            st.session_state["train_last_click"] = cell
            st.session_state["train_true"], st.session_state["train_pred"] = (CLASSES[i] for i in cell)
    st.session_state.setdefault("train_true", CLASSES[6])  # shirts...
    st.session_state.setdefault("train_pred", CLASSES[0])  # ...taken for T-shirts: the classic confusion
    return CLASSES.index(st.session_state["train_true"]), CLASSES.index(st.session_state["train_pred"])


def confusion_view(run: Run, test_set) -> None:
    """The confusion matrix; choosing a cell shows the test images behind it."""
    true_class, predicted = _chosen_cell()
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.plotly_chart(figures.confusion_figure(run.confusion, CLASSES, (true_class, predicted)),
                        key="train_confusion", on_select="rerun", selection_mode="points", width="stretch")
    with right:
        st.selectbox("True class", CLASSES, key="train_true")
        st.selectbox("Predicted as", CLASSES, key="train_pred")
        images, labels = test_set
        predictions = run.job.result
        chosen = metrics.cell_indices(labels, predictions, true_class, predicted)
        verb = "correctly classified" if true_class == predicted else f"classified as {CLASSES[predicted]}"
        st.markdown(f"**{len(chosen)}** test images of **{CLASSES[true_class]}** {verb}"
                    + (" (the first 24):" if len(chosen) > 24 else ":"))
        shown = chosen[:24].tolist()
        if shown:
            big = [images[i].numpy().repeat(3, 0).repeat(3, 1) for i in shown]  # (84, 84) each
            st.image(big, caption=[f"#{i}" for i in shown], width=84)


def per_class_view(run: Run) -> None:
    accuracy = metrics.per_class_accuracy(run.confusion).tolist()
    st.plotly_chart(figures.per_class_figure(accuracy, CLASSES), key="train_per_class", width="stretch")


def downloads_view(run: Run) -> None:
    meta = run_meta(run)
    left, mid, right = st.columns(3)
    left.download_button("Download checkpoint (.pt)", checkpoint.to_bytes(run.job.model, run.spec, meta),
                         file_name=f"cnnviz-{run.spec.name}-run{run.number}.pt",
                         mime="application/octet-stream", key="train_download_pt", width="stretch")
    history = run.snapshot().history
    if history is not None:
        mid.download_button("Download metrics per epoch (CSV)", metrics.history_csv(history),
                            file_name=f"cnnviz-{run.spec.name}-run{run.number}-epochs.csv", mime="text/csv",
                            key="train_download_csv", width="stretch")
    right.download_button("Download per-class accuracy (CSV)", metrics.per_class_csv(run.confusion, CLASSES),
                          file_name=f"cnnviz-{run.spec.name}-run{run.number}-classes.csv", mime="text/csv",
                          key="train_download_classes", width="stretch")


def overlay_view(runs: list[Run]) -> None:
    labels = [r.label for r in runs]
    chosen = st.multiselect("Runs to compare", labels, default=labels[-4:], key="train_overlay")
    picked = [(r.label, r.snapshot().points) for r in runs if r.label in chosen]
    if picked:
        st.plotly_chart(figures.overlay_figure(picked), key="train_overlay_chart", width="stretch")
