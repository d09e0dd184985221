"""The real Fashion-MNIST and MNIST, served by name, found offline where possible, read with torchvision's
own readers.

Each dataset is looked for the same way: $CNNVIZ_DATA, the user cache, a system package where one exists
(Debian ships `dataset-fashion-mnist`; it has no MNIST package), and torchvision's download when asked.
The Fashion-MNIST functions of earlier versions (CLASSES, load_fashion_mnist, find_dataset_dir, ...) keep
working unchanged: they are the by-name functions called with the default name.
"""

from __future__ import annotations

import gzip
import os
import shutil
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import torch

from cnnviz.errors import CnnvizError
from cnnviz.i18n import DEFAULT_LANGUAGE, N_, tr

# torchvision.datasets.FashionMNIST.classes, in label order.
CLASSES = (  # marked for translation: the zh edition's names (T恤, 裤子, ...) are in the catalog
    N_("T-shirt/top"), N_("Trouser"), N_("Pullover"), N_("Dress"), N_("Coat"),
    N_("Sandal"), N_("Shirt"), N_("Sneaker"), N_("Bag"), N_("Ankle boot"),
)
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
_FILES = {
    True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


@dataclass(frozen=True)
class DatasetInfo:
    """What differs between the datasets; both use the same four IDX file names and 28x28 images."""

    name: str  # the key in DATASETS: "fashion-mnist"
    title: str  # as people write it: "Fashion-MNIST"
    folder: str  # torchvision's class and folder name: root/<folder>/raw holds the files
    classes: tuple[str, ...]  # in label order
    download_mb: int  # the compressed size torchvision downloads
    pixel_mean: float  # of the training images scaled to [0, 1], for a model's input normalisation
    pixel_std: float
    system_package: str | None = None  # a Debian package holding the files, where one exists


FASHION_MNIST, MNIST = "fashion-mnist", "mnist"
DEFAULT_DATASET = FASHION_MNIST
DATASETS: dict[str, DatasetInfo] = {
    # Fashion-MNIST's statistics are measured on the real files (tests/unit/test_data.py); MNIST's are the
    # values torchvision's and PyTorch's examples normalise with (no MNIST copy here to measure).
    FASHION_MNIST: DatasetInfo(FASHION_MNIST, "Fashion-MNIST", "FashionMNIST", CLASSES, 30, 0.2860, 0.3530,
                               "dataset-fashion-mnist"),
    MNIST: DatasetInfo(MNIST, "MNIST", "MNIST", tuple(str(digit) for digit in range(10)), 11, 0.1307, 0.3081),
}


class DatasetMissing(CnnvizError):
    """A dataset was not found in any of the places cnnviz looks. Raised by the loaders with the dataset's
    name, so a page shows `missing_message` in its reader's language."""

    def __init__(self, template: str, dataset: str | None = None, **values):
        super().__init__(template, **values)
        self.dataset = dataset

    def render(self, lang: str) -> str:
        return missing_message(self.dataset, lang) if self.dataset else super().render(lang)


class UnknownDataset(CnnvizError):
    """A dataset name cnnviz does not serve."""


def dataset_info(name: str = DEFAULT_DATASET) -> DatasetInfo:
    """The dataset called `name`; UnknownDataset lists the names that work."""
    if name not in DATASETS:
        raise UnknownDataset(f"dataset {name!r} is not one cnnviz serves; use one of: {', '.join(DATASETS)}")
    return DATASETS[name]


def class_names(name: str = DEFAULT_DATASET) -> tuple[str, ...]:
    """The class names in label order: Fashion-MNIST's garments, or "0".."9" for MNIST."""
    return dataset_info(name).classes


def cache_dir() -> Path:
    """Where cnnviz keeps decompressed or downloaded data: $XDG_CACHE_HOME/cnnviz or ~/.cache/cnnviz."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "cnnviz"


def _raw_dir(root: Path, name: str = DEFAULT_DATASET) -> Path:
    """torchvision's layout: root/FashionMNIST/raw or root/MNIST/raw."""
    return root / dataset_info(name).folder / "raw"


def _system_dir(name: str) -> Path | None:
    # Built at call time from the module constant, so tests and packagers can point DEBIAN_DIR elsewhere.
    return {FASHION_MNIST: DEBIAN_DIR}.get(name)


def search_dirs(name: str = DEFAULT_DATASET) -> list[Path]:
    """The places searched, in order: $CNNVIZ_DATA, the user cache, the system package (if any)."""
    dirs = []
    if os.environ.get("CNNVIZ_DATA"):
        root = Path(os.environ["CNNVIZ_DATA"])
        # The folder itself has always meant Fashion-MNIST; other datasets live in torchvision's layout there.
        dirs += [root, _raw_dir(root, name)] if name == FASHION_MNIST else [_raw_dir(root, name)]
    system = _system_dir(name)
    return [*dirs, _raw_dir(cache_dir(), name), *([system] if system else [])]


def _has(directory: Path, file: str) -> bool:
    return (directory / file).is_file() or (directory / f"{file}.gz").is_file()


def find_dataset_dir(name: str = DEFAULT_DATASET) -> Path | None:
    """The first searched directory holding all four files (plain or gzipped), or None."""
    files = _FILES[True] + _FILES[False]
    return next((d for d in search_dirs(name) if all(_has(d, f) for f in files)), None)


def _plain_file(directory: Path, file: str, name: str = DEFAULT_DATASET) -> Path:
    """The decompressed file; a gzipped one is decompressed once into the dataset's folder of the user cache."""
    if (directory / file).is_file():
        return directory / file
    target = _raw_dir(cache_dir(), name) / file
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{file}.{os.getpid()}-{threading.get_ident()}.partial")  # racing loaders
        with gzip.open(directory / f"{file}.gz", "rb") as src, open(partial, "wb") as dst:
            shutil.copyfileobj(src, dst)
        partial.replace(target)
    return target


def missing_message(name: str = DEFAULT_DATASET, lang: str = DEFAULT_LANGUAGE) -> str:
    """Where cnnviz looked for the dataset and every way to get it, in `lang` (Markdown: commands and
    folders as code)."""
    info = dataset_info(name)
    code = "`{}`".format
    if info.system_package:
        system = tr(lang, N_("On Debian or Ubuntu: {command}"),
                    command=code(f"sudo apt-get install {info.system_package}"))
    else:
        system = tr(lang, N_("Debian and Ubuntu ship no {title} package: copy the four files from a computer that "
                             "has them into {folder}"), title=info.title, folder=code(_raw_dir(cache_dir(), name)))
    # The home page's button fetches Fashion-MNIST; any dataset can be fetched from a shell.
    if name == FASHION_MNIST:
        how = tr(lang, N_("With internet: press 'Download {title}' on the home page (torchvision's download, about "
                          "{mb} MB, into the user cache)"), title=info.title, mb=info.download_mb)
        where = tr(lang, N_("Point {variable} at a folder holding the four {files} files"),
                   variable=code("CNNVIZ_DATA"), files=code("*-ubyte(.gz)"))
    else:
        how = tr(lang, N_("With internet: run {command} (torchvision's download, about {mb} MB, into the user cache)"),
                 command=code(f"python -m cnnviz.data {name}"), mb=info.download_mb)
        where = tr(lang, N_("Point {variable} at a folder whose {folder} holds the four {files} files"),
                   variable=code("CNNVIZ_DATA"), folder=code(f"{info.folder}/raw/"), files=code("*-ubyte(.gz)"))
    looked = "\n".join(f"- {code(d)}" for d in search_dirs(name))
    heading = tr(lang, N_("{title} was not found. cnnviz looked in:"), title=info.title)
    ways = tr(lang, N_("Ways to get it:"))
    return f"{heading}\n\n{looked}\n\n{ways}\n\n1. {system}\n2. {how}\n3. {where}"


def load_dataset(name: str = DEFAULT_DATASET, train: bool = True,
                 download: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """Images uint8 (N, 28, 28) and labels int64 (N,): 60,000 for train, 10,000 for test (both datasets).

    `download=True` falls back to torchvision's download into the user cache when no copy is found.
    """
    from torchvision.datasets.mnist import read_image_file, read_label_file

    directory = find_dataset_dir(name)
    if directory is None and download:
        directory = download_dataset(name)
    if directory is None:
        raise DatasetMissing(missing_message(name), dataset=name)
    image_file, label_file = _FILES[train]
    images = read_image_file(str(_plain_file(directory, image_file, name)))  # (N, 28, 28) uint8
    labels = read_label_file(str(_plain_file(directory, label_file, name))).long()  # (N,)
    return images, labels


def load_fashion_mnist(train: bool = True, download: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """Fashion-MNIST's images uint8 (N, 28, 28) and labels int64 (N,); see load_dataset."""
    return load_dataset(FASHION_MNIST, train, download)


def torchvision_root(name: str = DEFAULT_DATASET) -> Path:
    """A root that torchvision's own `FashionMNIST(root, download=False)` (or `MNIST`) reads (the book's
    loader, for benchmarks and reproductions): the user cache, holding the decompressed files in its raw/
    layout."""
    directory = find_dataset_dir(name)
    if directory is None:
        raise DatasetMissing(missing_message(name), dataset=name)
    raw = _raw_dir(cache_dir(), name)
    for file in _FILES[True] + _FILES[False]:
        source = _plain_file(directory, file, name)  # decompressed into raw/ when it was gzipped
        if source.parent != raw and not (raw / file).is_file():
            raw.mkdir(parents=True, exist_ok=True)
            (raw / file).symlink_to(source)
    return cache_dir()


def download_dataset(name: str = DEFAULT_DATASET) -> Path:
    """torchvision's download into the user cache (needs internet). Returns the raw directory."""
    import torchvision.datasets

    reader = getattr(torchvision.datasets, dataset_info(name).folder)  # FashionMNIST or MNIST
    for train in (True, False):
        reader(root=str(cache_dir()), train=train, download=True)
    return _raw_dir(cache_dir(), name)


def download_fashion_mnist() -> Path:
    """torchvision's download of Fashion-MNIST into the user cache (needs internet)."""
    return download_dataset(FASHION_MNIST)


def main(names: list[str]) -> int:
    """`python -m cnnviz.data mnist`: fetch datasets where there is internet; says what failed, no traceback."""
    for requested in names or [DEFAULT_DATASET]:
        try:
            print(f"{dataset_info(requested).title}: {download_dataset(requested)}")
        except (CnnvizError, OSError, RuntimeError) as exc:  # torchvision raises RuntimeError when offline
            print(f"{requested}: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
