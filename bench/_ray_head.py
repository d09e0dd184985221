"""A local Ray head of one's own, for the tests and the class benchmark: started here, ended here.

`ray start --head --block` runs in the foreground and takes its GCS, raylet and workers with it when it is
terminated, so ending it never touches another Ray cluster on the machine (`ray stop` would end them all).
Every port is chosen free, so it can run beside another cluster. The head and this process's driver share a
token of their own (RAY_AUTH_TOKEN), so a token another cluster left in ~/.ray/auth_token is never read.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PORT_FLAGS = ("--object-manager-port", "--node-manager-port", "--dashboard-agent-listen-port",
              "--dashboard-agent-grpc-port", "--runtime-env-agent-port", "--metrics-export-port")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def ray_head(cpus: int = 2):
    """Yields (the head's address "127.0.0.1:PORT", its pid) for the block; the driver disconnects and the
    head ends on the way out."""
    temp = tempfile.mkdtemp(prefix="cnnviz-ray-", dir="/tmp")  # short: Ray's socket paths have a length limit
    port = free_port()
    ports = [str(x) for flag in PORT_FLAGS for x in (flag, free_port())]
    command = [str(Path(sys.executable).parent / "ray"), "start", "--head", "--block", "--port", str(port),
               f"--num-cpus={cpus}", "--num-gpus=0", "--include-dashboard=false",
               "--disable-usage-stats", "--temp-dir", temp, *ports]
    auth = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    before = {name: os.environ.get(name) for name in auth}
    os.environ.update(auth)  # the driver's (ray.init in this process reads it)
    head = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_for_port(port, head)
        yield f"127.0.0.1:{port}", head.pid
    finally:
        with contextlib.suppress(ImportError):
            import ray

            ray.shutdown()  # the driver first, so its workers go before the head does
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        head.terminate()
        try:
            head.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
        shutil.rmtree(temp, ignore_errors=True)


def _wait_for_port(port: int, head: subprocess.Popen, limit_s: float = 60) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if head.poll() is not None:
            raise RuntimeError(f"ray start --head ended early (code {head.returncode})")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            time.sleep(2)  # the GCS answers before the raylet has registered the node
            return
        time.sleep(0.2)
    raise RuntimeError(f"the Ray head did not listen on port {port} within {limit_s:.0f} s")
