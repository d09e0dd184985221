"""Try-it links: a catalog entry's page and state turned into that page's own query parameters.

Built with each page's own codec (conv_state's names, allowed values and matrix encoding; arch_state's
preset parameter), so a link cannot drift from what the page reads."""

from __future__ import annotations

from cnnviz import data
from cnnviz.arch import PRESETS
from cnnviz.exercises.catalog import ACTIVATIONS, BUILDER, CONV, EDGE, INSIDE, TRAIN, TryIt
from cnnviz.ui.activations import url as activation_url
from cnnviz.ui.arch import state as arch_state
from cnnviz.ui.conv import state as conv_state
from cnnviz.ui.edge import url as edge_url
from cnnviz.ui.inside import url as inside_url
from cnnviz.ui.train import url as train_url
from cnnviz.ui.lang import _, current

URL_PAGES = (CONV, EDGE, BUILDER, TRAIN, ACTIVATIONS, INSIDE)  # the pages that read their whole state from the URL
DATA_PARAM = "data"  # the Train and Activations pages' data set ("fashion-mnist" / "mnist")


class LinkError(ValueError):
    """A catalog entry names a state its page does not accept."""


def _conv_value(name: str, value) -> str:
    if name in conv_state.MATRICES:
        return conv_state.encode_matrix(value)
    if name not in conv_state.PARAMS:
        raise LinkError(f"page 1 has no setting {name!r}; its settings: {', '.join(conv_state.PARAMS)}")
    default, allowed = conv_state.PARAMS[name]
    if type(value) is not type(default) or value not in allowed:
        raise LinkError(f"page 1's setting {name}={value!r} is not one of its allowed values")
    return str(value).lower() if isinstance(value, bool) else str(value)  # as conv_state.save_to_url writes it


def _builder_params(state: dict) -> dict[str, str]:
    unknown = set(state) - {arch_state.QUERY_PRESET}
    if unknown or state.get(arch_state.QUERY_PRESET) not in PRESETS:
        raise LinkError(f"the builder takes only preset=<one of {', '.join(PRESETS)}>, not {state}")
    return {arch_state.QUERY_PRESET: state[arch_state.QUERY_PRESET]}


def _edge_params(state: dict) -> dict[str, str]:
    """Page 2's own link builder (edge_url.link: URL words for choices, defaults left out)."""
    try:
        return edge_url.link(**state)
    except (KeyError, StopIteration) as exc:
        raise LinkError(f"page 2 does not accept {state}: {exc!r}") from exc


def _activation_params(state: dict) -> dict[str, str]:
    """Page 5's own link builder (activation_url.link: URL words for choices, class names, a layer name)."""
    try:
        return activation_url.link(**state)
    except (KeyError, TypeError) as exc:
        raise LinkError(f"page 5 does not accept {state}: {exc!r}") from exc


def _inside_params(state: dict) -> dict[str, str]:
    """Page 7's own link builder (inside_url.link: URL words for choices, a layer's name, unit indices)."""
    try:
        return inside_url.link(**state)
    except (KeyError, TypeError) as exc:
        raise LinkError(f"page 7 does not accept {state}: {exc!r}") from exc


def _with_dataset(state: dict, codec, dataset: str | None) -> dict:
    """The exercise's data set as the page's `data` setting, once the page's codec reads one."""
    return {**state, DATA_PARAM: dataset} if dataset and DATA_PARAM in codec.PARAMS else state


def _train_params(state: dict) -> dict[str, str]:
    """The Train page's own link builder (train_url.link: URL words for choices)."""
    try:
        return train_url.link(**state)
    except KeyError as exc:
        raise LinkError(f"the Train page does not accept {state}: {exc!r}") from exc


def query_params(try_it: TryIt) -> dict[str, str]:
    """The query parameters that open `try_it.page` in `try_it.state`; LinkError if the page would refuse them."""
    state = try_it.params
    if try_it.page == CONV:
        return {name: _conv_value(name, value) for name, value in state.items()}
    if try_it.page == BUILDER:
        return _builder_params(state)
    if try_it.page == EDGE:
        return _edge_params(state)
    if try_it.page == ACTIVATIONS:
        return _activation_params(_with_dataset(state, activation_url, try_it.dataset))
    if try_it.page == INSIDE:
        return _inside_params(state)
    if try_it.page == TRAIN:
        return _train_params(_with_dataset(state, train_url, try_it.dataset))
    if state:
        raise LinkError(f"{try_it.page} does not read its state from the URL yet; say what to set in `todo`")
    return {}


def dataset_note(try_it: TryIt) -> str | None:
    """A note beside an exercise whose data set is not installed here: where cnnviz looked, how to get it."""
    if not try_it.dataset or data.find_dataset_dir(try_it.dataset) is not None:
        return None
    return _("This exercise cannot be trained here until its data set is installed.") + "\n\n" + \
        data.missing_message(try_it.dataset, current())
