"""Page 2: gradient descent learns a convolution kernel from an image and its edges (d2l 7.2.4)."""

import streamlit as st
import torch

from cnnviz import edge, edge_inputs
from cnnviz.errors import CnnvizError
from cnnviz.figures import edge as figures
from cnnviz.ui import edge as ui
from cnnviz.ui.common import page_setup, show_error

TICK_S = 0.25  # seconds between timed fragment reruns while playing
COMPARE_FACTORS = (0.25, 0.5, 1.0, 2.0, 4.0)  # learning rates compared, as multiples of the chosen one


@st.cache_data(show_spinner="Running each learning rate...", max_entries=16)
def compare_runs(data_key: str, _X: torch.Tensor, _Y: torch.Tensor, kernel_size: tuple[int, int],
                 lrs: tuple[float, ...], steps: int, seed: int, optimizer: str, bias: bool) -> list[edge.LrRun]:
    """compare_learning_rates, cached; data_key identifies the tensors X and Y (unhashable themselves)."""
    return edge.compare_learning_rates(_X, _Y, kernel_size, lrs, steps=steps, seed=seed,
                                       optimizer=optimizer, bias=bias)


def controls(run: edge.FitPlayback) -> None:
    playing = st.session_state.get("edge_playing", False)
    cols = st.columns([1, 1, 1, 1, 3])
    cols[0].button("Pause" if playing else "Play", key="edge_play", on_click=ui.toggle_play,
                   icon=":material/pause:" if playing else ":material/play_arrow:", type="primary",
                   width="stretch")
    cols[1].button("Step", key="edge_step", on_click=ui.step_once, icon=":material/skip_next:",
                   disabled=run.done, width="stretch")
    cols[2].button("Run to end", key="edge_to_end", on_click=ui.run_to_end, icon=":material/fast_forward:",
                   disabled=run.done, width="stretch")
    cols[3].button("Reset", key="edge_reset", on_click=ui.reset, icon=":material/replay:", width="stretch")


def status(run: edge.FitPlayback, settings: ui.Settings) -> None:
    last = run.last
    cols = st.columns([1, 1, 3])
    cols[0].metric("Step", f"{last.step} / {settings.steps}")
    cols[1].metric("Loss", f"{last.loss:.3g}")
    weight = "; ".join(", ".join(f"{round(v, 4) + 0.0:.4f}" for v in row) for row in last.weight.tolist())
    bias = f" · bias {round(last.bias, 4) + 0.0:.4f}" if settings.bias else ""
    cols[2].markdown(f"**Learned kernel** `[{weight}]`{bias}")
    if run.error is not None:
        show_error(run.error)
    elif run.finished:
        st.success(f"Done: {settings.steps} steps, loss {last.loss:.3g}.", icon=":material/check_circle:")


def draw(run: edge.FitPlayback, settings: ui.Settings, Y: torch.Tensor,
         report: edge_inputs.Identifiability) -> None:
    """The live view: status; loss and weights over the steps; the kernels; Y against the prediction."""
    status(run, settings)
    last = run.last
    left, right = st.columns(2, gap="large")
    diverged_at = run.error.step if run.error else None
    x_end = settings.steps if diverged_at is None else max(2 * diverged_at, 10)  # zoom in on a blow-up
    left.plotly_chart(figures.loss_curve([r.loss for r in run.history], x_end, diverged_at),
                      key="edge_loss_chart", width="stretch")
    weights = torch.stack([r.weight for r in run.history])  # (steps so far + 1, kh, kw)
    biases = [r.bias for r in run.history] if settings.bias else None
    same_size = tuple(settings.target.shape) == settings.kernel_size
    right.plotly_chart(figures.weight_trajectories(weights, biases, settings.target if same_size else None, x_end),
                       key="edge_weights_chart", width="stretch")
    kernel_col, notes_col = st.columns(2, gap="large")
    kernel_col.plotly_chart(figures.kernel_heatmaps(last.weight, settings.target, last.step,
                                                    last.bias if settings.bias else None),
                            key="edge_kernel_chart", width="stretch")
    with notes_col:
        explain(report)
    X_fit, Y_fit = edge.align(settings.X, Y, settings.kernel_size)
    st.plotly_chart(figures.output_comparison(X_fit, Y_fit, edge.predict(X_fit, last.weight, last.bias)),
                    key="edge_outputs_chart", width="stretch")


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
    """What the input can teach a kernel of this size: identifiability, next to the learned kernel."""
    st.markdown("**What this input can teach**")
    for note in report.notes():
        st.warning(note, icon=":material/info:")
    if report.identifiable and not report.target_silent:
        st.info(f"Identifiable: the input's {report.n_patches} patches pin down all {report.n_params} "
                "parameters, so every starting point leads to the same kernel.", icon=":material/check:")


def lr_hint(settings: ui.Settings, report: edge_inputs.Identifiability) -> None:
    """The largest learning rate plain gradient descent survives on this input, and a button to use half."""
    limit = report.max_stable_lr
    verdict = "above it: expect divergence" if settings.lr > limit else "below it"
    st.caption(f"On this input plain gradient descent is stable below lr **{limit:.3g}** "
               f"(1 / the largest eigenvalue of PᵀP, P the matrix of input patches); "
               f"{settings.lr:g} is {verdict}.")
    st.button(f"Use half of it: {limit / 2:.3g}", key="edge_use_stable_lr", on_click=ui.use_lr, args=(limit / 2,),
              icon=":material/south:")


def compare_view(settings: ui.Settings, Y: torch.Tensor, max_stable_lr: float) -> None:
    if not st.toggle("Compare learning rates", key="edge_compare",
                     help="Same start, same steps, learning rates from a quarter to four times the chosen one."):
        return
    lrs = tuple(settings.lr * f for f in COMPARE_FACTORS)
    runs = compare_runs(settings.data_key, settings.X, Y, settings.kernel_size, lrs, settings.steps,
                        settings.seed, settings.optimizer, settings.bias)
    st.plotly_chart(figures.lr_comparison(runs, max_stable_lr if settings.optimizer == "sgd" else None),
                    key="edge_compare_chart", width="stretch")


page_setup("Learn an edge kernel")
ui.keep_settings()
st.title("Learn an edge kernel")
st.markdown(
    "d2l 7.2.4: take an image **X**, compute its edges **Y** with a known kernel, then let gradient descent "
    "find the kernel from X and Y alone. The loss is the squared error summed over Y, as in the book. "
    "Press **Play** and watch it converge, or raise the learning rate and watch it break. "
    "(The book's own loop uses lr 0.03 and no bias: untick the bias and type 0.03 to see it work; "
    "with a bias the same lr diverges.)"
)
settings, learn_col = ui.read_settings()
try:
    Y = edge_inputs.target_output(settings.X, settings.target)
    report = edge_inputs.identifiability(settings.X, Y, settings.kernel_size, settings.bias)
    run = ui.playback(settings, Y)
except CnnvizError as exc:
    show_error(exc)
    st.stop()

with learn_col:
    lr_hint(settings, report)
controls(run)
playing = st.session_state.get("edge_playing", False)
st.fragment(live_view, run_every=TICK_S if playing else None)(settings, Y, report)
compare_view(settings, Y, report.max_stable_lr)
