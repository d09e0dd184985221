"""Blocks with a skip or a concatenation (d2l sections 8.6 and 8.7): the residual block, the dense block and
DenseNet's transition layer.

Each is one layer spec (one child module, one row of the trace) with the interface of `layers.py`. Their
receptive field is the union over their paths: a residual block's unit sees what its two 3x3 convolutions
see, and its shortcut adds the unit's own pixels; a dense block's output holds its input's channels and
each convolution's, the widest after all `num_convs` convolutions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from torch import nn

from cnnviz.arch.layers import MAX_CHANNELS, Shape, _window_problem, check_int, shape_text, sliding_size, stride_text
from cnnviz.arch.memory import NEW, LayerMemory, chain, values
from cnnviz.arch.modules import Concat, Dense, PreActResidual, Residual
from cnnviz.arch.receptive import ReceptiveField, through_windows
from cnnviz.i18n import N_, Text, join

MAX_DENSE_CONVS = 32  # DenseNet-201's third block has 48; the book's blocks have 4
MAX_STRIDE = 4


def shortcut_problem(block, shape: Shape) -> str | None:
    """What keeps a block with 3x3 convolutions and a shortcut (residual, ResNeXt) from taking `shape`: a map too
    small for the window, or an identity shortcut whose input cannot be added to the main path's output."""
    problem = _window_problem(shape, 3, 1, "convolution")
    if problem or block.use_1x1conv:
        return problem
    out = block.output_shape(shape)
    if out != shape:
        return Text(N_("its identity shortcut adds the input {shape} to the main path's output {out}, but they "
                       "must have the same shape; give the block a 1x1 convolution shortcut (use_1x1conv), or "
                       "keep {channels} channels and stride 1"), shape=shape_text(shape), out=shape_text(out),
                    channels=shape[0])
    return None


@dataclass(frozen=True)
class ResidualBlock:
    """d2l's `Residual(num_channels, use_1x1conv, strides)`: 3x3 conv (stride) -> BN -> ReLU -> 3x3 conv -> BN,
    added to the input (identity) or to a 1x1 convolution of it with the same stride, then ReLU.

    The identity shortcut needs the output to have the input's shape: as many channels, stride 1.
    `preact` reorders it to BN -> ReLU -> conv twice with no ReLU after the sum (modules.PreActResidual, the
    "identity mappings" block of exercise 8.6.4).
    """

    out_channels: int
    use_1x1conv: bool = False
    stride: int = 1
    preact: bool = False
    prefix: ClassVar[str] = "residual"

    @property
    def sources(self) -> tuple:  # the modules exported code must define
        return (PreActResidual,) if self.preact else (Residual,)

    def field_problem(self) -> str | None:
        for name in ("use_1x1conv", "preact"):
            if not isinstance(getattr(self, name), bool):
                return Text(N_("{name} must be true or false, got {value!r}"), name=name, value=getattr(self, name))
        return (check_int(N_("out channels"), self.out_channels, 1, MAX_CHANNELS)
                or check_int(N_("stride"), self.stride, 1, MAX_STRIDE))

    def kind(self) -> str:
        shortcut = N_(", 1×1 shortcut") if self.use_1x1conv else ""
        return join(Text(N_("Residual block {channels}"), channels=self.out_channels), Text(shortcut) if shortcut
                    else "", Text(N_(", pre-activation")) if self.preact else "",
                    stride_text(self.stride, self.stride > 1))

    def problem(self, shape: Shape) -> str | None:
        return shortcut_problem(self, shape)

    def output_shape(self, shape: Shape) -> Shape:
        return (self.out_channels, *[sliding_size(s, 3, self.stride, 1) for s in shape[1:]])

    def build(self, shape: Shape) -> nn.Module:
        block = PreActResidual if self.preact else Residual
        return block(shape[0], self.out_channels, self.use_1x1conv, self.stride)

    def code(self, shape: Shape) -> str:
        block = "PreActResidual" if self.preact else "Residual"
        return f"{block}({shape[0]}, {self.out_channels}, use_1x1conv={self.use_1x1conv}, strides={self.stride})"

    def memory(self, shape: Shape) -> LayerMemory:
        """conv, BN, ReLU, conv, BN (added to in place), the shortcut's conv, ReLU. At inference the peak is three
        outputs beside the input: the second BN runs while the first ReLU's output (still `y`) and the second
        conv's are alive, and with a 1x1 shortcut the last ReLU runs beside the second BN's output and the
        shortcut's."""
        out = values(self.output_shape(shape))
        if self.preact:
            return self._preact_memory(values(shape), out)
        return LayerMemory((6 + self.use_1x1conv) * out, values(shape) + 3 * out)

    def _preact_memory(self, x: int, out: int) -> LayerMemory:
        """BN, ReLU (both input-sized), the shortcut's conv, conv, BN, ReLU, conv (the sum is in place). At
        inference the first ReLU runs beside the input and the first BN's output; later the first ReLU's output
        (still `y`) and the shortcut stay alive while the second BN and ReLU each run beside their input."""
        shortcut = out * self.use_1x1conv
        return LayerMemory(2 * x + 4 * out + shortcut, max(3 * x, 2 * x + shortcut + 2 * out))

    def receptive(self, field: ReceptiveField, shape: Shape) -> ReceptiveField:
        main = through_windows(field, [(3, self.stride, 1), (3, 1, 1)])
        return main.union(field.through(1, self.stride, 0))


@dataclass(frozen=True)
class DenseBlock:
    """d2l's `DenseBlock(num_convs, num_channels)`: `num_convs` times BN -> ReLU -> 3x3 conv (padding 1) to
    `growth_rate` channels, each concatenated to its input: C -> C + num_convs * growth_rate channels."""

    num_convs: int
    growth_rate: int
    prefix: ClassVar[str] = "dense"
    sources: ClassVar[tuple] = (Concat, Dense)

    def field_problem(self) -> str | None:
        return (check_int(N_("convolutions"), self.num_convs, 1, MAX_DENSE_CONVS)
                or check_int(N_("growth rate"), self.growth_rate, 1, MAX_CHANNELS))

    def kind(self) -> str:
        return Text(N_("Dense block, {convs}x BN-ReLU-conv, growth rate {growth}"), convs=self.num_convs,
                    growth=self.growth_rate)

    def problem(self, shape: Shape) -> str | None:
        problem = _window_problem(shape, 3, 1, "convolution")
        if problem:
            return problem
        channels = self.output_shape(shape)[0]
        if channels > MAX_CHANNELS:
            return Text(N_("its output would have {channels} channels, more than the limit of {limit}; use fewer "
                           "convolutions or a smaller growth rate, or put a transition layer before it"),
                        channels=channels, limit=MAX_CHANNELS)
        return None

    def output_shape(self, shape: Shape) -> Shape:
        return (shape[0] + self.num_convs * self.growth_rate, *shape[1:])

    def build(self, shape: Shape) -> nn.Module:
        return Dense(shape[0], self.num_convs, self.growth_rate)

    def code(self, shape: Shape) -> str:
        return f"Dense({shape[0]}, {self.num_convs}, {self.growth_rate})"

    def memory(self, shape: Shape) -> LayerMemory:
        """Each step: BN and ReLU of the channels so far, the convolution's `growth_rate` channels, and their
        concatenation; the block's input stays alive (the caller holds it), each older concatenation is freed."""
        area, x = shape[1] * shape[2], values(shape)
        created = peak = 0
        extra = 0  # the current concatenation, once it is no longer the input
        for i in range(self.num_convs):
            c, g = (shape[0] + i * self.growth_rate) * area, self.growth_rate * area
            base = x + extra
            peak = max(peak, base + 2 * c, base + c + g, base + g + c + g)
            created += 2 * c + g + c + g
            extra = c + g
        return LayerMemory(created, peak)

    def receptive(self, field: ReceptiveField, shape: Shape) -> ReceptiveField:
        return through_windows(field, [(3, 1, 1)] * self.num_convs).union(field)


@dataclass(frozen=True)
class TransitionLayer:
    """d2l's `transition_block(num_channels)`: BN -> ReLU -> 1x1 conv to `out_channels` -> 2x2 average pool,
    stride 2; between dense blocks it halves the channels (the book's choice) and the side."""

    out_channels: int
    prefix: ClassVar[str] = "transition"
    sources: ClassVar[tuple] = ()

    def field_problem(self) -> str | None:
        return check_int(N_("out channels"), self.out_channels, 1, MAX_CHANNELS)

    def kind(self) -> str:
        return Text(N_("Transition layer, BN, ReLU, conv 1×1, avg pool 2×2"))  # its channels: the output's

    def problem(self, shape: Shape) -> str | None:
        return _window_problem(shape, 2, 0, "pooling")

    def output_shape(self, shape: Shape) -> Shape:
        return (self.out_channels, *[s // 2 for s in shape[1:]])

    def build(self, shape: Shape) -> nn.Module:
        return nn.Sequential(nn.BatchNorm2d(shape[0]), nn.ReLU(), nn.Conv2d(shape[0], self.out_channels, 1),
                             nn.AvgPool2d(kernel_size=2, stride=2))

    def code(self, shape: Shape) -> str:
        return (f"nn.Sequential(nn.BatchNorm2d({shape[0]}), nn.ReLU(), nn.Conv2d({shape[0]}, {self.out_channels}, "
                f"kernel_size=1), nn.AvgPool2d(kernel_size=2, stride=2))")

    def memory(self, shape: Shape) -> LayerMemory:
        conv = self.out_channels * shape[1] * shape[2]
        return chain(values(shape), [(NEW, values(shape)), (NEW, values(shape)), (NEW, conv),
                                     (NEW, values(self.output_shape(shape)))])

    def receptive(self, field: ReceptiveField, shape: Shape) -> ReceptiveField:
        return through_windows(field, [(1, 1, 0), (2, 2, 0)])
