"""Page 1 under AppTest: every mode renders, and every number the figures show equals torch.nn.functional."""

from __future__ import annotations

import io
import random

import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from cnnviz.conv import explain
from cnnviz.conv.presets import kernel_preset
from tests.conftest import assert_no_exception, make_app, plotly_figures
from tests.unit.conv.test_explain import decode_array

PAGE = "pages/1_Convolution_and_pooling.py"
BOOK_X = torch.arange(9, dtype=torch.float64).reshape(3, 3)
BOOK_K = torch.tensor([[0.0, 1.0], [2.0, 3.0]], dtype=torch.float64)


def _z(fig: dict) -> torch.Tensor:
    """The heatmap numbers of a figure (padding cells, shown in a second trace, as 0)."""
    return torch.from_numpy(decode_array(fig["data"][0]["z"]).copy()).nan_to_num(0.0)


def _figure(at, title_start: str) -> dict:
    figs = [f for f in plotly_figures(at) if f["layout"]["title"]["text"].startswith(title_start)]
    assert figs, [f["layout"]["title"]["text"] for f in plotly_figures(at)]
    return figs[0]


def _markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


@pytest.fixture(scope="module")
def page():
    at = make_app(PAGE).run()
    assert_no_exception(at)
    return at


def test_default_is_the_book_example(page):
    assert _z(_figure(page, "output")).tolist() == [[19, 25], [37, 43]]
    assert _z(_figure(page, "kernel")).tolist() == BOOK_K.tolist()
    assert "Y[0, 0] = 0×0 + 1×1 + 3×2 + 4×3 = 19" in _markdown(page)
    assert "largest difference **0**" in _markdown(page)
    assert not page.error


def test_geometry_matches_conv2d_and_lands_in_the_url():
    at = make_app(PAGE).run()
    at.number_input(key="p1_pad_h").set_value(2)
    at.number_input(key="p1_stride_w").set_value(2)
    at.number_input(key="p1_dil_h").set_value(2).run()
    assert_no_exception(at)
    ref = F.conv2d(BOOK_X[None, None], BOOK_K[None, None], padding=(2, 0), stride=(1, 2), dilation=(2, 1))[0, 0]
    assert _z(_figure(at, "output")).tolist() == ref.tolist()
    assert "rows: ⌊(3 + 2·2 − 2·(2 − 1) − 1) / 1⌋ + 1 = 5" in _markdown(at)
    assert at.query_params["pad_h"] == "2" and at.query_params["stride_w"] == "2"


@pytest.mark.parametrize("trial", range(12))
def test_random_links_show_conv2d_numbers_or_say_why_not(trial):
    """Random shared links (input size and seed, kernel, padding, stride, dilation, flip): the output shown
    is F.conv2d of the input shown, or, when the kernel does not fit, an error and no output."""
    rng = random.Random(trial)
    kh, kw = rng.randint(1, 5), rng.randint(1, 5)
    query = {"input": "random integers", "rand_h": str(rng.randint(1, 9)), "rand_w": str(rng.randint(1, 9)),
             "seed": str(trial), "kernel": ";".join(",".join(str(rng.randint(-3, 3)) for _ in range(kw))
                                                   for _ in range(kh)),
             "pad_h": str(rng.randint(0, 2)), "pad_w": str(rng.randint(0, 2)), "stride_h": str(rng.randint(1, 3)),
             "stride_w": str(rng.randint(1, 3)), "dil_h": str(rng.randint(1, 2)), "dil_w": str(rng.randint(1, 2)),
             "true_conv": rng.choice(["true", "false"])}
    at = make_app(PAGE, query=query).run()
    assert_no_exception(at)
    Xp = _z(_figure(at, "input"))  # the padded input, padding as 0
    K = _z(_figure(at, "kernel"))  # as applied: already flipped for a true convolution
    stride, dilation = (int(query["stride_h"]), int(query["stride_w"])), (int(query["dil_h"]), int(query["dil_w"]))
    span = [dilation[a] * (K.shape[a] - 1) + 1 for a in (0, 1)]
    if span[0] > Xp.shape[0] or span[1] > Xp.shape[1]:
        padded = query["pad_h"] != "0" or query["pad_w"] != "0"
        assert any(f"larger than the {'padded ' if padded else ''}input" in e.value for e in at.error)
        assert not [f for f in plotly_figures(at) if f["layout"]["title"]["text"].startswith("output")]
        return
    assert not at.error
    ref = F.conv2d(Xp[None, None], K[None, None], stride=stride, dilation=dilation)[0, 0]
    assert _z(_figure(at, "output")).tolist() == ref.tolist()
    assert "largest difference **0**" in _markdown(at)


def test_kernel_preset_true_convolution_and_cell_picker():
    at = make_app(PAGE, query={"input": "random integers", "rand_h": "7", "rand_w": "6", "seed": "3"}).run()
    at.selectbox(key="p1_kpreset").set_value("Sobel x").run()
    at.toggle(key="p1_true_conv").set_value(True).run()
    assert_no_exception(at)
    X = _z(_figure(at, "input"))
    K = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]], dtype=torch.float64)
    assert _z(_figure(at, "kernel, flipped")).tolist() == K.flip(0, 1).tolist()
    ref = F.conv2d(X[None, None], K.flip(0, 1)[None, None])[0, 0]
    assert _z(_figure(at, "output")).tolist() == ref.tolist()
    at.slider(key="p1_cell").set_value(5).run()
    i, j = divmod(5, ref.shape[1])
    assert f"Y[{i}, {j}] = " in _markdown(at) and _markdown(at).count(f"= {int(ref[i, j])}") >= 1


def test_multi_channel_is_the_book_stack():
    at = make_app(PAGE, query={"mode": "Multi-channel", "input": "two-channel example"}).run()
    assert_no_exception(at)
    outs = [_z(_figure(at, f"output channel {q}")).tolist() for q in range(3)]
    assert outs == [[[56, 72], [104, 120]], [[76, 100], [148, 172]], [[96, 128], [192, 224]]]
    assert "Y[0, 0, 0] = 19 + 37 = 56" in _markdown(at)


def _edit(at, key: str, row: int, col: int, value) -> None:
    at.session_state[key] = {"edited_rows": {str(row): {str(col): value}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert_no_exception(at)


def test_typed_kernels_per_channel_pair_equal_conv2d_and_travel_in_the_link():
    at = make_app(PAGE, query={"mode": "Multi-channel", "input": "two-channel example", "explain_out": "1"}).run()
    at.toggle(key="p1_own_kernels").set_value(True).run()
    assert_no_exception(at)
    assert "Kernels K[o, i]" in _markdown(at)
    book = torch.stack([BOOK_K + o + i for o in range(3) for i in range(2)]).reshape(3, 2, 2, 2)
    assert _z(_figure(at, "kernel [1, 0]")).tolist() == book[1, 0].tolist()  # it starts from the book's
    _edit(at, "p1_kfull10_0", 0, 1, -4)  # K[1, 0][0, 1] = -4
    X = torch.stack([_z(_figure(at, f"input channel {c}")) for c in range(2)])
    K = book.clone()
    K[1, 0, 0, 1] = -4
    assert _z(_figure(at, "kernel [1, 0]")).tolist() == K[1, 0].tolist()
    ref = F.conv2d(X[None], K)[0]
    assert [_z(_figure(at, f"output channel {q}")).tolist() for q in range(3)] == ref.tolist()
    assert ref[1].tolist() != F.conv2d(X[None], book)[0, 1].tolist()  # the edit mattered
    assert "one typed kernel per channel pair" in "\n".join(c.value for c in at.caption)
    link = at.query_params["kfull"]
    assert link.split("/")[2] == "1,-4;3,4"  # K[1, 0], in (o, i) reading order

    # The link alone rebuilds the page; fewer output channels keep the kernels that still fit.
    shared = make_app(PAGE, query={k: at.query_params[k] for k in at.query_params}).run()
    assert _z(_figure(shared, "output channel 1")).tolist() == ref[1].tolist()
    shared.number_input(key="p1_c_out").set_value(2).run()
    assert _z(_figure(shared, "kernel [1, 0]")).tolist() == K[1, 0].tolist()
    shared.selectbox(key="p1_kpreset").set_value("identity").run()  # a new K starts every pair again from it
    assert _z(_figure(shared, "kernel [1, 0]")).tolist() == (kernel_preset("identity") + 1).tolist()


def test_edits_survive_a_trip_to_another_mode():
    """Streamlit forgets a data_editor that a run does not draw; the kernel and the 1x1 weights must not."""
    at = make_app(PAGE).run()
    _edit(at, "p1_kernel_0", 0, 0, 5)
    at.segmented_control(key="p1_mode").set_value("1×1 convolution").run()
    _edit(at, "p1_w1x1_0", 0, 0, 7)
    at.segmented_control(key="p1_mode").set_value("Single channel").run()
    assert _z(_figure(at, "kernel")).tolist() == [[5, 1], [2, 3]]
    assert at.query_params["kernel"] == "5,1;2,3"
    _edit(at, "p1_kernel_1", 1, 1, 9)  # the editor came back under a new key, holding the edit
    assert _z(_figure(at, "kernel")).tolist() == [[5, 1], [2, 9]]
    at.segmented_control(key="p1_mode").set_value("1×1 convolution").run()
    assert at.query_params["w1x1"].startswith("7,")


def test_1x1_mode_equals_conv2d():
    at = make_app(PAGE, query={"mode": "1×1 convolution", "input": "random integers", "c_in": "3",
                               "c_out": "2", "w1x1": "1,0,-1;0.5,2,0"}).run()
    assert_no_exception(at)
    X = torch.stack([_z(_figure(at, f"input channel {c}")) for c in range(3)])
    W = torch.tensor([[1, 0, -1], [0.5, 2, 0]], dtype=torch.float64)
    ref = F.conv2d(X[None], W[:, :, None, None])[0]
    for q in range(2):
        assert _z(_figure(at, f"output channel {q}")).tolist() == ref[q].tolist()
    assert "fully connected layer across channels" in _markdown(at)
    assert "y1 = 0.5×" in _markdown(at)


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pooling_matches_torch_and_teaches_the_default_stride(kind):
    at = make_app(PAGE, query={"mode": "Pooling", "input": "4x4 arange", "c_in": "1", "pool_mode": kind,
                               "pool_kh": "3", "pool_kw": "3", "pool_pad_h": "1", "pool_pad_w": "1",
                               "pool_stride_h": "2", "pool_stride_w": "2"}).run()
    assert_no_exception(at)
    X = torch.arange(16, dtype=torch.float64).reshape(1, 1, 4, 4)
    ref = (F.max_pool2d(X, 3, 2, 1) if kind == "max" else F.avg_pool2d(X, 3, 2, 1))[0, 0]
    assert _z(_figure(at, f"{kind}-pooled")).tolist() == ref.tolist()
    if kind == "max":
        assert ref.tolist() == [[5, 7], [13, 15]]
    at.button(key="p1_stride_book").click().run()
    assert at.number_input(key="p1_pool_stride_h").value == 1
    at.button(key="p1_stride_torch").click().run()
    assert at.number_input(key="p1_pool_stride_w").value == 3
    assert "defaults its stride to the window size" in "\n".join(i.value for i in at.info)


def test_pooling_the_convolution_output_and_the_shift_demo():
    at = make_app(PAGE, query={"mode": "Pooling", "pool_source": "the convolution's output"}).run()
    assert_no_exception(at)
    assert _z(_figure(at, "max-pooled")).tolist() == [[43]]
    at.radio(key="p1_pool_source").set_value("shift demo (edge image)").run()
    assert_no_exception(at)
    assert "the edge map keeps **43%** of its cells, the pooled map keeps **67%**" in _markdown(at)


def test_play_steps_the_window():
    at = make_app(PAGE).run()
    at.button(key="p1_play").click().run()  # the fragment runs inline here: one step per run
    assert "Y[0, 1] = " in _markdown(at)
    at.run()
    assert "Y[1, 0] = " in _markdown(at)
    at.button(key="p1_play").click().run()
    assert_no_exception(at)


def test_play_stops_on_the_last_cell_and_plays_again_from_the_first():
    """Play used to loop forever; now the window stops on the output's last cell and Play starts over."""
    at = make_app(PAGE).run()
    at.button(key="p1_play").click().run()  # the fragment runs inline here: one step per run
    at.run()
    at.run()
    assert "Y[1, 1] = " in _markdown(at)  # the default 2x2 output's last cell
    at.run()
    assert "Y[1, 1] = " in _markdown(at) and at.button(key="p1_play").label == "Play"  # stopped there
    at.run()
    assert "Y[1, 1] = " in _markdown(at)  # and stays
    at.button(key="p1_play").click().run()
    assert "Y[0, 0] = " in _markdown(at) and at.button(key="p1_play").label == "Pause"  # from the first again
    at.run()
    assert "Y[0, 1] = " in _markdown(at)
    assert_no_exception(at)


def test_play_speed_is_chosen_beside_play_and_travels_in_the_link():
    at = make_app(PAGE).run()
    speed = _speed(at)
    assert speed.value == "normal" and "speed" not in at.query_params
    speed.set_value("fast").run()
    assert at.query_params["speed"] == "fast"
    shared = make_app(PAGE, query={"speed": "slow"}).run()
    assert _speed(shared).value == "slow" and not shared.warning


def _speed(at):
    return next(b for b in at.get("button_group") if b.key == "p1_speed")


def test_bad_kernel_cell_shows_an_error_and_keeps_the_page():
    at = make_app(PAGE).run()
    at.session_state["p1_kernel_0"] = {"edited_rows": {"0": {"1": "abc"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert_no_exception(at)
    assert any("kernel cell (row 0, col 1)" in e.value and "type a number" in e.value for e in at.error)
    assert _z(_figure(at, "output")).tolist() == [[19, 25], [37, 43]]  # the last valid kernel


def test_kernel_too_large_shows_an_error():
    at = make_app(PAGE).run()
    at.number_input(key="p1_kh").set_value(5).run()
    assert_no_exception(at)
    assert any("larger than the input 3×3; use a smaller kernel or dilation, or add padding" in e.value
               for e in at.error)  # no padding: not "the padded input"
    # No output, but the input and the too-tall kernel stay on screen to show the mismatch.
    titles = [f["layout"]["title"]["text"] for f in plotly_figures(at)]
    assert titles == ["input 3×3", "kernel 5×2"]  # no padding: not called padded
    assert _z(_figure(at, "kernel")).shape == (5, 2)
    at.number_input(key="p1_pad_h").set_value(1).run()  # more padding fixes it
    assert not at.error
    assert _figure(at, "input")["layout"]["title"]["text"] == "input, padded 5×3"
    assert _z(_figure(at, "output")).shape == (1, 2)


def test_kernel_too_large_in_multi_channel_mode_keeps_the_input_on_screen():
    at = make_app(PAGE, query={"mode": "Multi-channel", "input": "two-channel example"}).run()
    at.number_input(key="p1_kw").set_value(4).run()
    assert_no_exception(at)
    assert any("larger than the input 3×3" in e.value for e in at.error)
    assert [f["layout"]["title"]["text"] for f in plotly_figures(at)] == ["input 3×3", "kernel 2×4"]


@pytest.mark.parametrize("payload", [b"not an image at all", b""])
def test_corrupt_upload_shows_an_error(payload):
    at = make_app(PAGE, query={"input": "uploaded image"}).run()
    at.file_uploader(key="p1_upload").set_value(("x.png", payload, "image/png")).run()
    assert_no_exception(at)
    assert any("upload a PNG or JPEG" in e.value for e in at.error)
    at.segmented_control(key="p1_mode").set_value("Pooling").run()
    assert_no_exception(at)


def test_upload_is_shrunk_to_32_pixels():
    buf = io.BytesIO()
    Image.linear_gradient("L").resize((64, 48)).save(buf, format="PNG")
    at = make_app(PAGE, query={"input": "uploaded image", "kpreset": "identity"}).run()
    at.file_uploader(key="p1_upload").set_value(("g.png", buf.getvalue(), "image/png")).run()
    assert_no_exception(at)
    assert _z(_figure(at, "input")).shape == (24, 32)


def test_fashion_mnist_input():
    at = make_app(PAGE, query={"input": "Fashion-MNIST image", "fm_index": "0", "kpreset": "Sobel x"}).run()
    assert_no_exception(at)
    assert _z(_figure(at, "input")).shape == (28, 28)
    assert any("Ankle boot" in c.value for c in at.caption)  # the first test image


def test_link_round_trip_and_bad_link_values():
    query = {"mode": "Multi-channel", "input": "4x4 arange", "c_in": "3", "c_out": "2", "explain_out": "1",
             "kernel": "1,-1", "pad_w": "1", "stride_h": "2", "true_conv": "true", "cell": "1"}
    at = make_app(PAGE, query=query).run()
    assert_no_exception(at)
    assert at.selectbox(key="p1_kpreset").value == "edge [1, -1]"  # the box names the linked kernel's preset
    same = {**{k: v for k, v in query.items() if k != "kernel"}, "kpreset": "edge [1, -1]"}
    assert dict(at.query_params) == same  # the same state, written by its preset's name
    bad = make_app(PAGE, query={"pad_h": "99", "mode": "nope", "kernel": "1,x"}).run()
    assert_no_exception(bad)
    assert any("pad_h='99'" in w.value and "mode='nope'" in w.value for w in bad.warning)
    assert _z(_figure(bad, "output")).tolist() == [[19, 25], [37, 43]]


def test_empty_kernel_cell_and_too_much_pool_padding_show_errors():
    at = make_app(PAGE).run()
    at.session_state["p1_kernel_0"] = {"edited_rows": {"1": {"0": None}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert any("kernel cell (row 1, col 0)" in e.value for e in at.error)
    pool = make_app(PAGE, query={"mode": "Pooling", "pool_pad_h": "2"}).run()
    assert_no_exception(pool)
    assert any("more than half the pooling window 2×2" in e.value for e in pool.error)


# --- issue 10: Back undoes a change (defect 4) ----------------------------------------------------------

def test_back_loads_the_previous_link_state_and_resets_what_it_does_not_name():
    """The browser's Back puts the previous URL back and reruns the page: the page must show that URL's
    state, not write its current state over it (a setting missing from the URL is back at its default)."""
    at = make_app(PAGE).run()
    at.number_input(key="p1_pad_h").set_value(1).run()
    first = dict(at.query_params)
    assert first == {"pad_h": "1"}
    at.number_input(key="p1_stride_w").set_value(2).run()
    _edit(at, "p1_kernel_0", 0, 0, 5)
    assert at.query_params["stride_w"] == "2" and at.query_params["kernel"] == "5,1;2,3"
    at.query_params = dict(first)  # Back
    at.run()
    assert_no_exception(at)
    assert at.number_input(key="p1_pad_h").value == 1 and at.number_input(key="p1_stride_w").value == 1
    assert _z(_figure(at, "kernel")).tolist() == BOOK_K.tolist()
    assert dict(at.query_params) == first  # and the page leaves the URL as Back made it
    at.query_params = {}  # Back again: the defaults
    at.run()
    assert at.number_input(key="p1_pad_h").value == 0
    assert _z(_figure(at, "output")).tolist() == [[19, 25], [37, 43]]
    at.query_params = {"pad_h": "1", "stride_w": "2", "kernel": "5,1;2,3"}  # Forward twice
    at.run()
    assert at.number_input(key="p1_stride_w").value == 2
    assert _z(_figure(at, "kernel")).tolist() == [[5, 1], [2, 3]]
    _edit(at, f"p1_kernel_{at.session_state['p1_kernel_version']}", 1, 1, 9)  # the editor holds the loaded kernel
    assert _z(_figure(at, "kernel")).tolist() == [[5, 1], [2, 9]]


def test_play_does_not_fill_the_history_with_one_entry_per_step():
    """Each URL write is a step Back undoes: the animation moves the cell without writing it; Pause does."""
    at = make_app(PAGE).run()
    at.button(key="p1_play").click().run()  # the fragment runs inline here: one step per run
    at.run()
    assert "Y[1, 0] = " in _markdown(at) and "cell" not in at.query_params
    at.button(key="p1_play").click().run()  # Pause
    assert at.query_params["cell"] == "2"  # Y[1, 0], where it paused


# --- issue 10, defect 9 -------------------------------------------------------------------------------

def _plain(text: str) -> str:
    return text.replace("\u00a0", " ")


def test_growing_a_kernel_keeps_it_centred():
    """The number input's + grows the kernel one row at a time; a Sobel must stay in the middle."""
    at = make_app(PAGE, query={"input": "edge image 6x8", "kpreset": "Sobel x",
                               "kernel": "-1,0,1;-2,0,2;-1,0,1"}).run()
    for side in (4, 5):
        at.number_input(key="p1_kh").set_value(side).run()
        at.number_input(key="p1_kw").set_value(side).run()
    assert_no_exception(at)
    K = _z(_figure(at, "kernel"))
    sobel = kernel_preset("Sobel x")
    assert K.shape == (5, 5) and K[1:4, 1:4].tolist() == sobel.tolist() and float(K.abs().sum()) == 8
    at.number_input(key="p1_kh").set_value(4).run()
    at.number_input(key="p1_kh").set_value(3).run()
    at.number_input(key="p1_kw").set_value(3).run()
    assert _z(_figure(at, "kernel")).tolist() == sobel.tolist()


def test_the_picked_cell_keeps_its_row_and_column_when_the_output_changes_shape():
    at = make_app(PAGE).run()
    at.slider(key="p1_cell").set_value(3).run()  # Y[1, 1] of the 2x2 output
    assert "Y[1, 1] = " in _markdown(at)
    at.number_input(key="p1_pad_w").set_value(1).run()  # the output becomes 2x4
    assert _z(_figure(at, "output")).shape == (2, 4)
    assert "#### Y[1, 1] = " in _markdown(at)
    at.number_input(key="p1_pad_w").set_value(0).run()
    at.number_input(key="p1_pad_h").set_value(0).run()
    assert "#### Y[1, 1] = " in _markdown(at)
    at.number_input(key="p1_stride_h").set_value(2).run()  # 1x2: the row is clamped, the column kept
    assert "#### Y[0, 1] = " in _markdown(at)


def test_a_7x7_kernel_sum_is_grouped_by_kernel_row_not_one_49_term_heading():
    kernel = [[(3 * r + c) % 5 - 2 for c in range(7)] for r in range(7)]
    query = {"input": "random integers", "rand_h": "9", "rand_w": "9", "seed": "4",
             "kernel": ";".join(",".join(str(v) for v in row) for row in kernel), "cell": "4"}
    at = make_app(PAGE, query=query).run()
    assert_no_exception(at)
    Xp = _z(_figure(at, "input"))
    K = torch.tensor(kernel, dtype=torch.float64)
    window = Xp[1:8, 1:8]  # Y[1, 1] of the 3x3 output
    rows = [(window[r] * K[r]).sum() for r in range(7)]
    total = F.conv2d(Xp[None, None], K[None, None])[0, 0, 1, 1]
    headings = [_plain(m.value) for m in at.markdown if m.value.startswith("#")]
    subtotals = " + ".join(f"({explain.fmt(s)})" if s < 0 else explain.fmt(s) for s in rows)
    assert headings == [f"#### Y[1, 1] = {subtotals} = {explain.fmt(total)}"]
    assert all(h.count("×") == 0 for h in headings)  # no 49-term heading
    breakdown = _plain(_markdown(at))
    for r in range(7):
        assert f"kernel row {r}: {explain.written_sum(window[r], K[r])}" in breakdown


def test_short_sums_stay_on_one_heading_line():
    at = make_app(PAGE, query={"kernel": "1,-1"}).run()
    assert "#### Y[0, 0] = 0×1 + 1×(-1) = -1" in _markdown(at)


def _padding_labels(fig: dict) -> set[str]:
    return {t for row in fig["data"][1]["text"] for t in row if t}


def test_max_pooling_draws_padding_as_padding_not_zero():
    """PyTorch pads max pooling with -inf: a padded cell never wins, so drawing it as 0 is wrong."""
    query = {"mode": "Pooling", "input": "4x4 arange", "c_in": "1", "pool_kh": "3", "pool_kw": "3",
             "pool_pad_h": "1", "pool_pad_w": "1"}
    at = make_app(PAGE, query=query).run()
    assert_no_exception(at)
    fig = _figure(at, "input, channel 0")
    assert _padding_labels(fig) == {"−∞"}
    assert "-inf" in fig["data"][1]["hovertemplate"]
    at.radio(key="p1_pool_mode").set_value("avg").run()  # avg pooling does count padded zeros
    assert _padding_labels(_figure(at, "input, channel 0")) == {"0"}


def test_the_flipped_kernel_title_fits_its_figure():
    at = make_app(PAGE, query={"true_conv": "true"}).run()
    fig = _figure(at, "kernel")
    from cnnviz.figures.conv import title_px

    assert title_px(fig["layout"]["title"]["text"]) <= 240  # the column a 2x2 kernel gets at 1280 px


def test_a_bad_upload_is_reported_in_the_main_area_and_the_page_keeps_drawing():
    at = make_app(PAGE, query={"pad_h": "1"}).run()
    at.selectbox(key="p1_input").set_value("uploaded image").run()
    at.file_uploader(key="p1_upload").set_value(("x.png", b"not an image", "image/png")).run()
    assert_no_exception(at)
    assert any("upload a PNG or JPEG" in e.value for e in at.main.error)
    assert any("upload a PNG or JPEG" in e.value for e in at.sidebar.error)
    # The previous input (the book's 3x3) is still convolved, with the settings the student had.
    assert _z(_figure(at, "output")).shape == (4, 2)
    assert at.number_input(key="p1_pad_h").value == 1
    buf = io.BytesIO()
    Image.linear_gradient("L").resize((20, 10)).save(buf, format="PNG")
    at.file_uploader(key="p1_upload").set_value(("g.png", buf.getvalue(), "image/png")).run()
    assert not at.main.error and _z(_figure(at, "input")).shape == (12, 20)


def test_editing_a_kernel_cell_shows_custom_and_a_preset_brings_its_name_back():
    """Defect 5: an edited kernel left the preset box on the old preset's name."""
    at = make_app(PAGE).run()
    assert at.selectbox(key="p1_kpreset").value == "book [[0, 1], [2, 3]]"
    _edit(at, "p1_kernel_0", 0, 0, 5)
    assert at.selectbox(key="p1_kpreset").value == "custom"
    assert _z(_figure(at, "kernel")).tolist() == [[5, 1], [2, 3]]
    shared = make_app(PAGE, query=dict(at.query_params)).run()  # the link keeps the edit and says custom
    assert_no_exception(shared)
    assert shared.selectbox(key="p1_kpreset").value == "custom" and not shared.warning
    at.selectbox(key="p1_kpreset").set_value("Sobel x").run()
    assert _z(_figure(at, "kernel")).tolist() == kernel_preset("Sobel x").tolist()
    assert at.selectbox(key="p1_kpreset").value == "Sobel x"


def test_average_pooling_speaks_of_averages_and_nn_avgpool2d():
    """Defect 5: in average pooling the subtitle spoke of "the input window times the kernel" and the tip
    named nn.MaxPool2d."""
    at = make_app(PAGE, query={"mode": "Pooling", "pool_mode": "avg"}).run()
    assert_no_exception(at)
    text = " ".join(c.value for c in at.caption)  # the subtitle is the page's first caption
    assert "average of its input window (`nn.AvgPool2d`)" in text and "times the kernel" not in text
    tip = "\n".join(i.value for i in at.info)
    assert "`nn.AvgPool2d(2)`" in tip and "MaxPool2d" not in tip
    assert at.button(key="p1_stride_torch").label == "stride = window (nn.AvgPool2d)"
    at.radio(key="p1_pool_mode").set_value("max").run()
    assert "`nn.MaxPool2d(2)`" in "\n".join(i.value for i in at.info)


def test_a_typed_input_grid_is_edited_resized_and_shared_like_the_kernel():
    """Defect 5 of the lesson issue: the input can be typed. It starts as a diagonal edge (exercise 7.2.1); a
    cell edit, a new shape and the link all give F.conv2d's numbers."""
    at = make_app(PAGE).run()
    at.selectbox(key="p1_input").set_value("typed grid").run()
    assert_no_exception(at)
    X = torch.tril(torch.ones(6, 6, dtype=torch.float64))
    assert _z(_figure(at, "input")).tolist() == X.tolist()
    _edit(at, "p1_grid_0", 0, 5, 7)
    X[0, 5] = 7
    assert _z(_figure(at, "input")).tolist() == X.tolist()
    assert _z(_figure(at, "output")).tolist() == F.conv2d(X[None, None], BOOK_K[None, None])[0, 0].tolist()
    at.number_input(key="p1_grid_h").set_value(4)
    at.number_input(key="p1_grid_w").set_value(8).run()  # cut at the bottom, zeros on the right
    X = torch.cat((X[:4], torch.zeros(4, 2, dtype=torch.float64)), dim=1)
    assert _z(_figure(at, "input")).tolist() == X.tolist()
    assert at.query_params["grid"] == "1,0,0,0,0,7,0,0;1,1,0,0,0,0,0,0;1,1,1,0,0,0,0,0;1,1,1,1,0,0,0,0"
    shared = make_app(PAGE, query=dict(at.query_params)).run()
    assert_no_exception(shared)
    assert _z(_figure(shared, "output")).tolist() == F.conv2d(X[None, None], BOOK_K[None, None])[0, 0].tolist()
    assert shared.number_input(key="p1_grid_h").value == 4 and not shared.warning
    too_big = make_app(PAGE, query={"input": "typed grid", "grid": ";".join(["0"] * 13)}).run()
    assert_no_exception(too_big)
    assert any("larger than 12×12" in w.value for w in too_big.warning)
