"""The Activations page in AppTest: the numbers its charts show against the shipped model run directly."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pytest
import torch
from PIL import Image

from cnnviz import activations as act
from cnnviz import checkpoint
from cnnviz.arch import PRESETS, build
from cnnviz.data import load_fashion_mnist
from cnnviz.shipped import SHIPPED
from tests.conftest import assert_no_exception, make_app

PAGE = "pages/5_Activations.py"
PULLOVER, COAT = 2, 4


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
def gallery():
    """The page's default images: the first 6 test Pullovers then the first 6 test Coats."""
    images, labels = load_fashion_mnist(train=False)
    return torch.cat([images[labels == c][:6] for c in (PULLOVER, COAT)])


def test_default_compares_pullover_and_coat_with_the_shipped_model(shipped_model, gallery):
    at = make_app(PAGE).run()
    assert_no_exception(at)
    assert at.multiselect(key="act_classes").value == ["Pullover", "Coat"]
    assert at.selectbox(key="act_layer").value.startswith("conv1")
    assert at.radio(key="act_stage").value == "activation"

    acts = act.capture(shipped_model, gallery, ["act1"])["act1"]  # (12, C, 28, 28)
    grid = array(figure(at, "act_grid")["data"][0]["z"])
    np.testing.assert_allclose(tile(grid, 7, 2, 28), acts[7, 2].numpy(), atol=1e-5)  # Coat 2, ch 3
    means = array(figure(at, "act_means")["data"][0]["z"])
    np.testing.assert_allclose(tile(means, 1, 0, 28), acts[6:, 0].mean(0).numpy(), atol=1e-5)
    difference = array(figure(at, "act_difference")["data"][0]["z"])
    want = acts[:6, 3].mean(0) - acts[6:, 3].mean(0)
    np.testing.assert_allclose(tile(difference, 0, 3, 28), want.numpy(), atol=1e-5)

    probs = act.predict_proba(shipped_model, gallery)
    bars = {trace["name"]: array(trace["x"]) for trace in figure(at, "act_probs")["data"]}
    np.testing.assert_allclose(bars["Coat"], probs[:, COAT].numpy(), atol=1e-5)
    kernels = array(figure(at, "act_kernels")["data"][0]["z"])
    np.testing.assert_allclose(tile(kernels, 0, 1, 5), shipped_model.conv1.weight[1, 0].detach().numpy(),
                               atol=1e-6)
    assert len(figure(at, "act_bars")["data"]) == 2


def test_switching_layer_and_stage_shows_that_stages_maps(shipped_model, gallery):
    at = make_app(PAGE).run()
    at.selectbox(key="act_layer").select_index(1).run()
    at.radio(key="act_stage").set_value("pooling").run()
    assert_no_exception(at)
    pooled = act.capture(shipped_model, gallery, ["pool2"])["pool2"]  # (12, C, 5, 5)
    grid = array(figure(at, "act_grid")["data"][0]["z"])
    assert grid.shape == (12 * 6 - 1, pooled.shape[1] * 6 - 1)
    np.testing.assert_allclose(tile(grid, 0, 5, 5), pooled[0, 5].numpy(), atol=1e-5)
    assert any("pool2" in h.value for h in at.subheader)
    at.toggle(key="act_shared").set_value(False).run()  # per-map colour scales
    grid = array(figure(at, "act_grid")["data"][0]["z"])
    assert np.nanmax(grid) == pytest.approx(1.0) and np.nanmin(grid) >= 0
    assert_no_exception(at)


def png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_uploaded_images_join_the_comparison_and_bad_files_get_an_error():
    at = make_app(PAGE).run()
    shirt = np.zeros((56, 56))
    shirt[8:50, 14:42] = 230  # a light garment-like block on black
    at.file_uploader(key="act_own").set_value([("mine.png", png(shirt), "image/png"),
                                               ("broken.png", b"not an image", "image/png")]).run()
    assert_no_exception(at)
    assert any("broken.png" in e.value for e in at.error)
    names = figure(at, "act_probs")["data"][0]["y"]
    assert names[-1] == "yours 1" and len(names) == 13
    at.selectbox(key="act_sal_image").set_value(12).run()
    assert_no_exception(at)
    saliency = array(figure(at, "act_saliency")["data"][1]["z"])
    assert saliency.shape == (28, 58) and np.nanmax(saliency) > 0


def test_bad_checkpoint_upload_gives_an_error_and_a_trained_model_is_used():
    at = make_app(PAGE).run()
    at.radio(key="act_source").set_value("Upload a checkpoint").run()
    truncated = SHIPPED[1].path.read_bytes()[:5000]
    for name, data in (("bad.pt", b"this is not a checkpoint"), ("truncated.pt", truncated)):
        at.file_uploader(key="act_checkpoint").set_value((name, data, "application/octet-stream")).run()
        assert_no_exception(at)
        assert any(name in e.value and "checkpoint" in e.value for e in at.error), [e.value for e in at.error]

    torch.manual_seed(0)
    spec = PRESETS["lenet"]
    at.session_state["trained_model"] = (build(spec).eval(), spec, {"test_accuracy": 0.5})
    at.radio(key="act_source").set_value("Trained on the Train page").run()
    assert_no_exception(at)
    assert not at.error
    assert any("lenet from the Train page" in m.value for m in at.caption)
    # The book's LeNet: conv1 has 6 channels, sigmoid activations in (0, 1).
    grid = array(figure(at, "act_grid")["data"][0]["z"])
    assert grid.shape[1] == 6 * 29 - 1 and 0 < np.nanmin(grid) and np.nanmax(grid) < 1


def test_the_books_sigmoid_lenet_is_shipped_too():
    at = make_app(PAGE).run()
    at.selectbox(key="act_shipped").select_index(1).run()
    assert_no_exception(at)
    assert at.radio(key="act_stage").options == ["convolution", "activation", "pooling"]
    grid = array(figure(at, "act_grid")["data"][0]["z"])  # act1: the sigmoid's outputs
    assert grid.shape[1] == 6 * 29 - 1 and 0 < np.nanmin(grid) and np.nanmax(grid) < 1
    assert any("sigmoid" in c.value and "%" in c.value for c in at.caption)
