"""The two ways a Streamlit user starts the app without the Makefile: a fresh venv, `pip install .` or
`pip install -e .` in a clone, then `streamlit run app.py`. The Chinese catalog travels with the package and loads
without a compile step, and the built wheel carries it.

The clone is a copy of the tracked files (no compiled `.mo`, no build output). The fresh venv sees the test venv's
packages through a `.pth` file, so nothing is downloaded: only cnnviz itself is installed into it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import _free_port, _wait_healthy, wait_idle
from tests.conftest import ROOT

pytestmark = pytest.mark.slow
ZH_TITLE = "cnnviz：动手玩转卷积神经网络"
CATALOG = "cnnviz/locale/zh/LC_MESSAGES/cnnviz.po"


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """The repository's tracked files, as a fresh clone has them (uncommitted edits included)."""
    target = tmp_path_factory.mktemp("clone")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(source.read_bytes())
    assert (target / CATALOG).is_file() and not list(target.rglob("*.mo"))
    return target


def _fresh_venv(where: Path) -> Path:
    """A new venv whose site-packages links to this one's (torch, streamlit ...), holding no cnnviz of its own."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "test-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def _install(python: Path, clone: Path, *how: str) -> None:
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
                    *how], cwd=clone, check=True, timeout=300)


def _served_title(browser, python: Path, clone: Path) -> str:
    """`streamlit run app.py` in the clone with `python`; the home page's title in ?lang=zh, read in Chromium."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    with open(clone / "streamlit.log", "w") as log:
        server = subprocess.Popen([python, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                                   "--server.port", str(port), "--server.address", "127.0.0.1"],
                                  cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_healthy(url, server)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            try:
                page.goto(f"{url}/?lang=zh")
                page.wait_for_selector("[data-testid='stApp']")
                wait_idle(page)
                expect(page.locator("h1").first).to_be_visible()
                return page.locator("h1").first.inner_text()
            finally:
                page.close()
        finally:
            server.terminate()
            server.wait(timeout=30)


def _package_of(python: Path, cwd: Path) -> tuple[str, str]:
    """Where `python` imports cnnviz from (run outside the clone), and its Chinese for the home page's title."""
    code = ("import cnnviz.i18n as i; print(i.__file__); "
            "print(i.gettext('zh', 'cnnviz: convolutional networks, hands on'))")
    out = subprocess.run([python, "-c", code], cwd=cwd, capture_output=True, text=True, check=True).stdout
    where, title = out.strip().splitlines()
    return where, title


@pytest.mark.parametrize("editable", [False, True], ids=["pip install .", "pip install -e ."])
def test_a_pip_install_serves_chinese_without_make(browser, clone, tmp_path, editable):
    python = _fresh_venv(tmp_path / "venv")
    _install(python, clone, *(["-e", "."] if editable else ["."]))
    where, title = _package_of(python, tmp_path)
    if editable:
        assert Path(where).is_relative_to(clone)  # the clone's own files, .po only
    else:
        assert Path(where).is_relative_to(tmp_path / "venv")  # the installed copy's catalog, not the clone's
    assert title == ZH_TITLE
    assert _served_title(browser, python, clone) == ZH_TITLE
    assert not list(clone.rglob("*.mo"))  # nothing compiled along the way: the .po itself was read


def test_the_built_wheel_carries_the_catalogs(clone, tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--no-index", "-w", str(tmp_path), "."], cwd=clone, check=True, timeout=300)
    (wheel,) = tmp_path.glob("cnnviz-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert CATALOG in names, f"{wheel.name} lacks {CATALOG}"
    assert "cnnviz/i18n.py" in names and "cnnviz/training/shipped.py" in names
