"""Widgets and state for the Activations page: where the model comes from, which images go in."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import streamlit as st
import torch
from torch import nn

from cnnviz import checkpoint
from cnnviz.arch import Architecture
from cnnviz.data import CLASSES
from cnnviz.errors import CnnvizError
from cnnviz.images import to_fashion_mnist
from cnnviz.shipped import SHIPPED
from cnnviz.ui.common import keep_widgets, show_error

TRAINED_KEY = "trained_model"  # set by the Train page: (model, spec, meta)
SOURCES = ("Shipped with cnnviz", "Trained on the Train page", "Upload a checkpoint")
DEFAULTS = {  # widget key -> initial value (keep_widgets holds them while the student is on other pages)
    "act_source": SOURCES[0], "act_shipped": SHIPPED[0].label, "act_classes": ["Pullover", "Coat"],
    "act_mode": "gallery", "act_count": 6, "act_seed": 0, "act_start": 0, "act_draw": False,
    "act_layer": None, "act_stage": "activation", "act_shared": True,  # layer and stage: checked against the model
}
YOURS = -1  # the label of the student's own images: no Fashion-MNIST class
MAX_OWN_IMAGES = 8


def keep_settings() -> None:
    keep_widgets(DEFAULTS, "act_saved_settings")


@dataclass
class LoadedModel:
    model: nn.Module
    spec: Architecture
    meta: dict
    label: str


@dataclass
class Examples:
    images: torch.Tensor  # uint8 (N, 28, 28)
    labels: torch.Tensor  # int64 (N,), YOURS for the student's own images
    names: list[str]  # one per image, e.g. "Coat 3"


@st.cache_resource(show_spinner=False)
def _load_shipped(path: str, mtime: float) -> tuple[nn.Module, Architecture, dict]:
    """A shipped checkpoint, loaded once per server; `mtime` makes a retrained file load again."""
    return checkpoint.load(path)


def _load_upload(data: bytes) -> tuple[nn.Module, Architecture, dict]:
    """An uploaded checkpoint, loaded once per session (keyed by its hash)."""
    digest = hashlib.sha256(data).hexdigest()
    cache = st.session_state.setdefault("act_uploaded_models", {})
    if digest not in cache:
        cache.clear()  # keep one uploaded model per session
        try:
            cache[digest] = checkpoint.load(io.BytesIO(data))
        except CnnvizError:
            raise
        except Exception as exc:  # torch.load on arbitrary bytes can fail in many ways (IndexError, KeyError...)
            raise CnnvizError(
                f"this file is not a readable cnnviz checkpoint ({type(exc).__name__}: {exc}); "
                "upload a .pt file saved by the Train page") from exc
    return cache[digest]


def _accuracy_text(meta: dict) -> str:
    accuracy = meta.get("test_accuracy")
    return f", test accuracy {accuracy:.1%}" if isinstance(accuracy, float) else ""


def _shipped_ui() -> LoadedModel | None:
    labels = {s.label: s for s in SHIPPED}
    choice = labels[st.selectbox("Model", list(labels), key="act_shipped")]
    if not choice.path.is_file():
        st.error(f"{choice.path.name} is missing from assets/; run `python scripts/train_default.py` to make it")
        return None
    model, spec, meta = _load_shipped(str(choice.path), choice.path.stat().st_mtime)
    return LoadedModel(model, spec, meta, f"{choice.label}{_accuracy_text(meta)}")


def _trained_ui() -> LoadedModel | None:
    trained = st.session_state.get(TRAINED_KEY)
    if trained is None:
        st.info("No model trained in this session yet: train one on the Train page, or pick another source.")
        return None
    model, spec, meta = trained
    return LoadedModel(model, spec, meta, f"{spec.name} from the Train page{_accuracy_text(meta)}")


def _upload_ui() -> LoadedModel | None:
    upload = st.file_uploader("Checkpoint (.pt saved by cnnviz)", type=["pt", "pth"], key="act_checkpoint")
    if upload is None:
        st.info("Upload a .pt file downloaded from the Train page.")
        return None
    try:
        model, spec, meta = _load_upload(upload.getvalue())
    except CnnvizError as exc:
        show_error(CnnvizError(f"{upload.name}: {exc}"))
        return None
    return LoadedModel(model, spec, meta, f"{spec.name} from {upload.name}{_accuracy_text(meta)}")


def model_source_ui() -> LoadedModel | None:
    """The model source radio and its widgets; None (with a message shown) when there is no model yet."""
    source = st.radio("Model source", SOURCES, key="act_source")
    if source == SOURCES[1]:
        return _trained_ui()
    if source == SOURCES[2]:
        return _upload_ui()
    return _shipped_ui()


def _class_indices(labels: torch.Tensor, cls: int, count: int, mode: str, start: int, seed: int) -> torch.Tensor:
    """Indices of `count` test images of class `cls`: consecutive from `start`, or random with `seed`."""
    indices = torch.nonzero(labels == cls).flatten()
    if mode == "random":
        generator = torch.Generator().manual_seed(seed * 10 + cls)
        return indices[torch.randperm(len(indices), generator=generator)[:count]]
    start = min(start, len(indices) - count)
    return indices[start:start + count]


def examples_ui(classes: list[int], test_set: tuple[torch.Tensor, torch.Tensor]) -> Examples:
    """Widgets choosing the example images per class (gallery or random) plus the student's own uploads."""
    images, labels = test_set
    mode = st.radio("Images", ["gallery", "random"], horizontal=True, key="act_mode",
                    help="gallery: consecutive test images of each class; random: a random draw with a seed")
    count = st.slider("Images per class", 1, 16, key="act_count")
    if mode == "random":
        seed, start = st.number_input("Seed", 0, 10_000, key="act_seed"), 0
    else:
        start, seed = st.number_input("First gallery image", 0, 900, step=count, key="act_start"), 0
    chosen = [_class_indices(labels, c, count, mode, int(start), int(seed)) for c in classes]
    names = [f"{CLASSES[c]} {i + 1}" for c, idx in zip(classes, chosen) for i in range(len(idx))]
    picked = torch.cat(chosen)
    return Examples(images[picked], labels[picked], names)


def _drawing_ui() -> torch.Tensor | None:
    """A canvas to draw a garment on (light on dark, like Fashion-MNIST), as uint8 (28, 28); None if blank."""
    try:
        from streamlit_drawable_canvas import st_canvas
    except ImportError:
        st.caption("Drawing needs the streamlit-drawable-canvas package; upload an image instead.")
        return None
    st.caption("Draw a garment, light on dark like Fashion-MNIST.")
    st.container(height=30, border=False)  # room for the canvas's floating toolbar
    drawing = st_canvas(stroke_width=18, stroke_color="#ffffff", background_color="#000000", height=196,
                        width=196, drawing_mode="freedraw", return_image_data=True, key="act_canvas")
    png = drawing.image_bytes if drawing is not None else None
    if not png:
        return None
    image = to_fashion_mnist(png)
    return image if image.any() else None


def own_images_ui() -> list[torch.Tensor]:
    """The student's drawing and uploaded images as uint8 (28, 28) each; bad files are reported and skipped."""
    own = []
    if st.toggle("Draw an image", key="act_draw"):
        drawn = _drawing_ui()
        own += [drawn] if drawn is not None else []
    uploads = st.file_uploader("Your own images (PNG or JPEG; made 28x28 grayscale, light on dark)",
                               type=["png", "jpg", "jpeg", "webp", "bmp"], accept_multiple_files=True,
                               key="act_own")
    for upload in (uploads or [])[:MAX_OWN_IMAGES]:
        try:
            own.append(to_fashion_mnist(upload.getvalue()))
        except CnnvizError as exc:
            show_error(CnnvizError(f"{upload.name}: {exc}"))
    return own


def with_own_images(examples: Examples, own: list[torch.Tensor]) -> Examples:
    if not own:
        return examples
    images = torch.cat([examples.images, torch.stack(own)])
    labels = torch.cat([examples.labels, torch.full((len(own),), YOURS)])
    return Examples(images, labels, examples.names + [f"yours {i + 1}" for i in range(len(own))])


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

