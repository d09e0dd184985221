"""A class's board as CSV (one row per run, for a spreadsheet) and JSON (everything, curves included)."""

from __future__ import annotations

import csv
import io
import json

from cnnviz.classroom.board import Board, BoardRun
from cnnviz.classroom.settings import SETTINGS, describe

CSV_COLUMNS = ("run", "nickname", "network", "status", "test_accuracy", "epochs_done", *SETTINGS, "differs",
               "test_accuracy_per_epoch", "train_loss_per_epoch", "pinned", "hidden")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such a cell as a formula


def csv_text(board: Board) -> str:
    """One row per run, oldest first; a nickname a spreadsheet would take for a formula gets a leading '."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for run in board.runs:
        writer.writerow(_row(run))
    return out.getvalue()


def _row(run: BoardRun) -> list:
    name = "'" + run.nickname if run.nickname.startswith(FORMULA_START) else run.nickname
    accuracy = "" if run.accuracy is None else f"{run.accuracy:.4f}"
    return [run.id, name, run.network, run.status, accuracy, len(run.test_accuracy),
            *[run.settings.get(s, "") for s in SETTINGS], describe(run.differs),
            ";".join(f"{v:.4f}" for v in run.test_accuracy), ";".join(f"{v:.4f}" for v in run.train_loss),
            int(run.pinned), int(run.hidden)]


def json_text(board: Board) -> str:
    """The whole board: code, members' nicknames and every run with its settings and curves."""
    values = board.to_dict()
    values["members"] = sorted(values["members"].values())  # the page's member ids stay on the server
    return json.dumps(values, ensure_ascii=False, indent=1)
