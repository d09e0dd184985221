"""The ResNeXt block (d2l section 8.6.5), the block of AnyNet and RegNet (d2l section 8.8), as a layer spec.

`groups` here is the number of groups of the 3x3 convolution, as nn.Conv2d and the ResNeXt paper count them.
The book's `ResNeXtBlock(num_channels, groups, bot_mul)` passes `groups=bot_channels // groups` to nn.Conv2d,
so its `groups` argument is the channels per group: the book's `ResNeXtBlock(32, 16, 1)` is
`ResNeXtBlock(32, groups=2)` here (32 bottleneck channels in 2 groups of 16), and RegNetX-32's "groups 16"
gives 2 groups in its 32-channel stage and 5 in its 80-channel stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from torch import nn

from cnnviz.arch.layers import MAX_CHANNELS, Shape, check_int, sliding_size, stride_text
from cnnviz.arch.memory import LayerMemory, values
from cnnviz.arch.modules import ResNeXt
from cnnviz.arch.receptive import ReceptiveField, through_windows
from cnnviz.arch.skips import MAX_STRIDE, shortcut_problem
from cnnviz.i18n import N_, Text, join

MAX_BOT_MUL = 4


@dataclass(frozen=True)
class ResNeXtBlock:
    """1x1 conv to round(out_channels * bot_mul) -> BN -> ReLU -> grouped 3x3 conv (stride) -> BN -> ReLU ->
    1x1 conv -> BN, added to the input (identity) or to a 1x1 conv + BN of it, then ReLU."""

    out_channels: int
    groups: int = 1
    bot_mul: float = 1.0
    use_1x1conv: bool = False
    stride: int = 1
    prefix: ClassVar[str] = "resnext"
    sources: ClassVar[tuple] = (ResNeXt,)

    @property
    def bot_channels(self) -> int:
        return int(round(self.out_channels * self.bot_mul))

    def field_problem(self) -> str | None:
        if not isinstance(self.use_1x1conv, bool):
            return Text(N_("use_1x1conv must be true or false, got {value!r}"), value=self.use_1x1conv)
        if isinstance(self.bot_mul, bool) or not isinstance(self.bot_mul, (int, float)) or not (
                0 < self.bot_mul <= MAX_BOT_MUL):
            return Text(N_("the bottleneck multiplier must be a number above 0 and at most {most}, got {value!r}"),
                        most=MAX_BOT_MUL, value=self.bot_mul)
        problem = (check_int(N_("out channels"), self.out_channels, 1, MAX_CHANNELS)
                   or check_int(N_("stride"), self.stride, 1, MAX_STRIDE)
                   or check_int(N_("groups"), self.groups, 1, MAX_CHANNELS))
        if problem:
            return problem
        if self.bot_channels < 1 or self.bot_channels % self.groups:
            return Text(N_("its bottleneck has {bot} channels, which {groups} groups cannot share equally; use a "
                           "number of groups that divides {bot}"), bot=self.bot_channels, groups=self.groups)
        return None

    def kind(self) -> str:
        return join(Text(N_("ResNeXt block {channels}, {groups} groups of {width}"), channels=self.out_channels,
                         groups=self.groups, width=self.bot_channels // self.groups),
                    Text(N_(", 1×1 shortcut")) if self.use_1x1conv else "", stride_text(self.stride, self.stride > 1))

    def problem(self, shape: Shape) -> str | None:
        return shortcut_problem(self, shape)

    def output_shape(self, shape: Shape) -> Shape:
        return (self.out_channels, *[sliding_size(s, 3, self.stride, 1) for s in shape[1:]])

    def build(self, shape: Shape) -> nn.Module:
        return ResNeXt(shape[0], self.out_channels, self.groups, self.bot_channels, self.use_1x1conv, self.stride)

    def code(self, shape: Shape) -> str:
        return (f"ResNeXt({shape[0]}, {self.out_channels}, groups={self.groups}, bot_channels={self.bot_channels}, "
                f"use_1x1conv={self.use_1x1conv}, strides={self.stride})")

    def memory(self, shape: Shape) -> LayerMemory:
        """Every convolution, BN and ReLU output (the sum is taken in place). At inference each line of the
        forward keeps the previous line's output alive until it ends (see modules.ResNeXt)."""
        out_shape = self.output_shape(shape)
        b = self.bot_channels * shape[1] * shape[2]  # before the stride
        b2 = self.bot_channels * out_shape[1] * out_shape[2]
        o = values(out_shape)
        created = 3 * b + 3 * b2 + 3 * o + 2 * o * self.use_1x1conv
        peak = max(2 * b, b + 2 * b2, b2 + 2 * o, (3 if self.use_1x1conv else 2) * o)
        return LayerMemory(created, values(shape) + peak)

    def receptive(self, field: ReceptiveField, shape: Shape) -> ReceptiveField:
        main = through_windows(field, [(1, 1, 0), (3, self.stride, 1), (1, 1, 0)])
        return main.union(field.through(1, self.stride, 0))
