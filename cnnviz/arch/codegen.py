"""`to_code`: standalone PyTorch source defining `model`, with the same parameters as `build(spec)`."""

from __future__ import annotations

import inspect

from cnnviz.arch import modules
from cnnviz.arch.layers import shape_text
from cnnviz.arch.spec import Architecture, walk
from cnnviz.arch.trace import FASHION_MEAN, FASHION_STD, trace

HEADER = '''\
"""{name}: exported from cnnviz.

{description}
Input: float images in [0, 1] shaped (N, {channels}, {height}, {width}); output: (N, {classes}) class scores.
"""

from collections import OrderedDict

import torch
from torch import nn
'''


def to_code(spec: Architecture, input_shape=None) -> str:
    """Python source that defines `model` (an nn.Sequential) for the spec's input shape (or `input_shape`);
    raises ArchitectureError if the spec is invalid."""
    rows = trace(spec, input_shape)
    input_shape = rows[0].input_shape
    steps = walk(spec, input_shape)
    parts = [HEADER.format(name=_one_line(spec.name), description=_safe(spec.description),
                           channels=input_shape[0], height=input_shape[1], width=input_shape[2],
                           classes=rows[-1].output_shape[0])]
    parts.append(inspect.getsource(modules.Normalize))
    sources = dict.fromkeys(source for step in steps for source in getattr(step.layer, "sources", ()))
    parts += [inspect.getsource(source) for source in sources]  # the blocks' modules, each once
    lines = ["model = nn.Sequential(OrderedDict([",
             f'    ("normalize", Normalize({FASHION_MEAN}, {FASHION_STD})),  # {shape_text(input_shape)}']
    for step in steps:
        lines.append(f'    ("{step.name}", {step.layer.code(step.input_shape)}),  # -> {shape_text(step.output_shape)}')
    lines.append("]))")
    lines.append("")
    lines.append(f"assert model(torch.rand(2, {', '.join(map(str, input_shape))})).shape == "
                 f"(2, {rows[-1].output_shape[0]})")
    parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _one_line(text: str) -> str:
    return _safe(" ".join(text.split()))


def _safe(text: str) -> str:
    """Text that cannot close the module docstring."""
    return text.replace("\\", "/").replace('"""', "'''")
