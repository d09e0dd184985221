"""Widgets and state for the Activations page: which images go in, and the per-session memo."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import streamlit as st
import torch

from cnnviz.data import CLASSES, DEFAULT_DATASET, FASHION_MNIST, MNIST, class_names
from cnnviz.errors import CnnvizError
from cnnviz.i18n import N_
from cnnviz.images import to_fashion_mnist
from cnnviz.training.shipped import SHIPPED
from cnnviz.training.input import input_shape_of, to_batch
from cnnviz.ui import lang
from cnnviz.ui.activations.models import LoadedModel
from cnnviz.ui.common import keep_widgets
from cnnviz.ui.lang import _
from cnnviz.ui import lesson

# The pair each dataset opens with: the book's pullovers and coats; for digits, a pair LeNet confuses.
DEFAULT_CLASSES = {FASHION_MNIST: ["Pullover", "Coat"], MNIST: ["4", "9"]}
DEFAULTS = {  # widget key -> initial value (keep_widgets holds them while the student is on other pages)
    "act_model": SHIPPED[0].label, "act_classes": DEFAULT_CLASSES[DEFAULT_DATASET], "act_data": DEFAULT_DATASET,
    "act_mode": "gallery", "act_count": 4, "act_seed": 0, "act_start": 0, "act_draw": False,
    # layer, stage and channels: checked against the model and the layer before they are drawn
    "act_layer": None, "act_stage": "activation", "act_channels": None, "act_shared": True,
}
YOURS = -1  # the label of the student's own images: no class of the dataset
MAX_OWN_IMAGES = 8


def keep_settings() -> None:
    keep_widgets(DEFAULTS, "act_saved_settings")


@dataclass
class Examples:
    images: torch.Tensor  # uint8 (N, 28, 28)
    labels: torch.Tensor  # int64 (N,), YOURS for the student's own images
    names: list[str]  # one per image, e.g. "Coat 3" (in the reader's language)
    class_names: tuple[str, ...] = CLASSES  # the dataset's, in label order (English: translate where shown)


def _class_indices(labels: torch.Tensor, cls: int, count: int, mode: str, start: int, seed: int) -> torch.Tensor:
    """Indices of `count` test images of class `cls`: consecutive from `start`, or random with `seed`."""
    indices = torch.nonzero(labels == cls).flatten()
    if mode == "random":
        generator = torch.Generator().manual_seed(seed * 10 + cls)
        return indices[torch.randperm(len(indices), generator=generator)[:count]]
    start = min(start, len(indices) - count)
    return indices[start:start + count]


def classes_ui(dataset: str) -> list[int]:
    """The classes to compare (label indices) among the dataset's; another dataset's choice gives way to its
    default pair."""
    names = list(class_names(dataset))
    if not set(st.session_state.get("act_classes") or []) <= set(names):
        st.session_state["act_classes"] = DEFAULT_CLASSES[dataset]
    chosen = lesson.widget(st.multiselect, _("Classes to compare"), names, max_selections=4, key="act_classes",
                           format_func=lang.formatter())
    return [names.index(name) for name in chosen]


MODES = (N_("gallery"), N_("random"))


def examples_ui(classes: list[int], test_set: tuple[torch.Tensor, torch.Tensor],
                names_of: tuple[str, ...] = CLASSES) -> Examples:
    """Widgets choosing the example images per class (gallery or random) of a test set whose class names are
    `names_of`."""
    images, labels = test_set
    mode = lesson.widget(st.radio, _("Images"), MODES, horizontal=True, key="act_mode", format_func=lang.formatter(),
                         help=_("gallery: consecutive test images of each class; random: a random draw with a seed"))
    count = lesson.widget(st.slider, _("Images per class"), 1, 16, key="act_count")
    if mode == "random":
        seed, start = lesson.widget(st.number_input, _("Seed"), 0, 10_000, key="act_seed"), 0
    else:
        start, seed = lesson.widget(st.number_input, _("First gallery image"), 0, 900, step=count, key="act_start"), 0
    chosen = [_class_indices(labels, c, count, mode, int(start), int(seed)) for c in classes]
    names = [f"{_(names_of[c])} {i + 1}" for c, idx in zip(classes, chosen) for i in range(len(idx))]
    picked = torch.cat(chosen)
    return Examples(images[picked], labels[picked], names, tuple(names_of))


def drawing_ui(dataset: str, key: str = "act_canvas") -> torch.Tensor | None:
    """A canvas to draw a garment or digit on (light on dark, like the dataset), as uint8 (28, 28); None if
    blank."""
    try:
        from streamlit_drawable_canvas import st_canvas
    except ImportError:
        st.caption(_("Drawing needs the streamlit-drawable-canvas package; upload an image instead."))
        return None
    st.caption(_("Draw a digit, light on dark like MNIST.") if dataset == MNIST else
               _("Draw a garment, light on dark like Fashion-MNIST."))
    st.container(height=30, border=False)  # room for the canvas's floating toolbar
    drawing = st_canvas(stroke_width=18, stroke_color="#ffffff", background_color="#000000", height=196,
                        width=196, drawing_mode="freedraw", return_image_data=True, key=key)
    png = drawing.image_bytes if drawing is not None else None
    if not png:
        return None
    image = to_fashion_mnist(png)
    return image if image.any() else None


def own_images_ui(dataset: str = DEFAULT_DATASET) -> list[torch.Tensor]:
    """The student's drawing and uploaded images as uint8 (28, 28) each; bad files are reported and skipped."""
    own = []
    if st.toggle(_("Draw an image"), key="act_draw"):
        drawn = drawing_ui(dataset)
        own += [drawn] if drawn is not None else []
    uploads = st.file_uploader(_("Your own images (PNG or JPEG; made 28×28 grayscale, light on dark)"),
                               type=["png", "jpg", "jpeg", "webp", "bmp"], accept_multiple_files=True,
                               key="act_own")
    for upload in (uploads or [])[:MAX_OWN_IMAGES]:
        try:
            own.append(to_fashion_mnist(upload.getvalue()))  # the same framing suits a digit
        except CnnvizError as exc:
            st.error(_("{file}: {error}").format(file=upload.name, error=lang.render(exc)), icon=":material/error:")
    return own


def with_own_images(examples: Examples, own: list[torch.Tensor]) -> Examples:
    if not own:
        return examples
    images = torch.cat([examples.images, torch.stack(own)])
    labels = torch.cat([examples.labels, torch.full((len(own),), YOURS)])
    yours = [_("yours {number}").format(number=i + 1) for i in range(len(own))]
    return Examples(images, labels, examples.names + yours, examples.class_names)


def model_inputs(images: torch.Tensor, spec, device: torch.device | str = "cpu") -> torch.Tensor:
    """The images as the model takes them: uint8 (N, 28, 28) unchanged for a 28x28 network, else float
    (N, 1, S, S) in [0, 1] resized on `device` exactly as the Train page resizes its batches (`resize_batch`:
    torchvision's Resize, bilinear and antialiased), for the book's networks at 96x96 or 224x224."""
    channels, side, _ = input_shape_of(spec)
    if channels != 1:
        raise CnnvizError(N_("{name} takes {channels}-channel images; this page feeds grayscale images, so "
                             "choose a model with one input channel"), name=spec.name, channels=channels)
    if side == images.shape[-1]:
        return images
    return to_batch(images.to(device), channels_last=False, size=side)  # (N, 1, S, S)


def memo(kind: str, key: tuple, compute):
    """`compute()` once per session for this key: a rerun that changes only the layer or the stage
    reuses the forward pass and the unchanged figures. A handful of entries are kept."""
    cache = st.session_state.setdefault("act_memo", {})
    if (kind, key) not in cache:
        if len(cache) >= 24:
            cache.clear()
        cache[(kind, key)] = compute()
    return cache[(kind, key)]


def examples_key(loaded: LoadedModel, examples: Examples) -> tuple:
    """Identifies a model and a batch of images: the key of everything computed from both."""
    digest = hashlib.sha1(examples.images.contiguous().numpy().tobytes()).hexdigest()
    return id(loaded.model), loaded.label, digest, tuple(examples.names)

