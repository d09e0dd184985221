"""A prepared comparison on the Train page: a link (an exercise's Try it) names what the second run changes, a
network (`then=`) or a batch size (`then_batch=`), and Start trains it with every other setting equal right
after the first, so the class sees both curves overlaid without setting anything up twice."""

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
THEN_BATCH_KEY = "train_then_batch"  # the batch size of the second run (URL `then_batch`)


def _second_network() -> Architecture | None:
    """The link's second network, unless it is the one chosen first."""
    name = st.session_state.get(THEN_KEY)
    if name not in PRESETS or name == st.session_state.get("train_arch"):
        return None
    return PRESETS[name]


def _second_batch() -> int | None:
    """The link's second batch size, unless it is the one chosen first."""
    batch = st.session_state.get(THEN_BATCH_KEY)
    return None if batch is None or batch == st.session_state.get("train_batch") else int(batch)


def second_run(first: Architecture, config: TrainConfig) -> tuple[Architecture, TrainConfig] | None:
    """What the link trains second: its network (or the first again) with its batch size (or the first's); the
    input size follows the network (28, 96 or 224). None when the link prepares no comparison."""
    network, batch = _second_network(), _second_batch()
    if network is None and batch is None:
        return None
    spec = network or first
    return spec, replace(config, input_size=input_size_of(spec), batch_size=batch or config.batch_size)


def queue_second(first: Architecture, config: TrainConfig, dataset_name: str) -> None:
    """After the first run started: the second waits for it. The link's comparison is then done: a later
    Start trains one network again."""
    second = second_run(first, config)
    if second is not None:
        state.queue_run(*second, dataset_name)
    st.session_state[THEN_KEY] = st.session_state[THEN_BATCH_KEY] = None


def comparison_note(first: Architecture, config: TrainConfig, running: bool) -> None:
    """What the link prepared, above Start; while a comparison trains, which run comes next."""
    second = second_run(first, config)
    if second is not None and not running:
        spec, second_config = second
        if spec is first:
            text = _("This link prepares a comparison: **{network}** with batch size {first}, then with batch size "
                     "{second}, every other setting the same. Start trains both, one after the other; their curves "
                     "overlay below.").format(network=network_name(first), first=config.batch_size,
                                              second=second_config.batch_size)
        else:
            text = _("This link prepares a comparison: **{first}** first, then **{second}** with the same settings. "
                     "Start trains both, one after the other; their curves overlay below.").format(
                         first=network_name(first), second=network_name(spec))
        st.info(text, icon=":material/compare_arrows:")
    current = state.current_run()
    for spec, queued_config, _dataset in state.queued_runs():
        if current is not None and queued_config.batch_size != current.config.batch_size:
            st.caption(_("Next: {network} with batch size {batch}, every other setting the same, starts when this "
                         "run ends.").format(network=network_name(spec), batch=queued_config.batch_size))
        else:
            st.caption(_("Next: {network}, with the same settings, starts when this run ends.").format(
                network=network_name(spec)))
