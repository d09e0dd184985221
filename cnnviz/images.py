"""Uploaded images: checked, decoded with Pillow, made grayscale and small."""

from __future__ import annotations

import io

import torch
from PIL import Image, ImageOps, UnidentifiedImageError

from cnnviz.errors import CnnvizError
from cnnviz.i18n import N_

MAX_UPLOAD_BYTES = 10 * 2**20  # matches .streamlit/config.toml's maxUploadSize
MAX_PIXELS = 40_000_000  # refuse decompression bombs long before Pillow's own limit


class BadImage(CnnvizError):
    """An upload that is not a usable image."""


def load_grayscale(data: bytes, max_side: int = 32, invert: bool = False) -> torch.Tensor:
    """Decode image bytes to a float tensor (h, w) in [0, 255], shrunk so its longer side is <= max_side."""
    if not data:
        raise BadImage(N_("the uploaded file is empty; upload a PNG or JPEG image"))
    if len(data) > MAX_UPLOAD_BYTES:
        raise BadImage(N_("the uploaded file is {size} MB; upload an image under {most} MB"),
                       size=f"{len(data) / 2**20:.1f}", most=MAX_UPLOAD_BYTES // 2**20)
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > MAX_PIXELS:
                raise BadImage(N_("the image is {w}×{h} pixels; upload a smaller image"), w=img.width,
                               h=img.height)
            img.load()
            gray = ImageOps.exif_transpose(img).convert("L")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        if isinstance(exc, BadImage):
            raise
        raise BadImage(N_("the uploaded file is not a readable image (it may be corrupt or another kind of file); "
                          "upload a PNG or JPEG")) from exc
    gray.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    if invert:
        gray = ImageOps.invert(gray)
    return torch.frombuffer(bytearray(gray.tobytes()), dtype=torch.uint8).reshape(gray.height, gray.width).float()


def to_fashion_mnist(data: bytes) -> torch.Tensor:
    """An upload as a Fashion-MNIST-like uint8 (28, 28) image: grayscale, fitted and padded, light on dark."""
    gray = load_grayscale(data, max_side=28).to(torch.uint8)  # (h, w)
    # Fashion-MNIST shows a light garment on a black background; photos are usually the reverse.
    if gray.float().mean() > 127:
        gray = 255 - gray
    out = torch.zeros(28, 28, dtype=torch.uint8)
    h, w = gray.shape
    top, left = (28 - h) // 2, (28 - w) // 2
    out[top:top + h, left:left + w] = gray
    return out
