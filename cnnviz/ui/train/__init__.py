"""Page 4, training: its state, plan, live panels, results, the book's recipes and URL codec. Imports any cnnviz
layer below ui."""
