"""The first screen of the Activations page: which layer, stage and channels, the grid of feature maps,
and a click on any map to see it enlarged (large enough to read from the back of a room)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
import torch
from torch import nn

from cnnviz.inspection import capture as act
from cnnviz.figures import activation_outline as outline
from cnnviz.figures import activations as figs
from cnnviz.ui.activations import receptive
from cnnviz.ui.activations import url as act_url
from cnnviz.i18n import N_
from cnnviz.ui import lang
from cnnviz.ui.common import chart, keep_valid, presenting
from cnnviz.ui.lang import _
from cnnviz.ui import lesson

PER_PAGE = 8  # channels per page when a layer has more than fit (LeNet's second layer has 16 or 32)
MOST = f"the {PER_PAGE} that separate the classes most"  # an option's value; shown through MOST_SHOWN
MOST_SHOWN = N_("the {count} that separate the classes most")
ZOOM_KEY, ZOOM_OPEN_KEY = "act_zoom", "act_zoom_open"  # the clicked map (row, channel), and "open it now"
GRID_WIDTH_PX = 580  # the main area's width at 1280 px (sidebar open), less row labels and colour bar
GRID_HEIGHT_PX = 330  # what the first screen at 720 px high leaves for the maps themselves
GRID_MARGINS_PX = (38, 12)  # above the maps (the channel numbers, whole: 30 px cut their tops) and below them
PRESENTER_TEXT_PX = 40  # how much taller presenter mode's text makes the controls and captions above the grid
COLOUR_BAR_PX = 100  # right of the maps: the colour bar, its numbers and title
MIN_PLOT_PX = 160  # a one-row grid still needs this much height for a readable colour bar
ORDINALS = (N_("first"), N_("second"), N_("third"), N_("fourth"), N_("fifth"), N_("sixth"), N_("seventh"),
            N_("eighth"), N_("ninth"), N_("tenth"))
# A stage's kind (activations.layer_kind) as the box shows it, and after "conv2 after ..." in titles.
KINDS = {"convolution": N_("convolution"), "batch norm": N_("batch norm"), "activation": N_("activation"),
         "pooling": N_("pooling"), "dropout": N_("dropout"), "block": N_("block"), "flatten": N_("flatten"),
         "linear": N_("linear")}
STAGE_WORDS = {"convolution": N_("the convolution"), "batch norm": N_("batch norm"),
               "activation": N_("the activation"), "pooling": N_("pooling"), "dropout": N_("dropout"),
               "block": N_("the block")}


@dataclass(frozen=True)
class Shown:
    """What the grid shows: a stage's maps (N, C, h, w) and the channels (0-based) picked from them."""

    stage: str  # the layer's name, e.g. "act2"
    kind: str  # "activation", "pooling", ...
    group: str  # the convolution or block that starts the stage group, e.g. "conv2"
    maps: torch.Tensor  # (N, C, h, w), every channel
    channels: list[int]

    @property
    def title(self) -> str:
        """Names the layer: 'conv2 after the activation (act2)', or 'conv2, the convolution's output'."""
        if self.stage == self.group:
            return _("{group}, the {kind}'s output").format(group=self.group, kind=_(KINDS.get(self.kind, self.kind)))
        return _("{group} after {stage_word} ({stage})").format(
            group=self.group, stage_word=_(STAGE_WORDS.get(self.kind, self.kind)), stage=self.stage)

    def described(self) -> str:
        _n, count, h, w = self.maps.shape
        first, last = self.channels[0], self.channels[-1]
        if len(self.channels) == count:
            which = _("all {count} channels").format(count=count)
        elif last - first + 1 == len(self.channels):  # a page of consecutive channels
            which = _("channels {first}–{last} of {count}").format(first=first, last=last, count=count)
        else:
            which = _("channels {list} of {count}").format(list=", ".join(str(c) for c in self.channels),
                                                          count=count)
        return _("**{title}**: {which}, each {h}×{w}").format(title=self.title, which=which, h=h, w=w)


def heading(shown: Shown, spec, trained: bool = True) -> str:
    """The line above the grid: the layer, the channels, and the outlined unit when one is selected (so the
    first screen says what the cyan boxes are), or that the weights are random."""
    unit = receptive.selected(spec, shown.stage, *shown.maps.shape[-2:])
    if unit is not None:
        tail = _("cyan: what unit {unit} sees").format(unit=unit.unit)
    else:
        tail = _("one row per image") if trained else _("untrained: the maps mean nothing yet")
    return _("{described}, {tail}").format(described=shown.described(), tail=tail)


def spatial_groups(model: nn.Module, captured: dict[str, torch.Tensor]) -> list[list[tuple[str, str]]]:
    """The stage groups whose layers output maps (N, C, h, w): the ones a grid of maps can show."""
    return [g for g in act.stage_groups(model) if captured[g[0][0]].dim() == 4]


def _group_label(group: list[tuple[str, str]], index: int) -> str:
    """The layer box's value (English, stable in links): "conv2: second convolution"."""
    name, kind = group[0]
    what = f"{ORDINALS[index]} {'convolution' if kind == 'convolution' else 'block'}" if index < 10 else kind
    return f"{name}: {what}"


def _group_shown(group: list[tuple[str, str]], index: int) -> str:
    """The same label in the reader's language."""
    name, kind = group[0]
    if index >= 10:
        return _("{name}: {kind}").format(name=name, kind=_(KINDS.get(kind, kind)))
    template = _("{ordinal} convolution") if kind == "convolution" else _("{ordinal} block")
    return _("{name}: {kind}").format(name=name, kind=template.format(ordinal=_(ORDINALS[index])))


def _layer_word(label: str) -> str:
    """The layer's name in links: 'conv2: second convolution' -> 'conv2'."""
    return label.split(":")[0]


def _channels_word(option: str) -> str:
    """The channel choice in links: 'all 16' -> 'all', '8–15' -> '8-15', the most separating -> 'most'."""
    return "most" if option == MOST else "all" if option.startswith("all") else option.replace("–", "-")


def layer_ui(groups: list[list[tuple[str, str]]]) -> list[tuple[str, str]]:
    labels = [_group_label(g, i) for i, g in enumerate(groups)]
    if linked := act_url.wanted(act_url.LAYER, labels, _layer_word):
        st.session_state["act_layer"] = linked
    keep_valid("act_layer", labels, labels[0])  # another model, or the first visit
    shown = dict(zip(labels, (_group_shown(g, i) for i, g in enumerate(groups))))
    choice = lesson.widget(st.selectbox, _("Layer"), labels, key="act_layer", format_func=shown.__getitem__,
                           help=_("LeNet has two convolutional layers; deeper presets have more."))
    act_url.shown(act_url.LAYER, None if choice == labels[0] else _layer_word(choice))
    return groups[labels.index(choice)]


def stage_ui(group: list[tuple[str, str]]) -> tuple[str, str]:
    """The stage box (after the convolution, the activation, the pooling, ...); returns (name, kind)."""
    kinds = [kind for _, kind in group]
    # Kinds, not names, as options: switching layer keeps "activation" chosen.
    keep_valid("act_stage", kinds, "activation" if "activation" in kinds else kinds[0])
    shown = {kind: _(KINDS.get(kind, kind)) for kind in kinds}
    kind = lesson.widget(st.selectbox, _("Stage"), kinds, key="act_stage", format_func=shown.__getitem__,
                         help=_("The output after each stage of the layer, in forward order: the convolution, then "
                                "batch norm, the activation and pooling where the model has them."))
    return group[kinds.index(kind)][0], kind


def channel_options(count: int) -> list[str]:
    """'all 16', pages of 8 ('0–7', '8–15', ...: PyTorch's channel indices) and the most separating 8 when there
    are more than 8."""
    options = [f"all {count}"] if count <= 4 * PER_PAGE else []
    if count > PER_PAGE:
        options += [f"{start}–{min(start + PER_PAGE, count) - 1}" for start in range(0, count, PER_PAGE)]
        options.append(MOST)
    return options


def _channels_shown():
    """The channel box's format_func: 'all 16' -> '全部 16 个' in zh; pages of channels are numbers already."""
    most, every = _(MOST_SHOWN).format(count=PER_PAGE), _("all {count}")

    def shown(option: str) -> str:
        if option == MOST:
            return most
        return every.format(count=option.split()[1]) if option.startswith("all") else option
    return shown


def channels_ui(maps: torch.Tensor, labels: torch.Tensor, classes: list[int]) -> list[int]:
    """The channel pager: which channels (0-based) the grids and kernels show."""
    count = maps.shape[1]
    options = channel_options(count)
    # Up to 16 channels fit the first screen at once; more are paged, 8 at a time, so no tile is tiny.
    # Beyond 32 channels there is no "all" option: the first page is options[0] then.
    first_page = options[1] if options[0].startswith("all") and count > 2 * PER_PAGE else options[0]
    if linked := act_url.wanted(act_url.CHANNELS, options, _channels_word):
        st.session_state["act_channels"] = linked
    keep_valid("act_channels", options, first_page)
    choice = lesson.widget(st.selectbox, _("Channels"), options, key="act_channels", format_func=_channels_shown(),
                           help=_("Pick a page of channels to see them larger, or the ones whose mean activation "
                                  "differs most between the classes (Fisher's ratio). Channels, rows and columns "
                                  "are numbered as PyTorch indexes them, from 0."))
    act_url.shown(act_url.CHANNELS, None if choice == first_page else _channels_word(choice))
    if choice == MOST:
        return sorted(act.most_separating_channels(maps, labels, classes, top=PER_PAGE))
    if choice.startswith("all"):
        return list(range(count))
    first, last = (int(n) for n in choice.split("–"))
    return list(range(first, last + 1))


def grid_cell_px(rows: int, cols: int) -> int:
    """A map's side so the whole grid fits the first screen of a 1280x720 projector."""
    # Presenter mode's larger text above the grid leaves it less height.
    height = GRID_HEIGHT_PX - (PRESENTER_TEXT_PX if presenting() else 0)
    return int(min(96, GRID_WIDTH_PX // max(cols, 1), height // max(rows, 1)))


def _on_grid_click() -> None:
    """A click on a map of the grid opens it enlarged (the dialog is drawn by `zoom_dialog`)."""
    points = st.session_state.get("act_grid", {}).get("selection", {}).get("points", [])
    target = st.session_state.get("act_grid_tiles")  # (h, w, channels shown) of the grid clicked
    if points and target:
        h, w, channels = target
        row, col = figs.clicked_tile(points[0], h, w)
        if 0 <= col < len(channels):
            st.session_state[ZOOM_KEY] = (row, channels[col])
            st.session_state[ZOOM_OPEN_KEY] = True


def feature_grid(shown: Shown, inputs: torch.Tensor, names: list[str], shared: bool, spec) -> None:
    """Every input as the network sees it ((N, 28, 28) uint8, or (N, 1, S, S) resized) beside its maps of the
    shown channels, with the selected unit's receptive field outlined; a click on a map enlarges it."""
    maps = shown.maps[:, shown.channels]  # (N, K, h, w)
    rows, cols, h, w = maps.shape
    st.session_state["act_grid_tiles"] = (h, w, list(shown.channels))
    cell = grid_cell_px(rows, cols + 1)  # the input image takes one more column
    fig = figs.map_grid(maps, names, [str(c) for c in shown.channels], shared=shared, cell_px=cell,
                        width_px=GRID_WIDTH_PX, label_px=None, clickable=True,
                        zrange=_shared_range(shown.maps) if shared else None, lang=lang.current())
    figs.add_input_column(fig, inputs, h, w, lang=lang.current())
    unit = receptive.selected(spec, shown.stage, h, w)
    if unit is not None:
        outline.outline_inputs(fig, unit, rows, h, w)
    width = fit_grid(fig, rows, cols + 1, cell)
    chart(fig, "act_grid", on_select=_on_grid_click, selection_mode="points", width=width)
    receptive.caption(unit)


def fit_grid(fig, rows: int, cols: int, cell: int) -> int:
    """Sizes a `map_grid` figure to exactly its maps (cell px each) plus labels and colour bar; returns the
    width to draw it at. Grids fitted alike line up channel by channel when stacked."""
    top, bottom = GRID_MARGINS_PX
    # automargin off: Plotly would grow the top margin past the channel numbers and shrink the maps.
    fig.update_layout(height=top + max(rows * cell, MIN_PLOT_PX) + bottom, xaxis_title=None, margin_t=top,
                      margin_b=bottom, xaxis_automargin=False, yaxis_automargin=False)
    # As wide as the maps need: the colour bar stays beside them when the height limits the maps' size.
    return int(fig.layout.margin.l + cols * cell + COLOUR_BAR_PX)


def _shared_range(maps: torch.Tensor) -> tuple[float, float]:
    """One colour range for every channel of the stage (not only the page shown), so pages compare."""
    values = maps.detach().float().cpu().numpy()
    return figs.robust_range(values, bool(values.min() < 0))


def zoom_dialog(shown: Shown, inputs: torch.Tensor, names: list[str], shared: bool, spec) -> None:
    """The clicked map, large, with the input image (as the network sees it) beside it; opened once per
    click, and again after a click on one of its units."""
    if not st.session_state.pop(ZOOM_OPEN_KEY, False):
        return
    row, channel = st.session_state.get(ZOOM_KEY, (0, shown.channels[0]))
    if not (0 <= row < shown.maps.shape[0] and 0 <= channel < shown.maps.shape[1]):
        return  # the click was on another batch or layer
    title = _("{image} · channel {channel} of {layer}").format(image=names[row], channel=channel,
                                                               layer=shown.title)
    st.dialog(title, width="large")(_zoom_body)(shown, inputs[row], row, channel, shared, spec)


def _zoom_body(shown: Shown, image: torch.Tensor, row: int, channel: int, shared: bool, spec) -> None:
    receptive.rerun_if_clicked()
    values = shown.maps[row, channel]  # (h, w)
    unit = receptive.selected(spec, shown.stage, *values.shape)
    picture, enlarged = st.columns([1, 1.6], gap="medium")
    with picture:
        pixels = image.reshape(-1, *image.shape[-2:])  # (1, S, S)
        picture_fig = figs.image_grid(pixels, [""], 1, lang=lang.current())
        picture_fig.update_layout(height=300, margin_l=10, xaxis_visible=False)
        if unit is not None:
            outline.outline_image(picture_fig, unit)
        chart(picture_fig, "act_zoom_input")
        st.caption(_("The input image as the network sees it ({h}×{w}).").format(h=pixels.shape[-2],
                                                                                w=pixels.shape[-1])
                   + (_(" Outlined in cyan: {field}.").format(field=unit.caption(lang.current())) if unit else ""))
    with enlarged:
        zrange = _shared_range(shown.maps) if shared else None
        fig = outline.add_unit_targets(figs.enlarged_map(values, zrange=zrange, height=420, lang=lang.current()),
                                       *values.shape, lang=lang.current())
        if unit is not None:
            outline.mark_unit(fig, *unit.unit)
        chart(fig, receptive.CLICK_KEY, on_select=receptive.on_unit_click(shown.stage, ZOOM_OPEN_KEY),
              selection_mode="points")
        peak = divmod(int(values.argmax()), values.shape[1])
        st.caption(_("{h}×{w} values; largest {top} at row {row}, column {column}; mean {mean}.").format(
            h=values.shape[0], w=values.shape[1], top=f"{values.max():.3f}", row=peak[0], column=peak[1],
            mean=f"{values.mean():.3f}") + " "
                   + (_("Same colours as the grid.") if shared else _("Colours span this map's own range."))
                   + " " + _("Click a unit to outline the input pixels it sees."))
