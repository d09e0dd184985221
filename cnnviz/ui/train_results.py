"""The Train page's results: downloads, the confusion matrix and its images, per-class accuracy, the overlay."""

from __future__ import annotations

import streamlit as st

from cnnviz import checkpoint, metrics
from cnnviz.data import CLASSES
from cnnviz.figures import train as figures
from cnnviz.ui.common import chart, presenting
from cnnviz.ui.train_state import Run, run_meta, workspace
from cnnviz.ui.train_views import figure_font_size

OVERLAY_KEY = "train_overlay"
IMAGES_SHOWN = 12  # test images listed for a chosen cell: two rows that fit beside the matrix


def weights_caption(run: Run) -> str:
    """Which weights the results show: a stopped run's may be past its last full epoch."""
    snap = run.snapshot()
    if snap.status == "finished":
        return f"the weights after its last epoch ({run.config.epochs})"
    if snap.status == "stopped":
        return f"the weights it kept when it {snap.message.split(' because ')[0]}"
    return "the weights from before the loss diverged"


def _chosen_cell() -> tuple[int, int]:
    """A clicked confusion-matrix cell moves the two selectboxes (only when the click is new)."""
    event = st.session_state.get("train_confusion")
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    if points:
        cell = (CLASSES.index(points[0]["y"]), CLASSES.index(points[0]["x"]))
        if cell != st.session_state.get("train_last_click"):
            st.session_state["train_last_click"] = cell
            st.session_state["train_true"], st.session_state["train_pred"] = (CLASSES[i] for i in cell)
    return CLASSES.index(st.session_state["train_true"]), CLASSES.index(st.session_state["train_pred"])


def confusion_view(run: Run, test_set) -> None:
    """The confusion matrix, square and large; choosing a cell shows the test images behind it."""
    true_class, predicted = _chosen_cell()
    left, right = st.columns([3.2, 1], gap="small")
    with left:
        fig = figures.confusion_figure(run.confusion, CLASSES, (true_class, predicted),
                                       height=680 if presenting() else 600, font_size=figure_font_size())
        chart(fig, key="train_confusion", on_select="rerun", selection_mode="points")
    with right:
        st.selectbox("True class", CLASSES, key="train_true")
        st.selectbox("Predicted as", CLASSES, key="train_pred")
        images, labels = test_set
        labels = labels[:len(run.job.result)]  # a subset run predicted the first test images only
        chosen = metrics.cell_indices(labels, run.job.result, true_class, predicted)
        verb = "correctly classified" if true_class == predicted else f"classified as {CLASSES[predicted]}"
        st.markdown(f"**{len(chosen)}** test images of **{CLASSES[true_class]}** {verb}"
                    + (f" (the first {IMAGES_SHOWN}):" if len(chosen) > IMAGES_SHOWN else ":"))
        shown = chosen[:IMAGES_SHOWN].tolist()
        if shown:
            big = [images[i].numpy().repeat(3, 0).repeat(3, 1) for i in shown]  # (84, 84) each
            st.image(big, caption=[f"#{i}" for i in shown], width=64)


def per_class_view(run: Run) -> None:
    accuracy = metrics.per_class_accuracy(run.confusion).tolist()
    chart(figures.per_class_figure(accuracy, CLASSES, font_size=figure_font_size()), key="train_per_class")


def downloads_view(run: Run) -> None:
    meta = run_meta(run)
    left, mid, right = st.columns(3)
    left.download_button("Checkpoint (.pt)", checkpoint.to_bytes(run.job.model, run.spec, meta),
                         file_name=f"cnnviz-{run.spec.name}-run{run.number}.pt", icon=":material/download:",
                         mime="application/octet-stream", key="train_download_pt", width="stretch")
    history = run.snapshot().history
    if history is not None:
        mid.download_button("Metrics per epoch (CSV)", metrics.history_csv(history), icon=":material/download:",
                            file_name=f"cnnviz-{run.spec.name}-run{run.number}-epochs.csv", mime="text/csv",
                            key="train_download_csv", width="stretch")
    right.download_button("Per-class accuracy (CSV)", metrics.per_class_csv(run.confusion, CLASSES),
                          file_name=f"cnnviz-{run.spec.name}-run{run.number}-classes.csv", mime="text/csv",
                          key="train_download_classes", width="stretch", icon=":material/download:")


def _overlay_changed(labels: dict[str, int]) -> None:
    """The user's own choice: the runs taken out stay out; every other run, new ones too, is compared."""
    chosen = set(st.session_state[OVERLAY_KEY])
    hidden = workspace().overlay_hidden
    for label, number in labels.items():
        (hidden.discard if label in chosen else hidden.add)(number)


def overlay_view(runs: list[Run]) -> None:
    labels = {r.label: r.number for r in runs}
    hidden = workspace().overlay_hidden
    # Set before the widget is drawn: a widget's own memory would keep the list it had before this run ended.
    st.session_state[OVERLAY_KEY] = [label for label, number in labels.items() if number not in hidden]
    st.multiselect("Runs to compare", list(labels), key=OVERLAY_KEY, on_change=_overlay_changed, args=(labels,),
                   help="Every new run joins the comparison; take a run out here and it stays out.")
    picked = [(r.number, r.label, r.snapshot().points) for r in runs if r.number not in hidden]
    if picked:
        chart(figures.overlay_figure(picked, font_size=figure_font_size()), key="train_overlay_chart")
