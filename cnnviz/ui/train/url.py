"""The Train page's settings in its URL: network, dataset, recipe and every setting, so a link (an exercise's Try it,
a teacher's slide) opens the page ready to press Start. The runs themselves stay in the tab's workspace
(`?session=`, cnnviz.ui.train.state), which the codec keeps beside the settings."""

from __future__ import annotations

from cnnviz.arch import PRESETS
from cnnviz.data import DATASETS
from cnnviz.training.recipes import DEMOS, RECIPES
from cnnviz.training.loop import OPTIMIZERS, SCHEDULES
from cnnviz.ui import url_state
from cnnviz.ui.board import join as class_join
from cnnviz.ui.train import data as train_data
from cnnviz.ui.train import state as train_state
from cnnviz.ui.common import page_query
from cnnviz.ui.train import views
from cnnviz.ui.url_state import Param

URL_PAGE = "train"


def _choices(values) -> dict[str, object]:
    return {str(value): value for value in values}


PARAMS: dict[str, Param] = {
    "net": Param("train_arch", None, choices={**_choices(PRESETS), "builder": views.BUILDER}),
    "data": Param(train_data.DATA_KEY, train_data.DEFAULT, choices=_choices(DATASETS)),  # fashion-mnist | mnist
    "recipe": Param(views.RECIPE_KEY, None, choices=_choices({**RECIPES, **DEMOS})),
    "optimizer": Param("train_optimizer", views.DEFAULTS["train_optimizer"], choices=_choices(OPTIMIZERS)),
    "lr": Param("train_lr", views.DEFAULTS["train_lr"], choices=_choices(views.LEARNING_RATES)),
    "schedule": Param("train_schedule", views.DEFAULTS["train_schedule"], choices=_choices(SCHEDULES)),
    "batch": Param("train_batch", views.DEFAULTS["train_batch"], choices=_choices(views.BATCH_SIZES)),
    "epochs": Param("train_epochs", views.DEFAULTS["train_epochs"], allowed=range(1, 51)),
    "images": Param("train_size", views.DEFAULTS["train_size"], choices=_choices(views.TRAIN_SIZES)),
    "seed": Param("train_seed", views.DEFAULTS["train_seed"], allowed=range(10_001)),
    "momentum": Param("train_momentum", views.DEFAULTS["train_momentum"], choices=_choices(views.MOMENTA)),
    "init": Param("train_init", views.DEFAULTS["train_init"], choices=_choices(views.INIT_NAMES)),
    "scaling": Param("train_scaling", views.DEFAULTS["train_scaling"], choices=_choices(views.SCALINGS)),
    "device": Param("train_device", views.DEFAULTS["train_device"], choices=_choices(("auto", "cuda", "mps", "cpu"))),
    "then": Param("train_then", None, choices=_choices(PRESETS)),  # a network to train second (compare.py)
    "then_batch": Param("train_then_batch", None, choices=_choices(views.BATCH_SIZES)),  # or a batch size
}


def load() -> list[str]:
    """The link's settings into the widgets when the page should load them; returns what was ignored. A link
    without a network keeps the page's default choice (the builder's network when there is one). A URL with
    only the workspace id (an older link, or the runs of a tab whose settings are all defaults) leaves the
    settings to the workspace, which kept them; so does a reload that found the tab's workspace again (the
    browser may reload an address older than the last change). Only a tab's first run reads the address:
    while the student works, a rerun can carry the address from before the last change (the browser had not
    applied it yet), and reading it then would undo that change."""
    reclaimed = train_state.reclaimed_this_run()  # a reload found its workspace: its settings are the newest
    if not page_query() or reclaimed or url_state.written_before(URL_PAGE):
        return []
    ignored = url_state.load(URL_PAGE, PARAMS)
    if set(page_query()) & (set(PARAMS) - {"then", "then_batch"}):  # a link's settings: the lesson's baseline
        class_join.remember_lesson(views.config_from_state(), train_data.chosen())
    return ignored


def save() -> None:
    url_state.save(URL_PAGE, PARAMS)


def link(**values) -> dict[str, str]:
    """The query of a link to the Train page in the link's words, e.g. link(net="lenet", recipe="zh-6.6")."""
    return url_state.link_in_words(PARAMS, values)
