"""The composite blocks of d2l chapter 8: VGG block, NiN block and Inception block.

Each is one layer spec (one child module, one row of the trace) with the same interface as the specs
in `layers.py`; `memory` counts every tensor inside the block and `receptive` follows its windows (for the
Inception block, the widest of its four paths).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from torch import nn

from cnnviz.arch.layers import (
    MAX_CHANNELS, MAX_KERNEL, Shape, _window_problem, check_int, pad_text, sliding_size, stride_text,
)
from cnnviz.arch.memory import NEW, LayerMemory, branches, chain, values
from cnnviz.arch.modules import Inception
from cnnviz.arch.receptive import ReceptiveField, through_windows
from cnnviz.i18n import N_, Text, join

MAX_BLOCK_CONVS = 8


@dataclass(frozen=True)
class VGGBlock:
    """`num_convs` 3x3 convolutions (padding 1) with ReLU, then a 2x2 max pool (d2l section 8.2)."""

    num_convs: int
    out_channels: int
    prefix: ClassVar[str] = "vgg"

    def field_problem(self) -> str | None:
        return (check_int(N_("convolutions"), self.num_convs, 1, MAX_BLOCK_CONVS)
                or check_int(N_("out channels"), self.out_channels, 1, MAX_CHANNELS))

    def kind(self) -> str:
        return Text(N_("VGG block {convs}x conv 3×3 + max pool"), convs=self.num_convs)

    def problem(self, shape: Shape) -> str | None:
        return _window_problem(shape, 2, 0, "pooling")

    def output_shape(self, shape: Shape) -> Shape:
        return (self.out_channels, *[s // 2 for s in shape[1:]])

    def build(self, shape: Shape) -> nn.Module:
        layers, channels = [], shape[0]
        for _ in range(self.num_convs):
            layers += [nn.Conv2d(channels, self.out_channels, kernel_size=3, padding=1), nn.ReLU()]
            channels = self.out_channels
        return nn.Sequential(*layers, nn.MaxPool2d(kernel_size=2, stride=2))

    def code(self, shape: Shape) -> str:
        convs = [f"nn.Conv2d({c}, {self.out_channels}, kernel_size=3, padding=1), nn.ReLU()"
                 for c in [shape[0]] + [self.out_channels] * (self.num_convs - 1)]
        return "nn.Sequential(" + ", ".join(convs) + ", nn.MaxPool2d(kernel_size=2, stride=2))"

    def memory(self, shape: Shape) -> LayerMemory:
        conv = self.out_channels * shape[1] * shape[2]  # each 3x3 convolution (padding 1) keeps the size
        ops = [(NEW, conv)] * (2 * self.num_convs) + [(NEW, values(self.output_shape(shape)))]
        return chain(values(shape), ops)

    def receptive(self, field: ReceptiveField, shape: Shape) -> ReceptiveField:
        return through_windows(field, [(3, 1, 1)] * self.num_convs + [(2, 2, 0)])


@dataclass(frozen=True)
class NiNBlock:
    """A k x k convolution then two 1x1 convolutions, each followed by ReLU (d2l section 8.3)."""

    out_channels: int
    kernel: int = 3
    stride: int = 1
    padding: int = 0
    prefix: ClassVar[str] = "nin"

    def field_problem(self) -> str | None:
        return (check_int(N_("out channels"), self.out_channels, 1, MAX_CHANNELS)
                or check_int(N_("kernel"), self.kernel, 1, MAX_KERNEL)
                or check_int(N_("stride"), self.stride, 1, MAX_KERNEL)
                or check_int(N_("padding"), self.padding, 0, MAX_KERNEL))

    def kind(self) -> str:
        return join(Text(N_("NiN block {kernel}×{kernel}"), kernel=self.kernel),
                    stride_text(self.stride, self.stride > 1), pad_text(self.padding), " + 2x 1×1")

    def problem(self, shape: Shape) -> str | None:
        return _window_problem(shape, self.kernel, self.padding, "convolution")

    def output_shape(self, shape: Shape) -> Shape:
        return (self.out_channels, *[sliding_size(s, self.kernel, self.stride, self.padding) for s in shape[1:]])

    def build(self, shape: Shape) -> nn.Module:
        c = self.out_channels
        return nn.Sequential(
            nn.Conv2d(shape[0], c, self.kernel, self.stride, self.padding), nn.ReLU(),
            nn.Conv2d(c, c, kernel_size=1), nn.ReLU(),
            nn.Conv2d(c, c, kernel_size=1), nn.ReLU(),
        )

    def code(self, shape: Shape) -> str:
        c = self.out_channels
        return (f"nn.Sequential(nn.Conv2d({shape[0]}, {c}, kernel_size={self.kernel}, stride={self.stride}, "
                f"padding={self.padding}), nn.ReLU(), nn.Conv2d({c}, {c}, kernel_size=1), nn.ReLU(), "
                f"nn.Conv2d({c}, {c}, kernel_size=1), nn.ReLU())")

    def memory(self, shape: Shape) -> LayerMemory:
        return chain(values(shape), [(NEW, values(self.output_shape(shape)))] * 6)  # 3 convolutions, 3 ReLUs

    def receptive(self, field: ReceptiveField, shape: Shape) -> ReceptiveField:
        return field.through(self.kernel, self.stride, self.padding)  # the 1x1 convolutions add nothing


@dataclass(frozen=True)
class InceptionBlock:
    """Four parallel paths: 1x1 (c1); 1x1 (c2_reduce) -> 3x3 (c2); 1x1 (c3_reduce) -> 5x5 (c3);
    3x3 max pool -> 1x1 (c4). Output channels c1 + c2 + c3 + c4, same height and width."""

    c1: int
    c2_reduce: int
    c2: int
    c3_reduce: int
    c3: int
    c4: int
    prefix: ClassVar[str] = "inception"
    sources: ClassVar[tuple] = (Inception,)  # the modules exported code must define

    def field_problem(self) -> str | None:
        for name in ("c1", "c2_reduce", "c2", "c3_reduce", "c3", "c4"):
            problem = check_int(name, getattr(self, name), 1, MAX_CHANNELS)
            if problem:
                return problem
        return None

    @property
    def out_channels(self) -> int:
        return self.c1 + self.c2 + self.c3 + self.c4

    def kind(self) -> str:
        return f"Inception {self.c1}, {self.c2_reduce}>{self.c2}, {self.c3_reduce}>{self.c3}, {self.c4}"

    def problem(self, shape: Shape) -> str | None:
        return _window_problem(shape, 1, 0, "convolution")

    def output_shape(self, shape: Shape) -> Shape:
        return (self.out_channels, *shape[1:])

    def build(self, shape: Shape) -> nn.Module:
        return Inception(shape[0], self.c1, (self.c2_reduce, self.c2), (self.c3_reduce, self.c3), self.c4)

    def code(self, shape: Shape) -> str:
        return (f"Inception({shape[0]}, {self.c1}, ({self.c2_reduce}, {self.c2}), "
                f"({self.c3_reduce}, {self.c3}), {self.c4})")

    def memory(self, shape: Shape) -> LayerMemory:
        area = shape[1] * shape[2]
        paths = [[self.c1] * 2, [self.c2_reduce] * 2 + [self.c2] * 2, [self.c3_reduce] * 2 + [self.c3] * 2,
                 [shape[0], self.c4, self.c4]]  # each convolution then its ReLU; the pool keeps the channels
        return branches(values(shape), [[channels * area for channels in path] for path in paths])

    def receptive(self, field: ReceptiveField, shape: Shape) -> ReceptiveField:
        paths = [[(1, 1, 0)], [(1, 1, 0), (3, 1, 1)], [(1, 1, 0), (5, 1, 2)], [(3, 1, 1), (1, 1, 0)]]
        fields = [through_windows(field, path) for path in paths]
        widest = fields[0]
        for other in fields[1:]:
            widest = widest.union(other)
        return widest
