"""The book's training recipes, per section and edition, exactly as its code states them, with the result
the book prints where it prints one.

Sources: d2l-zh master e6b18cc (2023-08-17) and d2l-en master 23d7a5a (2024-03-16); printed results from
d2l-ai/d2l-zh-pytorch-colab "Version 2.0.0" (10243a2, 2023-08-18), the PyTorch build of the Chinese book.
Both editions train with plain minibatch SGD (no momentum, no weight decay), cross-entropy, a constant
learning rate, shuffled batches, Fashion-MNIST through ToTensor's [0, 1] with no normalisation, resized by
torchvision's Resize when the network wants 224x224 or 96x96. The English edition prints nothing for these
runs (only plots), so its recipes carry no printed result.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from cnnviz.device import usable_cores
from cnnviz.i18n import N_
from cnnviz.training.config import TrainConfig

ZH_NOTEBOOKS = "d2l-ai/d2l-zh-pytorch-colab"


@dataclass(frozen=True)
class BookResult:
    """The last line train_ch6 prints: the final epoch's running means, then the test accuracy."""

    loss: float  # mean training loss over the last epoch, in training mode
    train_accuracy: float  # mean training accuracy over the last epoch, in training mode
    test_accuracy: float  # the whole test set after the last epoch, in evaluation mode
    examples_per_s: float  # training throughput the book printed
    device: str  # where the book ran, as printed ("cuda:0")
    source: str  # the notebook that prints it


@dataclass(frozen=True)
class Recipe:
    key: str  # "lenet_zh"
    edition: str  # "zh" | "en"
    section: str  # the section number in that edition
    title: str  # the section's title
    preset: str  # a name in cnnviz.arch.PRESETS
    input_size: int  # the side the book resizes Fashion-MNIST to (28: not resized)
    config: TrainConfig  # epochs, batch, lr, optimizer and init as the book states them
    source: str  # the file and the function whose call states the settings ("... · train_ch6")
    printed: BookResult | None = None  # what the book prints after training, where it does
    note: str = ""  # anything the code does that its text does not say


def _book(epochs: int, batch_size: int, lr: float, input_size: int, init: str = "xavier") -> TrainConfig:
    """d2l's training loop as a TrainConfig: plain SGD, constant lr, [0, 1] inputs, resized on the device."""
    return TrainConfig(epochs=epochs, batch_size=batch_size, lr=lr, optimizer="sgd", momentum=0.0,
                       weight_decay=0.0, lr_schedule="constant", init=init, normalize_input=False,
                       input_size=None if input_size == 28 else input_size)


def _zh(key, section, title, preset, size, epochs, batch, lr, file, printed=None, note=""):
    # train_ch6 applies Xavier uniform to every nn.Conv2d and nn.Linear weight itself (d2l/torch.py).
    return Recipe(key, "zh", section, title, preset, size, _book(epochs, batch, lr, size),
                  f"d2l-zh {file} · train_ch6", printed, note)


def _en(key, section, title, preset, size, epochs, batch, lr, file, init="xavier", note=""):
    return Recipe(key, "en", section, title, preset, size, _book(epochs, batch, lr, size, init),
                  f"d2l-en {file} · d2l.Trainer", None, note)


def _printed(loss, train_accuracy, test_accuracy, examples_per_s, notebook) -> BookResult:
    return BookResult(loss, train_accuracy, test_accuracy, examples_per_s, "cuda:0",
                      f"{ZH_NOTEBOOKS} {notebook}")


CNN = "chapter_convolutional-neural-networks"
MODERN = "chapter_convolutional-modern"

RECIPES: dict[str, Recipe] = {r.key: r for r in (
    _zh("lenet_zh", "6.6", "卷积神经网络（LeNet）", "lenet", 28, 10, 256, 0.9, f"{CNN}/lenet.md",
        _printed(0.469, 0.823, 0.779, 55296.6, f"{CNN}/lenet.ipynb")),
    _en("lenet_en", "7.6", "Convolutional Neural Networks (LeNet)", "lenet", 28, 10, 128, 0.1,
        f"{CNN}/lenet.md", note="The book shows only a plot: test accuracy about 0.73 after 10 epochs; the "
        "sigmoid network barely learns for the first four."),
    _zh("alexnet_zh", "7.1", "深度卷积神经网络（AlexNet）", "alexnet", 224, 10, 128, 0.01,
        f"{MODERN}/alexnet.md", _printed(0.331, 0.878, 0.883, 3941.8, f"{MODERN}/alexnet.ipynb")),
    _en("alexnet_en", "8.1", "Deep Convolutional Neural Networks (AlexNet)", "alexnet", 224, 10, 128, 0.01,
        f"{MODERN}/alexnet.md", init="default",
        note="AlexNet calls net.apply(d2l.init_cnn) while its layers are still LazyConv2d/LazyLinear, which "
        "init_cnn's exact type test skips: the weights keep PyTorch's default initialisation."),
    _zh("vgg_zh", "7.2", "使用块的网络（VGG）", "vgg11_narrow", 224, 10, 128, 0.05, f"{MODERN}/vgg.md",
        _printed(0.178, 0.935, 0.920, 2463.7, f"{MODERN}/vgg.ipynb"),
        note="The book trains VGG-11 with every width divided by 4 (ratio = 4), not the full VGG-11."),
    _en("vgg_en", "8.2", "Networks Using Blocks (VGG)", "vgg11_narrow", 224, 10, 128, 0.01, f"{MODERN}/vgg.md",
        note="arch=((1, 16), (1, 32), (2, 64), (2, 128), (2, 128)): VGG-11 with every width divided by 4."),
    _zh("nin_zh", "7.3", "网络中的网络（NiN）", "nin", 224, 10, 128, 0.1, f"{MODERN}/nin.md",
        _printed(0.563, 0.786, 0.790, 3087.6, f"{MODERN}/nin.ipynb")),
    _en("nin_en", "8.3", "Network in Network (NiN)", "nin", 224, 10, 128, 0.05, f"{MODERN}/nin.md"),
    _zh("googlenet_zh", "7.4", "含并行连结的网络（GoogLeNet）", "googlenet", 96, 10, 128, 0.1,
        f"{MODERN}/googlenet.md", _printed(0.262, 0.900, 0.886, 3265.5, f"{MODERN}/googlenet.ipynb")),
    _en("googlenet_en", "8.4", "Multi-Branch Networks (GoogLeNet)", "googlenet", 96, 10, 128, 0.01,
        f"{MODERN}/googlenet.md"),
    _zh("lenet_bn_zh", "7.5", "批量规范化", "lenet_bn", 28, 10, 256, 1.0, f"{MODERN}/batch-norm.md",
        _printed(0.267, 0.902, 0.708, 50597.3, f"{MODERN}/batch-norm.ipynb"),
        note="Printed for the concise network (nn.BatchNorm2d/1d, as cnnviz builds it); the book's "
        "from-scratch BatchNorm, same recipe, printed loss 0.273, train acc 0.899, test acc 0.807."),
    _en("lenet_bn_en", "8.5", "Batch Normalization", "lenet_bn", 28, 10, 128, 0.1, f"{MODERN}/batch-norm.md"),
    _zh("resnet_zh", "7.6", "残差网络（ResNet）", "resnet18", 96, 10, 256, 0.05, f"{MODERN}/resnet.md",
        _printed(0.012, 0.997, 0.893, 5032.7, f"{MODERN}/resnet.ipynb")),
    _en("resnet_en", "8.6", "Residual Networks (ResNet) and ResNeXt", "resnet18", 96, 10, 128, 0.01,
        f"{MODERN}/resnet.md", note="The book calls model.apply_init with a first batch, so init_cnn's Xavier "
        "initialisation reaches the materialised layers."),
    _zh("densenet_zh", "7.7", "稠密连接网络（DenseNet）", "densenet", 96, 10, 256, 0.1, f"{MODERN}/densenet.md",
        _printed(0.140, 0.948, 0.885, 5626.3, f"{MODERN}/densenet.ipynb")),
    _en("densenet_en", "8.7", "Densely Connected Networks (DenseNet)", "densenet", 96, 10, 128, 0.01,
        f"{MODERN}/densenet.md", init="default",
        note="DenseNet calls net.apply(d2l.init_cnn) while its layers are still lazy and never calls apply_init, "
        "so the weights keep PyTorch's default initialisation."),
    _en("regnet_en", "8.8", "Designing Convolution Network Architectures", "regnetx32", 96, 10, 128, 0.05,
        f"{MODERN}/cnn-design.md", init="default",
        note="RegNetX32 calls net.apply(d2l.init_cnn) while its layers are still lazy and never calls apply_init, "
        "so the weights keep PyTorch's default initialisation. The Chinese edition has no such section."),
)}


def recipes_for(preset: str) -> list[Recipe]:
    """The book's recipes that train `preset`, Chinese edition first (it prints its results)."""
    return sorted((r for r in RECIPES.values() if r.preset == preset), key=lambda r: r.edition != "zh")


def recipe_config(recipe: Recipe, **overrides) -> TrainConfig:
    """The recipe's TrainConfig with run-specific fields (device, seed, a subset) replaced."""
    return replace(recipe.config, **overrides)


# The settings a recipe fixes, with the words a page shows for them; the rest (device, seed, a subset,
# reporting) belong to the run. `momentum` only matters for SGD, which every recipe uses.
RECIPE_FIELDS = {"optimizer": N_("optimizer"), "lr": N_("learning rate"), "batch_size": N_("batch size"),
                 "epochs": N_("epochs"), "momentum": N_("momentum"), "weight_decay": N_("weight decay"),
                 "lr_schedule": N_("schedule"), "init": N_("initialisation"), "normalize_input": N_("input scaling"),
                 "input_size": N_("input size"), "label_smoothing": N_("label smoothing"),
                 "nesterov": N_("Nesterov momentum"), "warmup": N_("warm-up fraction"),
                 "whiten": N_("whitened first convolution")}


def where(recipe: Recipe) -> str:
    """The section in both editions, English first as d2l.ai numbers it: "d2l 7.6 / zh 6.6"."""
    sections = {r.edition: r.section for r in recipes_for(recipe.preset)}
    return " / ".join(f"{'d2l' if ed == 'en' else 'zh'} {sections[ed]}" for ed in ("en", "zh") if ed in sections)


def departures(recipe: Recipe, config: TrainConfig, ignore: tuple[str, ...] = ()) -> list[str]:
    """How `config` differs from the recipe, one "learning rate 0.3 (the book: 0.9)" per setting."""
    out = []
    for name, words in RECIPE_FIELDS.items():
        mine, book = getattr(config, name), getattr(recipe.config, name)
        if name in ignore or mine == book:
            continue
        out.append(f"{words} {_shown(name, mine)} (the book: {_shown(name, book)})")
    return out


def _shown(name: str, value) -> str:
    if name == "normalize_input":
        return "standardised" if value else "[0, 1]"
    if name == "input_size":
        return f"{value or 28}x{value or 28}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def run_recipe(preset: str, config: TrainConfig) -> Recipe | None:
    """The recipe a run follows apart from its number of epochs (the book prints after its own, and a
    shorter run still compares with it), or None."""
    for recipe in recipes_for(preset):
        if not departures(recipe, config, ignore=("epochs",)):
            return recipe
    return None


# Not the book's: a recipe designed for a live class, where a run must end while the room still watches.
# bench/time_to_accuracy.py measures it against the seeds' DataLoader loop in the same run.
DEMO_THREADS = min(4, usable_cores())  # a live demo is the one thing running: every core of a small machine
FAST_DEMO = Recipe(
    key="fast_demo", edition="cnnviz", section="", title=N_("Fast demo: 91% test accuracy in seconds"),
    preset="fast_demo", input_size=28,
    config=TrainConfig(
        epochs=1, batch_size=128, optimizer="sgd", momentum=0.9, nesterov=True,
        lr=0.2, lr_schedule="onecycle", warmup=0.25,  # high lr, reached linearly, then annealed to ~0
        weight_decay=5e-4, label_smoothing=0.1,
        whiten=True,  # a frozen first convolution that whitens 3x3 patches (airbench's first layer)
        cpu_threads=DEMO_THREADS, channels_last=True),  # NHWC measured 1.4x faster for it on 2 threads
    source="bench/time_to_accuracy.py",
    note=N_("Designed for speed, not from the book: a first convolution that starts by whitening the images' 3×3 "
            "patches (computed from the training images, then frozen), max pooling before batch norm and ReLU, "
            "SGD with Nesterov momentum, a one-cycle learning rate (a linear rise to 0.2 over the first quarter of "
            "the steps, then a linear fall), batch 128, label smoothing 0.1 and weight decay 5e-4, one epoch on "
            "every core up to four."))
DEMOS: dict[str, Recipe] = {FAST_DEMO.key: FAST_DEMO}  # apart from RECIPES, which hold the book's only
