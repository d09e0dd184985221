"""The teacher's key: needed to clear a board. From CNNVIZ_TEACHER_KEY, else made when the server starts."""

from __future__ import annotations

import hmac
import os
import secrets

ENV = "CNNVIZ_TEACHER_KEY"


class TeacherKey:
    """A secret compared in constant time. `generated` is True when no environment variable set it (the server
    then prints it once, so the teacher can read it from the log)."""

    def __init__(self, key: str | None = None):
        given = (key if key is not None else os.environ.get(ENV, "")).strip()
        self.generated = not given
        self._key = given or secrets.token_urlsafe(9)

    def matches(self, candidate: str | None) -> bool:
        """True when `candidate` (surrounding spaces ignored) is the key."""
        return hmac.compare_digest((candidate or "").strip().encode("utf-8"), self._key.encode("utf-8"))

    def announcement(self) -> str:
        """The line the server prints at start (in the log, never on a page)."""
        if not self.generated:
            return f"cnnviz: class boards are cleared with the teacher key from {ENV}"
        return f"cnnviz: the teacher key for clearing class boards is {self._key} (set {ENV} to choose one)"
