"""Page 1's four views: single channel, multi-channel, 1x1 convolution and pooling."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import streamlit as st
import torch

from cnnviz.conv import presets
from cnnviz.conv import explain
from cnnviz.conv import ops
from cnnviz.conv import oracle
from cnnviz.figures import style
from cnnviz.figures.conv import figure_width, grid_figure, shared_cell_px
from cnnviz.ui import common
from cnnviz.ui.common import show_error
from cnnviz.ui.conv.state import PREFIX
from cnnviz.ui.conv.widgets import on_output_click, run_stage
from cnnviz.ui.lang import _, current


@dataclass(frozen=True)
class Geometry:
    padding: tuple[int, int]
    stride: tuple[int, int]
    dilation: tuple[int, int]
    flip: bool  # true convolution: the kernel turned 180 degrees


def input_title(Xp: torch.Tensor, padding: tuple[int, int]) -> str:
    """The input figure's title: "input, padded 7×10" only when padding adds cells, else "input 5×8"."""
    h, w = Xp.shape[-2:]
    if any(padding):
        return _("input, padded {h}×{w}").format(h=h, w=w)
    return _("input {h}×{w}").format(h=h, w=w)


def chart(fig, key: str, clickable: bool = False) -> None:
    """A grid figure; the clickable one reports the clicked cell, the others are static pictures."""
    if clickable:
        common.chart(fig, key, on_select=on_output_click, selection_mode="points")
    else:
        common.chart(fig, key, config={"staticPlot": True})


def grid(values: torch.Tensor, title: str, **kwargs):
    """figures.conv.grid_figure with its hover texts in the reader's language (`title` comes translated)."""
    return grid_figure(values, title, lang=current(), **kwargs)


def input_colours(X: torch.Tensor) -> str:
    """Gray for photographs (values above 20), a colour scale for the book's small integers."""
    return style.GRAY if float(X.abs().max()) > 20 else style.SEQUENTIAL


def shape_formula(n_hw: tuple[int, int], k_hw: tuple[int, int], geo: Geometry, out: tuple[int, int]) -> None:
    """The output shape, with the formula and this page's numbers plugged in, per side."""
    sides = [explain.output_size_formula(side, n_hw[a], k_hw[a], geo.padding[a], geo.stride[a], geo.dilation[a])
             for a, side in enumerate((_("rows"), _("cols")))]
    st.markdown(_("**Output shape {rows}×{cols}** = ⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1 per side").format(
        rows=out[0], cols=out[1]) + f"  \n`{sides[0]}`  \n`{sides[1]}`")


SINGLE_HEIGHT = 300  # the tallest grid on the single-channel view: figures and sum fit a 720-pixel screen
ROW_HEIGHT = 240  # one row of a multi-channel, 1x1 or pooling view
# The width the grids of one row share: the main area beside an open sidebar on a 1280-pixel projector.
ROW_WIDTH = 740
NBSP = "\u00a0"


def _layout(*grids: tuple[torch.Tensor, str], max_height: int = SINGLE_HEIGHT) -> tuple[list[int], list[int]]:
    """For (grid, title) figures side by side, one cell size for all: each figure's max_height, and column
    weights so that each figure gets about the width it draws at, title included."""
    cell = shared_cell_px([tuple(g.shape[-2:]) for g, _ in grids], max_height, ROW_WIDTH)
    font = style.FONT_SIZE * (common.PRESENTER_FONT_SCALE if common.presenting() else 1)
    heights = [cell * g.shape[-2] for g, _ in grids]
    widths = [figure_width(g.shape[-2], g.shape[-1], h, title, font) for (g, title), h in zip(grids, heights)]
    return heights, widths


def _signed(v: float) -> str:
    s = explain.fmt(v)
    return f"({s})" if s.startswith("-") else s


def cell_sum(lead: str, window: torch.Tensor, K: torch.Tensor) -> tuple[str, str | None]:
    """The chosen cell written out: (a line, None) for a one-row kernel or up to 4 taps, else (the sum of
    the kernel rows' subtotals, then each kernel row's own sum). A 7x7 kernel's 49 terms on one line run
    across the screen; grouped per kernel row they read like the kernel. window, K: (kh, kw)."""
    if K.shape[0] == 1 or K.numel() <= 4:
        return f"{lead} {explain.written_sum(window, K)}", None
    subtotals = [sum(float(a) * float(b) for a, b in zip(window[r].tolist(), K[r].tolist()))
                 for r in range(K.shape[0])]
    line = f"{lead} {' + '.join(_signed(v) for v in subtotals)} = {explain.fmt(sum(subtotals))}"
    # Non-breaking spaces inside a kernel row: a line may wrap only between rows.
    rows = [_("kernel row {r}: {sum}").format(r=r, sum=explain.written_sum(window[r], K[r])).replace(" ", NBSP)
            for r in range(K.shape[0])]
    return line, f"{NBSP} · {NBSP}".join(rows)


def show_sum(lead: str, window: torch.Tensor, K: torch.Tensor, heading: bool = True) -> None:
    """`lead` ("Y[0, 1] =") and the cell's sum, at heading size when it is the page's main line."""
    line, rows = cell_sum(lead, window, K)
    st.markdown(f"#### {line}" if heading else line)
    if rows:
        # The detail under the line: smaller, so it wraps less. The size as :small[] sets it, in a tag, so the
        # text a translator and the zh test see has no markdown directive in it; it holds numbers and the
        # catalog's words only, never what a student typed.
        st.markdown(f'<span style="font-size: 0.875rem">{rows}</span>', unsafe_allow_html=True)


def no_output(exc: ops.OpsError, X: torch.Tensor, K: torch.Tensor, geo: Geometry) -> None:
    """The settings give no output (e.g. a kernel larger than the padded input): say why, and still show the
    padded input beside the kernel so the student sees the mismatch."""
    show_error(exc)
    X = X if X.dim() == 2 else X[0]
    with contextlib.suppress(ops.OpsError):  # padding itself invalid: the message above already says so
        Xp = ops.padded(X, geo.padding)
        titles = (input_title(Xp, geo.padding),
                  _("kernel {h}×{w}").format(h=K.shape[0], w=K.shape[1]))
        heights, widths = _layout((Xp, titles[0]), (K, titles[1]))
        cols = st.columns(widths)
        with cols[0]:
            chart(grid(Xp, titles[0], padding=geo.padding, colorscale=input_colours(X),
                       max_height=heights[0]), PREFIX + "fig_in")
        with cols[1]:
            chart(grid(K, titles[1], colorscale=style.DIVERGING, zmid=0, max_height=heights[1]),
                  PREFIX + "fig_k")


def window_values(Xp: torch.Tensor, cells: list[tuple[int, int]], kernel_shape: tuple[int, int]) -> torch.Tensor:
    """The padded input's values under the kernel's taps, (kh, kw)."""
    rows, cols = zip(*cells)
    return Xp[list(rows), list(cols)].reshape(kernel_shape)


def single_channel(X: torch.Tensor, K: torch.Tensor, geo: Geometry) -> None:
    """Input, kernel and output for one channel; the chosen cell's window outlined and its sum written out."""
    K_used = ops.flip_kernel(K) if geo.flip else K
    try:
        Y = ops.corr2d(X, K_used, geo.padding, geo.stride, geo.dilation)  # (oh, ow)
    except ops.OpsError as exc:
        no_output(exc, X, K_used, geo)
        return
    Xp = ops.padded(X, geo.padding)
    colours = input_colours(X)
    titles = (input_title(Xp, geo.padding),
              _("kernel, flipped 180°") if geo.flip else _("kernel"),
              _("output {h}×{w}").format(h=Y.shape[0], w=Y.shape[1]))
    heights, widths = _layout((Xp, titles[0]), (K, titles[1]), (Y, titles[2]))

    def draw(i: int, j: int) -> None:
        cells = ops.receptive_window(i, j, tuple(K.shape), geo.stride, geo.dilation)
        cols = st.columns(widths)
        with cols[0]:
            chart(grid(Xp, titles[0], padding=geo.padding, window=cells, colorscale=colours,
                       max_height=heights[0]), PREFIX + "fig_in")
        with cols[1]:
            chart(grid(K_used, titles[1], colorscale=style.DIVERGING, zmid=0, max_height=heights[1]),
                  PREFIX + "fig_k")
        with cols[2]:
            chart(grid(Y, titles[2], window=[(i, j)], colorscale=style.DIVERGING, zmid=0, clickable=True,
                       max_height=heights[2]), PREFIX + "out_chart", True)
        with st.container(key=PREFIX + "sum"):
            show_sum(f"Y[{i}, {j}] =", window_values(Xp, cells, tuple(K.shape)), K_used)

    run_stage(Y.shape[0], Y.shape[1], draw)
    shape_formula(tuple(X.shape), tuple(K.shape), geo, tuple(Y.shape))
    check = cached_check(oracle.conv_check, X[None], K_used[None, None], Y[None], geo.padding, geo.stride,
                         geo.dilation)
    same_as_pytorch(check)


def cached_check(check_fn, *args) -> oracle.Check:
    """check_fn(*args), remembered per session: moving the chosen cell does not re-run PyTorch."""
    key = (check_fn.__name__, *((tuple(a.shape), a.numpy().tobytes()) if isinstance(a, torch.Tensor) else a
                                for a in args))
    memo = st.session_state.setdefault(PREFIX + "checks", {})
    if key not in memo:
        if len(memo) >= 32:
            memo.clear()
        memo[key] = check_fn(*args)
    return memo[key]


def same_as_pytorch(check: oracle.Check) -> None:
    ok = check.max_abs_diff <= 1e-9
    icon = "✓" if ok else "✗"  # plain marks: an icon shortcode would be code in the text a translator sees
    st.markdown(icon + " " + _("**Same as PyTorch:** `{code}` gives the same numbers; largest difference "
                               "**{diff}**").format(code=check.code, diff=f"{check.max_abs_diff:.3g}"))


def multi_channel(X: torch.Tensor, K: torch.Tensor, geo: Geometry, c_out: int, o: int,
                  own: torch.Tensor | None = None) -> None:
    """Each input channel's partial map for output channel o, their sum, and every output channel.
    The kernels are the book's K + o + i, or `own` (c_out, c_in, kh, kw) when the student typed each."""
    c_in = X.shape[0]
    Kfull = presets.stack_kernels(K, c_out, c_in) if own is None else own  # (c_out, c_in, kh, kw)
    Kfull = ops.flip_kernel(Kfull) if geo.flip else Kfull
    try:
        Y = ops.corr2d_multi_in_out(X, Kfull, geo.padding, geo.stride, geo.dilation)  # (c_out, oh, ow)
    except ops.OpsError as exc:
        no_output(exc, X, Kfull[o, 0], geo)
        return
    partials = [ops.corr2d(X[c], Kfull[o, c], geo.padding, geo.stride, geo.dilation) for c in range(c_in)]
    Xp = ops.padded(X, geo.padding)  # (c_in, h + 2ph, w + 2pw)
    origin = (_("one typed kernel per channel pair") if own is not None
              else _("K[o, i] = K + o + i (d2l 7.4 stacks K, K + 1, K + 2)"))
    st.caption(_("Kernels: {origin}; shape {shape} = (output channels, input channels, rows, cols).").format(
        origin=origin, shape=tuple(Kfull.shape)))
    colours = input_colours(X)
    titles = [(_("input channel {c}").format(c=c), _("kernel [{o}, {c}]").format(o=o, c=c),
               _("partial map {c}").format(c=c)) for c in range(c_in)]
    heights, widths = _layout((Xp, titles[0][0]), (K, titles[0][1]), (Y, titles[0][2]), max_height=ROW_HEIGHT)

    def draw(i: int, j: int) -> None:
        cells = ops.receptive_window(i, j, tuple(K.shape), geo.stride, geo.dilation)
        for c in range(c_in):
            cols = st.columns(widths)
            with cols[0]:
                chart(grid(Xp[c], titles[c][0], padding=geo.padding, window=cells,
                           colorscale=colours, max_height=heights[0]), f"{PREFIX}fig_in{c}")
            with cols[1]:
                chart(grid(Kfull[o, c], titles[c][1], colorscale=style.DIVERGING, zmid=0,
                           max_height=heights[1]), f"{PREFIX}fig_k{c}")
            with cols[2]:
                chart(grid(partials[c], titles[c][2], window=[(i, j)], colorscale=style.DIVERGING,
                           zmid=0, max_height=heights[2]), f"{PREFIX}fig_part{c}")
            show_sum(_("channel {c}:").format(c=c), window_values(Xp[c], cells, tuple(K.shape)), Kfull[o, c],
                     heading=False)
        total = " + ".join(_signed(float(partials[c][i, j])) for c in range(c_in))
        st.markdown(f"#### Y[{o}, {i}, {j}] = {total} = {explain.fmt(Y[o, i, j])}")
        cols = st.columns(c_out)
        for q in range(c_out):
            with cols[q]:
                title = _("output channel {q} (explained)") if q == o else _("output channel {q}")
                chart(grid(Y[q], title.format(q=q),
                           window=[(i, j)], colorscale=style.DIVERGING, zmid=0, clickable=q == o,
                           max_height=ROW_HEIGHT), PREFIX + ("out_chart" if q == o else f"fig_out{q}"),
                      q == o)

    run_stage(Y.shape[1], Y.shape[2], draw)
    shape_formula(tuple(X.shape[1:]), tuple(K.shape), geo, tuple(Y.shape[1:]))
    same_as_pytorch(cached_check(oracle.conv_check, X, Kfull, Y, geo.padding, geo.stride, geo.dilation))


def one_by_one(X: torch.Tensor, W: torch.Tensor) -> None:
    """The 1x1 convolution: at every pixel, the channel vector times the (c_out, c_in) weight matrix."""
    c_in, h, w = X.shape
    c_out = W.shape[0]
    K = W[:, :, None, None]  # (c_out, c_in, 1, 1)
    Y = ops.corr2d_multi_in_out_1x1(X, K)  # (c_out, h, w)
    colours = input_colours(X)
    st.markdown(_("A 1×1 convolution is a **fully connected layer across channels, applied at every pixel**: "
                  "Y = W · X with W ({c_out}×{c_in}) and X reshaped to ({c_in}×{pixels}).").format(
        c_out=c_out, c_in=c_in, pixels=h * w))

    def draw(i: int, j: int) -> None:
        cols = st.columns(c_in + 1 + c_out)
        for c in range(c_in):
            with cols[c]:
                chart(grid(X[c], _("input channel {c}").format(c=c), window=[(i, j)], colorscale=colours,
                           max_height=ROW_HEIGHT), f"{PREFIX}fig_in{c}")
        with cols[c_in]:
            chart(grid(W, _("W (out × in)"), colorscale=style.DIVERGING, zmid=0, max_height=ROW_HEIGHT),
                  PREFIX + "fig_w")
        for q in range(c_out):
            with cols[c_in + 1 + q]:
                chart(grid(Y[q], _("output channel {q}").format(q=q), window=[(i, j)], colorscale=style.DIVERGING,
                           zmid=0, clickable=q == 0, max_height=ROW_HEIGHT),
                      PREFIX + ("out_chart" if q == 0 else f"fig_out{q}"), q == 0)
        pixel = X[:, i, j].tolist()
        rows = [explain.matmul_row(W[q].tolist(), pixel, q) for q in range(c_out)]
        st.markdown("#### " + _("Pixel ({i}, {j}): x = ({values})").format(
            i=i, j=j, values=", ".join(explain.fmt(v) for v in pixel)) + "  \n" + "  \n".join(f"`{r}`" for r in rows))
        if h * w <= 36:
            matrix_product(X, W, Y, i * w + j)

    run_stage(h, w, draw)
    book = ops.corr2d_multi_in_out(X, K)
    same_as_pytorch(cached_check(oracle.conv_check, X, K, Y, (0, 0), (1, 1), (1, 1)))
    st.caption(_("The book's check: the matrix product equals `corr2d_multi_in_out` with a 1×1 kernel; largest "
                 "difference {diff}.").format(diff=f"{float((book - Y).abs().max()):.3g}"))


def matrix_product(X: torch.Tensor, W: torch.Tensor, Y: torch.Tensor, column: int) -> None:
    """W (c_out, c_in) · X (c_in, h·w) = Y (c_out, h·w), the chosen pixel's column outlined."""
    c_in, c_out = X.shape[0], W.shape[0]
    Xf, Yf = X.reshape(c_in, -1), Y.reshape(c_out, -1)
    cols = st.columns([W.shape[1] + 2, Xf.shape[1] + 2, Yf.shape[1] + 2])
    with cols[0]:
        chart(grid(W, "W", colorscale=style.DIVERGING, zmid=0, max_height=200), PREFIX + "fig_mw")
    with cols[1]:
        chart(grid(Xf, _("· X reshaped (in × pixels)"), window=[(c, column) for c in range(c_in)],
                   colorscale=input_colours(X), max_height=200), PREFIX + "fig_mx")
    with cols[2]:
        chart(grid(Yf, _("= Y (out × pixels)"), window=[(c, column) for c in range(c_out)],
                   colorscale=style.DIVERGING, zmid=0, max_height=200), PREFIX + "fig_my")
