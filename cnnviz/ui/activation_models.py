"""Which model the Activations page inspects: a shipped one, any finished run of this session, or an upload."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import streamlit as st
import torch
from torch import nn

from cnnviz import checkpoint
from cnnviz.arch import PRESETS, Architecture, build
from cnnviz.errors import CnnvizError
from cnnviz.shipped import SHIPPED
from cnnviz.train_input import init_weights
from cnnviz.ui import train_state
from cnnviz.ui.common import keep_valid, show_error

UPLOAD = "Upload a checkpoint (.pt)…"
LATEST = "The model last trained on the Train page"  # when the session's model is not in its runs list
# The book's networks at the book's sizes, untrained: training one at 224x224 takes hours on a CPU, but their
# layers' shapes and receptive fields can be explored at once. The full-width VGG-11 (129M parameters, about
# 8 GFLOPs per image) is left out: on a CPU one page of images takes seconds; its narrow version has the same
# layers and fields.
UNTRAINED = ("alexnet", "vgg11_narrow", "nin", "googlenet")
UNTRAINED_SEED = 0
UNTRAINED_NOTE = "untrained: shapes and receptive fields only, the maps mean nothing yet"


@dataclass
class LoadedModel:
    model: nn.Module
    spec: Architecture
    meta: dict
    label: str
    trained: bool = True  # False for the book's networks with seeded random weights


def untrained_label(name: str) -> str:
    _, height, width = PRESETS[name].input_shape
    return f"{name} at {height}x{width}, untrained"


@st.cache_resource(show_spinner="Building the network…")
def _build_untrained(name: str) -> nn.Module:
    """The preset with seeded random weights, initialised as the book's `init_cnn` (Xavier uniform); built
    once per server and only read (eval mode, no training)."""
    with torch.random.fork_rng():  # the seed must not disturb anyone else's random stream
        torch.manual_seed(UNTRAINED_SEED)
        model = build(PRESETS[name])
        init_weights(model, "xavier")
    return model.eval()


def _untrained(name: str) -> LoadedModel:
    meta = {"note": UNTRAINED_NOTE, "seed": UNTRAINED_SEED}
    return LoadedModel(_build_untrained(name), PRESETS[name], meta, untrained_label(name), trained=False)


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
        except Exception as exc:  # a checkpoint that loads but builds oddly: never a traceback
            raise CnnvizError(
                f"this file is not a readable cnnviz checkpoint ({type(exc).__name__}: {exc}); "
                "upload a .pt file saved by the Train page") from exc
    return cache[digest]


def _accuracy_text(meta: dict) -> str:
    accuracy = meta.get("test_accuracy")
    return f" · {accuracy:.1%}" if isinstance(accuracy, float) else ""


def _shipped(choice) -> LoadedModel | None:
    if not choice.path.is_file():
        st.error(f"{choice.path.name} is missing from assets/; run `python scripts/train_default.py` to make it")
        return None
    model, spec, meta = _load_shipped(str(choice.path), choice.path.stat().st_mtime)
    return LoadedModel(model, spec, meta, choice.label)


def _session_models() -> dict[str, LoadedModel]:
    """Every finished run of this session that has tested weights, newest first, by label; and the
    session's current model if the runs list does not hold it (it is the latest either way)."""
    found: dict[str, LoadedModel] = {}
    for run in reversed(train_state.finished_runs()):
        if run.confusion is None:  # failed before it had weights worth inspecting
            continue
        meta = train_state.run_meta(run)
        label = f"Run {run.label}{_accuracy_text(meta)}"
        found[label] = LoadedModel(run.job.model, run.spec, meta, label)
    current = train_state.current_model()
    if current is not None and all(m.model is not current[0] for m in found.values()):
        model, spec, meta = current
        label = f"{LATEST}: {spec.name}{_accuracy_text(meta)}"
        found = {label: LoadedModel(model, spec, meta, label), **found}
    return found


def _upload() -> LoadedModel | None:
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


def model_ui() -> LoadedModel | None:
    """One box naming every model the page can inspect; None (with a message shown) when there is none."""
    shipped = {s.label: s for s in SHIPPED}
    session = _session_models()
    untrained = {untrained_label(name): name for name in UNTRAINED}
    options = [*shipped, *session, *untrained, UPLOAD]
    keep_valid("act_model", options, options[0])  # a run dropped from the list, or the first visit
    # No label line: the options name models plainly, and the sidebar's first screen has no room to spare.
    choice = st.selectbox("Model", options, key="act_model", label_visibility="collapsed",
                          help="The shipped models, every finished run of this session (newest first), the "
                               "book's networks at the book's input sizes with random weights, or a checkpoint "
                               "downloaded from the Train page.")
    if choice in shipped:
        loaded = _shipped(shipped[choice])
    elif choice in untrained:
        loaded = _untrained(untrained[choice])
    else:
        loaded = session.get(choice) or _upload()
    if loaded is not None and not loaded.trained:
        st.warning(f"{loaded.spec.name}, {UNTRAINED_NOTE}.")
    elif loaded is not None:
        st.caption(f"{loaded.spec.name}{_accuracy_text(loaded.meta).replace(' · ', ', test accuracy ')}")
    return loaded
