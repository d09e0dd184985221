"""What a person reads on a page under AppTest, and the English words left in it (for the zh pages' tests)."""

from __future__ import annotations

import json
import re

from streamlit.testing.v1 import AppTest

# Words a Chinese reader reads in English too: names, code, formats, units, symbols of the book's formulas.
ALLOWED = {
    "d2l", "zh", "Nesterov", "torch", "PyTorch", "Fashion", "MNIST", "CPU", "GPU", "CUDA", "MPS", "Apple", "Metal", "bfloat16",
    "float32", "GiB", "MB", "GB", "KB", "PNG", "JPEG", "JSON", "CSV", "SGD", "Adam", "Sobel", "ReLU", "LeNet",
    "AlexNet", "VGG", "NiN", "GoogLeNet", "Inception", "BatchNorm", "Conv2d", "MaxPool2d", "AvgPool2d",
    "Linear", "Flatten", "Dropout", "Sigmoid", "corr2d", "pool2d", "conv2d", "lr", "GD", "PᵀP", "cnnviz",
    "FLOPs", "px", "Streamlit", "Plotly", "Xavier", "Fashion-MNIST",
    "Grad-CAM",  # a method's name (Selvaraju et al., 2017), as the zh literature writes it
    "Language", "English",  # the language switch names both languages in their own words
    "nn", "max",  # torch.nn in nn.MaxPool2d; max(...) in a max-pooled cell's formula
    # the builder's layer types as JSON and the editor spell them, activations as torch names them, and the
    # child modules' names in the diagram (nn.Sequential's "flatten", "gap")
    "Conv", "Pool", "Activation", "GlobalAvgPool", "VGGBlock", "NiNBlock", "InceptionBlock", "Tanh", "GELU",
    "LeakyReLU", "flatten", "gap", "sigmoid", "ResidualBlock", "ResNeXtBlock", "DenseBlock", "TransitionLayer",
    "AnyNetStage",
    "ResNet", "ResNeXt", "DenseNet", "RegNet", "RegNetX", "AnyNet",  # the networks' names, as zh.d2l.ai writes them
    "Ray",  # the cluster engine's name, as zh texts write it
    "Toeplitz", "ShuffleNet", "ImageNet", "torchvision", "GFLOPs",  # the Toeplitz matrix (a mathematician's name); a network's name
    # Streamlit's markdown directives (code): badges and coloured icons, e.g. :green-badge[:material/science: 实验]
    "material", "green-badge", "orange-badge", "blue-badge", "green", "calculate", "science", "travel_explore",
    "check_circle",
    "AdamW", "Debian", "Ubuntu", "MiB",  # an optimizer; the systems the missing-dataset message names; a unit
    "softmax", "CNN", "Explainer",  # the zh edition writes softmax in Latin letters; a tool's name (CNN Explainer)
    "MFLOPs", "Pleiss",  # a unit beside GFLOPs; an author's name (the memory-efficient DenseNet, Pleiss et al.)
}
LETTERS = re.compile(r"[A-Za-zᵀ][A-Za-z0-9ᵀ_\-]*[A-Za-z0-9ᵀ]|[A-Za-z]{2,}")
CODE = re.compile(r"`[^`]*`|%\{[^}]*\}|<[^>]+>|\$[^$]*\$"  # inline code, Plotly placeholders, tags, formulas
                  r"|:material/[a-z0-9_]+:"  # Streamlit's icon shortcodes in markdown (drawn as icons)
                  r"|\b[\w-]+(?:\.[\w-]+)*\.(?:ai|org|com|io)\b"  # web addresses (zh.d2l.ai)
                  r"|\b[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+\b")  # module paths (model.conv1, torch.nn)


def _labels(at: AppTest) -> list[str]:
    texts = []
    for kind in ("button", "selectbox", "multiselect", "number_input", "text_input", "text_area", "checkbox",
                 "toggle", "select_slider", "slider", "radio", "metric", "expander", "tabs", "button_group",
                 "download_button", "file_uploader", "color_picker", "date_input", "page_link"):
        for element in at.get(kind):
            proto = element.proto
            for field in ("label", "help", "placeholder"):
                if getattr(proto, field, ""):
                    texts.append(getattr(proto, field))
            options = getattr(proto, "options", None)
            if options is not None:
                texts += [o if isinstance(o, str) else getattr(o, "content", "") for o in options]
    return texts


def _figure_texts(spec: dict) -> list[str]:
    layout, texts = spec.get("layout", {}), []
    title = layout.get("title", {})
    texts += [title.get("text", ""), title.get("subtitle", {}).get("text", "")] if isinstance(title, dict) else []
    for key, value in layout.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(value, dict):
            texts.append(value.get("title", {}).get("text", ""))
    texts += [a.get("text", "") for a in layout.get("annotations", [])]
    for trace in spec.get("data", []):
        texts += [trace.get("name", "") or "", trace.get("hovertemplate", "") or ""]
    return [t for t in texts if t]


def visible_texts(at: AppTest) -> list[str]:
    """Titles, headers, captions, markdown, alerts, widget labels, help and options, and figure texts."""
    texts = []
    for kind in ("title", "header", "subheader", "caption", "markdown", "info", "warning", "error", "success",
                 "text"):
        texts += [element.value for element in at.get(kind) if isinstance(element.value, str)]
    texts += _labels(at)
    texts += [t for chart in at.get("plotly_chart") for t in _figure_texts(json.loads(chart.proto.spec))]
    return [t for t in texts if t and t.strip()]


def english_words(text: str) -> list[str]:
    """Words of English left in `text`, apart from code, placeholders and the allowed names."""
    words = LETTERS.findall(CODE.sub(" ", text))
    return [w for w in words if w not in ALLOWED and not re.search(r"\d", w)]  # versions, sizes like 6x8


def english_left(at: AppTest) -> dict[str, list[str]]:
    """Each visible text that still has English in it, with the words."""
    return {text: words for text in visible_texts(at) if (words := english_words(text))}


def open_in_chinese(page: str, query: dict | None = None):
    """A page run once with ?lang=zh (and `query`), no exception."""
    from tests.conftest import assert_no_exception, make_app

    at = make_app(page, query={"lang": "zh", **(query or {})}).run()
    assert_no_exception(at)
    return at


def assert_all_chinese(at, at_least: int = 20) -> None:
    """No English left in what a person reads, and the check saw a page (more than `at_least` texts)."""
    from tests.conftest import assert_no_exception

    assert_no_exception(at)
    assert english_left(at) == {}
    assert len(visible_texts(at)) > at_least  # the check saw the page, not an empty tree
    doubled = [t for t in visible_texts(at) if re.search(r"[.。][。]|。\.(?!\d)", t)]
    assert not doubled, doubled  # a quoted message's own full stop, then the sentence's
