"""The Activations page's attribution section: which pixels a decision rests on, by four captum methods, for
the predicted class and for another class the student picks."""

from __future__ import annotations

import streamlit as st
import torch
from torch import nn

from cnnviz.inspection import attribution
from cnnviz.errors import CnnvizError
from cnnviz.figures import attribution as figs
from cnnviz.i18n import N_, gettext
from cnnviz.ui import lang
from cnnviz.ui.activations.state import YOURS, Examples
from cnnviz.ui.common import chart, keep_valid, show_error
from cnnviz.ui.lang import _

MEMO = "act_attr_memo"  # session state: {(examples key, image, class, method, layer): Attribution or error}
MEMO_SIZE = 64  # eight maps per view: the last few images and classes stay instant
CAPTIONS = {
    "saliency": N_("**Saliency**: how strongly the class score reacts to each pixel, |∂score/∂pixel|, "
                   "at this very image."),
    "integrated gradients": N_("**Integrated Gradients**: the gradient averaged on the way from a black image "
                               "to this one, times the pixel; the maps add up to the score's change (red for "
                               "the class, blue against)."),
    "occlusion": N_("**Occlusion**: how much the score drops when a small square around the pixel is blacked "
                    "out (red: hiding it hurts the class, blue: it helps)."),
    "grad-cam": N_("**Grad-CAM**: the chosen convolution's feature maps, each weighted by its mean gradient, "
                   "positive part only: where that layer saw evidence, coarse as its maps."),
}


def layer_options(model: nn.Module) -> list[str]:
    """The layers offered to Grad-CAM: the model's convolutions (and blocks of them)."""
    return attribution.conv_layers(model)


def _other_default(probs: torch.Tensor, labels: torch.Tensor, label: int, predicted: int) -> int:
    """The true class when the network got it wrong, else the likeliest of the other compared classes (a
    pullover's coat), else the runner-up: the pair a teacher would compare."""
    if label not in (YOURS, predicted):
        return label
    compared = [c for c in labels.unique().tolist() if c not in (YOURS, predicted)]
    if compared:
        return max(compared, key=lambda c: float(probs[c]))
    return int(probs.argsort(descending=True)[1])


def _controls(model, examples: Examples, probs: torch.Tensor) -> tuple[int, int, int, str | None]:
    """The widgets: which image, which other class, which layer for Grad-CAM."""
    image_col, other_col, layer_col = st.columns(3, gap="medium")
    index = image_col.selectbox(_("Image"), range(len(examples.names)), format_func=examples.names.__getitem__,
                                key="act_attr_image")
    predicted = int(probs[index].argmax())
    others = [c for c in range(len(probs[index])) if c != predicted]
    key = f"act_attr_other_{index}"  # each image keeps its own choice, defaulting to its own pair
    keep_valid(key, others, _other_default(probs[index], examples.labels, int(examples.labels[index]), predicted))
    reader, names = lang.current(), examples.class_names
    other = other_col.selectbox(_("Compare with class"), others, key=key,
                                format_func=lambda c: gettext(reader, names[c]))
    options = layer_options(model)
    layer = None
    if options:
        # The last convolution by default: Grad-CAM's usual layer, its maps the most class-specific.
        keep_valid("act_attr_layer", options, options[-1])
        layer = layer_col.selectbox(_("Layer for Grad-CAM"), options, key="act_attr_layer",
                                    help=_("Grad-CAM weighs a convolution's feature maps: the last one sees "
                                           "the most, the first ones are sharper."))
    return index, predicted, other, layer


def _explained(model, inputs: torch.Tensor, memo_key: tuple, target: int, layer: str | None,
               methods: list[str]) -> dict:
    """{method: Attribution or CnnvizError} for one image and class, each computed once per session."""
    cache = st.session_state.setdefault(MEMO, {})
    results = {}
    for method in methods:
        key = (*memo_key, target, method, layer if method == "grad-cam" else None)
        if key not in cache:
            try:
                cache[key] = attribution.attribute(model, inputs, method, target, layer=layer)
            except CnnvizError as exc:  # kept too: the same choice shows the same message at once
                cache[key] = exc
            while len(cache) > MEMO_SIZE:
                cache.pop(next(iter(cache)))  # oldest first
        results[method] = cache[key]
    return results


def _methods(side: int) -> list[str]:
    """All four for a 28x28 network; for the book's 96 and 224 ones, IG and Occlusion only when asked (their
    dozens of forward passes take a minute there on a CPU)."""
    if side <= attribution.OVERLAP_UP_TO:
        return list(attribution.METHODS)
    slow = st.toggle(_("Integrated Gradients and Occlusion too"), key="act_attr_slow",
                     help=_("Each runs the network dozens of times: about a minute for a 224×224 network on a "
                            "CPU, once per image and class."))
    return list(attribution.METHODS) if slow else [m for m in attribution.METHODS
                                                    if m not in attribution.MANY_PASSES]


def _cell(result) -> torch.Tensor | str:
    """A map for the figure, or the note its cell shows instead."""
    if result is None:
        return _("not computed: switch on “Integrated Gradients and Occlusion too”")
    if isinstance(result, CnnvizError):
        return _("does not apply: see the message above")
    return result.map


def _row_label(kind: str, name: str, p: float) -> str:
    return _(kind).format(name=name, p=f"{p:.2f}")


def show(model: nn.Module, examples: Examples, inputs: torch.Tensor, probs: torch.Tensor, stage: str,
         key: tuple) -> None:
    """inputs: the images as the model takes them (activation_state.model_inputs); key: examples_key.
    stage: the page's layer, unused (the arguments of the saliency view this replaces): Grad-CAM has its own
    layer box, since the page's stage may be a pooling or linear layer."""
    st.subheader(_("Attribution: which pixels the decision rests on"))
    index, predicted, other, layer = _controls(model, examples, probs)
    reader, names = lang.current(), examples.class_names
    methods = _methods(inputs.shape[-1])
    with st.spinner(_("Explaining the two classes…")):
        rows = [(target, _explained(model, inputs[index], (key, index), target, layer, methods))
                for target in (predicted, other)]
    errors = {str(r): r for _target, results in rows for r in results.values() if isinstance(r, CnnvizError)}
    for error in errors.values():  # once each, though both rows fail alike
        show_error(error)
    labels = (N_("predicted:<br><b>{name}</b><br>P = {p}"), N_("other class:<br><b>{name}</b><br>P = {p}"))
    figure_rows = [(_row_label(text, gettext(reader, names[target]), float(probs[index, target])),
                    {m: _cell(results.get(m)) for m in attribution.METHODS})
                   for text, (target, results) in zip(labels, rows)]
    chart(figs.attribution_grid(inputs[index], figure_rows, layer, lang=reader), "act_attribution")
    first, *captions = st.columns([1, 1, 1, 1, 1], gap="small")
    first.caption(_("Each map explains the score of its row's class for this image, at the size the network "
                    "sees it; hover a pixel for its value. Integrated Gradients and Occlusion share one colour "
                    "scale down each column, the others use each map's own."))
    for column, method in zip(captions, attribution.METHODS):
        column.caption(_(CAPTIONS[method]))
