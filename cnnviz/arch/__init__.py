"""Architectures as data: layer specs, presets, shape/parameter/FLOP traces, build, code and JSON export."""

from cnnviz.arch.blocks import InceptionBlock, NiNBlock, VGGBlock
from cnnviz.arch.codegen import to_code
from cnnviz.arch.layers import (
    ACTIVATIONS, POOL_MODES, Activation, BatchNorm, Conv, Dropout, Flatten, GlobalAvgPool, Linear, Pool, shape_text,
)
from cnnviz.arch.presets import DEFAULT_PRESET, PRESETS
from cnnviz.arch.serialize import from_json, from_url_token, to_json, to_url_token
from cnnviz.arch.spec import (
    INPUT_SHAPE, LAYER_TYPES, MAX_LAYERS, MAX_PARAMS, NUM_CLASSES, Architecture, ArchitectureError, LayerSpec,
    layer_names,
)
from cnnviz.arch.trace import (
    FASHION_MEAN, FASHION_STD, LayerRow, build, count_flops, count_params, trace, trace_partial,
)

__all__ = [
    "ACTIVATIONS", "DEFAULT_PRESET", "FASHION_MEAN", "FASHION_STD", "INPUT_SHAPE", "LAYER_TYPES", "MAX_LAYERS",
    "MAX_PARAMS", "NUM_CLASSES", "POOL_MODES", "PRESETS",
    "Activation", "Architecture", "ArchitectureError", "BatchNorm", "Conv", "Dropout", "Flatten",
    "GlobalAvgPool", "InceptionBlock", "LayerRow", "LayerSpec", "Linear", "NiNBlock", "Pool", "VGGBlock",
    "build", "count_flops", "count_params", "from_json", "from_url_token", "layer_names", "shape_text",
    "to_code", "to_json", "to_url_token", "trace", "trace_partial",
]
