"""Page 3 (architecture builder) in Chinese: the default preset, a book network at 224, broken stacks and the
two-stacks comparison with no English left; the numbers the same as PyTorch's; the library's errors in the
reader's language with their numbers."""

from __future__ import annotations

import dataclasses
import json

import pytest

from cnnviz.arch import PRESETS, ArchitectureError, Linear, count_params
from tests.app.test_page3_arch import build_unchecked, edit, metrics, stack_table, table, torch_figures, torch_stack
from tests.app.zh_text import assert_all_chinese, open_in_chinese
from tests.conftest import assert_no_exception, make_app, plotly_figures
from tests.unit.arch.test_book_presets import book_model

PAGE = "pages/3_Architecture_builder.py"






def diagram_texts(at) -> list[str]:
    return [a["text"] for a in plotly_figures(at)[0]["layout"]["annotations"]]


def test_the_default_preset_in_chinese_has_no_english_left():
    at = open_in_chinese(PAGE)
    assert_all_chinese(at, 60)
    assert at.title[0].value == "网络架构搭建"  # as the menu names it
    assert set(metrics(at)) == {"层数", "参数", "每张图像的 FLOPs", "训练内存", "推理峰值内存", "输出形状"}
    assert "<b>输入</b>" in diagram_texts(at)


def test_alexnet_at_224_in_chinese_shows_the_books_numbers():
    at = open_in_chinese(PAGE, {"preset": "alexnet"})
    assert_all_chinese(at, 60)
    assert metrics(at)["参数"] == f"{sum(p.numel() for p in book_model('alexnet').parameters()):,}"
    assert at.selectbox(key="arch_preset").format_func("alexnet") == "AlexNet，224×224（d2l 7.1）"  # zh numbering
    # the diagram's flat layers in Chinese, their sizes the real model's
    model = book_model("alexnet")
    assert any(t.startswith(f"<b>{model[-1].in_features}</b><br>个特征<br>Linear") for t in diagram_texts(at))
    frame = table(at)
    assert frame["output"].iloc[-2] == "10 个特征" and frame["name"].iloc[-1] == "总计"


def test_a_kernel_larger_than_the_image_says_so_in_chinese():
    at = open_in_chinese(PAGE, {"preset": "lenet"})
    edit(at, {0: {"kernel": 30}})
    assert_all_chinese(at, 40)
    assert "这个网络无法运行：第 1 层，Conv：卷积核必须在 1 到 28 之间，现在是 30" in at.error[0].value
    assert "<b>第 1 层</b>" in diagram_texts(at)  # the red block of the layer that did not run
    assert metrics(at)["能运行的层数"] == "0"


def test_an_input_too_small_says_so_in_chinese_with_the_smallest_size_torch_runs():
    """AlexNet's layers on a 28x28 input shrink to nothing at layer 6: the Chinese message names it and the
    smallest input that works, which the real torch layers confirm."""
    at = open_in_chinese(PAGE, {"preset": "alexnet"})
    at.selectbox(key="arch_input").select((1, 28, 28)).run()
    assert_all_chinese(at, 40)
    message = at.error[0].value
    assert "第 6 层，MaxPool2d 3×3，步幅 2：它的输入是 256×2×2，比 3×3 的窗口还小" in message, message
    assert "能运行的最小输入是 65×65；请把输入大小设为至少 65" in message, message
    layers = PRESETS["alexnet"].layers
    with pytest.raises(RuntimeError):  # torch agrees: 64 is too small, 65 runs
        build_unchecked(layers, 64)
    assert build_unchecked(layers, 65).shape == (1, 10)
    assert at.button(key="arch_fit_input").label == "使用 65×65 的输入，能运行的最小大小"
    shape, params = (1, 28, 28), 0
    for layer in layers[:5]:  # the partial total counts the layers that run, as torch counts their parameters
        params += sum(p.numel() for p in layer.build(shape).parameters())
        shape = layer.output_shape(shape)
    assert metrics(at)["参数，第 1-5 层"] == f"{params:,}"


def test_a_stack_that_shrinks_to_nothing_says_so_in_chinese():
    at = open_in_chinese(PAGE)
    at.text_input(key="arch_stack_b").set_value("3×3, pool 2×2, pool 2×2, pool 2×2, pool 2×2, pool 2×2, pool 2×2").run()
    assert_all_chinese(at, 60)
    # 56 -> 28 -> 14 -> 7 -> 3 -> 1: the sixth pool (layer 8 of the stack, conv and ReLU first) has a 1x1 input
    assert any("卷积组 B 无法比较：第 8 层，MaxPool2d 2×2：它的输入是 64×1×1，比 2×2 的窗口还小" in e.value
               for e in at.error), [e.value for e in at.error]


def test_the_two_stacks_compared_in_chinese_equal_torch():
    at = open_in_chinese(PAGE)
    assert_all_chinese(at, 60)
    field, shape, params, flops = torch_figures(torch_stack([(3, 1, 1)] * 3, 64), (64, 56, 56))
    frame = stack_table(at)
    assert list(frame.index) == ["感受野", "输出", "参数", "FLOPs", "ReLU 数"]
    assert list(frame["A"][:4]) == [field, shape, params, flops]
    chart = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert [a["text"] for a in chart["layout"]["annotations"]] == ["参数", "每张图像的 FLOPs"]


@pytest.mark.parametrize("lang, expected", [
    ("zh", "第 3 层，Pool：汇聚方式必须是 max, avg 之一，现在是 'median'"),
    ("en", "layer 3, Pool: pooling mode must be one of max, avg, got 'median'"),
])
def test_a_library_error_is_shown_in_the_readers_language(lang, expected):
    at = make_app(PAGE, query={"lang": lang, "preset": "lenet"}).run()
    edit(at, {2: {"option": "median"}})
    assert_no_exception(at)
    assert any(expected in e.value for e in at.error), [e.value for e in at.error]


def test_a_library_error_carries_its_numbers_into_chinese():
    """cnnviz.arch raises a template with values; str() stays English, render("zh") fills the same numbers."""
    spec = PRESETS["lenet"]
    wide = dataclasses.replace(spec, layers=(*spec.layers[:-1], Linear(5000)))
    with pytest.raises(ArchitectureError) as caught:
        count_params(wide)
    exc, last = caught.value, len(spec.layers)
    assert str(exc) == f"layer {last}, Linear 5000: out features must be between 1 and 4096, got 5000."
    assert exc.render("zh") == f"第 {last} 层，Linear 5000：输出特征数必须在 1 到 4096 之间，现在是 5000。"
    assert exc.layer_index == last


@pytest.mark.parametrize("lang, kind", [
    ("en", "AnyNet stage, 4 ResNeXt blocks 32, groups of 16, bottleneck x1, stride 2"),
    ("zh", "AnyNet 阶段，4 个 ResNeXt 块 32，每组 16 通道，瓶颈 x1，步幅 2")])
def test_regnetx32_written_with_two_anynet_stages_builds_in_both_languages(lang, kind):
    """The AnyNet stage as one row: the book's RegNetX-32 from a stem, two stages and the head, via a link."""
    from cnnviz.arch import to_url_token
    from tests.unit.arch.test_anynet_stage import STAGES

    at = make_app(PAGE, query={"arch": to_url_token(STAGES), "lang": lang}).run()
    assert_no_exception(at)
    if lang == "zh":
        assert_all_chinese(at, 60)
    assert metrics(at)["Parameters" if lang == "en" else "参数"] == "179,290" == f"{count_params(STAGES):,}"
    stage = table(at).iloc[3]
    assert (stage["name"], stage["layer"], stage["output"]) == ("stage1", kind, "32×24×24")
