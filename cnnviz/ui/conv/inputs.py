"""Page 1's input: the book's examples, random integers, a Fashion-MNIST image or an upload; and what the
main area draws when the chosen input cannot be made."""

from __future__ import annotations

import streamlit as st
import torch

from cnnviz.conv import presets
from cnnviz.errors import CnnvizError
from cnnviz.i18n import N_
from cnnviz.images import load_grayscale
from cnnviz.ui.common import test_images
from cnnviz.ui.conv.state import DEFAULT_GRID, PARAMS, PREFIX
from cnnviz.ui.conv.widgets import kept_matrix_editor, number_control
from cnnviz.ui.lang import _, formatter, render
from cnnviz.ui import lesson


class NoInputYet(CnnvizError):
    """The chosen input needs something the student has not given yet (an upload)."""


def input_controls() -> torch.Tensor:
    """The chosen input, float64 (h, w) or (c, h, w); a CnnvizError saying why when it cannot be made."""
    name = lesson.widget(st.selectbox, _("Input"), presets.INPUT_PRESETS, key=PREFIX + "input", format_func=formatter())
    if name == "random integers":
        a, b, c = st.columns(3)
        with a:
            h = number_control("rand_h", _("rows"))
        with b:
            w = number_control("rand_w", _("cols"))
        with c:
            seed = number_control("seed", _("seed"))
        return presets.random_input(int(h), int(w), int(seed), channels=presets.MAX_CHANNELS)
    if name == "Fashion-MNIST image":
        return _fashion_mnist_image()
    if name == "uploaded image":
        return _uploaded_image()
    if name == "typed grid":
        return _typed_grid()
    return presets.book_input(name)


def _typed_grid() -> torch.Tensor:
    """An input typed cell by cell, like the kernel: its shape (rows and columns grow with zeros or are cut at
    the bottom and right) and its numbers. Starts as a diagonal edge (exercise 7.2.1)."""
    ss = st.session_state
    grid = ss.get(PREFIX + "grid") or DEFAULT_GRID
    ss[PREFIX + "grid_h"], ss[PREFIX + "grid_w"] = len(grid), len(grid[0])  # the matrix gives its shape
    a, b = st.columns(2)
    with a:
        number_control("grid_h", _("rows"), on_change=_resize_grid)
    with b:
        number_control("grid_w", _("cols"), on_change=_resize_grid)
    ss[PREFIX + "grid"] = kept_matrix_editor("grid", grid, _("input"), reset=ss.pop(PREFIX + "grid_reset", False))
    return torch.tensor(ss[PREFIX + "grid"], dtype=torch.float64)


def _resize_grid() -> None:
    ss = st.session_state
    grid = ss.get(PREFIX + "grid") or DEFAULT_GRID
    h, w = ss[PREFIX + "grid_h"], ss[PREFIX + "grid_w"]
    ss[PREFIX + "grid"] = [[grid[r][c] if r < len(grid) and c < len(grid[0]) else 0.0 for c in range(w)]
                           for r in range(h)]
    ss[PREFIX + "grid_reset"] = True


def _fashion_mnist_image() -> torch.Tensor:
    images, labels = test_images()
    index = number_control("fm_index", _("test image #"))
    from cnnviz.data import CLASSES

    st.caption(_("label: **{name}** (28×28, pixel values 0-255)").format(name=_(CLASSES[int(labels[index])])))
    return images[index].to(torch.float64)


def _uploaded_image() -> torch.Tensor:
    upload = st.file_uploader(_("Image (PNG or JPEG, shrunk to at most 32×32 grayscale)"),
                              type=["png", "jpg", "jpeg", "bmp", "gif", "webp"], key=PREFIX + "upload")
    if upload is None:
        raise NoInputYet(N_("upload an image in the sidebar to convolve it"))
    return load_grayscale(upload.getvalue(), max_side=32).to(torch.float64)


def show_input_problem(problem: CnnvizError, suffix: str = "") -> None:
    """An input that cannot be made: a missing upload as a hint, anything else as an error."""
    text = render(problem)  # in the reader's language
    text = text[0].upper() + text[1:] + suffix
    if isinstance(problem, NoInputYet):
        st.info(text, icon=":material/upload:")
    else:
        st.error(text, icon=":material/error:")


def usable_input(X: torch.Tensor | None, problem: CnnvizError | None) -> torch.Tensor:
    """The input the main area draws: X, or, when it cannot be made, the last input that worked (the
    default at first) with the problem said here too; a sidebar message alone leaves the page looking dead."""
    ss, key = st.session_state, PREFIX + "last_input"
    if X is not None:
        ss[key] = X
        return X
    fallback = ss.get(key)
    if fallback is None:
        fallback = presets.book_input(PARAMS["input"][0])
    shape = "×".join(str(n) for n in fallback.shape[-2:])
    meanwhile = _(". Meanwhile the page shows the last input that worked ({shape}).").format(shape=shape)
    show_input_problem(problem, meanwhile)
    return fallback
