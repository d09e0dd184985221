"""Page 6: the book's exercises for 7.2-7.6 and 8.1-8.7, each with a Try it link, a hint, and a computed,
checked answer where cnnviz can compute one."""

from cnnviz.i18n import N_
from cnnviz.ui.common import page_setup

page_setup(N_("Exercises"))

import streamlit as st  # noqa: E402

from cnnviz.exercises.answers import ANSWERS  # noqa: E402
from cnnviz.exercises.catalog import SECTION_BY_EN, SECTIONS, find, in_section, matching  # noqa: E402
from cnnviz.ui.exercises import state  # noqa: E402
from cnnviz.ui import lang, url_state  # noqa: E402
from cnnviz.ui.common import intro  # noqa: E402
from cnnviz.ui.exercises.links import dataset_note  # noqa: E402
from cnnviz.ui.exercises.view import KIND_NAMES, anchor, show_exercise  # noqa: E402
from cnnviz.ui.lang import _  # noqa: E402
from cnnviz.ui import lesson, lesson_link  # noqa: E402

SUMMARY = N_("d2l 7.2-7.6 and 8.1-8.7, stated in cnnviz's words with both editions' numbers: open one in the "
             "app, read the hint, or see the computed answer.")
DETAILS = N_(
    "Every exercise names its section and number in the English edition and, where the Chinese edition has "
    "the same exercise, its number there, so you can find the original. **computed**: cnnviz computes the "
    "answer and checks it against PyTorch; **experiment**: a comparison to run in the app; **explore**: an "
    "open question, with a hint and what to look at (never a ready answer). *Try it* opens the page in the "
    "state the exercise needs; for pages that do not read a link yet, the line under it says what to set "
    "there.")
LANG_NAMES = {"en": "English", "zh": "中文"}

# An answer registered under the zh number of an exercise the English edition has too belongs to that one.
answers = {find(answer_id).id: compute for answer_id, compute in ANSWERS.items() if find(answer_id)}
ignored = state.load_from_url()
state.keep_widget_state()
reader = lang.current()


def section_name(en: str) -> str:
    """A section as the Section filter shows it: in Chinese the zh number and title (they fit the box; the heading
    below gives the English edition's number), in English both numbers."""
    if en == state.ALL:
        return _("All sections")
    section = SECTION_BY_EN[en]
    if reader == "zh":
        return f"{section.number(reader)} {section.title.zh}"
    return f"{en} / zh {section.zh}" if section.zh else f"{en} (not in zh)"


# The filters' option names, made now: Streamlit (and AppTest) call a format_func outside the run.
section_names = {option: section_name(option) for option in state.SECTION_OPTIONS}


lesson.begin("exercises", lesson.controls_of(state.PARAMS))  # a lesson link, the tour
st.title(_("Exercises"))
intro(_(SUMMARY), _(DETAILS))
if ignored:  # each as the link wrote it: code, in any language
    st.warning(url_state.ignored_message([f"`{item}`" for item in ignored]), icon=":material/link_off:")

with st.container(horizontal=True, vertical_alignment="bottom", gap="small", key="ex_filters"):
    lesson.widget(st.text_input, _("Search"), key="ex_query", placeholder=_("pooling, 7.3.1, 汇聚"),
                  help=_("Every word must appear in the number, statement, hint or section (English or 中文). "
                         "A number without a prefix is the edition of the page's language; en7.5 or zh6.5 names "
                         "an edition."))
    lesson.widget(st.selectbox, _("Section"), state.SECTION_OPTIONS, key="ex_section", width=260,
                  format_func=section_names.get)
    kind_names = {state.ALL: _("All kinds"), **{k: _(name) for k, name in KIND_NAMES.items()}}
    lesson.widget(st.selectbox, _("Kind"), state.KIND_OPTIONS, key="ex_kind", width=160, format_func=kind_names.get)
    lesson.widget(st.segmented_control, _("Statements in"), state.LANGS, key="ex_lang", required=True,
                  format_func=LANG_NAMES.get)
state.save_to_url()

text_lang = state.value("text")
found = matching(state.value("q"), None if state.value("section") == state.ALL else state.value("section"),
                 None if state.value("kind") == state.ALL else state.value("kind"), edition=reader)
by_section = {s.en: in_section(s.en, found, edition=reader) for s in SECTIONS}  # in the reader's edition's order
# The index names sections by the reader's edition; the anchors stay the English numbers (links keep working).
index = " · ".join(f"[{s.number(reader)}](#{anchor(s)}) ({len(by_section[s.en])})"
                   for s in SECTIONS if by_section[s.en])
count = _("1 exercise") if len(found) == 1 else _("{n} exercises").format(n=len(found))
st.markdown(f"**{count}** · {index}" if found else _("**No exercise matches.**"))
if not found:
    st.info(_("Nothing matches these filters: clear the search box or choose All sections and All kinds."))

for section in SECTIONS:
    if not by_section[section.en]:
        continue
    st.subheader(section.label(reader), anchor=anchor(section))
    for ex in by_section[section.en]:
        show_exercise(ex, text_lang, answers.get(ex.id), dataset_note(ex.try_it))
lesson_link.panel("exercises")
