"""One file per trained model: weights, the architecture as JSON, and plain metadata.

Loading never executes code from the file: `torch.load(weights_only=True)` only accepts tensors and
plain containers, so a file carrying a pickled object is refused before anything in it runs. A refused
file is then read opcode by opcode (pickletools, which runs nothing) to tell the student which it was:
a file that imports Python code, or one that is damaged or not a checkpoint at all.
"""

from __future__ import annotations

import io
import pickletools
import platform
import re
import warnings
import zipfile
from pathlib import Path
from typing import BinaryIO

import torch
from torch import nn

from cnnviz.arch import Architecture, ArchitectureError, build, from_json, to_json
from cnnviz.errors import CnnvizError
from cnnviz.i18n import N_

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
                raise CheckpointError(N_("{where} has the key {key}; metadata keys must be strings"), where=where,
                                      key=repr(key))
            _check_plain(item, f"{where}[{key!r}]")
    elif type(value) in (list, tuple):
        for i, item in enumerate(value):
            _check_plain(item, f"{where}[{i}]")
    elif type(value) not in PLAIN:
        raise CheckpointError(N_("{where} is a {kind}; store only numbers, text, lists and dicts"), where=where,
                              kind=type(value).__name__)


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


# What torch.save itself imports to rebuild tensors: never the reason a file was refused.
_TENSOR_NAMES = re.compile(r"(torch\._utils\._rebuild_\w+|torch\.\w*Storage|collections\.OrderedDict|torch\.Size)")
MAX_PICKLE_BYTES = 64 * 2**20  # a checkpoint's data.pkl holds names and numbers only: kilobytes
_DOTTED_NAME = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


def _pickles(data: bytes) -> list[bytes]:
    """The pickle streams in a file: data.pkl inside torch.save's zip archive, or the whole file."""
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                # A size limit: a crafted archive could inflate a small upload into gigabytes.
                return [archive.read(info) for info in archive.infolist()
                        if info.filename.endswith(".pkl") and info.file_size <= MAX_PICKLE_BYTES]
        except (zipfile.BadZipFile, OSError, EOFError):  # a zip cut short: nothing to read in order
            return []
    return [data]


def _imports(stream: bytes) -> list[str]:
    """The Python names a pickle stream imports ("io.open"), read without running it; stops where the
    bytes stop being pickle opcodes (random bytes stop within a few)."""
    names, strings = [], []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # random bytes make pickletools decode invalid escapes
            for opcode, arg, _ in pickletools.genops(stream):
                if opcode.name in ("GLOBAL", "INST"):
                    names.append(str(arg).replace(" ", "."))
                elif opcode.name == "STACK_GLOBAL" and len(strings) >= 2:  # module, name pushed just before
                    names.append(f"{strings[-2]}.{strings[-1]}")
                elif isinstance(arg, str):
                    strings.append(arg)
    except Exception:  # noqa: BLE001 - genops raises ValueError, UnicodeDecodeError, ... on any bad byte
        pass
    return [name for name in names if _DOTTED_NAME.fullmatch(name)]


def _code_imports(data: bytes) -> list[str]:
    """Names a refused file imports beyond the few torch.save writes for tensors: the code it carries."""
    found = [name for stream in _pickles(data) for name in _imports(stream)]
    return list(dict.fromkeys(name for name in found if not _TENSOR_NAMES.fullmatch(name)))


# One whole sentence per kind of damage, so a translator sees each.
_DAMAGED = {
    "empty": N_("this file is truncated or is not a PyTorch checkpoint (the file is empty); nothing in it was run. "
                "Download it or save it again from the Train page"),
    "zip": N_("this file is truncated or is not a PyTorch checkpoint (its zip archive is damaged or cut short); "
              "nothing in it was run. Download it or save it again from the Train page"),
    "bytes": N_("this file is truncated or is not a PyTorch checkpoint (its bytes are not a checkpoint's); nothing "
                "in it was run. Download it or save it again from the Train page"),
}


def _damage(data: bytes) -> str:
    if not data:
        return "empty"
    return "zip" if data.startswith(b"PK") else "bytes"


def _refused(data: bytes) -> CheckpointError:
    """Why torch.load refused `data`, in words: code it imports, or damage."""
    code = _code_imports(data)
    if code:
        return CheckpointError(
            N_("this file carries Python code or objects ({names}), not only weights, so it was refused and "
               "nothing in it was run. Load only checkpoints saved by cnnviz"), names=", ".join(code[:3]))
    return CheckpointError(_DAMAGED[_damage(data)])


def _bytes(path_or_file) -> bytes:
    if isinstance(path_or_file, (str, Path)):
        return Path(path_or_file).read_bytes()
    return path_or_file.read()


def _read(path_or_file) -> dict:
    data = _bytes(path_or_file)  # checkpoints are small; the bytes are needed again to explain a refusal
    try:
        with warnings.catch_warnings():  # torch warns about any pickle protocol but its own, before refusing it
            warnings.filterwarnings("ignore", "Detected pickle protocol", UserWarning)
            payload = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as exc:  # torch.load on arbitrary bytes raises many types (UnpicklingError, EOFError, ...)
        raise _refused(data) from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(N_("this file is a PyTorch file but not a cnnviz checkpoint; save one from the Train "
                                 "page"))
    if payload.get("version") != VERSION:
        raise CheckpointError(N_("checkpoint format version {version} is not supported (this cnnviz reads version "
                                 "{supported}); save it again with this version"),
                              version=repr(payload.get("version")), supported=VERSION)
    return payload


def _load_weights(model: nn.Module, state: dict, spec: Architecture) -> None:
    result = model.load_state_dict(state, strict=False)
    problems = []
    if result.missing_keys:
        problems.append(f"missing {', '.join(result.missing_keys[:5])}")  # parameter names: left in English
    if result.unexpected_keys:
        problems.append(f"unexpected {', '.join(result.unexpected_keys[:5])}")
    if problems:
        raise CheckpointError(N_("the weights do not fit the architecture {name}: {problems}; the file was edited "
                                 "or saved for another architecture"), name=repr(spec.name),
                              problems="; ".join(problems))


def load(path_or_file: str | Path | BinaryIO) -> tuple[nn.Module, Architecture, dict]:
    """(model in eval mode on the CPU, its architecture, its metadata); CheckpointError if unusable."""
    payload = _read(path_or_file)
    try:
        spec = from_json(payload.get("architecture", ""))
        model = build(spec)
    except ArchitectureError as exc:
        raise CheckpointError(N_("the checkpoint's architecture is invalid: {error}"), error=exc) from exc
    state = payload.get("state_dict")
    if not isinstance(state, dict):
        raise CheckpointError(N_("the checkpoint holds no weights (state_dict); save it again"))
    try:
        _load_weights(model, state, spec)
    except RuntimeError as exc:  # shape mismatches
        detail = "; ".join(line.strip() for line in str(exc).splitlines()[1:4])
        raise CheckpointError(N_("the weights do not fit the architecture {name}: {detail}"), name=repr(spec.name),
                              detail=detail) from exc
    meta = payload.get("meta")
    return model.eval(), spec, meta if isinstance(meta, dict) else {}
