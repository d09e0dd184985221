"""Page set-up, the environment status in the sidebar, cached data, and error display."""

from __future__ import annotations

import functools
import json
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import streamlit as st
import torch
from streamlit.runtime.scriptrunner import get_script_run_ctx

from cnnviz import data
from cnnviz.device import DeviceInfo, describe_device, pick_device, set_cpu_threads
from cnnviz.errors import CnnvizError
from cnnviz.ui import lang
from cnnviz.ui.board import join as class_join
from cnnviz.ui.lang import _
from cnnviz.figures.style import FONT_FAMILY
from cnnviz.i18n import N_


ICON = Path(__file__).resolve().parents[2] / "assets" / "icon.png"


# (script, label, icon, d2l sections, what it teaches): the sidebar menu and the home page's list. The
# sections are the English edition's; their translations give the zh edition's numbers.
PAGES = (
    ("app.py", N_("Home"), ":material/home:", "", ""),
    ("pages/1_Convolution_and_pooling.py", N_("Convolution & pooling"), ":material/apps:", N_("7.2-7.5"),
     N_("Cross-correlation, padding, stride, dilation, channels, 1×1 convolution and pooling, cell by cell.")),
    ("pages/2_Learn_an_edge_kernel.py", N_("Learn an edge kernel"), ":material/trending_down:", N_("7.2.4"),
     N_("Gradient descent recovers the edge detector [1, -1] from an image and its edges, live.")),
    ("pages/3_Architecture_builder.py", N_("Architecture builder"), ":material/account_tree:", N_("7.6, 8.1-8.8"),
     N_("Build LeNet, AlexNet, VGG, NiN, GoogLeNet, ResNet or DenseNet layer by layer and see every shape, cost "
        "and receptive field.")),
    ("pages/4_Train.py", N_("Train"), ":material/model_training:", N_("7.6.2, 8.1-8.7"),
     N_("Train the architecture, or a book network with the book's recipe, on the real Fashion-MNIST with live "
        "curves.")),
    ("pages/5_Activations.py", N_("Activations"), ":material/visibility:", N_("7.6 exercises"),
     N_("What the first and second layers see: pullovers against coats, and any class you choose.")),
    ("pages/6_Exercises.py", N_("Exercises"), ":material/task_alt:", N_("7.2-7.6, 8.1-8.7"),
     N_("Every exercise of the chapters, both editions' numbers: open each in the app, with hints and "
        "computed, checked answers.")),
    ("pages/7_Inside_the_network.py", N_("Inside the network"), ":material/hub:", N_("7.6, 8.1-8.5"),
     N_("One image from its pixels to the class probabilities through every layer; any unit's number worked out "
        "with the real weights.")),
    ("pages/8_Class_board.py", N_("Class board"), ":material/groups:", "",
     N_("A class's runs live on one board: who tried which settings, their curves overlaid, final accuracy "
        "against a setting; students join with a code.")),
)


RUN_KEY = "_cnnviz_run"  # full script runs of this session, counted by page_setup
PAGE_KEY, PREVIOUS_PAGE_KEY = "_cnnviz_page", "_cnnviz_previous_page"  # this run's page and the run before's
PRESENTER_KEY = "presenter"  # the sidebar's presenter switch
PRESENTER_SHOWN_KEY = "_presenter_shown"  # presenter mode as the last run drew it: a switch on folds the sidebar
FOLD_SIDEBAR_JS = """(() => {
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  const fold = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
  if (sidebar && fold && sidebar.getAttribute('data-collapsed') === 'false') fold.click();
})();"""
PRESENTER_FONT_SCALE = 1.25  # figure text in presenter mode, relative to figures.style.FONT_SIZE
# Plotly's hover toolbar sits over a figure's top right corner, where titles and colour bars are; the
# hover values stay, and Streamlit's own element toolbar still offers full screen.
PLOTLY_CONFIG = {"displayModeBar": False, "displaylogo": False}
DOCUMENT_JS = (Path(__file__).parent / "document.js").read_text(encoding="utf-8")
HTML_LANG = {"en": "en", "zh": "zh-CN"}  # the app's language -> the document's BCP 47 tag
# In Chinese: Simplified-Chinese faces right after the app's Latin one, for the page's text and every figure's
# (inline SVG styles too); icons (Material Symbols, which Streamlit marks translate="no") and code keep their own fonts.
ZH_FONT_CSS = f"""<style>
html:lang(zh-CN) :is(h1, h2, h3, h4, h5, h6, p, li, span, label, div, button, input, textarea, summary, th, td, a,
  text, tspan):not([data-testid="stIconMaterial"], [translate="no"], code, code *, pre *) {{font-family: {FONT_FAMILY}
  !important;}}
</style>"""
# Always: less empty space above the title, so a 720-pixel-high projector shows the figures; the element that
# only carries document_language's script takes no room.
COMPACT_CSS = """<style>
.stMainBlockContainer, .block-container {padding-top: 2.2rem; padding-bottom: 2rem;}
h1 {font-size: 2.0rem !important; padding-top: 0.2rem !important; padding-bottom: 0.4rem !important;}
[data-testid="stElementContainer"]:has([data-testid="stHtml"] > script:only-child) {display: none;}
</style>"""
# Presenter mode: larger type for the back of the room; the bar that holds the folded sidebar's arrow lets the
# title show through it (the arrow sits left of the page's content).
PRESENTER_CSS = """<style>
html {font-size: 20px;}
[data-testid="stHeader"] {background: transparent; pointer-events: none;}
[data-testid="stHeader"] :is(button, a) {pointer-events: auto;}
[data-testid="stMarkdownContainer"] :is(p, li):not([data-testid="stMetricValue"] *) {font-size: 1.05rem;}
</style>"""


def drawn_last_run(widget: str) -> bool:
    """Records that `widget` is drawn in this run; True if the previous run drew it too. Streamlit forgets
    the state of any widget a run does not draw (the student was on another page or mode), so a
    data_editor that was away must restart from the values in use, not from its stale base."""
    ss = st.session_state
    run, key = ss.get(RUN_KEY, 0), f"_drawn_{widget}"
    was_drawn = ss.get(key) == run - 1
    ss[key] = run
    return was_drawn


def keep_widgets(defaults: dict[str, object], store: str) -> None:
    """Keeps a page's settings while the student is on another page or mode. Streamlit forgets a widget's
    value on any run that does not draw it; a plain copy under `store` survives and is put back before the
    widgets are drawn. Call at the top of the page; its widgets then take their value from session state
    alone (no value=, index= or default=), and a widget whose options change calls keep_valid first."""
    ss = st.session_state
    saved = ss.setdefault(store, {})
    for key, default in defaults.items():
        if key in ss:
            saved[key] = ss[key]
        ss[key] = saved.get(key, default)


def keep_valid(key: str, options, fallback) -> None:
    """Before drawing a choice widget whose options change (another model, fewer layers, no GPU): a kept
    value that is no longer an option becomes `fallback`."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = fallback


def page_setup(title: str, menu_box=None, join_from_url: bool = True) -> None:
    """Call first on every page: wide layout, the menu, the presenter switch, the class the tab joined and the
    environment status. `menu_box`: a sidebar container above the page's own sidebar tools, where the menu goes
    folded into one button (the builder's layer table fills the sidebar's first screen). `join_from_url` False:
    the page reads `?classroom=` itself (the Class board)."""
    ss = st.session_state
    ss[RUN_KEY] = ss.get(RUN_KEY, 0) + 1
    ss[PREVIOUS_PAGE_KEY], ss[PAGE_KEY] = ss.get(PAGE_KEY), title
    lang.resolve()
    keep_widgets({PRESENTER_KEY: False}, "_presenter_saved")
    # A local file, not an emoji or material icon: those favicons are fetched from the internet.
    st.set_page_config(page_title=f"{_(title)} · cnnviz", page_icon=str(ICON), layout="wide")
    with st.sidebar:
        # Our own menu (config.toml hides Streamlit's), so the home page reads "Home", not "app". Its links
        # sit close together: eight of them must leave a 720-pixel screen room for a page's first controls.
        if menu_box is None:
            menu(st.container(gap="xxsmall"))
        else:
            menu(menu_box.popover(_("Pages"), icon=":material/menu:", width="stretch"))
        lang.switch()
        st.toggle(_("Presenter mode"), key=PRESENTER_KEY,
                  help=_("For a projector: the sidebar folds away (the arrow at the top left brings it back), "
                         "text, figures and their numbers get larger, explanations fold away."))
    if join_from_url:
        class_join.from_url()  # ?classroom=CODE&name=...: once per link (the sidebar's class line comes last)
    with st.sidebar:
        st.divider()
    st.html(COMPACT_CSS + (PRESENTER_CSS if presenting() else ""))
    fold_sidebar_for_presenter()
    document_language()
    environment_sidebar()


def fold_sidebar_for_presenter() -> None:
    """On the run that turns presenter mode on, fold the sidebar away as its own arrow would (the arrow at the top
    left brings it back; it then stays open on other pages). A click, not set_page_config's
    initial_sidebar_state: Streamlit lets a reader's earlier choice of the sidebar win over the page config."""
    ss, now = st.session_state, presenting()
    was, ss[PRESENTER_SHOWN_KEY] = ss.get(PRESENTER_SHOWN_KEY, False), now
    if now and not was:
        st.html(f"<script>{FOLD_SIDEBAR_JS}</script>", unsafe_allow_javascript=True, width="content")


def menu(box) -> None:
    """Links to every page, in the reader's language."""
    with box:
        for path, label, icon, *_about in PAGES:
            st.page_link(path, label=_(label), icon=icon, query_params=language_query())


def document_language() -> None:
    """Tells the browser which language the page is in (`<html lang>`), so a screen reader speaks it and Chromium
    draws Chinese with Simplified-Chinese glyphs (Streamlit's page always says "en"); puts Streamlit's own words
    (the upload box, the help buttons' names) in that language too (document.js)."""
    words = {"upload": _("Upload"), "per_file": _("{size} per file • {types}"), "file_upload": _("file upload"),
             "help": _("Help"), "help_for": _("Help for {label}")}
    if lang.current() != "en":  # Streamlit's other accessible names, which it writes in English
        words.update(fullscreen=_("Full screen: {name}"), icon=_("icon"), names={
            "Sidebar": _("Sidebar"), "Collapse sidebar": _("Collapse the sidebar"), "Expand sidebar": _("Open the "
            "sidebar"), "Open": _("Open the list"), "Close": _("Close"), "Copy to clipboard": _("Copy to the "
            "clipboard"), "Link to heading": _("Link to this heading"), "Decrement": _("Decrease"),
            "Increment": _("Increase"), "Clear all": _("Clear all"), "Clear value": _("Clear the value")})
    script = DOCUMENT_JS.replace("__LANG__", HTML_LANG[lang.current()]).replace("__WORDS__", json.dumps(words))
    st.html(f"<script>{script}</script>", unsafe_allow_javascript=True, width="content")
    if lang.current() == "zh":
        st.html(ZH_FONT_CSS)


def language_query() -> dict[str, str]:
    """The menu's links carry the language (and nothing else: coming back through the menu keeps a page's state)."""
    chosen = lang.current()
    return {} if chosen == "en" else {lang.URL_PARAM: chosen}


def presenting() -> bool:
    """True when the presenter switch is on."""
    return bool(st.session_state.get(PRESENTER_KEY, False))


def intro(summary: str, details: str | None = None) -> None:
    """A page's explanation: one line always, the rest folded in an expander."""
    st.caption(summary)
    if details:
        with st.expander(_("More about this page"), expanded=False):
            st.markdown(details)


def chart(fig, key: str, **kwargs) -> object:
    """`st.plotly_chart` with cnnviz's config (no hover toolbar over titles) and presenter-mode text size.
    Extra keyword arguments (on_select, selection_mode, width, config) pass through."""
    if presenting():
        enlarge_text(fig, PRESENTER_FONT_SCALE)
    config = {**PLOTLY_CONFIG, **kwargs.pop("config", {})}
    kwargs.setdefault("width", "stretch")
    return st.plotly_chart(fig, key=key, config=config, **kwargs)


def enlarge_text(fig, scale: float) -> None:
    """Every text of `fig` `scale` times larger: the layout's font, and the sizes set on titles, annotations and
    traces' text (a grid's numbers), which do not follow the layout's. A figure whose font is that large already
    was drawn for presenter mode (the Train page's figure_font_size) and is left as it is."""
    from cnnviz.figures.style import FONT_SIZE

    target = round(FONT_SIZE * scale)
    if (fig.layout.font.size or FONT_SIZE) >= target:
        return
    fig.update_layout(font_size=target)
    if fig.layout.title.font.size:
        fig.layout.title.font.size = round(fig.layout.title.font.size * scale)
    for note in fig.layout.annotations:
        if note.font.size:
            note.font.size = round(note.font.size * scale)
    for trace in fig.data:
        font = getattr(trace, "textfont", None)
        if font is not None and isinstance(font.size, (int, float)):
            font.size = round(font.size * scale)


def arrived_from_another_page() -> bool:
    """True on the first run of a page after another page ran (or on the session's first run)."""
    ss = st.session_state
    return ss.get(PREVIOUS_PAGE_KEY) != ss.get(PAGE_KEY)


def url_to_load(page: str) -> dict[str, str] | None:
    """The query parameters a page should load into its state on this run, or None to keep its state.

    Loaded: a page's first visit (a shared link), a link that carries state from another page, and the
    browser's Back / Forward or an edited address (the URL differs from what the page last wrote while the
    student stayed on it): so Back undoes the last change. Kept: coming back from another page through
    the menu, whose link carries no state. Call `url_written` after the page writes its URL."""
    written = st.session_state.get(f"_url_written_{page}")
    current = page_query()
    if written is None:
        return current
    if arrived_from_another_page():
        return current or None
    return None if current == written else current


def url_written(page: str) -> None:
    """Records the URL as the page wrote it (see url_to_load)."""
    st.session_state[f"_url_written_{page}"] = page_query()


# Query parameters that are not a page's settings: the language, the Train page's workspace id (its runs,
# which a page's URL codec must keep but never load as settings), a lesson link's (cnnviz.ui.lesson) and the
# class the tab joined.
APP_PARAMS = (lang.URL_PARAM, "session", "hide", "lock", "task", "tour", class_join.CLASS_PARAM, class_join.NAME_PARAM)


def page_query() -> dict[str, str]:
    """The URL's query parameters that belong to the page (the language is the app's)."""
    return {k: v for k, v in st.query_params.to_dict().items() if k not in APP_PARAMS}


def write_page_query(wanted: dict[str, str]) -> None:
    """Makes the page's part of the URL `wanted` (one history entry, only if it changes), keeping the app's."""
    kept = {k: v for k, v in st.query_params.to_dict().items() if k in APP_PARAMS}
    if {**wanted, **kept} != st.query_params.to_dict():
        st.query_params.from_dict({**wanted, **kept})


@st.cache_resource(show_spinner=False)
def environment() -> dict:
    """Torch version, device, and where the dataset is: computed once per server."""
    set_cpu_threads()  # once per server: page reruns and training share the CPU
    device = pick_device()
    try:
        info, setting_error = describe_device(device), None
    except CnnvizError as exc:  # a setting the server was started with (CNNVIZ_BF16) is unknown
        info, setting_error = DeviceInfo(device.type, exc.message), exc
    found = data.find_dataset_dir()
    return {
        "torch": torch.__version__,
        "device": info.name.upper(),
        "device_detail": info.description,
        "setting_error": setting_error,
        "dataset": str(found) if found else "",
    }


def environment_sidebar() -> None:
    """One short line, the same length on every machine (threads, bfloat16 or a GPU's name are in its tooltip), so
    what a page puts below it in the sidebar stays on the first screen wherever the app runs."""
    env = environment()
    with st.sidebar:
        dataset = _("found") if env["dataset"] else _("missing (see Home)")
        st.caption(_("torch {version} · device **{device}** · Fashion-MNIST {dataset}").format(
            version=env["torch"].split("+")[0], device=env["device"], dataset=dataset),
            help=env["device_detail"].render(lang.current()))
        if env["setting_error"] is not None:
            st.error(env["setting_error"].render(lang.current()))


@st.cache_resource(show_spinner=False)
def dataset(name: str = data.DEFAULT_DATASET, train: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """A real dataset by name (`cnnviz.data.DATASETS`), loaded once per server and shared read-only by all
    sessions. Raises DatasetMissing (whose message says how to get it) when it is not installed."""
    return data.load_dataset(name, train)


def dataset_or_none(name: str = data.DEFAULT_DATASET,
                    train: bool = True) -> tuple[torch.Tensor, torch.Tensor] | None:
    """The dataset, or None when it is not installed (the pages then show `data.missing_message(name)`)."""
    if data.find_dataset_dir(name) is None:
        return None
    try:
        return dataset(name, train)
    except data.DatasetMissing:
        return None


def test_images(name: str = data.DEFAULT_DATASET) -> tuple[torch.Tensor, torch.Tensor]:
    """The dataset's test set for a page's input picker; a clear error when it is not installed."""
    found = dataset_or_none(name, train=False)
    if found is None:
        raise data.DatasetMissing(N_("{title} is not installed here; see the Home page for how to get it, or pick "
                                     "another input"), title=data.dataset_info(name).title)
    return found


def fashion_mnist(train: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    return dataset(data.DEFAULT_DATASET, train)


def fashion_mnist_or_none(train: bool = True) -> tuple[torch.Tensor, torch.Tensor] | None:
    return dataset_or_none(data.DEFAULT_DATASET, train)


def show_error(exc: Exception) -> None:
    st.error(lang.render(exc), icon=":material/error:")


@contextmanager
def user_errors() -> Iterator[None]:
    """Shows a CnnvizError raised inside the block as `st.error` and carries on with the page."""
    try:
        yield
    except CnnvizError as exc:
        show_error(exc)


def _in_fragment_rerun() -> bool:
    """True while a fragment rerun (a play tick), not a full run, dispatches the callbacks."""
    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def once_per_click(callback: Callable[..., None]) -> Callable[..., None]:
    """Makes a callback of a button drawn outside a timed fragment act once per click.

    Streamlit 1.67's browser side clears a click only after sending the click's own (full) rerun, a moment
    later; a play tick that fires in between carries the click too, so the callback ran twice and Play /
    Pause on the edge page toggled back. The tick's copy is ignored: the full rerun that carries the same click
    always follows, and it redraws the buttons and starts or stops the ticks.
    """
    @functools.wraps(callback)
    def on_click(*args) -> None:
        if not _in_fragment_rerun():
            callback(*args)
    return on_click
