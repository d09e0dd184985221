"""The Exercises page (page 6) in Chinese: at rest, searched, filtered, and with each kind of answer open
(computed answers with matrices, tables and checks; experiments; open questions), no English left, the
zh edition's numbers first, and the numbers unchanged (still PyTorch's)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from cnnviz.exercises.answers import ANSWERS
from cnnviz.exercises.catalog import BY_ID, EXERCISES, SECTIONS, find, matching
from cnnviz.ui.exercises.view import widget_key
from tests.app.zh_text import assert_all_chinese, english_left, open_in_chinese
from tests.conftest import ROOT, assert_no_exception, make_app, plotly_figures
from tests.unit.conv.test_explain import decode_array

PAGE = "pages/6_Exercises.py"






def card_heads(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("**") and "-badge[" in m.value]


def test_the_page_at_rest_is_chinese_with_the_zh_numbers_first():
    at = open_in_chinese(PAGE)
    assert_all_chinese(at, 200)
    assert at.title[0].value == "练习"
    assert [h.value for h in at.subheader] == [f"{s.zh} {s.title.zh}（英文版 {s.en}）" if s.zh else
                                               f"英文版 {s.en} {s.title.zh}（中文版没有这一节）" for s in SECTIONS]
    heads = card_heads(at)
    assert len(heads) == len(EXERCISES)
    assert heads[0].startswith(f"**{BY_ID['7.2.1'].zh} · 英文版 7.2.1**")  # zh 6.2.1 first
    assert any(h.startswith("**英文版 7.3.3（中文版无此题）**") for h in heads)
    assert any(h.startswith("**6.3.2（仅中文版）**") for h in heads)
    # The statements follow the reader's language when the link does not name one.
    assert "通过改变输入张量和卷积核张量的形状，把互相关运算写成一次矩阵乘法。" in "\n".join(heads)
    assert at.segmented_control(key="ex_lang").value == "zh" and "text" not in at.query_params


def test_a_search_and_the_filters_in_chinese():
    at = open_in_chinese(PAGE)
    at.text_input(key="ex_query").set_value("汇聚").run()
    assert_all_chinese(at, 20)
    assert len(card_heads(at)) == len(matching("汇聚")) > 0
    at.selectbox(key="ex_section").set_value("8.5")
    at.selectbox(key="ex_kind").set_value("experiment")
    at.text_input(key="ex_query").set_value("").run()
    assert_all_chinese(at, 10)
    assert [h.value for h in at.subheader] == ["7.5 批量规范化（英文版 8.5）"]
    assert at.selectbox(key="ex_kind").format_func("experiment") == "实验"
    assert at.selectbox(key="ex_section").format_func("7.6") == "6.6 卷积神经网络（LeNet）"  # fits the box
    at.text_input(key="ex_query").set_value("no-such-word").run()
    assert english_left(at) == {} and at.info and not card_heads(at)


def test_in_chinese_numbers_and_order_are_the_zh_editions():
    at = open_in_chinese(PAGE)
    heads = card_heads(at)
    zh_numbers = [h.removeprefix("**").split(" ")[0] for h in heads if "英文版" in h and "中文版无此题" not in h]
    first_section = [n for n in zh_numbers if n.startswith("6.2.")]
    assert first_section == sorted(first_section) == ["6.2.1", "6.2.2", "6.2.3", "6.2.4"]  # not 6.2.1, 6.2.4 ...
    at.text_input(key="ex_query").set_value("7.5").run()  # zh 7.5: batch normalization
    assert [h.value for h in at.subheader] == ["7.5 批量规范化（英文版 8.5）"]
    assert len(card_heads(at)) == len(matching("7.5", edition="zh")) > 0
    at.text_input(key="ex_query").set_value("en7.5").run()  # the English edition's 7.5: pooling
    assert [h.value for h in at.subheader] == ["6.5 汇聚层（英文版 7.5）"]
    at.text_input(key="ex_query").set_value("池化").run()
    assert len(card_heads(at)) == len(matching("汇聚")) > 0
    assert_all_chinese(at, 10)


def test_a_bad_link_says_what_it_ignored_in_chinese():
    at = open_in_chinese(PAGE, {"section": "9.9"})
    assert_all_chinese(at, 100)
    assert "section=9.9" in at.warning[0].value and "链接" in at.warning[0].value


def _open_answers(at, ids: list[str]):
    for exercise_id in ids:
        at.toggle(key=widget_key(find(exercise_id), "show")).set_value(True)
    return at.run()


def test_every_computed_answer_in_chinese():
    """Every registered answer open at once: summaries, details, matrix captions, table captions, checks."""
    at = open_in_chinese(PAGE)
    _open_answers(at, list(ANSWERS))
    assert_all_chinese(at, 300)
    assert not at.error, [e.value for e in at.error]
    texts = [m.value for m in at.markdown]
    verdicts = sum(t == "与 PyTorch 核对：全部一致" for t in texts)
    assert verdicts == sum(bool(compute().checks) for compute in ANSWERS.values())


def test_a_matrix_answer_in_chinese_shows_pytorchs_numbers():
    """7.2.4: the Toeplitz matrix W; W @ x equals F.conv2d of the book's 3x3 example."""
    at = open_in_chinese(PAGE, {"section": "7.2"})
    _open_answers(at, ["7.2.4"])
    assert_all_chinese(at, 20)
    W = next(z for z in (decode_array(f["data"][0]["z"]) for f in plotly_figures(at)) if z.shape == (4, 9))
    X, K = torch.arange(9.0).reshape(3, 3), torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    ref = F.conv2d(X[None, None], K[None, None]).flatten()
    assert torch.equal(torch.tensor(W, dtype=torch.float32) @ X.flatten(), ref)
    assert any(m.value.startswith("**W (4×9)") for m in at.markdown)  # the caption, above its heatmap
    hover = plotly_figures(at)[0]["data"][0]["hovertemplate"]
    assert "行" in hover and "列" in hover  # the heatmap's hover text is Chinese too


def test_a_table_answer_in_chinese():
    """zh 6.3.2: output sizes by the formula, each the real nn.Conv2d's; headers in Chinese."""
    at = open_in_chinese(PAGE, {"section": "7.3"})
    _open_answers(at, ["zh-6.3.2"])
    assert_all_chinese(at, 20)
    frame = at.dataframe[0].value
    assert list(frame.columns) == ["卷积核", "填充", "步幅", "公式", "输出"]
    for kernel, padding, stride, _formula, output in frame.itertuples(index=False):
        k = int(kernel.split("×")[0])
        side = F.conv2d(torch.zeros(1, 1, 8, 8), torch.zeros(1, 1, k, k), padding=padding, stride=stride).shape[-1]
        assert output == f"{side}×{side}"


@pytest.mark.parametrize("kind", ["experiment", "explore"])
def test_experiments_and_open_questions_in_chinese(kind):
    at = open_in_chinese(PAGE, {"kind": kind})
    assert_all_chinese(at, 30)
    assert len(card_heads(at)) == sum(e.kind == kind for e in EXERCISES)
    links = [pl.proto for pl in at.get("page_link") if pl.proto.label.startswith("试一试")]
    assert links and all("lang=zh" in link.query_string for link in links)  # Try it opens the page in zh


def _mnist_link(at):
    return next(pl.proto for pl in at.get("page_link")
                if pl.proto.label.startswith("试一试") and "data=mnist" in pl.proto.query_string)


def test_the_mnist_exercise_opens_the_train_page_on_mnist_and_says_when_it_is_missing(monkeypatch):
    """7.6.3 (zh 6.6.3): its Try it carries data=mnist; where MNIST's files are absent the card says so, in
    Chinese, with where cnnviz looked; where they are present the note is gone."""
    from urllib.parse import parse_qsl

    from cnnviz import data

    monkeypatch.setattr(data, "find_dataset_dir", lambda name=data.DEFAULT_DATASET: None)
    at = open_in_chinese(PAGE, {"section": "7.6"})
    assert_all_chinese(at, 20)
    note = [i.value for i in at.info if "MNIST" in i.value]
    assert len(note) == 1 and note[0].endswith(data.missing_message("mnist", "zh")), note
    assert "需先安装这道练习用到的数据集" in note[0] and "python -m cnnviz.data mnist" in note[0]
    assert all(str(d) in note[0] for d in data.search_dirs("mnist"))
    query = dict(parse_qsl(_mnist_link(at).query_string))
    assert query == {"net": "lenet_modern", "data": "mnist", "lang": "zh"}
    train = make_app("pages/4_Train.py", query=query).run()
    assert_no_exception(train)
    assert train.session_state["train_data"] == "mnist" and train.session_state["train_arch"] == "lenet_modern"

    monkeypatch.setattr(data, "find_dataset_dir", lambda name=data.DEFAULT_DATASET: ROOT)  # "found"
    at = open_in_chinese(PAGE, {"section": "7.6"})
    assert not [i.value for i in at.info if "MNIST" in i.value]
