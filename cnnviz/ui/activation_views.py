"""The views below the Activations page's first screen: each chart with a short explanation beside it."""

from __future__ import annotations

import streamlit as st
import torch
from torch import nn

from cnnviz import activations as act
from cnnviz.data import CLASSES
from cnnviz.figures import activations as figs
from cnnviz.ui.activation_maps import GRID_WIDTH_PX, Shown, fit_grid
from cnnviz.ui.activation_state import YOURS, Examples, memo
from cnnviz.ui.common import chart

MAX_KERNEL_ROWS = 16  # input channels whose kernels are drawn; deeper layers have up to hundreds
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
    chart_column, note = st.columns([4, 1.2], gap="medium")
    note.caption(text)
    return chart_column


def grid_explanation(kind: str) -> str:
    return ("One row per image, one map per output channel. The book calls a convolutional layer's output a "
            "**feature map**: a learned representation in the spatial dimensions, handed to the next layer. "
            f"{STAGE_TEXT.get(kind, '')} Look for channels that respond to the collar, the zip, the sleeves or "
            "the outline, and whether they do so for both classes. Click any map to enlarge it.")


def predictions(examples: Examples, classes: list[int], probs: torch.Tensor, key: tuple) -> None:
    st.subheader("What the network predicts for these images")
    column = _explain("The softmax of the network's outputs: how sure it is of each class. The dark grey bar names "
                      "the likeliest class outside the compared ones. Pullovers, coats and shirts are the classes "
                      "LeNet confuses most: look for bars split between colours.")
    fig = memo("probabilities", (key, tuple(classes)), lambda: figs.probability_bars(
        probs, examples.names, CLASSES, classes))
    with column:
        chart(fig, "act_probs")


def class_comparison(shown: Shown, labels: torch.Tensor, classes: list[int], shared: bool) -> None:
    means = act.class_mean_maps(shown.maps[:, shown.channels], labels, classes)  # (K, shown C, h, w)
    first, second = CLASSES[classes[0]], CLASSES[classes[1]]
    st.subheader(f"Class means of {shown.title}, and {first} minus {second}")
    channel_labels = [str(c + 1) for c in shown.channels]
    rows = [CLASSES[c] for c in classes]
    difference_row = f"{first} − {second}"
    label_px = figs.label_width([*rows, difference_row])  # the same margin: the two grids line up by channel
    cell = min(72, GRID_WIDTH_PX // max(len(shown.channels), 1))
    fig = figs.map_grid(means, rows, channel_labels, shared=shared, cell_px=cell, label_px=label_px,
                        width_px=GRID_WIDTH_PX)
    chart(fig, "act_means", width=fit_grid(fig, len(rows), len(channel_labels), cell))
    difference = act.mean_difference(means)[None]  # (1, shown C, h, w)
    fig = figs.map_grid(difference, [difference_row], channel_labels, shared=shared, diverging=True, cell_px=cell,
                        label_px=label_px, width_px=GRID_WIDTH_PX)
    chart(fig, "act_difference", width=fit_grid(fig, 1, len(channel_labels), cell))
    st.caption("Each row of the first grid averages a channel's map over all images of one class, so single-image "
               "quirks fade and what the class has in common stays. The difference is red where the first class "
               "activates the channel more, blue where the second does: where the layer tells them apart.")


def channel_bars(shown: Shown, labels: torch.Tensor, classes: list[int]) -> None:
    maps = shown.maps
    per_image = act.channel_means(maps)  # (N, C)
    means = act.class_channel_means(maps, labels, classes)  # (K, C)
    errors = torch.stack([per_image[labels == c].std(dim=0, unbiased=len(per_image[labels == c]) > 1)
                          / len(per_image[labels == c]) ** 0.5 for c in classes])
    scores = act.channel_separation(maps, labels, classes)
    top = act.most_separating_channels(maps, labels, classes, top=min(3, maps.shape[1]))
    st.subheader(f"Which channels of {shown.title} separate the classes")
    best = ", ".join(f"ch {c + 1} (ratio {scores[c]:.1f})" for c in top)
    column = _explain(
        "Each channel's activation averaged over its map and over a class's images (error bars: standard "
        "error). ★ marks the channels whose between-class spread is largest compared with the spread "
        f"inside each class (Fisher's ratio): here {best}. Those are the features that tell the classes apart."
    )
    with column:
        chart(figs.channel_bars(means, [CLASSES[c] for c in classes], errors, top), "act_bars")


def kernels(model: nn.Module, shown: Shown, shared: bool) -> None:
    module = dict(model.named_children())[shown.group]
    conv = act.first_conv(module)
    if conv is None:
        return
    k = conv.kernel_size
    channels = [c for c in shown.channels if c < conv.out_channels]
    if not channels:  # a block whose first convolution has fewer channels than the block's output
        return
    inputs = min(conv.in_channels, MAX_KERNEL_ROWS)
    st.subheader(f"The kernels of {shown.group}: {conv.out_channels} output x {conv.in_channels} input "
                 f"channels, {k[0]}x{k[1]}" + (f" (the first {inputs} inputs)" if inputs < conv.in_channels else ""))
    where = "this layer" if module is conv else "the block's first convolution"
    # Many input channels (16 rows for LeNet's conv2) get smaller kernels, so the grid stays one screen high.
    cell = min(56 if conv.in_channels <= 4 else 36, GRID_WIDTH_PX // max(len(channels), 1))
    fig = figs.kernel_grid(conv.weight[:, :inputs], shared=shared, channels=channels, cell_px=cell)
    chart(fig, "act_kernels", width=fit_grid(fig, inputs, len(channels), cell))
    st.caption(f"The learned weights of {where}: one row per input channel, one column per output channel (the "
               "same channels as the feature maps above). First-layer kernels act on pixels, so some look like "
               "edge detectors, like the book's [1, −1] kernel that finds vertical edges (d2l 7.2).")


def saliency(model: nn.Module, examples: Examples, inputs: torch.Tensor, probs: torch.Tensor, stage: str,
             key: tuple) -> None:
    """inputs: the images as the model takes them (see activation_state.model_inputs); key: examples_key."""
    st.subheader("Saliency: which pixels the decision rests on")
    controls, picture, note = st.columns([1, 2.6, 1.1], gap="medium")
    index = controls.selectbox("Image", range(len(examples.names)), format_func=examples.names.__getitem__,
                               key="act_sal_image")
    label = int(examples.labels[index])
    default = label if label != YOURS else int(probs[index].argmax())
    target = controls.selectbox("Explain the score of", range(len(CLASSES)), index=default,
                                format_func=CLASSES.__getitem__, key=f"act_sal_target_{index}")
    methods = [f"Grad-CAM at {stage}", "input gradient"]
    method = controls.radio("Method", methods, key="act_sal_method")
    def explain():  # a backward pass through a 224x224 network takes a second on a CPU: once per choice
        if method == methods[1]:
            return act.input_gradient(model, inputs[index], target)
        return act.grad_cam(model, inputs[index], target, stage)

    result = memo("saliency", (key, index, target, method), explain)
    heat = result.map  # (S, S): the side the network sees, 28 unless it takes resized images
    title = f"{examples.names[index]}: P({CLASSES[target]}) = {probs[index, target]:.2f}"
    with picture:  # on the image as the network saw it, so each pixel's saliency is that pixel's
        chart(figs.saliency_overlay(inputs[index], heat.clamp(0, 1), title), "act_saliency")
    note.caption(
        "Input gradient: how much the class score changes per pixel, |∂score/∂pixel|. Grad-CAM "
        "(Selvaraju et al., 2017) weighs the chosen stage's channels by the gradient of the class score and "
        "keeps the positive evidence, scaled up to the input's size. An all-clear map means no positive "
        "evidence at this stage: try another stage or the input gradient."
    )
