"""How page 7 writes out one unit's computation, kind by kind, with the numbers of `explain_unit`."""

from __future__ import annotations

import math

import streamlit as st

from cnnviz.figures import inside as figs
from cnnviz.inspection.explain_unit import Explanation, SoftmaxUnit
from cnnviz.ui import lang
from cnnviz.ui.common import chart
from cnnviz.ui.lang import _

SHOWN_CHANNELS = 3  # a convolution's input channels drawn window by window (largest sums first)
ACTIVATION_LATEX = {"relu": r"\max(0,\ {x})", "sigmoid": r"\frac{{1}}{{1 + e^{{-({x})}}}}",
                    "tanh": r"\tanh({x})", "leaky_relu": r"{x}\ \text{{if}}\ {x} \ge 0\ \text{{else}}\ {slope} \times {x}",
                    "gelu": r"\mathrm{{GELU}}({x})"}


def num(value: float) -> str:
    """A number as the page prints it: 4 decimals, or 4 significant digits for very small or large ones."""
    if value == 0 or 1e-3 <= abs(value) < 1e5:
        return f"{value:.4f}"
    return f"{value:.3e}"


def _pair(pair: tuple[int, int]) -> str:
    """(2, 2) -> "2", (1, 2) -> "1×2" (rows × columns)."""
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}×{pair[1]}"


def _where(index: tuple[int, ...]) -> str:
    if len(index) == 3:
        return _("channel {channel}, row {row}, column {column}").format(channel=index[0], row=index[1],
                                                                          column=index[2])
    return _("unit {unit}").format(unit=index[0])


def heading(explained: Explanation, kind: str) -> None:
    st.markdown(_("**{layer}** ({kind}), {where}: **{total}** (the forward pass gives {output})").format(
        layer=explained.layer, kind=kind, where=_where(explained.index), total=num(explained.total),
        output=num(explained.output)))


def conv(explained: Explanation) -> None:
    parts = explained.parts
    st.caption(_("stride {stride}, padding {padding}, dilation {dilation}, groups {groups}; the window starts at "
                 "row {row}, column {column} of the input (grey cells: padding, read as 0)").format(
        stride=_pair(parts.stride), padding=_pair(parts.padding), dilation=_pair(parts.dilation), groups=parts.groups,
        row=parts.window.origin[0], column=parts.window.origin[1]))
    order = parts.channel_sums.abs().argsort(descending=True).tolist()
    shown = order[:SHOWN_CHANNELS]
    for place, position in enumerate(shown):  # one row per input channel: window x kernel = sum
        channel = parts.in_channels[position]
        window_col, kernel_col, sum_col = st.columns([1, 1, 1.1], vertical_alignment="center")
        with window_col:
            chart(figs.window(parts.values[position], parts.window.padded,
                              _("input channel {channel}").format(channel=channel), lang=lang.current()),
                  f"in_window_{place}")
        with kernel_col:
            chart(figs.window(parts.kernel[position], title=_("kernel"), diverging=True, lang=lang.current()),
                  f"in_kernel_{place}")
        with sum_col:
            st.markdown(_("window × kernel, summed: **{sum}**").format(sum=num(float(parts.channel_sums[position]))))
    terms = " + ".join(num(float(parts.channel_sums[p])) for p in shown)
    rest = order[SHOWN_CHANNELS:]
    if rest:
        rest_sum = float(parts.channel_sums[rest].sum())
        terms += " + " + _("{sum} (the other {count} input channels)").format(sum=num(rest_sum), count=len(rest))
    st.markdown(_("Sum over the input channels {terms}, plus the bias {bias}: **{total}**").format(
        terms=terms, bias=num(parts.bias), total=num(explained.total)))


def pool(explained: Explanation) -> None:
    parts = explained.parts
    finite = parts.values.clone()
    fig = figs.window(finite, parts.window.padded, _("the window"), picked=parts.picked, lang=lang.current())
    left, right = st.columns([1, 2])
    with left:
        chart(fig, "in_pool_window")
    with right:
        if parts.mode == "max":
            st.markdown(_("The largest value in the window (outlined) is **{total}**; it sits at row {row}, column "
                          "{column} of the input.").format(total=num(explained.total),
                                                           row=int(parts.window.rows[parts.picked[0]]),
                                                           column=int(parts.window.cols[parts.picked[1]])))
        else:
            st.markdown(_("The window's values add up to {sum}; divided by {count}: **{total}**").format(
                sum=num(float(parts.values.sum())), count=parts.divisor, total=num(explained.total)))


def batch_norm(explained: Explanation) -> None:
    p = explained.parts
    st.latex(rf"\frac{{{num(p.x)} - ({num(p.mean)})}}{{\sqrt{{{num(p.var)} + {p.eps:g}}}}} \times {num(p.gamma)}"
             rf" + ({num(p.beta)}) = {num(p.total)}")
    st.caption(_("(x − running mean) / √(running variance + ε) × γ + β: the statistics the network kept while "
                 "training, not this image's."))


def activation(explained: Explanation) -> None:
    p = explained.parts
    formula = ACTIVATION_LATEX[p.fn].format(x=num(p.x), slope=f"{p.slope:g}")
    st.latex(f"{formula} = {num(p.total)}")


def then_activation(explained: Explanation, kind: str) -> None:
    st.markdown(_("Then **{layer}** ({kind}):").format(layer=explained.layer, kind=kind))
    activation(explained)


def dense(explained: Explanation) -> None:
    p = explained.parts
    rows = [{_("input unit"): j, _("input value"): num(x), _("weight"): num(w), _("weight × input"): num(w * x)}
            for j, w, x in zip(p.inputs, p.weights, p.values)]
    st.dataframe(rows, hide_index=True, height=min(36 * (len(rows) + 1), 330))
    st.markdown(_("The {top} largest terms shown add up to {shown}; the other {count} add up to {rest}; plus the "
                  "bias {bias}: **{total}**").format(top=len(p.inputs), shown=num(sum(w * x for w, x in zip(
                      p.weights, p.values))), count=p.rest_count, rest=num(p.rest_sum), bias=num(p.bias),
                      total=num(explained.total)))


def source(explained: Explanation) -> None:
    p = explained.parts
    where = ", ".join(map(str, p.source))
    st.markdown(_("A copy of unit ({where}) of its input: **{total}**; nothing is computed (dropout passes "
                  "everything at inference).").format(where=where, total=num(explained.total)))


def concat(explained: Explanation) -> None:
    p = explained.parts
    where = ", ".join(map(str, p.source))
    text = (_("Channel {channel} of the concatenation is unit ({where}) of the block's channels so far: **{total}**; "
              "a dense block keeps every earlier channel and appends the new ones.") if p.part == 0 else
            _("Channel {channel} of the concatenation is unit ({where}) of the channels the last convolution just "
              "made: **{total}**; a dense block appends them after the earlier ones."))
    st.markdown(text.format(channel=explained.index[0], where=where, total=num(explained.total)))


def normalize(explained: Explanation) -> None:
    p = explained.parts
    st.latex(rf"\frac{{{num(p.x)} - {num(p.mean)}}}{{{num(p.std)}}} = {num(p.total)}")
    st.caption(_("The pixel (0 to 1) minus the training images' mean, divided by their standard deviation."))


def softmax(parts: SoftmaxUnit, forward: float, class_names: list[str]) -> None:
    k = parts.index
    st.markdown(_("**softmax**, class {name}: **{total}** (the forward pass gives {output})").format(
        name=class_names[k], total=num(parts.total), output=num(forward)))
    top = max(parts.logits)
    st.latex(rf"\frac{{e^{{{num(parts.logits[k])} - {num(top)}}}}}{{\sum_j e^{{z_j - {num(top)}}}}} = "
             rf"\frac{{{num(parts.exps[k])}}}{{{num(math.fsum(parts.exps))}}} = {num(parts.total)}")
    rows = [{_("class"): class_names[j], _("logit"): num(z), _("exp(logit − largest)"): num(e)}
            for j, (z, e) in enumerate(zip(parts.logits, parts.exps))]
    st.dataframe(rows, hide_index=True, height=36 * (len(rows) + 1))
