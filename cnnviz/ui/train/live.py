"""The Train page's live view: a run's name, its progress or how it ended, and its curves."""

from __future__ import annotations

import streamlit as st

from cnnviz import i18n
from cnnviz.figures import train as figures
from cnnviz.training.jobs import JobSnapshot
from cnnviz.ui.common import chart
from cnnviz.ui.lang import _, current
from cnnviz.ui.train.messages import job_message
from cnnviz.ui.train.state import Run, kept_accuracy
from cnnviz.ui.train.views import CURVES_HEIGHT, OPTIMIZER_NAMES, clock, figure_font_size


def run_label(run: Run, with_batch: bool = True) -> str:
    """"#2 LeNet, ReLU + max pool · Adam lr 0.001 · batch 256": the network by its title in the reader's language
    (files and links keep its name, run.label), and the settings a class most often compares."""
    c = run.config
    optimizer = OPTIMIZER_NAMES.get(c.optimizer, c.optimizer)
    if not with_batch:  # the status line, which must stay one line on a projector
        return _("#{number} {network} · {optimizer} lr {lr}").format(
            number=run.number, network=network_name(run.spec), optimizer=optimizer, lr=f"{c.lr:g}")
    return _("#{number} {network} · {optimizer} lr {lr} · batch {batch}").format(
        number=run.number, network=network_name(run.spec), optimizer=optimizer, lr=f"{c.lr:g}", batch=c.batch_size)


def network_name(spec) -> str:
    """A preset by its title in the reader's language ("LeNet，ReLU + 最大汇聚"); any other network by its name."""
    from cnnviz.ui.arch.labels import network_title

    return network_title(spec, current())


def status_view(run: Run, snap: JobSnapshot) -> None:
    """Queue place, progress bar, or how the run ended."""
    if snap.status in ("new", "queued"):
        place = _(" (place {place} in line)").format(place=snap.queue_position) if snap.queue_position else ""
        if snap.waiting_for:  # a Ray run: the cluster's resources queue it, not this server
            st.info(_("Queued{place} on the Ray cluster: waiting for {what}. Stop cancels it.").format(
                place=place, what=i18n.render(snap.waiting_for, current())), icon=":material/hourglass_top:")
            return
        st.info(_("Queued{place}: another training job is using this server's processor. It starts when that "
                  "one ends.").format(place=place), icon=":material/hourglass_top:")
        return
    latest, label = snap.latest, run_label(run, with_batch=False)
    if snap.status == "running":
        if latest is None:
            st.progress(0.0, text=_("{run}: starting, moving the data to the device...").format(run=label))
            return
        st.progress(min(latest.step / latest.total_steps, 1.0),
                    text=_("{run} · epoch {epoch} of {epochs} · {rate} samples/s · ETA {eta}").format(
                        run=label, epoch=f"{latest.epoch:.2f}", epochs=run.config.epochs,
                        rate=f"{latest.samples_per_s:,.0f}", eta=clock(latest.eta_s)))
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
    history, kept, label = snap.history, kept_accuracy(run), run_label(run, with_batch=False)
    epochs = history.epochs_done if history is not None else 0
    last_epoch = history.test_accuracy[-1] if epochs else None
    if snap.status == "finished":
        score = kept if kept is not None else last_epoch
        after = (_("Test accuracy **{score}** after {epochs} epoch.") if epochs == 1 else
                 _("Test accuracy **{score}** after {epochs} epochs."))
        summary = _gap() + after.format(score=f"{score:.1%}", epochs=epochs) if score is not None else ""
        return _("{run}: finished after {time}.").format(run=label, time=clock(snap.seconds)) + summary
    message = job_message(snap.message, current()).rstrip(".。")  # a quoted PyTorch error ends with its own full stop
    text = _("{run}, after {time}: {message}.").format(run=label, time=clock(snap.seconds),
                                                       message=f"{message[:1].upper()}{message[1:]}")
    if kept is not None:  # the weights as the run ended, not those of its last full epoch
        text += _gap() + _("The weights it kept score **{score}** on the test set; the confusion matrix, per-class "
                           "accuracy and checkpoint below are theirs.").format(score=f"{kept:.1%}")
        if last_epoch is not None:
            text += _gap() + _("Its last full epoch ({epoch}) scored {score}.").format(
                epoch=epochs, score=f"{last_epoch:.1%}")
    elif snap.status == "stopped":
        text += _gap() + _("Its weights so far are kept.")
    return text


def _gap() -> str:
    """What goes between two sentences: a space in English, nothing after a Chinese full stop (。)."""
    return "" if current() == "zh" else " "


def curves_view(run: Run, snap: JobSnapshot, marks=None) -> None:
    """The run's curves; `marks(fig)` adds to them (the book's printed result)."""
    if snap.points:
        fig = figures.curves_figure(snap.points, run.config.epochs, height=CURVES_HEIGHT,
                                    font_size=figure_font_size(), lang=current())
        chart(marks(fig) if marks else fig, key="train_curves")
        st.caption(_("The train loss is the mean over the epoch so far, as d2l reports it: it starts afresh at each "
                     "epoch, so the curve drops at each epoch boundary."))
    elif snap.status in ("running", "queued"):
        every = run.config.report_every
        st.caption((_("The curves appear after the first batch.") if every == 1 else
                    _("The curves appear after the first {n} batches.").format(n=every)))
