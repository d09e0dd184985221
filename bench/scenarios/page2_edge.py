"""Learn-an-edge-kernel page: move the learning-rate slider (a new run, the lr hint, every live chart)."""

PAGE = "pages/2_Learn_an_edge_kernel.py"
TARGET_MS = 150

LRS = (0.005, 0.01)


def setup(at) -> None:
    at.button(key="edge_to_end").click()  # the charts then hold a whole run before the first change


def change(at, i: int) -> None:
    at.select_slider(key="edge_lr").set_value(LRS[i % 2])
