"""cnnviz home page: what each page teaches, and the state of this machine."""

import streamlit as st

from cnnviz import data
from cnnviz.i18n import N_
from cnnviz.ui.common import PAGES, environment, language_query, page_setup, show_error
from cnnviz.ui.job_backend_view import backend_line
from cnnviz.ui.lang import _, current
from cnnviz.ui import lesson, lesson_link

page_setup(N_("Home"))

lesson.begin("home", {})  # a lesson link, the tour
st.title(_("cnnviz: convolutional networks, hands on"))
st.markdown(_(
    "An interactive companion to the CNN chapters of *Dive into Deep Learning* (d2l.ai, chapters 7 and 8). "
    "Every number shown comes from PyTorch, and the tests check each kind against torch.nn.functional."
))

columns = st.columns(2)  # two cards a row: every page on a projector's first screen
for index, (path, label, icon, section, blurb) in enumerate(PAGES[1:]):
    with columns[index % 2].container(border=True):
        title = _("**{page}** (d2l {sections})").format(page=_(label), sections=_(section)) if section else \
            "**{page}**".format(page=_(label))  # the class board follows no section of the book
        st.page_link(path, label=title, icon=icon, query_params=language_query())
        st.caption(_(blurb))

st.subheader(_("This machine"))
env = environment()
cols = st.columns(3)
cols[0].metric("PyTorch", env["torch"])
cols[1].metric(_("Device"), env["device"], help=env["device_detail"].render(current()))
cols[2].metric("Fashion-MNIST", _("found") if env["dataset"] else _("missing"))
if backend_line().backend == "thread" and env["device"] == "CPU":  # a Ray cluster's workers have their own
    st.caption(_("No CUDA or Apple GPU found: training runs on the CPU (small models train in about a minute)."))
if env["dataset"]:
    st.caption(_("Fashion-MNIST is read from `{path}`.").format(path=env["dataset"]))
else:
    st.warning(data.missing_message(lang=current()))
    if st.button(_("Download Fashion-MNIST"), key="download_dataset"):
        try:
            with st.spinner(_("Downloading with torchvision...")):
                data.download_fashion_mnist()
        except Exception as exc:  # no internet: say so, keep the page
            show_error(RuntimeError(_("The download failed ({error}). Check the internet connection, or install the "
                                      "data as listed above.").format(error=exc)))
        else:
            environment.clear()
            st.rerun()
lesson_link.panel("home")
