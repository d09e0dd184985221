"""Looking inside a trained network: capturing activations, captum attribution, the input window a unit sees.
Imports arch and the shared root modules only."""
