"""The book's recipes: settings as the book states them, presets that exist at the book's sizes, and a short
CPU training of every book network through fit, resize included."""

from __future__ import annotations

import pytest
import torch

from cnnviz.arch import PRESETS, build, count_params
from cnnviz.data import load_fashion_mnist
from cnnviz.training.recipes import RECIPES, departures, recipe_config, recipes_for, run_recipe, where
from cnnviz.training.loop import fit
from cnnviz.training.input import input_shape_of

BOOK_NETWORKS = sorted({r.preset for r in RECIPES.values()})


@pytest.mark.parametrize("key", sorted(RECIPES))
def test_every_recipe_trains_a_preset_built_for_the_books_size(key):
    """A recipe whose preset is missing fails here; it is never skipped."""
    recipe = RECIPES[key]
    assert recipe.preset in PRESETS, f"{key}: preset {recipe.preset!r} is not in cnnviz.arch.PRESETS"
    assert input_shape_of(PRESETS[recipe.preset]) == (1, recipe.input_size, recipe.input_size)
    assert (recipe.config.input_size or 28) == recipe.input_size


@pytest.mark.parametrize("key", sorted(RECIPES))
def test_every_recipe_is_d2ls_training_loop(key):
    config = RECIPES[key].config
    config.validate()
    assert (config.optimizer, config.momentum, config.weight_decay, config.lr_schedule) == ("sgd", 0.0, 0.0, "constant")
    assert config.epochs == 10 and not config.normalize_input  # ToTensor's [0, 1], no Normalize
    assert config.init == ("default" if key in ("alexnet_en", "densenet_en", "regnet_en") else "xavier")


def test_the_two_lenet_recipes_are_the_books():
    zh, en = recipes_for("lenet")
    assert (zh.key, zh.section, zh.config.lr, zh.config.batch_size) == ("lenet_zh", "6.6", 0.9, 256)
    assert (en.key, en.section, en.config.lr, en.config.batch_size) == ("lenet_en", "7.6", 0.1, 128)
    printed = zh.printed
    assert (printed.loss, printed.train_accuracy, printed.test_accuracy) == (0.469, 0.823, 0.779)
    assert en.printed is None  # the English edition only plots


@pytest.mark.parametrize("key, lr, batch, size, printed", [
    ("alexnet_zh", 0.01, 128, 224, (0.331, 0.878, 0.883)),
    ("vgg_zh", 0.05, 128, 224, (0.178, 0.935, 0.920)),
    ("nin_zh", 0.1, 128, 224, (0.563, 0.786, 0.790)),
    ("googlenet_zh", 0.1, 128, 96, (0.262, 0.900, 0.886)),
    ("lenet_bn_zh", 1.0, 256, 28, (0.267, 0.902, 0.708)),
    ("resnet_zh", 0.05, 256, 96, (0.012, 0.997, 0.893)),
    ("densenet_zh", 0.1, 256, 96, (0.140, 0.948, 0.885)),
    ("alexnet_en", 0.01, 128, 224, None),
    ("vgg_en", 0.01, 128, 224, None),
    ("nin_en", 0.05, 128, 224, None),
    ("googlenet_en", 0.01, 128, 96, None),
    ("lenet_bn_en", 0.1, 128, 28, None),
    ("resnet_en", 0.01, 128, 96, None),
    ("densenet_en", 0.01, 128, 96, None),
    ("regnet_en", 0.05, 128, 96, None),
])
def test_the_modern_networks_recipes_are_the_books(key, lr, batch, size, printed):
    recipe = RECIPES[key]
    assert (recipe.config.lr, recipe.config.batch_size, recipe.input_size) == (lr, batch, size)
    got = recipe.printed and (recipe.printed.loss, recipe.printed.train_accuracy, recipe.printed.test_accuracy)
    assert got == printed


def test_recipe_config_replaces_only_what_a_run_changes():
    config = recipe_config(RECIPES["googlenet_zh"], device="cpu", seed=2, max_train_samples=100)
    assert (config.lr, config.input_size, config.device, config.seed) == (0.1, 96, "cpu", 2)


@pytest.fixture(scope="module")
def tiny_sets():
    """8 training and 4 test images of the real Fashion-MNIST, uint8 28x28: two batches keep the file quick."""
    train_images, train_labels = load_fashion_mnist(train=True)
    test_images, test_labels = load_fashion_mnist(train=False)
    return (train_images[:8], train_labels[:8]), (test_images[:4], test_labels[:4])


@pytest.mark.parametrize("preset", BOOK_NETWORKS)
def test_every_book_network_trains_end_to_end_on_the_cpu(preset, tiny_sets):
    """Two batches of 4 images at the book's size through fit (resize, init, SGD, evaluation)."""
    recipe = recipes_for(preset)[0]
    assert preset in PRESETS, f"preset {preset!r} is missing from cnnviz.arch.PRESETS"
    spec = PRESETS[preset]
    channels, side, _ = input_shape_of(spec)
    torch.manual_seed(0)
    model = build(spec, channels, side)
    config = recipe_config(recipe, device="cpu", epochs=1, batch_size=4, report_every=1)
    reports = []
    history = fit(model, *tiny_sets, config, on_progress=reports.append)
    assert history.status == "finished", history.message
    assert [r.step for r in reports] == [1, 2] and reports[-1].test_accuracy is not None
    assert all(torch.isfinite(p).all() for p in model.parameters())
    assert sum(p.numel() for p in model.parameters()) == count_params(spec, (channels, side, side))


def test_where_names_the_section_in_both_editions():
    assert where(RECIPES["lenet_zh"]) == where(RECIPES["lenet_en"]) == "d2l 7.6 / zh 6.6"
    assert where(RECIPES["googlenet_zh"]) == "d2l 8.4 / zh 7.4"


def test_departures_name_each_changed_setting_with_the_books_value():
    recipe = RECIPES["lenet_zh"]
    assert departures(recipe, recipe.config) == []
    changed = recipe_config(recipe, lr=0.3, init="default", device="cpu", seed=4, max_train_samples=512)
    assert departures(recipe, changed) == ["learning rate 0.3 (the book: 0.9)",
                                           "initialisation default (the book: xavier)"]
    assert departures(recipe, recipe_config(recipe, normalize_input=True)) == [
        "input scaling standardised (the book: [0, 1])"]


def test_a_run_follows_a_recipe_whatever_its_epochs_subset_or_seed():
    zh = RECIPES["lenet_zh"]
    assert run_recipe("lenet", recipe_config(zh, epochs=2, seed=3, max_train_samples=512)) is zh
    assert run_recipe("lenet", recipe_config(RECIPES["lenet_en"], device="cpu")) is RECIPES["lenet_en"]
    assert run_recipe("lenet", recipe_config(zh, lr=0.1)) is None  # neither edition's learning rate with batch 256
    assert run_recipe("lenet_relu", zh.config) is None  # the book trains the sigmoid LeNet
