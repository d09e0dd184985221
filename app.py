"""cnnviz home page: what each page teaches, and the state of this machine."""

import streamlit as st

from cnnviz import data
from cnnviz.ui.common import PAGES, environment, page_setup, show_error

page_setup("Home")

st.title("cnnviz: convolutional networks, hands on")
st.markdown(
    "An interactive companion to the CNN chapters of *Dive into Deep Learning* (d2l.ai, chapters 7 and 8). "
    "Every number shown is computed by PyTorch, and checked against it."
)

for path, label, icon, section, blurb in PAGES[1:]:
    with st.container(border=True):
        st.page_link(path, label=f"**{label}** (d2l {section})", icon=icon)
        st.caption(blurb)

st.subheader("This machine")
env = environment()
cols = st.columns(3)
cols[0].metric("PyTorch", env["torch"])
cols[1].metric("Device", env["device"], help=str(env["device_detail"]))
cols[2].metric("Fashion-MNIST", "found" if env["dataset"] else "missing")
if env["device"] == "CPU":
    st.caption("No CUDA or Apple GPU found: training runs on the CPU (small models train in about a minute).")
if env["dataset"]:
    st.caption(f"Fashion-MNIST is read from `{env['dataset']}`.")
else:
    st.warning(data.missing_message())
    if st.button("Download Fashion-MNIST", key="download_dataset"):
        try:
            with st.spinner("Downloading with torchvision..."):
                data.download_fashion_mnist()
        except Exception as exc:  # no internet: say so, keep the page
            show_error(RuntimeError(f"The download failed ({exc}). Check the internet connection, "
                                    "or install the data as listed above."))
        else:
            environment.clear()
            st.rerun()
