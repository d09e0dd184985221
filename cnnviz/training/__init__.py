"""Everything about a training run: the loop (`loop.fit`), its config and inputs, recipes, costs, metrics, live
copies, jobs and their thread / Ray backends, the per-tab store and checkpoints. Imports inspection, arch and root."""
