"""Page 1, convolution and pooling: its widgets, state and views. Imports any cnnviz layer below ui."""
