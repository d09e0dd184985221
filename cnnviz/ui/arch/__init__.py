"""Page 3, the architecture builder: its editor, state, views and labels. Imports any cnnviz layer below ui."""
