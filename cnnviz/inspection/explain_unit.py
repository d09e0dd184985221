"""How one unit's number was computed from the layer before, with the real numbers: `explain(step, index)`
for a step of `unit_trace.trace_units`, `explain_softmax(logits, k)` for a class probability.

Every explanation carries `total` (recomputed here in float64 from the step's input and the layer's weights)
and `output` (the model's own float32 value from the forward pass); tests check that they agree for every
preset. A layer cnnviz cannot explain raises `UnitError` naming the layer and why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from cnnviz.arch.modules import Concat, Normalize
from cnnviz.errors import CnnvizError
from cnnviz.i18n import N_, Text, gettext, render
from cnnviz.inspection.explain_window import conv_problem, conv_unit, pool_problem, pool_unit
from cnnviz.inspection.unit_trace import Step

TOP_CONTRIBUTIONS = 8  # a dense unit's largest |weight x input| terms shown one by one
_POOLS = (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)
_ACTIVATIONS = {nn.ReLU: "relu", nn.Sigmoid: "sigmoid", nn.Tanh: "tanh", nn.LeakyReLU: "leaky_relu",
                nn.GELU: "gelu"}


class UnitError(CnnvizError):
    """A unit that cannot be explained: an index outside the layer, or a layer of a kind cnnviz cannot take
    apart. Nested Texts in its values are rendered in the reader's language too."""

    def render(self, lang: str) -> str:
        values = {name: render(value, lang) for name, value in self.message.values.items()}
        return gettext(lang, self.message.template).format(**values)


@dataclass(frozen=True)
class Explanation:
    """One unit: which layer (step name and module kind), which unit, the parts of its computation (a ConvUnit,
    PoolUnit, ... below), the total they give and the model's own output."""

    layer: str
    kind: str  # "conv", "pool", "batch_norm", "activation", "dense", "flatten", "identity", "normalize", "concat"
    index: tuple[int, ...]  # (channel, row, col) or (feature,)
    parts: object
    total: float
    output: float


@dataclass(frozen=True)
class BatchNormUnit:
    """(x - mean) / sqrt(var + eps) * gamma + beta with the running statistics."""

    x: float
    mean: float
    var: float
    eps: float
    gamma: float
    beta: float
    total: float


@dataclass(frozen=True)
class ActivationUnit:
    fn: str  # relu, sigmoid, tanh, leaky_relu, gelu
    x: float
    total: float
    slope: float = 0.0  # leaky_relu's negative slope


@dataclass(frozen=True)
class DenseUnit:
    """out[f] = sum_j W[f, j] x[j] + b: the largest |terms| one by one, the rest as one sum."""

    inputs: tuple[int, ...]  # indices j of the top terms, largest |W x| first
    weights: tuple[float, ...]
    values: tuple[float, ...]
    rest_sum: float
    rest_count: int
    bias: float
    total: float


@dataclass(frozen=True)
class SourceUnit:
    """A unit copied from one unit of the input: flatten (and dropout at inference) move, never compute."""

    source: tuple[int, ...]
    total: float


@dataclass(frozen=True)
class ConcatUnit:
    """A dense block's concatenation on channels: output channel c is channel `channel` of input `part` (0: what
    came into the block so far, 1: the new channels its last convolution made), unchanged."""

    part: int
    source: tuple[int, ...]  # (channel, row, col) in that input
    total: float


@dataclass(frozen=True)
class NormalizeUnit:
    x: float  # the pixel in [0, 1]
    mean: float
    std: float
    total: float


@dataclass(frozen=True)
class SoftmaxUnit:
    """p_k = exp(z_k - max z) / sum_j exp(z_j - max z) (the max subtracted, as PyTorch does, changes nothing)."""

    logits: tuple[float, ...]
    exps: tuple[float, ...]  # exp(z_j - max z)
    index: int
    total: float


def check_index(name: str, shape: tuple[int, ...], index: tuple[int, ...]) -> None:
    """Raises UnitError unless `index` is a unit of a map of `shape` ((C, H, W) or (F,))."""
    axes = (N_("channel"), N_("row"), N_("column")) if len(shape) == 3 else (N_("unit"),)
    if len(index) != len(shape):
        raise UnitError(N_("layer {layer}: a unit needs {count} numbers, got {index}"), layer=name,
                        count=len(shape), index=tuple(index))
    for axis, size, value in zip(axes, shape, index):
        if not 0 <= value < size:
            raise UnitError(N_("layer {layer}: {axis} {value} is outside its {size} (0 to {last}); choose "
                               "another unit"), layer=name, axis=Text(axis), value=value, size=size, last=size - 1)


def _why_not(module: nn.Module) -> Text | None:
    if isinstance(module, nn.Conv2d):
        return conv_problem(module)
    if isinstance(module, _POOLS):
        return pool_problem(module)
    if isinstance(module, (nn.Linear, nn.modules.batchnorm._BatchNorm, nn.Flatten, Normalize, Concat,
                           nn.modules.dropout._DropoutNd, nn.Identity, *_ACTIVATIONS)):
        return None
    return Text(N_("cnnviz explains convolutions, pooling, batch norm, activations, dense layers, flatten, "
                   "dropout and concatenations, not {kind}"), kind=type(module).__name__)


def explainable(step: Step) -> Text | None:
    """Why this step's units cannot be explained, or None when they can."""
    return _why_not(step.module)


def explain(step: Step, index: tuple[int, ...]) -> Explanation:
    """The computation of output unit `index` of `step`, from its input and the layer's weights."""
    module, x = step.module, step.input
    why = _why_not(module)
    if why is not None:
        raise UnitError(N_("layer {layer} ({kind}) cannot be explained unit by unit: {why}"), layer=step.name,
                        kind=type(module).__name__, why=why)
    index = tuple(int(i) for i in index)
    check_index(step.name, tuple(step.output.shape), index)
    kind, parts = ("concat", concat_unit((x, *step.more_inputs), index)) if isinstance(module, Concat) else \
        _parts(module, x, index)
    return Explanation(step.name, kind, index, parts, parts.total, float(step.output[index]))


def _parts(module: nn.Module, x: torch.Tensor, index: tuple[int, ...]) -> tuple[str, object]:
    if isinstance(module, nn.Conv2d):
        return "conv", conv_unit(module, x, index)
    if isinstance(module, _POOLS):
        return "pool", pool_unit(module, x, index)
    if isinstance(module, nn.Linear):
        return "dense", dense_unit(module, x, index[0])
    if isinstance(module, nn.modules.batchnorm._BatchNorm):
        return "batch_norm", batch_norm_unit(module, float(x[index]), index[0])
    if isinstance(module, nn.Flatten):
        source = tuple(int(i) for i in torch.unravel_index(torch.tensor(index[0]), x.shape))
        return "flatten", SourceUnit(source, float(x[source]))
    if isinstance(module, Normalize):
        mean, std = float(module.mean), float(module.std)
        return "normalize", NormalizeUnit(float(x[index]), mean, std, (float(x[index]) - mean) / std)
    if isinstance(module, (nn.modules.dropout._DropoutNd, nn.Identity)):
        return "identity", SourceUnit(index, float(x[index]))
    return "activation", activation_unit(module, float(x[index]))


def concat_unit(inputs: tuple[torch.Tensor, ...], index: tuple[int, ...]) -> ConcatUnit:
    """Which input's channel lands at output channel index[0] of torch.cat(inputs, dim=1)."""
    channel = index[0]
    for part, tensor in enumerate(inputs):  # each (C_k, H, W)
        if channel < tensor.shape[0]:
            source = (channel, *index[1:])
            return ConcatUnit(part, source, float(tensor[source]))
        channel -= tensor.shape[0]
    raise UnitError(N_("channel {channel} is beyond the concatenated inputs"), channel=index[0])


def batch_norm_unit(module: nn.modules.batchnorm._BatchNorm, x: float, channel: int) -> BatchNormUnit:
    mean = float(module.running_mean[channel]) if module.running_mean is not None else 0.0
    var = float(module.running_var[channel]) if module.running_var is not None else 1.0
    gamma = float(module.weight.detach()[channel]) if module.weight is not None else 1.0
    beta = float(module.bias.detach()[channel]) if module.bias is not None else 0.0
    total = (x - mean) / math.sqrt(var + module.eps) * gamma + beta
    return BatchNormUnit(x, mean, var, module.eps, gamma, beta, total)


def activation_unit(module: nn.Module, x: float) -> ActivationUnit:
    fn = next(name for cls, name in _ACTIVATIONS.items() if isinstance(module, cls))
    slope = module.negative_slope if fn == "leaky_relu" else 0.0
    value = torch.tensor(x, dtype=torch.float64)
    total = {"relu": lambda v: max(v, 0.0), "sigmoid": lambda v: 1 / (1 + math.exp(-v)) if v > -700 else 0.0,
             "tanh": math.tanh, "leaky_relu": lambda v: v if v >= 0 else slope * v,
             "gelu": lambda v: float(nn.functional.gelu(value, approximate=module.approximate))}[fn](x)
    return ActivationUnit(fn, x, float(total), slope)


def dense_unit(module: nn.Linear, x: torch.Tensor, feature: int, top: int = TOP_CONTRIBUTIONS) -> DenseUnit:
    weights = module.weight.detach()[feature].to("cpu", torch.float64)  # (F_in,)
    terms = weights * x.double()  # (F_in,)
    order = terms.abs().argsort(descending=True)
    shown, rest = order[:top], order[top:]
    bias = float(module.bias.detach()[feature]) if module.bias is not None else 0.0
    return DenseUnit(tuple(shown.tolist()), tuple(weights[shown].tolist()), tuple(x.double()[shown].tolist()),
                     float(terms[rest].sum()), len(rest), bias, float(terms.sum()) + bias)


def explain_softmax(logits: torch.Tensor, index: int) -> SoftmaxUnit:
    """Class `index`'s probability from the logits (K,)."""
    check_index("softmax", tuple(logits.shape), (index,))
    z = logits.double()
    exps = torch.exp(z - z.max())
    return SoftmaxUnit(tuple(z.tolist()), tuple(exps.tolist()), index, float(exps[index] / exps.sum()))
