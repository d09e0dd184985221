"""The builder's "two stacks side by side": an example or two typed stacks on the same input, compared by
receptive field, output shape, parameters and FLOPs (d2l 8.2: three 3x3 convolutions see what one 7x7 sees)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cnnviz.arch import MAX_INPUT_SIDE, STACK_EXAMPLES, ArchitectureError, StackSummary, shape_text, summarize_stack
from cnnviz.arch.layers import MAX_CHANNELS
from cnnviz.arch.stacks import EXAMPLE_INPUT, STACK_SYNTAX, parse_stack, stack_text
from cnnviz.figures.arch_stacks import stacks_figure
from cnnviz.i18n import DEFAULT_LANGUAGE as EN, N_, render, tr
from cnnviz.ui import lang
from cnnviz.ui.common import chart, keep_widgets
from cnnviz.ui.lang import _

OWN = N_("(type your own)")  # the example box's entry once a stack is typed (a value: shown translated)
EXAMPLE, FIRST, SECOND = "arch_stack_example", "arch_stack_a", "arch_stack_b"
CHANNELS, SIDE = "arch_stack_channels", "arch_stack_side"
_first, _second = next(iter(STACK_EXAMPLES.values()))
DEFAULTS = {EXAMPLE: next(iter(STACK_EXAMPLES)), FIRST: stack_text(_first), SECOND: stack_text(_second),
            CHANNELS: EXAMPLE_INPUT[0], SIDE: EXAMPLE_INPUT[1]}


def _on_example() -> None:
    name = st.session_state[EXAMPLE]
    if name in STACK_EXAMPLES:
        first, second = STACK_EXAMPLES[name]
        st.session_state[FIRST], st.session_state[SECOND] = stack_text(first), stack_text(second)


def _on_typed() -> None:
    st.session_state[EXAMPLE] = OWN


def show_stacks() -> None:
    """An expander below the exports: the controls, then the comparison (or what to fix)."""
    keep_widgets(DEFAULTS, "arch_stack_saved")
    with st.container(key="arch_stacks"), st.expander(_("Two stacks side by side: three 3x3 vs one 7x7 (d2l 8.2)"),
                                                      icon=":material/compare:"):
        stacks = stack_controls()
        if stacks is not None:
            show_comparison(*stacks)


def stack_controls() -> tuple[StackSummary, StackSummary] | None:
    """Draws the controls; returns both stacks summarized, or None after showing what to fix."""
    example, channels, side = st.columns([5, 2, 2], vertical_alignment="bottom")
    example.selectbox(_("Example"), [*STACK_EXAMPLES, OWN], key=EXAMPLE, on_change=_on_example,
                      format_func=lang.formatter())
    channels.number_input(_("Channels"), 1, MAX_CHANNELS, step=1, key=CHANNELS,
                          help=_("Input and output channels of every convolution."))
    side.number_input(_("Input side"), 1, MAX_INPUT_SIDE, step=1, key=SIDE, help=_("The input is square."))
    first, second = st.columns(2)
    syntax = _("Write {syntax}.").format(syntax=render(STACK_SYNTAX, lang.current()))
    first.text_input(_("Stack A"), key=FIRST, on_change=_on_typed, help=syntax)
    second.text_input(_("Stack B"), key=SECOND, on_change=_on_typed, help=syntax)
    shape = (int(st.session_state[CHANNELS]), int(st.session_state[SIDE]), int(st.session_state[SIDE]))
    summaries = []
    for label, key in (("A", FIRST), ("B", SECOND)):
        try:
            layers = parse_stack(st.session_state[key], shape[0])
            summaries.append(summarize_stack(layers, shape))
        except ArchitectureError as exc:
            st.error(_("Stack {label} cannot be compared: {error}.").format(label=label,
                                                                             error=lang.render(exc).rstrip(".。")),
                     icon=":material/error:")
    return tuple(summaries) if len(summaries) == 2 else None


def ratio(a: int, b: int, lang: str = EN) -> str:
    """A's figure as a multiple of B's: "0.55x"; "same" when equal."""
    return tr(lang, N_("same")) if a == b else f"{a / b:.2f}x"


# The table's lines, short enough for a 1280-pixel projector; the caption below spells them out.
FIGURES = (N_("RF"), N_("output"), N_("params"), "FLOPs", N_("ReLUs"))


def comparison_frame(a: StackSummary, b: StackSummary, names: tuple[str, str], lang: str = EN) -> pd.DataFrame:
    """One line per figure, one column per stack, and A / B."""
    field_a, field_b = a.receptive_field, b.receptive_field
    same_shape = tr(lang, N_("same") if a.output_shape == b.output_shape else N_("differs"))
    return pd.DataFrame({
        "": [tr(lang, figure) for figure in FIGURES],
        names[0]: [f"{field_a.size}×{field_a.size}", render(shape_text(a.output_shape), lang), f"{a.params:,}",
                   f"{a.flops:,}", str(_activations(a))],
        names[1]: [f"{field_b.size}×{field_b.size}", render(shape_text(b.output_shape), lang), f"{b.params:,}",
                   f"{b.flops:,}", str(_activations(b))],
        "A / B": [ratio(field_a.size, field_b.size, lang), same_shape, ratio(a.params, b.params, lang),
                  ratio(a.flops, b.flops, lang), ratio(_activations(a), _activations(b), lang)],
    })


def _activations(stack: StackSummary) -> int:
    return sum(type(layer).__name__ == "Activation" for layer in stack.layers)


def show_comparison(a: StackSummary, b: StackSummary) -> None:
    table, figure = st.columns([3, 2])
    with table, st.container(key="arch_stack_table"):  # the stacks' own text is in the boxes above
        narrow = {"": st.column_config.TextColumn("", width=60), "A": st.column_config.TextColumn(width=100),
                  "B": st.column_config.TextColumn(width=100), "A / B": st.column_config.TextColumn(width=58)}
        st.dataframe(comparison_frame(a, b, ("A", "B"), lang.current()), hide_index=True, width="stretch",
                     column_config=narrow)
    with figure:
        chart(stacks_figure(("A", "B"), (a.params, b.params), (a.flops, b.flops), lang.current()),
              key="arch_stack_figure")
    st.caption(_("**RF**: the receptive field of one output unit, input pixels per side; **params**: weights and "
                 "biases; **FLOPs**: per image, a multiply-add counts 2. Each convolution keeps the size (padding) "
                 "and is followed by a ReLU; channels stay the same throughout. A k x k convolution has k² C² "
                 "weights (+ C biases), so three 3×3 layers hold 27 C² against 49 C² for one 7×7 that sees the "
                 "same 7×7 window, with two more non-linearities."))
