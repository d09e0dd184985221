"""Page 1: 2-D cross-correlation and pooling, cell by cell (d2l 7.2-7.5)."""

from cnnviz.ui.common import page_setup

page_setup("Convolution & pooling")

import streamlit as st  # noqa: E402
import torch  # noqa: E402

from cnnviz import conv_presets as presets  # noqa: E402
from cnnviz import ops  # noqa: E402
from cnnviz.ui import conv_state as state  # noqa: E402
from cnnviz.ui import conv_widgets as w  # noqa: E402
from cnnviz.ui.common import user_errors  # noqa: E402
from cnnviz.ui.conv_state import PREFIX, value  # noqa: E402
from cnnviz.ui.conv_views import Geometry, multi_channel, one_by_one, single_channel  # noqa: E402
from cnnviz.ui.pool_views import Pooling, pooling, shift_demo, stride_lesson  # noqa: E402

ignored = state.load_from_url()
state.keep_widget_state()

st.title("Convolution & pooling, cell by cell")
st.caption("d2l 7.2-7.5. Each output cell is the sum of the input window times the kernel, elementwise; "
           "pick a cell to see its window, or press Play to slide the window across the input.")
if ignored:
    st.warning("Some settings in the link were not valid and were left at their defaults: " + "; ".join(ignored))

mode = st.radio("Mode", state.MODES, key=PREFIX + "mode", horizontal=True, label_visibility="collapsed")


def geometry_controls() -> Geometry:
    st.subheader("Padding, stride, dilation")
    padding = w.pair_control("pad", ("pad_h", "pad_w"), help="zero rows/columns added on each side")
    stride = w.pair_control("stride", ("stride_h", "stride_w"), help="how far the window moves each step")
    dilation = w.pair_control("dilation", ("dil_h", "dil_w"), help="spacing between kernel taps")
    flip = st.toggle("True convolution (flip the kernel)", key=PREFIX + "true_conv",
                     help="Deep learning 'convolutions' are cross-correlations. A true convolution turns the "
                          "kernel 180° first; learned kernels make the difference irrelevant (d2l 7.2.3).")
    return Geometry(padding, stride, dilation, flip)


def input_section() -> torch.Tensor | None:
    st.subheader("Input")
    with user_errors():
        return w.input_controls()
    return None


def single_input(X: torch.Tensor | None) -> torch.Tensor | None:
    """One channel of the input: the first, when the preset has several."""
    if X is not None and X.dim() == 3:
        if value("input") == "two-channel example":
            st.caption("Single-channel mode uses channel 0; switch to Multi-channel for both.")
        return X[0]
    return X


def kernel_row(extra=None, play: bool = True) -> torch.Tensor:
    """Kernel preset and shape, the editable kernel, and the Play button in one row."""
    w.init_kernel()
    left, mid, right = st.columns([1.2, 1.3, 1], gap="medium")
    with left:
        st.selectbox("Load a kernel preset", w.KERNEL_NAMES, key=PREFIX + "kpreset", on_change=w.load_kernel_preset)
        a, b = st.columns(2)
        with a:
            w.number_control("kh", "kernel rows", on_change=w.resize_kernel)
        with b:
            w.number_control("kw", "kernel cols", on_change=w.resize_kernel)
    with mid:
        K = w.kernel_editor()
    with right:
        if extra:
            extra()
        if play:
            w.play_button()
    return K


def conv_page() -> None:
    with st.sidebar:
        X = input_section()
        geo = geometry_controls()
    choice = {}

    def channels() -> None:
        a, b = st.columns(2)
        with a:
            choice["c_in"] = w.number_control("c_in", "in channels")
        with b:
            choice["c_out"] = w.number_control("c_out", "out channels")
        st.session_state[PREFIX + "explain_out"] = min(value("explain_out"), choice["c_out"] - 1)
        choice["o"] = st.radio("explain output channel", range(choice["c_out"]), key=PREFIX + "explain_out",
                               horizontal=True)
        choice["own"] = st.toggle("Type each kernel", key=PREFIX + "own_kernels",
                                  help="Off: the book's kernels K + o + i, from the kernel above. On: one "
                                       "editable kernel per (output, input) channel pair, starting from those.")

    K = kernel_row(channels if mode == "Multi-channel" else None)
    own = w.own_kernels_editor(K, choice["c_out"], choice["c_in"]) if choice.get("own") else None
    if X is None:
        return
    with user_errors():
        if mode == "Multi-channel":
            Xc = presets.with_channels(X, choice["c_in"])  # (c_in, h, w)
            multi_channel(Xc, K, geo, choice["c_out"], choice["o"], own)
        else:
            single_channel(single_input(X), K, geo)


def one_by_one_page() -> None:
    with st.sidebar:
        X = input_section()
    left, mid, right = st.columns([1, 1.3, 1], gap="medium")
    with left:
        c_in = w.number_control("c_in", "input channels")
        c_out = w.number_control("c_out", "output channels")
    with mid:
        W = w.weights_1x1_controls(c_out, c_in)
    with right:
        w.play_button()
    if X is not None:
        with user_errors():
            one_by_one(presets.with_channels(X, c_in), W)


def set_stride(to_window: bool) -> None:
    ss = st.session_state
    ss[PREFIX + "pool_stride_h"] = ss[PREFIX + "pool_kh"] if to_window else 1
    ss[PREFIX + "pool_stride_w"] = ss[PREFIX + "pool_kw"] if to_window else 1


def pool_controls() -> Pooling:
    st.subheader("Pooling")
    kind = st.radio("pooling", ("max", "avg"), key=PREFIX + "pool_mode", horizontal=True)
    window = w.pair_control("window", ("pool_kh", "pool_kw"))
    padding = w.pair_control("pad", ("pool_pad_h", "pool_pad_w"), help="at most half the window")
    stride = w.pair_control("stride", ("pool_stride_h", "pool_stride_w"))
    st.button("stride 1 (the book's pool2d)", key=PREFIX + "stride_book", on_click=set_stride, args=(False,),
              width="stretch")
    st.button("stride = window (nn.MaxPool2d)", key=PREFIX + "stride_torch", on_click=set_stride,
              args=(True,), width="stretch")
    return Pooling(kind, window, padding, stride)


def pooling_page() -> None:
    with st.sidebar:
        source = st.radio("Pool what?", state.POOL_SOURCES, key=PREFIX + "pool_source")
        pool = pool_controls()
        X = None if source == state.POOL_SOURCES[2] else input_section()
        if source == state.POOL_SOURCES[1]:
            geo = geometry_controls()
    left, right = st.columns([2, 1], gap="medium")
    with left:
        stride_lesson(pool)
    with right:
        if source == state.POOL_SOURCES[0]:
            c_in = w.number_control("c_in", "channels")
        if source == state.POOL_SOURCES[2]:
            shift = st.slider("shift the image right by (pixels)", -2, 2, key=PREFIX + "shift")
        else:
            w.play_button()
    if source == state.POOL_SOURCES[1]:
        K = kernel_row(play=False)
    with user_errors():
        if source == state.POOL_SOURCES[2]:
            shift_demo(shift, pool)
        elif X is not None and source == state.POOL_SOURCES[0]:
            pooling(presets.with_channels(X, c_in), pool, "input")
        elif X is not None:
            K_used = ops.flip_kernel(K) if geo.flip else K
            Y = ops.corr2d(single_input(X), K_used, geo.padding, geo.stride, geo.dilation)
            pooling(Y[None], pool, "convolution output")


if mode == "Pooling":
    pooling_page()
elif mode == "1×1 convolution":
    one_by_one_page()
else:
    conv_page()

state.save_to_url()
