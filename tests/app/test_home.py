from tests.conftest import assert_no_exception, make_app


def test_home_shows_pages_and_environment():
    at = make_app("app.py").run()
    assert_no_exception(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Device"] in {"CPU", "CUDA", "MPS"}
    assert metrics["Fashion-MNIST"] == "found"  # make test installs the real dataset
    import torch

    assert metrics["PyTorch"] == torch.__version__
