"""The exercise catalog: every top-level exercise of the book's CNN sections, once, in both languages, and
every Try-it link a state its page accepts."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qsl

import numpy as np
import pytest

from cnnviz.arch import PRESETS
from cnnviz.exercises.answer import Matrix
from cnnviz.exercises.answer_figures import matrix_figure
from cnnviz.exercises.catalog import (ACTIVATIONS, BY_ID, BUILDER, CONV, find, EDGE, INSIDE, EXERCISES, KINDS, SECTIONS, TryIt, in_section,
                                      matching, TRAIN)
from cnnviz.ui.conv import state as conv_state
from cnnviz.ui.edge import url as edge_url
from cnnviz.ui.common import PAGES
from cnnviz.ui.activations import url as activation_url
from cnnviz.ui.train import url as train_url
from cnnviz.ui.exercises.links import URL_PAGES, LinkError, query_params
from cnnviz.ui.inside import url as inside_url
from tests.unit.conv.test_explain import decode_array

# Top-level items of each `## Exercises` list, counted in d2l-en master 23d7a5a (7.2-7.6, 8.1-8.7) and of
# each `## 练习` list in d2l-zh master e6b18cc (6.2-6.6, 7.1-7.7); /work/shared/reference/d2l_cnn_chapters.md
# sections 1.1 and 2.1 copy them verbatim; 8.6-8.8 and zh 7.6-7.7 from d2l_resnet_densenet_design.md.
EN_COUNTS = {"7.2": 4, "7.3": 6, "7.4": 7, "7.5": 7, "7.6": 5, "8.1": 8, "8.2": 4, "8.3": 6, "8.4": 5, "8.5": 7,
             "8.6": 5, "8.7": 5, "8.8": 4}
ZH_COUNTS = {"6.2": 4, "6.3": 4, "6.4": 6, "6.5": 6, "6.6": 4, "7.1": 5, "7.2": 4, "7.3": 4, "7.4": 3, "7.5": 7,
             "7.6": 5, "7.7": 5, None: 0}  # 8.8 is the English edition's only
EN = [e for e in EXERCISES if not e.zh_only]
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_all_73_english_exercises_once_each():
    assert len(EN) == sum(EN_COUNTS.values()) == 73
    assert len({e.id for e in EXERCISES}) == len(EXERCISES)
    assert Counter(e.section for e in EN) == EN_COUNTS
    for section, count in EN_COUNTS.items():  # numbered 1..n in the book's order
        assert [e.number for e in in_section(section) if not e.zh_only] == list(range(1, count + 1))


def test_every_zh_exercise_appears_exactly_once():
    zh = [e.zh for e in EXERCISES if e.zh]
    assert len(zh) == len(set(zh))
    assert Counter(n.rsplit(".", 1)[0] for n in zh) == {k: v for k, v in ZH_COUNTS.items() if v}
    for e in EXERCISES:
        assert e.zh is None or e.zh.rsplit(".", 1)[0] == next(s.zh for s in SECTIONS if s.en == e.section)
        assert not e.zh_only or e.id == f"zh-{e.zh}"


def test_texts_in_both_languages_and_the_zh_editions_terms():
    for e in EXERCISES:
        for text in (e.statement, e.hint, *(link.todo for link in e.links if link.todo)):
            assert text.en.strip() and text.zh.strip(), e.id
            assert text.zh != text.en and CJK.search(text.zh), e.id
            assert not CJK.search(text.en), e.id
            assert "池化" not in text.zh and "归一化" not in text.zh, e.id  # d2l-zh says 汇聚, 批量规范化
    assert all(e.kind in KINDS for e in EXERCISES)
    assert {e.kind for e in EN} == set(KINDS)


def test_computed_exactly_where_an_answer_is_registered():
    """A "computed" badge promises an answer; an answer belongs to a catalogued exercise. Some experiments
    (8.3.2, 8.3.3, 8.6.2) and open questions (8.4.5, 8.7.1-8.7.3) also carry a computed part (the parameter,
    FLOP and memory counts) beside the training or reasoning they ask for."""
    from cnnviz.exercises.answers import ANSWERS

    answered = {find(i).id for i in ANSWERS if find(i)}
    assert len(answered) == len(ANSWERS)  # each answer finds its exercise, by id or by its zh number
    computed = {e.id for e in EXERCISES if e.kind == "computed"}
    assert computed <= answered
    assert {BY_ID[i].kind for i in answered - computed} <= {"experiment", "explore"}
    assert {"8.6.2", "8.6.3", "8.7.1", "8.7.2", "8.7.3", "8.8.2"} <= answered
    assert find("zh-7.2.3") is BY_ID["8.2.4"] and find("zh-6.3.2") is BY_ID["zh-6.3.2"] and find("9.9.9") is None


def test_section_labels_show_both_numberings():
    assert SECTIONS[1].label() == "7.3 Padding and Stride / zh 6.3 填充和步幅"
    assert [s.en for s in SECTIONS] == list(EN_COUNTS) and [s.zh for s in SECTIONS] == list(ZH_COUNTS)


def _conv_accepts(name: str, text: str) -> bool:
    if name in conv_state.MATRICES:
        return conv_state.decode_matrix(text) is not None
    default, allowed = conv_state.PARAMS[name]
    return conv_state._parse(text, default) in allowed


LINKS = [(ex, link) for ex in EXERCISES for link in ex.links]


@pytest.mark.parametrize("ex, link", LINKS, ids=[f"{e.id}-{link.page.split('_')[0][-1]}" for e, link in LINKS])
def test_try_it_names_a_real_page_and_a_state_it_accepts(ex, link):
    _check_link(link)


def test_a_second_link_opens_page_7_on_lenet_and_alexnet_with_a_unit_and_says_what_to_look_at():
    seconds = {ex.id: ex.also for ex in EXERCISES if ex.also is not None}
    assert {"7.6.4", "8.1.5"} <= set(seconds)
    assert all(link.page == INSIDE and link.todo for link in seconds.values())
    assert query_params(seconds["7.6.4"])["model"] == "lenet" and query_params(seconds["7.6.4"])["layer"] == "conv2"
    assert query_params(seconds["8.1.5"]) == {"model": "untrained-alexnet", "layer": "conv1", "row": "27", "col": "27"}


def _check_link(try_it):
    assert try_it.page in {path for path, *_ in PAGES}
    query = query_params(try_it)
    if try_it.page == CONV:
        assert set(query) <= {*conv_state.PARAMS, *conv_state.MATRICES}
        assert all(_conv_accepts(name, text) for name, text in query.items())
        assert query or not try_it.state
    elif try_it.page == BUILDER:
        assert query["preset"] in PRESETS
    elif try_it.page == EDGE:
        assert all(edge_url.PARAMS[name].decode(text) is not None for name, text in query.items())
    elif try_it.page == TRAIN and try_it.state:
        assert query and all(train_url.PARAMS[name].decode(text) is not None for name, text in query.items())
    elif try_it.page == ACTIVATIONS and try_it.state:
        words = {activation_url.LAYER, activation_url.CHANNELS}
        assert all(name in words or activation_url.PARAMS[name].decode(text) is not None
                   for name, text in query.items())
    elif try_it.page == INSIDE and try_it.state:
        assert query and all(inside_url.PARAMS[name].decode(text) is not None for name, text in query.items())
    else:  # pages that do not read a link yet, or nothing a link can set: the exercise says what to do there
        assert query == {} and try_it.todo is not None
        assert try_it.page not in URL_PAGES or not try_it.state


def test_a_state_a_page_refuses_is_caught():
    with pytest.raises(LinkError):
        query_params(TryIt(CONV, (("pad_h", 99),)))
    with pytest.raises(LinkError):
        query_params(TryIt(CONV, (("padding", 1),)))
    with pytest.raises(LinkError):
        query_params(TryIt(BUILDER, (("preset", "resnet"),)))
    assert query_params(TryIt(CONV, (("kernel", [[0.5, 0.5]]), ("stride_w", 2)))) == {
        "kernel": "0.5,0.5", "stride_w": "2"}
    assert dict(parse_qsl("kernel=1%2C2")) == {"kernel": "1,2"}  # what a browser sends back is what we wrote


def test_search_needs_every_word_in_either_language():
    pooling = matching("汇聚")
    assert pooling and {e.section for e in pooling} >= {"7.5"}
    assert [e.id for e in matching("7.3.1")] == ["7.3.1"]
    assert [e.id for e in matching("zh-7.3.1")] == ["zh-7.3.1"] and [e.id for e in matching("zh6.2.4")] == ["7.2.2"]
    assert {e.section for e in matching("7.3")} == {"7.3"} and len(matching("7.3")) == 6
    assert {e.id for e in matching("max pooling")} <= {e.id for e in matching("max")}
    assert all(e.kind == "computed" and e.section == "7.5" for e in matching("", "7.5", "computed"))
    assert len(matching("", "7.5", "computed")) == sum(e.kind == "computed" for e in in_section("7.5"))
    assert matching("no-such-word-anywhere") == []
    assert len(matching()) == len(EXERCISES)


def test_in_the_zh_edition_a_bare_number_is_a_zh_number_and_a_prefix_picks_the_edition():
    bn = matching("7.5", edition="zh")  # zh 7.5 is batch normalization (en 8.5), not pooling (en 7.5)
    assert bn and {e.section for e in bn} == {"8.5"} and all(e.zh.startswith("7.5.") for e in bn)
    assert {e.section for e in matching("en7.5", edition="zh")} == {"7.5"} == {e.section for e in matching("7.5")}
    assert [e.zh for e in matching("6.3.1", edition="zh")] == ["6.3.1"]
    assert {e.zh for e in matching("6.6", edition="zh")} == {e.zh for e in EXERCISES if e.zh and e.zh.startswith("6.6.")}
    assert matching("zh6.6", edition="en") == matching("6.6", edition="zh")
    assert [e.id for e in matching("en-7.3.1", edition="zh")] == ["7.3.1"]


@pytest.mark.parametrize("common, term", [("池化", "汇聚"), ("归一化", "规范化"), ("毛衣", "套衫")])
def test_search_knows_the_everyday_names_of_the_books_terms(common, term):
    assert matching(term) and {e.id for e in matching(common)} >= {e.id for e in matching(term)}
    assert {e.id for e in matching(f"{common}层")} >= {e.id for e in matching(f"{term}层")}


def test_in_the_zh_edition_a_section_lists_its_exercises_in_the_zh_order():
    for section in SECTIONS:
        zh_order = in_section(section.en, edition="zh")
        numbered = [tuple(map(int, e.zh.split("."))) for e in zh_order if e.zh]
        assert numbered == sorted(numbered) and sorted(zh_order, key=lambda e: e.id) == sorted(
            in_section(section.en), key=lambda e: e.id)
        assert all(e.zh is None for e in zh_order[len(numbered):])  # the ones zh lacks come last
    assert [e.zh for e in in_section("7.2", edition="zh")][:3] == ["6.2.1", "6.2.2", "6.2.3"]


def test_matrix_figure_shows_the_numbers():
    values = np.array([[0.0, 1.0, 2.0], [-3.0, 4.5, 0.25]])
    fig = matrix_figure(Matrix("K", values)).to_dict()
    assert np.array_equal(decode_array(fig["data"][0]["z"]), values)
    assert fig["data"][0]["text"] == [["0", "1", "2"], ["-3", "4.5", "0.25"]]
    assert fig["layout"]["title"]["text"] == "K"
    with pytest.raises(ValueError):
        matrix_figure(Matrix("v", np.arange(3.0)))
    assert "title" not in matrix_figure(Matrix("K", values), title="").to_dict()["layout"] or \
        not matrix_figure(Matrix("K", values), title="").to_dict()["layout"]["title"].get("text")


def test_the_lenet_exercise_link_changes_what_the_exercise_asks_and_nothing_else():
    """7.6.1 / zh 6.6.1: max pooling and ReLU instead of average pooling and sigmoid; the same padding, channels and
    recipe as the book's LeNet, so the overlaid curves answer the exercise."""
    from cnnviz.training.recipes import RECIPES
    from cnnviz.ui.train import url as train_url

    link = query_params(BY_ID["7.6.1"].try_it)
    assert link["net"] == "lenet"  # the book's LeNet first, the modernised one second with the same settings
    book, changed = PRESETS[link["net"]], PRESETS[link["then"]]
    assert len(book.layers) == len(changed.layers)
    differ = [(ours, theirs) for ours, theirs in zip(book.layers, changed.layers) if ours != theirs]
    assert sorted(type(ours).__name__ for ours, _ in differ) == ["Activation"] * 4 + ["Pool"] * 2
    assert all(type(ours) is type(theirs) for ours, theirs in differ)
    assert {theirs.mode for _, theirs in differ if type(theirs).__name__ == "Pool"} == {"max"}
    recipe = RECIPES["lenet_zh"].config
    settings = {name: train_url.PARAMS[name].choices[value] for name, value in link.items()
                if name not in ("net", "then")}
    defaults = {name: train_url.PARAMS[name].default for name in ("batch", "epochs", "schedule")}
    assert (settings["optimizer"], settings["lr"], settings["momentum"], settings["init"]) == (
        recipe.optimizer, recipe.lr, recipe.momentum, recipe.init)
    assert settings["scaling"] == "unit" and not recipe.normalize_input
    assert (defaults["batch"], defaults["epochs"], defaults["schedule"]) == (
        recipe.batch_size, recipe.epochs, recipe.lr_schedule)  # left out of the link: the page's defaults
