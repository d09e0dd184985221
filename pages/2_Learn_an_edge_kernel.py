"""Page 2: gradient descent learns a convolution kernel from an image and its edges (d2l 7.2.4)."""

import streamlit as st
import torch

from cnnviz.edge import fit as edge
from cnnviz.edge import inputs as edge_inputs
from cnnviz.errors import CnnvizError
from cnnviz.figures import edge as figures
from cnnviz.ui.edge import views as ui
from cnnviz.ui import url_state
from cnnviz.ui.edge import url as edge_url
from cnnviz.ui.common import chart, intro, page_setup, show_error
from cnnviz.i18n import N_
from cnnviz.ui.lang import _, current
from cnnviz.ui import lesson, lesson_link

TICK_S = 0.25  # seconds between timed fragment reruns while playing
COMPARE_FACTORS = (0.25, 0.5, 1.0, 2.0, 4.0)  # learning rates compared, as multiples of the chosen one
TOP_HEIGHT = 250  # px, the kernel and loss figures, sized so a 1280x720 projector shows them with Play
SUMMARY = N_("d2l 7.2.4: gradient descent recovers the kernel that turned X into its edges Y. Press **Play**, "
           "then raise the learning rate.")
DETAILS = N_(
    "The loss is the squared error summed over Y, as in the book. The input X and the target kernel, the "
    "learned kernel's size, the optimizer, the number of steps and the playing speed are in the sidebar. "
    "The first preset is the book's own loop, lr 0.03 and no bias; the second learns a bias too, where the "
    "same lr 0.03 diverges. Plain gradient descent on this quadratic loss is stable below 1 / the largest "
    "eigenvalue of PᵀP, P the matrix of input patches: the line under the buttons gives that limit "
    "for the chosen input. Below the live view, *What this input can teach* says whether X can pin the "
    "kernel down at all, and *Compare learning rates* runs several at once."
)


@st.cache_data(show_spinner=False, max_entries=16)
def compare_runs(data_key: str, _X: torch.Tensor, _Y: torch.Tensor, kernel_size: tuple[int, int],
                 lrs: tuple[float, ...], steps: int, seed: int, optimizer: str, bias: bool) -> list[edge.LrRun]:
    """compare_learning_rates, cached; data_key identifies the tensors X and Y (unhashable themselves)."""
    return edge.compare_learning_rates(_X, _Y, kernel_size, lrs, steps=steps, seed=seed,
                                       optimizer=optimizer, bias=bias)


def controls(run: edge.FitPlayback, where: st.delta_generator.DeltaGenerator) -> None:
    """Play / Pause, Step, Run to end, Reset: buttons as wide as their labels, so none is cut short."""
    playing = st.session_state.get("edge_playing", False)
    with where:
        # args: what the label says, so a click means that (see common.once_per_click for why it matters)
        st.button(_("Pause") if playing else _("Play"), key="edge_play", on_click=ui.set_playing, args=(not playing,),
                  icon=":material/pause:" if playing else ":material/play_arrow:", type="primary")
        st.button(_("Step"), key="edge_step", on_click=ui.step_once, icon=":material/skip_next:", disabled=run.done)
        st.button(_("Run to end"), key="edge_to_end", on_click=ui.run_to_end, icon=":material/fast_forward:",
                  disabled=run.done)
        st.button(_("Reset"), key="edge_reset", on_click=ui.reset, icon=":material/replay:")


def status(run: edge.FitPlayback, settings: ui.Settings) -> None:
    last = run.last
    cols = st.columns(2)
    cols[0].metric(_("Steps"), f"{last.step} / {settings.steps}")
    cols[1].metric(_("Loss"), f"{last.loss:.3g}")


def outcome(run: edge.FitPlayback, settings: ui.Settings) -> None:
    """How the run ended, if it did, and the learned numbers in full."""
    last = run.last
    if run.error is not None:
        show_error(run.error)
    elif run.finished:
        st.success(_("Done: {steps} steps, loss {loss}.").format(steps=settings.steps, loss=f"{last.loss:.3g}"),
                   icon=":material/check_circle:")
    weight = "; ".join(", ".join(f"{round(v, 4) + 0.0:.4f}" for v in row) for row in last.weight.tolist())
    bias = _(" · bias {bias}").format(bias=f"{round(last.bias, 4) + 0.0:.4f}") if settings.bias else ""
    st.markdown(_("**Learned kernel** `[{weight}]`").format(weight=weight) + bias)


def draw(run: edge.FitPlayback, settings: ui.Settings, Y: torch.Tensor,
         report: edge_inputs.Identifiability) -> None:
    """The live view: step, loss and the kernels first (a projector's first screen); then the details."""
    last = run.last
    diverged_at = run.error.step if run.error else None
    x_end = settings.steps if diverged_at is None else max(2 * diverged_at, 10)  # zoom in on a blow-up
    kernel_col, loss_col = st.columns([1.1, 1], gap="medium")
    with kernel_col:
        status(run, settings)
        chart(figures.kernel_heatmaps(last.weight, settings.target, last.step,
                                      last.bias if settings.bias else None, height=TOP_HEIGHT, lang=current()),
              key="edge_kernel_chart")
    with loss_col:
        chart(figures.loss_curve([r.loss for r in run.history], x_end, diverged_at, height=TOP_HEIGHT + 100,
                                 lang=current()),
              key="edge_loss_chart")
    outcome(run, settings)
    weights_col, notes_col = st.columns([1.1, 1], gap="medium")
    weights = torch.stack([r.weight for r in run.history])  # (steps so far + 1, kh, kw)
    biases = [r.bias for r in run.history] if settings.bias else None
    same_size = tuple(settings.target.shape) == settings.kernel_size
    with weights_col:
        chart(figures.weight_trajectories(weights, biases, settings.target if same_size else None, x_end,
                                          lang=current()),
              key="edge_weights_chart")
    with notes_col:
        explain(report)
    X_fit, Y_fit = edge.align(settings.X, Y, settings.kernel_size)
    chart(figures.output_comparison(X_fit, Y_fit, edge.predict(X_fit, last.weight, last.bias), lang=current()),
          key="edge_outputs_chart")


def live_view(settings: ui.Settings, Y: torch.Tensor, report: edge_inputs.Identifiability) -> None:
    run = st.session_state.get("edge_run")
    if run is None:  # reset between two ticks; the full rerun that follows draws the new run
        return
    if st.session_state.get("edge_playing"):
        run.advance(settings.speed)
        if run.done:
            st.session_state["edge_playing"] = False
            st.rerun()  # once, so the buttons show Play again
    draw(run, settings, Y, report)


def explain(report: edge_inputs.Identifiability) -> None:
    """What the input can teach a kernel of this size: identifiability, next to the weights."""
    st.markdown(_("**What this input can teach**"))
    for note in report.notes():
        st.warning(note.render(current()), icon=":material/info:")
    if report.identifiable and not report.target_silent:
        st.info(_("Identifiable: the input's {patches} patches pin down all {params} parameters, so every "
                  "starting point leads to the same kernel.").format(patches=report.n_patches,
                                                                     params=report.n_params),
                icon=":material/check:")


def lr_hint(settings: ui.Settings, report: edge_inputs.Identifiability, where) -> None:
    """The largest learning rate plain gradient descent survives on this input, and a button to use half of it
    with the reason it is offered; one line where there is room, two lines on a narrow screen."""
    limit = report.max_stable_lr
    verdict = (_("Plain gradient descent is stable below lr **{limit}** here; {lr} is above it: expect "
                 "divergence.") if settings.lr > limit else
               _("Plain gradient descent is stable below lr **{limit}** here; {lr} is below it."))
    where.caption(verdict.format(limit=f"{limit:.3g}", lr=f"{settings.lr:g}"), width="content",
                  help=_("The limit is 1 / the largest eigenvalue of PᵀP, P the matrix of the input's patches."))
    if settings.lr <= limit:  # why a lower rate, when this one is already stable (above it, divergence says why)
        where.caption(_("Half of it never zigzags:"), width="content")
    where.button(_("Use lr {lr}").format(lr=f"{limit / 2:.3g}"), key="edge_use_stable_lr", on_click=ui.use_lr,
                 args=(limit / 2,), icon=":material/south:",
                 help=_("Half the largest stable learning rate: the fastest rate at which no direction zigzags (the "
                        "steepest one settles in a single step)."))


def compare_view(settings: ui.Settings, Y: torch.Tensor, max_stable_lr: float) -> None:
    if not lesson.widget(st.toggle, _("Compare learning rates"), key="edge_compare",
                         help=_("Same start, same steps, learning rates from a quarter to four times the chosen one.")):
        return
    lrs = tuple(settings.lr * f for f in COMPARE_FACTORS)
    with st.spinner(_("Running each learning rate...")):
        runs = compare_runs(settings.data_key, settings.X, Y, settings.kernel_size, lrs, settings.steps,
                            settings.seed, settings.optimizer, settings.bias)
    chart(figures.lr_comparison(runs, max_stable_lr if settings.optimizer == "sgd" else None, lang=current()),
          key="edge_compare_chart")


page_setup(N_("Learn an edge kernel"))
ui.keep_settings()
ignored = edge_url.load()  # a shared link or the browser's Back: its settings into the widgets
# A lesson link and the tour; a locked or hidden rate covers its typed box too.
lesson.begin("edge", {**lesson.controls_of(edge_url.PARAMS), "lr": ("edge_lr", "edge_lr_typed")})
st.title(_("Learn an edge kernel"))
intro(_(SUMMARY), _(DETAILS))
if ignored:
    st.warning(url_state.ignored_message(ignored), icon=":material/link_off:")
# The controls a lesson uses most, in one band above the live view: the buttons and the learning rate, then
# the learning rate's limit; the rest is in the sidebar. So a 1280x720 projector shows Play and the kernel.
buttons_col, lr_col = st.columns([1.2, 1], vertical_alignment="bottom")
buttons = buttons_col.container(horizontal=True, vertical_alignment="center", gap="small")
hint_row = st.container(horizontal=True, vertical_alignment="center")  # the button wraps rather than shrinks
settings = ui.read_settings(lr_col)
edge_url.save()
try:
    Y = edge_inputs.target_output(settings.X, settings.target)
    report = edge_inputs.identifiability(settings.X, Y, settings.kernel_size, settings.bias)
    run = ui.playback(settings, Y)
except CnnvizError as exc:
    show_error(exc)
    st.stop()

controls(run, buttons)
lr_hint(settings, report, hint_row)
playing = st.session_state.get("edge_playing", False)
st.fragment(live_view, run_every=TICK_S if playing else None)(settings, Y, report)
compare_view(settings, Y, report.max_stable_lr)
lesson_link.panel("edge")
