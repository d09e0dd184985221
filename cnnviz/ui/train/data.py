"""The Train page's dataset: Fashion-MNIST (the book's) or MNIST, chosen in the settings, and what a run used.

The choice is a widget value (a dataset NAME, "fashion-mnist" or "mnist", stable in links); a run remembers
the name it trained on, so its results, class names and checkpoint stay its own when the choice changes.
"""

from __future__ import annotations

import streamlit as st

from cnnviz import data
from cnnviz.ui.common import dataset_or_none
from cnnviz.ui.lang import _
from cnnviz.ui import lesson

DATA_KEY = "train_data"  # the widget: a name of cnnviz.data.DATASETS
DEFAULT = data.DEFAULT_DATASET


def chosen() -> str:
    """The dataset the settings name now (a stale or unknown value: the default)."""
    name = st.session_state.get(DATA_KEY, DEFAULT)
    return name if name in data.DATASETS else DEFAULT


def dataset_ui(disabled: bool) -> str:
    titles = {name: info.title for name, info in data.DATASETS.items()}  # names of datasets: not translated
    lesson.widget(st.selectbox, _("Dataset"), list(data.DATASETS), key=DATA_KEY, disabled=disabled,
                  format_func=titles.get,
                  label_visibility="collapsed",  # the names say what they are; the line keeps its height
                  help=_("The book trains on Fashion-MNIST; MNIST's handwritten digits are easier (d2l 7.6, "
                         "exercise 3)."))
    return chosen()


def class_names(name: str) -> list[str]:
    """The dataset's class names in the reader's language (MNIST's digits stay digits)."""
    return [_(c) for c in data.class_names(name)]


def test_set(name: str):
    """(images, labels) of the test set, or None when the dataset is not installed."""
    return dataset_or_none(name, train=False)
