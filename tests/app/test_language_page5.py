"""Page 5 (activations) in Chinese: the shipped model, chosen classes, the second layer, an untrained book
network at 224x224 and checkpoint errors, with no English left, and the numbers unchanged (the real model's
own forward pass).

The saliency section is being rebuilt with captum by another part of the work and is translated there: its
texts (found by its own widgets' keys, its chart and its heading and note) are left out of the check here."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

from cnnviz.inspection import capture as act
from cnnviz.training import checkpoint
from cnnviz.data import load_fashion_mnist
from cnnviz.training.shipped import SHIPPED
from tests.app.test_page5_activations import array, figure, tile
from tests.app.zh_text import assert_all_chinese, open_in_chinese

PAGE = "pages/5_Activations.py"


def zh_page(query: dict | None = None):
    return open_in_chinese(PAGE, query)


def test_the_shipped_model_in_chinese_shows_the_same_maps():
    at = zh_page()
    assert_all_chinese(at)
    assert at.title[0].value == "激活值：每一层看到了什么"
    assert at.multiselect(key="act_classes").value == ["Pullover", "Coat"]  # the values stay English
    assert at.multiselect(key="act_classes").proto.options[:3] == ["T恤", "裤子", "套衫"]
    assert any("**conv1 经过激活后（act1）**：全部 16 个通道，每个 28×28" in m.value for m in at.markdown)
    spec = figure(at, "act_grid")
    assert spec["layout"]["yaxis"]["ticktext"][:2] == ["套衫 1", "套衫 2"]
    assert spec["layout"]["xaxis"]["ticktext"][0] == "输入"  # the input column, then channels 1, 2, ...
    images, labels = load_fashion_mnist(train=False)
    batch = torch.cat([images[labels == c][:4] for c in (2, 4)])  # pullovers, then coats
    model, _, _ = checkpoint.load(SHIPPED[0].path)
    want = act.capture(model, batch, ["act1"])["act1"]
    np.testing.assert_allclose(tile(array(spec["data"][0]["z"]), 5, 3, 28), want[5, 3].numpy(), atol=1e-5)


def test_two_chosen_classes_and_the_second_layer_in_chinese():
    at = zh_page({"classes": "shirt,t-shirt-top"})
    assert_all_chinese(at)
    assert [o for o in at.multiselect(key="act_classes").value] == ["Shirt", "T-shirt/top"]
    assert any("衬衫减去T恤" in s.value for s in at.subheader), [s.value for s in at.subheader]
    at.selectbox(key="act_layer").select_index(1).run()
    assert_all_chinese(at)
    assert at.selectbox(key="act_layer").value.startswith("conv2:")
    assert "conv2：第二个卷积层" in at.selectbox(key="act_layer").proto.options
    at.selectbox(key="act_channels").set_value(at.selectbox(key="act_channels").options[-1]).run()  # the most
    assert_all_chinese(at)
    at.session_state["act_unit"] = ("act2", 3, 5)  # a unit picked in the enlarged map: its field captioned
    at.run()
    assert_all_chinese(at)
    assert any("act2 的单元 (3, 5) 看到行 4–17、列 8–21（28×28 输入中的 14×14）" in c.value for c in at.caption)
    at.session_state["act_zoom"] = (5, 2)  # the enlarged map's dialog: its captions and hover texts
    at.session_state["act_zoom_open"] = True
    at.run()
    assert_all_chinese(at)
    assert figure(at, "act_zoom_map")["data"][0]["hovertemplate"].startswith("行 %{y}，列 %{x}：")


def test_an_untrained_book_network_at_224_in_chinese():
    at = zh_page({"model": "untrained-alexnet"})
    assert_all_chinese(at)
    assert at.selectbox(key="act_model").value == "alexnet at 224x224, untrained"
    assert "AlexNet（224×224，未训练）" in at.selectbox(key="act_model").proto.options
    assert any("未训练" in w.value for w in at.warning)


@pytest.fixture
def upload_page():
    at = zh_page()
    at.selectbox(key="act_model").set_value(at.selectbox(key="act_model").options[-1]).run()
    return at


def test_a_damaged_checkpoint_says_so_in_chinese(upload_page):
    at = upload_page
    assert_all_chinese(at, 5)
    at.file_uploader(key="act_checkpoint").set_value(("bad.pt", b"not a checkpoint", "application/octet-stream")).run()
    assert_all_chinese(at, 5)
    shown = [e.value for e in at.error]
    assert any(e.startswith("`bad.pt`：这个文件不完整或不是 PyTorch 检查点") for e in shown), shown


def test_a_checkpoint_carrying_code_names_the_import_in_chinese(upload_page):
    class Opens:
        def __reduce__(self):
            return (open, ("/nonexistent/cnnviz-test", "w"))

    at = upload_page
    evil = pickle.dumps({"format": "cnnviz-checkpoint", "meta": Opens()}, protocol=2)
    at.file_uploader(key="act_checkpoint").set_value(("evil.pt", evil, "application/octet-stream")).run()
    assert_all_chinese(at, 5)
    shown = [e.value for e in at.error]
    assert any("`evil.pt`：这个文件带有会被执行的代码或对象（`io.open`）" in e for e in shown), shown
