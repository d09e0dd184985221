"""Pages 1 and 2 on a machine without Fashion-MNIST: the input picker says so, the page carries on."""

from __future__ import annotations

import pytest

from cnnviz import data
from cnnviz.ui import common
from tests.conftest import assert_no_exception, make_app


@pytest.fixture
def no_dataset(monkeypatch):
    monkeypatch.setattr(data, "find_dataset_dir", lambda name=data.DEFAULT_DATASET: None)
    common.dataset.clear()
    yield
    common.dataset.clear()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_convolution_page_says_the_dataset_is_missing(no_dataset, lang):
    at = make_app("pages/1_Convolution_and_pooling.py", query={"input": "Fashion-MNIST image", "lang": lang}).run()
    assert_no_exception(at)
    expected = {"en": "Fashion-MNIST is not installed here", "zh": "此处未安装 Fashion-MNIST"}[lang]
    assert any(expected in e.value for e in at.error), [e.value for e in at.error]


def test_edge_page_says_the_dataset_is_missing_and_keeps_learning(no_dataset):
    at = make_app("pages/2_Learn_an_edge_kernel.py").run()
    at.selectbox(key="edge_input").set_value("Fashion-MNIST image").run()
    assert_no_exception(at)
    assert any("Fashion-MNIST is not installed here" in e.value for e in at.error)
    assert any("book's stripes" in c.value for c in at.caption)  # the page learns on the fallback input

