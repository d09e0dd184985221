"""The Activations page's attribution section in AppTest: the four methods for the shipped model, their numbers
against autograd run directly on the model, another class and layer, a method that does not apply, and the
section in Chinese."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from torch import nn

from cnnviz.training import checkpoint
from cnnviz.data import load_fashion_mnist
from cnnviz.training.shipped import SHIPPED
from cnnviz.training.input import resize_batch
from cnnviz.ui.activations import attribution as activation_attribution
from cnnviz.ui.train import state as train_state
from tests.app.test_page5_activations import Runs, array, figure
from tests.app.zh_text import _figure_texts, english_words
from tests.conftest import assert_no_exception, make_app

PAGE = "pages/5_Activations.py"
PULLOVER, COAT, SHIRT = 2, 4, 6
COLUMNS = 5  # the image, then Saliency, Integrated Gradients, Occlusion, Grad-CAM


@pytest.fixture(scope="module")
def shipped_model():
    model, _, _ = checkpoint.load(SHIPPED[0].path)
    return model.eval()


@pytest.fixture(scope="module")
def first_pullover():
    images, labels = load_fashion_mnist(train=False)
    return images[labels == PULLOVER][0][None, None].float() / 255  # the page's first image: (1, 1, 28, 28)


def cell(fig: dict, row: int, col: int) -> np.ndarray | None:
    """The heat map in a row and column of the grid (None where the method did not apply)."""
    axis = (row - 1) * COLUMNS + col
    name = "x" if axis == 1 else f"x{axis}"
    traces = [t for t in fig["data"] if t.get("xaxis", "x") == name]
    return array(traces[0]["z"]) if traces else None


def input_gradient(model: nn.Module, x: torch.Tensor, target: int) -> np.ndarray:
    x = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(model(x)[0, target], x)
    return grad.abs()[0, 0].numpy()


def grad_cam_by_hand(model: nn.Sequential, x: torch.Tensor, target: int, layer: str) -> np.ndarray:
    """ReLU(sum_k mean(d score / d A_k) * A_k) at `layer`, upsampled bilinearly to the input: no captum."""
    names = [name for name, _ in model.named_children()]
    cut = names.index(layer) + 1
    maps = model[:cut](x).detach().requires_grad_(True)  # (1, C, h, w)
    (grad,) = torch.autograd.grad(model[cut:](maps)[0, target], maps)
    cam = torch.relu((grad.mean(dim=(2, 3), keepdim=True) * maps).sum(dim=1, keepdim=True))
    cam = nn.functional.interpolate(cam, size=x.shape[-2:], mode="bilinear", align_corners=False)  # (1, 1, H, W)
    return cam[0, 0].detach().numpy()


def row_labels(fig: dict) -> list[str]:
    return [a["text"] for a in fig["layout"]["annotations"] if a.get("xanchor") == "right"]


def test_four_methods_for_the_predicted_and_another_class(shipped_model, first_pullover, monkeypatch):
    at = make_app(PAGE).run()
    assert_no_exception(at)
    fig = figure(at, "act_attribution")
    probs = torch.softmax(shipped_model(first_pullover), dim=1)[0].detach()
    predicted = int(probs.argmax())
    assert predicted == PULLOVER
    # The other row defaults to the other compared class: Pullover 1 against Coat.
    assert at.selectbox(key="act_attr_other_0").value == COAT
    assert row_labels(fig) == [f"predicted:<br><b>Pullover</b><br>P = {probs[PULLOVER]:.2f}",
                               f"other class:<br><b>Coat</b><br>P = {probs[COAT]:.2f}"]
    titles = [a["text"] for a in fig["layout"]["annotations"]][:COLUMNS]
    assert titles == ["Image", "Saliency", "Integrated Gradients", "Occlusion", "Grad-CAM at conv2"]
    for row, target in ((1, PULLOVER), (2, COAT)):
        np.testing.assert_allclose(cell(fig, row, 2), input_gradient(shipped_model, first_pullover, target),
                                   rtol=1e-4, atol=1e-7)
        np.testing.assert_allclose(cell(fig, row, 5), grad_cam_by_hand(shipped_model, first_pullover, target,
                                                                       "conv2"), rtol=1e-4, atol=1e-6)
        assert np.isfinite(cell(fig, row, 3)).all() and np.isfinite(cell(fig, row, 4)).all()
    np.testing.assert_allclose(cell(fig, 1, 1), first_pullover[0, 0].numpy() * 255, atol=1e-3)
    assert len(at.caption) >= 5 and any("**Occlusion**" in c.value for c in at.caption)

    at.selectbox(key="act_attr_other_0").set_value(SHIRT)
    at.selectbox(key="act_attr_layer").set_value("conv1").run()
    assert_no_exception(at)
    fig = figure(at, "act_attribution")
    assert "Grad-CAM at conv1" in [a["text"] for a in fig["layout"]["annotations"]]
    assert row_labels(fig)[1] == f"other class:<br><b>Shirt</b><br>P = {probs[SHIRT]:.2f}"
    np.testing.assert_allclose(cell(fig, 2, 2), input_gradient(shipped_model, first_pullover, SHIRT),
                               rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(cell(fig, 2, 5), grad_cam_by_hand(shipped_model, first_pullover, SHIRT, "conv1"),
                               rtol=1e-4, atol=1e-6)

    # A layer Grad-CAM cannot use (offered here on purpose): the library's reason in st.error, the rest kept.
    monkeypatch.setattr(activation_attribution, "layer_options",
                        lambda model: [name for name, _ in model.named_children()][1:])
    at.run()  # now the selectbox offers every layer
    at.selectbox(key="act_attr_layer").set_value("fc1").run()
    assert_no_exception(at)
    assert any("layer fc1 is not a convolution" in e.value and "choose one of conv1, conv2" in e.value
               for e in at.error), [e.value for e in at.error]
    fig = figure(at, "act_attribution")
    assert cell(fig, 1, 5) is None and cell(fig, 2, 5) is None
    np.testing.assert_allclose(cell(fig, 2, 2), input_gradient(shipped_model, first_pullover, SHIRT),
                               rtol=1e-4, atol=1e-7)


def section_texts(at) -> list[str]:
    """What a person reads from the attribution section's heading to the end of the page (it is the last)."""
    nodes, texts = [], []

    def walk(node):
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                walk(child)
        else:
            nodes.append(node)
    walk(at.main)
    start = next(i for i, n in enumerate(nodes) if n.type == "subheader" and "归因" in n.value)
    for node in nodes[start:]:
        value = getattr(node, "value", None)
        if node.type in ("subheader", "caption", "markdown", "error") and isinstance(value, str):
            texts.append(value)
        proto = getattr(node, "proto", None)
        for field in ("label", "help"):
            texts.append(getattr(proto, field, "") or "")
        if node.type == "plotly_chart":
            texts += _figure_texts(json.loads(proto.spec))
    return [t for t in texts if t.strip()]


def test_the_section_in_chinese_has_no_english_left(monkeypatch):
    at = make_app(PAGE, query={"lang": "zh"}).run()
    assert_no_exception(at)
    texts = section_texts(at)
    assert len(texts) > 10 and "显著性图" in " ".join(texts)  # the check saw the section
    assert {t: w for t in texts if (w := english_words(t))} == {}
    monkeypatch.setattr(activation_attribution, "layer_options",
                        lambda model: [name for name, _ in model.named_children()][1:])
    at.run()  # now the selectbox offers every layer
    at.selectbox(key="act_attr_layer").set_value("fc1").run()
    assert_no_exception(at)
    assert any("层 fc1 不是卷积层" in e.value for e in at.error), [e.value for e in at.error]
    texts = section_texts(at)
    assert {t: w for t in texts if (w := english_words(t))} == {}


def test_a_network_at_96_runs_the_many_pass_methods_when_asked(first_pullover, monkeypatch):
    run = Runs.finished(1, seed=3, name="lenet_relu", side=96)  # a real network at 96x96, random weights
    monkeypatch.setattr(train_state, "finished_runs", lambda: [run])
    at = make_app(PAGE).run()
    at.selectbox(key="act_model").set_value(f"Run {run.label} · 100.0%").run()
    assert_no_exception(at)
    model, x = run.job.model.eval(), resize_batch(first_pullover, 96)  # (1, 1, 96, 96), as the page resizes
    predicted = int(model(x).argmax())
    fig = figure(at, "act_attribution")
    np.testing.assert_allclose(cell(fig, 1, 2), input_gradient(model, x, predicted), rtol=1e-4, atol=1e-7)
    assert cell(fig, 1, 3) is None and cell(fig, 1, 4) is None  # not computed until asked
    assert any("not computed" in a["text"] for a in fig["layout"]["annotations"])
    at.toggle(key="act_attr_slow").set_value(True).run()
    assert_no_exception(at)
    fig = figure(at, "act_attribution")
    assert cell(fig, 1, 3).shape == (96, 96) and cell(fig, 2, 4).shape == (96, 96)
