"""The two modules torch.nn lacks. `to_code` copies this source into the exported code verbatim."""

import torch
from torch import nn


class Normalize(nn.Module):
    """(x - mean) / std with fixed Fashion-MNIST statistics, so a saved model takes raw [0, 1] images."""

    def __init__(self, mean: float, std: float):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean))
        self.register_buffer("std", torch.tensor(std))

    def forward(self, x):  # (N, 1, 28, 28) in [0, 1]
        return (x - self.mean) / self.std


class Inception(nn.Module):
    """GoogLeNet's Inception block (d2l section 8.4): four parallel paths concatenated on channels."""

    def __init__(self, in_channels, c1, c2, c3, c4):
        super().__init__()
        self.b1_1 = nn.Conv2d(in_channels, c1, kernel_size=1)
        self.b2_1 = nn.Conv2d(in_channels, c2[0], kernel_size=1)
        self.b2_2 = nn.Conv2d(c2[0], c2[1], kernel_size=3, padding=1)
        self.b3_1 = nn.Conv2d(in_channels, c3[0], kernel_size=1)
        self.b3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2)
        self.b4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.b4_2 = nn.Conv2d(in_channels, c4, kernel_size=1)
        self.relu = nn.ReLU()  # a module, not torch.relu, so forward hooks see every tensor the block makes

    def forward(self, x):  # (N, in_channels, H, W) -> (N, c1 + c2[1] + c3[1] + c4, H, W)
        relu = self.relu
        b1 = relu(self.b1_1(x))
        b2 = relu(self.b2_2(relu(self.b2_1(x))))
        b3 = relu(self.b3_2(relu(self.b3_1(x))))
        b4 = relu(self.b4_2(self.b4_1(x)))
        return torch.cat((b1, b2, b3, b4), dim=1)


class Residual(nn.Module):
    """ResNet's residual block (d2l section 8.6): 3x3 conv (the block's stride) -> BN -> ReLU -> 3x3 conv -> BN,
    plus the input (or its 1x1 convolution with the same stride), then ReLU. Attributes in the book's order."""

    def __init__(self, in_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, num_channels, kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
        self.conv3 = nn.Conv2d(in_channels, num_channels, kernel_size=1, stride=strides) if use_1x1conv else None
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)
        self.relu = nn.ReLU()

    def forward(self, x):  # (N, in_channels, H, W) -> (N, num_channels, ceil(H / strides), ceil(W / strides))
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        if self.conv3 is not None:
            x = self.conv3(x)
        y += x  # in place, as the book adds: no new tensor
        return self.relu(y)


class PreActResidual(nn.Module):
    """The pre-activation residual block (He et al., "Identity Mappings in Deep Residual Networks", 2016; d2l
    exercise 8.6.4): BN -> ReLU -> 3x3 conv (the block's stride) -> BN -> ReLU -> 3x3 conv, plus the input, with
    no ReLU after the sum. A 1x1 shortcut reads the first BN-ReLU's output, as in the paper's code."""

    def __init__(self, in_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.conv1 = nn.Conv2d(in_channels, num_channels, kernel_size=3, padding=1, stride=strides)
        self.bn2 = nn.BatchNorm2d(num_channels)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
        self.conv3 = nn.Conv2d(in_channels, num_channels, kernel_size=1, stride=strides) if use_1x1conv else None
        self.relu = nn.ReLU()

    def forward(self, x):  # (N, in_channels, H, W) -> (N, num_channels, ceil(H / strides), ceil(W / strides))
        y = self.relu(self.bn1(x))
        shortcut = x if self.conv3 is None else self.conv3(y)
        y = self.conv2(self.relu(self.bn2(self.conv1(y))))
        y += shortcut
        return y


class Concat(nn.Module):
    """torch.cat on channels as a module, so forward hooks see the tensor it makes."""

    def forward(self, *xs):
        return torch.cat(xs, dim=1)


class Dense(nn.Module):
    """DenseNet's dense block (d2l section 8.7): `num_convs` times BN -> ReLU -> 3x3 conv to `growth_rate`
    channels, each output concatenated to its input on channels."""

    def __init__(self, in_channels, num_convs, growth_rate):
        super().__init__()
        self.net = nn.Sequential(*[nn.Sequential(
            nn.BatchNorm2d(in_channels + i * growth_rate), nn.ReLU(),
            nn.Conv2d(in_channels + i * growth_rate, growth_rate, kernel_size=3, padding=1))
            for i in range(num_convs)])
        self.cat = Concat()

    def forward(self, x):  # (N, C, H, W) -> (N, C + num_convs * growth_rate, H, W)
        for block in self.net:
            x = self.cat(x, block(x))
        return x


class ResNeXt(nn.Module):
    """The ResNeXt block (d2l section 8.6.5): 1x1 conv to `bot_channels` -> BN -> ReLU -> 3x3 conv in `groups`
    groups (the block's stride) -> BN -> ReLU -> 1x1 conv -> BN, plus the input (or its 1x1 conv + BN), ReLU.
    `groups` is the number of groups, as nn.Conv2d counts them (the book's argument is channels per group)."""

    def __init__(self, in_channels, num_channels, groups, bot_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, bot_channels, kernel_size=1)
        self.conv2 = nn.Conv2d(bot_channels, bot_channels, kernel_size=3, stride=strides, padding=1, groups=groups)
        self.conv3 = nn.Conv2d(bot_channels, num_channels, kernel_size=1)
        self.bn1 = nn.BatchNorm2d(bot_channels)
        self.bn2 = nn.BatchNorm2d(bot_channels)
        self.bn3 = nn.BatchNorm2d(num_channels)
        self.conv4 = nn.Conv2d(in_channels, num_channels, kernel_size=1, stride=strides) if use_1x1conv else None
        self.bn4 = nn.BatchNorm2d(num_channels) if use_1x1conv else None
        self.relu = nn.ReLU()

    def forward(self, x):  # (N, in_channels, H, W) -> (N, num_channels, ceil(H / strides), ceil(W / strides))
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        if self.conv4 is not None:
            x = self.bn4(self.conv4(x))
        y += x  # in place: the same sum as the book's y + x, without a new tensor
        return self.relu(y)
