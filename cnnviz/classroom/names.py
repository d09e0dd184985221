"""What a class code and a nickname may be: checked and cleaned before they reach the board."""

from __future__ import annotations

import re
import unicodedata

from cnnviz.errors import CnnvizError
from cnnviz.i18n import N_

CODE_PATTERN = re.compile(r"[A-Za-z0-9]{4,12}")  # what a teacher writes on the board; case does not matter
MAX_NICKNAME = 40  # characters kept of a nickname


class ClassError(CnnvizError):
    """A class code, nickname or teacher key that cannot be used."""


def clean_code(code: str | None) -> str:
    """The class code in capitals; ClassError when it is not 4 to 12 letters or digits."""
    text = (code or "").strip()
    if not CODE_PATTERN.fullmatch(text):
        shown = text if len(text) <= 20 else text[:20] + "…"
        raise ClassError(N_("The class code {code} is not 4 to 12 letters or digits; check it with your teacher"),
                         code=repr(_printable(shown)))
    return text.upper()


def clean_nickname(name: str | None) -> str:
    """The nickname as shown on the board: control and format characters removed, spaces collapsed, trimmed,
    at most MAX_NICKNAME characters. It may be empty (a student who gives no name). The board shows it as text,
    never as HTML, so markup stays visible as typed."""
    return " ".join(_printable(name or "").split())[:MAX_NICKNAME].strip()


def _printable(text: str) -> str:
    """`text` without control, format or unassigned characters (newlines, bidi overrides, NUL ...), tabs as spaces."""
    return "".join(" " if c in "\t\n\r" else c for c in text if c in "\t\n\r"
                   or unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
