"""Page 7's "what a channel looks for": the test images whose strongest response in the chosen channel is the
largest, with the unit that fired and the input pixels it sees outlined. Computed on request, once per model
and layer (all channels at once), with a progress bar; later channels of the same layer are a lookup."""

from __future__ import annotations

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
LARGE_INPUT_IMAGES = 500  # the book's 96x96 and 224x224 networks: the first 500 test images (about seconds)


def _count(loaded: LoadedModel, available: int) -> int:
    return available if loaded.spec.input_shape[1] <= 32 else min(available, LARGE_INPUT_IMAGES)


def _compute(loaded: LoadedModel, layer: str, images: torch.Tensor) -> ChannelPeaks:
    bar = st.progress(0.0, text=_("Running the test images through the network…"))
    device = model_device(loaded.model)
    peaks = channel_peaks(loaded.model, layer, images,
                          prepare=lambda batch: act_state.model_inputs(batch, loaded.spec, device),
                          progress=lambda done: bar.progress(done, text=_("{share} of the images").format(
                              share=f"{done:.0%}")))
    bar.empty()
    return peaks


def show(loaded: LoadedModel, trace: Trace, layer: str, channel: int, dataset: str,
         test_set: tuple[torch.Tensor, torch.Tensor], class_names: list[str]) -> None:
    """The section under the explanation; nothing for the input, the softmax or a shared module's later calls."""
    if layer in ("softmax", "normalize") or " (" in layer or layer not in {s.name for s in trace.steps}:
        return
    images, labels = test_set
    count = _count(loaded, len(images))
    st.markdown(_("#### What channel {channel} of {layer} looks for").format(channel=channel, layer=layer))
    key = (id(loaded.model), loaded.label, layer, dataset, count)
    cache = st.session_state.setdefault("in_peaks", {})
    if key not in cache:
        if not st.button(_("Find the test images that excite it most ({count} images)").format(count=count),
                         key="in_find_top"):
            st.caption(_("Runs every test image through the network up to this layer once; then every channel of "
                         "the layer is a lookup."))
            return
        cache.clear()  # one layer's peaks per session
        cache[key] = _compute(loaded, layer, images[:count])
    try:
        top = cache[key].top(channel, SHOWN)
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
