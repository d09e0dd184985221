"""Page 7: one image through a whole network, every layer's output, and any unit's number explained."""

from cnnviz.ui.common import page_setup

page_setup("Inside the network")

import streamlit as st  # noqa: E402

from cnnviz import data  # noqa: E402
from cnnviz.ui import lang, url_state  # noqa: E402
from cnnviz.ui.activations.models import dataset_ui, model_ui  # noqa: E402
from cnnviz.ui.arch.labels import network_title  # noqa: E402
from cnnviz.ui.common import dataset_or_none, intro, presenting, user_errors  # noqa: E402
from cnnviz.ui.inside import overview, state, top, unit  # noqa: E402
from cnnviz.ui.inside import url as inside_url  # noqa: E402
from cnnviz.ui.lang import _  # noqa: E402
from cnnviz.ui import lesson, lesson_link  # noqa: E402

state.keep_settings()
ignored = inside_url.load()
lesson.begin("inside", lesson.controls_of(inside_url.PARAMS))  # a lesson link, the tour
st.title(_("Inside the network"))
DETAILS = _("One image through every layer of a network, from the pixels to the class probabilities, as CNN "
            "Explainer shows it, for any model the Activations page can load: the shipped ones, a run of yours "
            "from the Train page, a checkpoint, or the book's networks untrained at their own sizes. Each column "
            "is one layer's output (the input after the model's own resizing and normalisation first); wide "
            "layers are shown a few channels at a time. Click a map, or choose a layer, channel, row and column "
            "below it: the page writes out how that one number was computed from the layer before, with the "
            "real numbers (the window and the learned kernel of every input channel, the bias, the pooling "
            "window, the batch-norm statistics, a dense unit's largest terms, the softmax). Every number is the "
            "network's own: the page runs it once per image and reads each layer's input and output.")
intro(_("One image through every layer: click a map (or choose a unit below) to see how its number is computed."),
      None if presenting() else DETAILS)
if ignored:
    st.warning(url_state.ignored_message(ignored), icon=":material/link_off:")

with st.sidebar:
    loaded = model_ui("in_model", "in_checkpoint")
    dataset = dataset_ui(loaded, "in_data")
    test_set = dataset_or_none(dataset, train=False)
    picked = state.image_ui(dataset, test_set) if test_set is not None else None
    scale = overview.scale_ui() or "layer"
inside_url.save()

if test_set is None:
    st.error(data.missing_message(dataset, lang.current()), icon=":material/database:")
    st.stop()
if loaded is None:
    st.info(_("Choose a model in the sidebar."))
    st.stop()

class_names = [_(name) for name in data.class_names(dataset)]
with user_errors():
    image, image_name = picked
    trace = state.traced(loaded, image)
    with st.sidebar:
        first = overview.page_ui(trace)
    overview_box, unit_box = st.container(), st.container()  # the unit is read first: the overview outlines it
    with unit_box:
        st.markdown(_("#### One unit explained"))
        layer, index = unit.picker(trace)
    with overview_box:
        st.markdown(_("{image} through {model}").format(image=image_name,
                                                          model=network_title(loaded.spec, lang.current())))
        selected = (layer, index[0]) if layer != unit.SOFTMAX else None
        overview.draw(trace, loaded.model, class_names, scale, first, selected)
    inside_url.save()
    with unit_box:
        if layer != unit.SOFTMAX and len(index) == 3:
            map_col, explained_col = st.columns([1, 2.6])
            with map_col:
                unit.unit_map(trace, layer, index)
        else:
            explained_col = st.container()
        with explained_col:
            unit.show(trace, layer, index, class_names)
        top.show(loaded, trace, layer, index[0], dataset, test_set, class_names)
lesson_link.panel("inside")
