"""Page 2 in AppTest: the run shown is the library's run, controls reset it, bad input gets st.error."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
import torch

from cnnviz.edge import fit as edge
from cnnviz.edge import inputs as edge_inputs
from cnnviz.ui import common
from cnnviz.ui.edge import views as ui
from tests.conftest import assert_no_exception, make_app

PAGE = "pages/2_Learn_an_edge_kernel.py"


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def book_run() -> list[edge.FitRecord]:
    """What the page's second preset shows: the book's example, lr 0.01, 200 steps, seed 0, with bias."""
    X = edge_inputs.synthetic_input(edge_inputs.SYNTHETIC_INPUTS[0])
    Y = edge_inputs.target_output(X, edge_inputs.target_kernel("Vertical edge [1, -1]"))
    return list(edge.fit_kernel(X, Y, (1, 2), lr=0.01, steps=200, seed=0, bias=True))


def explore():
    """The page on its second preset: lr 0.01, 200 steps, with a bias (what the tests below were written for)."""
    at = make_app(PAGE).run()
    return at.radio(key="edge_preset").set_value(ui.EXPLORE).run()


def figure(at, key: str) -> dict:
    return next(json.loads(el.proto.spec) for el in at.get("plotly_chart") if el.proto.id.endswith(key))


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def errors(at) -> str:
    return " | ".join(e.value for e in at.error)


def test_run_to_end_shows_the_librarys_kernel(book_run):
    at = explore()
    assert_no_exception(at)
    assert metrics(at) == {"Steps": "0 / 200", "Loss": f"{book_run[0].loss:.3g}"}
    at.button(key="edge_step").click().run()
    assert metrics(at)["Steps"] == "1 / 200"
    assert figure(at, "edge_loss_chart")["data"][0]["y"] == [r.loss for r in book_run[:2]]

    at.button(key="edge_to_end").click().run()
    assert_no_exception(at)
    last = book_run[-1]
    assert metrics(at) == {"Steps": "200 / 200", "Loss": f"{last.loss:.3g}"}
    kernel = figure(at, "edge_kernel_chart")
    assert kernel["data"][0]["z"] == last.weight.tolist()  # the exact numbers, not just close
    assert kernel["data"][1]["z"] == [[1.0, -1.0]]
    assert "Done: 200 steps" in at.success[0].value
    assert any(f"`[{last.weight[0, 0]:.4f}, {last.weight[0, 1]:.4f}]`" in m.value for m in at.markdown)
    paths = figure(at, "edge_weights_chart")["data"]
    assert paths[0]["y"] == [r.weight[0, 0].item() for r in book_run]


def test_play_advances_by_the_speed_and_stops_at_the_end(book_run):
    at = explore()
    at.select_slider(key="edge_speed").set_value(50).run()
    at.button(key="edge_play").click().run()  # fragments run inline: one tick per run
    assert metrics(at)["Steps"] == "50 / 200"
    assert at.button(key="edge_play").label == "Pause"
    for _ in range(4):
        at.run()
    assert_no_exception(at)
    assert metrics(at)["Steps"] == "200 / 200"
    assert at.button(key="edge_play").label == "Play"  # the finished run stopped playing
    assert figure(at, "edge_kernel_chart")["data"][0]["z"] == book_run[-1].weight.tolist()
    at.button(key="edge_reset").click().run()
    assert metrics(at)["Steps"] == "0 / 200"


def test_a_changed_control_starts_a_new_run():
    at = explore()
    at.button(key="edge_to_end").click().run()
    at.number_input(key="edge_seed").set_value(3).run()
    assert metrics(at)["Steps"] == "0 / 200"
    w0, _ = edge.initial_parameters((1, 2), 3)
    assert figure(at, "edge_kernel_chart")["data"][0]["z"] == w0.tolist()


def test_after_divergence_the_target_stays_readable_and_numbers_fit_their_cells():
    """Defect 10: a diverged kernel (|w| > 20) and prediction no longer set the colour scale, which washed
    the target kernel and Y out to white; the scale is the target's, saying that it clips; every number
    printed in a cell is short enough for it."""
    at = explore()
    at.text_input(key="edge_lr_typed").input("0.05").run()
    at.button(key="edge_to_end").click().run()
    assert_no_exception(at)
    kernel = figure(at, "edge_kernel_chart")
    learned, target = kernel["data"]
    assert max(abs(v) for row in learned["z"] for v in row) > 20  # it did blow up
    assert (target["zmin"], target["zmax"]) == (-1.25, 1.25) == (learned["zmin"], learned["zmax"])
    assert "colours clipped at ±1.25" in kernel["layout"]["title"]["subtitle"]["text"]
    assert learned["text"] == [[f"{v:.1f}" for v in row] for row in learned["z"]]  # "-22.4", not "-22.45"

    X_in, Y, prediction = figure(at, "edge_outputs_chart")["data"]
    assert (Y["zmin"], Y["zmax"]) == (-1.25, 1.25) == (prediction["zmin"], prediction["zmax"])
    assert max(abs(v) for row in prediction["z"] for v in row) > 40
    for trace in (X_in, Y, prediction):
        for text_row, z_row in zip(trace["text"], trace["z"]):
            assert all(len(t) <= 4 and float(t) == pytest.approx(z, abs=0.5) for t, z in zip(text_row, z_row))
    assert Y["text"][0][:2] == ["0", "1"]  # whole numbers without ".0"


def test_divergence_is_an_error_not_nan():
    at = explore()
    at.text_input(key="edge_lr_typed").input("0.05").run()
    assert any("expect divergence" in c.value for c in at.caption)
    at.button(key="edge_to_end").click().run()
    assert_no_exception(at)
    assert "loss grew past" in errors(at) and "at step 4" in errors(at) and "lower the learning rate" in errors(at)
    assert metrics(at)["Steps"] == "3 / 200"
    losses = figure(at, "edge_loss_chart")["data"][0]["y"]
    assert len(losses) == 4 and all(v == v and v < 1e30 for v in losses)


@pytest.mark.parametrize("typed", ["0", "-1", "abc"])
def test_a_bad_learning_rate_is_explained_and_the_page_keeps_working(typed):
    at = explore()
    at.number_input(key="edge_seed").set_value(2).run()
    at.text_input(key="edge_lr_typed").input(typed).run()
    assert_no_exception(at)
    assert "must be a positive number" in errors(at) and "using the slider's 0.01" in errors(at)
    at.button(key="edge_to_end").click().run()
    assert metrics(at)["Steps"] == "200 / 200" and at.number_input(key="edge_seed").value == 2


def test_bad_custom_kernel_and_bad_upload_get_errors():
    at = explore()
    at.selectbox(key="edge_target").set_value("Custom (type it)").run()
    at.text_area(key="edge_custom_kernel").input("1 x").run()
    assert "'x' is not a number" in errors(at)
    at.text_area(key="edge_custom_kernel").input("1 0 -1").run()
    assert errors(at) == ""
    assert figure(at, "edge_kernel_chart")["data"][1]["z"] == [[1.0, 0.0, -1.0]]
    at.selectbox(key="edge_input").set_value("Upload an image").run()
    at.file_uploader(key="edge_upload").set_value(("notes.png", b"not an image at all", "image/png")).run()
    assert_no_exception(at)
    assert "not a readable image" in errors(at)
    assert len(at.get("plotly_chart")) == 4  # the page still runs, on the book's stripes


def test_no_edge_in_the_targets_direction_is_said_next_to_the_result():
    at = explore()
    at.selectbox(key="edge_target").set_value("Horizontal edge [[1], [-1]]").run()
    warnings = " ".join(w.value for w in at.warning)
    assert "no edge in the target's direction" in warnings and "Not identifiable" in warnings


def test_fashion_mnist_input_and_the_stable_learning_rate_button():
    at = explore()
    at.selectbox(key="edge_input").set_value("Fashion-MNIST image").run()
    at.selectbox(key="edge_target").set_value("Sobel x").run()
    assert_no_exception(at)
    assert any("expect divergence" in c.value for c in at.caption)  # 0.01 is too much for 28x28
    at.button(key="edge_use_stable_lr").click().run()
    typed = float(at.text_input(key="edge_lr_typed").value)
    assert 0 < typed < 0.01
    at.number_input(key="edge_steps").set_value(50).run()
    at.button(key="edge_to_end").click().run()
    assert errors(at) == ""
    losses = figure(at, "edge_loss_chart")["data"][0]["y"]
    assert len(losses) == 51 and losses[-1] < losses[0] / 2
    # below 1 / the largest eigenvalue, gradient descent on this quadratic lowers the loss at every step
    assert all(b < a for a, b in zip(losses, losses[1:]))


def test_compare_learning_rates_overlays_the_librarys_curves():
    at = explore()
    at.number_input(key="edge_steps").set_value(40).run()
    at.toggle(key="edge_compare").set_value(True).run()
    assert_no_exception(at)
    curves = [d for d in figure(at, "edge_compare_chart")["data"] if d.get("name")]
    assert [c["name"].split(" (")[0] for c in curves] == ["lr 0.0025", "lr 0.005", "lr 0.01", "lr 0.02", "lr 0.04"]
    X = edge_inputs.synthetic_input(edge_inputs.SYNTHETIC_INPUTS[0])
    Y = edge_inputs.target_output(X, edge_inputs.target_kernel("Vertical edge [1, -1]"))
    expected = edge.compare_learning_rates(X, Y, (1, 2), [0.0025, 0.005, 0.01, 0.02, 0.04], steps=40)
    assert [c["y"] for c in curves] == [run.losses for run in expected]
    assert "diverged" in curves[3]["name"] and "diverged" not in curves[2]["name"]


def test_a_click_carried_by_a_play_tick_acts_once(monkeypatch, book_run):
    """Defect 1's cause: the browser also sends a click with a play tick (a fragment rerun) that fires
    before the click's own full rerun. The tick's copy must do nothing, the full rerun's act once, and
    Pause must mean pause however often it arrives."""
    X = edge_inputs.synthetic_input(edge_inputs.SYNTHETIC_INPUTS[0])
    Y = edge_inputs.target_output(X, edge_inputs.target_kernel("Vertical edge [1, -1]"))
    run = edge.FitPlayback(edge.fit_kernel(X, Y, (1, 2)), 200)
    run.advance(6)  # steps 0..5
    state = {"edge_run": run, "edge_playing": True}
    monkeypatch.setattr(ui.st, "session_state", state)
    tick = SimpleNamespace(fragment_ids_this_run=["edge_live_view"])
    full = SimpleNamespace(fragment_ids_this_run=None)

    monkeypatch.setattr(common, "get_script_run_ctx", lambda: tick)  # once_per_click asks common
    for click in (ui.step_once, ui.run_to_end, ui.reset, lambda: ui.set_playing(False)):
        click()
    assert (state["edge_playing"], run.last.step) == (True, 5) and state["edge_run"] is run

    monkeypatch.setattr(common, "get_script_run_ctx", lambda: full)
    ui.set_playing(False)
    ui.set_playing(False)  # the same Pause twice still pauses
    assert state["edge_playing"] is False
    ui.step_once()
    assert run.last.step == 6 and run.last.weight.tolist() == book_run[6].weight.tolist()
    ui.set_playing(True)
    assert state["edge_playing"] is True


def the_books_loop(X, Y, weight, lr=3e-2, steps=10):
    """d2l 7.2.4 / zh 6.2.4 written out: a 1x2 kernel, no bias, weight -= lr * grad; the losses it computes."""
    weight = weight.clone().requires_grad_(True)
    losses = []
    for _ in range(steps):
        Y_hat = torch.nn.functional.conv2d(X.reshape(1, 1, 6, 8), weight.reshape(1, 1, 1, 2))
        l = (Y_hat - Y.reshape(1, 1, 6, 7)) ** 2
        weight.grad = None
        l.sum().backward()
        with torch.no_grad():
            weight -= lr * weight.grad
        losses.append(l.sum().item())
    return losses, weight.detach()


def test_the_page_opens_on_the_books_loop_and_matches_it():
    """Defect 1: the book's lr 0.03 diverged on the page (it learned a bias, 200 steps); the first preset is
    the book's loop, so its losses are the ones the book's loop computes, and raising the rate diverges."""
    at = make_app(PAGE).run()
    assert_no_exception(at)
    assert at.radio(key="edge_preset").value == ui.BOOK_LOOP
    assert at.checkbox(key="edge_bias").value is False and at.select_slider(key="edge_lr").value == 0.03
    at.button(key="edge_to_end").click().run()
    assert metrics(at)["Steps"] == "10 / 10" and errors(at) == ""
    X = edge_inputs.synthetic_input(edge_inputs.SYNTHETIC_INPUTS[0])
    Y = edge_inputs.target_output(X, edge_inputs.target_kernel("Vertical edge [1, -1]"))
    losses, weight = the_books_loop(X, Y, edge.initial_parameters((1, 2), 0)[0])
    shown = figure(at, "edge_loss_chart")["data"][0]["y"]
    assert shown[:10] == pytest.approx(losses, rel=1e-12) and shown[-1] < 0.05 * shown[0]
    assert figure(at, "edge_kernel_chart")["data"][0]["z"][0] == pytest.approx(weight[0].tolist(), rel=1e-12)
    at.select_slider(key="edge_lr").set_value(0.1).run()
    assert at.radio(key="edge_preset").value == ui.CUSTOM_PRESET
    at.button(key="edge_to_end").click().run()
    assert "the run diverged" in errors(at)


def test_a_typed_rate_moves_the_slider_and_the_stable_rate_says_why():
    """Defect 1: typing 0.03 left the slider on 0.01; now one rate is shown, and moving the slider empties the box."""
    at = explore()
    at.text_input(key="edge_lr_typed").input("0.016").run()
    assert at.select_slider(key="edge_lr").value == 0.016
    assert "0.016 is" in " ".join(c.value for c in at.caption)  # the rate the hint judges is the typed one
    at.select_slider(key="edge_lr").set_value(0.005).run()
    assert at.text_input(key="edge_lr_typed").value == "" and at.select_slider(key="edge_lr").value == 0.005
    assert any("never zigzags" in c.value for c in at.caption)
    assert "no direction zigzags" in at.button(key="edge_use_stable_lr").help
