"""Page 5: what a trained LeNet's layers compute for chosen classes (d2l 7.6's exercise: sweaters and coats)."""

from cnnviz.ui.common import page_setup

page_setup("Activations")

import streamlit as st  # noqa: E402

from cnnviz.inspection import capture as act  # noqa: E402
from cnnviz import data  # noqa: E402
from cnnviz.ui.train.live import network_name  # noqa: E402
from cnnviz.ui.activations import maps as maps_ui  # noqa: E402
from cnnviz.ui.activations import url as act_url  # noqa: E402
from cnnviz.ui import lang, url_state  # noqa: E402
from cnnviz.ui.activations import state  # noqa: E402
from cnnviz.ui.activations import views  # noqa: E402
from cnnviz.ui.activations import attribution as attribution_ui  # noqa: E402
from cnnviz.ui.activations.models import dataset_ui, model_ui  # noqa: E402
from cnnviz.ui.common import dataset_or_none, intro, presenting, user_errors  # noqa: E402
# The missing-dataset message in the reader's language: the Train page's, so both pages say the same.
from cnnviz.ui.lang import _  # noqa: E402
from cnnviz.ui import lesson, lesson_link  # noqa: E402

state.keep_settings()
ignored = act_url.load()  # a shared link or the browser's Back: its settings into the widgets
lesson.begin("activations",  # a lesson link, the tour
             {**lesson.controls_of(act_url.PARAMS), "layer": "act_layer", "channels": "act_channels"})
st.title(_("Activations: what the layers see"))
DETAILS = _("The book's exercise (d2l 7.6): *display the activations of the first and second layer of LeNet for "
            "different inputs (e.g., sweaters and coats)*. Pick a trained model (the shipped ones, a run of yours "
            "from the Train page, or a checkpoint), two or more classes and a layer, then compare what each "
            "channel responds to. Below the maps: what the network predicts for the images, the class means and "
            "their difference, the channels that separate the classes, the layer's kernels, and which pixels "
            "the decision rests on. "
            "The book's AlexNet, VGG and NiN (224×224), GoogLeNet, ResNet-18, DenseNet and RegNetX-32 (96×96) are "
            "offered untrained too: their "
            "maps mean nothing yet, but their shapes and receptive fields are the book's. Images are resized as "
            "the Train page resizes them, and shown at the size the network sees. Click a map to enlarge it, then "
            "one of its units: the input pixels that unit sees, its receptive field, are outlined on every input "
            "image (d2l 7.2.6, and 8.2 for why stacked 3×3 convolutions see as much as one larger kernel). A "
            "model trained on MNIST shows digits; a checkpoint that does not name its dataset gets a box to "
            "choose one.")
intro(_("d2l 7.6: a trained network's feature maps (the book's exercise uses LeNet) for pullovers against coats. "
        "Model and images: in the sidebar; click a map to enlarge it, and a unit of it to outline what that unit "
        "sees."),
      None if presenting() else DETAILS)  # presenter mode: explanations fold away

if ignored:
    st.warning(url_state.ignored_message(ignored), icon=":material/link_off:")

with st.sidebar:  # what goes in: the classes first (the control a lesson changes most), then the model
    classes_box = st.container()  # filled once the model says which dataset's classes it knows
    loaded = model_ui()
    dataset = dataset_ui(loaded)
    with classes_box:
        classes = state.classes_ui(dataset)
    test_set = dataset_or_none(dataset, train=False)
    names_of = data.class_names(dataset)
    examples = state.examples_ui(classes, test_set, names_of) if classes and test_set is not None else None
    own = state.own_images_ui(dataset)
act_url.save()  # the sidebar's settings (and the last layer and channels) before the page may stop

if test_set is None:  # the rest of the page needs the images; the model box and uploads above still work
    st.error(data.missing_message(dataset, lang.current()), icon=":material/database:")
    st.stop()
if loaded is None:
    st.info(_("Choose a model in the sidebar."))
    st.stop()
if len(classes) < 2:
    st.warning(_("Choose at least two classes to compare in the sidebar (the book's pair: Pullover and Coat)."))
    st.stop()
examples = state.with_own_images(examples, own)

with user_errors():
    key = state.examples_key(loaded, examples)
    # Resized on the model's device when the network takes 96 or 224, as the Train page does.
    inputs = state.model_inputs(examples.images, loaded.spec, act.model_device(loaded.model))
    captured = state.memo("capture", key, lambda: act.capture(loaded.model, inputs))
    groups = maps_ui.spatial_groups(loaded.model, captured)
    if not groups:
        st.info(_("{name} has no convolutional layers, so there are no feature maps to show; choose a model "
                  "with convolutions.").format(name=network_name(loaded.spec)))
        st.stop()
    labels = examples.labels
    layer_col, stage_col, channels_col, scale_col = st.columns([1.35, 1, 0.95, 1.05], gap="small")
    with layer_col:
        group = maps_ui.layer_ui(groups)
    with stage_col:
        stage, kind = maps_ui.stage_ui(group)
    with channels_col:
        channels = maps_ui.channels_ui(captured[stage], labels, classes)
    with scale_col:
        shared = lesson.widget(st.toggle, _("One scale"), key="act_shared",
                               help=_("One colour scale for every map: equal colours mean equal values across images, "
                                      "classes and channels. Off: each map uses its full colour range, so weak maps "
                                      "show their pattern."))
    act_url.save()  # now with this model's layer and channels
    shown = maps_ui.Shown(stage, kind, group[0][0], captured[stage], channels)
    st.markdown(maps_ui.heading(shown, loaded.spec, loaded.trained))
    maps_ui.feature_grid(shown, inputs, examples.names, shared, loaded.spec)
    maps_ui.zoom_dialog(shown, inputs, examples.names, shared, loaded.spec)
    with st.expander(_("What the feature maps show")):
        st.markdown(views.grid_explanation(kind))

    probs = state.memo("probs", key, lambda: act.predict_proba(loaded.model, inputs))  # (N, 10)
    views.predictions(examples, classes, probs, key)
    views.class_comparison(shown, labels, classes, shared, examples.class_names)
    views.channel_bars(shown, labels, classes, examples.class_names)
    views.kernels(loaded.model, shown, shared)
    attribution_ui.show(loaded.model, examples, inputs, probs, stage, key)
lesson_link.panel("activations")
