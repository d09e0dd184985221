"""The Train page's results: downloads, the confusion matrix and its images, per-class accuracy, the overlay."""

from __future__ import annotations

import streamlit as st

from cnnviz import data
from cnnviz.training import checkpoint
from cnnviz.training import metrics
from cnnviz.figures import train as figures
from cnnviz.ui.common import chart, keep_valid, presenting
from cnnviz.ui.lang import _, current
from cnnviz.ui.train.data import class_names
from cnnviz.ui.train.live import run_label
from cnnviz.ui.train.messages import ending_only
from cnnviz.ui.train.state import Run, run_dataset, run_meta, workspace
from cnnviz.ui.train.views import CELL_DEFAULTS, figure_font_size

OVERLAY_KEY = "train_overlay"
IMAGES_SHOWN = 12  # test images listed for a chosen cell: two rows that fit beside the matrix


def weights_caption(run: Run) -> str:
    """Which weights the results show: a stopped run's may be past its last full epoch."""
    snap = run.snapshot()
    if snap.status == "finished":
        return _("the weights after its last epoch ({epochs})").format(epochs=run.config.epochs)
    if snap.status == "stopped":
        return _("the weights it kept when it {ended}").format(ended=ending_only(snap.message, current()))
    return _("the weights from before the loss diverged")


def _chosen_cell(classes: tuple[str, ...]) -> tuple[int, int]:
    """A clicked confusion-matrix cell moves the two selectboxes (only when the click is new). The boxes hold
    the dataset's English class names (stable values); the figure shows them in the reader's language."""
    for key, default in CELL_DEFAULTS.items():  # another dataset's classes: its own classic confusion
        keep_valid(key, classes, classes[data.CLASSES.index(default)])
    shown = class_names_of(classes)
    event = st.session_state.get("train_confusion")
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    if points and points[0]["y"] in shown and points[0]["x"] in shown:
        cell = (shown.index(points[0]["y"]), shown.index(points[0]["x"]))
        if cell != st.session_state.get("train_last_click"):
            st.session_state["train_last_click"] = cell
            st.session_state["train_true"], st.session_state["train_pred"] = (classes[i] for i in cell)
    return classes.index(st.session_state["train_true"]), classes.index(st.session_state["train_pred"])


def class_names_of(classes: tuple[str, ...]) -> list[str]:
    return [_(c) for c in classes]


def confusion_view(run: Run, test_set) -> None:
    """The confusion matrix, square and large; choosing a cell shows the test images behind it."""
    classes = data.class_names(run_dataset(run))
    true_class, predicted = _chosen_cell(classes)
    shown = class_names_of(classes)
    left, right = st.columns([3.2, 1], gap="small")
    with left:
        fig = figures.confusion_figure(run.confusion, shown, (true_class, predicted),
                                       height=680 if presenting() else 600, font_size=figure_font_size(),
                                       lang=current())
        chart(fig, key="train_confusion", on_select="rerun", selection_mode="points")
    with right:
        names = dict(zip(classes, shown))
        st.selectbox(_("True class"), classes, key="train_true", format_func=names.get)
        st.selectbox(_("Predicted as"), classes, key="train_pred", format_func=names.get)
        images, labels = test_set
        labels = labels[:len(run.job.result)]  # a subset run predicted the first test images only
        chosen = metrics.cell_indices(labels, run.job.result, true_class, predicted)
        verb = (_("correctly classified") if true_class == predicted else
                _("classified as {name}").format(name=shown[predicted]))
        line = (_("**{count}** test images of **{name}** {verb} (the first {shown}):") if len(chosen) > IMAGES_SHOWN
                else _("**{count}** test images of **{name}** {verb}:"))
        st.markdown(line.format(count=len(chosen), name=shown[true_class], verb=verb, shown=IMAGES_SHOWN))
        picked = chosen[:IMAGES_SHOWN].tolist()
        if picked:
            big = [images[i].numpy().repeat(3, 0).repeat(3, 1) for i in picked]  # (84, 84) each
            st.image(big, caption=[f"#{i}" for i in picked], width=64)


def per_class_view(run: Run) -> None:
    accuracy = metrics.per_class_accuracy(run.confusion).tolist()
    names = class_names(run_dataset(run))
    chart(figures.per_class_figure(accuracy, names, font_size=figure_font_size(), lang=current()),
          key="train_per_class")


def downloads_view(run: Run) -> None:
    meta = run_meta(run)
    left, mid, right = st.columns(3)
    left.download_button(_("Checkpoint (.pt)"), checkpoint.to_bytes(run.job.model, run.spec, meta),
                         file_name=f"cnnviz-{run.spec.name}-run{run.number}.pt", icon=":material/download:",
                         mime="application/octet-stream", key="train_download_pt", width="stretch")
    history = run.snapshot().history
    if history is not None:
        mid.download_button(_("Metrics per epoch (CSV)"), metrics.history_csv(history), icon=":material/download:",
                            file_name=f"cnnviz-{run.spec.name}-run{run.number}-epochs.csv", mime="text/csv",
                            key="train_download_csv", width="stretch")
    classes = data.class_names(run_dataset(run))  # the file keeps the dataset's own names, like the checkpoint
    right.download_button(_("Per-class accuracy (CSV)"), metrics.per_class_csv(run.confusion, classes),
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
    shown = {r.label: run_label(r) for r in runs}
    hidden = workspace().overlay_hidden
    # Set before the widget is drawn: a widget's own memory would keep the list it had before this run ended.
    st.session_state[OVERLAY_KEY] = [label for label, number in labels.items() if number not in hidden]
    st.multiselect(_("Runs to compare"), list(labels), key=OVERLAY_KEY, on_change=_overlay_changed, args=(labels,),
                   format_func=shown.get,
                   help=_("Every new run joins the comparison; take a run out here and it stays out."))
    picked = [(r.number, shown[r.label], r.snapshot().points) for r in runs if r.number not in hidden]
    if picked:
        chart(figures.overlay_figure(picked, font_size=figure_font_size(), lang=current()), key="train_overlay_chart")
