"""The network as a diagram in the spirit of d2l's LeNet figure: one block per layer, data flowing left to
right, each block labelled with its layer and output shape. Activations, batch norm and dropout are drawn
as a note on the block before them, so the picture shows the shape-changing layers. A residual block's
shortcut and a dense block's concatenation are drawn as a dotted arc over the block, from its input to its
output, labelled "add" or "concat": the path that skips the block's convolutions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import plotly.graph_objects as go

from cnnviz.arch import (
    Activation, AnyNetStage, BatchNorm, Conv, DenseBlock, Dropout, Flatten, GlobalAvgPool, InceptionBlock, LayerRow,
    Linear, NiNBlock, Pool, ResNeXtBlock, ResidualBlock, TransitionLayer, VGGBlock, shape_text,
)
from cnnviz.i18n import DEFAULT_LANGUAGE as EN, N_, render, tr
from cnnviz.figures.style import FONT_SIZE, SERIES, base_layout

MAX_PER_LINE = 10  # blocks per line of the diagram before it wraps
ROW_STEP = 2.3  # vertical distance between lines, in box heights
ROW_HEIGHT_PX = 285  # a line of blocks with up to six lines of labels under them
BOX_WIDTH = 0.5
VECTOR_WIDTH = 0.16
COLOURS = {  # one colour per kind of block; failing layers are red
    "input": "#bdbdbd", Conv: SERIES[0], Pool: SERIES[4], Linear: SERIES[2], Flatten: SERIES[5],
    GlobalAvgPool: SERIES[5], VGGBlock: SERIES[3], NiNBlock: SERIES[3], InceptionBlock: SERIES[3],
    ResidualBlock: SERIES[3], ResNeXtBlock: SERIES[3], DenseBlock: SERIES[3], TransitionLayer: SERIES[4],
    AnyNetStage: SERIES[3],
}
FAIL_COLOUR = SERIES[1]
SKIPS = {ResidualBlock: N_("add"), ResNeXtBlock: N_("add"), DenseBlock: N_("concat")}  # the arc's label
NOTES = (Activation, BatchNorm, Dropout)  # drawn as text on the block before them


@dataclass
class Block:
    """One drawn box: a shape-changing layer with the notes (activation, ...) that follow it."""

    title: str
    kind: str
    shape: tuple
    colour: str
    notes: list[str] = field(default_factory=list)
    hover: str = ""
    failing: bool = False
    skip: str = ""  # "add" or "concat" (translated) for a block whose input also skips ahead to its output


HOVER = N_("<b>{index}. {name}</b>: {kind}<br>output {shape}<br>{params:,} parameters · {flops:,} FLOPs")


def group_blocks(input_shape: tuple, rows: Sequence[LayerRow], lang: str = EN) -> list[Block]:
    """The input, then one block per shape-changing layer with its activation/BN/dropout as notes."""
    blocks = [Block(tr(lang, N_("input")), tr(lang, N_("image")), tuple(input_shape), COLOURS["input"])]
    for row in rows:
        kind = render(row.kind, lang)
        hover = tr(lang, HOVER, index=row.index, name=row.name, kind=kind,
                   shape=render(shape_text(row.output_shape), lang), params=row.params, flops=row.flops)
        if isinstance(row.layer, NOTES) and len(blocks) > 1:
            blocks[-1].notes.append(kind)
            blocks[-1].hover += "<br>" + hover
            continue
        skip = tr(lang, SKIPS[type(row.layer)]) if type(row.layer) in SKIPS else ""
        blocks.append(Block(row.name, kind, row.output_shape, COLOURS.get(type(row.layer), SERIES[7]), hover=hover,
                            skip=skip))
    return blocks


def architecture_figure(input_shape: tuple, rows: Sequence[LayerRow], failing: tuple[int, str] | None = None,
                        title: str | None = None, lang: str = EN) -> go.Figure:
    """Diagram of `rows` (from `trace` or `trace_partial`); `failing` = (layer index, kind) adds a red block."""
    blocks = group_blocks(input_shape, rows, lang)
    if failing:
        index, kind = failing[0], render(failing[1], lang)
        blocks.append(Block(tr(lang, N_("layer {index}"), index=index), kind, (), FAIL_COLOUR,
                            notes=[tr(lang, N_("cannot run here"))], failing=True,
                            hover=tr(lang, N_("<b>layer {index}</b>: {kind}<br>cannot take its input"), index=index,
                                     kind=kind)))
    shapes: list[dict] = []
    notes: list[dict] = []  # annotations: labels and arrows
    lines = math.ceil(len(blocks) / MAX_PER_LINE)
    per_line = math.ceil(len(blocks) / lines)  # balanced: 12 blocks draw as 6 + 6, not 10 + 2
    centres = [_position(i, per_line) for i in range(len(blocks))]
    side = input_shape[-1]  # boxes are drawn relative to the input image: 28 or 224 pixels is full height
    for block, (x, y) in zip(blocks, centres):
        _draw_block(shapes, notes, block, x, y, side, lang)
    for i in range(1, len(blocks)):
        _draw_arrow(notes, blocks[i - 1], centres[i - 1], blocks[i], centres[i], side)
        if blocks[i].skip and centres[i - 1][1] == centres[i][1]:  # on one line: an arc over the block
            _draw_skip(shapes, notes, blocks[i - 1], centres[i - 1], blocks[i], centres[i], side)
        elif blocks[i].skip:  # the block opens a new line: the arc leaves its input's line and comes back in
            _draw_wrapped_skip(shapes, notes, blocks[i - 1], centres[i - 1], blocks[i], centres[i], side)
    hover = go.Scatter(
        x=[x for x, _ in centres], y=[y for _, y in centres], mode="markers",
        marker={"size": 40, "opacity": 0, "symbol": "square"}, hovertext=[b.hover for b in blocks],
        hoverinfo="text", showlegend=False)
    # One Figure call with plain dicts, unvalidated (our own literal keys): add_shape and add_annotation
    # one by one cost ~1 s for LeNet, validating the dicts ~0.1 s.
    fig = go.Figure(_validate=False, data=[hover], layout={
        "shapes": shapes, "annotations": notes, "hoverlabel": {"font": {"size": FONT_SIZE - 2}},
        "xaxis": {"visible": False, "range": [-0.6, max(per_line, 6) - 0.4], "fixedrange": True},
        "yaxis": {"visible": False, "range": [-ROW_STEP * (lines - 1) - 1.6, 0.95], "fixedrange": True},
    })
    base_layout(fig, title, height=ROW_HEIGHT_PX * lines + (40 if title else 0))
    fig.layout.margin = {"l": 5, "r": 5, "b": 5, "t": 50 if title else 10}
    return fig


def _draw_skip(shapes: list[dict], notes: list[dict], before: Block, start: tuple, block: Block, end: tuple,
               side: int) -> None:
    """A dotted arc from the top of the block before (the input) to the top of `block`, labelled."""
    (x0, y), (x1, _) = start, end
    top0, top1 = y + _size(before.shape, side)[1] / 2, y + _size(block.shape, side)[1] / 2
    peak = y + 0.58
    shapes.append(dict(type="path", path=f"M {x0},{top0} Q {(x0 + x1) / 2},{peak} {x1},{top1}",
                       line={"color": block.colour, "width": 2, "dash": "dot"}))
    notes.append(dict(x=(x0 + x1) / 2, y=(top0 + top1) / 4 + peak / 2, text=block.skip, showarrow=False,
                      yanchor="bottom", font={"size": FONT_SIZE - 4, "color": "#444"}))


def _draw_wrapped_skip(shapes: list[dict], notes: list[dict], before: Block, start: tuple, block: Block, end: tuple,
                       side: int) -> None:
    """A skip whose block opens the next line, drawn like the arrow there: a dotted half arc from the top of the
    block before to the right margin of its line, and one from the left margin of the next line to the top of
    `block`, labelled."""
    (x0, y0), (x1, y1) = start, end
    top0, top1 = y0 + _size(before.shape, side)[1] / 2, y1 + _size(block.shape, side)[1] / 2
    peak0, peak1 = y0 + 0.58, y1 + 0.58
    line = {"color": block.colour, "width": 2, "dash": "dot"}
    shapes.append(dict(type="path", path=f"M {x0},{top0} Q {x0 + 0.1},{peak0} {x0 + 0.55},{peak0}", line=line))
    shapes.append(dict(type="path", path=f"M {x1 - 0.55},{peak1} Q {x1 - 0.1},{peak1} {x1},{top1}", line=line))
    notes.append(dict(x=x1 - 0.4, y=peak1, text=block.skip, showarrow=False, yanchor="bottom",
                      font={"size": FONT_SIZE - 4, "color": "#444"}))


def _position(i: int, per_line: int) -> tuple[float, float]:
    return float(i % per_line), -ROW_STEP * (i // per_line)


def _size(shape: tuple, side: int) -> tuple[float, float]:
    """Box width and height: images by their side (the input's side -> full height), vectors thin, by log of
    their length."""
    if len(shape) == 3:
        return BOX_WIDTH, 0.25 + 0.55 * min(shape[1], side) / side
    if len(shape) == 1:
        return VECTOR_WIDTH, 0.2 + 0.6 * min(math.log10(max(shape[0], 1)) / math.log10(4096), 1)
    return BOX_WIDTH, 0.6  # failing layer: no shape


def _draw_block(shapes: list[dict], notes: list[dict], block: Block, x: float, y: float, side: int,
                lang: str = EN) -> None:
    width, height = _size(block.shape, side)
    line = {"color": FAIL_COLOUR, "width": 3, "dash": "dash"} if block.failing else {"color": "#333", "width": 1}
    if len(block.shape) == 3 and block.shape[0] > 1:  # a stack of feature maps: two ghosts behind
        for k in (2, 1):
            dx, dy = 0.04 * k, 0.04 * k
            shapes.append(dict(type="rect", x0=x - width / 2 + dx, x1=x + width / 2 + dx, y0=y - height / 2 + dy,
                               y1=y + height / 2 + dy, fillcolor=block.colour, opacity=0.35,
                               line={"color": "#333", "width": 1}))
    shapes.append(dict(type="rect", x0=x - width / 2, x1=x + width / 2, y0=y - height / 2, y1=y + height / 2,
                       fillcolor="white" if block.failing else block.colour, line=line, opacity=0.9))
    title_size = FONT_SIZE if len(block.title) <= 7 else FONT_SIZE - 3  # "inception1" beside "inception2"
    notes.append(dict(x=x, y=0.5 + y, text=f"<b>{block.title}</b>", showarrow=False, yanchor="bottom",
                      font={"size": title_size, "color": FAIL_COLOUR if block.failing else "#111"}))
    shape = f"<b>{shape_text(block.shape)}</b>" if block.shape else "<b>✖ " + tr(lang, N_("error")) + "</b>"
    if len(block.shape) == 1:  # "400<br>features": ten blocks' labels side by side on a 1280-pixel projector
        shape = tr(lang, N_("<b>{count}</b><br>features"), count=block.shape[0])
    # "Conv2d<br>5x5<br>pad 2": narrow enough for ten blocks a line on a 1280-pixel projector; Chinese text
    # separates the parts with a full-width comma ("Conv2d 5x5，填充 2")
    kind = block.kind.replace(" ", "<br>", 1).replace(", ", "<br>").replace("，", "<br>")
    text = "<br>".join([shape, kind, *[f"+ {note}" for note in block.notes]])
    notes.append(dict(x=x, y=y - 0.45, text=text, showarrow=False, yanchor="top", align="center",
                      font={"size": FONT_SIZE - 3, "color": FAIL_COLOUR if block.failing else "#222"}))


def _draw_arrow(notes: list[dict], before: Block, start: tuple, after: Block, end: tuple, side: int) -> None:
    """An arrow into `after`; at a line break, out of the last block and in from the left margin."""
    (x0, y0), (x1, y1) = start, end
    w0, w1 = _size(before.shape, side)[0], _size(after.shape, side)[0]
    if y0 != y1:
        _arrow(notes, x0 + w0 / 2 + 0.07, y0, x0 + 0.5, y0)
        _arrow(notes, x1 - 0.55, y1, x1 - w1 / 2 - 0.04, y1)
        return
    _arrow(notes, x0 + w0 / 2 + (0.1 if len(before.shape) == 3 else 0.03), y0, x1 - w1 / 2 - 0.03, y1)


def _arrow(notes: list[dict], x0: float, y0: float, x1: float, y1: float) -> None:
    notes.append(dict(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y", text="",
                      showarrow=True, arrowhead=2, arrowsize=1.2, arrowwidth=2, arrowcolor="#555"))
