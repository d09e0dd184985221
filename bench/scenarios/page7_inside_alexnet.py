"""Inside the network, the book's AlexNet at 224x224 (untrained): another test image each time, so every rerun
resizes it, runs the whole network once with every layer's input and output kept, and draws the overview of
all 21 layers and a conv2 unit's explanation."""

from cnnviz.ui.activations.models import untrained_label

PAGE = "pages/7_Inside_the_network.py"
TARGET_MS = 1500


def setup(at) -> None:
    at.selectbox(key="in_model").set_value(untrained_label("alexnet"))
    at.run()
    at.selectbox(key="in_layer").set_value("conv2")


def change(at, i: int) -> None:
    at.number_input(key="in_image").set_value(1 + i % 900)
