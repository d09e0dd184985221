"""The board's rows: sorted, grouped by a setting, as a table of plain text (never HTML) in the reader's language."""

from __future__ import annotations

import pandas as pd

from cnnviz.classroom import BoardRun
from cnnviz.classroom.settings import describe
from cnnviz.i18n import N_
from cnnviz.ui.lang import _

STATUSES = {"new": N_("starting"), "queued": N_("queued"), "running": N_("training"), "stopped": N_("stopped"),
            "finished": N_("finished"), "failed": N_("failed")}
SORTS = {"started": N_("start time"), "accuracy": N_("test accuracy"), "nickname": N_("nickname"),
         "network": N_("network"), "status": N_("status")}
GROUP_LABELS = {"lr": N_("learning rate"), "optimizer": N_("optimizer"), "network": N_("network"),
                "batch_size": N_("batch size")}
SETTING_LABELS = {"lr": N_("lr"), "optimizer": N_("optimizer"), "batch_size": N_("batch size"), "epochs": N_("epochs"),
                  "momentum": N_("momentum"), "lr_schedule": N_("schedule"), "weight_decay": N_("weight decay"),
                  "seed": N_("seed"), "init": N_("init"), "images": N_("training images"),
                  "dataset": N_("dataset")}
NO_GROUP = "none"


def nickname(run: BoardRun) -> str:
    return run.nickname or _("(no name)")


def label(run: BoardRun) -> str:
    """What a legend or a choice names a run by: nickname, network and the end of its id (two runs of one student
    stay apart)."""
    return f"{nickname(run)} · {run.network} · {run.id[-4:]}"


def setting(run: BoardRun, name: str):
    """A run's value of a grouping setting (the network is not a TrainConfig setting)."""
    return run.network if name == "network" else run.settings.get(name)


def ordered(runs: list[BoardRun], sort: str, group: str = NO_GROUP) -> list[BoardRun]:
    """Pinned runs first, then by the group's value (when grouped), then by `sort` (best accuracy and newest
    first; names A to Z)."""
    keys = {"started": lambda r: -r.started, "accuracy": lambda r: -(r.accuracy if r.accuracy is not None else -1),
            "nickname": lambda r: nickname(r).casefold(), "network": lambda r: r.network.casefold(),
            "status": lambda r: list(STATUSES).index(r.status) if r.status in STATUSES else 99}
    key = keys[sort]
    if group == NO_GROUP:
        return sorted(runs, key=lambda r: (not r.pinned, key(r)))
    return sorted(runs, key=lambda r: (not r.pinned, str(type(setting(r, group))), setting(r, group) or 0, key(r)))


def frame(runs: list[BoardRun], group: str = NO_GROUP) -> pd.DataFrame:
    """The table: one row per run, in the order given; text columns as typed (the dataframe shows text as text)."""
    rows = []
    for run in runs:
        row = {_("pinned"): "📌" if run.pinned else "", _("nickname"): nickname(run), _("network"): run.network}
        if group != NO_GROUP:
            row[_(GROUP_LABELS[group])] = str(setting(run, group))
        epochs = run.settings.get("epochs", 0)
        row.update({_("settings that differ"): describe(run.differs, {k: _(v) for k, v in SETTING_LABELS.items()}) or _("(none)"),
                    _("status"): _(STATUSES.get(run.status, run.status)),
                    _("test accuracy"): None if run.accuracy is None else round(100 * run.accuracy, 1),
                    _("epochs"): f"{len(run.test_accuracy)}/{epochs}" if run.status != "running" else
                    f"{run.progress * epochs:.1f}/{epochs}"})
        rows.append(row)
    return pd.DataFrame(rows)


def group_summary(runs: list[BoardRun], group: str) -> pd.DataFrame:
    """Per value of `group`: how many runs, their mean and best final test accuracy (%, ended epochs only)."""
    values: dict[str, list[float | None]] = {}
    for run in runs:
        values.setdefault(str(setting(run, group)), []).append(run.accuracy)
    rows = []
    for value, accuracies in sorted(values.items()):
        known = [a for a in accuracies if a is not None]
        rows.append({_(GROUP_LABELS[group]): value, _("runs"): len(accuracies),
                     _("mean accuracy"): round(100 * sum(known) / len(known), 1) if known else None,
                     _("best accuracy"): round(100 * max(known), 1) if known else None})
    return pd.DataFrame(rows)
