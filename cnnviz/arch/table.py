"""Layers as editable table rows: one row per layer, the same few columns for every type.

Columns: "layer" (the type), "size" (channels, features or a dense block's growth rate), "kernel" (or pooling
window), "stride", "padding", "dilation" (Conv only), "option" (activation, pooling mode, dropout p, VGG or
dense block convolutions, Inception channels, a residual block's shortcut: "1x1" or "identity", an AnyNet stage's
"blocks, group width, bottleneck multiplier").
A blank cell takes the type's default. The option column offers `option_choices`: the known values of
every type, so the page can show it as a drop-down instead of free text.
"""

from __future__ import annotations

import dataclasses
import math

from cnnviz.arch.anynet import AnyNetStage
from cnnviz.arch.blocks import MAX_BLOCK_CONVS, InceptionBlock, NiNBlock, VGGBlock
from cnnviz.arch.layers import (
    ACTIVATIONS, POOL_MODES, Activation, BatchNorm, Conv, Dropout, Flatten, GlobalAvgPool, Linear, Pool,
)
from cnnviz.arch.presets import PRESETS
from cnnviz.arch.resnext import ResNeXtBlock
from cnnviz.arch.skips import DenseBlock, ResidualBlock, TransitionLayer
from cnnviz.arch.spec import LAYER_TYPES, ArchitectureError
from cnnviz.i18n import N_, Text

COLUMNS = ("layer", "size", "kernel", "stride", "padding", "dilation", "option")
NUMERIC = (N_("size"), N_("kernel"), N_("stride"), N_("padding"), N_("dilation"))  # named in errors: marked
DEFAULT_LAYERS = {
    "Conv": Conv(16, kernel=3, padding=1), "Pool": Pool("max", 2), "Activation": Activation("relu"),
    "BatchNorm": BatchNorm(), "Dropout": Dropout(0.5), "Flatten": Flatten(), "Linear": Linear(10),
    "GlobalAvgPool": GlobalAvgPool(), "VGGBlock": VGGBlock(2, 32), "NiNBlock": NiNBlock(32, kernel=3, padding=1),
    "InceptionBlock": InceptionBlock(16, 16, 32, 4, 8, 8), "ResidualBlock": ResidualBlock(32, use_1x1conv=True),
    "DenseBlock": DenseBlock(2, 16), "TransitionLayer": TransitionLayer(16),
    "ResNeXtBlock": ResNeXtBlock(32, groups=2, use_1x1conv=True), "AnyNetStage": AnyNetStage(2, 32),
}
# field of the spec -> column of the table, per layer type ("option" fields are parsed from text).
FIELD_COLUMNS = {
    # Without "dilation" here an edit through the table would rebuild a dilated Conv with dilation 1.
    "Conv": {"out_channels": "size", "kernel": "kernel", "stride": "stride", "padding": "padding",
             "dilation": "dilation"},
    "Pool": {"window": "kernel", "stride": "stride", "padding": "padding", "mode": "option"},
    "Activation": {"fn": "option"},
    "Dropout": {"p": "option"},
    "Linear": {"out_features": "size"},
    "VGGBlock": {"out_channels": "size", "num_convs": "option"},
    "NiNBlock": {"out_channels": "size", "kernel": "kernel", "stride": "stride", "padding": "padding"},
    "ResidualBlock": {"out_channels": "size", "stride": "stride"},  # and "shortcut[, preact]" as option
    "DenseBlock": {"growth_rate": "size", "num_convs": "option"},
    "TransitionLayer": {"out_channels": "size"},
    "ResNeXtBlock": {"out_channels": "size", "stride": "stride"},  # and "groups, bot_mul, shortcut" as option
    "AnyNetStage": {"out_channels": "size", "stride": "stride"},  # and "depth, group_width, bot_mul" as option
}
OPTION_HELP = N_("Activation: relu, sigmoid, tanh, leaky_relu, gelu · Pool: max or avg · Dropout: p · "
                  "VGGBlock, DenseBlock: number of 3x3 convolutions · ResidualBlock: 1x1 or identity shortcut, "
                  "', preact' for the pre-activation order · "
                  "ResNeXtBlock: groups, bottleneck multiplier, 1x1 or identity · AnyNetStage: blocks, group width, "
                  "bottleneck multiplier · InceptionBlock: c1, c2_reduce>c2, c3_reduce>c3, c4 "
                  "(for other sizes, choose the layer under the table and type them)")
DROPOUT_CHOICES = tuple(f"{p / 10:g}" for p in range(1, 10))  # "0.1" ... "0.9"
VGG_CHOICES = tuple(str(n) for n in range(1, MAX_BLOCK_CONVS + 1))
SHORTCUTS = {"1x1": True, "identity": False}  # a residual block's option
SHORTCUT_LABELS = {"1x1": N_("1x1 conv"), "identity": N_("identity")}  # short: the option column is narrow
PREACT = "preact"  # a residual block's option ends ", preact" for the pre-activation order (exercise 8.6.4)
RESIDUAL_OPTIONS = {f"{shortcut}{suffix}": (use_1x1conv, bool(suffix)) for suffix in ("", f", {PREACT}")
                    for shortcut, use_1x1conv in SHORTCUTS.items()}  # "1x1, preact" -> (1x1 shortcut, preact)
RESNEXT_LABEL = N_("{groups} groups, bottleneck x{bot}, {shortcut}")
STAGE_LABEL = N_("{depth} blocks, groups of {width}, bottleneck x{bot}")


def layer_to_row(layer) -> dict:
    """{"layer": "Conv", "size": 6, "kernel": 5, "stride": 1, "padding": 2, "dilation": 1, "option": None};
    None = unused."""
    kind = type(layer).__name__
    row = {column: None for column in COLUMNS} | {"layer": kind}
    if isinstance(layer, InceptionBlock):
        row["size"] = layer.out_channels
        row["option"] = f"{layer.c1}, {layer.c2_reduce}>{layer.c2}, {layer.c3_reduce}>{layer.c3}, {layer.c4}"
        return row
    for name, column in FIELD_COLUMNS.get(kind, {}).items():
        value = getattr(layer, name)
        if name == "stride" and value is None:
            value = layer.window  # a pool's default stride is its window
        row[column] = str(value) if column == "option" else value
    if isinstance(layer, ResidualBlock):
        row["option"] = f"{'1x1' if layer.use_1x1conv else 'identity'}{f', {PREACT}' if layer.preact else ''}"
    if isinstance(layer, ResNeXtBlock):
        row["option"] = f"{layer.groups}, {layer.bot_mul:g}, {'1x1' if layer.use_1x1conv else 'identity'}"
    if isinstance(layer, AnyNetStage):
        row["option"] = f"{layer.depth}, {layer.group_width}, {layer.bot_mul:g}"
    return row


def option_choices(rows: list[dict] = ()) -> list[str]:
    """Every value the option column offers: activations, pooling modes, dropout rates, VGG convolution
    counts, the presets' Inception blocks, then any other value the rows hold (an imported p = 0.25)."""
    inception = [layer_to_row(layer)["option"] for spec in PRESETS.values() for layer in spec.layers
                 if isinstance(layer, (InceptionBlock, ResNeXtBlock, AnyNetStage))] + [
        layer_to_row(DEFAULT_LAYERS[kind])["option"] for kind in ("InceptionBlock", "ResNeXtBlock", "AnyNetStage")]
    held = [str(row["option"]) for row in rows if not _blank(row.get("option"))]
    return list(dict.fromkeys([*ACTIVATIONS, *POOL_MODES, *DROPOUT_CHOICES, *VGG_CHOICES, *RESIDUAL_OPTIONS, *inception,
                                *held]))


def option_label(value: str, lang: str = "en") -> str:
    """How the option column shows a value: "0.5" -> "p 0.5" (dropout), "2" -> "2 convs" (VGG block)."""
    if value in DROPOUT_CHOICES:
        return f"p {value}"
    if value in VGG_CHOICES:
        return Text(N_("{count} conv") if value == "1" else N_("{count} convs"), count=value).render(lang)
    if value in SHORTCUT_LABELS:
        return Text(SHORTCUT_LABELS[value]).render(lang)
    parts = [part.strip() for part in str(value).split(",")]
    if value in RESIDUAL_OPTIONS:  # "1x1, preact"
        return Text(N_("{shortcut}, pre-activation"), shortcut=Text(SHORTCUT_LABELS[parts[0]])).render(lang)
    if len(parts) == 3 and parts[2] in SHORTCUT_LABELS:  # a ResNeXt block's "2, 1, 1x1"
        return Text(RESNEXT_LABEL, groups=parts[0], bot=parts[1], shortcut=Text(SHORTCUT_LABELS[parts[2]])).render(lang)
    if len(parts) == 3 and all(_number(part) for part in parts):  # an AnyNet stage's "4, 16, 1"
        return Text(STAGE_LABEL, depth=parts[0], width=parts[1], bot=parts[2]).render(lang)
    return value


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def row_to_layer(index: int, row: dict):
    """The layer spec of one table row; raises ArchitectureError naming the row and the cell to fix."""
    kind = row.get("layer")
    if kind not in LAYER_TYPES:
        raise ArchitectureError(N_("layer {index}: choose a layer type ({types})"), index, index=index,
                                types=", ".join(LAYER_TYPES))
    default = DEFAULT_LAYERS[kind]
    if kind == "InceptionBlock":
        return _inception(index, row.get("option"), default)
    values = {}
    for name, column in FIELD_COLUMNS.get(kind, {}).items():
        cell = row.get(column)
        if _blank(cell):
            continue
        values[name] = _option(index, kind, name, cell) if column == "option" else _whole(index, kind, column, cell)
    if kind == "ResNeXtBlock" and not _blank(row.get("option")):
        values |= _resnext(index, row["option"])
    if kind == "ResidualBlock" and not _blank(row.get("option")):
        values |= _residual(index, row["option"])
    if kind == "AnyNetStage" and not _blank(row.get("option")):
        values |= _stage(index, row["option"])
    layer = dataclasses.replace(default, **values)
    problem = layer.field_problem()
    if problem:
        raise ArchitectureError(N_("layer {index}, {kind}: {problem}."), index, index=index, kind=kind, problem=problem)
    return layer


def rows_to_layers(rows: list[dict]) -> tuple[list, ArchitectureError | None]:
    """The layers of the rows up to the first bad row, and that row's error (or None)."""
    layers = []
    for index, row in enumerate(rows, start=1):
        try:
            layers.append(row_to_layer(index, row))
        except ArchitectureError as exc:
            return layers, exc
    return layers, None


def _blank(cell) -> bool:
    if isinstance(cell, float):
        return math.isnan(cell)
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _whole(index: int, kind: str, column: str, cell) -> int:
    problem = ArchitectureError(N_("layer {index}, {kind}: {column} must be a whole number, got {cell!r}"), index,
                                index=index, kind=kind, column=Text(column), cell=cell)
    try:
        value = float(cell)
    except (TypeError, ValueError):
        raise problem from None
    if not value.is_integer():
        raise problem
    return int(value)


def _option(index: int, kind: str, name: str, cell):
    text = str(cell).strip().lower()
    if name == "p":
        try:
            return float(text.removeprefix("p").strip())
        except ValueError:
            raise ArchitectureError(N_("layer {index}, Dropout: option must be a probability like 0.5, got {cell!r}"),
                                    index, index=index, cell=cell) from None
    if name == "num_convs":
        return _whole(index, kind, N_("option (number of convolutions)"), text.split(" conv")[0])
    return text


def _inception(index: int, cell, default: InceptionBlock) -> InceptionBlock:
    if _blank(cell):
        return default
    parts = [p for chunk in str(cell).replace(">", ",").split(",") for p in [chunk.strip()] if p]
    if len(parts) != 6:
        raise ArchitectureError(
            N_("layer {index}, InceptionBlock: option must read 'c1, c2_reduce>c2, c3_reduce>c3, c4', "
               "e.g. '16, 24>32, 4>8, 8'; got {cell!r}"), index, index=index, cell=cell)
    values = [_whole(index, "InceptionBlock", N_("option"), p) for p in parts]
    layer = InceptionBlock(*values)
    problem = layer.field_problem()
    if problem:
        raise ArchitectureError(N_("layer {index}, {kind}: {problem}."), index, index=index, kind="InceptionBlock",
                                problem=problem)
    return layer


def _residual(index: int, cell) -> dict:
    """"1x1" -> a 1x1 convolution shortcut; "identity, preact" -> the identity in the pre-activation order."""
    text = str(cell).lower().replace("-", "").replace("×", "x").replace("preactivation", PREACT)  # 1x1 or 1×1
    parts = [part.strip().removesuffix(" shortcut") for part in text.split(",")]
    key = ", ".join(part for part in parts if part)
    if key not in RESIDUAL_OPTIONS:
        raise ArchitectureError(N_("layer {index}, ResidualBlock: option must be 1x1 (a 1x1 convolution shortcut) "
                                   "or identity, optionally followed by ', preact' (the pre-activation order); "
                                   "got {cell!r}"), index, index=index, cell=cell)
    use_1x1conv, preact = RESIDUAL_OPTIONS[key]
    return {"use_1x1conv": use_1x1conv, "preact": preact}


def _resnext(index: int, cell) -> dict:
    """"2, 1, 1x1" -> groups 2, bottleneck multiplier 1, a 1x1 convolution shortcut."""
    parts = [part.strip().lower().replace("×", "x") for part in str(cell).split(",")]  # 1x1 or 1×1
    try:
        if len(parts) != 3 or parts[2] not in SHORTCUTS:
            raise ValueError
        bot_mul = float(parts[1])
        return {"groups": _whole(index, "ResNeXtBlock", N_("option"), parts[0]),
                "bot_mul": int(bot_mul) if bot_mul.is_integer() else bot_mul, "use_1x1conv": SHORTCUTS[parts[2]]}
    except ValueError:
        raise ArchitectureError(
            N_("layer {index}, ResNeXtBlock: option must read 'groups, bottleneck multiplier, 1x1 or identity', "
               "e.g. '2, 1, 1x1'; got {cell!r}"), index, index=index, cell=cell) from None


def _stage(index: int, cell) -> dict:
    """"4, 16, 1" -> 4 blocks, group width 16 (channels per group), bottleneck multiplier 1."""
    parts = [part.strip() for part in str(cell).split(",")]
    try:
        if len(parts) != 3:
            raise ValueError
        bot_mul = float(parts[2])
        return {"depth": _whole(index, "AnyNetStage", N_("option"), parts[0]),
                "group_width": _whole(index, "AnyNetStage", N_("option"), parts[1]),
                "bot_mul": int(bot_mul) if bot_mul.is_integer() else bot_mul}
    except (ValueError, ArchitectureError):
        raise ArchitectureError(
            N_("layer {index}, AnyNetStage: option must read 'blocks, group width, bottleneck multiplier', "
               "e.g. '4, 16, 1'; got {cell!r}"), index, index=index, cell=cell) from None
