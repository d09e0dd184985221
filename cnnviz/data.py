"""The real Fashion-MNIST, found offline where possible, read with torchvision's own readers."""

from __future__ import annotations

import gzip
import os
import shutil
import threading
from pathlib import Path

import torch

from cnnviz.errors import CnnvizError

# torchvision.datasets.FashionMNIST.classes, in label order.
CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
_FILES = {
    True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


class DatasetMissing(CnnvizError):
    """Fashion-MNIST was not found in any of the places cnnviz looks."""


def cache_dir() -> Path:
    """Where cnnviz keeps decompressed or downloaded data: $XDG_CACHE_HOME/cnnviz or ~/.cache/cnnviz."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "cnnviz"


def _raw_dir(root: Path) -> Path:
    """torchvision's layout: root/FashionMNIST/raw."""
    return root / "FashionMNIST" / "raw"


def search_dirs() -> list[Path]:
    """The places searched, in order: $CNNVIZ_DATA, the user cache, Debian's package."""
    dirs = []
    if os.environ.get("CNNVIZ_DATA"):
        root = Path(os.environ["CNNVIZ_DATA"])
        dirs += [root, _raw_dir(root)]
    return [*dirs, _raw_dir(cache_dir()), DEBIAN_DIR]


def _has(directory: Path, name: str) -> bool:
    return (directory / name).is_file() or (directory / f"{name}.gz").is_file()


def find_dataset_dir() -> Path | None:
    """The first searched directory holding all four files (plain or gzipped), or None."""
    names = _FILES[True] + _FILES[False]
    return next((d for d in search_dirs() if all(_has(d, n) for n in names)), None)


def _plain_file(directory: Path, name: str) -> Path:
    """The decompressed file; a gzipped one is decompressed once into the user cache."""
    if (directory / name).is_file():
        return directory / name
    target = _raw_dir(cache_dir()) / name
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{name}.{os.getpid()}-{threading.get_ident()}.partial")  # racing loaders
        with gzip.open(directory / f"{name}.gz", "rb") as src, open(partial, "wb") as dst:
            shutil.copyfileobj(src, dst)
        partial.replace(target)
    return target


def missing_message() -> str:
    looked = "\n".join(f"  - {d}" for d in search_dirs())
    return (
        "Fashion-MNIST was not found. cnnviz looked in:\n"
        f"{looked}\n"
        "Ways to get it:\n"
        "  1. On Debian or Ubuntu: sudo apt-get install dataset-fashion-mnist\n"
        "  2. With internet: press 'Download Fashion-MNIST' on the home page "
        "(torchvision's download, about 30 MB, into the user cache)\n"
        "  3. Point CNNVIZ_DATA at a folder holding the four *-ubyte(.gz) files"
    )


def load_fashion_mnist(train: bool = True, download: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """Images uint8 (N, 28, 28) and labels int64 (N,): 60,000 for train, 10,000 for test.

    `download=True` falls back to torchvision's download into the user cache when no copy is found.
    """
    from torchvision.datasets.mnist import read_image_file, read_label_file

    directory = find_dataset_dir()
    if directory is None and download:
        directory = download_fashion_mnist()
    if directory is None:
        raise DatasetMissing(missing_message())
    image_name, label_name = _FILES[train]
    images = read_image_file(str(_plain_file(directory, image_name)))  # (N, 28, 28) uint8
    labels = read_label_file(str(_plain_file(directory, label_name))).long()  # (N,)
    return images, labels


def torchvision_root() -> Path:
    """A root that torchvision's own `FashionMNIST(root, download=False)` reads (the book's loader, for
    benchmarks and reproductions): the user cache, holding the decompressed files in its raw/ layout."""
    directory = find_dataset_dir()
    if directory is None:
        raise DatasetMissing(missing_message())
    raw = _raw_dir(cache_dir())
    for name in _FILES[True] + _FILES[False]:
        source = _plain_file(directory, name)  # decompressed into raw/ when it was gzipped
        if source.parent != raw and not (raw / name).is_file():
            raw.mkdir(parents=True, exist_ok=True)
            (raw / name).symlink_to(source)
    return cache_dir()


def download_fashion_mnist() -> Path:
    """torchvision's download into the user cache (needs internet). Returns the raw directory."""
    from torchvision.datasets import FashionMNIST

    for train in (True, False):
        FashionMNIST(root=str(cache_dir()), train=train, download=True)
    return _raw_dir(cache_dir())
