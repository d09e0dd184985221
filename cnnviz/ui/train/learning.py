"""The Train page's "watch it learn" section: the first layer's kernels and two images' feature maps, redrawn
with the curves from the job's latest snapshot, and after the run a slider that replays the stored ones."""

from __future__ import annotations

import streamlit as st
import torch

from cnnviz import data
from cnnviz.figures import live as figures
from cnnviz.training.jobs import TrainingJob
from cnnviz.training.live import LiveSnapshot
from cnnviz.ui.common import chart, keep_valid
from cnnviz.ui.lang import _, current
from cnnviz.ui.train.state import Run, run_dataset
from cnnviz.ui.train.views import figure_font_size

FIRST_KEY, SECOND_KEY = "train_live_first", "train_live_second"  # class indices: stable in links and tests
REPLAY_KEY = "train_live_replay"  # the replayed snapshot's index
REPLAY_RUN_KEY = "train_live_replay_run"  # the run the slider's value belongs to
ENLARGE_KEY = "train_live_enlarge"  # the kernels drawn four a row, large
FIGURES_KEY = "train_live_figures"  # (what they show, the snapshot, the two figures): the last ones drawn
DEFAULT_CLASSES = (2, 4)  # Pullover vs Coat: alike at a glance, told apart by the network


def learning_view(run: Run, done: bool) -> None:
    """Below the curves, in the same timed fragment; nothing for a job made without live snapshots."""
    job: TrainingJob = run.job
    if getattr(job, "live", None) is None:
        return
    st.subheader(_("Watch it learn: kernels and feature maps"))
    if not job.live.plan.has_kernels:
        st.info(_(figures.NO_CONVOLUTION), icon=":material/info:")
        return
    snapshots = job.live_snapshots()
    if not snapshots:
        st.caption(_("The kernels and feature maps appear when the run starts."))
        return
    first, second = classes_ui(run)
    snapshot = replay_ui(run, snapshots) if done and len(snapshots) > 1 else snapshots[-1]
    draw(job, snapshot, (first, second), run_dataset(run))


def classes_ui(run: Run) -> tuple[int, int]:
    """Two classes of the run's dataset, named in the reader's language."""
    names = [_(name) for name in data.class_names(run_dataset(run))]
    options = list(range(len(names)))
    left, right = st.columns(2)
    for key, col, default, label in ((FIRST_KEY, left, DEFAULT_CLASSES[0], _("First image: a test image of")),
                                     (SECOND_KEY, right, DEFAULT_CLASSES[1], _("Second image: a test image of"))):
        keep_valid(key, options, default)
        col.selectbox(label, options, key=key, format_func=names.__getitem__)
    return st.session_state[FIRST_KEY], st.session_state[SECOND_KEY]


def replay_ui(run: Run, snapshots: tuple[LiveSnapshot, ...]) -> LiveSnapshot:
    """A slider over the stored snapshots; a new run starts it at its last one."""
    options = list(range(len(snapshots)))
    if st.session_state.get(REPLAY_RUN_KEY) != run.number:
        st.session_state[REPLAY_RUN_KEY] = run.number
        st.session_state[REPLAY_KEY] = options[-1]
    keep_valid(REPLAY_KEY, options, options[-1])
    labels = [_("step {step} · epoch {epoch}").format(step=s.step, epoch=f"{s.epoch:.2f}") for s in snapshots]
    st.select_slider(_("Replay the run"), options, key=REPLAY_KEY, format_func=labels.__getitem__,
                     help=_("The weights as they were at {n} moments of the run, spread evenly over it.").format(
                         n=len(snapshots)))
    return snapshots[st.session_state[REPLAY_KEY]]


def images_of(job: TrainingJob, classes: tuple[int, int]) -> torch.Tensor:
    """The followed test image of each chosen class, uint8 (2, 28, 28)."""
    examples = job.live_options.images
    return examples[list(classes)]


def draw(job: TrainingJob, snapshot: LiveSnapshot, classes: tuple[int, int], dataset: str) -> None:
    st.caption(_("The weights as they were at step {step} (epoch {epoch}), copied at that report while "
                 "training went on. Kernels: blue negative, red positive; maps: dark low, yellow high.").format(
                     step=snapshot.step, epoch=f"{snapshot.epoch:.2f}"))
    st.toggle(_("Enlarge the kernels"), key=ENLARGE_KEY,
              help=_("Four kernels a row, large enough to read from the back of a room; they keep updating."))
    kernels, maps = panel_figures(job, snapshot, classes, dataset)
    chart(kernels, key="train_live_kernels")
    if maps is not None:
        chart(maps, key="train_live_maps")


def panel_figures(job: TrainingJob, snapshot: LiveSnapshot, classes: tuple[int, int], dataset: str):
    """The two figures, computed once per snapshot and choice: the fragment redraws twice a second, new
    snapshots come at the reports, and each computation takes CPU from the training thread."""
    lang, size, enlarged = current(), figure_font_size(), bool(st.session_state.get(ENLARGE_KEY))
    wanted = (id(job), snapshot.step, classes, dataset, lang, size, enlarged)
    kept = st.session_state.get(FIGURES_KEY)
    if kept is not None and kept[0] == wanted and kept[1] is snapshot:
        return kept[2]
    kernel_layer = job.live.plan.kernel.rsplit(".", 1)[0]
    kernels = figures.kernels_figure(job.live.kernels(snapshot), kernel_layer, lang, size, enlarged)
    images = images_of(job, classes)
    maps = job.live.feature_maps(snapshot, images)
    names = data.class_names(dataset)
    maps_fig = figures.maps_figure(images.float() / 255, maps, (_(names[classes[0]]), _(names[classes[1]])),
                                   lang, size) if maps else None  # the images as the network reads them
    st.session_state[FIGURES_KEY] = (wanted, snapshot, (kernels, maps_fig))
    return kernels, maps_fig
