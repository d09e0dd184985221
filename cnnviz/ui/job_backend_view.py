"""One line on the home and Train pages: what serves training runs, and what it has now."""

from __future__ import annotations

import streamlit as st

from cnnviz import i18n
from cnnviz.training.backends import ClusterInfo
from cnnviz.ui.lang import _, current
from cnnviz.ui.train.state import job_backend


def backend_text(info: ClusterInfo) -> str:
    """"Runs train in this server (thread backend, 2 CPUs)" or the Ray cluster's resources and runs."""
    if info.backend == "thread":
        return _("Runs train in this server (thread backend, {cpus} CPUs).").format(cpus=f"{info.cpus:g}")
    return _("Runs train on the Ray cluster at `{address}`: {cpus} CPUs, {gpus} GPUs, {running} running, "
             "{waiting} waiting.").format(address=info.address, cpus=f"{info.cpus:g}", gpus=f"{info.gpus:g}",
                                           running=info.running, waiting=info.waiting)


def backend_line() -> ClusterInfo:
    """A caption when all is well; a warning first when CNNVIZ_RAY_ADDRESS could not be used. Returns what it said."""
    info = job_backend().info()
    if info.notice:
        st.warning(i18n.render(info.notice, current()), icon=":material/cloud_off:")
    st.caption(backend_text(info))
    return info
