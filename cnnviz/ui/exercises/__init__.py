"""Page 6, exercises: the list's state, views, answers and Try-it links. Imports any cnnviz layer below ui."""
