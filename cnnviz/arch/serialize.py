"""JSON and URL forms of an architecture; anything malformed or hostile is refused with a clear message."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import zlib

from cnnviz.arch.spec import (
    INPUT_SHAPE, LAYER_TYPES, MAX_LAYERS, Architecture, ArchitectureError, describe, input_problem,
)
from cnnviz.i18n import N_

FORMAT = "cnnviz-architecture"
VERSION = 1
MAX_JSON_CHARS = 100_000
MAX_NAME = 100
MAX_DESCRIPTION = 2_000


def to_dict(spec: Architecture) -> dict:
    layers = [{"type": type(layer).__name__, **dataclasses.asdict(layer)} for layer in spec.layers]
    return {"format": FORMAT, "version": VERSION, "name": spec.name, "description": spec.description,
            "input_shape": list(spec.input_shape), "layers": layers}


def to_json(spec: Architecture) -> str:
    return json.dumps(to_dict(spec), indent=2)


def from_json(text: str | bytes) -> Architecture:
    """The architecture in `text`; raises ArchitectureError naming what is wrong (and which layer)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ArchitectureError(N_("the file is not UTF-8 text; export the JSON from this page again")) from None
    if len(text) > MAX_JSON_CHARS:
        raise ArchitectureError(N_("the JSON has {count:,} characters, more than the limit of {limit:,}"),
                                count=len(text), limit=MAX_JSON_CHARS)
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ArchitectureError(N_("the text is not valid JSON ({reason}); export the JSON from this page again"),
                                reason=str(exc)) from None
    return from_dict(data)


def from_dict(data) -> Architecture:
    if not isinstance(data, dict) or not isinstance(data.get("layers"), list):
        raise ArchitectureError(N_('the JSON must be an object with a "layers" list, as this page exports it'))
    if data.get("format", FORMAT) != FORMAT or data.get("version", VERSION) != VERSION:
        raise ArchitectureError(N_('"format" must be "{format}" and "version" {version}'), format=FORMAT,
                                version=VERSION)
    name, description = data.get("name", "imported"), data.get("description", "")
    if not isinstance(name, str) or not isinstance(description, str):
        raise ArchitectureError(N_('"name" and "description" must be text'))
    if len(name) > MAX_NAME or len(description) > MAX_DESCRIPTION:
        raise ArchitectureError(N_('"name" is limited to {name_limit} characters, "description" to {limit}'),
                                name_limit=MAX_NAME, limit=MAX_DESCRIPTION)
    if len(data["layers"]) > MAX_LAYERS:
        raise ArchitectureError(N_("{count} layers is more than the limit of {limit}"), count=len(data["layers"]),
                                limit=MAX_LAYERS)
    layers = tuple(layer_from_dict(i, item) for i, item in enumerate(data["layers"], start=1))
    return Architecture(name, description, layers, input_shape_from(data.get("input_shape", list(INPUT_SHAPE))))


def input_shape_from(value) -> tuple[int, int, int]:
    """The "input_shape" entry, [channels, height, width]; files written before it existed mean 1x28x28."""
    problem = input_problem(tuple(value) if isinstance(value, list) else value)
    if problem:
        raise ArchitectureError(N_('"input_shape": {problem}'), problem=problem)
    return tuple(value)


def layer_from_dict(index: int, item):
    """One layer spec from {"type": "Conv", "out_channels": 6, ...}; sizes are checked against the limits."""
    if not isinstance(item, dict) or item.get("type") not in LAYER_TYPES:
        known = ", ".join(LAYER_TYPES)
        got = item.get("type") if isinstance(item, dict) else item
        raise ArchitectureError(N_("layer {index}: unknown layer type {kind!r}; use one of {known}"), index,
                                index=index, kind=str(got)[:40], known=known)
    cls = LAYER_TYPES[item["type"]]
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values = {k: v for k, v in item.items() if k != "type"}
    unknown = sorted(set(values) - set(fields))
    missing = [n for n, f in fields.items() if n not in values and f.default is dataclasses.MISSING]
    if unknown or missing:
        raise ArchitectureError(
            N_("layer {index}, {kind}: unknown fields {unknown} / missing fields {missing}; its fields are {fields}"),
            index, index=index, kind=cls.__name__, unknown=unknown, missing=missing, fields=", ".join(fields))
    if any(not isinstance(v, (int, float, str, type(None))) for v in values.values()):
        raise ArchitectureError(N_("layer {index}, {kind}: field values must be numbers or text"), index,
                                index=index, kind=cls.__name__)
    layer = cls(**values)
    problem = layer.field_problem()
    if problem:
        raise ArchitectureError(N_("{layer}: {problem}."), index, layer=describe(index, layer), problem=problem)
    return layer


def to_url_token(spec: Architecture) -> str:
    """A short URL-safe string holding the whole architecture (compressed JSON)."""
    raw = json.dumps(to_dict(spec), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


def from_url_token(token: str) -> Architecture:
    """Inverse of to_url_token; refuses tokens that are not ours or that inflate beyond the JSON limit."""
    if not isinstance(token, str) or len(token) > MAX_JSON_CHARS:
        raise ArchitectureError(N_("the architecture in the link is too long; share the JSON file instead"))
    try:
        packed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, MAX_JSON_CHARS + 1)
    except (binascii.Error, ValueError, zlib.error):
        raise ArchitectureError(N_("the architecture in the link is damaged; copy the whole link again")) from None
    if len(raw) > MAX_JSON_CHARS or inflater.unconsumed_tail:
        raise ArchitectureError(N_("the architecture in the link is too large"))
    return from_json(raw)
