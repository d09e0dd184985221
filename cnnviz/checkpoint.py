"""One file per trained model: weights, the architecture as JSON, and plain metadata.

Loading never executes code from the file: `torch.load(weights_only=True)` only accepts tensors and
plain containers, so a file carrying a pickled object is refused before anything in it runs.
"""

from __future__ import annotations

import io
import pickle
import platform
from pathlib import Path
from typing import BinaryIO

import torch
from torch import nn

from cnnviz.arch import Architecture, ArchitectureError, build, from_json, to_json
from cnnviz.errors import CnnvizError

FORMAT = "cnnviz-checkpoint"
VERSION = 1
PLAIN = (str, int, float, bool, type(None))


class CheckpointError(CnnvizError):
    """A file that is not a usable cnnviz checkpoint; the message says why and what to do."""


def versions() -> dict[str, str]:
    import torchvision

    # str(): torch.__version__ is a str subclass, which weights_only loading would refuse.
    return {"torch": str(torch.__version__), "torchvision": str(torchvision.__version__),
            "python": platform.python_version()}


def _check_plain(value, where: str = "meta") -> None:
    """Metadata must be str/int/float/bool/None in lists and str-keyed dicts, so loading stays code-free.

    Exact types: a subclass (numpy.float64, torch's version string) would pickle as an object.
    """
    if type(value) is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise CheckpointError(f"{where} has the key {key!r}; metadata keys must be strings")
            _check_plain(item, f"{where}[{key!r}]")
    elif type(value) in (list, tuple):
        for i, item in enumerate(value):
            _check_plain(item, f"{where}[{i}]")
    elif type(value) not in PLAIN:
        raise CheckpointError(f"{where} is a {type(value).__name__}; store only numbers, text, lists and dicts")


def save(path_or_file: str | Path | BinaryIO, model: nn.Module, spec: Architecture, meta: dict | None = None) -> None:
    """Writes the model's state_dict, `to_json(spec)` and `meta` (plain types) as one torch file."""
    meta = {**(meta or {}), "versions": versions()}
    _check_plain(meta)
    state = {k: v.detach().to("cpu").contiguous() for k, v in model.state_dict().items()}
    torch.save({"format": FORMAT, "version": VERSION, "architecture": to_json(spec),
                "state_dict": state, "meta": meta}, path_or_file)


def to_bytes(model: nn.Module, spec: Architecture, meta: dict | None = None) -> bytes:
    """The checkpoint as bytes, e.g. for a download button."""
    buffer = io.BytesIO()
    save(buffer, model, spec, meta)
    return buffer.getvalue()


def _read(path_or_file) -> dict:
    try:
        payload = torch.load(path_or_file, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise CheckpointError(
            "this file carries Python objects or code, not just weights, so it was refused and nothing in it "
            f"was run ({str(exc).splitlines()[0][:200]}). Load only checkpoints saved by cnnviz") from exc
    except Exception as exc:  # torch.load on arbitrary bytes raises many types (IndexError, EOFError, ...)
        raise CheckpointError(
            f"this file is truncated or is not a PyTorch checkpoint ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0][:200] if str(exc) else 'no details'}); download or save it again") from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError("this file is a PyTorch file but not a cnnviz checkpoint; save one from the Train page")
    if payload.get("version") != VERSION:
        raise CheckpointError(f"checkpoint format version {payload.get('version')!r} is not supported "
                              f"(this cnnviz reads version {VERSION}); save it again with this version")
    return payload


def _load_weights(model: nn.Module, state: dict, spec: Architecture) -> None:
    result = model.load_state_dict(state, strict=False)
    problems = []
    if result.missing_keys:
        problems.append(f"missing {', '.join(result.missing_keys[:5])}")
    if result.unexpected_keys:
        problems.append(f"unexpected {', '.join(result.unexpected_keys[:5])}")
    if problems:
        raise CheckpointError(f"the weights do not fit the architecture {spec.name!r}: {'; '.join(problems)}; "
                              "the file was edited or saved for another architecture")


def load(path_or_file: str | Path | BinaryIO) -> tuple[nn.Module, Architecture, dict]:
    """(model in eval mode on the CPU, its architecture, its metadata); CheckpointError if unusable."""
    payload = _read(path_or_file)
    try:
        spec = from_json(payload.get("architecture", ""))
        model = build(spec)
    except ArchitectureError as exc:
        raise CheckpointError(f"the checkpoint's architecture is invalid: {exc}") from exc
    state = payload.get("state_dict")
    if not isinstance(state, dict):
        raise CheckpointError("the checkpoint holds no weights (state_dict); save it again")
    try:
        _load_weights(model, state, spec)
    except RuntimeError as exc:  # shape mismatches
        detail = "; ".join(line.strip() for line in str(exc).splitlines()[1:4])
        raise CheckpointError(f"the weights do not fit the architecture {spec.name!r}: {detail}") from exc
    meta = payload.get("meta")
    return model.eval(), spec, meta if isinstance(meta, dict) else {}
