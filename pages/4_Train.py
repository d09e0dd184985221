"""Page 4: train an architecture on the real Fashion-MNIST (or MNIST) with live curves (d2l 7.6.2, 8.5)."""

from cnnviz.i18n import N_
from cnnviz.ui.common import page_setup

page_setup(N_("Train"))

import streamlit as st  # noqa: E402

from cnnviz import data  # noqa: E402
from cnnviz.errors import CnnvizError  # noqa: E402
from cnnviz.ui.train import book  # noqa: E402
from cnnviz.ui.train import compare  # noqa: E402
from cnnviz.ui.train import data as train_data  # noqa: E402
from cnnviz.ui.train import learning  # noqa: E402
from cnnviz.ui.train import live as live_views  # noqa: E402
from cnnviz.ui.train import plan  # noqa: E402
from cnnviz.ui.train import results  # noqa: E402
from cnnviz.ui.train import state  # noqa: E402
from cnnviz.ui.train import views  # noqa: E402
from cnnviz.ui import lang, url_state  # noqa: E402
from cnnviz.ui.train import url as train_url  # noqa: E402
from cnnviz.ui.common import intro, show_error  # noqa: E402
from cnnviz.ui.job_backend_view import backend_line  # noqa: E402
from cnnviz.ui.lang import _  # noqa: E402
from cnnviz.ui.train.messages import STOP_REASON  # noqa: E402
from cnnviz.ui import lesson, lesson_link  # noqa: E402

ERROR_KEY = "train_start_error"

state.workspace()  # this tab's runs and settings, found again after a reload
views.keep_settings()
ignored = train_url.load()  # a shared link or the browser's Back: its settings into the widgets
TITLES = {"fashion-mnist": N_("Train on Fashion-MNIST"), "mnist": N_("Train on MNIST")}
lesson.begin("train", lesson.controls_of(train_url.PARAMS))  # a lesson link, the tour
st.title(_(TITLES[train_data.chosen()]))
intro(
    _("Train a network on the real {dataset} and watch the loss fall and the accuracy rise (d2l {section}).").format(
        dataset=data.dataset_info(train_data.chosen()).title,
        section=book.chosen_section(st.session_state.get("train_arch", ""))),
    _("The curves plot the training loss and accuracy averaged over the epoch so far, as d2l's Animator "
      "does, and the accuracy on the 10,000 test images after each epoch. Stop at any time: the weights "
      "so far are kept. Below the curves: the confusion matrix (click a cell to see those test images), "
      "the accuracy of each class, downloads, and every run of this session overlaid, e.g. the sigmoid "
      "LeNet against the ReLU one (d2l 7.6, exercise 1). MNIST's handwritten digits can be chosen instead "
      "of Fashion-MNIST (d2l 7.6, exercise 3). A reload of the tab keeps the runs and settings; "
      "a run still training is found again if the tab comes back within half a minute."),
)

NOTICES = {
    "unknown": N_("The runs of this link are no longer on the server: it restarted, or they were left for "
                  "hours. The settings are back to the defaults; start a new run."),
    "in use": N_("The runs of this link are open in another tab, so this tab starts with none of its own "
                 "(a shared link never takes over someone's runs). Use that tab to see them."),
}
if (notice := state.workspace_notice()) is not None:
    st.warning(_(NOTICES[notice]), icon=":material/history_toggle_off:")
run = state.current_run()
state.archive_if_done(run)
if not state.is_running(run) and state.start_queued() is not None:  # the second network of a comparison
    run = state.current_run()
running = state.is_running(run)
if ignored:
    st.warning(url_state.ignored_message(ignored), icon=":material/link_off:")


def start(confirmed: bool = False) -> None:
    """Reads the settings from the widgets' state: a callback's bound arguments would be one rerun old.
    A run estimated over a few minutes first asks (unless `confirmed`); one that would not fit is refused."""
    st.session_state.pop(ERROR_KEY, None)
    views.keep_settings()
    spec, config = views.architecture_from_state(), views.config_from_state()
    try:
        if not confirmed and plan.needs_confirmation(spec, config):
            return
        plan.drop_confirmation()
        state.start_run(spec, config, from_builder=st.session_state.get("train_arch") == views.BUILDER,
                        dataset_name=train_data.chosen())
        compare.queue_second(spec, config, train_data.chosen())
    except CnnvizError as exc:
        st.session_state[ERROR_KEY] = exc  # shown in the reader's language, with its numbers


def start_subset(images: int) -> None:
    """The confirmation's other answer: the same run on the first `images` training images."""
    st.session_state["train_size"] = images
    start(confirmed=True)


settings, live = st.columns([1.25, 1.75], gap="medium")  # the settings hold three buttons a row
with settings:
    spec = views.architecture_ui(disabled=running)
    book.recipe_ui(st.session_state.get("train_arch", ""), disabled=running)
    config = views.config_ui(disabled=running)
    go_col, stop_col, more_col = st.columns([1, 1, 1.05], gap="small")
    start_slot = go_col.empty()  # drawn after the memory check, which can disable it
    stop_col.button(_("Stop"), key="train_stop", disabled=not running, width="stretch",
                    on_click=state.stop_run, args=(STOP_REASON,), icon=":material/stop:")
    with more_col:
        views.more_settings(disabled=running)
    train_url.save()  # every setting drawn: the link now opens the page as it is
    data_missing = train_data.test_set(train_data.chosen()) is None  # then said beside the settings, on top
    refused = plan.plan_view(spec, config, running)
    start_slot.button(_("Start"), key="train_start", type="primary",  # a prepared comparison: the note says both
                      disabled=running or refused is not None or data_missing,
                      width="stretch", on_click=start, icon=":material/play_arrow:")
    if not running:
        plan.confirmation_view(spec, config, lambda: start(confirmed=True), start_subset)
    if ERROR_KEY in st.session_state:
        show_error(st.session_state[ERROR_KEY])
    backend_line()  # where runs train: this server's threads or a Ray cluster


@st.fragment(run_every=0.5 if running else None)
def live_view() -> None:
    """Redrawn twice a second while the job trains; one full rerun when it ends re-enables the controls."""
    current = state.current_run()
    if current is None:
        st.info(_("Choose an architecture and settings, then press **Start**."))
        return
    snap = current.snapshot()
    live_views.status_view(current, snap)
    live_views.curves_view(current, snap, book.marks_for(current))
    if snap.points:
        book.marks_caption(current)
    learning.learning_view(current, snap.done)
    if running and state.archive_if_done(current):
        st.rerun()


with live:
    compare.comparison_note(spec, config, running)  # a link's prepared comparison, or the run that comes next
    if data_missing:  # the rest of the page (settings, runs, models) stays; only Start waits for the files
        st.error(data.missing_message(train_data.chosen(), lang.current()), icon=":material/folder_off:")
    live_view()

if run is not None and run.archived and run.confusion is not None:
    st.header(_("Results of run {run}").format(run=live_views.run_label(run)))
    st.caption(_("From {weights}: the status above, the confusion matrix, the accuracy per class and the "
                 "checkpoint all use them.").format(weights=results.weights_caption(run)))
    book.book_table(run)
    results.downloads_view(run)
    st.subheader(_("Confusion matrix: which classes are taken for which"))
    st.caption(_("Rows are the true classes, columns the predictions; a cell's colour is its share of the row. "
                 "Click a cell, or choose one on the right, to see those test images."))
    results.confusion_view(run, run.job.test_set)  # the run's own test set, whatever the settings say now
    st.subheader(_("Accuracy per class"))
    results.per_class_view(run)

if state.runs():
    st.header(_("Compare runs"))
    st.caption(_("Every run of this session, e.g. the sigmoid LeNet against the ReLU one (d2l 7.6, exercise 1)."))
    results.overlay_view(state.runs())
lesson_link.panel("train")
