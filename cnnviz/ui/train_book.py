"""The book's recipes on the Train page: one click applies a recipe to the widgets, a line says whether the
settings still follow it, and the result the book prints is drawn beside the run's curves and tabled after it."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from cnnviz.arch import PRESETS, Architecture
from cnnviz.figures.train import LOSS, TEST_ACC, TRAIN_ACC
from cnnviz.recipes import RECIPES, Recipe, departures, recipes_for, run_recipe, where
from cnnviz.train import TrainConfig
from cnnviz.ui.train_state import Run
from cnnviz.ui.train_views import RECIPE_KEY, config_from_state

EDITIONS = {"zh": "Chinese edition", "en": "English edition"}


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
    scaling = "standardised" if c.normalize_input else "[0, 1] pixels (ToTensor, no normalisation)"
    text = (f"{recipe.title} ({EDITIONS[recipe.edition]} {recipe.section}; {where(recipe)}): {c.epochs} epochs of "
            f"plain SGD, learning rate {c.lr:g}, batch {c.batch_size}, {c.init} initialisation, {scaling}, "
            f"images resized to {recipe.input_size}x{recipe.input_size}. Source: {recipe.source}.")
    if recipe.printed is not None:
        p = recipe.printed
        text += (f" The book prints loss {p.loss:.3f}, train acc {p.train_accuracy:.3f}, test acc "
                 f"{p.test_accuracy:.3f} ({p.device}).")
    if recipe.note:
        text += f" {recipe.note}"
    return text


def recipe_ui(arch_choice: str, disabled: bool) -> None:
    """A button per edition for the chosen preset, then a line: following the recipe, or how it differs."""
    recipes = recipes_for(arch_choice) if arch_choice in PRESETS else []
    if not recipes:
        return
    for col, recipe in zip(st.columns(len(recipes), gap="small"), recipes):
        col.button(f"Book {recipe.edition} {recipe.section}", key=f"train_recipe_{recipe.key}", disabled=disabled,
                   on_click=apply_recipe, args=(recipe.key,), width="stretch", icon=":material/menu_book:",
                   help=f"The book's recipe in one click: {summary(recipe)}")
    recipe = in_force(arch_choice)
    if recipe is None:
        return
    changed = departures(recipe, config_from_state())
    if changed:
        st.caption(f":material/warning: No longer the book's recipe ({recipe.edition} {recipe.section}): "
                   + "; ".join(changed) + ".", help=summary(recipe))
    else:
        st.caption(f":material/check: The book's recipe: {recipe.edition} {recipe.section} "
                   f"({where(recipe)}).", help=summary(recipe))


def printed_recipe(spec: Architecture, config: TrainConfig) -> Recipe | None:
    """The recipe a run followed (epochs aside), when it trained the preset itself and the book prints a result."""
    recipe = run_recipe(spec.name, config)
    if recipe is None or recipe.printed is None or PRESETS.get(recipe.preset) != spec:
        return None
    return recipe


def marks_for(run: Run):
    """What adds the book's printed result to the run's curves, or None."""
    recipe = printed_recipe(run.spec, run.config)
    return None if recipe is None else (lambda fig: add_book_marks(fig, recipe))


def marks_caption(run: Run) -> None:
    if (recipe := printed_recipe(run.spec, run.config)) is not None:
        st.caption(f"Dashed: what the book prints after {recipe.config.epochs} epochs of this recipe "
                   f"({recipe.edition} {recipe.section}, on a GPU)." + subset_note(run.config))


def add_book_marks(fig: go.Figure, recipe: Recipe) -> go.Figure:
    """Dashed lines at the book's printed loss, train acc and test acc, in the curves' own colours."""
    p = recipe.printed
    marks = ((p.loss, "loss", LOSS, "top right"), (p.train_accuracy, "train acc", TRAIN_ACC, "top left"),
             (p.test_accuracy, "test acc", TEST_ACC, "bottom left"))
    for value, name, colour, position in marks:
        fig.add_hline(y=value, line={"color": colour, "width": 2, "dash": "longdash"}, opacity=0.6,
                      annotation_text=f"book {name} {value:.3f}", annotation_position=position,
                      annotation_font_color=colour, annotation_bgcolor="rgba(255, 255, 255, 0.8)",
                      name=f"book {name}")  # the label stays readable where a curve crosses it
    return fig


def subset_note(config: TrainConfig) -> str:
    """Why a run on a subset does not reproduce the book."""
    if config.max_train_samples is None:
        return ""
    return (f" This run trains on {config.max_train_samples:,} images and tests on {config.max_test_samples:,}: "
            "its figures are a quick look, not the book's (60,000 and 10,000).")


def book_table(run: Run) -> None:
    """The book's printed figures beside the run's last full epoch, when it followed a recipe that prints them."""
    recipe, history = printed_recipe(run.spec, run.config), run.snapshot().history
    if recipe is None or history is None or not history.epochs_done:
        return
    p, last, config = recipe.printed, history.epochs_done, run.config
    rows = {"train loss": (p.loss, history.train_loss), "train acc": (p.train_accuracy, history.train_accuracy),
            "test acc": (p.test_accuracy, history.test_accuracy)}
    st.subheader("The book vs this run")
    st.table({"": list(rows),
              f"the book ({recipe.edition} {recipe.section}, {recipe.config.epochs} epochs, GPU)":
                  [f"{book:.3f}" for book, _ in rows.values()],
              f"this run (epoch {last})": [f"{mine[-1]:.3f}" for _, mine in rows.values()]})
    st.caption(f"The book prints its last epoch's running means and the test accuracy ({recipe.printed.source})."
               + subset_note(config)
               + ("" if last == recipe.config.epochs else f" This run trained {last} of the book's "
                  f"{recipe.config.epochs} epochs."))
