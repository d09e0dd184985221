"""Which model the Activations page inspects: a shipped one, any finished run of this session, or an upload."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import streamlit as st
import torch
from torch import nn

from cnnviz.training import checkpoint
from cnnviz.arch import PRESETS, Architecture, build
from cnnviz.data import DATASETS, DEFAULT_DATASET
from cnnviz.errors import CnnvizError
from cnnviz.i18n import N_
from cnnviz.training.shipped import SHIPPED
from cnnviz.training.input import init_weights
from cnnviz.ui import lang
from cnnviz.ui.arch.labels import network_title
from cnnviz.ui.train import state as train_state
from cnnviz.ui.train.live import network_name, run_label
from cnnviz.ui.common import keep_valid
from cnnviz.ui.lang import _
from cnnviz.ui import lesson

UPLOAD = N_("Upload a checkpoint (.pt)…")
LATEST = N_("The model last trained on the Train page")  # when the session's model is not in its runs list
# The book's networks at the book's sizes, untrained: training one at 224x224 takes hours on a CPU, but their
# layers' shapes and receptive fields can be explored at once. The full-width VGG-11 (129M parameters, about
# 8 GFLOPs per image) is left out: on a CPU one page of images takes seconds; its narrow version has the same
# layers and fields.
UNTRAINED = ("alexnet", "vgg11_narrow", "nin", "googlenet", "resnet18", "densenet", "regnetx32")
UNTRAINED_SEED = 0
UNTRAINED_NOTE = N_("untrained: shapes and receptive fields only, the maps mean nothing yet")
# How the model box names the untrained networks (their option values stay `untrained_label`'s English).
UNTRAINED_TITLES = {"alexnet": "AlexNet", "vgg11_narrow": N_("VGG-11, narrow"), "nin": "NiN",
                    "googlenet": "GoogLeNet", "resnet18": "ResNet-18", "densenet": "DenseNet",
                    "regnetx32": "RegNetX-32"}


@dataclass
class LoadedModel:
    model: nn.Module
    spec: Architecture
    meta: dict
    label: str
    trained: bool = True  # False for the book's networks with seeded random weights

    @property
    def dataset(self) -> str | None:
        """The name of the dataset the model was trained on (`cnnviz.data.DATASETS`), None if unknown."""
        return dataset_of(self.meta)


def dataset_of(meta: dict) -> str | None:
    """meta["dataset"] as a name: "mnist"; older checkpoints and runs wrote the title, "Fashion-MNIST" or
    "Fashion-MNIST (60,000 train / 10,000 test)". None when the metadata names no dataset cnnviz serves."""
    written = meta.get("dataset")
    if not isinstance(written, str):
        return None
    if written in DATASETS:
        return written
    # Longest title first: "MNIST" is the tail of "Fashion-MNIST".
    for info in sorted(DATASETS.values(), key=lambda info: -len(info.title)):
        if written == info.title or written.startswith(f"{info.title} "):
            return info.name
    return None


def untrained_label(name: str) -> str:
    """The option's value (in widgets and links): "alexnet at 224x224, untrained"."""
    _channels, height, width = PRESETS[name].input_shape
    return f"{name} at {height}x{width}, untrained"


def _untrained_shown(name: str) -> str:
    """How the box shows an untrained network: by its title ("ResNet-18 at 96×96, untrained"), never its id."""
    _channels, height, width = PRESETS[name].input_shape
    return _("{title} at {height}×{width}, untrained").format(title=_(UNTRAINED_TITLES.get(name, name)),
                                                              height=height, width=width)


@st.cache_resource(show_spinner=False)
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
    with st.spinner(_("Building the network…")):
        model = _build_untrained(name)
    return LoadedModel(model, PRESETS[name], meta, untrained_label(name), trained=False)


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
            raise CnnvizError(N_("this file is not a readable cnnviz checkpoint ({kind}: {detail}); upload a .pt "
                                 "file saved by the Train page"), kind=type(exc).__name__, detail=exc) from exc
    return cache[digest]


def _accuracy_text(meta: dict) -> str:
    accuracy = meta.get("test_accuracy")
    return f" · {accuracy:.1%}" if isinstance(accuracy, float) else ""


def _caption(loaded: LoadedModel) -> str:
    """Under the box: the network's title (a preset's in the reader's language) and its test accuracy."""
    accuracy = loaded.meta.get("test_accuracy")
    name = network_title(loaded.spec, lang.current())
    if isinstance(accuracy, float):
        return _("{name}, test accuracy {accuracy}").format(name=name, accuracy=f"{accuracy:.1%}")
    return name


def _shipped(choice) -> LoadedModel | None:
    if not choice.path.is_file():
        st.error(_("{file} is missing from assets/; run `python scripts/train_default.py` to make it").format(
            file=choice.path.name))
        return None
    model, spec, meta = _load_shipped(str(choice.path), choice.path.stat().st_mtime)
    return LoadedModel(model, spec, meta, choice.label)


def _session_models() -> tuple[dict[str, LoadedModel], dict[str, str]]:
    """Every finished run of this session that has tested weights, newest first, by label; and the
    session's current model if the runs list does not hold it (it is the latest either way). Also how the
    box shows each label in the reader's language."""
    found: dict[str, LoadedModel] = {}
    shown: dict[str, str] = {}
    for run in reversed(train_state.finished_runs()):
        if run.confusion is None:  # failed before it had weights worth inspecting
            continue
        meta = train_state.run_meta(run)
        label = f"Run {run.label}{_accuracy_text(meta)}"
        found[label] = LoadedModel(run.job.model, run.spec, meta, label)
        shown[label] = _("Run {run}").format(run=run_label(run)) + _accuracy_text(meta)  # by the network's title
    current = train_state.current_model()
    if current is not None and all(m.model is not current[0] for m in found.values()):
        model, spec, meta = current
        label = f"{LATEST}: {spec.name}{_accuracy_text(meta)}"
        found = {label: LoadedModel(model, spec, meta, label), **found}
        shown[label] = f"{_(LATEST)}: {network_name(spec)}{_accuracy_text(meta)}"
    return found, shown


def _upload(key: str = "act_checkpoint") -> LoadedModel | None:
    upload = st.file_uploader(_("Checkpoint (.pt saved by cnnviz)"), type=["pt", "pth"], key=key)
    if upload is None:
        st.info(_("Upload a .pt file downloaded from the Train page."))
        return None
    try:
        model, spec, meta = _load_upload(upload.getvalue())
    except CnnvizError as exc:
        st.error(_("{file}: {error}").format(file=upload.name, error=lang.render(exc)), icon=":material/error:")
        return None
    return LoadedModel(model, spec, meta, f"{spec.name} from {upload.name}{_accuracy_text(meta)}")


def model_ui(key: str = "act_model", upload_key: str = "act_checkpoint") -> LoadedModel | None:
    """One box naming every model the page can inspect; None (with a message shown) when there is none.
    `key` and `upload_key`: the widgets' keys (each page that inspects models keeps its own choice)."""
    shipped = {s.label: s for s in SHIPPED}
    session, session_shown = _session_models()
    untrained = {untrained_label(name): name for name in UNTRAINED}
    options = [*shipped, *session, *untrained, UPLOAD]
    shown = {**{label: _(label) for label in (*shipped, UPLOAD)}, **session_shown,
             **{label: _untrained_shown(name) for label, name in untrained.items()}}
    keep_valid(key, options, options[0])  # a run dropped from the list, or the first visit
    # No label line: the options name models plainly, and the sidebar's first screen has no room to spare.
    choice = lesson.widget(st.selectbox, _("Model"), options, key=key, label_visibility="collapsed",
                           format_func=shown.__getitem__,
                           help=_("The shipped models, every finished run of this session (newest first), the "
                                  "book's networks at the book's input sizes with random weights, or a checkpoint "
                                  "downloaded from the Train page."))
    if choice in shipped:
        loaded = _shipped(shipped[choice])
    elif choice in untrained:
        loaded = _untrained(untrained[choice])
    else:
        loaded = session.get(choice) or _upload(upload_key)
    if loaded is not None and not loaded.trained:
        st.warning(_("{name}, {note}.").format(name=network_name(loaded.spec), note=_(UNTRAINED_NOTE)))
    elif loaded is not None:
        st.caption(_caption(loaded))
    return loaded


def dataset_ui(loaded: LoadedModel | None, key: str = "act_data") -> str:
    """The dataset whose images go in: the model's own, else (an upload, an untrained network) the box's."""
    known = loaded.dataset if loaded is not None else None
    if known is not None:
        return known
    keep_valid(key, list(DATASETS), DEFAULT_DATASET)
    return lesson.widget(st.selectbox, _("Images from"), list(DATASETS), key=key,
                         format_func=lambda name: DATASETS[name].title,
                         help=_("This model does not say which dataset it was trained on: choose the images "
                                "it should see."))
