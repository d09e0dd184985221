"""Pure figure builders: data in, `plotly.graph_objects.Figure` out, no Streamlit. Imports training, inspection,
arch, conv, edge and the root modules."""
