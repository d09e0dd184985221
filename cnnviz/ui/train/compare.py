"""A prepared comparison on the Train page: a link (an exercise's Try it) names a second network (`then=`) to
train with the same settings right after the first, so the class sees both curves overlaid without setting
anything up twice."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from cnnviz.arch import PRESETS, Architecture
from cnnviz.training.input import input_size_of
from cnnviz.training.loop import TrainConfig
from cnnviz.ui.lang import _
from cnnviz.ui.train import state
from cnnviz.ui.train.live import network_name

THEN_KEY = "train_then"  # the preset the link queues after the chosen network (URL `then`)


def second_network() -> Architecture | None:
    """The network a comparison trains second: the link's, unless it is the one chosen first."""
    name = st.session_state.get(THEN_KEY)
    if name not in PRESETS or name == st.session_state.get("train_arch"):
        return None
    return PRESETS[name]


def config_for(spec: Architecture, config: TrainConfig) -> TrainConfig:
    """The same settings for another network: only the input size follows the network (28, 96 or 224)."""
    return replace(config, input_size=input_size_of(spec))


def queue_second(first: Architecture, config: TrainConfig, dataset_name: str) -> None:
    """After the first run started: the second waits for it. The link's comparison is then done: a later
    Start trains one network again."""
    second = second_network()
    if second is not None:
        state.queue_run(second, config_for(second, config), dataset_name)
    st.session_state[THEN_KEY] = None


def comparison_note(first: Architecture, running: bool) -> None:
    """What the link prepared, above Start; while a comparison trains, which run comes next."""
    second = second_network()
    if second is not None and not running:
        st.info(_("This link prepares a comparison: **{first}** first, then **{second}** with the same settings. "
                  "Start trains both, one after the other; their curves overlay below.").format(
                      first=network_name(first), second=network_name(second)), icon=":material/compare_arrows:")
    for spec, _config, _dataset in state.queued_runs():
        st.caption(_("Next: {network}, with the same settings, starts when this run ends.").format(
            network=network_name(spec)))
