"""Architectures as data: layer specs, presets, shape/parameter/FLOP/memory/receptive-field traces, build,
code and JSON export. Imports only the shared root modules (data, device, errors, i18n, images)."""

from cnnviz.arch.anynet import AnyNetStage
from cnnviz.arch.blocks import InceptionBlock, NiNBlock, VGGBlock
from cnnviz.arch.codegen import to_code
from cnnviz.arch.layers import (
    ACTIVATIONS, POOL_MODES, Activation, BatchNorm, Conv, Dropout, Flatten, GlobalAvgPool, Linear, Pool, shape_text,
)
from cnnviz.arch.memory import ActivationMemory, activation_memory
from cnnviz.arch.presets import BOOK_PRESETS, DEFAULT_PRESET, PRESETS
from cnnviz.arch.receptive import ReceptiveField
from cnnviz.arch.resnext import ResNeXtBlock
from cnnviz.arch.skips import DenseBlock, ResidualBlock, TransitionLayer
from cnnviz.arch.serialize import from_json, from_url_token, to_json, to_url_token
from cnnviz.arch.spec import (
    INPUT_SHAPE, LAYER_TYPES, MAX_INPUT_SIDE, MAX_LAYERS, MAX_PARAMS, MIN_INPUT_SIDE, NUM_CLASSES, Architecture,
    ArchitectureError, LayerSpec, input_problem, layer_names, smallest_input_side,
)
from cnnviz.arch.stacks import STACK_EXAMPLES, StackSummary, compare_stacks, conv_stack, summarize_stack
from cnnviz.arch.trace import (
    FASHION_MEAN, FASHION_STD, LayerRow, build, count_flops, count_params, trace,
    trace_partial,
)

__all__ = [
    "ACTIVATIONS", "BOOK_PRESETS", "DEFAULT_PRESET", "FASHION_MEAN", "FASHION_STD", "INPUT_SHAPE", "LAYER_TYPES",
    "MAX_INPUT_SIDE", "MAX_LAYERS", "MAX_PARAMS", "MIN_INPUT_SIDE", "NUM_CLASSES", "POOL_MODES", "PRESETS",
    "STACK_EXAMPLES",
    "Activation", "ActivationMemory", "AnyNetStage", "Architecture", "ArchitectureError", "BatchNorm", "Conv",
    "DenseBlock", "Dropout",
    "Flatten", "GlobalAvgPool", "InceptionBlock", "LayerRow", "LayerSpec", "Linear", "NiNBlock", "Pool",
    "ReceptiveField", "ResNeXtBlock", "ResidualBlock", "StackSummary", "TransitionLayer", "VGGBlock",
    "activation_memory", "build", "compare_stacks", "conv_stack", "count_flops",
    "count_params", "from_json", "from_url_token", "input_problem", "layer_names", "shape_text",
    "smallest_input_side", "summarize_stack", "to_code", "to_json", "to_url_token", "trace", "trace_partial",
]
