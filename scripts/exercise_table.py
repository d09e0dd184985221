"""Prints the README's list of exercises from the catalog: python scripts/exercise_table.py

tests/unit/exercises/test_readme_exercises.py checks that the README holds exactly this table, so the two never drift.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnnviz.exercises.answers import ANSWERS  # noqa: E402
from cnnviz.exercises.catalog import EXERCISES, SECTION_BY_EN  # noqa: E402
from cnnviz.ui.common import PAGES  # noqa: E402

PAGE_NAMES = {path: label for path, label, *_ in PAGES}
WHAT = {"computed": "computes and checks the answer", "experiment": "runs it", "explore": "hint and where to look"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def rows() -> list[str]:
    lines = ["| EN | zh | Exercise (in cnnviz's words) | What the app does | Where |", "|---|---|---|---|---|"]
    for ex in EXERCISES:
        what = WHAT[ex.kind] + (" (computed answer)" if ex.kind != "computed" and ex.id in ANSWERS else "")
        en = "" if ex.id.startswith("zh-") else ex.id
        lines.append(f"| {en} | {ex.zh or ''} | {_cell(ex.statement.en)} | {what} | "
                     f"{', '.join(PAGE_NAMES[link.page] for link in ex.links)} |")
    return lines


def table() -> str:
    sections = ", ".join(f"{s.en} / zh {s.zh}" if s.zh else f"{s.en} (not in zh)" for s in SECTION_BY_EN.values())
    return "\n".join([f"Sections: {sections}.", "", *rows()])


if __name__ == "__main__":
    print(table())
