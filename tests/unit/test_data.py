"""The real Fashion-MNIST: sizes, balance and the published pixel statistics."""

from __future__ import annotations

import pytest
import torch

from cnnviz import data


@pytest.fixture(scope="module")
def train_set():
    return data.load_fashion_mnist(train=True)


def test_training_set_is_the_real_one(train_set):
    images, labels = train_set
    assert images.shape == (60_000, 28, 28) and images.dtype == torch.uint8
    assert labels.shape == (60_000,) and labels.dtype == torch.int64
    assert torch.bincount(labels, minlength=10).tolist() == [6_000] * 10
    assert round(images.double().mean().item(), 2) == 72.94


def test_test_set_is_the_real_one():
    images, labels = data.load_fashion_mnist(train=False)
    assert images.shape == (10_000, 28, 28) and images.dtype == torch.uint8
    assert torch.bincount(labels, minlength=10).tolist() == [1_000] * 10


def test_classes_are_torchvisions():
    from torchvision.datasets import FashionMNIST

    assert list(data.CLASSES) == FashionMNIST.classes


def test_cnnviz_data_comes_first_and_gz_files_are_decompressed_into_the_cache(tmp_path, monkeypatch):
    source = data.find_dataset_dir()
    own = tmp_path / "mine"
    own.mkdir()
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                 "t10k-labels-idx1-ubyte"):
        plain, packed = source / name, source / f"{name}.gz"
        (own / (name if plain.is_file() else f"{name}.gz")).symlink_to(plain if plain.is_file() else packed)
    monkeypatch.setenv("CNNVIZ_DATA", str(own))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert data.search_dirs()[0] == own and data.find_dataset_dir() == own
    images, labels = data.load_fashion_mnist(train=False)
    assert images.shape == (10_000, 28, 28) and labels[:5].tolist() == [9, 2, 1, 1, 6]


def test_missing_data_lists_every_way_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNVIZ_DATA", str(tmp_path / "empty"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(data, "DEBIAN_DIR", tmp_path / "no-debian")
    with pytest.raises(data.DatasetMissing) as err:
        data.load_fashion_mnist(train=False)
    message = str(err.value)
    assert str(tmp_path / "empty") in message and "apt-get install dataset-fashion-mnist" in message
    assert "CNNVIZ_DATA" in message and "Download" in message


def test_torchvisions_own_reader_finds_the_same_data(tmp_path, monkeypatch):
    """The book's loader (torchvision's FashionMNIST with download=False) reads what cnnviz reads."""
    from torchvision.datasets import FashionMNIST

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = data.torchvision_root()
    assert root == tmp_path / "cache" / "cnnviz"
    theirs = FashionMNIST(root=str(root), train=False, download=False)
    images, labels = data.load_fashion_mnist(train=False)
    assert torch.equal(theirs.data, images) and torch.equal(theirs.targets, labels)


def test_by_name_is_the_same_fashion_mnist():
    images, labels = data.load_dataset("fashion-mnist", train=False)
    old_images, old_labels = data.load_fashion_mnist(train=False)
    assert torch.equal(images, old_images) and torch.equal(labels, old_labels)
    assert data.find_dataset_dir("fashion-mnist") == data.find_dataset_dir()
    assert data.class_names("fashion-mnist") == data.CLASSES and data.DEFAULT_DATASET == "fashion-mnist"


def test_fashion_mnist_pixel_statistics_are_the_real_ones(train_set):
    images = train_set[0].double() / 255
    info = data.dataset_info("fashion-mnist")
    assert round(images.mean().item(), 4) == info.pixel_mean and round(images.std().item(), 4) == info.pixel_std
