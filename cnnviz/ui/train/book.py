"""The book's recipes on the Train page: one click applies a recipe to the widgets, a line says whether the
settings still follow it, and the result the book prints is drawn beside the run's curves and tabled after it."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from cnnviz.arch import PRESETS, Architecture
from cnnviz.arch.titles import BOOK_NETWORK
from cnnviz.data import DEFAULT_DATASET
from cnnviz.figures.train import LOSS, TEST_ACC, TRAIN_ACC
from cnnviz.i18n import N_
from cnnviz.training.recipes import FAST_DEMO, RECIPE_FIELDS, RECIPES, Recipe, recipes_for, run_recipe
from cnnviz.training.loop import TrainConfig
from cnnviz.ui import lesson
from cnnviz.ui.lang import _, current
from cnnviz.ui.train.data import chosen as chosen_dataset
from cnnviz.ui.train.state import Run, run_dataset
from cnnviz.ui.train.views import RECIPE_KEY, SCALINGS, TRAIN_SIZES, config_from_state

EDITIONS = {"zh": N_("Chinese edition"), "en": N_("English edition")}
BUTTON_EDITIONS = {"en": "d2l", "zh": "zh"}  # d2l.ai's numbering and the zh edition's, as links write them


def edition_label(edition: str) -> str:
    """The edition as the buttons show it: "d2l" (d2l.ai's numbering) / "zh" in English, the edition's name in
    another language."""
    return {"en": "d2l"}.get(edition, edition) if current() == "en" else _(EDITIONS.get(edition, edition))


def where_text(recipe: Recipe) -> str:
    """The recipe's section in the other edition ("d2l 7.6" beside zh 6.6), named in the reader's language, so
    the line never repeats the section it names; "" when the other edition has no such recipe."""
    sections = {r.edition: r.section for r in recipes_for(recipe.preset)}
    return " / ".join(f"{edition_label(ed)} {sections[ed]}" for ed in ("en", "zh")
                      if ed in sections and ed != recipe.edition)


def _widget_values(recipe: Recipe) -> dict[str, object]:
    """The recipe as the page's widget values (the network's input size follows the network itself)."""
    c = recipe.config
    return {"train_optimizer": c.optimizer, "train_lr": c.lr, "train_batch": c.batch_size, "train_epochs": c.epochs,
            "train_schedule": c.lr_schedule, "train_momentum": c.momentum, "train_init": c.init,
            "train_scaling": "standardised" if c.normalize_input else "unit"}


def apply_recipe(key: str) -> None:
    """Button callback: sets the widgets to the recipe (before they are drawn) and remembers it."""
    st.session_state.update(_widget_values(RECIPES[key]))
    st.session_state[RECIPE_KEY] = key


def in_force(arch_choice: str) -> Recipe | None:
    """The recipe last applied, while the chosen network is still the one it trains."""
    recipe = RECIPES.get(st.session_state.get(RECIPE_KEY) or "")
    return recipe if recipe is not None and recipe.preset == arch_choice else None


def summary(recipe: Recipe) -> str:
    """The recipe's settings and, where the book prints one, its result: the help text of the status line."""
    c = recipe.config
    scaling = _("standardised") if c.normalize_input else _("[0, 1] pixels (ToTensor, no normalisation)")
    init = c.init if current() == "en" else ("Xavier" if c.init == "xavier" else _("PyTorch's default"))
    place = f"{_(EDITIONS.get(recipe.edition, recipe.edition))} {recipe.section}"
    if where_text(recipe):
        place += _("; ") + where_text(recipe)
    text = _("{title} ({place}): {epochs} epochs of plain SGD, learning rate {lr}, batch "
             "{batch}, {init} initialisation, {scaling}, images resized to {side}×{side}. Source: `{source}`.").format(
        title=section_title(recipe), place=place, epochs=c.epochs, lr=f"{c.lr:g}", batch=c.batch_size, init=init, scaling=scaling, side=recipe.input_size,
        source=recipe.source)
    if recipe.printed is not None:
        p = recipe.printed
        text += " " + _("The book prints loss {loss}, train acc {train}, test acc {test} ({device}).").format(
            loss=f"{p.loss:.3f}", train=f"{p.train_accuracy:.3f}", test=f"{p.test_accuracy:.3f}",
            device=f"`{p.device}`")
    note = _(recipe.note) if recipe.note else ""
    if note and (current() == "en" or note != recipe.note):  # a note the catalog lacks: left out, not English
        text += f" {note}"
    return text


def chosen_section(arch: str) -> str:
    """The section of the reader's edition that trains the chosen network ("8.1"; in Chinese "7.1"), or the
    network a cnnviz variation reduces (AlexNet small: 8.1); a section only the English edition has is named as
    such in Chinese; the LeNet section's training part for any other network (one the builder made)."""
    edition = "zh" if current() == "zh" else "en"
    book = BOOK_NETWORK.get(arch, arch)
    sections = {r.edition: r.section for r in recipes_for(book)} if book in PRESETS else {}
    if edition == "zh" and "zh" not in sections and "en" in sections:
        return _("English edition {en}").format(en=sections["en"])
    return sections.get(edition) or {"en": "7.6.2", "zh": "6.6.2"}[edition]


def section_title(recipe: Recipe) -> str:
    """The section's title; a Chinese reader gets the zh edition's own title of the same section."""
    if current() == "en":
        return recipe.title
    zh = [r.title for r in recipes_for(recipe.preset) if r.edition == "zh"]
    return zh[0] if zh else _(recipe.title)


def _shown(name: str, value) -> str:
    """A setting's value as the page words it (cnnviz.training.recipes words the same values in English)."""
    if name == "normalize_input":
        return _(SCALINGS["standardised" if value else "unit"]).split(" (")[0].split("（")[0]
    if name == "input_size":
        return f"{value or 28}x{value or 28}"
    if name in ("optimizer", "lr_schedule", "init"):
        return {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "xavier": "Xavier"}.get(value, _(str(value)))
    return f"{value:g}" if isinstance(value, float) else str(value)


BOOK_SAYS = N_("{setting} {mine} (the book: {book})")
DEMO_SAYS = N_("{setting} {mine} (the demo: {book})")


def departures(recipe: Recipe, config: TrainConfig, says: str = BOOK_SAYS) -> list[str]:
    """How `config` differs from the recipe, one "learning rate 0.3 (the book: 0.9)" per setting, in the
    reader's language (the settings cnnviz.training.recipes compares)."""
    return [_(says).format(setting=_(words), mine=_shown(name, getattr(config, name)),
                           book=_shown(name, getattr(recipe.config, name)))
            for name, words in RECIPE_FIELDS.items() if getattr(config, name) != getattr(recipe.config, name)]


def _demo_values() -> dict[str, object]:
    """The fast demo's network and settings on the whole training set (cnnviz.training.recipes.DEMOS)."""
    return {"train_arch": FAST_DEMO.preset, "train_size": TRAIN_SIZES[-1], **_widget_values(FAST_DEMO)}


def apply_demo() -> None:
    """Button callback: the fast demo's network and settings."""
    st.session_state.update(_demo_values())
    st.session_state[RECIPE_KEY] = FAST_DEMO.key


def _blocked_help(about: str, blocked: bool) -> str:
    """A recipe button's help; when the lesson fixed a setting the recipe would change, it says so first."""
    return _("The lesson fixed a setting this would change.") + "\n\n" + about if blocked else about


def _demo_caption(arch_choice: str) -> None:
    """While the fast demo is in force: what it is, or how the settings now differ from it."""
    if st.session_state.get(RECIPE_KEY) != FAST_DEMO.key or arch_choice != FAST_DEMO.preset:
        return
    changed = departures(FAST_DEMO, config_from_state(), DEMO_SAYS)
    if changed:
        st.caption(":material/warning: " + _("No longer the fast demo: {changes}.").format(
            changes=_("; ").join(changed)), help=_(FAST_DEMO.note))
    else:
        epochs = FAST_DEMO.config.epochs
        says = (_("The fast demo: 91% test accuracy in one epoch (not the book's recipe).") if epochs == 1 else
                _("The fast demo: 91% test accuracy in {epochs} epochs (not the book's recipe).").format(epochs=epochs))
        st.caption(":material/bolt: " + says, help=_(FAST_DEMO.note))


def recipe_ui(arch_choice: str, disabled: bool) -> None:
    """The fast demo first (for a class, the quickest run that learns well), then a button per edition of the
    book for the chosen preset, then a line: following the recipe, or how it differs."""
    recipes = recipes_for(arch_choice) if arch_choice in PRESETS else []
    columns = st.columns([1.5] + [1] * len(recipes), gap="small")  # "Fast demo" is the longest label
    about = (_("Reaches 91% test accuracy on Fashion-MNIST in one epoch: {note}") if FAST_DEMO.config.epochs == 1
             else _("Reaches 91% test accuracy on Fashion-MNIST in {epochs} epochs: {note}")).format(
        epochs=FAST_DEMO.config.epochs, note=_(FAST_DEMO.note))
    demo_blocked = lesson.changes_fixed(_demo_values())  # a lesson fixed a setting the demo would change
    columns[0].button(_("Fast demo"), key="train_demo", disabled=disabled or demo_blocked, on_click=apply_demo,
                      width="stretch", icon=":material/bolt:", help=_blocked_help(about, demo_blocked))
    _demo_caption(arch_choice)
    for col, recipe in zip(columns[1:], recipes):
        blocked = lesson.changes_fixed(_widget_values(recipe))
        col.button(f"{BUTTON_EDITIONS[recipe.edition]} {recipe.section}",  # short codes: three buttons share a row
                   key=f"train_recipe_{recipe.key}", disabled=disabled or blocked, on_click=apply_recipe,
                   args=(recipe.key,), width="stretch", help=_blocked_help(
                       _("The book's recipe in one click: {summary}").format(summary=summary(recipe)), blocked))
    recipe = in_force(arch_choice)
    if recipe is None:
        return
    changed = departures(recipe, config_from_state())
    edition, about = edition_label(recipe.edition), summary(recipe)
    if chosen_dataset() != DEFAULT_DATASET:  # in the help: on a projector Start keeps its place
        about += " " + _("The book's recipes and printed results are for Fashion-MNIST; on another dataset they "
                         "are a starting point, not a comparison.")
    if changed:
        st.caption(":material/warning: " + _("No longer the book's recipe ({edition} {section}): {changes}.").format(
            edition=edition, section=recipe.section, changes=_("; ").join(changed)), help=about)
    elif where_text(recipe):
        st.caption(":material/check: " + _("The book's recipe: {edition} {section} ({where}).").format(
            edition=edition, section=recipe.section, where=where_text(recipe)), help=about)
    else:
        st.caption(":material/check: " + _("The book's recipe: {edition} {section}.").format(
            edition=edition, section=recipe.section), help=about)


def printed_recipe(spec: Architecture, config: TrainConfig) -> Recipe | None:
    """The recipe a run followed (epochs aside), when it trained the preset itself and the book prints a result."""
    recipe = run_recipe(spec.name, config)
    if recipe is None or recipe.printed is None or PRESETS.get(recipe.preset) != spec:
        return None
    return recipe


def book_result_for(run: Run) -> Recipe | None:
    """The recipe whose printed result a run compares with: only on the book's dataset, Fashion-MNIST."""
    return printed_recipe(run.spec, run.config) if run_dataset(run) == DEFAULT_DATASET else None


def marks_for(run: Run):
    """What adds the book's printed result to the run's curves, or None."""
    recipe = book_result_for(run)
    return None if recipe is None else (lambda fig: add_book_marks(fig, recipe))


def marks_caption(run: Run) -> None:
    if (recipe := book_result_for(run)) is not None:
        st.caption(_("Dashed: what the book prints after {epochs} epochs of this recipe ({edition} {section}, on "
                     "a GPU).").format(epochs=recipe.config.epochs, edition=edition_label(recipe.edition),
                                       section=recipe.section) + subset_note(run.config))


def add_book_marks(fig: go.Figure, recipe: Recipe) -> go.Figure:
    """Dashed lines at the book's printed loss, train acc and test acc, in the curves' own colours, named in the
    legend (a label on the plot sat on the curves)."""
    p = recipe.printed
    marks = ((p.loss, _("book loss"), LOSS), (p.train_accuracy, _("book train acc"), TRAIN_ACC),
             (p.test_accuracy, _("book test acc"), TEST_ACC))
    for value, name, colour in marks:
        line = {"color": colour, "width": 2, "dash": "longdash"}
        fig.add_hline(y=value, line=line, opacity=0.6)
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", line=line, opacity=0.6, name=f"{name} {value:.3f}",
                                 hoverinfo="skip"))  # its legend entry only
    return fig


def subset_note(config: TrainConfig) -> str:
    """Why a run on a subset does not reproduce the book."""
    if config.max_train_samples is None:
        return ""
    return " " + _("This run trains on {train} images and tests on {test}: its figures are a quick look, not the "
                   "book's (60,000 and 10,000).").format(train=f"{config.max_train_samples:,}",
                                                          test=f"{config.max_test_samples:,}")


def book_table(run: Run) -> None:
    """The book's printed figures beside the run's last full epoch, when it followed a recipe that prints them."""
    recipe, history = book_result_for(run), run.snapshot().history
    if recipe is None or history is None or not history.epochs_done:
        return
    p, last, config = recipe.printed, history.epochs_done, run.config
    rows = {_("train loss"): (p.loss, history.train_loss), _("train acc"): (p.train_accuracy, history.train_accuracy),
            _("test acc"): (p.test_accuracy, history.test_accuracy)}
    st.subheader(_("The book vs this run"))
    book_column = _("the book ({edition} {section}, {epochs} epochs, GPU)").format(
        edition=edition_label(recipe.edition), section=recipe.section, epochs=recipe.config.epochs)
    st.table({"": list(rows), book_column: [f"{book:.3f}" for book, _mine in rows.values()],
              _("this run (epoch {epoch})").format(epoch=last): [f"{mine[-1]:.3f}" for _book, mine in rows.values()]})
    st.caption(_("The book prints its last epoch's running means and the test accuracy ({source}).").format(
        source=f"`{recipe.printed.source}`") + subset_note(config)
        + ("" if last == recipe.config.epochs else " " + _("This run trained {last} of the book's {epochs} "
                                                             "epochs.").format(last=last, epochs=recipe.config.epochs)))
