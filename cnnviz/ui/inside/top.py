"""Page 7's "what a channel looks for": the test images whose strongest response in the chosen channel is the
largest, with the unit that fired and the input pixels it sees outlined. Computed on request, once per model
and layer (all channels at once), with a progress bar; later channels of the same layer are a lookup."""

from __future__ import annotations

import time

import streamlit as st
import torch

from cnnviz.figures import inside as figs
from cnnviz.inspection.capture import ActivationError, model_device
from cnnviz.inspection.receptive_view import UnitError, unit_field
from cnnviz.inspection.top_images import ChannelPeaks, channel_peaks
from cnnviz.inspection.unit_trace import Trace
from cnnviz.ui import lang
from cnnviz.ui.activations import state as act_state
from cnnviz.ui.activations.models import LoadedModel
from cnnviz.ui.common import chart
from cnnviz.ui.lang import _

SHOWN = 8
# The book's 96x96 and 224x224 networks: the first search stops after about BUDGET_S seconds (ResNet-18's first
# layers at 96 search all 10,000 test images in 16-22 s on a 2-core CPU, AlexNet's at 224 take 60 s:
# bench/top_images.py); the page says how many it searched and offers the rest with the time it would take.
BUDGET_S = 20.0


def _budget(loaded: LoadedModel) -> float | None:
    return None if loaded.spec.input_shape[1] <= 32 else BUDGET_S


def _compute(loaded: LoadedModel, layer: str, images: torch.Tensor,
             budget_s: float | None) -> tuple[ChannelPeaks, float]:
    """Every image's peak of every channel of `layer` (the first images only where the budget ends the search),
    and the seconds it took."""
    bar = st.progress(0.0, text=_("Running the test images through the network…"))
    device = model_device(loaded.model)
    start = time.perf_counter()
    peaks = channel_peaks(loaded.model, layer, images,
                          prepare=lambda batch: act_state.model_inputs(batch, loaded.spec, device),
                          progress=lambda done: bar.progress(done, text=_("{share} of the images").format(
                              share=f"{done:.0%}")), budget_s=budget_s)
    bar.empty()
    return peaks, time.perf_counter() - start


def _cache(loaded: LoadedModel, layer: str, dataset: str) -> tuple[dict, tuple]:
    """The session's searches (one model's layer at a time) and this layer's key."""
    base = (id(loaded.model), loaded.label, layer, dataset)
    cache = st.session_state.setdefault("in_peaks", {})
    if any(key[:4] != base for key in cache):
        cache.clear()
    return cache, base


def _searched(loaded: LoadedModel, layer: str, dataset: str, test_set) -> tuple[ChannelPeaks, float] | None:
    """The peaks over the test set (or the first images the budget allowed), computed once per model and layer
    when the button is pressed; None until then."""
    images = test_set[0]
    cache, base = _cache(loaded, layer, dataset)
    found = cache.get(base + ("all",)) or cache.get(base + ("first",))
    if found is not None:
        return found
    budget = _budget(loaded)
    label = (_("Find the test images that excite it most ({count} images)").format(count=f"{len(images):,}")
             if budget is None else
             _("Find the test images that excite it most (up to {total} test images, about {seconds} s at most)")
             .format(total=f"{len(images):,}", seconds=f"{budget:.0f}"))
    if not st.button(label, key="in_find_top"):
        st.caption(_("Runs the images through the network once, stopping at this layer, a batch at a time; then "
                     "every channel of the layer is a lookup."))
        return None
    cache[base + ("first",)] = _compute(loaded, layer, images, budget)
    st.rerun()  # drawn again without the button, from the search just kept


def _offer_all(loaded: LoadedModel, layer: str, dataset: str, test_set, searched: tuple[ChannelPeaks, float]):
    """Under a search that the budget ended early: how many images were searched, and a button for all."""
    peaks, seconds = searched
    count, total = peaks.values.shape[0], len(test_set[0])
    if count >= total:
        return
    st.caption(_("Searched the first {count} of the {total} test images (the larger the network's input, the longer "
                 "it takes); all of them would take about {seconds} s here.").format(
        count=f"{count:,}", total=f"{total:,}", seconds=f"{seconds * total / count:.0f}"))
    if st.button(_("Search all {total} test images").format(total=f"{total:,}"), key="in_find_all"):
        cache, base = _cache(loaded, layer, dataset)
        cache[base + ("all",)] = _compute(loaded, layer, test_set[0], None)
        st.rerun()


def show(loaded: LoadedModel, trace: Trace, layer: str, channel: int, dataset: str,
         test_set: tuple[torch.Tensor, torch.Tensor], class_names: list[str]) -> None:
    """The section under the explanation; nothing for the input, the softmax or a shared module's later calls."""
    if layer in ("softmax", "normalize") or " (" in layer or layer not in {s.name for s in trace.steps}:
        return
    images, labels = test_set
    st.markdown(_("#### What channel {channel} of {layer} looks for").format(channel=channel, layer=layer))
    searched = _searched(loaded, layer, dataset, test_set)
    if searched is None:
        return
    try:
        top = searched[0].top(channel, SHOWN)
    except ActivationError:  # a channel outside the layer: the explanation above already says so
        return
    indices = [i for i, _value, _unit in top]
    outlines = []
    for _i, _value, (row, col) in top:
        try:
            outlines.append(unit_field(loaded.spec, layer, row, col))
        except UnitError:  # a layer inside a block, or a flat layer: the whole image
            outlines.append(None)
    labels_shown = [class_names[int(labels[i])] for i in indices]
    fig = figs.top_images(images[indices], outlines, labels_shown, [v for _i, v, _u in top], lang=lang.current())
    chart(fig, "in_top_images")
    st.caption(_("The strongest response of channel {channel} in each image, largest first; outlined: the input "
                 "pixels the unit that fired sees (its receptive field).").format(channel=channel))
    _offer_all(loaded, layer, dataset, test_set, searched)
