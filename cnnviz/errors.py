"""The one error base every cnnviz module raises, so pages can show any of them with `st.error`."""

from __future__ import annotations

from cnnviz.i18n import Message


class CnnvizError(ValueError):
    """Invalid user input. The message names the parameter, its value, and what to change.

    Raise it with a template and named values, `CnnvizError("kernel must be between {low} and {high}, got
    {value}", low=1, high=28, value=30)`, so a page can show it in the reader's language (`message.render`);
    `str()` is the English sentence. A plain sentence (no values) still works and is shown as it is."""

    def __init__(self, template: str, **values):
        self.message = Message(template, values)
        super().__init__(template.format(**values) if values else template)

    def render(self, lang: str) -> str:
        """The message in `lang`, numbers filled in."""
        return self.message.render(lang)
