"""Class boards by code: who joined, and every run they started, recorded as it reports; kept on disk.

One `ClassRegistry` serves a whole server, thread-safe. A run is added when a joined student starts it; a watcher
thread then reads its job's snapshot (`job.snapshot()`: the thread and Ray backends give the same JobSnapshot)
a few times a second and records the status and each epoch's test accuracy and training loss, until the run
ends. What was recorded stays: a Ray worker that restarts and reports fewer epochs again does not shorten a
run's curve, and the board is written to `<directory>/<CODE>.json` (atomically) after every change, so a
server restart loses nothing. A page's reload or a dropped connection does not touch the registry.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import secrets
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from cnnviz.classroom.names import ClassError, clean_code, clean_nickname
from cnnviz.classroom.settings import differing
from cnnviz.classroom.teacher import TeacherKey
from cnnviz.i18n import N_

POLL_S = 0.1  # how often the watcher reads the snapshots of the runs still training
ACTIVE = ("new", "queued", "running")
log = logging.getLogger(__name__)


def default_directory() -> Path:
    """CNNVIZ_CLASS_DIR, else ~/.cache/cnnviz/classes."""
    chosen = os.environ.get("CNNVIZ_CLASS_DIR", "").strip()
    return Path(chosen).expanduser() if chosen else Path.home() / ".cache" / "cnnviz" / "classes"


@dataclass
class BoardRun:
    """One run as the board shows it. Curves hold one value per ended epoch."""

    id: str
    nickname: str  # as cleaned by clean_nickname; may be ""
    network: str
    settings: dict  # settings_of(config): lr, optimizer, batch_size, epochs, ...
    differs: dict  # the settings that are not the lesson's (or the defaults)
    status: str = "new"
    message: str = ""
    test_accuracy: list[float] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    progress: float = 0.0  # share of the run's steps done, 0..1
    started: float = 0.0  # wall-clock seconds (time.time) when it was added
    updated: float = 0.0  # wall-clock seconds of the last change recorded
    pinned: bool = False
    hidden: bool = False

    @property
    def accuracy(self) -> float | None:
        """The last ended epoch's test accuracy, or None before the first epoch ends."""
        return self.test_accuracy[-1] if self.test_accuracy else None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @classmethod
    def from_dict(cls, values: dict) -> BoardRun:
        known = {f.name for f in fields(cls)}
        run = cls(**{k: v for k, v in values.items() if k in known})
        run.nickname = clean_nickname(run.nickname)  # a file edited by hand is cleaned like typed text
        return run


@dataclass
class Board:
    """One class: its members (member id -> nickname) and its runs, oldest first."""

    code: str
    created: float = 0.0
    members: dict[str, str] = field(default_factory=dict)
    runs: list[BoardRun] = field(default_factory=list)

    def run(self, run_id: str) -> BoardRun | None:
        return next((r for r in self.runs if r.id == run_id), None)

    def to_dict(self) -> dict:
        return {"version": 1, "code": self.code, "created": self.created, "members": dict(self.members),
                "runs": [asdict(r) for r in self.runs]}

    @classmethod
    def from_dict(cls, values: dict) -> Board:
        return cls(clean_code(values["code"]), float(values.get("created", 0.0)),
                   {str(k): clean_nickname(v) for k, v in dict(values.get("members", {})).items()},
                   [BoardRun.from_dict(r) for r in values.get("runs", [])])


class ClassRegistry:
    """Every class board of the server, by code; thread-safe. `directory` None keeps them in memory only."""

    def __init__(self, directory: Path | None = None, key: TeacherKey | None = None, poll_s: float = POLL_S):
        self.directory, self.key, self.poll_s = directory, key or TeacherKey(), poll_s
        self._lock = threading.RLock()
        self._boards: dict[str, Board] = {}
        self._watched: dict[str, tuple[str, object]] = {}  # run id -> (code, job)
        self._watcher: threading.Thread | None = None
        if directory is not None:
            self._load()

    # Boards and members
    def open(self, code: str) -> Board:
        """The board for `code`, made if new (the teacher's page opens one); ClassError for a malformed code."""
        code = clean_code(code)
        with self._lock:
            if code not in self._boards:
                self._boards[code] = Board(code, created=time.time())
                self._save(self._boards[code])
            return self._boards[code]

    def exists(self, code: str) -> bool:
        with self._lock:
            return clean_code(code) in self._boards

    def join(self, code: str, member: str, nickname: str | None) -> tuple[str, str]:
        """Adds `member` (an id the page keeps) as `nickname` to an existing class; returns (CODE, nickname as
        cleaned). ClassError for a malformed code or one no teacher opened on this server."""
        code, name = clean_code(code), clean_nickname(nickname)
        with self._lock:
            board = self._known(code)
            if board.members.get(member) != name:
                board.members[member] = name
                self._save(board)
        return code, name

    def _known(self, code: str) -> Board:
        board = self._boards.get(code)
        if board is None:
            raise ClassError(N_("There is no class {code} on this server; check the code with your teacher, who "
                                "opens it on the Class board page"), code=code)
        return board

    # Runs
    def add_run(self, code: str, nickname: str | None, network: str, settings: dict, baseline: dict | None = None,
                job=None) -> str:
        """Puts a run on the class's board and, with `job`, follows it until it ends; returns the run's id."""
        code = clean_code(code)
        run = BoardRun(secrets.token_hex(6), clean_nickname(nickname), str(network), dict(settings),
                       differing(settings, baseline), started=time.time(), updated=time.time())
        with self._lock:
            board = self._known(code)
            board.runs.append(run)
            self._save(board)
            if job is not None:
                self._watched[run.id] = (code, job)
                self._ensure_watcher()
        if job is not None:
            self.record(code, run.id, job.snapshot())
        return run.id

    def record(self, code: str, run_id: str, snap) -> bool:
        """Records a JobSnapshot of the run; True when the board changed (and was saved)."""
        status, points, history = snap.status, list(snap.points), snap.history
        ends = [p for p in points if p.test_accuracy is not None]
        accuracy = [float(p.test_accuracy) for p in ends]
        loss = [float(p.loss) for p in ends]
        if history is not None and len(history.test_accuracy) >= len(accuracy):
            accuracy, loss = [float(v) for v in history.test_accuracy], [float(v) for v in history.train_loss]
        progress = points[-1].step / max(points[-1].total_steps, 1) if points else 0.0
        with self._lock:
            board = self._boards.get(code)
            run = board.run(run_id) if board is not None else None
            if run is None:
                return False  # cleared meanwhile
            before = (run.status, run.message, run.test_accuracy, run.train_loss, run.progress)
            run.status, run.message = status, str(snap.message)
            if len(accuracy) >= len(run.test_accuracy):  # a restarted worker's shorter report keeps what was seen
                run.test_accuracy, run.train_loss = accuracy, loss
            run.progress = max(run.progress, min(progress, 1.0)) if status != "finished" else 1.0
            changed = before != (run.status, run.message, run.test_accuracy, run.train_loss, run.progress)
            if changed:
                run.updated = time.time()
                self._save(board)
            return changed

    def set_flags(self, code: str, run_id: str, pinned: bool | None = None, hidden: bool | None = None) -> None:
        with self._lock:
            board = self._known(clean_code(code))
            run = board.run(run_id)
            if run is None:
                return
            run.pinned = run.pinned if pinned is None else bool(pinned)
            run.hidden = run.hidden if hidden is None else bool(hidden)
            self._save(board)

    def clear(self, code: str, key: str | None) -> int:
        """Empties the class's board (runs and members) when `key` is the teacher's; returns how many runs went.
        ClassError, touching nothing, for a wrong key."""
        code = clean_code(code)
        if not self.key.matches(key):
            raise ClassError(N_("That is not the teacher key; the board of class {code} was left as it was"),
                             code=code)
        with self._lock:
            board = self._known(code)
            gone = len(board.runs)
            for run in board.runs:
                self._watched.pop(run.id, None)
            board.runs, board.members = [], {}
            self._save(board)
            return gone

    def board(self, code: str) -> Board | None:
        """A copy of the class's board to draw (safe to read while runs report), or None for an unknown code."""
        with self._lock:
            found = self._boards.get(clean_code(code))
            return copy.deepcopy(found) if found is not None else None

    # The watcher
    def _ensure_watcher(self) -> None:
        if self._watcher is None or not self._watcher.is_alive():
            self._watcher = threading.Thread(target=self._watch, name="cnnviz-class-board", daemon=True)
            self._watcher.start()

    def _watch(self) -> None:
        while True:
            with self._lock:
                watched = list(self._watched.items())
                if not watched:
                    self._watcher = None
                    return
            for run_id, (code, job) in watched:
                try:
                    snap = job.snapshot()
                    self.record(code, run_id, snap)
                except Exception:  # a backend that fails to answer: try again, never kill the watcher
                    log.exception("class board: reading run %s failed", run_id)
                    continue
                if snap.status not in ACTIVE:
                    with self._lock:
                        self._watched.pop(run_id, None)
            time.sleep(self.poll_s)

    def watching(self) -> int:
        with self._lock:
            return len(self._watched)

    # Disk
    def _save(self, board: Board) -> None:
        """Writes the board to its file through a temporary file and a rename (lock held)."""
        if self.directory is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        text = json.dumps(board.to_dict(), ensure_ascii=False, indent=1)
        fd, tmp = tempfile.mkstemp(prefix=f".{board.code}.", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, self.directory / f"{board.code}.json")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _load(self) -> None:
        """Reads every board file; a file that cannot be read is logged and left alone."""
        if not self.directory.is_dir():
            return
        for path in sorted(self.directory.glob("*.json")):
            try:
                board = Board.from_dict(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.warning("class board %s not loaded: %s", path.name, exc)
                continue
            for run in board.runs:  # no job survives a restart: a run still training then is cut off
                if run.active:
                    run.status, run.message = "stopped", N_("the server restarted")
            self._boards[board.code] = board
