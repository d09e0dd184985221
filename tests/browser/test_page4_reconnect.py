"""The Train page in Chromium when the network fails: a run survives a dropped connection (Streamlit's websocket
closes and the page opens a new one) and a reload, and the page shows the same run, its curve grown, until it
finishes. (A second tab on the same link: tests/browser/test_page4_train.py, with the queue.)"""

from __future__ import annotations

import contextlib
import socket
import threading

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import _base_path_probe, open_page, screenshot, wait_idle
from tests.browser.test_page4_train import POINTS, TRAINING, _press_start, _press_stop, _session_id

pytestmark = pytest.mark.browser

STATE = "() => document.querySelector('[data-testid=stApp]').getAttribute('data-test-connection-state')"
OUTAGE_S = 3  # the network stays down this long after the page noticed: a few of the frontend's pings fail


class Relay:
    """A TCP relay between Chromium and the server that can cut every connection and refuse new ones, as a
    dropped wifi does. (Chromium's offline emulation, `context.set_offline`, leaves an open websocket open.)"""

    def __init__(self, target: str):
        self.target = ("127.0.0.1", int(target.rsplit(":", 1)[1]))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.down = False  # from `cut` until the page has reconnected; new connections are refused until `restore`
        self._refusing = False
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            if self._refusing:
                client.close()
                continue
            server = socket.create_connection(self.target)
            with self._lock:
                self._open += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.down = self._refusing = True
        with self._lock:
            cut, self._open = self._open, []
        for end in cut:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def restore(self) -> None:
        self._refusing = False

    def close(self) -> None:
        self.listener.close()
        self.cut()


@pytest.fixture
def network(server_url):
    relay = Relay(server_url)
    try:
        yield relay
    finally:
        relay.close()


@pytest.fixture
def watched(context, network):
    """A tab of the shared context whose errors fail the test, except the console's while the network is down
    (the socket's failure, the frontend's failed pings and its reruns that could not be sent)."""
    page = context.new_page()
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.set_default_timeout(60_000)
    errors = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: errors.append(f"console: {msg.text} at {msg.location.get('url')}")
            if msg.type == "error" and not _base_path_probe(msg)
            and not network.down else None)
    yield page
    page.close()
    assert not errors, errors


def _sockets(page) -> list:
    """Every websocket the page opens from now on, in order."""
    found = []
    page.on("websocket", lambda socket: found.append(socket))
    return found


def test_a_run_survives_a_dropped_connection_and_a_reload(watched, network):
    page = watched
    sockets = _sockets(page)
    # 5 epochs of 60,000 images: still training after the outage and a reload, even on a fast machine; Stop ends it
    open_page(page, f"{network.url}/Train?net=lenet_relu&epochs=5&images=60000")
    _press_start(page)
    expect(page.locator(".st-key-train_stop button")).to_be_enabled()  # it trains
    assert len(sockets) == 1
    workspace = _session_id(page.url)

    # The curve is drawn before the cut: the browser fetches Plotly's chart code on the first chart, and an import
    # that failed while the network was down stays failed in that document until a reload (the module map keeps
    # the failure), so a cut before the first chart would test the browser's module cache, not the run.
    page.wait_for_function(f"({POINTS})() > 0", timeout=TRAINING)
    network.cut()
    try:
        sockets[0].wait_for_event("close", timeout=30_000)  # the websocket really dropped ...
        page.wait_for_function(f"({STATE})() !== 'CONNECTED'", timeout=30_000)  # ... and the page knows it
        cut_at = page.evaluate(POINTS)  # what reached the page before the connection went
        page.wait_for_timeout(OUTAGE_S * 1000)
        screenshot(page, "page4_reconnect_offline", full_page=False)
    finally:
        network.restore()
    page.wait_for_function(f"({STATE})() === 'CONNECTED'", timeout=60_000)  # the page reconnected ...
    network.down = False  # (its console errors while it was down were the network's)
    assert len(sockets) == 2 and sockets[0].is_closed() and not sockets[1].is_closed()  # ... on a new socket
    wait_idle(page)

    page.wait_for_function(f"({POINTS})() > {cut_at}", timeout=TRAINING)  # the same run's curve grew on

    page.reload()  # a reload opens a new session: the address's ?session= finds the run again, still training
    page.wait_for_selector("[data-testid='stApp']")
    wait_idle(page)
    expect(page.get_by_text("#1 LeNet, ReLU + max pool · Adam lr 0.001 · epoch")).to_be_visible(timeout=TRAINING)
    reloaded_at = page.evaluate(POINTS)
    page.wait_for_function(f"({POINTS})() > {reloaded_at}", timeout=TRAINING)  # and its curve keeps growing
    stopped = _press_stop(page)  # the page still holds the run: its Stop ends it
    # the same run: none lost, no #2
    expect(stopped).to_contain_text("#1 LeNet, ReLU + max pool · Adam lr 0.001, after")
    wait_idle(page)
    assert page.evaluate(POINTS) > cut_at and _session_id(page.url) == workspace != ""
    screenshot(page, "page4_reconnect_stopped", full_page=False)

