"""Memory of the class benchmark's processes, read from Linux's /proc: the server's growth while runs train
and the largest Ray worker under a head."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path


def rss_mb(pid: int | str = "self") -> float:
    """A process's resident memory in MB (Linux's /proc), 0 once it has gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmRSS:")), 0.0)


def ray_workers(root: int) -> list[int]:
    """The Ray worker processes (named "ray::...") started under the head process `root`."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            text = stat.read_text()
            parents[int(stat.parent.name)] = int(text.rsplit(")", 1)[1].split()[1])
    tree, grew = {root}, True
    while grew:
        below = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree, grew = tree | below, bool(below)
    return [pid for pid in tree if _cmdline(pid).startswith("ray::")]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


@dataclass
class Memory:
    """Peaks sampled while the runs trained: this process's growth, and each Ray worker's own size."""

    ray_root: int | None = None  # the Ray head's pid, whose workers are measured
    server_before: float = field(default_factory=rss_mb)
    server_peak: float = 0.0
    worker_peak: float = 0.0  # the largest Ray worker seen, MB

    def sample(self) -> None:
        self.server_peak = max(self.server_peak, rss_mb())
        if self.ray_root is not None:
            self.worker_peak = max([self.worker_peak] + [rss_mb(pid) for pid in ray_workers(self.ray_root)])

    def __str__(self) -> str:
        text = f"server process +{self.server_peak - self.server_before:.0f} MB while the runs trained"
        return text + (f"; the largest Ray worker {self.worker_peak:.0f} MB" if self.ray_root is not None else "")
