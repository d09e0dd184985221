"""Why a run ended, in the reader's language.

The trainer (cnnviz.training.loop), the job (cnnviz.training.jobs) and the workspace store record it as an `i18n.Text`: the
English sentence that carries its template and values ("{ending} because {reason}" holds both as Texts), so
the page renders it in any language with its numbers.
"""

from __future__ import annotations

from cnnviz.i18n import N_, Text, render

STOP_REASON = Text(N_("you pressed Stop"))  # what the Stop button tells the job
BECAUSE = "{ending} because {reason}"  # cnnviz.training.jobs' template for a stopped job


def job_message(message, lang: str) -> str:
    """A job's message (`JobSnapshot.message`) in `lang`."""
    return render(message, lang)


def ending_only(message, lang: str) -> str:
    """How it ended without why it was stopped: "stopped at step 120"."""
    if isinstance(message, Text) and message.template == BECAUSE:
        return render(message.values["ending"], lang)
    return render(str(message).split(" because ")[0], lang)
