"""Page 5: what a trained LeNet's layers compute for chosen classes (d2l 7.6's exercise: sweaters and coats)."""

from cnnviz.ui.common import page_setup

page_setup("Activations")

import streamlit as st  # noqa: E402

from cnnviz import activations as act  # noqa: E402
from cnnviz.data import CLASSES, missing_message  # noqa: E402
from cnnviz.ui import activation_state as state  # noqa: E402
from cnnviz.ui import activation_views as views  # noqa: E402
from cnnviz.ui.common import fashion_mnist_or_none, user_errors  # noqa: E402

state.keep_settings()
st.title("Activations: what the layers see")
st.markdown(
    "The book's exercise (d2l 7.6): *display the activations of the first and second layer of LeNet for "
    "different inputs (e.g., sweaters and coats)*. Pick a trained model, two or more classes and a layer, "
    "then compare what each channel responds to."
)

test_set = fashion_mnist_or_none(train=False)
if test_set is None:
    st.error(missing_message())
    st.stop()

source_col, classes_col, images_col = st.columns([1, 1.3, 1.1], gap="medium")
with source_col:
    loaded = state.model_source_ui()
    if loaded is not None:
        st.caption(f"**{loaded.label}**")
with classes_col:
    class_names = st.multiselect("Classes to compare", CLASSES, max_selections=4, key="act_classes")
    classes = [CLASSES.index(name) for name in class_names]
    own = state.own_images_ui()
with images_col:
    examples = state.examples_ui(classes, test_set) if classes else None

if loaded is None:
    st.stop()
if len(classes) < 2:
    st.warning("Choose at least two classes to compare (the book's pair: Pullover and Coat).")
    st.stop()
examples = state.with_own_images(examples, own)

with user_errors():
    key = state.examples_key(loaded, examples)
    captured = state.memo("capture", key, lambda: act.capture(loaded.model, examples.images))
    groups = views.spatial_groups(loaded.model, captured)
    if not groups:
        st.info(f"{loaded.spec.name} has no convolutional layers, so there are no feature maps to show; "
                "choose a model with convolutions.")
        st.stop()
    layer_col, stage_col, scale_col = st.columns([1, 1.4, 1.3], gap="medium")
    with layer_col:
        group = views.layer_ui(groups)
    with stage_col:
        stage, kind = views.stage_ui(group)
    with scale_col:
        shared = st.toggle("One colour scale for all maps", key="act_shared",
                           help="On: equal colours mean equal values across images and classes. "
                                "Off: each map uses its full colour range, so weak maps show their pattern.")

    maps = captured[stage]  # (N, C, h, w)
    labels = examples.labels
    probs = state.memo("probs", key, lambda: act.predict_proba(loaded.model, examples.images))  # (N, 10)
    views.inputs_and_probabilities(examples, classes, probs, key)
    views.activation_grid(maps, examples.names, stage, kind, shared)
    views.class_comparison(maps, labels, classes, stage, shared)
    views.channel_bars(maps, labels, classes, stage)
    views.kernels(loaded.model, group, shared)
    views.saliency(loaded.model, examples, probs, stage)
