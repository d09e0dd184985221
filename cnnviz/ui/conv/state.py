"""Page 1's state: every control mirrored in the URL (st.query_params) so a teacher can share a link."""

from __future__ import annotations

import streamlit as st
import torch

from cnnviz.conv.presets import (INPUT_PRESETS, KERNEL_PRESETS, MAX_CHANNELS, MAX_GRID_SIDE, MAX_KERNEL_SIDE,
                                  default_1x1_weights, diagonal_image)
from cnnviz.errors import CnnvizError
from cnnviz.i18n import N_
from cnnviz.ui.common import RUN_KEY, keep_widgets, page_query, url_to_load, url_written, write_page_query

PREFIX = "p1_"
URL_PAGE = "conv"  # this page's name for common.url_to_load / url_written
# Choices are also the link's values: English, stable; the page shows them translated (N_ marks them).
MODES = (N_("Single channel"), N_("Multi-channel"), N_("1×1 convolution"), N_("Pooling"))
CUSTOM_KERNEL = N_("custom")  # the kernel preset box once a cell is edited
POOL_SOURCES = (N_("the input"), N_("the convolution's output"), N_("shift demo (edge image)"))


def _ints(lo: int, hi: int) -> range:
    return range(lo, hi + 1)


# URL name -> (default, allowed values). The widget key is PREFIX + name.
PARAMS: dict[str, tuple[object, object]] = {
    "mode": (MODES[0], MODES),
    "input": (INPUT_PRESETS[0], INPUT_PRESETS),
    "rand_h": (5, _ints(1, 32)), "rand_w": (5, _ints(1, 32)), "seed": (0, _ints(0, 9999)),
    "fm_index": (0, _ints(0, 9999)),
    "grid_h": (6, _ints(1, MAX_GRID_SIDE)), "grid_w": (6, _ints(1, MAX_GRID_SIDE)),  # the typed grid's shape
    "kpreset": ("book [[0, 1], [2, 3]]", (*KERNEL_PRESETS, CUSTOM_KERNEL)),
    "kh": (2, _ints(1, MAX_KERNEL_SIDE)), "kw": (2, _ints(1, MAX_KERNEL_SIDE)),
    "pad_h": (0, _ints(0, 6)), "pad_w": (0, _ints(0, 6)),
    "stride_h": (1, _ints(1, 6)), "stride_w": (1, _ints(1, 6)),
    "dil_h": (1, _ints(1, 4)), "dil_w": (1, _ints(1, 4)),
    "true_conv": (False, (False, True)),
    "cell": (0, _ints(0, 32 * 32)),
    "speed": ("normal", ("slow", "normal", "fast")),  # Play's (widgets.PLAY_SECONDS)
    "c_in": (2, _ints(1, MAX_CHANNELS)), "c_out": (3, _ints(1, MAX_CHANNELS)), "explain_out": (0, _ints(0, 2)),
    "own_kernels": (False, (False, True)),
    "pool_mode": ("max", ("max", "avg")), "pool_source": (POOL_SOURCES[0], POOL_SOURCES),
    "pool_kh": (2, _ints(1, 6)), "pool_kw": (2, _ints(1, 6)),
    "pool_pad_h": (0, _ints(0, 3)), "pool_pad_w": (0, _ints(0, 3)),
    "pool_stride_h": (1, _ints(1, 6)), "pool_stride_w": (1, _ints(1, 6)),
    "shift": (1, _ints(-2, 2)),
}
MATRICES = ("kernel", "w1x1", "grid")  # matrices kept in session state as lists of rows, in the URL as "0,1;2,3"
MATRIX_SIDES = {"grid": MAX_GRID_SIDE}  # the largest side a link may give (the others': MAX_KERNEL_SIDE)
DEFAULT_GRID = diagonal_image(6).tolist()  # the typed grid starts as exercise 7.2.1's diagonal edge
SHAPES = ("kh", "kw", "grid_h", "grid_w")  # follow their matrix: the link gives the matrix, not these
KERNELS = "kfull"  # the per-channel kernels, (c_out, c_in, kh, kw), in the URL as K[0,0]/K[0,1]/.../K[c_out-1,c_in-1]


def _parse(text: str, default):
    if isinstance(default, bool):
        return {"true": True, "false": False}.get(text.lower())
    if isinstance(default, int):
        try:
            return int(text)
        except ValueError:
            return None
    return text


def encode_matrix(rows: list[list[float]]) -> str:
    """[[0, 1], [2, 3]] -> '0,1;2,3' (integers without a decimal point, other numbers exactly)."""
    return ";".join(",".join(str(int(v)) if float(v).is_integer() else repr(float(v)) for v in row)
                    for row in rows)


def decode_matrix(text: str, max_side: int = MAX_KERNEL_SIDE) -> list[list[float]]:
    """'0,1;2,3' -> [[0.0, 1.0], [2.0, 3.0]]; a CnnvizError if it is not a finite rectangular matrix."""
    try:
        rows = [[float(v) for v in row.split(",")] for row in text.split(";")]
    except ValueError as exc:
        raise CnnvizError(N_("the matrix {text} in the link has a value that is not a number"),
                          text=repr(text)) from exc
    if len({len(r) for r in rows}) != 1 or len(rows) > max_side or len(rows[0]) > max_side:
        raise CnnvizError(N_("the matrix {text} in the link is not rectangular or is larger than {side}×{side}"),
                          text=repr(text), side=max_side)
    if not torch.isfinite(torch.tensor(rows)).all():
        raise CnnvizError(N_("the matrix {text} in the link has a non-finite value"), text=repr(text))
    return rows


def encode_kernels(kernels: list) -> str:
    """(c_out, c_in, kh, kw) nested lists -> '0,1;2,3/1,2;3,4/...' in (o, i) reading order."""
    return "/".join(encode_matrix(k) for row in kernels for k in row)


def decode_kernels(text: str, c_in: int) -> list:
    """The inverse of encode_kernels, `c_in` kernels per output channel; a CnnvizError if they do not fit."""
    flat = [decode_matrix(part) for part in text.split("/")]
    if len(flat) % c_in or len(flat) // c_in > MAX_CHANNELS or len({(len(k), len(k[0])) for k in flat}) != 1:
        raise CnnvizError(N_("the {count} kernels in the link do not make {c_in} per output channel, at most "
                             "{most} output channels, all of one shape"), count=len(flat), c_in=c_in,
                          most=MAX_CHANNELS)
    return [flat[o * c_in:(o + 1) * c_in] for o in range(len(flat) // c_in)]


def load_from_url() -> list[str | CnnvizError]:
    """Copies the link's state into session state when the page should load it: its first visit, a shared
    link, the browser's Back or Forward (common.url_to_load decides). A setting the link does not name goes
    back to its default, so Back shows exactly the state before the last change. Returns what was ignored:
    `name='value'` for an unknown or disallowed setting, the error for a matrix that does not decode."""
    query = url_to_load(URL_PAGE)
    # A URL that names none of this page's settings belongs to another page: keep the state.
    if query is None or (query and not set(query) & {*PARAMS, *MATRICES, KERNELS}):
        return []
    _reset_to_defaults()
    ignored = []
    for name, text in query.items():
        try:
            ignored += _load_one(name, text, query)
        except CnnvizError as exc:
            ignored.append(exc)  # shown in the reader's language
    return ignored


def _reset_to_defaults() -> None:
    """Every setting at its default; the editors and the kernel start again from what is loaded next."""
    ss = st.session_state
    for name, (default, _) in PARAMS.items():
        ss[PREFIX + name] = default
    for name in (*MATRICES, KERNELS, "kernel_ready", "out_w"):
        ss.pop(PREFIX + name, None)
    ss[PREFIX + "playing"] = False
    ss[PREFIX + "loaded_run"] = ss.get(RUN_KEY)  # editors drawn in this run start from the loaded values


def _load_one(name: str, text: str, query: dict[str, str]) -> list[str]:
    """One query parameter into session state; returns it when it is unknown or not allowed."""
    ss = st.session_state
    if name == KERNELS:
        c_in = _parse(query.get("c_in", ""), 0)
        ss[PREFIX + KERNELS] = decode_kernels(text, c_in if c_in in PARAMS["c_in"][1] else PARAMS["c_in"][0])
        return []
    if name in MATRICES:
        ss[PREFIX + name] = decode_matrix(text, MATRIX_SIDES.get(name, MAX_KERNEL_SIDE))
        return []
    default, allowed = PARAMS.get(name, (None, ()))
    value = _parse(text, default)
    if value is None or value not in allowed:
        return [f"{name}={text!r}"]
    ss[PREFIX + name] = value
    return []


def loaded_this_run() -> bool:
    """True on the run that loaded the state from the URL: editors must drop what they held."""
    ss = st.session_state
    return ss.get(PREFIX + "loaded_run") is not None and ss.get(PREFIX + "loaded_run") == ss.get(RUN_KEY)


def keep_widget_state() -> None:
    """Gives every control its default once, and keeps its value while another mode or page is shown
    (Streamlit drops the state of widgets a run does not draw)."""
    keep_widgets({PREFIX + name: default for name, (default, _) in PARAMS.items()}, PREFIX + "saved")


def value(name: str):
    """The current value of a control (its default before the widget has been drawn)."""
    return st.session_state.get(PREFIX + name, PARAMS[name][0])


def save_to_url() -> None:
    """Writes every non-default value to the URL (only when something changed; each write is a step the
    browser's Back undoes). While the window is playing, the chosen cell stays as the URL has it, so an
    animation does not fill the history with one entry per step."""
    ss = st.session_state
    wanted = {}
    for name, (default, _) in PARAMS.items():
        current = ss.get(PREFIX + name, default)
        if current != default and name not in SHAPES:  # the matrix in the link gives its shape
            wanted[name] = str(current).lower() if isinstance(current, bool) else str(current)
    if ss.get(PREFIX + "playing"):
        wanted.pop("cell", None)
        if "cell" in st.query_params:
            wanted["cell"] = st.query_params["cell"]
    preset = ss.get(PREFIX + "kpreset", PARAMS["kpreset"][0])
    defaults = {"kernel": KERNEL_PRESETS.get(preset, KERNEL_PRESETS[PARAMS["kpreset"][0]]),
                "w1x1": default_1x1_weights(ss.get(PREFIX + "c_out", 1), ss.get(PREFIX + "c_in", 1)).tolist(),
                "grid": DEFAULT_GRID}
    for name in MATRICES:
        rows = ss.get(PREFIX + name)
        if rows is not None and rows != defaults[name]:
            wanted[name] = encode_matrix(rows)
    if ss.get(PREFIX + "own_kernels") and ss.get(PREFIX + KERNELS):
        wanted[KERNELS] = encode_kernels(ss[PREFIX + KERNELS])
    if wanted != page_query():
        write_page_query(wanted)
    url_written(URL_PAGE)
