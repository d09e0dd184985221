"""Figures of a computed answer: a pure function from an answer's Matrix to a Plotly heatmap with its numbers."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import torch

from cnnviz.exercises.answer import Matrix
from cnnviz.figures import style
from cnnviz.figures.conv import grid_figure

MAX_HEIGHT = 420  # px: a 16x16 Toeplitz matrix still shows its numbers; larger ones become a picture


def matrix_figure(matrix: Matrix, title: str | None = None) -> go.Figure:
    """The matrix (H, W) as a heatmap, numbers in the cells while readable, blue < 0 < red, titled by its
    caption (or `title`: "" for none, where the page writes a long caption above, wrapped)."""
    values = torch.from_numpy(np.asarray(matrix.values, dtype=np.float64))
    if values.ndim != 2:
        raise ValueError(f"matrix {matrix.caption!r} has shape {tuple(values.shape)}; a heatmap needs (H, W)")
    return grid_figure(values, matrix.caption if title is None else title, colorscale=style.DIVERGING, zmid=0.0, max_height=MAX_HEIGHT)
