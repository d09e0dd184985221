"""Page set-up, the environment status in the sidebar, cached data, and error display."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import streamlit as st
import torch

from cnnviz import data
from cnnviz.device import describe_device, pick_device
from cnnviz.errors import CnnvizError


ICON = Path(__file__).resolve().parents[2] / "assets" / "icon.png"


def page_setup(title: str) -> None:
    """Call first on every page: wide layout, title, and the environment status in the sidebar."""
    # A local file, not an emoji or material icon: those favicons are fetched from the internet.
    st.set_page_config(page_title=f"{title} · cnnviz", page_icon=str(ICON), layout="wide")
    environment_sidebar()


@st.cache_resource(show_spinner=False)
def environment() -> dict[str, str]:
    """Torch version, device, and where the dataset is: computed once per server."""
    info = describe_device(pick_device())
    found = data.find_dataset_dir()
    return {
        "torch": torch.__version__,
        "device": info.name.upper(),
        "device_detail": info.description,
        "dataset": str(found) if found else "",
    }


def environment_sidebar() -> None:
    env = environment()
    with st.sidebar:
        dataset = "found" if env["dataset"] else "missing (see Home)"
        st.caption(
            f"torch {env['torch']} · device **{env['device']}** ({env['device_detail']}) · "
            f"Fashion-MNIST {dataset}"
        )


@st.cache_resource(show_spinner="Loading Fashion-MNIST...")
def fashion_mnist(train: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """The real dataset, loaded once per server and shared read-only by all sessions."""
    return data.load_fashion_mnist(train)


def fashion_mnist_or_none(train: bool = True) -> tuple[torch.Tensor, torch.Tensor] | None:
    """The dataset, or None when it is not installed (the pages then explain how to get it)."""
    if not environment()["dataset"] and data.find_dataset_dir() is None:
        return None
    try:
        return fashion_mnist(train)
    except data.DatasetMissing:
        return None


def show_error(exc: Exception) -> None:
    st.error(str(exc), icon=":material/error:")


@contextmanager
def user_errors() -> Iterator[None]:
    """Shows a CnnvizError raised inside the block as `st.error` and carries on with the page."""
    try:
        yield
    except CnnvizError as exc:
        show_error(exc)
