"""Page 7, inside the network: one image through every layer, and any unit explained with its real numbers.
Imports any cnnviz layer below ui (and page 5's model box)."""
