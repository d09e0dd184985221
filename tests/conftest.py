"""Fixtures shared by the whole suite: the repository root and an AppTest factory."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]

# The suite's numeric path: float32 on every machine, so a test comparing with float32 PyTorch means the same on a
# CPU with native bfloat16 as on one without (the Streamlit servers, AppTests and Ray heads the tests start inherit
# it). The bfloat16 path has tests of its own that ask for it (tests/unit/training/test_bf16_path.py).
os.environ["CNNVIZ_BF16"] = "off"
# Class boards (cnnviz.classroom) are written under this folder, never the user's own ~/.cache/cnnviz/classes.
os.environ["CNNVIZ_CLASS_DIR"] = tempfile.mkdtemp(prefix="cnnviz-test-classes-")


@pytest.fixture(scope="module")
def one_torch_thread():
    """Tiny convolutions run faster on one thread (no thread hand-offs on a busy CPU); restored after.
    A module opts in with `pytestmark = pytest.mark.usefixtures("one_torch_thread")`."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def make_app(page: str, query: dict | None = None) -> AppTest:
    """An AppTest for `app.py` or `pages/N_....py`, with a timeout that allows for importing torch.

    Pages run with app.py as the entry point, as under `streamlit run app.py`, so page links resolve.
    """
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if page != "app.py":
        at.switch_page(page)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at


def plotly_figures(at: AppTest) -> list[dict]:
    """The figure JSON of every `st.plotly_chart` on the page, in order."""
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.fixture
def app():
    return make_app



# The slowest files first: `make test` runs two workers, each taking the next whole file (--dist loadfile),
# so a long browser file picked up last would leave one worker alone at the end. The browser files go out
# first, then the AppTest files, then the many small unit files, which fill in around them.
_ORDER = {"browser": 0, "app": 1, "unit": 2}
_LONGEST = ("test_page4_train.py", "test_page5_activations.py", "test_page2_edge.py", "test_page3_arch.py",
            "test_page1_conv.py", "test_page6_exercises.py")  # the longest browser files, longest first


_FIRST = ("test_job_backends.py",)  # long files outside the browser suite (a Ray head, workers importing torch)


def _rank(item) -> tuple[int, int]:
    path = Path(str(item.fspath))
    if path.name in _FIRST:
        return -1, _FIRST.index(path.name)
    suite = path.relative_to(ROOT / "tests").parts[0]  # browser, app or unit (whose tests sit in a folder per package)
    longest = _LONGEST.index(path.name) if suite == "browser" and path.name in _LONGEST else len(_LONGEST)
    return _ORDER.get(suite, 3), longest


# The tiers (pyproject's markers): `make check` runs what none of these marks, `make test` runs everything.
# Every file under tests/browser drives Chromium; a test is `ray` when it asks for a Ray head, whether by
# fixture or by the `backend` fixture's "ray" parameter. `slow` is set by the few files that train for real.
def _tier_markers(item) -> list[str]:
    path = Path(str(item.fspath)).relative_to(ROOT / "tests")
    marks = ["browser"] if path.parts[0] == "browser" else []
    params = getattr(item, "callspec", None)
    if "ray_address" in item.fixturenames or (params is not None and params.params.get("backend") == "ray"):
        marks.append("ray")
    return marks


def pytest_collection_modifyitems(items):
    for item in items:
        for mark in _tier_markers(item):
            item.add_marker(mark)
    items.sort(key=_rank)  # a stable sort: each file's tests keep their order
