"""The views below the Activations page's first screen: each chart with a short explanation beside it."""

from __future__ import annotations

import streamlit as st
import torch
from torch import nn

from cnnviz.inspection import capture as act
from cnnviz.data import CLASSES
from cnnviz.figures import activations as figs
from cnnviz.i18n import N_
from cnnviz.ui import lang
from cnnviz.ui.activations.maps import GRID_WIDTH_PX, Shown, fit_grid
from cnnviz.ui.activations.state import Examples, memo
from cnnviz.ui.common import chart
from cnnviz.ui.lang import _

MAX_KERNEL_ROWS = 16  # input channels whose kernels are drawn; deeper layers have up to hundreds
STAGE_TEXT = {
    "convolution": N_("The convolution cross-correlates the input with each kernel and adds a bias: values of "
                      "either sign."),
    "batch norm": N_("Batch norm standardizes each channel with the training set's running mean and variance, "
                     "then scales and shifts it (d2l 8.5)."),
    "activation": N_("The activation applies the nonlinearity elementwise: the sigmoid squashes into (0, 1), "
                     "ReLU keeps the positive part."),
    "pooling": N_("Pooling mitigates the sensitivity of convolutional layers to location and spatially "
                  "downsamples the representation (d2l 7.5): each window becomes its maximum or average."),
    "dropout": N_("Dropout does nothing at test time: these are the maps of the stage before."),
    "block": N_("This is the output of the whole block (several convolutions inside)."),
}


def _explain(text: str):
    """A chart column and a narrower explanation column beside it; returns the chart column."""
    chart_column, note = st.columns([4, 1.2], gap="medium")
    note.caption(text)
    return chart_column


def grid_explanation(kind: str) -> str:
    return _("One row per image, one map per output channel. The book calls a convolutional layer's output a "
             "**feature map**: a learned representation in the spatial dimensions, handed to the next layer. "
             "{stage} Look for the parts of the image a channel responds to (a collar, a zip, the sleeves, a "
             "digit's stroke or the outline), and whether it does so for both classes. Click any map to enlarge "
             "it.").format(stage=_(STAGE_TEXT[kind]) if kind in STAGE_TEXT else "")


def _shown_names(names: tuple[str, ...]) -> list[str]:
    return [_(name) for name in names]


def predictions(examples: Examples, classes: list[int], probs: torch.Tensor, key: tuple) -> None:
    st.subheader(_("What the network predicts for these images"))
    column = _explain(_("The softmax of the network's outputs: how sure it is of each class. The dark grey bar "
                        "names the likeliest class outside the compared ones. Look for bars split between colours: "
                        "the classes the network confuses (for Fashion-MNIST, pullovers, coats and shirts)."))
    fig = memo("probabilities", (key, tuple(classes), lang.current()), lambda: figs.probability_bars(
        probs, examples.names, _shown_names(examples.class_names), classes, lang=lang.current()))
    with column:
        chart(fig, "act_probs")


def class_comparison(shown: Shown, labels: torch.Tensor, classes: list[int], shared: bool,
                     class_names: tuple[str, ...] = CLASSES) -> None:
    means = act.class_mean_maps(shown.maps[:, shown.channels], labels, classes)  # (K, shown C, h, w)
    named = _shown_names(class_names)
    first, second = named[classes[0]], named[classes[1]]
    st.subheader(_("Class means of {layer}, and {first} minus {second}").format(layer=shown.title, first=first,
                                                                               second=second))
    channel_labels = [str(c) for c in shown.channels]
    rows = [named[c] for c in classes]
    difference_row = f"{first} − {second}"
    label_px = figs.label_width([*rows, difference_row])  # the same margin: the two grids line up by channel
    cell = min(72, GRID_WIDTH_PX // max(len(shown.channels), 1))
    fig = figs.map_grid(means, rows, channel_labels, shared=shared, cell_px=cell, label_px=label_px,
                        width_px=GRID_WIDTH_PX, lang=lang.current())
    chart(fig, "act_means", width=fit_grid(fig, len(rows), len(channel_labels), cell))
    difference = act.mean_difference(means)[None]  # (1, shown C, h, w)
    fig = figs.map_grid(difference, [difference_row], channel_labels, shared=shared, diverging=True, cell_px=cell,
                        label_px=label_px, width_px=GRID_WIDTH_PX, lang=lang.current())
    chart(fig, "act_difference", width=fit_grid(fig, 1, len(channel_labels), cell))
    st.caption(_("Each row of the first grid averages a channel's map over all images of one class, so "
                 "single-image quirks fade and what the class has in common stays. The difference is red where the "
                 "first class activates the channel more, blue where the second does: where the layer tells them "
                 "apart."))


def channel_bars(shown: Shown, labels: torch.Tensor, classes: list[int],
                 class_names: tuple[str, ...] = CLASSES) -> None:
    maps = shown.maps
    per_image = act.channel_means(maps)  # (N, C)
    means = act.class_channel_means(maps, labels, classes)  # (K, C)
    errors = torch.stack([per_image[labels == c].std(dim=0, unbiased=len(per_image[labels == c]) > 1)
                          / len(per_image[labels == c]) ** 0.5 for c in classes])
    scores = act.channel_separation(maps, labels, classes)
    top = act.most_separating_channels(maps, labels, classes, top=min(3, maps.shape[1]))
    st.subheader(_("Which channels of {layer} separate the classes").format(layer=shown.title))
    best = _(", ").join(_("ch {channel} (ratio {ratio})").format(channel=c, ratio=f"{scores[c]:.1f}") for c in top)
    column = _explain(_(
        "Each channel's activation averaged over its map and over a class's images (error bars: standard "
        "error). ★ marks the channels whose between-class spread is largest compared with the spread "
        "inside each class (Fisher's ratio): here {best}. Those are the features that tell the classes apart."
    ).format(best=best))
    named = _shown_names(class_names)
    with column:
        chart(figs.channel_bars(means, [named[c] for c in classes], errors, top, lang=lang.current()), "act_bars")


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
    st.subheader(_("The kernels of {layer}: {outputs} output x {inputs} input channels, {kh}×{kw}").format(
        layer=shown.group, outputs=conv.out_channels, inputs=conv.in_channels, kh=k[0], kw=k[1])
        + (_(" (the first {count} inputs)").format(count=inputs) if inputs < conv.in_channels else ""))
    where = _("this layer") if module is conv else _("the block's first convolution")
    # Many input channels (16 rows for LeNet's conv2) get smaller kernels, so the grid stays one screen high.
    cell = min(56 if conv.in_channels <= 4 else 36, GRID_WIDTH_PX // max(len(channels), 1))
    fig = figs.kernel_grid(conv.weight[:, :inputs], shared=shared, channels=channels, cell_px=cell,
                           lang=lang.current())
    chart(fig, "act_kernels", width=fit_grid(fig, inputs, len(channels), cell))
    st.caption(_("The learned weights of {where}: one row per input channel, one column per output channel (the "
                 "same channels as the feature maps above). First-layer kernels act on pixels, so some look like "
                 "edge detectors, like the book's [1, −1] kernel that finds vertical edges (d2l 7.2).").format(
        where=where))
