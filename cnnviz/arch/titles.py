"""The presets by their titles: the book's network and its section in both editions ("AlexNet", "d2l 8.1 / zh
7.1"), so every page and answer names a network as the chapter does, never by its id ("lenet_modern")."""

from __future__ import annotations

from cnnviz.i18n import N_, Text

# name -> (title, where in the book). English edition first, the zh edition after the slash; the small
# versions are cnnviz's own reductions, "after" the section they reduce. The order is the box's order:
# the book's networks at the book's sizes first, then the 28x28 variations.
PRESET_TITLES = {  # titles and sections are marked: the zh box reads "AlexNet，224x224（d2l 7.1）"
    "lenet": ("LeNet", N_("d2l 7.6 / zh 6.6")),
    "alexnet": ("AlexNet", N_("d2l 8.1 / zh 7.1")),
    "vgg11": (N_("VGG-11, full width"), N_("d2l 8.2 / zh 7.2")),
    "vgg11_narrow": (N_("VGG-11 as trained, ratio 4"), N_("d2l 8.2 / zh 7.2")),
    "nin": ("NiN", N_("d2l 8.3 / zh 7.3")),
    "googlenet": ("GoogLeNet", N_("d2l 8.4 / zh 7.4")),
    "lenet_bn": (N_("LeNet + BatchNorm"), N_("d2l 8.5 / zh 7.5")),
    "resnet18": ("ResNet-18", N_("d2l 8.6 / zh 7.6")),
    "densenet": ("DenseNet", N_("d2l 8.7 / zh 7.7")),
    "regnetx32": ("RegNetX-32", N_("d2l 8.8")),
    "lenet_modern": (N_("Modern LeNet"), ""),  # BN, ReLU, dropout: cnnviz's own, not the book's
    "fast_demo": (N_("Fast demo network"), ""),  # the Train page's fast demo: cnnviz's own
    "lenet_relu": (N_("LeNet, ReLU + max pool"), N_("d2l 7.6 exercises")),
    "lenet_maxpool": (N_("LeNet, max pool, no padding"), N_("d2l 7.6 variation")),
    "alexnet_small": (N_("AlexNet small"), N_("after d2l 8.1")),
    "vgg_small": (N_("VGG small"), N_("after d2l 8.2")),
    "nin_small": (N_("NiN small"), N_("after d2l 8.3")),
    "googlenet_small": (N_("GoogLeNet small"), N_("after d2l 8.4")),
    "resnet_small": (N_("ResNet small"), N_("after d2l 8.6")),
    "densenet_small": (N_("DenseNet small"), N_("after d2l 8.7")),
    "regnet_small": (N_("RegNetX small"), N_("after d2l 8.8")),
}

# cnnviz's variations -> the book's network each one reduces or varies (the section a page cites for it)
BOOK_NETWORK = {"vgg11": "vgg11_narrow", "lenet_relu": "lenet", "lenet_maxpool": "lenet", "alexnet_small": "alexnet",
                "vgg_small": "vgg11_narrow", "nin_small": "nin", "googlenet_small": "googlenet",
                "resnet_small": "resnet18", "densenet_small": "densenet", "regnet_small": "regnetx32"}


def preset_title(name: str) -> Text:
    """A preset's title, rendered in the reader's language where it is shown ("Modern LeNet", "现代 LeNet"); a
    name that is no preset's stays as it is."""
    return Text(PRESET_TITLES[name][0] if name in PRESET_TITLES else name)  # no values: braces stay as they are
