"""The simple layer specs: small frozen dataclasses that know their output shape, module and code.

Every spec answers the same questions for an input shape `(C, H, W)` or `(features,)`, batch left out:
`problem(shape)` (why it cannot take this input, with what to change, or None), `output_shape(shape)`,
`build(shape)` (the `nn.Module`), `code(shape)` (the same module as PyTorch source), `memory(shape)` (the
activation values its forward creates and holds at most, see memory.py) and `receptive(field, shape)` (the
receptive field of its output units, given that of its input units, see receptive.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from torch import nn

from cnnviz.arch.memory import NEW, TRAINING_ONLY, VIEW, LayerMemory, chain, values
from cnnviz.arch.receptive import ReceptiveField
from cnnviz.i18n import N_, Text, join

Shape = tuple[int, ...]

MAX_CHANNELS = 1024  # channels of a convolution or features of a linear layer
MAX_KERNEL = 28  # a window side; the book's largest is AlexNet's 11x11
ACTIVATIONS = {"relu": "ReLU", "sigmoid": "Sigmoid", "tanh": "Tanh", "leaky_relu": "LeakyReLU", "gelu": "GELU"}
POOL_MODES = {"max": "MaxPool2d", "avg": "AvgPool2d"}


def shape_text(shape: Shape) -> str:
    """(6, 28, 28) -> "6x28x28"; (120,) -> "120 features" (a Text: a page shows it in the reader's language)."""
    return Text(N_("{count} features"), count=shape[0]) if len(shape) == 1 else "×".join(map(str, shape))


def sliding_size(size: int, window: int, stride: int, padding: int) -> int:
    """Output side of a convolution or pooling window (floor mode), as in d2l section 7.3."""
    return (size + 2 * padding - window) // stride + 1


def check_int(name: str, value, low: int, high: int) -> str | None:
    """Why `value` is not a whole number in [low, high], or None; `name` is marked for translation (N_)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return Text(N_("{name} must be a whole number, got {value!r}"), name=Text(name), value=value)
    if not low <= value <= high:
        return Text(N_("{name} must be between {low} and {high}, got {value}"), name=Text(name), low=low, high=high,
                    value=value)
    return None


def stride_text(stride: int, shown: bool = True) -> str:
    """", stride 2" in a layer's kind; "" when the stride is the default."""
    return Text(N_(", stride {stride}"), stride=stride) if shown else ""


def pad_text(padding: int) -> str:
    return Text(N_(", pad {padding}"), padding=padding) if padding else ""


def _window_problem(shape: Shape, window: int, padding: int, what: str) -> str | None:
    """Sliding windows need an image input at least as large as the window (after padding)."""
    if len(shape) != 3:
        return Text(N_("its input is {shape} (already flat); move it before the Flatten"), shape=shape_text(shape))
    side = min(shape[1:]) + 2 * padding
    if side < window:
        if what == "pooling":  # a VGG block's own 2x2 max pool
            return Text(N_("its input is {shape}, smaller than the {window}×{window} pooling window; remove a "
                           "pooling layer before it, pad the convolution, or use a smaller window"),
                        shape=shape_text(shape), window=window)
        return Text(N_("its input is {shape}, smaller than the {window}×{window} window; remove a pooling layer "
                       "before it, pad the convolution, or use a smaller window"), shape=shape_text(shape),
                window=window)
    return None


class _LayerDefaults:
    """Defaults: the layer keeps its input's shape and receptive field and outputs one new tensor."""

    def field_problem(self) -> str | None:
        return None

    def problem(self, shape: Shape) -> str | None:
        return None

    def output_shape(self, shape: Shape) -> Shape:
        return shape

    def memory(self, shape: Shape) -> LayerMemory:
        return chain(values(shape), [(NEW, values(self.output_shape(shape)))])

    def receptive(self, field: ReceptiveField, shape: Shape) -> ReceptiveField:
        return field


@dataclass(frozen=True)
class Conv(_LayerDefaults):
    """nn.Conv2d; input channels come from the layer before. Dilation spreads the kernel's taps apart."""

    out_channels: int
    kernel: int = 3
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    prefix: ClassVar[str] = "conv"

    @property
    def span(self) -> int:
        """Input pixels per side one output unit reads: the kernel with its dilation gaps."""
        return self.dilation * (self.kernel - 1) + 1

    def field_problem(self) -> str | None:
        return (check_int(N_("out channels"), self.out_channels, 1, MAX_CHANNELS)
                or check_int(N_("kernel"), self.kernel, 1, MAX_KERNEL)
                or check_int(N_("stride"), self.stride, 1, MAX_KERNEL)
                or check_int(N_("padding"), self.padding, 0, MAX_KERNEL)
                or check_int(N_("dilation"), self.dilation, 1, MAX_KERNEL))

    def kind(self) -> str:
        return join(f"Conv2d {self.kernel}×{self.kernel}", stride_text(self.stride, self.stride > 1),
                    pad_text(self.padding), Text(N_(", dilation {dilation}"), dilation=self.dilation)
                    if self.dilation > 1 else "")

    def problem(self, shape: Shape) -> str | None:
        return _window_problem(shape, self.span, self.padding, "convolution")

    def output_shape(self, shape: Shape) -> Shape:
        side = [sliding_size(s, self.span, self.stride, self.padding) for s in shape[1:]]
        return (self.out_channels, *side)

    def build(self, shape: Shape) -> nn.Module:
        return nn.Conv2d(shape[0], self.out_channels, self.kernel, self.stride, self.padding, self.dilation)

    def code(self, shape: Shape) -> str:
        dilation = f", dilation={self.dilation}" if self.dilation > 1 else ""
        return (f"nn.Conv2d({shape[0]}, {self.out_channels}, kernel_size={self.kernel}, "
                f"stride={self.stride}, padding={self.padding}{dilation})")

    def receptive(self, field: ReceptiveField, shape: Shape) -> ReceptiveField:
        return field.through(self.span, self.stride, self.padding)


@dataclass(frozen=True)
class Pool(_LayerDefaults):
    """nn.MaxPool2d or nn.AvgPool2d; stride None means stride = window (non-overlapping)."""

    mode: str = "max"
    window: int = 2
    stride: int | None = None
    padding: int = 0
    prefix: ClassVar[str] = "pool"

    def __post_init__(self):
        if self.stride is not None and self.stride == self.window:
            object.__setattr__(self, "stride", None)  # one spelling of "stride = window", so specs compare equal

    @property
    def step(self) -> int:
        return self.window if self.stride is None else self.stride

    def field_problem(self) -> str | None:
        if self.mode not in POOL_MODES:
            return Text(N_("pooling mode must be one of {modes}, got {mode!r}"), modes=", ".join(POOL_MODES),
                        mode=self.mode)
        problem = (check_int(N_("window"), self.window, 1, MAX_KERNEL)
                   or (self.stride is not None and check_int(N_("stride"), self.stride, 1, MAX_KERNEL))
                   or check_int(N_("padding"), self.padding, 0, MAX_KERNEL))
        if problem:
            return problem
        if 2 * self.padding > self.window:
            return Text(N_("padding {padding} is more than half the window {window}; use at most {most}"),
                        padding=self.padding, window=self.window, most=self.window // 2)
        return None

    def kind(self) -> str:
        return join(f"{POOL_MODES[self.mode]} {self.window}×{self.window}",
                    stride_text(self.step, self.step != self.window), pad_text(self.padding))

    def problem(self, shape: Shape) -> str | None:
        return _window_problem(shape, self.window, self.padding, "convolution")

    def output_shape(self, shape: Shape) -> Shape:
        return (shape[0], *[sliding_size(s, self.window, self.step, self.padding) for s in shape[1:]])

    def build(self, shape: Shape) -> nn.Module:
        cls = nn.MaxPool2d if self.mode == "max" else nn.AvgPool2d
        return cls(self.window, self.step, self.padding)

    def code(self, shape: Shape) -> str:
        return f"nn.{POOL_MODES[self.mode]}(kernel_size={self.window}, stride={self.step}, padding={self.padding})"

    def receptive(self, field: ReceptiveField, shape: Shape) -> ReceptiveField:
        return field.through(self.window, self.step, self.padding)


@dataclass(frozen=True)
class Activation(_LayerDefaults):
    """An elementwise non-linearity: relu, sigmoid, tanh, leaky_relu or gelu."""

    fn: str = "relu"
    prefix: ClassVar[str] = "act"

    def field_problem(self) -> str | None:
        if self.fn not in ACTIVATIONS:
            return Text(N_("activation must be one of {names}, got {fn!r}"), names=", ".join(ACTIVATIONS), fn=self.fn)
        return None

    def kind(self) -> str:
        return ACTIVATIONS[self.fn]

    def build(self, shape: Shape) -> nn.Module:
        return getattr(nn, ACTIVATIONS[self.fn])()

    def code(self, shape: Shape) -> str:
        return f"nn.{ACTIVATIONS[self.fn]}()"


@dataclass(frozen=True)
class BatchNorm(_LayerDefaults):
    """BatchNorm2d after a convolution, BatchNorm1d after a linear layer (d2l section 8.5)."""

    prefix: ClassVar[str] = "bn"

    def kind(self) -> str:
        return "BatchNorm"

    def build(self, shape: Shape) -> nn.Module:
        return (nn.BatchNorm2d if len(shape) == 3 else nn.BatchNorm1d)(shape[0])

    def code(self, shape: Shape) -> str:
        return f"nn.BatchNorm{'2d' if len(shape) == 3 else '1d'}({shape[0]})"


@dataclass(frozen=True)
class Dropout(_LayerDefaults):
    """nn.Dropout with drop probability p (only active while training)."""

    p: float = 0.5
    prefix: ClassVar[str] = "drop"

    def field_problem(self) -> str | None:
        if isinstance(self.p, bool) or not isinstance(self.p, (int, float)) or not 0 <= self.p < 1:
            return Text(N_("dropout probability must be a number in [0, 1), got {p!r}"), p=self.p)
        return None

    def kind(self) -> str:
        return f"Dropout {self.p:g}"

    def build(self, shape: Shape) -> nn.Module:
        return nn.Dropout(self.p)

    def code(self, shape: Shape) -> str:
        return f"nn.Dropout(p={self.p!r})"

    def memory(self, shape: Shape) -> LayerMemory:
        return chain(values(shape), [(TRAINING_ONLY, values(shape))])  # at inference it returns its input


@dataclass(frozen=True)
class Flatten(_LayerDefaults):
    """(C, H, W) -> (C*H*W,): the bridge from convolutions to linear layers. Output unit k is map unit k."""

    prefix: ClassVar[str] = "flatten"

    def kind(self) -> str:
        return "Flatten"

    def output_shape(self, shape: Shape) -> Shape:
        return (values(shape),)

    def build(self, shape: Shape) -> nn.Module:
        return nn.Flatten()

    def code(self, shape: Shape) -> str:
        return "nn.Flatten()"

    def memory(self, shape: Shape) -> LayerMemory:
        return chain(values(shape), [(VIEW, values(shape))])  # a view of its input: no new memory


@dataclass(frozen=True)
class Linear(_LayerDefaults):
    """nn.Linear on a flat input; input features come from the layer before."""

    out_features: int
    prefix: ClassVar[str] = "fc"

    def field_problem(self) -> str | None:
        return check_int(N_("out features"), self.out_features, 1, 4 * MAX_CHANNELS)

    def kind(self) -> str:
        return f"Linear {self.out_features}"

    def problem(self, shape: Shape) -> str | None:
        if len(shape) != 1:
            return Text(N_("its input is {shape}, not flat; add a Flatten (or a global average pool) before it"),
                        shape=shape_text(shape))
        return None

    def output_shape(self, shape: Shape) -> Shape:
        return (self.out_features,)

    def build(self, shape: Shape) -> nn.Module:
        return nn.Linear(shape[0], self.out_features)

    def code(self, shape: Shape) -> str:
        return f"nn.Linear({shape[0]}, {self.out_features})"

    def receptive(self, field: ReceptiveField, shape: Shape) -> ReceptiveField:
        return field.whole_map()  # every output reads every unit of the flattened map


@dataclass(frozen=True)
class GlobalAvgPool(_LayerDefaults):
    """Averages each channel over the whole image: (C, H, W) -> (C,), as NiN and GoogLeNet end."""

    prefix: ClassVar[str] = "gap"

    def kind(self) -> str:
        return Text(N_("Global avg pool"))

    def problem(self, shape: Shape) -> str | None:
        if len(shape) != 3:
            return Text(N_("its input is {shape} (already flat); move it before the Flatten"), shape=shape_text(shape))
        return None

    def output_shape(self, shape: Shape) -> Shape:
        return (shape[0],)

    def build(self, shape: Shape) -> nn.Module:
        return nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())

    def code(self, shape: Shape) -> str:
        return "nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())"

    def memory(self, shape: Shape) -> LayerMemory:
        return chain(values(shape), [(NEW, shape[0]), (VIEW, shape[0])])

    def receptive(self, field: ReceptiveField, shape: Shape) -> ReceptiveField:
        return field.whole_map()
