"""Colours, fonts and sizes shared by every figure: one place to tune for a classroom projector."""

from __future__ import annotations

import plotly.graph_objects as go

FONT_SIZE = 16  # readable from the back of a classroom
CELL_FONT_SIZE = 15  # numbers printed inside heatmap cells
# Latin in the app's own face, Chinese in a Simplified-Chinese one (a browser's default CJK fallback may draw
# Japanese glyph forms): whichever of these the reader's system has, Noto or Source Han on Linux, PingFang on macOS,
# Microsoft YaHei on Windows.
FONT_FAMILY = ('"Source Sans", "Source Sans Pro", "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", '
               '"Microsoft YaHei", sans-serif')
MAX_ANNOTATED_CELLS = 400  # above this, cell values are hidden (hover still shows them)

# Diverging scale for signed values (kernels, gradients, differences): blue < 0 < red.
DIVERGING = "RdBu_r"
# Sequential scale for images and non-negative activations.
SEQUENTIAL = "Viridis"
GRAY = "gray"

PADDING_COLOUR = "rgba(150, 150, 150, 0.35)"  # padded cells, visibly distinct from data
HIGHLIGHT = "#ff7f0e"  # the receptive window of the chosen output cell
SERIES = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")


def base_layout(fig: go.Figure, title: str | None = None, height: int | None = None) -> go.Figure:
    """Common layout: big fonts, tight margins, white background."""
    fig.update_layout(
        title=title,
        font={"size": FONT_SIZE, "family": FONT_FAMILY},
        margin={"l": 10, "r": 10, "t": 50 if title else 10, "b": 10},
        plot_bgcolor="white",
        height=height,
    )
    return fig
