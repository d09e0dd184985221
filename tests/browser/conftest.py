"""A real Streamlit server and a real Chromium, driven by Playwright.

The server starts once per test session on a free port; each test gets a fresh browser page whose
console errors and uncaught page errors fail the test. Screenshots land in build/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.conftest import ROOT

SCREENSHOTS = ROOT / "build" / "screenshots"
DOCS = ROOT / "docs" / "screenshots"  # the README's pictures
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.read().decode().strip() == "ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit did not answer {url}/_stcore/health within {timeout}s")


@pytest.fixture(scope="session")
def server_url():
    port = _free_port()
    # A closed tab's run stops 20 s after its page went away (30 s when serving a class): long enough for a
    # reload while both test workers load the CPU (10 s was not), shorter for the queued-student test.
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "CNNVIZ_RECONNECT_GRACE_S": "20"}
    (ROOT / "build").mkdir(exist_ok=True)
    log = open(ROOT / "build" / "streamlit-test.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _chromium_path() -> str | None:
    """Debian's chromium where installed; otherwise Playwright's own build (None)."""
    return os.environ.get("CNNVIZ_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _base_path_probe(msg) -> bool:
    """A deep link (/Train) makes Streamlit's frontend try /Train/_stcore/... before /_stcore/...: a 404 by design."""
    url = msg.location.get("url", "")
    return "404" in msg.text and url.endswith(("/_stcore/health", "/_stcore/host-config")) and url.count("/") > 4


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the test item, so the `page` fixture knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


PROJECTOR = {"width": 1280, "height": 720}  # a classroom projector's screen


@pytest.fixture(scope="session")
def context(browser, server_url):
    """One browser context for the whole run: its HTTP and code caches keep Streamlit's and Plotly's scripts
    parsed between tests (a fresh context parses megabytes of JavaScript again on a 2-core CPU). Each test
    still gets its own tab, so its own Streamlit session."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, base_url=server_url)
    yield context
    context.close()


def _page(context, request, viewport: dict):
    page = context.new_page()
    page.set_viewport_size(viewport)
    page.set_default_timeout(60_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: errors.append(f"console: {msg.text} at {msg.location.get('url')}")
            if msg.type == "error" and not _base_path_probe(msg) else None)
    yield page
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:  # what the page showed when it failed, for CI logs
        screenshot(page, f"FAILED-{request.node.name}")
    page.close()
    assert not errors, errors


@pytest.fixture
def page(context, request) -> Page:
    yield from _page(context, request, {"width": 1600, "height": 1000})


@pytest.fixture
def projector(context, request) -> Page:
    """A page the size of a classroom projector's screen, 1280x720."""
    yield from _page(context, request, PROJECTOR)


def scroll_to_top(page: Page) -> None:
    """The window and the app's own scrolling main section, back at their tops."""
    page.evaluate("window.scrollTo(0, 0); document.querySelectorAll('section.stMain, [data-testid=stMain]')"
                  ".forEach(e => e.scrollTop = 0)")


def assert_on_first_screen(page: Page, selector: str, what: str) -> None:
    """The first element matching `selector` is visible, wholly inside the window, with nothing scrolled."""
    scroll_to_top(page)
    locator = page.locator(selector).first
    locator.wait_for(state="visible")
    box = locator.bounding_box()
    size = page.viewport_size
    assert box is not None, f"{what} is not drawn"
    assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"] + 1, \
        f"{what} spans y={box['y']:.0f}..{box['y'] + box['height']:.0f}, beyond the first screen ({size['height']} px)"
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"] + 1, \
        f"{what} spans x={box['x']:.0f}..{box['x'] + box['width']:.0f}, beyond the window's width"


def wait_idle(page: Page, timeout: float = 60_000) -> None:
    """Waits until the script has run to the end and no exception box is shown."""
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)
    page.wait_for_timeout(300)  # let the last deltas paint
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)
    assert page.locator("[data-testid='stException']").count() == 0, page.locator(
        "[data-testid='stException']").first.inner_text()


def choose(page: Page, key: str, option: str, exact: bool = False) -> None:
    """Picks `option` in the select box with `key`. The option's text is typed first: the open list draws only the
    options that fit on screen below the box, so a box lower on the page (a longer sidebar) would hide some."""
    page.locator(f".st-key-{key} [role='combobox']").first.click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=exact).click()
    wait_idle(page)


def open_page(page: Page, path: str = "/") -> None:
    """Visits a page of the app (e.g. "/Convolution_and_pooling") and waits for it to finish running."""
    page.goto(path)
    page.wait_for_selector("[data-testid='stApp']")
    wait_idle(page)


def screenshot(page: Page, name: str, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def doc_screenshot(page: Page, name: str, doc: str) -> Path:
    """A first-screen screenshot, also kept as docs/screenshots/<doc>.png for the README."""
    shot = screenshot(page, name, full_page=False)
    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, DOCS / f"{doc}.png")
    return shot


def presenter_keeps_first_screen(page: Page, switch_label: str, first_screen, name: str) -> None:
    """Turns presenter mode on (larger type, the sidebar folded away) and checks that the first screen still
    shows everything in `first_screen` ((selector, what) pairs, in the main area); then opens the sidebar again
    with its arrow, as a presenter would, and leaves presenter mode on."""
    page.locator(".st-key-presenter").get_by_text(switch_label).click()
    wait_idle(page)
    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar).to_have_attribute("data-collapsed", "true")
    screenshot(page, name, full_page=False)
    for selector, what in first_screen:
        assert_on_first_screen(page, selector, what)
    page.locator("[data-testid='stExpandSidebarButton']").click()
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    wait_idle(page)
