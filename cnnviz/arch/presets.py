"""The book's networks as data: small versions for 28x28 Fashion-MNIST, and the book's own networks at the
sizes it resizes Fashion-MNIST to (224x224; GoogLeNet, ResNet-18 and DenseNet 96x96), layer for layer as d2l's
PyTorch code defines them (d2l-en sections 8.1-8.7, d2l-zh 7.1-7.7; tests/unit/arch/test_book_presets.py and
test_book_resnet_densenet.py hold that code)."""

from __future__ import annotations

from cnnviz.arch.blocks import InceptionBlock, NiNBlock, VGGBlock
from cnnviz.arch.layers import Activation, BatchNorm, Conv, Dropout, Flatten, GlobalAvgPool, Linear, Pool
from cnnviz.arch.resnext import ResNeXtBlock
from cnnviz.arch.skips import DenseBlock, ResidualBlock, TransitionLayer
from cnnviz.arch.spec import Architecture
from cnnviz.i18n import N_


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
    "lenet", N_("LeNet-5 as in d2l section 7.6: the first convolution pads by 2 so 28x28 images keep the "
    "original 32x32 geometry; sigmoid and 2x2 average pooling throughout. 61,706 parameters."),
    _lenet_like("sigmoid", "avg", padding=2))

LENET_MAXPOOL = Architecture(
    "lenet_maxpool", N_("LeNet on 28x28 without padding: 28 -> 24 -> 12 -> 8 -> 4, so the flatten gives "
    "16x4x4 = 256 features; sigmoid and 2x2 max pooling. 44,426 parameters."),
    _lenet_like("sigmoid", "max", padding=0))

LENET_RELU = Architecture(
    "lenet_relu", N_("LeNet (d2l 7.6 geometry) with the modern choices of d2l 7.6's exercises: ReLU instead of "
    "sigmoid, max pooling instead of average pooling."),
    _lenet_like("relu", "max", padding=2))

LENET_BN = Architecture(
    "lenet_bn", N_("LeNet with batch normalization after every convolution and linear layer, before the "
    "sigmoid (d2l section 8.5); no padding, average pooling."),
    _lenet_like("sigmoid", "avg", padding=0, batch_norm=True))

LENET_MODERN = Architecture(
    "lenet_modern", N_("A LeNet-sized network with today's habits: more channels (16 and 32), batch norm, ReLU, "
    "max pooling and dropout before the classifier. About 3.4 MFLOPs per image; reaches about 91% test "
    "accuracy in 10 epochs of Adam on a laptop CPU."),
    (Conv(16, kernel=5, padding=2), BatchNorm(), Activation("relu"), Pool("max", 2, 2),  # 16x14x14
     Conv(32, kernel=5), BatchNorm(), Activation("relu"), Pool("max", 2, 2),  # 32x5x5
     Flatten(), Linear(128), BatchNorm(), Activation("relu"), Dropout(0.3), Linear(10)))

ALEXNET_SMALL = Architecture(
    "alexnet_small", N_("AlexNet (d2l section 8.1) scaled to 28x28 and a CPU: channels divided by 4 "
    "(96, 256, 384, 384, 256 -> 24, 64, 96, 96, 64), the 11x11 stride-4 first convolution becomes 5x5 "
    "stride 1, and the two 4096-unit dense layers become 512 units; the 3x3 stride-2 max pools and "
    "dropout 0.5 are kept."),
    (Conv(24, kernel=5, padding=2), Activation("relu"), Pool("max", 3, 2),  # 24x13x13
     Conv(64, kernel=5, padding=2), Activation("relu"), Pool("max", 3, 2),  # 64x6x6
     Conv(96, kernel=3, padding=1), Activation("relu"),
     Conv(96, kernel=3, padding=1), Activation("relu"),
     Conv(64, kernel=3, padding=1), Activation("relu"), Pool("max", 3, 2),  # 64x2x2
     Flatten(), Linear(512), Activation("relu"), Dropout(0.5),
     Linear(512), Activation("relu"), Dropout(0.5), Linear(10)))

VGG_SMALL = Architecture(
    "vgg_small", N_("VGG-11 (d2l section 8.2) scaled like the book's ratio = 4: channels divided by 4, and "
    "only the first three of its five blocks, since a 28x28 image halves only three times (28 -> 14 -> 7 "
    "-> 3); the 4096-unit dense layers become 256 units."),
    (VGGBlock(1, 16), VGGBlock(1, 32), VGGBlock(2, 64),  # 64x3x3
     Flatten(), Linear(256), Activation("relu"), Dropout(0.5),
     Linear(256), Activation("relu"), Dropout(0.5), Linear(10)))

NIN_SMALL = Architecture(
    "nin_small", N_("Network in Network (d2l section 8.3) scaled to 28x28: channels divided by 4 "
    "(96, 256, 384 -> 24, 64, 96), the first 11x11 stride-4 block becomes 5x5 stride 1 with padding 2; "
    "the last block gives 10 channels and global average pooling replaces the dense layers, as in the book."),
    (NiNBlock(24, kernel=5, padding=2), Pool("max", 3, 2),  # 24x13x13
     NiNBlock(64, kernel=5, padding=2), Pool("max", 3, 2),  # 64x6x6
     NiNBlock(96, kernel=3, padding=1), Pool("max", 3, 2),  # 96x2x2
     Dropout(0.5), NiNBlock(10, kernel=3, padding=1), GlobalAvgPool()))

GOOGLENET_SMALL = Architecture(
    "googlenet_small", N_("GoogLeNet (d2l section 8.4) scaled to 28x28: every channel count divided by 4, the "
    "7x7 stride-2 stem becomes 5x5 stride 1, and of the nine Inception blocks it keeps both of stage 3, "
    "the first two of stage 4 and the first of stage 5."),
    (Conv(16, kernel=5, padding=2), Activation("relu"), Pool("max", 3, 2, padding=1),  # 16x14x14
     Conv(16, kernel=1), Activation("relu"),
     Conv(48, kernel=3, padding=1), Activation("relu"), Pool("max", 3, 2, padding=1),  # 48x7x7
     InceptionBlock(16, 24, 32, 4, 8, 8), InceptionBlock(32, 32, 48, 8, 24, 16),
     Pool("max", 3, 2, padding=1),  # 120x4x4
     InceptionBlock(48, 24, 52, 4, 12, 16), InceptionBlock(40, 28, 56, 6, 16, 16),
     Pool("max", 3, 2, padding=1),  # 128x2x2
     InceptionBlock(64, 40, 80, 8, 32, 32), GlobalAvgPool(), Linear(10)))


def _conv_pool_bn_block(channels: int) -> tuple:
    """3x3 convolution keeping the side, a 2x2 max pool halving it, then batch norm and ReLU on the pooled map:
    a quarter of the values to normalise and rectify (on a CPU those passes, not the convolution, took half
    the time), the order fast-training records such as airbench use."""
    return Conv(channels, kernel=3, padding=1), Pool("max", 2, 2), BatchNorm(), Activation("relu")


FAST_DEMO = Architecture(
    "fast_demo", N_("The fast demo's network (cnnviz.training.recipes.FAST_DEMO): two blocks of a 3×3 convolution, "
                    "2×2 max pooling, batch norm and ReLU with 16 and 32 channels (28×28 -> 14×14 -> 7×7), a third "
                    "3×3 convolution with 64 channels, batch norm and ReLU kept at 7×7, then a dense layer of 128 "
                    "and the 10 scores. Pooling before batch norm and ReLU saves three quarters of their work; "
                    "the dense layer sees all 7×7 positions of the last block (a third pool would leave 3×3 and "
                    "drop the 7th row and column): 91% test accuracy in one epoch instead of 1.3; batch norm lets it "
                    "train at a high learning rate."),
    (*_conv_pool_bn_block(16), *_conv_pool_bn_block(32),  # 32x7x7
     Conv(64, kernel=3, padding=1), BatchNorm(), Activation("relu"),  # 64x7x7
     Flatten(), Linear(128), Activation("relu"), Linear(10)))

BOOK_SIZE = (1, 224, 224)  # d2l.FashionMNIST(resize=(224, 224)) for AlexNet, VGG and NiN


def _relu_dropout_head(width: int) -> tuple:
    """Flatten, two dense layers of `width` with ReLU and dropout 0.5, then 10 scores (AlexNet and VGG)."""
    return (Flatten(), Linear(width), Activation("relu"), Dropout(0.5),
            Linear(width), Activation("relu"), Dropout(0.5), Linear(10))


def _vgg(arch) -> tuple:
    return (*[VGGBlock(num_convs, channels) for num_convs, channels in arch], *_relu_dropout_head(4096))


VGG11_ARCH = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))  # d2l's conv_arch: 8 convolutions + 3 dense

ALEXNET = Architecture(
    "alexnet", N_("AlexNet exactly as d2l section 8.1 (zh 7.1) trains it on Fashion-MNIST resized to 224x224: "
    "an 11x11 stride-4 convolution (padding 1) with 96 channels, 3x3 stride-2 max pools, 256, 384, 384 and "
    "256 channels, two 4096-unit dense layers with dropout 0.5. 46,764,746 parameters."),
    (Conv(96, kernel=11, stride=4, padding=1), Activation("relu"), Pool("max", 3, 2),  # 96x26x26
     Conv(256, kernel=5, padding=2), Activation("relu"), Pool("max", 3, 2),  # 256x12x12
     Conv(384, kernel=3, padding=1), Activation("relu"),
     Conv(384, kernel=3, padding=1), Activation("relu"),
     Conv(256, kernel=3, padding=1), Activation("relu"), Pool("max", 3, 2),  # 256x5x5
     *_relu_dropout_head(4096)), BOOK_SIZE)

VGG11 = Architecture(
    "vgg11", N_("VGG-11 as d2l section 8.2 (zh 7.2) defines it, at its full widths on 224x224 images: five VGG "
    "blocks of 1, 1, 2, 2, 2 3x3 convolutions with 64, 128, 256, 512, 512 channels, each halving the image "
    "(224 -> 7), then two 4096-unit dense layers. 128,806,154 parameters; the book trains the narrower "
    "vgg11_narrow instead."), _vgg(VGG11_ARCH), BOOK_SIZE)

VGG11_NARROW = Architecture(
    "vgg11_narrow", N_("The VGG-11 d2l section 8.2 (zh 7.2) actually trains on 224x224 Fashion-MNIST: every "
    "block's channels divided by the book's ratio = 4 (16, 32, 64, 128, 128); the dense layers keep their "
    "4096 units. 43,093,322 parameters."),
    _vgg((n, c // 4) for n, c in VGG11_ARCH), BOOK_SIZE)

NIN = Architecture(
    "nin", N_("Network in Network as d2l section 8.3 (zh 7.3) trains it on 224x224 images: NiN blocks (a "
    "convolution, then two 1x1 convolutions, each with ReLU) of 96 (11x11, stride 4), 256 (5x5) and 384 "
    "(3x3) channels, each followed by a 3x3 stride-2 max pool, dropout 0.5, a last block with one channel "
    "per class, and global average pooling instead of dense layers. 1,992,166 parameters."),
    (NiNBlock(96, kernel=11, stride=4), Pool("max", 3, 2),  # 96x26x26
     NiNBlock(256, kernel=5, padding=2), Pool("max", 3, 2),  # 256x12x12
     NiNBlock(384, kernel=3, padding=1), Pool("max", 3, 2),  # 384x5x5
     Dropout(0.5), NiNBlock(10, kernel=3, padding=1), GlobalAvgPool()), BOOK_SIZE)

GOOGLENET = Architecture(
    "googlenet", N_("GoogLeNet as d2l section 8.4 (zh 7.4) trains it on Fashion-MNIST resized to 96x96: a 7x7 "
    "stride-2 stem, a 1x1 and a 3x3 convolution, then nine Inception blocks in three stages (2, 5, 2) "
    "separated by 3x3 stride-2 max pools, global average pooling and one dense layer. 5,977,530 parameters."),
    (Conv(64, kernel=7, stride=2, padding=3), Activation("relu"), Pool("max", 3, 2, padding=1),  # 64x24x24
     Conv(64, kernel=1), Activation("relu"),
     Conv(192, kernel=3, padding=1), Activation("relu"), Pool("max", 3, 2, padding=1),  # 192x12x12
     InceptionBlock(64, 96, 128, 16, 32, 32), InceptionBlock(128, 128, 192, 32, 96, 64),
     Pool("max", 3, 2, padding=1),  # 480x6x6
     InceptionBlock(192, 96, 208, 16, 48, 64), InceptionBlock(160, 112, 224, 24, 64, 64),
     InceptionBlock(128, 128, 256, 24, 64, 64), InceptionBlock(112, 144, 288, 32, 64, 64),
     InceptionBlock(256, 160, 320, 32, 128, 128), Pool("max", 3, 2, padding=1),  # 832x3x3
     InceptionBlock(256, 160, 320, 32, 128, 128), InceptionBlock(384, 192, 384, 48, 128, 128),
     GlobalAvgPool(), Linear(10)), (1, 96, 96))


def _stem() -> tuple:
    """ResNet's and DenseNet's first block b1: 7x7 stride-2 convolution, BN, ReLU, 3x3 stride-2 max pool."""
    return Conv(64, kernel=7, stride=2, padding=3), BatchNorm(), Activation("relu"), Pool("max", 3, 2, padding=1)


def _resnet_stages(arch) -> tuple:
    """d2l's ResNet.block for each (num_residuals, channels): the first block of every stage but the first
    halves the side with a stride-2 1x1 shortcut."""
    blocks = []
    for i, (count, channels) in enumerate(arch):
        blocks += [ResidualBlock(channels, use_1x1conv=True, stride=2) if j == 0 and i > 0 else
                   ResidualBlock(channels) for j in range(count)]
    return tuple(blocks)


def _densenet_body(channels: int, growth_rate: int, arch) -> tuple:
    """Dense blocks of `arch` convolutions, each but the last followed by a transition halving the channels."""
    layers = []
    for i, num_convs in enumerate(arch):
        layers.append(DenseBlock(num_convs, growth_rate))
        channels += num_convs * growth_rate
        if i != len(arch) - 1:
            channels //= 2
            layers.append(TransitionLayer(channels))
    return tuple(layers)


RESNET18 = Architecture(
    "resnet18", N_("ResNet-18 as d2l section 8.6 (zh 7.6) trains it on Fashion-MNIST resized to 96x96: a 7x7 "
    "stride-2 stem with batch norm and a 3x3 max pool, four stages of two residual blocks with 64, 128, 256 and "
    "512 channels (each stage after the first starts with a stride-2 block whose shortcut is a 1x1 "
    "convolution), global average pooling and one dense layer. 11,178,378 parameters."),
    (*_stem(), *_resnet_stages(((2, 64), (2, 128), (2, 256), (2, 512))),  # 512x3x3
     GlobalAvgPool(), Linear(10)), (1, 96, 96))

DENSENET = Architecture(
    "densenet", N_("DenseNet as d2l section 8.7 (zh 7.7) trains it on Fashion-MNIST resized to 96x96: the "
    "ResNet stem, four dense blocks of four BN-ReLU-convolution steps with growth rate 32, a transition layer "
    "(BN, ReLU, 1x1 convolution halving the channels, 2x2 average pool) after each but the last, then BN, "
    "ReLU, global average pooling and one dense layer. 758,226 parameters."),
    (*_stem(), *_densenet_body(64, 32, (4, 4, 4, 4)),  # 248x3x3
     BatchNorm(), Activation("relu"), GlobalAvgPool(), Linear(10)), (1, 96, 96))

RESNET_SMALL = Architecture(
    "resnet_small", N_("ResNet (d2l section 8.6) scaled to 28x28 and a CPU: a 3x3 convolution with batch norm "
    "and ReLU instead of the 7x7 stem and max pool, then three stages of two residual blocks with 16, 32 and "
    "64 channels (28 -> 14 -> 7), global average pooling and one dense layer."),
    (Conv(16, kernel=3, padding=1), BatchNorm(), Activation("relu"),
     *_resnet_stages(((2, 16), (2, 32), (2, 64))), GlobalAvgPool(), Linear(10)))

DENSENET_SMALL = Architecture(
    "densenet_small", N_("DenseNet (d2l section 8.7) scaled to 28x28 and a CPU: a 3x3 convolution with 16 "
    "channels instead of the 7x7 stem and max pool, three dense blocks of three steps with growth rate 12 and "
    "transition layers halving channels and side (28 -> 14 -> 7), then BN, ReLU, global average pooling and "
    "one dense layer."),
    (Conv(16, kernel=3, padding=1), *_densenet_body(16, 12, (3, 3, 3)),
     BatchNorm(), Activation("relu"), GlobalAvgPool(), Linear(10)))


def _anynet_stage(depth: int, channels: int, channels_per_group: int, bot_mul: float) -> tuple:
    """d2l's AnyNet.stage: `depth` ResNeXt blocks, the first halving the side with a 1x1 shortcut. The book
    passes channels per group; the blocks take the number of groups."""
    groups = int(round(channels * bot_mul)) // channels_per_group
    return tuple(ResNeXtBlock(channels, groups, bot_mul, use_1x1conv=True, stride=2) if i == 0 else
                 ResNeXtBlock(channels, groups, bot_mul) for i in range(depth))


REGNETX32 = Architecture(
    "regnetx32", N_("RegNetX-32 as d2l section 8.8 trains it on Fashion-MNIST resized to 96x96 (the English edition "
    "only): a 3x3 stride-2 stem with 32 channels, batch norm and ReLU, then two stages of 4 and 6 ResNeXt "
    "blocks with 32 and 80 channels (bottleneck multiplier 1, 16 channels per group: 2 and 5 groups), each "
    "stage starting with a stride-2 block, global average pooling and one dense layer. 179,290 parameters."),
    (Conv(32, kernel=3, stride=2, padding=1), BatchNorm(), Activation("relu"),  # 32x48x48
     *_anynet_stage(4, 32, 16, 1), *_anynet_stage(6, 80, 16, 1),  # 32x24x24, 80x12x12
     GlobalAvgPool(), Linear(10)), (1, 96, 96))

REGNET_SMALL = Architecture(
    "regnet_small", N_("RegNetX (d2l section 8.8) scaled to 28x28 and a CPU: a 3x3 convolution with 16 channels, "
    "batch norm and ReLU at full size, then two stages of 2 and 3 ResNeXt blocks with 32 and 64 channels "
    "(bottleneck multiplier 1, 16 channels per group: 2 and 4 groups), each stage starting with a stride-2 block "
    "(28 -> 14 -> 7), global average pooling and one dense layer."),
    (Conv(16, kernel=3, padding=1), BatchNorm(), Activation("relu"),  # 16x28x28
     *_anynet_stage(2, 32, 16, 1), *_anynet_stage(3, 64, 16, 1),  # 32x14x14, 64x7x7
     GlobalAvgPool(), Linear(10)))

BOOK_PRESETS = ("alexnet", "vgg11", "vgg11_narrow", "nin", "googlenet", "resnet18", "densenet", "regnetx32")
PRESETS: dict[str, Architecture] = {a.name: a for a in (
    LENET, LENET_MAXPOOL, LENET_RELU, LENET_BN, LENET_MODERN, FAST_DEMO,
    ALEXNET_SMALL, VGG_SMALL, NIN_SMALL, GOOGLENET_SMALL, RESNET_SMALL, DENSENET_SMALL, REGNET_SMALL,
    ALEXNET, VGG11, VGG11_NARROW, NIN, GOOGLENET, RESNET18, DENSENET, REGNETX32,
)}
DEFAULT_PRESET = "lenet_modern"  # the best LeNet-class preset for the Train page
