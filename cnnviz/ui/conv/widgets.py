"""Page 1's controls: the kernel editor, the number controls, and the output-cell picker."""

from __future__ import annotations

import copy
import math

import pandas as pd
import streamlit as st
import torch

from cnnviz.conv import presets
from cnnviz.errors import CnnvizError
from cnnviz.i18n import N_
from cnnviz.ui.common import drawn_last_run, show_error
from cnnviz.ui.conv.state import CUSTOM_KERNEL, PARAMS, PREFIX, loaded_this_run, save_to_url, value
from cnnviz.ui.lang import _
from cnnviz.ui import lesson

PLAY_SECONDS = {"slow": 1.6, "normal": 0.8, "fast": 0.3}  # Play's speeds: seconds a cell
SPEED_LABELS = {"slow": N_("slow"), "normal": N_("normal"), "fast": N_("fast")}


class KernelError(CnnvizError):
    """A kernel cell that is empty, not a number or not finite."""


def number_control(name: str, label: str, **kwargs) -> int:
    """An integer control bounded by its PARAMS range."""
    allowed = PARAMS[name][1]
    return lesson.widget(st.number_input, label, min_value=allowed.start, max_value=allowed.stop - 1, step=1,
                         key=PREFIX + name, **kwargs)


def pair_control(label: str, names: tuple[str, str], help: str | None = None) -> tuple[int, int]:
    """Two integer controls side by side: (height, width); `label` comes translated."""
    left, right = st.columns(2)
    with left:
        h = number_control(names[0], _("{label} ↕ rows").format(label=label), help=help)
    with right:
        w = number_control(names[1], _("{label} ↔ cols").format(label=label))
    return int(h), int(w)


def load_kernel_preset() -> None:
    """The preset box's callback: its kernel into the editor ("custom" keeps the kernel as it is)."""
    name = st.session_state[PREFIX + "kpreset"]
    if name in presets.KERNEL_PRESETS:
        _set_kernel_base(presets.kernel_preset(name).tolist())


def kernel_preset_name(K: torch.Tensor) -> str:
    """The preset whose numbers K (kh, kw) has, or "custom" once a cell or the shape differs from every one."""
    rows = K.tolist()
    return next((name for name, kernel in presets.KERNEL_PRESETS.items() if kernel == rows), CUSTOM_KERNEL)


def resize_kernel() -> None:
    current = torch.tensor(st.session_state.get(PREFIX + "kernel") or presets.KERNEL_PRESETS[PARAMS["kpreset"][0]],
                           dtype=torch.float64)
    K = presets.resize_kernel(current, st.session_state[PREFIX + "kh"], st.session_state[PREFIX + "kw"])
    _set_kernel_base(K.tolist())


def _set_kernel_base(rows: list[list[float]], keep_own: bool = False) -> None:
    """A new kernel from a preset or a shape change: the editor starts again from it (edits dropped), and
    so do the per-channel kernels typed from the old one, unless `keep_own` (the link's, on the first run)."""
    ss = st.session_state
    ss[PREFIX + "kernel"] = rows
    ss[PREFIX + "kh"], ss[PREFIX + "kw"] = len(rows), len(rows[0])
    ss[PREFIX + "kernel_reset"] = True
    if not keep_own:
        ss.pop(PREFIX + "kfull", None)


KERNEL_NAMES = tuple(presets.KERNEL_PRESETS)
BOOK_KERNEL = presets.KERNEL_PRESETS[PARAMS["kpreset"][0]]


def init_kernel() -> None:
    """Before the shape controls, once per session and after each load from the URL: the kernel from the
    link, else its preset's."""
    ss = st.session_state
    if PREFIX + "kernel_ready" not in ss:
        ss[PREFIX + "kernel_ready"] = True
        _set_kernel_base(ss.get(PREFIX + "kernel") or presets.KERNEL_PRESETS.get(value("kpreset"), BOOK_KERNEL),
                         keep_own=True)


def kernel_editor() -> torch.Tensor:
    """The editable kernel grid. Returns the kernel (kh, kw); the last valid one on bad input."""
    ss = st.session_state
    ss[PREFIX + "kernel"] = kept_matrix_editor("kernel", ss[PREFIX + "kernel"], _("kernel"),
                                               reset=ss.pop(PREFIX + "kernel_reset", False))
    return torch.tensor(ss[PREFIX + "kernel"], dtype=torch.float64)


def kept_matrix_editor(name: str, current: list[list[float]], what: str, reset: bool = False,
                       control: str | None = None) -> list[list[float]]:
    """`matrix_editor` for the matrix in use, `current`, that keeps its values across modes: Streamlit drops a
    data_editor's edits on any run that does not draw it, so an editor missing from the previous run (or
    `reset`) starts again, under a new key, from `current`. Returns the edited matrix (`current` on bad input).
    A lesson link may lock the matrix (`control`, its URL name's key: drawn read-only) or hide it (not drawn)."""
    ss = st.session_state
    fixed = lesson.control(control or PREFIX + name, what if control is None else None)
    if fixed == lesson.HIDE:
        return current
    if fixed == lesson.LOCK:
        st.caption(f"🔒 {lesson.fixed_note()}")
    base, version = f"{PREFIX}{name}_base", f"{PREFIX}{name}_version"
    # A first draw was not drawn last run either; a load from the URL (Back) replaces what was edited.
    if not drawn_last_run(PREFIX + name) or reset or loaded_this_run():
        ss[base] = copy.deepcopy(current)
        ss[version] = ss.get(version, -1) + 1
    rows = matrix_editor(f"{PREFIX}{name}_{ss[version]}", ss[base], what, disabled=fixed == lesson.LOCK)
    return current if rows is None else rows


def matrix_editor(key: str, base: list[list[float]], what: str, disabled: bool = False) -> list[list[float]] | None:
    """An editable grid of numbers; None (and an st.error) if a cell is empty, not a number or infinite.
    `what` names the matrix in the reader's language ("kernel", "kernel [0, 1]"), as errors show it."""
    df = pd.DataFrame(base, columns=[str(j) for j in range(len(base[0]))])
    config = {c: st.column_config.NumberColumn(c, required=True, width="small") for c in df.columns}
    edited = st.data_editor(df, key=key, num_rows="fixed", column_config=config, hide_index=False, disabled=disabled)
    try:
        return parse_matrix(edited.to_numpy(dtype=object).tolist(), what)
    except KernelError as exc:
        show_error(exc)
        st.caption(_("Showing the last valid {what} until the cell is fixed.").format(what=what))
        return None


def parse_matrix(cells: list[list[object]], what: str) -> list[list[float]]:
    """Every cell as a finite float, or a KernelError naming the first bad cell."""
    if not cells or not cells[0]:
        raise KernelError(N_("the {what} is empty; give it at least one row and one column"), what=what)
    out = []
    for r, row in enumerate(cells):
        out.append([])
        for c, cell in enumerate(row):
            try:
                v = float(cell)
            except (TypeError, ValueError):
                v = math.nan
            if math.isnan(v):  # the editor holds None or NaN for an empty cell or one it could not read
                raise KernelError(N_("{what} cell (row {r}, col {c}) is empty or not a number; type a number there"),
                                  what=what, r=r, c=c)
            if not math.isfinite(v):
                raise KernelError(N_("{what} cell (row {r}, col {c}) is {cell}, which is not finite; type a finite "
                                     "number there"), what=what, r=r, c=c, cell=repr(cell))
            out[-1].append(v)
    return out


def weights_1x1_controls(c_out: int, c_in: int) -> torch.Tensor:
    """The editable (c_out, c_in) weight matrix of the 1x1 convolution; a new channel count keeps the
    weights that still fit and gives the new ones the defaults."""
    ss, key = st.session_state, PREFIX + "w1x1"
    fitted = presets.default_1x1_weights(c_out, c_in)
    stored = torch.tensor(ss[key], dtype=torch.float64) if ss.get(key) else fitted
    _keep_overlap(fitted, stored)
    st.markdown(_("**W**: row = output channel, column = input channel"))
    ss[key] = kept_matrix_editor("w1x1", fitted.tolist(), _("weight"), reset=tuple(stored.shape) != (c_out, c_in))
    return torch.tensor(ss[key], dtype=torch.float64)


def _keep_overlap(fitted: torch.Tensor, stored: torch.Tensor) -> None:
    """Copies into `fitted` (c_out, c_in, ...) the entries of `stored` that still fit after a channel
    count changed; the rest keep their defaults."""
    h, w = min(fitted.shape[0], stored.shape[0]), min(fitted.shape[1], stored.shape[1])
    fitted[:h, :w] = stored[:h, :w]


def own_kernels_editor(K: torch.Tensor, c_out: int, c_in: int) -> torch.Tensor:
    """One editable kernel per (output, input) channel pair, starting from the book's K + o + i; a new
    channel count keeps the kernels that still fit, a new K (preset or shape) starts again from it.
    Returns (c_out, c_in, kh, kw)."""
    ss, key = st.session_state, PREFIX + "kfull"
    fitted = presets.stack_kernels(K, c_out, c_in)
    stored = torch.tensor(ss[key], dtype=torch.float64) if ss.get(key) else None
    fresh = stored is None or stored.shape[2:] != K.shape  # none yet, or a link's that does not fit K
    if not fresh:
        _keep_overlap(fitted, stored)
    reset = fresh or tuple(stored.shape[:2]) != (c_out, c_in)
    kernels = fitted.tolist()
    st.markdown(_("**Kernels K[o, i]**: one row per output channel o, one column per input channel i"))
    lesson.control(key, _("Kernels K[o, i]"))  # the lesson panel's name for all of them
    for o in range(c_out):
        cols = st.columns(presets.MAX_CHANNELS)  # the same narrow width whatever c_in
        for i in range(c_in):
            with cols[i]:
                st.caption(f"K[{o}, {i}]")
                what = _("kernel [{o}, {i}]").format(o=o, i=i)
                kernels[o][i] = kept_matrix_editor(f"kfull{o}{i}", kernels[o][i], what, reset, control=key)
    ss[key] = kernels
    return torch.tensor(kernels, dtype=torch.float64)


def _advance_cell(n: int) -> bool:
    """The next cell in reading order; at the last cell the animation stops there instead (True when it stops)."""
    key = PREFIX + "cell"
    cell = int(st.session_state.get(key, 0))
    if cell >= n - 1:
        st.session_state[PREFIX + "playing"] = False
        return True
    st.session_state[key] = cell + 1
    return False


def _toggle_play() -> None:
    """Play or Pause; Play on the last cell starts again from the first."""
    ss = st.session_state
    playing = not ss.get(PREFIX + "playing", False)
    if playing and int(ss.get(PREFIX + "cell", 0)) >= ss.get(PREFIX + "cells", 1) - 1:
        ss[PREFIX + "cell"], ss[PREFIX + "restart"] = 0, True  # the first cell is shown before the next tick
    ss[PREFIX + "playing"] = playing


def play_button() -> bool:
    """Play/Pause for the window animation (a full rerun, so the timed fragment picks up the change), and its
    speed beside it."""
    playing = st.session_state.get(PREFIX + "playing", False)
    st.button(_("Pause") if playing else _("Play"), key=PREFIX + "play", on_click=_toggle_play,
              icon=":material/pause:" if playing else ":material/play_arrow:",
              help=_("Slide the window across every output cell, one step at a time"))
    lesson.widget(st.segmented_control, _("Play speed"), tuple(PLAY_SECONDS), key=PREFIX + "speed", required=True,
                  format_func={k: _(label) for k, label in SPEED_LABELS.items()}.get, label_visibility="collapsed",
                  help=_("How fast Play moves the window: {slow} s, {normal} s or {fast} s a cell").format(
                      **{k: f"{v:g}" for k, v in PLAY_SECONDS.items()}))
    return playing


def cell_picker(oh: int, ow: int) -> tuple[int, int]:
    """The chosen output cell (i, j), stepped in reading order; advances one cell per tick while playing.
    When the output changes shape, the cell keeps its row and column (clamped to the new shape): the
    reading-order index alone would jump to another place."""
    ss, n, key = st.session_state, oh * ow, PREFIX + "cell"
    i, j = divmod(int(ss.get(key, 0)), ss.get(PREFIX + "out_w") or ow)  # in the shape it was picked in
    ss[key] = min(i, oh - 1) * ow + min(j, ow - 1)
    ss[PREFIX + "out_w"], ss[PREFIX + "cells"] = ow, n
    if ss.get(PREFIX + "playing") and not ss.pop(PREFIX + "restart", False) and _advance_cell(n):
        st.rerun()  # stopped on the last cell: the whole page redraws Play and stops the timed fragment
    if n > 1:
        lesson.widget(st.slider, _("Output cell (reading order), or click a cell of the output"), 0, n - 1, key=key,
                      format="%d")
    return divmod(int(ss[key]), ow)


def on_output_click() -> None:
    """Selection callback of the clickable output heatmap: the clicked cell becomes the chosen cell."""
    points = st.session_state.get(PREFIX + "out_chart", {}).get("selection", {}).get("points", [])
    if points:
        x, y = int(round(points[0]["x"])), int(round(points[0]["y"]))
        st.session_state[PREFIX + "cell"] = y * st.session_state.get(PREFIX + "out_w", 1) + x
        st.session_state[PREFIX + "playing"] = False


def run_stage(oh: int, ow: int, draw) -> None:
    """Draws `draw(i, j)` for the chosen cell inside a fragment that ticks while playing; the cell slider
    goes below the figures and the written-out sum, which a projector's first screen must show."""
    every = PLAY_SECONDS[value("speed")] if st.session_state.get(PREFIX + "playing") else None

    @st.fragment(run_every=every)
    def stage() -> None:
        figures = st.container()
        i, j = cell_picker(oh, ow)
        with figures:
            draw(i, j)
        save_to_url()  # a fragment rerun skips the page's own save: keep the link on the chosen cell

    stage()
