"""cnnviz home page: what each page teaches, and the state of this machine."""

import streamlit as st

from cnnviz import data
from cnnviz.ui.common import environment, page_setup, show_error

page_setup("Home")

st.title("cnnviz: convolutional networks, hands on")
st.markdown(
    "An interactive companion to the CNN chapters of *Dive into Deep Learning* (d2l.ai, chapters 7 and 8). "
    "Every number shown is computed by PyTorch, and checked against it."
)

PAGES = [
    ("pages/1_Convolution_and_pooling.py", "Convolution & pooling", ":material/apps:",
     "7.2-7.5", "Cross-correlation, padding, stride, dilation, channels, 1x1 convolution and pooling, "
     "cell by cell."),
    ("pages/2_Learn_an_edge_kernel.py", "Learn an edge kernel", ":material/trending_down:",
     "7.2.4", "Gradient descent recovers the edge detector [1, -1] from an image and its edges, live."),
    ("pages/3_Architecture_builder.py", "Architecture builder", ":material/account_tree:",
     "7.6, 8.1-8.5", "Build LeNet, AlexNet, VGG, NiN or GoogLeNet layer by layer and see every shape and cost."),
    ("pages/4_Train.py", "Train", ":material/model_training:",
     "7.6.2, 8.5", "Train the architecture on the real Fashion-MNIST with live curves."),
    ("pages/5_Activations.py", "Activations", ":material/visibility:",
     "7.6 exercises", "What the first and second layers see: pullovers against coats, and any class you choose."),
]

for path, label, icon, section, blurb in PAGES:
    with st.container(border=True):
        st.page_link(path, label=f"**{label}** (d2l {section})", icon=icon)
        st.caption(blurb)

st.subheader("This machine")
env = environment()
cols = st.columns(3)
cols[0].metric("PyTorch", env["torch"])
cols[1].metric("Device", env["device"], help=env["device_detail"])
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
