"""Figures of a computed answer: a pure function from an answer's Matrix to a Plotly heatmap with its numbers."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import torch

from cnnviz.exercises.answer import Matrix, say
from cnnviz.figures import style
from cnnviz.figures.conv import grid_figure
from cnnviz.i18n import DEFAULT_LANGUAGE, N_, tr

MAX_HEIGHT = 420  # px: a 16x16 Toeplitz matrix still shows its numbers; larger ones become a picture


def matrix_figure(matrix: Matrix, title: str | None = None, lang: str = DEFAULT_LANGUAGE) -> go.Figure:
    """The matrix (H, W) as a heatmap, numbers in the cells while readable, blue < 0 < red, titled by its
    caption in `lang` (or `title`: "" for none, where the page writes a long caption above, wrapped)."""
    values = torch.from_numpy(np.asarray(matrix.values, dtype=np.float64))
    if values.ndim != 2:
        raise ValueError(tr(lang, N_("matrix {caption} has shape {shape}; a heatmap needs (H, W)"),
                            caption=say(matrix.caption, lang), shape=tuple(values.shape)))
    return grid_figure(values, say(matrix.caption, lang) if title is None else title, colorscale=style.DIVERGING,
                       zmid=0.0, max_height=MAX_HEIGHT, lang=lang)
