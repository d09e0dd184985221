"""A guided tour per page: a few short steps, in order, that say what to look at and what to try.

The tour is a small box at the top of the page (step i of n, the text, Back / Next / End); the part a step points
at is named in its text and outlined on the page when it has a widget key. It never changes the page's settings.
Started from the sidebar's button or from `tour=1` in a link (once per tab and page).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from cnnviz.i18n import N_
from cnnviz.ui.lang import _


@dataclass(frozen=True)
class Step:
    text: str  # N_() template: what to look at and what to try
    key: str = ""  # the widget or container key of the part it points at (outlined), "" for none


STEPS: dict[str, tuple[Step, ...]] = {
    "home": (
        Step(N_("Each card is one page of the app, with the book's sections it follows. Start at the top left.")),
        Step(N_("The menu on the left opens the same pages from anywhere; the language switch sits below it.")),
        Step(N_("Presenter mode, in the sidebar, makes the text larger for a projector.")),
        Step(N_("\"This machine\" at the bottom says which device trains and whether Fashion-MNIST is installed.")),
    ),
    "conv": (
        Step(N_("Mode, at the top: one channel, several channels, a 1×1 convolution or pooling."), "p1_mode"),
        Step(N_("Padding, stride, dilation, in the sidebar: change one and watch the output's size change."),
             "p1_pad_h"),
        Step(N_("The input, in the sidebar; the Kernel button loads a preset kernel or edits its numbers."),
             "p1_input"),
        Step(N_("The output, on the right: click a cell, or use the slider, to see the sum that makes it."), "p1_cell"),
        Step(N_("Try it: turn on the true convolution and see how flipping the kernel changes the output."),
             "p1_true_conv"),
    ),
    "edge": (
        Step(N_("The buttons: Play runs gradient descent, Step takes one step, Reset starts again."), "edge_play"),
        Step(N_("The learning rate: the setting that matters most here. Start with the default."), "edge_lr"),
        Step(N_("The learned kernel moves towards the target [1, -1]; the loss below falls."), "edge_kernel_chart"),
        Step(N_("Try it: raise the learning rate until the loss explodes, then find the largest one that works."),
             "edge_lr"),
    ),
    "builder": (
        Step(N_("Start from: pick a network of the book; the table below lists its layers."), "arch_preset"),
        Step(N_("The table: change a layer's channels, kernel or stride; every shape is checked at once.")),
        Step(N_("The diagram shows each layer's output shape; a layer that cannot run is marked in red."),
             "arch_diagram"),
        Step(N_("Try it: remove a pooling layer and watch the parameters and FLOPs of the dense layers grow.")),
    ),
    "train": (
        Step(N_("The architecture and the dataset: what is trained, on what."), "train_arch"),
        Step(N_("The optimizer and the learning rate: the settings a lesson changes most."), "train_lr"),
        Step(N_("Start: the curves show the loss falling and the accuracy rising, epoch by epoch."), "train_start"),
        Step(N_("Below the curves: the confusion matrix, the accuracy per class, and every run compared.")),
        Step(N_("Try it: train twice with two learning rates and compare the two runs' curves.")),
    ),
    "activations": (
        Step(N_("The classes to compare, in the sidebar: pullovers and coats to start."), "act_classes"),
        Step(N_("The model: which trained network's layers are shown."), "act_model"),
        Step(N_("The maps: what each channel of the chosen layer responds to, for each image."), "act_layer"),
        Step(N_("Try it: pick the second layer and look for a channel that tells the two classes apart.")),
    ),
    "exercises": (
        Step(N_("The filters: search, a section, a kind of exercise, and the edition's wording."), "ex_filters"),
        Step(N_("Each exercise: its statement in the app's words, a hint, and an answer computed by the app.")),
        Step(N_("Try it: an exercise's link opens the page that answers it, ready to run.")),
    ),
    "inside": (
        Step(N_("The model and the input, in the sidebar: a test image, or one you draw."), "in_source"),
        Step(N_("The overview: every layer's output, from the pixels to the class probabilities; click a map.")),
        Step(N_("One unit, below it: choose a layer, a channel and a position to see its number worked out."),
             "in_layer"),
        Step(N_("Try it: follow a unit of the last layer back to the part of the image it looks at.")),
    ),
    "board": (  # only the code box is there before a board is open: the other steps name their part
        Step(N_("The class code: type the code the students joined with (they join from the sidebar or a link)."),
             "board_code"),
        Step(N_("Sort, group by a setting, and choose what the final accuracies are plotted against.")),
        Step(N_("Every run of the class, live: who ran what, the settings that differ, and how well it did.")),
        Step(N_("The curves of every run overlaid, then each run's final accuracy against the chosen setting.")),
        Step(N_("Pin or hide a run, download the board, or clear it with the teacher key.")),
    ),
}


# A compact box: less padding than a bordered container's, so the page's first screen keeps its controls.
TOUR_CSS = "<style>.st-key-tour_box {padding: 0.45rem 0.8rem !important;}</style>"


def _index_key(page: str) -> str:
    return f"_tour_step_{page}"


def start(page: str) -> None:
    st.session_state[_index_key(page)] = 0


def _move(page: str, by: int) -> None:
    st.session_state[_index_key(page)] += by


def end(page: str) -> None:
    st.session_state.pop(_index_key(page), None)


def running(page: str) -> bool:
    return _index_key(page) in st.session_state


def start_from_link(page: str, asked: bool) -> None:
    """`tour=1` in the link starts the tour once per tab and page (not again after End, nor on each rerun)."""
    seen = f"_tour_link_{page}"
    if asked and not st.session_state.get(seen):
        st.session_state[seen] = True
        start(page)


def box(page: str) -> None:
    """The tour's box at the top of the page while it runs."""
    steps = STEPS.get(page, ())
    if not running(page) or not steps:
        return
    index = min(max(st.session_state[_index_key(page)], 0), len(steps) - 1)
    st.session_state[_index_key(page)] = index
    step = steps[index]
    with st.container(border=True, key="tour_box", horizontal=True, vertical_alignment="center", gap="small"):
        st.markdown(_("**Tour, step {step} of {count}.** {text}").format(step=index + 1, count=len(steps),
                                                                        text=_(step.text)), width="stretch")
        with st.container(horizontal=True, gap="small", width="content"):  # the buttons stay on one line
            st.button(_("Back"), key="tour_back", on_click=_move, args=(page, -1), disabled=index == 0,
                      icon=":material/arrow_back:")
            if index < len(steps) - 1:
                st.button(_("Next"), key="tour_next", on_click=_move, args=(page, 1), type="primary",
                          icon=":material/arrow_forward:")
            st.button(_("End tour"), key="tour_end", on_click=end, args=(page,), icon=":material/close:")
    if step.key:  # outline the part the step points at (a key of ours, never user text)
        st.html(f"<style>.st-key-{step.key} {{outline: 3px solid #ff4b4b; outline-offset: 3px; "
                "border-radius: 0.5rem;}</style>")
    st.html(TOUR_CSS)


def button(page: str) -> None:
    """The sidebar's button that starts (or restarts) the tour."""
    if STEPS.get(page):
        st.button(_("Guided tour"), key="tour_start", on_click=start, args=(page,), icon=":material/tour:",
                  width="stretch")
