import pytest

from cnnviz.ui import common
from tests.conftest import assert_no_exception, make_app


def test_home_shows_pages_and_environment():
    at = make_app("app.py").run()
    assert_no_exception(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Device"] in {"CPU", "CUDA", "MPS"}
    assert metrics["Fashion-MNIST"] == "found"  # make test installs the real dataset
    import torch

    assert metrics["PyTorch"] == torch.__version__


def test_home_links_to_the_exercises():
    at = make_app("app.py").run()
    links = {(p.proto.page, p.proto.label) for p in at.get("page_link")}
    assert ("Exercises", "**Exercises** (d2l 7.2-7.6, 8.1-8.7)") in links  # the home page's list
    assert ("Exercises", "Exercises") in links  # and the menu


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_unknown_precision_setting_is_named_and_the_page_still_works(monkeypatch, lang):
    """A server started with CNNVIZ_BF16=fast: every page says which setting is wrong and what to set instead."""
    monkeypatch.setenv("CNNVIZ_BF16", "fast")
    common.environment.clear()  # the environment is read once per server
    try:
        at = make_app("pages/1_Convolution_and_pooling.py", query={"lang": lang}).run()
    finally:
        common.environment.clear()
    assert_no_exception(at)
    expected = {"en": "CNNVIZ_BF16='fast' is unknown; set it to one of auto, off",
                "zh": "CNNVIZ_BF16='fast' 无法识别；请设为 auto, off 之一"}[lang]
    assert [e.value for e in at.sidebar.error] == [expected]
    assert at.get("plotly_chart")  # the page itself is drawn
