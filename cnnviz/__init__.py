"""cnnviz: an interactive companion to the CNN chapters of Dive into Deep Learning.

The package is pure computation (PyTorch in, numbers and Plotly figures out). Only `cnnviz.ui`
imports Streamlit; the pages under `pages/` stitch the two together.
"""

__version__ = "0.1.0"
