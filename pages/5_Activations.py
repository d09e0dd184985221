"""Placeholder until the page lands."""

from cnnviz.ui.common import page_setup

page_setup("Activations")
import streamlit as st

st.info("This page is being built.")
