"""Page 7's settings (kept across pages and written to the URL), the input image, and the one forward pass
per model and image that every rerun reuses."""

from __future__ import annotations

import hashlib

import streamlit as st
import torch

from cnnviz.data import DEFAULT_DATASET, class_names
from cnnviz.errors import CnnvizError
from cnnviz.images import to_fashion_mnist
from cnnviz.inspection.capture import model_device
from cnnviz.inspection.unit_trace import Trace, trace_units
from cnnviz.training.shipped import SHIPPED
from cnnviz.ui import lang
from cnnviz.ui.activations import state as act_state
from cnnviz.ui.activations.models import LoadedModel
from cnnviz.ui.common import keep_valid, keep_widgets
from cnnviz.ui.lang import _

SCALE_CHOICES = ("unit", "layer", "global")
PER_PAGE = 6  # channels per layer on one page of the overview: the first screen at 1280x720
MAX_IMAGE = 999  # the k-th test image of a class (each class has 1,000 test images)
DEFAULTS = {  # widget key -> initial value
    "in_model": SHIPPED[0].label, "in_data": DEFAULT_DATASET, "in_class": "Coat", "in_image": 0,
    "in_scale": "layer", "in_first": 0, "in_layer": "", "in_channel": 0, "in_row": 0, "in_col": 0,
}


def keep_settings() -> None:
    keep_widgets(DEFAULTS, "in_saved_settings")


def image_ui(dataset: str, test_set: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, str]:
    """The input: the k-th test image of a class, or the student's upload. Returns uint8 (28, 28) and its name."""
    names = list(class_names(dataset))
    keep_valid("in_class", names, names[min(4, len(names) - 1)])
    left, right = st.columns([1.4, 1])
    with left:
        chosen = st.selectbox(_("Class"), names, key="in_class", format_func=lang.formatter())
    with right:
        number = st.number_input(_("Image"), 0, MAX_IMAGE, key="in_image",
                                 help=_("Which test image of the class: 0 is the first."))
    images, labels = test_set
    indices = torch.nonzero(labels == names.index(chosen)).flatten()
    image = images[indices[min(int(number), len(indices) - 1)]]
    name = f"{_(chosen)} {int(number)}"
    upload = st.file_uploader(_("Or your own image (PNG or JPEG)"), type=["png", "jpg", "jpeg", "webp", "bmp"],
                              key="in_upload")
    if upload is not None:
        try:
            return to_fashion_mnist(upload.getvalue()), _("your image")
        except CnnvizError as exc:
            st.error(_("{file}: {error}").format(file=upload.name, error=lang.render(exc)), icon=":material/error:")
    return image, name


def traced(loaded: LoadedModel, image: torch.Tensor) -> Trace:
    """The image (uint8 (28, 28)) through the model, resized as the Train page resizes: once per model and
    image per session, so choosing a unit never runs the network again."""
    digest = hashlib.sha1(image.contiguous().numpy().tobytes()).hexdigest()
    key = (id(loaded.model), loaded.label, digest)

    def run() -> Trace:
        inputs = act_state.model_inputs(image[None], loaded.spec, model_device(loaded.model))
        return trace_units(loaded.model, inputs)
    return act_state.memo("inside_trace", key, run)
