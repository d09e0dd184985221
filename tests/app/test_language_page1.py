"""Page 1 (convolution & pooling) in Chinese: every mode and error state with no English left, the numbers
unchanged (still equal to torch.nn.functional), and the library's errors in the reader's language."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from tests.app.test_page1_conv import BOOK_K, BOOK_X, _figure, _markdown, _z
from tests.app.zh_text import assert_all_chinese, english_left, open_in_chinese
from tests.conftest import assert_no_exception, make_app, plotly_figures

CONV = "pages/1_Convolution_and_pooling.py"
BAD_CELL = {"edited_rows": {"0": {"1": "abc"}}, "added_rows": [], "deleted_rows": []}






@pytest.mark.parametrize("query", [
    {},  # single channel, the book's example
    {"pad_h": "1", "stride_w": "2", "true_conv": "true", "kpreset": "Sobel x", "input": "edge image 6x8"},
    {"mode": "Multi-channel", "input": "two-channel example"},
    {"mode": "Multi-channel", "own_kernels": "true", "c_out": "2"},  # one typed kernel per channel pair
    {"mode": "1×1 convolution"},
    {"mode": "Pooling", "pool_kh": "3", "pool_kw": "3", "pool_pad_h": "1", "pool_pad_w": "1"},  # −∞ padding
    {"mode": "Pooling", "pool_mode": "avg", "pool_source": "the convolution's output"},
    {"mode": "Pooling", "pool_source": "shift demo (edge image)"},
    {"input": "random integers", "kh": "5", "kw": "5", "kpreset": "Gaussian blur"},
    {"pad_h": "99", "kernel": "1,x"},  # a link with bad values: the warning, in Chinese
])
def test_every_mode_in_chinese_has_no_english_left(query):
    assert_all_chinese(open_in_chinese(CONV, query), 15)


def test_the_chinese_page_shows_the_same_numbers_as_pytorch():
    at = open_in_chinese(CONV, {"pad_h": "1"})
    ref = F.conv2d(BOOK_X[None, None], BOOK_K[None, None], padding=(1, 0))[0, 0]
    assert _z(_figure(at, "输出 4×2")).tolist() == ref.tolist()
    assert _z(_figure(at, "卷积核")).tolist() == BOOK_K.tolist()
    assert "Y[0, 0] = 0×0 + 0×1 + 0×2 + 1×3 = 3" in _markdown(at)
    assert "**输出形状 4×2**" in _markdown(at)


def test_a_kernel_larger_than_the_input_says_so_in_chinese():
    at = open_in_chinese(CONV)
    at.number_input(key="p1_kh").set_value(5).run()
    assert_all_chinese(at, 15)
    # cnnviz.conv.ops' error, its numbers filled into the Chinese sentence
    assert any("卷积核 5×2（膨胀 1×1，因此覆盖 5×2）大于输入 3×3；" in e.value for e in at.error), \
        [e.value for e in at.error]
    assert [f["layout"]["title"]["text"] for f in plotly_figures(at)] == ["输入 3×3", "卷积核 5×2"]  # padding 0: not called padded


def test_a_non_numeric_kernel_cell_says_so_in_chinese():
    at = open_in_chinese(CONV)
    at.session_state["p1_kernel_0"] = BAD_CELL
    at.run()
    assert_all_chinese(at, 15)
    assert any("卷积核的单元格（行 0，列 1，从 0 开始计数）为空或不是数字；请在那里输入一个数" in e.value for e in at.error), [e.value for e in at.error]
    assert _z(_figure(at, "输出")).tolist() == [[19, 25], [37, 43]]  # the last valid kernel, still drawn


@pytest.mark.parametrize("lang, expected", [
    ("zh", "上传的文件不是可读取的图像（可能已损坏或是其他类型的文件）；请上传 PNG 或 JPEG"),
    ("en", "The uploaded file is not a readable image (it may be corrupt or another kind of file); upload a PNG"),
])
def test_a_library_error_is_shown_in_the_readers_language(lang, expected):
    """cnnviz.images raises a template and values; the page renders it in the reader's language."""
    at = make_app(CONV, query={"lang": lang, "input": "uploaded image"}).run()
    at.file_uploader(key="p1_upload").set_value(("x.png", b"not an image", "image/png")).run()
    assert_no_exception(at)
    assert any(expected in e.value for e in at.error), [e.value for e in at.error]
    if lang == "zh":
        assert english_left(at) == {}


def test_too_much_pooling_padding_says_so_in_chinese():
    at = open_in_chinese(CONV, {"mode": "Pooling", "pool_pad_h": "2"})
    assert_all_chinese(at, 10)
    assert any("填充 (2, 0) 超过了汇聚窗口 2×2 的一半；PyTorch 最多允许 (1, 1)" in e.value for e in at.error), \
        [e.value for e in at.error]


def test_switching_to_chinese_keeps_the_pages_settings_and_its_link():
    at = make_app(CONV, query={"mode": "Pooling", "pool_kh": "3"}).run()
    at.button_group(key="lang_switch").set_value("zh").run()
    assert_all_chinese(at, 10)
    assert at.segmented_control(key="p1_mode").value == "Pooling"  # the value stays English, the label not
    assert dict(at.query_params) == {"mode": "Pooling", "pool_kh": "3", "lang": "zh"}
    Y = F.max_pool2d(torch.arange(9.0).reshape(1, 3, 3), (3, 2), stride=1)  # the book's 3x3 input
    assert _z(_figure(at, "最大汇聚，通道 0")).tolist() == Y[0].tolist()


def test_chinese_titles_are_measured_as_wide_characters():
    """Plotly cuts off a title wider than its figure; a Chinese character is about a full em wide, so the
    page sizes columns for zh titles by it (the browser test checks no title is cut)."""
    from cnnviz.figures.conv import title_px

    at = open_in_chinese(CONV, {"true_conv": "true"})
    title = _figure(at, "卷积核")["layout"]["title"]["text"]
    assert title == "卷积核，旋转 180°"
    assert title_px("卷积核" * 4) > 1.5 * title_px("abc" * 4)  # CJK characters vs as many Latin letters
    assert title_px(title) <= 240  # the column a 2x2 kernel gets at 1280 px, as for the English title
