"""cnnviz: an interactive companion to the CNN chapters of Dive into Deep Learning.

The package is pure computation (PyTorch in, numbers and Plotly figures out); only `cnnviz.ui` imports Streamlit,
and the pages under `pages/` stitch the two together. Its folders form layers, each importing only those below:
pages -> ui -> exercises -> figures -> training -> inspection -> arch, conv, edge -> the root modules (data,
device, errors, i18n, images), which everything shares (tests/unit/test_layers.py checks the order).
"""

__version__ = "0.1.0"
