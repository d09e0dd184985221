"""Page 5, activations: model choice, maps, receptive outline, attribution, state and URL codec. Imports any
cnnviz layer below ui."""
