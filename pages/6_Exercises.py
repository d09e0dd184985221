"""Page 6: the book's exercises for 7.2-7.6 and 8.1-8.5, each with a Try it link, a hint, and a computed,
checked answer where cnnviz can compute one."""

from cnnviz.ui.common import page_setup

page_setup("Exercises")

import streamlit as st  # noqa: E402

from cnnviz.exercises.answers import ANSWERS  # noqa: E402
from cnnviz.exercises.catalog import SECTION_BY_EN, SECTIONS, find, in_section, matching  # noqa: E402
from cnnviz.ui import exercise_state as state  # noqa: E402
from cnnviz.ui import url_state  # noqa: E402
from cnnviz.ui.common import intro  # noqa: E402
from cnnviz.ui.exercise_view import anchor, show_exercise  # noqa: E402

# An answer registered under the zh number of an exercise the English edition has too belongs to that one.
answers = {find(answer_id).id: compute for answer_id, compute in ANSWERS.items() if find(answer_id)}
ignored = state.load_from_url()
state.keep_widget_state()

st.title("Exercises")
intro("d2l 7.2-7.6 and 8.1-8.5, stated in cnnviz's words with both editions' numbers: open one in the app, "
      "read the hint, or see the computed answer.",
      "Every exercise names its section and number in the English edition and, where the Chinese edition has "
      "the same exercise, its number there, so you can find the original. **computed**: cnnviz computes the "
      "answer and checks it against PyTorch; **experiment**: a comparison to run in the app; **explore**: "
      "an open question, with a hint and what to look at (never a ready answer). *Try it* opens the page in "
      "the state the exercise needs; for pages that do not read a link yet, the line under it says what to "
      "set there.")
if ignored:
    st.warning(url_state.ignored_message(ignored), icon=":material/link_off:")

bar = st.container(horizontal=True, vertical_alignment="bottom", gap="small", key="ex_filters")
with bar:
    st.text_input("Search", key="ex_query", placeholder="pooling, 7.3.1, 汇聚",
                  help="Every word must appear in the number, statement, hint or section (English or 中文).")
    st.selectbox("Section", state.SECTION_OPTIONS, key="ex_section", width=260,
                 format_func=lambda s: "All sections" if s == state.ALL else f"{s} / zh {SECTION_BY_EN[s].zh}")
    st.selectbox("Kind", state.KIND_OPTIONS, key="ex_kind", width=160,
                 format_func=lambda k: "All kinds" if k == state.ALL else k)
    st.segmented_control("Statements in", state.LANGS, key="ex_lang", required=True,
                         format_func={"en": "English", "zh": "中文"}.get)
state.save_to_url()

lang = state.value("text")
found = matching(state.value("q"), None if state.value("section") == state.ALL else state.value("section"),
                 None if state.value("kind") == state.ALL else state.value("kind"))
by_section = {s.en: in_section(s.en, found) for s in SECTIONS}
index = " · ".join(f"[{s.en}](#{anchor(s)}) ({len(by_section[s.en])})" for s in SECTIONS if by_section[s.en])
st.markdown(f"**{len(found)} exercises** · {index}" if found else "**No exercise matches.**")
if not found:
    st.info("Nothing matches these filters: clear the search box or choose All sections and All kinds.")

for section in SECTIONS:
    if not by_section[section.en]:
        continue
    st.subheader(section.label(), anchor=anchor(section))
    for ex in by_section[section.en]:
        show_exercise(ex, lang, answers.get(ex.id))
