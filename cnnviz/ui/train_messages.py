"""Why a run ended, in the reader's language.

The trainer (cnnviz.train) and the job (cnnviz.jobs) still record why a run ended as an English sentence;
this module reads those sentences back into a template and its values, so the page shows them translated
with their numbers. A message that already carries its template (`render`) is rendered directly; one that
matches no known sentence is shown as it is. When the library's messages become `Message`s, only the first
branch of `job_message` remains.
"""

from __future__ import annotations

import re

from cnnviz.i18n import N_, gettext

# English sentence (as a regular expression) -> its template, the same words with named values.
ENDINGS = (
    (r"loss became NaN or infinite at step (?P<step>\d+): lower the learning rate \(now (?P<lr>[^)]+)\); "
     r"the weights from before it diverged are kept",
     N_("loss became NaN or infinite at step {step}: lower the learning rate (now {lr}); the weights from "
        "before it diverged are kept")),
    (r"stopped at step (?P<step>\d+)", N_("stopped at step {step}")),
    (r"stopped while queued", N_("stopped while queued")),
    (r"the (?P<device>\w+) ran out of memory with batch_size (?P<batch>\d+): choose a smaller batch size or a "
     r"smaller architecture",
     N_("the {device} ran out of memory with batch_size {batch}: choose a smaller batch size or a smaller "
        "architecture")),
)
REASONS = (  # what stopped it (cnnviz.jobs adds " because <reason>")
    (r"you pressed Stop", N_("you pressed Stop")),
    (r"no page showed it for (?P<seconds>[\d.]+) s \(its tab was closed or reloaded\)",
     N_("no page showed it for {seconds} s (its tab was closed or reloaded)")),
    (r"its workspace was dropped from the server", N_("its workspace was dropped from the server")),
)
BECAUSE = N_("{ending} because {reason}")
STOP_REASON = "you pressed Stop"  # what the Stop button tells the job (an English sentence, translated here)


def _translate(text: str, table, lang: str) -> str | None:
    for pattern, template in table:
        if (found := re.fullmatch(pattern, text)) is not None:
            return gettext(lang, template).format(**found.groupdict())
    return None


def job_message(message, lang: str) -> str:
    """A job's message (`JobSnapshot.message`) in `lang`."""
    if hasattr(message, "render"):
        return message.render(lang)
    text = str(message)
    if lang == "en" or not text:
        return text
    ending, _, reason = text.partition(" because ")
    shown = _translate(ending, ENDINGS, lang)
    if shown is None:
        return text
    if not reason:
        return shown
    because = _translate(reason, REASONS, lang)
    return gettext(lang, BECAUSE).format(ending=shown, reason=because) if because is not None else text


def ending_only(message, lang: str) -> str:
    """How it ended without why it was stopped: "stopped at step 120"."""
    return job_message(str(message).split(" because ")[0], lang)
