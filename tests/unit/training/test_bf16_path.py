"""The two numeric paths of `fit` on the CPU: float32 everywhere, and bfloat16 autocast where the CPU computes it
natively. CNNVIZ_BF16=off forces float32 (the suite's default, tests/conftest.py); these tests ask for `auto`.

Tolerances come from bfloat16's arithmetic: 8 significant bits, so one rounding moves a value by at most
2**-9 of itself, and a value that went through a few rounded layers by a few times that. The label-smoothed loss
of a batch is a smooth mean of the logits, so its relative error stays within one bfloat16 step, 2**-8.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch
from torch import nn

import cnnviz.training.loop as train_module
from cnnviz.arch import PRESETS, build
from cnnviz.device import cpu_has_native_bf16, describe_device, mixed_precision_dtype
from cnnviz.errors import CnnvizError
from cnnviz.training.recipes import FAST_DEMO

BF16_STEP = 2.0 ** -8  # bfloat16 keeps 8 significant bits: the relative distance between neighbours
CPU = torch.device("cpu")
needs_native_bf16 = pytest.mark.skipif(not cpu_has_native_bf16(),
                                       reason="this CPU has no bfloat16 in hardware: fit trains in float32 here")


@pytest.fixture(scope="module")
def fashion():
    from cnnviz.data import load_fashion_mnist
    return load_fashion_mnist(train=True), load_fashion_mnist(train=False)


def test_off_forces_float32_and_auto_follows_the_hardware(monkeypatch):
    monkeypatch.setenv("CNNVIZ_BF16", "off")
    assert mixed_precision_dtype(CPU) is None
    assert "bfloat16" not in str(describe_device(CPU).description)
    monkeypatch.setenv("CNNVIZ_BF16", "auto")
    assert mixed_precision_dtype(CPU) == (torch.bfloat16 if cpu_has_native_bf16() else None)
    monkeypatch.delenv("CNNVIZ_BF16")  # unset is auto
    assert mixed_precision_dtype(CPU) == (torch.bfloat16 if cpu_has_native_bf16() else None)


def test_an_unknown_setting_names_the_variable_and_the_choices(monkeypatch):
    monkeypatch.setenv("CNNVIZ_BF16", "fast")
    with pytest.raises(CnnvizError, match=r"CNNVIZ_BF16='fast' is unknown; set it to one of auto, off"):
        mixed_precision_dtype(CPU)


def _one_step(fashion, conv_dtypes: list) -> tuple[float, float, float]:
    """The fast demo's first training step on 64 images, with label smoothing 0.1 set here (the
    demo's own, so the test holds if the demo drops it): fit's loss, float32 PyTorch's label-smoothed loss of the same batch, and PyTorch's loss
    without smoothing."""
    (images, labels), test = fashion
    torch.manual_seed(0)
    model = build(PRESETS["fast_demo"])
    model.get_submodule("conv1").register_forward_hook(lambda _m, _i, out: conv_dtypes.append(out.dtype))
    config = replace(FAST_DEMO.config, epochs=1, max_test_samples=16, label_smoothing=0.1)
    run = train_module._prepare(model, (images[:64], labels[:64]), test, config)
    model.train()
    batch = images[:64].unsqueeze(1).float() / 255  # (64, 1, 28, 28)
    with torch.no_grad():
        scores = model(batch.contiguous(memory_format=torch.channels_last))
        expected = nn.functional.cross_entropy(scores, labels[:64], label_smoothing=0.1)
        plain = nn.functional.cross_entropy(scores, labels[:64])
    conv_dtypes.clear()  # only the training step's own forward counts
    loss, _ = train_module._train_step(run, images[:64], labels[:64])
    return loss.item(), expected.item(), plain.item()


def test_the_float32_path_equals_pytorch_to_float32_rounding(fashion, monkeypatch):
    monkeypatch.setenv("CNNVIZ_BF16", "off")
    dtypes = []
    loss, expected, plain = _one_step(fashion, dtypes)
    assert dtypes == [torch.float32]
    assert loss == pytest.approx(expected, rel=1e-5)  # the fast demo's loss is torch's label-smoothed one
    # and smoothing changes it: at initialisation the scores are near uniform, so by about 2e-4 of the loss, 20
    # times the tolerance above
    assert expected != pytest.approx(plain, rel=1e-4)


@needs_native_bf16
def test_the_bfloat16_path_computes_in_bfloat16_within_one_bfloat16_step(fashion, monkeypatch):
    monkeypatch.setenv("CNNVIZ_BF16", "auto")
    dtypes = []
    loss, expected, _ = _one_step(fashion, dtypes)
    assert dtypes == [torch.bfloat16]  # the convolution really ran in bfloat16
    assert loss == pytest.approx(expected, rel=BF16_STEP)
