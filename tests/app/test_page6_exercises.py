"""Page 6 under AppTest: the catalog listed by section, the filters, the language switch, the URL, each
Try-it link opening its page in the stated state, and a computed Answer rendered with its numbers."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from streamlit.testing.v1 import AppTest

from cnnviz.conv.presets import KERNEL_PRESETS
from cnnviz.exercises.answer import Answer, Check, Matrix, Table
from cnnviz.exercises.catalog import BUILDER, BY_ID, CONV, EDGE, EXERCISES, SECTIONS, find, in_section, matching
from cnnviz.ui.conv import state as conv_state
from cnnviz.ui.edge import url as edge_url
from cnnviz.ui.exercises import view as exercise_view
from cnnviz.ui.exercises.links import query_params
from tests.conftest import assert_no_exception, make_app, plotly_figures
from tests.unit.conv.test_explain import decode_array

PAGE = "pages/6_Exercises.py"


def shown_ids(at) -> list[str]:
    """The exercises the page lists, by the number line that starts each one."""
    heads = [m.value for m in at.markdown]
    return [e.id for e in EXERCISES if any(h.startswith(f"**{e.numbering()}**") for h in heads)]


@pytest.fixture(scope="module")
def page():
    at = make_app(PAGE).run()
    assert_no_exception(at)
    return at


def test_every_exercise_by_section_with_both_numberings(page):
    heads = [m.value for m in page.markdown if m.value.startswith("**") and "-badge[" in m.value]
    assert heads == [next(h for h in heads if h.startswith(f"**{e.numbering()}**"))
                     for s in SECTIONS for e in in_section(s.en)]  # by section, in the book's order
    assert len(shown_ids(page)) == len(EXERCISES) == 77
    assert [h.value for h in page.subheader] == [s.label() for s in SECTIONS]
    index = next(m.value for m in page.markdown if m.value.startswith("**77 exercises**"))
    assert "[7.3](#ex-7-3) (7)" in index  # 6 of the English edition and zh 6.3.2
    assert not page.warning and not page.error


def test_try_it_links_carry_each_pages_own_query(page):
    links = {(pl.proto.page, pl.proto.query_string) for pl in page.get("page_link")}
    from urllib.parse import urlencode

    for ex in EXERCISES:
        for link in ex.links:
            query = query_params(link)
            assert any(p.endswith(link.page.split("/")[-1].split("_", 1)[1].removesuffix(".py")) or
                       link.page.endswith(p) for p, q in links if q == urlencode(query)), ex.id


def test_search_section_and_kind_filter_the_list():
    at = make_app(PAGE).run()
    at.text_input(key="ex_query").set_value("汇聚").run()
    assert sorted(shown_ids(at)) == sorted(e.id for e in matching("汇聚"))
    assert at.query_params["q"] == "汇聚"
    at.text_input(key="ex_query").set_value("")
    at.selectbox(key="ex_section").set_value("8.5")
    at.selectbox(key="ex_kind").set_value("experiment").run()
    assert_no_exception(at)
    assert shown_ids(at) == ["8.5.2", "8.5.3"]
    assert [h.value for h in at.subheader] == ["8.5 Batch Normalization / zh 7.5 批量规范化"]
    at.text_input(key="ex_query").set_value("no-such-word").run()
    assert shown_ids(at) == [] and at.info


def test_statements_switch_to_chinese():
    at = make_app(PAGE).run()
    at.segmented_control(key="ex_lang").set_value("zh").run()
    assert_no_exception(at)
    texts = "\n".join(m.value for m in at.markdown)
    assert "把互相关运算写成一次矩阵乘法" in texts and "Rewrite a cross-correlation" not in texts
    assert at.query_params["text"] == "zh"


def test_a_link_opens_filtered_and_a_bad_one_says_what_it_ignored():
    at = make_app(PAGE, query={"section": "7.3", "kind": "explore"}).run()
    assert_no_exception(at)
    expected = [e.id for e in in_section("7.3") if e.kind == "explore"]
    assert shown_ids(at) == expected and 0 < len(expected) < len(in_section("7.3"))
    bad = make_app(PAGE, query={"section": "9.9", "kind": "computed"}).run()
    assert_no_exception(bad)
    assert "section=9.9" in bad.warning[0].value
    assert set(shown_ids(bad)) == {e.id for e in EXERCISES if e.kind == "computed"}


# Each distinct Try-it link once: (page, query).
LINKS = sorted({(link.page, tuple(query_params(link).items())): e.id for e in EXERCISES for link in e.links}.items())


def _stated_state_shown(at, page: str, state: dict) -> None:
    ss = at.session_state
    if page == CONV:
        for name, value in state.items():
            if name == "kernel":
                kernel = next(f for f in plotly_figures(at) if f["layout"]["title"]["text"].startswith("kernel"))
                assert np.array_equal(decode_array(kernel["data"][0]["z"]), np.asarray(value)), name
            else:
                assert ss[conv_state.PREFIX + name] == value, name
        if "kpreset" in state:
            kernel = next(f for f in plotly_figures(at) if f["layout"]["title"]["text"].startswith("kernel"))
            assert np.allclose(decode_array(kernel["data"][0]["z"]), np.asarray(KERNEL_PRESETS[state["kpreset"]]))
    elif page == BUILDER:
        assert at.selectbox(key="arch_preset").value == state["preset"]
    elif page == EDGE:
        for name, word in state.items():
            param = edge_url.PARAMS[name]
            assert ss[param.key] == (param.choices[word] if param.choices else word)


@pytest.mark.parametrize(("target", "exercise_id"), LINKS, ids=[f"{i}" for _, i in LINKS])
def test_each_try_it_link_opens_its_page_in_the_stated_state(target, exercise_id):
    page, query = target
    at = make_app(page, query=dict(query)).run()
    assert_no_exception(at)
    assert not [w.value for w in at.warning if "link" in w.value.lower()]
    _stated_state_shown(at, page, BY_ID[exercise_id].try_it.params)


def test_the_output_shape_exercise_opens_on_what_conv2d_gives():
    """7.3.1: the page's output grid has F.conv2d's shape for kernel 3x5, padding (0, 1), stride (3, 4)."""
    ex = BY_ID["7.3.1"]
    at = make_app(CONV, query=query_params(ex.try_it)).run()
    out = next(f for f in plotly_figures(at) if f["layout"]["title"]["text"].startswith("output"))
    ref = F.conv2d(torch.zeros(1, 1, 8, 8), torch.ones(1, 1, 3, 5), padding=(0, 1), stride=(3, 4))
    assert decode_array(out["data"][0]["z"]).shape == tuple(ref.shape[2:]) == (2, 2)


def _example_answer() -> Answer:
    """A small answer made here, not by cnnviz: average pooling 2x2 as a convolution on a 4x4 arange."""
    x = torch.arange(16.0).reshape(1, 1, 4, 4)
    pooled = F.avg_pool2d(x, 2)
    conv = F.conv2d(x, torch.full((1, 1, 2, 2), 0.25), stride=2)
    return Answer(
        summary="Average pooling is a convolution with a constant kernel.",
        details="Kernel 1/4 everywhere, stride 2.",
        tables=(Table("Outputs", ("cell", "pool", "conv"),
                      tuple((i, float(p), float(c)) for i, (p, c) in enumerate(zip(pooled.flatten(), conv.flatten())))),),
        matrices=(Matrix("pooled", pooled[0, 0].numpy()),),
        checks=(Check("conv vs F.avg_pool2d", f"{float(conv.sum()):g}", f"{float(pooled.sum()):g}",
                      torch.equal(conv, pooled)),
                Check("a check that fails", "1", "2", False)),
    )


def _render_example():
    from cnnviz.ui.exercises.answer import show_answer
    from tests.app.test_page6_exercises import _example_answer

    show_answer(_example_answer(), key="t")


def test_the_renderer_shows_summary_tables_matrices_and_checks():
    at = AppTest.from_function(_render_example, default_timeout=60).run()
    assert_no_exception(at)
    expected = _example_answer()
    assert at.markdown[0].value == f"**{expected.summary}**"
    frame = at.dataframe[0].value
    assert list(frame.columns) == ["cell", "pool", "conv"] and frame["pool"].tolist() == [2.5, 4.5, 10.5, 12.5]
    fig = plotly_figures(at)[0]
    assert np.array_equal(decode_array(fig["data"][0]["z"]), expected.matrices[0].values)
    checks = at.markdown[-1].value.splitlines()
    assert checks[0].startswith("- :green[") and "cnnviz `30` · reference `30`" in checks[0]
    assert checks[1].startswith("- :red[") and "`1`" in checks[1] and "`2`" in checks[1]
    assert "some disagree" in at.markdown[-2].value


def test_every_registered_answer_renders_on_the_page_with_its_checks_passing():
    from cnnviz.exercises.answers import ANSWERS

    at = make_app(PAGE).run()
    toggles = {t.key for t in at.toggle if t.key.startswith("ex_show_")}
    assert toggles == {f"ex_show_{find(i).id.replace('.', '_').replace('-', '_')}" for i in ANSWERS}
    for key in toggles:
        at.toggle(key=key).set_value(True)
    at.run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    texts = [m.value for m in at.markdown]
    for exercise_id, compute in ANSWERS.items():
        answer = compute()
        assert f"**{answer.summary}**" in texts, exercise_id
    assert sum(t == "Checked against PyTorch: all agree" for t in texts) == sum(
        bool(compute().checks) for compute in ANSWERS.values())


def test_the_page_shows_a_registered_answer_on_request(monkeypatch):
    fake = types.ModuleType("cnnviz.exercises.answers")
    fake.ANSWERS = {"7.5.1": _example_answer}
    monkeypatch.setitem(sys.modules, "cnnviz.exercises.answers", fake)
    exercise_view.computed_answer.clear()
    try:
        at = make_app(PAGE, query={"section": "7.5"}).run()
        assert [t.key for t in at.toggle if t.key.startswith("ex_show")] == ["ex_show_7_5_1"]
        at.toggle(key="ex_show_7_5_1").set_value(True).run()
        assert_no_exception(at)
        fig = plotly_figures(at)[0]
        assert np.array_equal(decode_array(fig["data"][0]["z"]), [[2.5, 4.5], [10.5, 12.5]])
        assert at.dataframe[0].value["conv"].tolist() == [2.5, 4.5, 10.5, 12.5]
    finally:
        exercise_view.computed_answer.clear()
