"""The Activations page in AppTest: the numbers its charts show against the shipped model run directly."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import pickle

import numpy as np
import pytest
import torch
from PIL import Image

from cnnviz.inspection import capture as act
from cnnviz.training import checkpoint
from cnnviz.arch import PRESETS, build
from cnnviz.data import load_fashion_mnist
from cnnviz.training.jobs import TrainingJob
from cnnviz.training.shipped import SHIPPED
from cnnviz.training.loop import TrainConfig
from cnnviz.training.input import init_weights, resize_batch
from cnnviz.ui.train import state as train_state
from cnnviz.ui.train.state import Run
from tests.app.test_page4_train import shown
from tests.conftest import assert_no_exception, make_app

PAGE = "pages/5_Activations.py"
PULLOVER, COAT, TROUSER = 2, 4, 1
PER_CLASS = 4  # the page's default images per class


def figure(at, key: str) -> dict:
    """The figure JSON of the chart with this key."""
    charts = [el for el in at.get("plotly_chart") if el.proto.id.endswith(f"-{key}")]
    assert charts, f"no chart with key {key}"
    return json.loads(charts[0].proto.spec)


def array(value) -> np.ndarray:
    """A Plotly data array: a plain list, or typed-array JSON ({dtype, bdata, shape})."""
    if isinstance(value, dict):
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = [int(s) for s in str(value.get("shape", len(flat))).split(",")]
        return flat.reshape(shape)
    return np.asarray(value, dtype=float)


def tile(z: np.ndarray, row: int, col: int, size: int) -> np.ndarray:
    """One map out of a mosaic with 1-pixel gaps."""
    return z[row * (size + 1): row * (size + 1) + size, col * (size + 1): col * (size + 1) + size]


@pytest.fixture(scope="module")
def shipped_model():
    model, spec, _ = checkpoint.load(SHIPPED[0].path)
    return model


@pytest.fixture(scope="module")
def test_set():
    return load_fashion_mnist(train=False)


@pytest.fixture(scope="module")
def gallery(test_set):
    """The page's default images: the first 4 test Pullovers then the first 4 test Coats."""
    images, labels = test_set
    return torch.cat([images[labels == c][:PER_CLASS] for c in (PULLOVER, COAT)])


def test_default_compares_pullover_and_coat_with_the_shipped_model(shipped_model, gallery):
    at = make_app(PAGE).run()
    assert_no_exception(at)
    assert at.multiselect(key="act_classes").value == ["Pullover", "Coat"]
    assert at.selectbox(key="act_model").value == SHIPPED[0].label
    assert at.selectbox(key="act_layer").value.startswith("conv1")
    assert at.selectbox(key="act_stage").value == "activation"
    assert at.selectbox(key="act_channels").value == "all 16"
    assert any("conv1 after the activation (act1)" in m.value for m in at.markdown)

    acts = act.capture(shipped_model, gallery, ["act1"])["act1"]  # (8, 16, 28, 28)
    grid = figure(at, "act_grid")
    z = array(grid["data"][0]["z"])
    assert z.shape == (8 * 29 - 1, 16 * 29 - 1)
    np.testing.assert_allclose(tile(z, 5, 2, 28), acts[5, 2].numpy(), atol=1e-5)  # Coat 2, channel 2
    assert len(array(grid["data"][1]["x"])) == 8 * 16  # one click target per map
    np.testing.assert_array_equal(array(grid["data"][2 + 5]["z"]), gallery[5].numpy())  # Coat 2 beside its maps
    means = array(figure(at, "act_means")["data"][0]["z"])
    np.testing.assert_allclose(tile(means, 1, 0, 28), acts[4:, 0].mean(0).numpy(), atol=1e-5)
    difference = array(figure(at, "act_difference")["data"][0]["z"])
    want = acts[:4, 3].mean(0) - acts[4:, 3].mean(0)
    np.testing.assert_allclose(tile(difference, 0, 3, 28), want.numpy(), atol=1e-5)

    probs = act.predict_proba(shipped_model, gallery)
    bars = {trace["name"]: array(trace["x"]) for trace in figure(at, "act_probs")["data"]}
    np.testing.assert_allclose(bars["Coat"], probs[:, COAT].numpy(), atol=1e-5)
    kernels = array(figure(at, "act_kernels")["data"][0]["z"])
    np.testing.assert_allclose(tile(kernels, 0, 1, 5), shipped_model.conv1.weight[1, 0].detach().numpy(),
                               atol=1e-6)
    assert len(figure(at, "act_bars")["data"]) == 2


def test_the_second_layer_is_paged_eight_channels_at_a_time(shipped_model, gallery):
    at = make_app(PAGE).run()
    at.selectbox(key="act_layer").select_index(1).run()
    at.selectbox(key="act_stage").set_value("pooling").run()
    assert_no_exception(at)
    pooled = act.capture(shipped_model, gallery, ["pool2"])["pool2"]  # (8, 32, 5, 5)
    channels = at.selectbox(key="act_channels")
    assert channels.value == "0–7" and channels.options[-1].startswith("the 8 that separate")
    grid = array(figure(at, "act_grid")["data"][0]["z"])
    assert grid.shape == (8 * 6 - 1, 8 * 6 - 1)  # 8 images x 8 channels, not 32 tiny tiles
    assert any("conv2 after pooling (pool2)" in m.value for m in at.markdown)

    channels.set_value("16–23").run()  # channels counted from 0, as PyTorch indexes them
    grid = figure(at, "act_grid")
    assert grid["layout"]["xaxis"]["ticktext"] == ["input", *(str(c) for c in range(16, 24))]
    np.testing.assert_allclose(tile(array(grid["data"][0]["z"]), 0, 5, 5), pooled[0, 21].numpy(), atol=1e-5)
    kernels = figure(at, "act_kernels")  # the same page of output channels
    assert kernels["layout"]["xaxis"]["ticktext"] == [str(c) for c in range(16, 24)]
    np.testing.assert_allclose(tile(array(kernels["data"][0]["z"]), 3, 0, 5),
                               shipped_model.conv2.weight[16, 3].detach().numpy(), atol=1e-6)

    at.selectbox(key="act_channels").set_value(at.selectbox(key="act_channels").options[-1]).run()
    labels = torch.tensor([PULLOVER] * PER_CLASS + [COAT] * PER_CLASS)
    best = sorted(act.most_separating_channels(pooled, labels, [PULLOVER, COAT], top=8))
    assert figure(at, "act_grid")["layout"]["xaxis"]["ticktext"] == ["input", *(str(c) for c in best)]
    at.toggle(key="act_shared").set_value(False).run()  # per-map colour scales
    grid = array(figure(at, "act_grid")["data"][0]["z"])
    assert np.nanmax(grid) == pytest.approx(1.0) and np.nanmin(grid) >= 0
    assert_no_exception(at)


def test_a_clicked_map_opens_enlarged_with_its_values(shipped_model, gallery):
    at = make_app(PAGE).run()
    at.selectbox(key="act_layer").select_index(1).run()
    # What a click on the grid's map of Coat 2, channel 5 records (the browser test clicks for real).
    at.session_state["act_zoom"] = (5, 5)
    at.session_state["act_zoom_open"] = True
    at.run()
    assert_no_exception(at)
    acts = act.capture(shipped_model, gallery, ["act2"])["act2"]  # (8, 32, 10, 10)
    enlarged = figure(at, "act_zoom_map")["data"][0]
    np.testing.assert_allclose(array(enlarged["z"]), acts[5, 5].numpy(), atol=1e-5)
    assert enlarged["texttemplate"] == "%{z:.2f}"  # 10x10: the values are printed in the cells
    at.run()  # opened once per click: the next run does not open it again
    assert not [c for c in at.get("plotly_chart") if c.proto.id.endswith("-act_zoom_map")]


def png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_own_images_show_their_prediction_and_bad_files_get_an_error(shipped_model, test_set):
    images, labels = test_set
    trousers = images[labels == TROUSER][0].numpy()  # a class the page does not compare
    at = make_app(PAGE).run()
    at.file_uploader(key="act_own").set_value([("mine.png", png(trousers), "image/png"),
                                               ("broken.png", b"not an image", "image/png")]).run()
    assert_no_exception(at)
    assert any("broken.png" in e.value for e in at.error)
    probs = act.predict_proba(shipped_model, torch.from_numpy(trousers)[None])[0]
    assert probs.argmax() == TROUSER
    bars = figure(at, "act_probs")["data"]
    assert bars[0]["y"][-1] == "yours 1" and len(bars[0]["y"]) == 2 * PER_CLASS + 1
    predicted = next(t for t in bars if t["name"] == "likeliest other class")
    assert predicted["text"][-1] == "Trouser"  # named on its bar, not lumped into grey "other classes"
    assert array(predicted["x"])[-1] == pytest.approx(float(probs[TROUSER]), abs=1e-5)
    at.selectbox(key="act_attr_image").set_value(2 * PER_CLASS).run()  # the student's own image explained
    assert_no_exception(at)
    saliency = array(figure(at, "act_attribution")["data"][1]["z"])
    assert saliency.shape == (28, 28) and np.nanmax(saliency) > 0


class Runs:
    """The Train page's record of finished runs, as it leaves them for this page."""

    @staticmethod
    def finished(number: int, seed: int, name: str = "lenet", side: int = 28) -> Run:
        torch.manual_seed(seed)
        spec = dataclasses.replace(PRESETS[name], input_shape=(1, side, side))
        model = build(spec).eval()
        job = TrainingJob(model, None, None, TrainConfig(epochs=1))
        return Run(number, spec, TrainConfig(epochs=1), job, archived=True, confusion=torch.eye(10) * (number + 1))


def test_any_finished_run_of_the_session_can_be_inspected(gallery, monkeypatch):
    first, second = Runs.finished(1, seed=1), Runs.finished(2, seed=2, name="lenet_relu")
    # The session's runs as the Train page's accessors report them, wherever it keeps them.
    monkeypatch.setattr(train_state, "finished_runs", lambda: [first, second])
    monkeypatch.setattr(train_state, "current_model", lambda: (second.job.model, second.spec, {}))
    at = make_app(PAGE).run()
    options = at.selectbox(key="act_model").options
    runs = [o for o in options if o.startswith("Run ")]
    assert runs == [f"Run {shown(second)} · 100.0%", f"Run {shown(first)} · 100.0%"]  # newest first, by title
    for run, label in ((first, runs[1]), (second, runs[0])):
        at.selectbox(key="act_model").set_value(label).run()
        assert_no_exception(at)
        want = act.capture(run.job.model, gallery, ["act1"])["act1"]
        grid = array(figure(at, "act_grid")["data"][0]["z"])
        np.testing.assert_allclose(tile(grid, 6, 4, 28), want[6, 4].numpy(), atol=1e-5)


def forward_to(model: torch.nn.Sequential, batch: torch.Tensor, layer: str) -> torch.Tensor:
    """The model's children called directly, up to and including `layer`: no hooks, no page code."""
    with torch.no_grad():
        for name, child in model.named_children():
            batch = child(batch)
            if name == layer:
                return batch
    raise KeyError(layer)


def test_a_network_that_takes_larger_images_sees_them_resized(gallery, monkeypatch):
    run = Runs.finished(1, seed=3, name="lenet_relu", side=64)  # a real network at 64x64, random weights
    monkeypatch.setattr(train_state, "finished_runs", lambda: [run])
    at = make_app(PAGE).run()
    at.selectbox(key="act_model").set_value(f"Run {run.label} · 100.0%").run()
    assert_no_exception(at)
    model = run.job.model.eval()
    resized = resize_batch(gallery[:, None].float() / 255, 64)  # (8, 1, 64, 64), as fit resizes its batches
    want = forward_to(model, resized, "act1")  # (8, 6, 64, 64)
    grid = figure(at, "act_grid")
    np.testing.assert_allclose(tile(array(grid["data"][0]["z"]), 2, 3, 64), want[2, 3].numpy(), atol=1e-5)
    # The input column shows each image at the size the network sees: 64x64, not the 28x28 original.
    np.testing.assert_allclose(array(grid["data"][2 + 6]["z"]), resized[6, 0].numpy() * 255, atol=0.5)
    probs = torch.softmax(forward_to(model, resized, "fc3"), dim=1)
    bars = {trace["name"]: array(trace["x"]) for trace in figure(at, "act_probs")["data"]}
    np.testing.assert_allclose(bars["Coat"], probs[:, COAT].numpy(), atol=1e-5)

    # Attribution explains image 0 (Pullover 1) at the size the network sees; the first row is Saliency for
    # the predicted class, |d score / d pixel| unscaled.
    image = resized[:1].clone().requires_grad_()
    predicted = int(probs[0].argmax())
    (grad,) = torch.autograd.grad(model(image)[0, predicted], image)
    np.testing.assert_allclose(array(figure(at, "act_attribution")["data"][1]["z"]), grad.abs()[0, 0].numpy(),
                               rtol=1e-4, atol=1e-7)


def test_an_uploaded_checkpoint_of_a_96_network_sees_its_size(gallery):
    run = Runs.finished(1, seed=4, name="lenet_relu", side=96)
    data = checkpoint.to_bytes(run.job.model, run.spec, {"test_accuracy": 0.5})
    at = make_app(PAGE).run()
    at.selectbox(key="act_model").set_value(at.selectbox(key="act_model").options[-1]).run()
    at.file_uploader(key="act_checkpoint").set_value(("big.pt", data, "application/octet-stream")).run()
    assert_no_exception(at)
    resized = resize_batch(gallery[:, None].float() / 255, 96)
    want = forward_to(run.job.model.eval(), resized, "act1")  # (8, 6, 96, 96)
    grid = figure(at, "act_grid")
    np.testing.assert_allclose(tile(array(grid["data"][0]["z"]), 7, 5, 96), want[7, 5].numpy(), atol=1e-5)
    at.session_state["act_unit"] = ("act1", 95, 0)  # the bottom left corner: padding 2 cuts the 5x5 field
    at.run()
    assert any("unit (95, 0) of act1 sees rows 93-95, columns 0-2 (3×3 of the 96×96 input); its field is 5×5"
               in c.value for c in at.caption), [c.value for c in at.caption]


def test_the_books_networks_untrained_at_their_input_size(gallery):
    at = make_app(PAGE).run()
    box = at.selectbox(key="act_model")
    assert "AlexNet at 224×224, untrained" in box.options  # by the network's title, never its id ("alexnet")
    box.select_index(box.options.index("GoogLeNet at 96×96, untrained")).run()
    assert at.selectbox(key="act_model").value == "googlenet at 96x96, untrained"  # the value links keep
    assert_no_exception(at)
    assert any("untrained: shapes and receptive fields only, the maps mean nothing yet" in w.value
               for w in at.warning), [w.value for w in at.warning]
    torch.manual_seed(0)  # the page's seed and the book's Xavier init, built here independently
    model = build(PRESETS["googlenet"])
    init_weights(model, "xavier")
    resized = resize_batch(gallery[:, None].float() / 255, 96)
    want = forward_to(model.eval(), resized, "act1")  # (8, 64, 48, 48)
    assert at.selectbox(key="act_channels").value == "0–7"
    grid = array(figure(at, "act_grid")["data"][0]["z"])
    np.testing.assert_allclose(tile(grid, 5, 6, 48), want[5, 6].numpy(), atol=1e-4)

    at.selectbox(key="act_layer").set_value("inception1: fourth block").run()
    assert_no_exception(at)
    want = forward_to(model, resized, "inception1")  # (8, 256, 12, 12)
    np.testing.assert_allclose(tile(array(figure(at, "act_grid")["data"][0]["z"]), 1, 0, 12), want[1, 0].numpy(),
                               rtol=1e-4, atol=1e-4)
    assert array(figure(at, "act_attribution")["data"][1]["z"]).shape == (96, 96)


@pytest.mark.parametrize("name,title,layer,side", [
    ("resnet18", "ResNet-18", "residual3", 12),  # the first stride-2 block with a 1x1 shortcut: 128x12x12
    ("densenet", "DenseNet", "transition1", 12),  # 192 channels halved to 96, side halved by the average pool
    ("regnetx32", "RegNetX-32", "resnext5", 12),  # the second stage's first (stride-2) ResNeXt block: 80x12x12
])
def test_the_later_book_networks_untrained_at_96(gallery, name, title, layer, side):
    at = make_app(PAGE).run()
    box = at.selectbox(key="act_model")
    box.select_index(box.options.index(f"{title} at 96×96, untrained")).run()
    assert_no_exception(at)
    layers = at.selectbox(key="act_layer")
    layers.select_index(next(i for i, o in enumerate(layers.options) if o.startswith(f"{layer}:"))).run()
    assert_no_exception(at)
    torch.manual_seed(0)  # the page's seed and the book's Xavier init, built here independently
    model = build(PRESETS[name])
    init_weights(model, "xavier")
    want = forward_to(model.eval(), resize_batch(gallery[:, None].float() / 255, 96), layer)  # (8, C, 12, 12)
    assert want.shape[-2:] == (side, side)
    grid = array(figure(at, "act_grid")["data"][0]["z"])
    np.testing.assert_allclose(tile(grid, 1, 0, side), want[1, 0].numpy(), rtol=1e-4, atol=1e-4)
    assert array(figure(at, "act_attribution")["data"][1]["z"]).shape == (96, 96)


def rectangles(fig: dict) -> list[tuple[float, float, float, float]]:
    return [(s["x0"], s["y0"], s["x1"], s["y1"]) for s in fig["layout"].get("shapes", []) if s["type"] == "rect"]


def test_a_selected_unit_outlines_its_receptive_field_on_every_input():
    at = make_app(PAGE).run()
    at.selectbox(key="act_layer").select_index(1).run()  # conv2 after the activation: 10x10 maps
    assert not rectangles(figure(at, "act_grid"))
    # What a click on unit (3, 5) of an enlarged act2 map records (the browser test clicks for real).
    at.session_state["act_unit"] = ("act2", 3, 5)
    at.run()
    assert_no_exception(at)
    # LeNet's act2 unit (3, 5): start -2, jump 2, 14 wide: rows 4-17, columns 8-21 of 28 (test_receptive_outline
    # checks this against the gradient). Each 28x28 input is drawn into a 10x10 tile at x -12.5 ... -2.5.
    scale = 10 / 28
    want = [(-12.5 + 8 * scale, r * 11 - 0.5 + 4 * scale, -12.5 + 22 * scale, r * 11 - 0.5 + 18 * scale)
            for r in range(2 * PER_CLASS)]
    np.testing.assert_allclose(rectangles(figure(at, "act_grid")), want)
    assert any("unit (3, 5) of act2 sees rows 4-17, columns 8-21 (14×14 of the 28×28 input)" in c.value
               for c in at.caption), [c.value for c in at.caption]

    at.session_state["act_zoom"] = (5, 2)  # the dialog: the unit outlined on its map and on the input
    at.session_state["act_zoom_open"] = True
    at.run()
    assert_no_exception(at)
    assert rectangles(figure(at, "act_zoom_input")) == [(7.5, 3.5, 21.5, 17.5)]
    assert rectangles(figure(at, "act_zoom_map")) == [(4.5, 2.5, 5.5, 3.5)]

    at.selectbox(key="act_stage").set_value("convolution").run()  # conv2's units see what act2's see
    assert len(rectangles(figure(at, "act_grid"))) == 2 * PER_CLASS
    assert any("unit (3, 5) of conv2 sees rows 4-17" in c.value for c in at.caption)
    at.selectbox(key="act_stage").set_value("pooling").run()  # pool2's units see more: not the same unit
    assert not rectangles(figure(at, "act_grid"))
    at.session_state["act_unit"] = ("pool2", 0, 0)  # a corner: padding cuts the 16x16 field to 14x14
    at.run()
    assert any("unit (0, 0) of pool2 sees rows 0-13, columns 0-13 (14×14 of the 28×28 input); its field is "
               "16×16, cut by the image's edge" in c.value for c in at.caption)


def test_checkpoint_uploads_are_described_accurately():
    at = make_app(PAGE).run()
    at.selectbox(key="act_model").set_value(at.selectbox(key="act_model").options[-1]).run()
    assert at.selectbox(key="act_model").value.startswith("Upload")
    noise = torch.randint(0, 256, (4000,), generator=torch.Generator().manual_seed(0), dtype=torch.uint8)
    damaged = {"bad.pt": b"this is not a checkpoint", "truncated.pt": SHIPPED[1].path.read_bytes()[:5000],
               "noise.pt": noise.numpy().tobytes()}
    for name, data in damaged.items():
        at.file_uploader(key="act_checkpoint").set_value((name, data, "application/octet-stream")).run()
        assert_no_exception(at)
        shown = [e.value for e in at.error]
        assert any(name in e and "truncated or is not a PyTorch checkpoint" in e for e in shown), shown
        assert not any("code" in e for e in shown), shown  # damaged files are not called dangerous

    class Opens:
        def __reduce__(self):
            return (open, ("/nonexistent/cnnviz-test", "w"))

    evil = pickle.dumps({"format": "cnnviz-checkpoint", "meta": Opens()}, protocol=2)
    at.file_uploader(key="act_checkpoint").set_value(("evil.pt", evil, "application/octet-stream")).run()
    assert any("evil.pt" in e.value and "carries Python code" in e.value and "io.open" in e.value
               for e in at.error), [e.value for e in at.error]

    good = SHIPPED[1].path.read_bytes()
    at.file_uploader(key="act_checkpoint").set_value(("sigmoid.pt", good, "application/octet-stream")).run()
    assert_no_exception(at)
    assert not at.error
    grid = array(figure(at, "act_grid")["data"][0]["z"])  # the book's LeNet: 6 sigmoid channels in (0, 1)
    assert grid.shape[1] == 6 * 29 - 1 and 0 < np.nanmin(grid) and np.nanmax(grid) < 1


def test_the_books_sigmoid_lenet_is_shipped_too():
    at = make_app(PAGE).run()
    at.selectbox(key="act_model").set_value(SHIPPED[1].label).run()
    assert_no_exception(at)
    assert at.selectbox(key="act_stage").options == ["convolution", "activation", "pooling"]
    grid = array(figure(at, "act_grid")["data"][0]["z"])  # act1: the sigmoid's outputs
    assert grid.shape[1] == 6 * 29 - 1 and 0 < np.nanmin(grid) and np.nanmax(grid) < 1
    assert at.selectbox(key="act_channels").options == ["all 6"]
    assert any(c.value == "LeNet, test accuracy 84.7%" for c in at.caption), [c.value for c in at.caption]  # its title
