"""MNIST by name, on small IDX files the test writes itself (real header format), read through the same
code path as the real files; the Fashion-MNIST defaults stay as they were."""

from __future__ import annotations

import gzip
import struct

import pytest
import torch

from cnnviz import data

FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def idx_bytes(tensor: torch.Tensor) -> bytes:
    """The IDX format of LeCun's MNIST page: 0, 0, type 0x08 (unsigned byte), rank; big-endian sizes; data."""
    header = struct.pack(">BBBB", 0, 0, 0x08, tensor.dim()) + struct.pack(f">{tensor.dim()}I", *tensor.shape)
    return header + tensor.to(torch.uint8).numpy().tobytes()


def small_digits(count: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    images = torch.randint(0, 256, (count, 28, 28), generator=generator, dtype=torch.uint8)
    return images, torch.arange(count) % 10


@pytest.fixture
def written():
    return {True: small_digits(12, 1), False: small_digits(5, 2)}


def write_idx(directory, sets, packed: bool) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for train, (images, labels) in sets.items():
        for file, tensor in zip(data._FILES[train], (images, labels)):
            if packed:
                with gzip.open(directory / f"{file}.gz", "wb") as out:
                    out.write(idx_bytes(tensor))
            else:
                (directory / file).write_bytes(idx_bytes(tensor))


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No CNNVIZ_DATA, an empty user cache, no Debian package: only what a test writes exists."""
    monkeypatch.delenv("CNNVIZ_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(data, "DEBIAN_DIR", tmp_path / "no-debian")
    return tmp_path


@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gzip"])
def test_mnist_loads_from_cnnviz_data_in_torchvisions_layout(isolated, monkeypatch, written, packed):
    write_idx(isolated / "mine" / "MNIST" / "raw", written, packed)
    monkeypatch.setenv("CNNVIZ_DATA", str(isolated / "mine"))
    assert data.find_dataset_dir("mnist") == isolated / "mine" / "MNIST" / "raw"
    for train in (True, False):
        images, labels = data.load_dataset("mnist", train=train)
        assert images.dtype == torch.uint8 and labels.dtype == torch.int64
        assert torch.equal(images, written[train][0]) and torch.equal(labels, written[train][1])
    if packed:  # decompressed into MNIST's own cache folder, never Fashion-MNIST's (same file names)
        cache = isolated / "cache" / "cnnviz"
        assert all((cache / "MNIST" / "raw" / f).is_file() for f in FILES)
        assert not (cache / "FashionMNIST").exists()


def test_torchvisions_mnist_reader_reads_what_cnnviz_reads(isolated, written):
    from torchvision.datasets import MNIST

    write_idx(isolated / "cache" / "cnnviz" / "MNIST" / "raw", written, packed=True)  # the user cache
    root = data.torchvision_root("mnist")
    theirs = MNIST(root=str(root), train=False, download=False)
    images, labels = data.load_dataset("mnist", train=False)
    assert torch.equal(theirs.data, images) and torch.equal(theirs.targets, labels)


def test_files_at_the_top_of_cnnviz_data_are_fashion_mnist_not_mnist(isolated, monkeypatch, written):
    """The folder itself has always meant Fashion-MNIST; MNIST must not pick up those files."""
    write_idx(isolated / "mine", written, packed=False)
    monkeypatch.setenv("CNNVIZ_DATA", str(isolated / "mine"))
    assert data.find_dataset_dir() == isolated / "mine"
    assert data.find_dataset_dir("mnist") is None


def test_missing_mnist_says_where_it_looked_and_how_to_get_it(isolated, monkeypatch):
    monkeypatch.setenv("CNNVIZ_DATA", str(isolated / "empty"))
    with pytest.raises(data.DatasetMissing) as err:
        data.load_dataset("mnist", train=False)
    message = str(err.value)
    assert message.startswith("MNIST was not found")
    assert str(isolated / "empty" / "MNIST" / "raw") in message
    assert str(isolated / "cache" / "cnnviz" / "MNIST" / "raw") in message
    assert "python -m cnnviz.data mnist" in message and "no MNIST package" in message
    assert "fashion" not in message.lower()


def test_an_incomplete_copy_is_not_found(isolated, written):
    raw = isolated / "cache" / "cnnviz" / "MNIST" / "raw"
    write_idx(raw, written, packed=False)
    (raw / "t10k-labels-idx1-ubyte").unlink()
    assert data.find_dataset_dir("mnist") is None


def test_class_names_per_dataset_are_torchvisions():
    from torchvision.datasets import MNIST, FashionMNIST

    assert data.class_names("mnist") == tuple(c.split(" - ")[0] for c in MNIST.classes)  # "0 - zero" -> "0"
    assert list(data.class_names()) == FashionMNIST.classes and data.class_names() == data.CLASSES


def test_an_unknown_dataset_names_the_ones_that_work():
    with pytest.raises(data.UnknownDataset, match="'cifar'.*fashion-mnist, mnist"):
        data.load_dataset("cifar")


def test_fashion_mnist_defaults_are_the_by_name_functions(isolated, monkeypatch):
    monkeypatch.setenv("CNNVIZ_DATA", str(isolated / "mine"))
    assert data.search_dirs() == data.search_dirs("fashion-mnist")
    assert data.search_dirs()[:2] == [isolated / "mine", isolated / "mine" / "FashionMNIST" / "raw"]
    assert data.missing_message() == data.missing_message("fashion-mnist")
    assert "apt-get install dataset-fashion-mnist" in data.missing_message()


def test_the_command_line_names_an_unknown_dataset_without_a_traceback(capsys):
    assert data.main(["cifar"]) == 1
    assert "not one cnnviz serves" in capsys.readouterr().err
