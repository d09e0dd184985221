"""The Train page in Chinese: at rest, with a book recipe, after a tiny finished run, after a run that diverged
(the trainer's own message, its step filled in), refused by the memory guard, and asking before a long run;
no English left, the numbers the same as in English."""

from __future__ import annotations

import pytest
import torch

from cnnviz import data, i18n
from cnnviz.training import cost as train_cost
from cnnviz.arch import PRESETS
from cnnviz.training.loop import TrainConfig
from cnnviz.ui.train import state as train_state
from cnnviz.ui.arch.labels import PRESET_TITLES
from tests.app.test_page4_train import _stop_all, figure, finish, measured_rate, start_short_run
from tests.app.zh_text import assert_all_chinese
from tests.conftest import assert_no_exception, make_app

PAGE = "pages/4_Train.py"
ZH_CLASSES = ["T恤", "裤子", "套衫", "连衣裙", "外套", "凉鞋", "衬衫", "运动鞋", "包", "短靴"]  # the zh edition's




@pytest.fixture
def zh_page(monkeypatch):
    measured_rate(monkeypatch, 1_000.0)  # estimates become exact numbers; no question before a short run
    at = make_app(PAGE, query={"lang": "zh"}).run()
    assert_no_exception(at)
    yield at
    _stop_all(at)
    train_cost._cached_samples_per_s.cache_clear()


def test_the_page_at_rest_and_with_a_book_recipe_in_chinese(zh_page):
    at = zh_page
    assert_all_chinese(at)
    assert at.title[0].value == "在 Fashion-MNIST 上训练"
    assert "每秒 1,000 张图像" in " ".join(c.value for c in at.caption)  # the measured rate, its number kept
    at.selectbox(key="train_arch").set_value("lenet").run()
    at.button(key="train_recipe_lenet_zh").click().run()
    assert_all_chinese(at)
    captions = " ".join(c.value for c in at.caption)
    assert "书中的配方：中文版 6.6（英文版 7.6）。" in captions
    at.select_slider(key="train_lr").set_value(0.3).run()
    assert "已不再是书中的配方（中文版 6.6）：学习率 0.3（书中：0.9）。" in " ".join(c.value for c in at.caption)
    assert_all_chinese(at)


def test_a_finished_run_in_chinese(zh_page):
    at = zh_page
    run = start_short_run(at, arch="lenet_relu", epochs=1, size=128)
    finish(at, run)
    assert_all_chinese(at, 40)
    accuracy = run.confusion.diag().sum().item() / run.confusion.sum().item()
    network = i18n.tr("zh", PRESET_TITLES["lenet_relu"][0])  # the preset's title as the builder translates it
    assert at.success[0].value.startswith(f"#{run.number} {network} · Adam 学习率 0.001：完成，用时")  # one line: no batch
    assert f"。1 个迭代周期后测试精度为 **{accuracy:.1%}**。" in at.success[0].value  # no space after 。
    confusion = figure(at, "train_confusion")
    assert confusion["data"][0]["x"] == ZH_CLASSES and confusion["layout"]["xaxis"]["title"]["text"] == "预测类别"
    counts = torch.tensor(confusion["data"][0]["text"])  # the same counts as the English page computes
    labels = run.job.test_set[1][:128]
    assert counts.sum(1).tolist() == torch.bincount(labels, minlength=10).tolist()
    curves = figure(at, "train_curves")
    assert [t["name"] for t in curves["data"]] == ["训练损失", "训练精度", "测试精度"]
    assert curves["data"][2]["y"] == pytest.approx(run.snapshot().history.test_accuracy)
    assert at.selectbox(key="train_true").value == data.CLASSES[6]  # the value stays English: links, state
    meta = at.session_state["trained_model"][2]
    assert meta["dataset"] == "fashion-mnist" and meta["classes"] == list(data.CLASSES)  # names, not shown words


class ExplodesAfter(torch.nn.Module):
    """The real network, whose logits become NaN from its `n`-th training call: the trainer's divergence path."""

    def __init__(self, model: torch.nn.Module, n: int):
        super().__init__()
        self.model, self.n, self.calls = model, n, 0

    def forward(self, x):
        logits = self.model(x)
        if self.training:
            self.calls += 1
            if self.calls >= self.n:
                logits = logits * float("nan")
        return logits


def test_a_diverged_run_says_so_in_chinese_with_its_numbers(zh_page, monkeypatch):
    real_build = train_state.build
    monkeypatch.setattr(train_state, "build", lambda *a, **k: ExplodesAfter(real_build(*a, **k), 3))
    at = zh_page
    at.select_slider(key="train_lr").set_value(0.3)
    run = start_short_run(at, arch="lenet_relu", epochs=1, size=1_000)  # 4 steps of 256
    finish(at, run)
    snap = run.snapshot()
    assert snap.status == "failed" and "NaN or infinite at step 3" in snap.message  # the trainer's own words
    assert_all_chinese(at, 40)
    error = at.error[0].value
    assert "第 3 步损失变成了 `NaN` 或无穷大：请降低学习率（当前 0.3）；发散之前的权重已保留。" in error
    assert "损失发散之前的权重" in " ".join(c.value for c in at.caption)


def test_the_memory_guard_in_chinese(zh_page, monkeypatch):
    available = 2 * 2**30
    monkeypatch.setattr(train_cost, "memory_available", lambda device: available)
    at = zh_page
    at.selectbox(key="train_arch").set_value("alexnet").run()
    largest = train_cost.memory_need(PRESETS["alexnet"], TrainConfig(batch_size=256)).largest_batch(available)
    assert_all_chinese(at)
    message = at.error[0].value
    assert message.startswith("这次训练放不下：以 224×224 的输入、`batch_size` 256 训练 `alexnet` 在 CPU 上约需")
    assert f"但只有 2.0 GiB 可用；请使用不超过 {largest} 的 `batch_size`。" in message
    assert at.button(key="train_start").disabled


def test_the_question_before_a_long_run_in_chinese(zh_page, monkeypatch):
    measured_rate(monkeypatch, 20.0)  # AlexNet at 20 images/s, as the English test: 8:47:47 for 10 epochs
    at = zh_page
    at.selectbox(key="train_arch").set_value("alexnet")
    at.selectbox(key="train_batch").set_value(32).run()
    at.button(key="train_start").click().run()
    assert_all_chinese(at)
    question = at.warning[0].value
    assert question.startswith("这次训练在本机上约需 **8:47:47**（10 × 52:47，实测）。")
    assert "128 张图像用时不到 3 分钟" in question
    assert at.button(key="train_use_subset").label == "使用 128 张图像"
    assert at.session_state["train_job"] is None


@pytest.mark.parametrize("net, lang, cited", [
    ("lenet", "en", "(d2l 7.6)"), ("alexnet", "en", "(d2l 8.1)"), ("alexnet", "zh", "（《动手学深度学习》7.1）"),
    ("lenet_bn", "zh", "（《动手学深度学习》7.5）"), ("lenet_modern", "en", "(d2l 7.6.2)"),
    ("lenet_modern", "zh", "（《动手学深度学习》6.6.2）"),
    ("alexnet_small", "en", "(d2l 8.1)"), ("alexnet_small", "zh", "（《动手学深度学习》7.1）"),  # the net it reduces
    ("densenet_small", "zh", "（《动手学深度学习》7.7）"), ("regnet_small", "en", "(d2l 8.8)"),
    ("regnet_small", "zh", "（《动手学深度学习》英文版 8.8）"),  # a section the zh edition does not have
])
def test_the_subtitle_cites_the_section_of_the_chosen_network(net, lang, cited):
    at = make_app(PAGE, query={"net": net, "lang": lang}).run()
    assert_no_exception(at)
    assert at.caption[0].value.endswith(cited + ("。" if lang == "zh" else ".")), at.caption[0].value
