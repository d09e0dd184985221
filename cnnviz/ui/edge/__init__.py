"""Page 2, learning an edge kernel: its widgets, playback state and URL codec. Imports any cnnviz layer below ui."""
