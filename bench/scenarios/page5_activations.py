"""Activations page: switch between the first and second convolution (capture, class means, all charts)."""

PAGE = "pages/5_Activations.py"
TARGET_MS = 300


def change(at, i: int) -> None:
    at.selectbox(key="act_layer").select_index(i % 2)
