"""The architecture builder driven by AppTest: presets, add/remove, a broken stack, export, import, link."""

from __future__ import annotations

import dataclasses
import json

import pytest

from cnnviz.arch import (
    DEFAULT_PRESET, PRESETS, Activation, Dropout, Linear, Pool, count_params, from_url_token, to_json, to_url_token,
)
from cnnviz.arch.table import layer_to_row
from tests.conftest import assert_no_exception, make_app, plotly_figures

PAGE = "pages/3_Architecture_builder.py"


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def table(at):
    """The per-layer table (the first dataframe in the main area)."""
    return at.main.dataframe[0].value


def edit(at, changes: dict) -> None:
    """Types into the layer editor: {row (0-based): {column: value}}."""
    key = f"arch_layers_{at.session_state['arch_editor_version']}"
    at.session_state[key] = {"edited_rows": changes, "added_rows": [], "deleted_rows": []}
    at.run()


@pytest.fixture
def lenet():
    at = make_app(PAGE).run()
    assert_no_exception(at)
    at.selectbox(key="arch_preset").select("lenet").run()
    assert_no_exception(at)
    return at


def test_opens_on_the_default_preset_with_diagram_and_table():
    at = make_app(PAGE).run()
    assert_no_exception(at)
    assert metrics(at)["Parameters"] == f"{count_params(PRESETS[DEFAULT_PRESET]):,}"
    assert at.query_params["preset"] == DEFAULT_PRESET
    diagram = plotly_figures(at)[0]
    texts = [a["text"] for a in diagram["layout"]["annotations"]]
    assert {"<b>input</b>", "<b>conv1</b>", "<b>pool2</b>", "<b>fc2</b>"} <= set(texts)
    assert "<b>16x28x28</b><br>Conv2d<br>5x5<br>pad 2<br>+ BatchNorm<br>+ ReLU" in texts
    assert not at.error


def test_pick_a_preset(lenet):
    assert metrics(lenet)["Parameters"] == "61,706"
    frame = table(lenet)
    assert list(frame["output"][:7]) == ["6x28x28", "6x28x28", "6x14x14", "16x10x10", "16x10x10", "16x5x5",
                                         "400 features"]
    assert frame["params"].iloc[-1] == "61,706" and frame["name"].iloc[-1] == "total"
    assert lenet.query_params["preset"] == "lenet"


def test_add_and_remove_a_layer(lenet):
    lenet.selectbox(key="arch_add_type").select("Dropout").run()
    lenet.button(key="arch_add").click().run()
    assert_no_exception(lenet)
    assert metrics(lenet)["Layers"] == "13" and not lenet.error
    shared = from_url_token(lenet.query_params["arch"])  # the edited stack is in the link
    assert shared.layers == PRESETS["lenet"].layers + (Dropout(0.5),)
    assert lenet.number_input(key="arch_row").value == 13
    lenet.button(key="arch_remove").click().run()
    assert metrics(lenet)["Layers"] == "12" and lenet.query_params["preset"] == "lenet"


def test_move_a_layer_up_breaks_and_down_repairs(lenet):
    lenet.number_input(key="arch_row").set_value(7).run()  # the Flatten
    lenet.button(key="arch_move_up").click().run()  # now before pool2: pool2 gets a flat input
    assert "layer 7, AvgPool2d 2x2" in lenet.error[0].value
    lenet.button(key="arch_move_down").click().run()
    assert not lenet.error and metrics(lenet)["Parameters"] == "61,706"


def test_broken_stack_names_the_layer_and_keeps_the_others(lenet):
    edit(lenet, {5: {"kernel": 20}})  # pool2 with a 20x20 window on a 10x10 input
    assert_no_exception(lenet)
    message = lenet.error[0].value
    assert "layer 6, AvgPool2d 20x20, stride 2: its input is 16x10x10, smaller than the 20x20 window" in message
    frame = table(lenet)
    failing = frame[frame["output"] == "✖ cannot run"]
    assert list(failing["#"]) == ["6"] and "smaller than the 20x20 window" in failing["problem"].iloc[0]
    assert lenet.button(key="arch_use_for_training").disabled
    assert lenet.query_params["preset"] == "lenet"  # the link keeps the last stack that worked
    # A structural change keeps the broken edit and every other layer.
    lenet.button(key="arch_add").click().run()
    assert "layer 6, AvgPool2d 20x20" in lenet.error[0].value
    assert len(lenet.session_state["arch_live_rows"]) == 13
    edit(lenet, {5: {"kernel": 2}})  # fixed; now the added Conv at the end is the problem
    assert "layer 13, Conv2d 3x3, pad 1: its input is 10 features (already flat)" in lenet.error[0].value


def test_bad_cell_is_rejected_in_place(lenet):
    edit(lenet, {2: {"option": "median"}})
    assert "layer 3, Pool: pooling mode must be one of max, avg, got 'median'" in lenet.error[0].value
    assert len(table(lenet)) == 4  # conv1, act1, the failing pool, total


def test_export_buttons_and_use_for_training(lenet):
    labels = [b.label for b in lenet.get("download_button")]
    assert labels == ["Download PyTorch code", "Download JSON"]
    assert "arch_current" not in lenet.session_state
    lenet.button(key="arch_use_for_training").click().run()
    assert lenet.session_state["arch_current"] == PRESETS["lenet"]
    assert any("trains this architecture" in c.value for c in lenet.caption)


def test_import_json_valid_and_hostile(lenet):
    lenet.file_uploader(key="arch_import").set_value(
        ("vgg.json", to_json(PRESETS["vgg_small"]).encode(), "application/json")).run()
    assert_no_exception(lenet)
    assert metrics(lenet)["Parameters"] == f"{count_params(PRESETS['vgg_small']):,}"
    assert "Imported 'vgg_small'" in lenet.success[0].value
    hostile = json.dumps({"layers": [{"type": "Conv", "out_channels": 10**9}]})
    lenet.file_uploader(key="arch_import").set_value(("evil.json", hostile.encode(), "application/json")).run()
    assert "evil.json was not imported" in lenet.error[0].value and "between 1 and" in lenet.error[0].value
    assert metrics(lenet)["Parameters"] == f"{count_params(PRESETS['vgg_small']):,}"  # unchanged


def test_link_opens_the_shared_architecture_and_survives_a_broken_one():
    spec = PRESETS["nin_small"]
    at = make_app(PAGE, query={"arch": to_url_token(spec)}).run()
    assert_no_exception(at)
    assert metrics(at)["Parameters"] == f"{count_params(spec):,}"
    at = make_app(PAGE, query={"arch": "garbage!"}).run()
    assert_no_exception(at)
    assert "could not be read" in at.error[0].value
    assert metrics(at)["Parameters"] == f"{count_params(PRESETS[DEFAULT_PRESET]):,}"


def test_compare_with_a_preset(lenet):
    lenet.selectbox(key="arch_compare").select("lenet_maxpool").run()
    summary = lenet.main.dataframe[1].value
    assert list(summary.columns) == ["", "this stack", "lenet_maxpool"]
    params = summary.set_index("").loc["Parameters"]
    assert (params["this stack"], params["lenet_maxpool"]) == ("61,706", "44,426")


# --- issue 10: Back undoes a change, what is loaded is named, broken stacks are not compared, the table ---

def editor_columns(at) -> dict:
    """The layer editor's column configuration, as the browser receives it."""
    return json.loads(at.sidebar.dataframe[0].proto.columns)


def preset_box(at) -> str:
    """What the preset box shows."""
    box = at.selectbox(key="arch_preset")
    return box.options[box.index]


def test_back_in_the_browser_undoes_the_last_change(lenet):
    """Back puts the previous URL in the address bar; the page loads it instead of writing its own state over it."""
    lenet.selectbox(key="arch_add_type").select("Dropout").run()
    lenet.button(key="arch_add").click().run()  # change 1: LeNet + dropout
    first = dict(lenet.query_params)
    assert "arch" in first
    lenet.selectbox(key="arch_preset").select("vgg_small").run()  # change 2
    assert lenet.query_params == {"preset": "vgg_small"}
    lenet.query_params.clear()
    lenet.query_params.update(first)  # Back
    lenet.run()
    assert_no_exception(lenet)
    assert metrics(lenet)["Layers"] == "13" and lenet.query_params == first
    assert from_url_token(first["arch"]).layers == PRESETS["lenet"].layers + (Dropout(0.5),)
    lenet.query_params.clear()
    lenet.query_params["preset"] = "lenet"  # Back again
    lenet.run()
    assert metrics(lenet)["Layers"] == "12" and preset_box(lenet) == "lenet"
    assert lenet.session_state["arch_live_rows"] == [layer_to_row(layer) for layer in PRESETS["lenet"].layers]


def test_a_broken_link_on_back_keeps_the_layers(lenet):
    lenet.query_params.clear()
    lenet.query_params["arch"] = "garbage!"
    lenet.run()
    assert "could not be read" in lenet.error[0].value
    assert metrics(lenet)["Parameters"] == "61,706"


def test_import_names_what_is_loaded(lenet):
    mine = dataclasses.replace(PRESETS["vgg_small"], name="my_vgg", layers=PRESETS["vgg_small"].layers[:-1]
                               + (Linear(10),))
    lenet.file_uploader(key="arch_import").set_value(("mine.json", to_json(mine).encode(), "application/json")).run()
    assert_no_exception(lenet)
    assert "my_vgg" in preset_box(lenet) and "mine.json" in preset_box(lenet)
    assert "lenet" not in preset_box(lenet)
    edit(lenet, {0: {"size": 8}})
    lenet.button(key="arch_reset").click().run()  # back to what was imported, not to LeNet
    assert metrics(lenet)["Parameters"] == f"{count_params(mine):,}"
    # An exported preset comes back as that preset.
    lenet.file_uploader(key="arch_import").set_value(
        ("nin.json", to_json(PRESETS["nin_small"]).encode(), "application/json")).run()
    assert preset_box(lenet) == "nin_small"
    lenet.selectbox(key="arch_preset").select("lenet").run()  # the imported entry is gone once a preset is chosen
    assert preset_box(lenet) == "lenet"
    assert all("mine.json" not in option for option in lenet.selectbox(key="arch_preset").options)


def test_a_shared_link_is_named_as_such():
    spec = dataclasses.replace(PRESETS["lenet"], name="class_demo", layers=PRESETS["lenet"].layers + (Dropout(0.2),))
    at = make_app(PAGE, query={"arch": to_url_token(spec)}).run()
    assert "class_demo" in preset_box(at) and "link" in preset_box(at)


def test_broken_stack_shows_no_partial_totals_as_if_valid(lenet):
    edit(lenet, {5: {"kernel": 20}})  # layer 6 cannot run; layers 1-5 hold 156 + 2,416 = 2,572 parameters
    shown = metrics(lenet)
    assert shown["Output shape"] == "✖ layer 6" and shown["Parameters, layers 1-5"] == "2,572"
    assert "Parameters" not in shown
    assert table(lenet).iloc[-1]["name"] == "total, layers 1-5"
    summary = lenet.main.dataframe[1].value
    assert list(summary.columns) == ["", "this stack (cannot run)", "lenet"]
    assert set(summary["this stack (cannot run)"]) == {"—"}  # nothing compared as if it ran
    left = lenet.main.dataframe[2].value
    assert list(left["name"])[-1] == "total, layers 1-5" and "✖ cannot run" in list(left["output"])


def test_layer_table_cells_and_option_choices(lenet):
    assert lenet.sidebar.dataframe[0].proto.HasField("placeholder")
    assert lenet.sidebar.dataframe[0].proto.placeholder == ""  # unused cells blank, not "None"
    columns = editor_columns(lenet)
    option = columns["option"]["type_config"]
    assert option["type"] == "selectbox"
    values = [o["value"] if isinstance(o, dict) else o for o in option["options"]]
    assert {"relu", "sigmoid", "tanh", "leaky_relu", "gelu", "max", "avg"} <= set(values)
    for name in ("size", "kernel", "stride", "padding"):  # the editor would clamp a 30 to 28 without a word
        assert "max_value" not in columns[name]["type_config"], name


def test_kernel_larger_than_the_image_is_refused_with_the_reason(lenet):
    edit(lenet, {0: {"kernel": 30}})
    assert "layer 1, Conv: kernel must be between 1 and 28, got 30" in lenet.error[0].value
    assert lenet.session_state["arch_live_rows"][0]["kernel"] == 30  # kept as typed, for the student to fix


def test_option_column_sets_an_activation(lenet):
    edit(lenet, {1: {"option": "relu"}})
    assert not lenet.error
    assert from_url_token(lenet.query_params["arch"]).layers[1] == Activation("relu")


def test_changing_a_rows_type_gives_that_types_defaults(lenet):
    edit(lenet, {1: {"layer": "Pool"}})  # the activation's "sigmoid" means nothing to a pool
    assert_no_exception(lenet)
    assert not lenet.error
    assert lenet.session_state["arch_live_rows"][1] == layer_to_row(Pool("max", 2))


def test_inception_branches_are_typed_for_the_chosen_layer():
    at = make_app(PAGE, query={"preset": "googlenet_small"}).run()
    rows = at.session_state["arch_live_rows"]
    index = next(i for i, r in enumerate(rows, start=1) if r["layer"] == "InceptionBlock")
    at.number_input(key="arch_row").set_value(index).run()
    box = at.text_input(key=f"arch_inception_{at.session_state['arch_editor_version']}_{index}")
    box.set_value("8, 8>16, 2>4, 4").run()
    assert_no_exception(at)
    assert at.session_state["arch_live_rows"][index - 1]["option"] == "8, 8>16, 2>4, 4"
    assert not at.error


def test_a_stack_with_the_wrong_output_size_keeps_its_whole_totals(lenet):
    edit(lenet, {11: {"size": 84}})  # every layer runs; the network ends with 84 scores, not 10
    assert "must end with 10 features" in lenet.error[0].value
    shown = metrics(lenet)
    assert shown["Output shape"] == "84 ✖" and shown["Layers"] == "12"
    frame = table(lenet)
    assert list(frame["#"]) == [str(i) for i in range(1, 13)] + [""]  # layer 12 once, with its problem
    assert "must end with 10 features" in frame["problem"].iloc[11] and frame["name"].iloc[-1] == "total"
