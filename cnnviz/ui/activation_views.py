"""The views of the Activations page: each chart with a short explanation beside it, in the book's words."""

from __future__ import annotations

import streamlit as st
import torch
from torch import nn

from cnnviz import activations as act
from cnnviz.data import CLASSES
from cnnviz.figures import activations as figs
from cnnviz.ui.activation_state import YOURS, Examples, memo
from cnnviz.ui.common import keep_valid

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
STAGE_TEXT = {
    "convolution": "The convolution cross-correlates the input with each kernel and adds a bias: values of "
                   "either sign.",
    "batch norm": "Batch norm standardizes each channel with the training set's running mean and variance, "
                  "then scales and shifts it (d2l 8.5).",
    "activation": "The activation applies the nonlinearity elementwise: the sigmoid squashes into (0, 1), "
                  "ReLU keeps the positive part.",
    "pooling": "Pooling mitigates the sensitivity of convolutional layers to location and spatially "
               "downsamples the representation (d2l 7.5): each window becomes its maximum or average.",
    "dropout": "Dropout does nothing at test time: these are the maps of the stage before.",
    "block": "This is the output of the whole block (several convolutions inside).",
}


def _explain(text: str):
    """A chart column and a narrower explanation column beside it; returns the chart column."""
    chart, note = st.columns([4, 1.2], gap="medium")
    note.caption(text)
    return chart


def spatial_groups(model: nn.Module, captured: dict[str, torch.Tensor]) -> list[list[tuple[str, str]]]:
    """The stage groups whose layers output maps (N, C, h, w): the ones a grid of maps can show."""
    return [g for g in act.stage_groups(model) if captured[g[0][0]].dim() == 4]


def _group_label(group: list[tuple[str, str]], index: int) -> str:
    name, kind = group[0]
    what = f"{ORDINALS[index]} {'convolution' if kind == 'convolution' else 'block'}" if index < 10 else kind
    return f"{name}: {what}"


def layer_ui(groups: list[list[tuple[str, str]]]) -> list[tuple[str, str]]:
    labels = [_group_label(g, i) for i, g in enumerate(groups)]
    keep_valid("act_layer", labels, labels[0])  # another model, or the first visit
    choice = st.selectbox("Layer", labels, key="act_layer",
                          help="LeNet has two convolutional layers; deeper presets have more.")
    return groups[labels.index(choice)]


def stage_ui(group: list[tuple[str, str]]) -> tuple[str, str]:
    """The stage radio (after the convolution, the activation, the pooling, ...); returns (name, kind)."""
    kinds = [kind for _, kind in group]
    # Kinds, not names, as options: switching layer keeps "activation" chosen.
    keep_valid("act_stage", kinds, "activation" if "activation" in kinds else kinds[0])
    kind = st.radio("Stage: the output after the ...", kinds, horizontal=True, key="act_stage")
    return group[kinds.index(kind)][0], kind


def inputs_and_probabilities(examples: Examples, classes: list[int], probs: torch.Tensor, key: tuple) -> None:
    st.subheader("Inputs and predictions")
    left, right = st.columns([1, 1], gap="large")
    per_row = max(int((examples.labels == classes[0]).sum()), 1)
    row_labels = [CLASSES[c] for c in classes] + (["yours"] if (examples.labels == YOURS).any() else [])
    inputs = memo("inputs", (key, tuple(classes)), lambda: figs.image_grid(
        _rows_by_group(examples, classes, per_row), row_labels, per_row))
    probabilities = memo("probabilities", (key, tuple(classes)), lambda: figs.probability_bars(
        probs, examples.names, CLASSES, classes))
    left.plotly_chart(inputs, width="stretch", key="act_inputs")
    left.caption("Fashion-MNIST test images the network never saw while training (yours last, made 28x28 "
                 "grayscale, light on dark like the dataset).")
    right.plotly_chart(probabilities, width="stretch", key="act_probs")
    right.caption("The softmax of the network's outputs: how sure it is of each class. Pullovers, coats and "
                  "shirts are the classes LeNet confuses most: look for bars split between colours.")


def _rows_by_group(examples: Examples, classes: list[int], per_row: int) -> torch.Tensor:
    """The images with each class (and the student's own) starting a new row: (rows * per_row, 28, 28)."""
    rows = []
    for label in [*classes, YOURS]:
        group = examples.images[examples.labels == label]
        for start in range(0, len(group), per_row):
            row = torch.zeros(per_row, 28, 28, dtype=torch.uint8)
            row[: len(group[start:start + per_row])] = group[start:start + per_row]
            rows.append(row)
    return torch.cat(rows)


def activation_grid(maps: torch.Tensor, names: list[str], stage: str, kind: str, shared: bool) -> None:
    st.subheader(f"Each image's feature maps: {stage}, {maps.shape[1]} channels of {maps.shape[2]}x{maps.shape[3]}")
    chart = _explain(
        "One row per image, one small map per output channel. The book calls a convolutional layer's output "
        "a **feature map**: a learned representation in the spatial dimensions, handed to the next layer. "
        f"{STAGE_TEXT.get(kind, '')} Look for channels that respond to the collar, the "
        "zip, the sleeves or the outline, and whether they do so for both classes."
    )
    chart.plotly_chart(figs.map_grid(maps, names, shared=shared, cell_px=56), width="stretch", key="act_grid")


def class_comparison(maps: torch.Tensor, labels: torch.Tensor, classes: list[int], stage: str, shared: bool) -> None:
    means = act.class_mean_maps(maps, labels, classes)  # (K, C, h, w)
    first, second = CLASSES[classes[0]], CLASSES[classes[1]]
    st.subheader(f"Class means side by side, and {first} minus {second}")
    chart = _explain(
        "Each row averages a channel's map over all images of one class, so single-image quirks fade and "
        "what the class has in common stays. The difference map is red where the first class activates "
        "the channel more, blue where the second does: the places where the layer tells them apart."
    )
    chart.plotly_chart(figs.map_grid(means, [CLASSES[c] for c in classes], shared=shared, cell_px=64),
                       width="stretch", key="act_means")
    difference = act.mean_difference(means)[None]  # (1, C, h, w)
    chart.plotly_chart(figs.map_grid(difference, [f"{first} − {second}"], shared=shared, diverging=True,
                                     cell_px=64), width="stretch", key="act_difference")


def channel_bars(maps: torch.Tensor, labels: torch.Tensor, classes: list[int], stage: str) -> None:
    per_image = act.channel_means(maps)  # (N, C)
    means = act.class_channel_means(maps, labels, classes)  # (K, C)
    errors = torch.stack([per_image[labels == c].std(dim=0, unbiased=len(per_image[labels == c]) > 1)
                          / len(per_image[labels == c]) ** 0.5 for c in classes])
    scores = act.channel_separation(maps, labels, classes)
    top = act.most_separating_channels(maps, labels, classes, top=min(3, maps.shape[1]))
    st.subheader("Which channels separate the classes")
    best = ", ".join(f"ch {c + 1} (ratio {scores[c]:.1f})" for c in top)
    chart = _explain(
        "Each channel's activation averaged over its map and over a class's images (error bars: standard "
        "error). ★ marks the channels whose between-class spread is largest compared with the spread "
        f"inside each class (Fisher's ratio): here {best}. Those are the features that tell the classes apart."
    )
    figure = figs.channel_bars(means, [CLASSES[c] for c in classes], errors, top)
    chart.plotly_chart(figure, width="stretch", key="act_bars")


def kernels(model: nn.Module, group: list[tuple[str, str]], shared: bool) -> None:
    name = group[0][0]
    module = dict(model.named_children())[name]
    conv = act.first_conv(module)
    if conv is None:
        return
    k = conv.kernel_size
    st.subheader(f"The kernels of {name}: {conv.out_channels} output x {conv.in_channels} input channels, "
                 f"{k[0]}x{k[1]}")
    where = "this layer" if module is conv else "the block's first convolution"
    chart = _explain(
        f"The learned weights of {where}: one row per input channel, one column per output channel (the "
        "same columns as the feature maps above). First-layer kernels act on pixels, so some look like "
        "edge detectors, like the book's [1, −1] kernel that finds vertical edges (d2l 7.2)."
    )
    chart.plotly_chart(figs.kernel_grid(conv.weight, shared=shared), width="stretch", key="act_kernels")


def saliency(model: nn.Module, examples: Examples, probs: torch.Tensor, stage: str) -> None:
    st.subheader("Saliency: which pixels the decision rests on")
    controls, chart, note = st.columns([1, 2, 1.2], gap="medium")
    index = controls.selectbox("Image", range(len(examples.names)), format_func=examples.names.__getitem__,
                               key="act_sal_image")
    label = int(examples.labels[index])
    default = label if label != YOURS else int(probs[index].argmax())
    target = controls.selectbox("Explain the score of", range(len(CLASSES)), index=default,
                                format_func=CLASSES.__getitem__, key=f"act_sal_target_{index}")
    methods = [f"Grad-CAM at {stage}", "input gradient"]
    method = controls.radio("Method", methods, key="act_sal_method")
    if method == methods[1]:
        result = act.input_gradient(model, examples.images[index], target)
    else:
        result = act.grad_cam(model, examples.images[index], target, stage)
    title = f"{examples.names[index]}: P({CLASSES[target]}) = {probs[index, target]:.2f}"
    chart.plotly_chart(figs.saliency_overlay(examples.images[index], result.map, title), width="stretch",
                       key="act_saliency")
    note.caption(
        "Input gradient: how much the class score changes per pixel, |∂score/∂pixel|. Grad-CAM "
        "(Selvaraju et al., 2017) weighs the chosen stage's channels by the gradient of the class score and "
        "keeps the positive evidence, scaled up to 28x28. An all-clear map means no positive evidence at "
        "this stage: try another stage or the input gradient."
    )
