"""Page 1: 2-D cross-correlation and pooling, cell by cell (d2l 7.2-7.5)."""

from cnnviz.i18n import N_
from cnnviz.ui.common import page_setup

page_setup(N_("Convolution & pooling"))

import streamlit as st  # noqa: E402
import torch  # noqa: E402

from cnnviz.conv import presets  # noqa: E402
from cnnviz.conv import ops  # noqa: E402
from cnnviz.errors import CnnvizError  # noqa: E402
from cnnviz.ui.conv import state  # noqa: E402
from cnnviz.ui.conv import inputs  # noqa: E402
from cnnviz.ui.conv import widgets as w  # noqa: E402
from cnnviz.ui.common import intro, user_errors  # noqa: E402
from cnnviz.ui.conv.state import PREFIX, value  # noqa: E402
from cnnviz.ui.conv.views import Geometry, multi_channel, one_by_one, single_channel  # noqa: E402
from cnnviz.ui.lang import _, formatter, render  # noqa: E402
from cnnviz.ui.conv.pool_views import Pooling, pooling, shift_demo, stride_lesson, torch_pool  # noqa: E402
from cnnviz.ui import lesson, lesson_link  # noqa: E402

SUMMARY = N_("d2l 7.2-7.5: each output cell sums the input window times the kernel; click one or press Play.")
POOL_SUMMARIES = {  # the subtitle in Pooling mode: a pooling window has no kernel
    "max": N_("d2l 7.5: each output cell is the largest value in its input window (`nn.MaxPool2d`); click one or "
              "press Play."),
    "avg": N_("d2l 7.5: each output cell is the average of its input window (`nn.AvgPool2d`); click one or "
              "press Play."),
}
DETAILS = N_(
    "The **input** (left) is read through the **kernel** (middle); the orange frame is the window that makes "
    "the chosen **output** cell (right), and the sum below writes that cell out term by term. Padding "
    "(sand-coloured cells), stride and dilation are in the sidebar with the input; the kernel button loads a "
    "preset, changes the kernel's shape (it grows and shrinks about its centre) or edits its numbers. "
    "*Multi-channel* follows d2l 7.4 (one kernel per input channel, summed; one such stack per output "
    "channel), *1×1 convolution* shows it as a matrix product across channels, and *Pooling* compares the "
    "book's stride-1 `pool2d` with `nn.MaxPool2d`, whose stride is the window. Everything you set is in the "
    "page's address: share it, or press the browser's Back to undo a change.")

ignored = state.load_from_url()
state.keep_widget_state()

controls = {name: PREFIX + name for name in (*state.PARAMS, *state.MATRICES, state.KERNELS)}  # the matrices too
lesson.begin("conv", controls)  # a lesson link, the tour
st.title(_("Convolution & pooling, cell by cell"))
intro(_(POOL_SUMMARIES[value("pool_mode")] if value("mode") == "Pooling" else SUMMARY), _(DETAILS))
if ignored:  # `name='value'` as the link wrote it (code), or a matrix's error in the reader's language
    st.warning(_("Some settings in the link were not valid and were left at their defaults: {settings}").format(
        settings="; ".join(f"`{x}`" if isinstance(x, str) else render(x) for x in ignored)))

# One row of controls above the figures, so that on a projector the figures start high on the screen: the
# mode, then the mode's popovers (kernel, channels) and Play, each as wide as its label; a narrow window
# wraps the row rather than cutting a control off.
MODE_LABELS = {"Single channel": N_("1 channel"), "Multi-channel": "Multi-channel", "1×1 convolution": "1×1",
               "Pooling": "Pooling"}
bar = st.container(horizontal=True, vertical_alignment="center", gap="small")
with bar:
    # The labels in the reader's language, bound now (Streamlit calls format_func outside the run).
    mode = lesson.widget(st.segmented_control, _("Mode"), state.MODES, key=PREFIX + "mode", required=True,
                         format_func={m: _(label) for m, label in MODE_LABELS.items()}.get,
                         label_visibility="collapsed")


def geometry_controls() -> Geometry:
    st.subheader(_("Padding, stride, dilation"))
    padding = w.pair_control(_("pad"), ("pad_h", "pad_w"), help=_("zero rows/columns added on each side"))
    stride = w.pair_control(_("stride"), ("stride_h", "stride_w"), help=_("how far the window moves each step"))
    dilation = w.pair_control(_("dilation"), ("dil_h", "dil_w"), help=_("spacing between kernel taps"))
    flip = lesson.widget(st.toggle, _("True convolution (flip the kernel)"), key=PREFIX + "true_conv",
                         help=_("Deep learning 'convolutions' are cross-correlations. A true convolution turns the "
                                "kernel 180° first; learned kernels make the difference irrelevant (d2l 7.2.5)."))
    return Geometry(padding, stride, dilation, flip)


def input_section() -> tuple[torch.Tensor | None, CnnvizError | None]:
    """In the sidebar: the input, or None and why not (said here, beside the control, too)."""
    st.subheader(_("Input"))
    try:
        return inputs.input_controls(), None
    except CnnvizError as exc:
        if not isinstance(exc, inputs.NoInputYet):  # an empty uploader speaks for itself here
            inputs.show_input_problem(exc)
        return None, exc


def single_input(X: torch.Tensor) -> torch.Tensor:
    """One channel of the input: the first, when the preset has several."""
    if X.dim() == 3:
        if value("input") == "two-channel example":
            st.caption(_("Single-channel mode uses channel 0; switch to Multi-channel for both."))
        return X[0]
    return X


def kernel_popover(where) -> torch.Tensor:
    """The kernel's preset, shape and numbers, folded in a popover in the control row."""
    w.init_kernel()
    with where, st.popover(_("Kernel"), icon=":material/edit:", key=PREFIX + "kernel_pop",
                           help=_("Load a preset, change the kernel's shape or type its numbers")):
        preset_slot = st.container()  # drawn last: it names the kernel as edited in this run
        a, b = st.columns(2)
        with a:
            w.number_control("kh", _("kernel rows"), on_change=w.resize_kernel)
        with b:
            w.number_control("kw", _("kernel cols"), on_change=w.resize_kernel)
        st.caption(_("A new shape grows or crops the kernel about its centre."))
        K = w.kernel_editor()
        st.session_state[PREFIX + "kpreset"] = w.kernel_preset_name(K)
        lesson.widget(preset_slot.selectbox, _("Load a kernel preset"), (*w.KERNEL_NAMES, state.CUSTOM_KERNEL),
                      key=PREFIX + "kpreset", on_change=w.load_kernel_preset, format_func=formatter())
        return K


def channel_popover(where) -> dict:
    """Multi-channel mode's channel counts, the output channel to explain, and typed kernels."""
    choice = {}
    with where, st.popover(_("Channels"), icon=":material/layers:", key=PREFIX + "channel_pop"):
        a, b = st.columns(2)
        with a:
            choice["c_in"] = w.number_control("c_in", _("in channels"))
        with b:
            choice["c_out"] = w.number_control("c_out", _("out channels"))
        st.session_state[PREFIX + "explain_out"] = min(value("explain_out"), choice["c_out"] - 1)
        choice["o"] = lesson.widget(st.radio, _("explain output channel"), range(choice["c_out"]),
                                    key=PREFIX + "explain_out", horizontal=True)
        choice["own"] = lesson.widget(st.toggle, _("Type each kernel"), key=PREFIX + "own_kernels",
                                      help=_("Off: the book's kernels K + o + i, from the kernel above. On: one "
                                             "editable kernel per (output, input) channel pair, starting from those."))
    return choice


def conv_page(multi: bool) -> None:
    with st.sidebar:
        found = input_section()
        geo = geometry_controls()
    K = kernel_popover(bar)
    choice = channel_popover(bar) if multi else {}
    with bar:
        w.play_button()
    X = inputs.usable_input(*found)
    own = w.own_kernels_editor(K, choice["c_out"], choice["c_in"]) if choice.get("own") else None
    with user_errors():
        if multi:
            Xc = presets.with_channels(X, choice["c_in"])  # (c_in, h, w)
            multi_channel(Xc, K, geo, choice["c_out"], choice["o"], own)
        else:
            single_channel(single_input(X), K, geo)


def one_by_one_page() -> None:
    with st.sidebar:
        found = input_section()
    with bar, st.popover(_("Channels, W"), icon=":material/layers:", key=PREFIX + "channel_pop"):
        a, b = st.columns(2)
        with a:
            c_in = w.number_control("c_in", _("input channels"))
        with b:
            c_out = w.number_control("c_out", _("output channels"))
        W = w.weights_1x1_controls(c_out, c_in)
    with bar:
        w.play_button()
    X = inputs.usable_input(*found)
    with user_errors():
        one_by_one(presets.with_channels(X, c_in), W)


def set_stride(to_window: bool) -> None:
    ss = st.session_state
    ss[PREFIX + "pool_stride_h"] = ss[PREFIX + "pool_kh"] if to_window else 1
    ss[PREFIX + "pool_stride_w"] = ss[PREFIX + "pool_kw"] if to_window else 1


def pool_controls() -> Pooling:
    st.subheader(_("Pooling"))
    kind = lesson.widget(st.radio, _("pooling"), (N_("max"), N_("avg")), key=PREFIX + "pool_mode", horizontal=True,
                         format_func=formatter())
    window = w.pair_control(_("window"), ("pool_kh", "pool_kw"))
    padding = w.pair_control(_("pad"), ("pool_pad_h", "pool_pad_w"), help=_("at most half the window"))
    stride = w.pair_control(_("stride"), ("pool_stride_h", "pool_stride_w"))
    st.button(_("stride 1 (the book's pool2d)"), key=PREFIX + "stride_book", on_click=set_stride, args=(False,),
              width="stretch")
    st.button(_("stride = window ({layer})").format(layer=torch_pool(kind)), key=PREFIX + "stride_torch",
              on_click=set_stride,
              args=(True,), width="stretch")
    return Pooling(kind, window, padding, stride)


def pooling_page() -> None:
    with st.sidebar:
        source = lesson.widget(st.radio, _("Pool what?"), state.POOL_SOURCES, key=PREFIX + "pool_source",
                               format_func=formatter())
        pool = pool_controls()
        found = None if source == state.POOL_SOURCES[2] else input_section()
        if source == state.POOL_SOURCES[1]:
            geo = geometry_controls()
    if source == state.POOL_SOURCES[1]:
        K = kernel_popover(bar)
    with bar:
        if source == state.POOL_SOURCES[0]:
            c_in = w.number_control("c_in", _("channels"), width=150)
        if source == state.POOL_SOURCES[2]:
            shift = lesson.widget(st.slider, _("shift right by (pixels)"), -2, 2, key=PREFIX + "shift", width=220)
    if source != state.POOL_SOURCES[2]:
        with bar:
            w.play_button()
    X = None if found is None else inputs.usable_input(*found)
    stride_lesson(pool)
    with user_errors():
        if source == state.POOL_SOURCES[2]:
            shift_demo(shift, pool)
        elif source == state.POOL_SOURCES[0]:
            pooling(presets.with_channels(X, c_in), pool, _("input"))
        else:
            K_used = ops.flip_kernel(K) if geo.flip else K
            Y = ops.corr2d(single_input(X), K_used, geo.padding, geo.stride, geo.dilation)
            pooling(Y[None], pool, _("convolution output"))


if mode == "Pooling":
    pooling_page()
elif mode == "1×1 convolution":
    one_by_one_page()
else:
    conv_page(multi=mode == "Multi-channel")

state.save_to_url()
lesson_link.panel("conv")
