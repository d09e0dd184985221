"""A stage of AnyNet and RegNet (d2l section 8.8) as one layer spec: `depth` ResNeXt blocks of `out_channels`
channels, the first with the stage's stride (2 in the book) and a 1x1 convolution shortcut, the others with the
identity.

`group_width` is the channels per group of the grouped 3x3 convolution (the RegNet paper's g, and what the book's
`AnyNet.stage(depth, num_channels, groups, bot_mul)` calls `groups`): a stage of 80 channels with bottleneck
multiplier 1 and group width 16 has 5 groups. The stage builds the same modules as its blocks written out one by
one (tests/unit/arch/test_anynet_stage.py): an nn.Sequential of `modules.ResNeXt`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from torch import nn

from cnnviz.arch.layers import MAX_CHANNELS, Shape, check_int, stride_text
from cnnviz.arch.memory import LayerMemory, values
from cnnviz.arch.modules import ResNeXt
from cnnviz.arch.receptive import ReceptiveField
from cnnviz.arch.resnext import ResNeXtBlock
from cnnviz.arch.skips import MAX_STRIDE
from cnnviz.i18n import N_, Text, join

MAX_STAGE_DEPTH = 16  # RegNetX-32's stages have 4 and 6 blocks; the RegNet paper's go to 13 or so


@dataclass(frozen=True)
class AnyNetStage:
    """`depth` ResNeXt blocks: 1x1 conv to round(out_channels * bot_mul) -> BN -> ReLU -> 3x3 conv in groups of
    `group_width` channels -> BN -> ReLU -> 1x1 conv -> BN, plus the shortcut, ReLU; the first block has the
    stride and a 1x1 conv + BN shortcut."""

    depth: int
    out_channels: int
    group_width: int = 16
    bot_mul: float = 1.0
    stride: int = 2
    prefix: ClassVar[str] = "stage"
    sources: ClassVar[tuple] = (ResNeXt,)

    @property
    def bot_channels(self) -> int:
        return int(round(self.out_channels * self.bot_mul))

    def blocks(self) -> tuple[ResNeXtBlock, ...]:
        """The stage written out as ResNeXt blocks (the number of groups is the bottleneck's channels / g)."""
        groups = max(self.bot_channels // self.group_width, 1)
        return tuple(ResNeXtBlock(self.out_channels, groups, self.bot_mul, use_1x1conv=True, stride=self.stride)
                     if i == 0 else ResNeXtBlock(self.out_channels, groups, self.bot_mul) for i in range(self.depth))

    def field_problem(self) -> str | None:
        problem = (check_int(N_("blocks in the stage"), self.depth, 1, MAX_STAGE_DEPTH)
                   or check_int(N_("out channels"), self.out_channels, 1, MAX_CHANNELS)
                   or check_int(N_("group width"), self.group_width, 1, MAX_CHANNELS)
                   or check_int(N_("stride"), self.stride, 1, MAX_STRIDE))
        if problem:
            return problem
        first = ResNeXtBlock(self.out_channels, 1, self.bot_mul)
        problem = first.field_problem()  # the bottleneck multiplier's range
        if problem:
            return problem
        if self.bot_channels % self.group_width:
            return Text(N_("its bottleneck has {bot} channels, which groups of {width} cannot split equally; use a "
                           "group width that divides {bot}"), bot=self.bot_channels, width=self.group_width)
        return None

    def kind(self) -> str:
        return join(Text(N_("AnyNet stage, {depth} ResNeXt blocks {channels}, groups of {width}, bottleneck "
                            "x{bot}"), depth=self.depth, channels=self.out_channels, width=self.group_width,
                         bot=f"{self.bot_mul:g}"), stride_text(self.stride, self.stride > 1))

    def _shapes(self, shape: Shape) -> list[tuple[ResNeXtBlock, Shape]]:
        """Each block with its input shape."""
        found = []
        for block in self.blocks():
            found.append((block, shape))
            shape = block.output_shape(shape)
        return found

    def problem(self, shape: Shape) -> str | None:
        return self.blocks()[0].problem(shape)  # the later blocks keep the first one's output shape

    def output_shape(self, shape: Shape) -> Shape:
        return self.blocks()[0].output_shape(shape)

    def build(self, shape: Shape) -> nn.Module:
        return nn.Sequential(*[block.build(s) for block, s in self._shapes(shape)])

    def code(self, shape: Shape) -> str:
        return "nn.Sequential(" + ", ".join(block.code(s) for block, s in self._shapes(shape)) + ")"

    def memory(self, shape: Shape) -> LayerMemory:
        """The blocks' memories in turn. The stage's input stays alive throughout (the caller holds it), so from
        the second block on it sits beside each block's own peak; each block's input is the previous output."""
        parts = [(block.memory(s), i) for i, (block, s) in enumerate(self._shapes(shape))]
        created = sum(memory.created for memory, _ in parts)
        peak = max(memory.peak + (values(shape) if i else 0) for memory, i in parts)
        return LayerMemory(created, peak)

    def receptive(self, field: ReceptiveField, shape: Shape) -> ReceptiveField:
        for block, s in self._shapes(shape):
            field = block.receptive(field, s)
        return field
