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
    assert ("Exercises", "**Exercises** (d2l 7.2-7.6, 8.1-8.5)") in links  # the home page's list
    assert ("Exercises", "Exercises") in links  # and the menu
