"""The Train page in Chinese in a real Chromium at projector size, no training: a book recipe opened by a link,
Start, the measured cost and the recipe line on the first screen, CJK glyphs drawn, no label cut off; then MNIST
chosen where it is not installed: the message says where cnnviz looked, Start is disabled. Screenshots for a
look by eye (docs/screenshots/train_zh.png)."""

import shutil
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from cnnviz import data
from cnnviz.ui.train import url as train_url
from tests.browser.conftest import DOCS, assert_on_first_screen, choose, open_page, screenshot, wait_idle
from tests.browser.test_page1_zh import _glyphs_drawn, _labels_fit

pytestmark = pytest.mark.browser

BOOK_LINK = train_url.link(net="lenet", recipe="lenet_zh", optimizer="sgd", lr="0.9", batch="256", epochs=10,
                           init="xavier", scaling="unit", momentum="0.0")
FIRST_SCREEN = ((".st-key-train_start button", "the Start button"),
                (".st-key-train_data", "the dataset choice"),
                ("[data-testid='stCaptionContainer']:has-text('书中的配方')", "the recipe line"))


def test_train_page_in_chinese_on_a_projector(projector):
    page = projector
    open_page(page, "/Train?" + urlencode({"lang": "zh", **BOOK_LINK}))
    expect(page.get_by_text("在 Fashion-MNIST 上训练")).to_be_visible()
    expect(page.get_by_text("书中的配方：中文版 6.6（英文版 7.6）。")).to_be_visible(timeout=60_000)
    wait_idle(page)
    shot = screenshot(page, "page4_zh_projector", full_page=False)
    for selector, what in FIRST_SCREEN:
        assert_on_first_screen(page, selector, what)
    expect(page.locator(".st-key-train_start button")).to_be_enabled()
    expect(page.get_by_text("本机实测")).to_be_visible()  # just below Start, as in English
    _labels_fit(page)
    _glyphs_drawn(page, "迭代周期学习率")
    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, DOCS / "train_zh.png")

    page.locator(".st-key-train_more button, [data-testid='stPopover'] button").first.click()  # 更多
    expect(page.get_by_text("批量大小", exact=True)).to_be_visible()
    page.mouse.move(1000, 650)  # away from the button: its tooltip would cover the settings
    wait_idle(page)
    screenshot(page, "page4_zh_more_settings", full_page=False)
    page.keyboard.press("Escape")
    wait_idle(page)

    if data.find_dataset_dir("mnist") is None:  # this machine has no MNIST: what a student without it sees
        choose(page, "train_data", "MNIST", exact=True)
        assert_on_first_screen(page, "[data-testid='stAlert']:has-text('未找到 MNIST')", "why Start is disabled")
        expect(page.locator(".st-key-train_start button")).to_be_disabled()
        expect(page.get_by_text("在 MNIST 上训练")).to_be_visible()
        _labels_fit(page)
        screenshot(page, "page4_zh_mnist_missing", full_page=False)
