"""Inside the network, the shipped modern LeNet at 28x28: pick another unit (row) of conv1; the forward pass is
not repeated (one per image), only the overview and the explanation are drawn again."""

PAGE = "pages/7_Inside_the_network.py"
TARGET_MS = 150


def change(at, i: int) -> None:
    at.number_input(key="in_row").set_value(i % 28)
