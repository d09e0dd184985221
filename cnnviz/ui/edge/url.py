"""Page 2's state in its URL: a link opens the page with the same input, target, learning rate and run."""

from __future__ import annotations

from cnnviz.edge import fit as edge
from cnnviz.edge import inputs as edge_inputs
from cnnviz.errors import CnnvizError
from cnnviz.ui.edge import views as ui
from cnnviz.ui import url_state
from cnnviz.ui.url_state import Param

URL_PAGE = "edge"
_INPUT_WORDS = ("stripes", "checkerboard", "diagonal", "flat")
_TARGET_WORDS = ("vertical", "horizontal", "sobel_x", "sobel_y", "laplacian")


def _typed_lr(text: str) -> bool:
    try:
        return url_state.positive_float(float(text))
    except ValueError:
        return False


PARAMS: dict[str, Param] = {
    "input": Param("edge_input", ui.DEFAULTS["edge_input"],
                   choices={**dict(zip(_INPUT_WORDS, edge_inputs.SYNTHETIC_INPUTS, strict=True)),
                            "fashion": ui.FASHION, "upload": ui.UPLOAD}),
    "image": Param("edge_fashion_index", ui.DEFAULTS["edge_fashion_index"], allowed=range(10_000)),
    "target": Param("edge_target", ui.DEFAULTS["edge_target"],
                    choices={**dict(zip(_TARGET_WORDS, edge_inputs.TARGETS, strict=True)), "custom": ui.CUSTOM}),
    "kernel": Param("edge_custom_kernel", ui.DEFAULTS["edge_custom_kernel"]),
    "lr": Param("edge_lr", ui.DEFAULTS["edge_lr"], allowed=url_state.positive_float),  # a typed rate too
    "lr_typed": Param("edge_lr_typed", ui.DEFAULTS["edge_lr_typed"], allowed=_typed_lr),
    "size": Param("edge_kernel_size", ui.DEFAULTS["edge_kernel_size"],
                  choices={"same": ui.KERNEL_SIZES[0], **{s: s for s in ui.KERNEL_SIZES[1:]}}),
    "optimizer": Param("edge_optimizer", ui.DEFAULTS["edge_optimizer"], choices={o: o for o in edge.OPTIMIZERS}),
    "steps": Param("edge_steps", ui.DEFAULTS["edge_steps"], allowed=range(1, 5001)),
    "seed": Param("edge_seed", ui.DEFAULTS["edge_seed"], allowed=range(10_001)),
    "bias": Param("edge_bias", ui.DEFAULTS["edge_bias"]),
    "speed": Param("edge_speed", ui.DEFAULTS["edge_speed"], allowed=ui.SPEEDS),
    "compare": Param("edge_compare", ui.DEFAULTS["edge_compare"]),
}


def _check(values: dict) -> list[str]:
    """A typed kernel in the link must be a rectangle of numbers, as the text box requires."""
    if "kernel" not in values:
        return []
    try:
        edge_inputs.parse_kernel(values["kernel"])
    except CnnvizError:
        return [f"kernel={values.pop('kernel')}"]
    return []


def load() -> list[str]:
    """The link's settings into the page's widgets when it should load them; what was ignored."""
    return url_state.load(URL_PAGE, PARAMS, _check)


def save() -> None:
    url_state.save(URL_PAGE, PARAMS)


def link(**values) -> dict[str, str]:
    """The query of a link to page 2 with these settings (URL names), e.g. link(target="sobel_x", lr=0.05)."""
    return url_state.link_in_words(PARAMS, values)
