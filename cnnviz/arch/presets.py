"""The book's networks as data, all for 28x28 Fashion-MNIST (no resizing to 224x224)."""

from __future__ import annotations

from cnnviz.arch.blocks import InceptionBlock, NiNBlock, VGGBlock
from cnnviz.arch.layers import Activation, BatchNorm, Conv, Dropout, Flatten, GlobalAvgPool, Linear, Pool
from cnnviz.arch.spec import Architecture


def _lenet_like(act: str, pool: str, padding: int, batch_norm: bool = False) -> tuple:
    """conv 6@5x5 -> pool -> conv 16@5x5 -> pool -> 120 -> 84 -> 10, each followed by `act`."""
    def bn():
        return (BatchNorm(),) if batch_norm else ()
    return (
        Conv(6, kernel=5, padding=padding), *bn(), Activation(act), Pool(pool, 2, 2),
        Conv(16, kernel=5), *bn(), Activation(act), Pool(pool, 2, 2),
        Flatten(),
        Linear(120), *bn(), Activation(act),
        Linear(84), *bn(), Activation(act),
        Linear(10),
    )


LENET = Architecture(
    "lenet", "LeNet-5 as in d2l section 7.6: the first convolution pads by 2 so 28x28 images keep the "
    "original 32x32 geometry; sigmoid and 2x2 average pooling throughout. 61,706 parameters.",
    _lenet_like("sigmoid", "avg", padding=2))

LENET_MAXPOOL = Architecture(
    "lenet_maxpool", "LeNet on 28x28 without padding: 28 -> 24 -> 12 -> 8 -> 4, so the flatten gives "
    "16x4x4 = 256 features; sigmoid and 2x2 max pooling. 44,426 parameters.",
    _lenet_like("sigmoid", "max", padding=0))

LENET_RELU = Architecture(
    "lenet_relu", "LeNet (d2l 7.6 geometry) with the modern choices of d2l 7.6's exercises: ReLU instead of "
    "sigmoid, max pooling instead of average pooling.",
    _lenet_like("relu", "max", padding=2))

LENET_BN = Architecture(
    "lenet_bn", "LeNet with batch normalization after every convolution and linear layer, before the "
    "sigmoid (d2l section 8.5); no padding, average pooling.",
    _lenet_like("sigmoid", "avg", padding=0, batch_norm=True))

LENET_MODERN = Architecture(
    "lenet_modern", "A LeNet-sized network with today's habits: more channels (16 and 32), batch norm, ReLU, "
    "max pooling and dropout before the classifier. About 3.4 MFLOPs per image; reaches about 91% test "
    "accuracy in 10 epochs of Adam on a laptop CPU.",
    (Conv(16, kernel=5, padding=2), BatchNorm(), Activation("relu"), Pool("max", 2, 2),  # 16x14x14
     Conv(32, kernel=5), BatchNorm(), Activation("relu"), Pool("max", 2, 2),  # 32x5x5
     Flatten(), Linear(128), BatchNorm(), Activation("relu"), Dropout(0.3), Linear(10)))

ALEXNET_SMALL = Architecture(
    "alexnet_small", "AlexNet (d2l section 8.1) scaled to 28x28 and a CPU: channels divided by 4 "
    "(96, 256, 384, 384, 256 -> 24, 64, 96, 96, 64), the 11x11 stride-4 first convolution becomes 5x5 "
    "stride 1, and the two 4096-unit dense layers become 512 units; the 3x3 stride-2 max pools and "
    "dropout 0.5 are kept.",
    (Conv(24, kernel=5, padding=2), Activation("relu"), Pool("max", 3, 2),  # 24x13x13
     Conv(64, kernel=5, padding=2), Activation("relu"), Pool("max", 3, 2),  # 64x6x6
     Conv(96, kernel=3, padding=1), Activation("relu"),
     Conv(96, kernel=3, padding=1), Activation("relu"),
     Conv(64, kernel=3, padding=1), Activation("relu"), Pool("max", 3, 2),  # 64x2x2
     Flatten(), Linear(512), Activation("relu"), Dropout(0.5),
     Linear(512), Activation("relu"), Dropout(0.5), Linear(10)))

VGG_SMALL = Architecture(
    "vgg_small", "VGG-11 (d2l section 8.2) scaled like the book's ratio = 4: channels divided by 4, and "
    "only the first three of its five blocks, since a 28x28 image halves only three times (28 -> 14 -> 7 "
    "-> 3); the 4096-unit dense layers become 256 units.",
    (VGGBlock(1, 16), VGGBlock(1, 32), VGGBlock(2, 64),  # 64x3x3
     Flatten(), Linear(256), Activation("relu"), Dropout(0.5),
     Linear(256), Activation("relu"), Dropout(0.5), Linear(10)))

NIN_SMALL = Architecture(
    "nin_small", "Network in Network (d2l section 8.3) scaled to 28x28: channels divided by 4 "
    "(96, 256, 384 -> 24, 64, 96), the first 11x11 stride-4 block becomes 5x5 stride 1 with padding 2; "
    "the last block gives 10 channels and global average pooling replaces the dense layers, as in the book.",
    (NiNBlock(24, kernel=5, padding=2), Pool("max", 3, 2),  # 24x13x13
     NiNBlock(64, kernel=5, padding=2), Pool("max", 3, 2),  # 64x6x6
     NiNBlock(96, kernel=3, padding=1), Pool("max", 3, 2),  # 96x2x2
     Dropout(0.5), NiNBlock(10, kernel=3, padding=1), GlobalAvgPool()))

GOOGLENET_SMALL = Architecture(
    "googlenet_small", "GoogLeNet (d2l section 8.4) scaled to 28x28: every channel count divided by 4, the "
    "7x7 stride-2 stem becomes 5x5 stride 1, and of the nine Inception blocks it keeps both of stage 3, "
    "the first two of stage 4 and the first of stage 5.",
    (Conv(16, kernel=5, padding=2), Activation("relu"), Pool("max", 3, 2, padding=1),  # 16x14x14
     Conv(16, kernel=1), Activation("relu"),
     Conv(48, kernel=3, padding=1), Activation("relu"), Pool("max", 3, 2, padding=1),  # 48x7x7
     InceptionBlock(16, 24, 32, 4, 8, 8), InceptionBlock(32, 32, 48, 8, 24, 16),
     Pool("max", 3, 2, padding=1),  # 120x4x4
     InceptionBlock(48, 24, 52, 4, 12, 16), InceptionBlock(40, 28, 56, 6, 16, 16),
     Pool("max", 3, 2, padding=1),  # 128x2x2
     InceptionBlock(64, 40, 80, 8, 32, 32), GlobalAvgPool(), Linear(10)))

PRESETS: dict[str, Architecture] = {a.name: a for a in (
    LENET, LENET_MAXPOOL, LENET_RELU, LENET_BN, LENET_MODERN,
    ALEXNET_SMALL, VGG_SMALL, NIN_SMALL, GOOGLENET_SMALL,
)}
DEFAULT_PRESET = "lenet_modern"  # the best LeNet-class preset for the Train page
