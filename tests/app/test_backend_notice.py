"""CNNVIZ_RAY_ADDRESS pointing at nothing: the home and Train pages say so, in the reader's language, and runs
still train, in this server. The job backend is cached for the whole process, so each test clears it."""

from __future__ import annotations

import socket

import pytest

from cnnviz.ui.train import state as train_state
from tests.app.zh_text import english_words
from tests.conftest import assert_no_exception, make_app


@pytest.fixture
def dead_address(monkeypatch):
    """A port nothing listens on (free a moment ago), as CNNVIZ_RAY_ADDRESS; the cached backend is rebuilt."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{s.getsockname()[1]}"
    monkeypatch.setenv("CNNVIZ_RAY_ADDRESS", address)
    train_state.job_backend.clear()
    yield address
    train_state.job_backend.clear()  # the next test file gets the backend of its own environment


def warnings(at) -> list[str]:
    return [w.value for w in at.warning]


def test_the_home_page_says_the_cluster_cannot_be_reached(dead_address):
    at = make_app("app.py").run()
    assert_no_exception(at)
    assert [w for w in warnings(at) if dead_address in w] == [
        f"The Ray cluster at {dead_address} cannot be used (nothing listens there), so runs train in this "
        "server instead."]
    assert any(c.value.startswith("Runs train in this server (thread backend, ") for c in at.caption)


def test_the_train_page_warns_and_still_trains_on_the_thread_backend(dead_address):
    at = make_app("pages/4_Train.py").run()
    assert_no_exception(at)
    assert any(dead_address in w for w in warnings(at))
    at.selectbox(key="train_arch").set_value("lenet_relu")
    at.select_slider(key="train_size").set_value(128)
    at.number_input(key="train_epochs").set_value(1)
    at.run()
    at.button(key="train_start").click().run()
    assert_no_exception(at)
    run = at.session_state["train_job"]
    try:
        assert run.job.backend == train_state.job_backend().name == "thread"
        assert run.job.join(120) and run.job.status == "finished", run.job.snapshot().message
        assert run.job.snapshot().history.epochs_done == 1
    finally:
        run.job.stop()
        run.job.join(60)
    at.run()
    assert_no_exception(at)
    assert any(s.value.startswith("#1 LeNet, ReLU + max pool") and "finished" in s.value for s in at.success)


@pytest.mark.parametrize("page", ["app.py", "pages/4_Train.py"])
def test_in_chinese_the_notice_and_the_backend_line_are_chinese(dead_address, page):
    at = make_app(page, query={"lang": "zh"}).run()
    assert_no_exception(at)
    notice = [w for w in warnings(at) if dead_address in w]
    line = [c.value for c in at.caption if "后端" in c.value]  # "(thread backend, 2 CPUs)"
    assert len(notice) == 1 and len(line) == 1
    for text in notice + line:
        assert set(english_words(text)) <= {"Ray"}, text  # a product's name, as zh texts write it
    assert "集群" in notice[0] and "处理器" in line[0]
