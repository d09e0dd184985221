"""Page 7's settings (kept across pages and written to the URL), the input image, and the one forward pass
per model and image that every rerun reuses."""

from __future__ import annotations

import hashlib

import streamlit as st
import torch

from cnnviz.data import DEFAULT_DATASET, class_names
from cnnviz.errors import CnnvizError
from cnnviz.i18n import N_
from cnnviz.images import to_fashion_mnist
from cnnviz.inspection.capture import model_device
from cnnviz.inspection.unit_trace import Trace, trace_units
from cnnviz.training.shipped import SHIPPED
from cnnviz.ui import lang
from cnnviz.ui.activations import state as act_state
from cnnviz.ui.activations.models import LoadedModel
from cnnviz.ui.common import keep_valid, keep_widgets
from cnnviz.ui.lang import _
from cnnviz.ui import lesson

SCALE_CHOICES = ("unit", "layer", "global")
SOURCES = (N_("test image"), N_("upload"), N_("drawing"), N_("camera"))
PER_PAGE = 6  # channels per layer on one page of the overview: the first screen at 1280x720
MAX_IMAGE = 999  # the k-th test image of a class (each class has 1,000 test images)
DEFAULTS = {  # widget key -> initial value
    "in_source": "test image", "in_model": SHIPPED[0].label, "in_data": DEFAULT_DATASET, "in_class": "Coat",
    "in_image": 0,
    "in_scale": "layer", "in_first": 0, "in_layer": "", "in_channel": 0, "in_row": 0, "in_col": 0,
}


def keep_settings() -> None:
    keep_widgets(DEFAULTS, "in_saved_settings")


def _test_image(dataset: str, test_set: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, str]:
    names = list(class_names(dataset))
    keep_valid("in_class", names, names[min(4, len(names) - 1)])
    left, right = st.columns([1.4, 1])
    with left:
        chosen = lesson.widget(st.selectbox, _("Class"), names, key="in_class", format_func=lang.formatter())
    with right:
        number = lesson.widget(st.number_input, _("Image"), 0, MAX_IMAGE, key="in_image",
                               help=_("Which test image of the class: 0 is the first."))
    images, labels = test_set
    indices = torch.nonzero(labels == names.index(chosen)).flatten()
    return images[indices[min(int(number), len(indices) - 1)]], f"{_(chosen)} {int(number)}"


def _own_image(source: str, dataset: str) -> torch.Tensor | None:
    """The student's upload, drawing or photo as uint8 (28, 28); None while there is none (or it is unreadable,
    with the reason shown)."""
    if source == "drawing":
        return act_state.drawing_ui(dataset, key="in_canvas")
    if source == "camera":
        shot = st.camera_input(_("Take a photo"), key="in_camera")
    else:
        shot = st.file_uploader(_("Your image (PNG or JPEG)"), type=["png", "jpg", "jpeg", "webp", "bmp"],
                                key="in_upload")
    if shot is None:
        return None
    try:
        return to_fashion_mnist(shot.getvalue())
    except CnnvizError as exc:
        st.error(_("{file}: {error}").format(file=shot.name, error=lang.render(exc)), icon=":material/error:")
        return None


def image_ui(dataset: str, test_set: tuple[torch.Tensor, torch.Tensor]) -> tuple[torch.Tensor, str]:
    """The input: the k-th test image of a class, or the student's upload, drawing or photo (each made a
    28x28 grey image, light on dark, as the page 5 uploads are). Returns uint8 (28, 28) and its name."""
    source = lesson.widget(st.radio, _("Input"), SOURCES, key="in_source", horizontal=True,
                           format_func=lang.formatter())
    if source == "test image":
        return _test_image(dataset, test_set)
    own = _own_image(source, dataset)
    if own is None:
        st.caption(_("Until then: the test image chosen before."))
        with st.expander(_("Test image")):
            return _test_image(dataset, test_set)
    return own, _("your image")


def traced(loaded: LoadedModel, image: torch.Tensor) -> Trace:
    """The image (uint8 (28, 28)) through the model, resized as the Train page resizes: once per model and
    image per session, so choosing a unit never runs the network again."""
    digest = hashlib.sha1(image.contiguous().numpy().tobytes()).hexdigest()
    key = (id(loaded.model), loaded.label, digest)

    def run() -> Trace:
        inputs = act_state.model_inputs(image[None], loaded.spec, model_device(loaded.model))
        return trace_units(loaded.model, inputs)
    return act_state.memo("inside_trace", key, run)
