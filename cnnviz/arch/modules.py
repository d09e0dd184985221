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
