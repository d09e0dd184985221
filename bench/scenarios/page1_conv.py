"""Page 1: a 16x16 random input, Sobel kernel, padding 1; each rerun moves the padding or the chosen cell."""

PAGE = "pages/1_Convolution_and_pooling.py"
TARGET_MS = 150


def setup(at) -> None:
    at.selectbox(key="p1_input").set_value("random integers")
    at.run()
    at.number_input(key="p1_rand_h").set_value(16)
    at.number_input(key="p1_rand_w").set_value(16)
    at.selectbox(key="p1_kpreset").set_value("Sobel x")


def change(at, i: int) -> None:
    """Alternates the padding (a full recompute) and the chosen output cell (the window moves)."""
    if i % 2:
        at.number_input(key="p1_pad_h").set_value(i % 4 // 2)
    else:
        at.slider(key="p1_cell").set_value(i % 50)
