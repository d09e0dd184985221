"""The one error base every cnnviz module raises, so pages can show any of them with `st.error`."""


class CnnvizError(ValueError):
    """Invalid user input. The message names the parameter, its value, and what to change."""
