"""The only part of cnnviz that imports Streamlit: widgets and session state shared by the pages."""
