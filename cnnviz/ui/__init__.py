"""The only part of cnnviz that imports Streamlit: one folder per page (conv, edge, arch, train, activations,
exercises) and, here, what several pages share (common, lang, url_state). Imports any cnnviz layer below it."""
