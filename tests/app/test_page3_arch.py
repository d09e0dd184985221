"""The architecture builder driven by AppTest: presets, add/remove, a broken stack, export, import, link."""

from __future__ import annotations

import dataclasses
import json

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from cnnviz.arch import (
    DEFAULT_PRESET, PRESETS, Activation, Architecture, Conv, Dropout, Flatten, Linear, Pool, activation_memory, build,
    count_params, from_url_token, shape_text, to_json, to_url_token, trace,
)
from cnnviz.arch.table import layer_to_row
from cnnviz.ui.arch.view import human
from tests.conftest import assert_no_exception, make_app, plotly_figures
from tests.unit.arch.test_book_presets import PRINTED, ROWS, book_model, layer_summary
from tests.unit.arch.test_receptive import GradientOracle, chosen_units, oracle_model

PAGE = "pages/3_Architecture_builder.py"


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def table(at):
    """The per-layer table (the first dataframe in the main area)."""
    return at.main.dataframe[0].value


def comparison_tables(at) -> list:
    """"Compare with a preset": the totals side by side, then the two layer tables (after the stacks' table)."""
    frames = [frame.value for frame in at.main.dataframe]
    start = next(i for i, f in enumerate(frames) if any(str(c).startswith("this stack") for c in f.columns))
    return frames[start:start + 3]


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
    assert "<b>16×28×28</b><br>Conv2d<br>5×5<br>pad 2<br>+ BatchNorm<br>+ ReLU" in texts
    assert not at.error


def test_pick_a_preset(lenet):
    assert metrics(lenet)["Parameters"] == "61,706"
    frame = table(lenet)
    assert list(frame["output"][:7]) == ["6×28×28", "6×28×28", "6×14×14", "16×10×10", "16×10×10", "16×5×5",
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
    assert "layer 7, AvgPool2d 2×2" in lenet.error[0].value
    lenet.button(key="arch_move_down").click().run()
    assert not lenet.error and metrics(lenet)["Parameters"] == "61,706"


def test_broken_stack_names_the_layer_and_keeps_the_others(lenet):
    edit(lenet, {5: {"kernel": 20}})  # pool2 with a 20x20 window on a 10x10 input
    assert_no_exception(lenet)
    message = lenet.error[0].value
    assert "layer 6, AvgPool2d 20×20, stride 2: its input is 16×10×10, smaller than the 20×20 window" in message
    frame = table(lenet)
    failing = frame[frame["output"] == "✖ cannot run"]
    assert list(failing["#"]) == ["6"] and "smaller than the 20×20 window" in failing["problem"].iloc[0]
    assert lenet.button(key="arch_use_for_training").disabled
    assert lenet.query_params["preset"] == "lenet"  # the link keeps the last stack that worked
    # A structural change keeps the broken edit and every other layer.
    lenet.button(key="arch_add").click().run()
    assert "layer 6, AvgPool2d 20×20" in lenet.error[0].value
    assert len(lenet.session_state["arch_live_rows"]) == 13
    edit(lenet, {5: {"kernel": 2}})  # fixed; now the added Conv at the end is the problem
    assert "layer 13, Conv2d 3×3, pad 1: its input is 10 features (already flat)" in lenet.error[0].value


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
    assert any("offers this network as **LeNet**" in c.value for c in lenet.caption)


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
    summary = comparison_tables(lenet)[0]
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


def chosen(at) -> str:
    """The preset the box holds (its value, not its label)."""
    return at.selectbox(key="arch_preset").value


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
    assert metrics(lenet)["Layers"] == "12" and chosen(lenet) == "lenet"
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
    assert "lenet" not in preset_box(lenet).lower()
    edit(lenet, {0: {"size": 8}})
    lenet.button(key="arch_reset").click().run()  # back to what was imported, not to LeNet
    assert metrics(lenet)["Parameters"] == f"{count_params(mine):,}"
    # An exported preset comes back as that preset.
    lenet.file_uploader(key="arch_import").set_value(
        ("nin.json", to_json(PRESETS["nin_small"]).encode(), "application/json")).run()
    assert chosen(lenet) == "nin_small"
    lenet.selectbox(key="arch_preset").select("lenet").run()  # the imported entry is gone once a preset is chosen
    assert chosen(lenet) == "lenet"
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
    summary, left, _ = comparison_tables(lenet)
    assert list(summary.columns) == ["", "this stack (cannot run)", "lenet"]
    assert set(summary["this stack (cannot run)"]) == {"—"}  # nothing compared as if it ran
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


# --- issue 11: the input size, the book's networks at the book's sizes, receptive fields, two stacks ---

def input_box(at) -> tuple:
    return at.selectbox(key="arch_input").value


def forward_shapes(spec, device: str = "cpu") -> dict[str, tuple]:
    """Each child's output shape (without the batch) in a real forward pass of build(spec) on one image."""
    with torch.device(device):
        model = build(spec).eval()
    shapes = {}
    for name, child in model.named_children():
        child.register_forward_hook(lambda module, args, out, name=name: shapes.__setitem__(name, tuple(out.shape[1:])))
    with torch.no_grad():
        model(torch.zeros(1, *spec.input_shape, device=device))
    return shapes


def shown_shapes(at) -> dict[str, str]:
    frame = table(at)
    return dict(zip(frame["name"][:-1], frame["output"][:-1]))


def test_a_preset_brings_its_own_input_size_and_names_its_section():
    at = make_app(PAGE).run()
    box = at.selectbox(key="arch_preset")
    labels = [box.format_func(option) for option in box.options]
    assert "AlexNet, 224×224 (d2l 8.1 / zh 7.1)" in labels and "GoogLeNet, 96×96 (d2l 8.4 / zh 7.4)" in labels
    assert "VGG-11 as trained, ratio 4, 224×224 (d2l 8.2 / zh 7.2)" in labels
    for name, shape in (("googlenet", (1, 96, 96)), ("alexnet", (1, 224, 224)), ("lenet", (1, 28, 28))):
        at.selectbox(key="arch_preset").select(name).run()
        assert input_box(at) == shape == PRESETS[name].input_shape
        assert not at.error and at.query_params["preset"] == name


def test_alexnet_at_224_shows_the_books_shapes_and_the_real_forward_pass():
    at = make_app(PAGE, query={"preset": "alexnet"}).run()
    assert_no_exception(at)
    shown = shown_shapes(at)
    real = forward_shapes(PRESETS["alexnet"])  # the real model on a real 224x224 image
    assert shown == {name: shape_text(shape) for name, shape in real.items() if name != "normalize"}
    printed = [shape_text(shape) for _, shape in PRINTED["alexnet"]]  # the book's layer_summary
    assert [shown[name] for name in ROWS["alexnet"]] == printed
    assert metrics(at)["Parameters"] == f"{sum(p.numel() for p in book_model('alexnet').parameters()):,}"


def test_vgg11_at_224_shows_the_books_shapes():
    at = make_app(PAGE, query={"preset": "vgg11"}).run()
    shown = shown_shapes(at)
    real = forward_shapes(PRESETS["vgg11"], device="meta")  # 15 GFLOPs: shapes from meta tensors
    assert shown == {name: shape_text(shape) for name, shape in real.items() if name != "normalize"}
    book = layer_summary(book_model("vgg11"), (1, 224, 224))  # the book's own code, run
    assert [shown[name] for name in ROWS["vgg11"]] == [shape_text(shape) for _, shape in book]


def test_changing_the_input_size_retraces_and_travels_in_the_link(lenet):
    lenet.selectbox(key="arch_input").select((1, 32, 32)).run()
    assert_no_exception(lenet)
    assert not lenet.error
    spec = from_url_token(lenet.query_params["arch"])  # the link carries the input
    assert spec.input_shape == (1, 32, 32) and spec.layers == PRESETS["lenet"].layers
    real = forward_shapes(spec)
    assert shown_shapes(lenet) == {n: shape_text(s) for n, s in real.items() if n != "normalize"}
    assert shown_shapes(lenet)["pool2"] == "16×6×6"
    model = build(spec)
    assert metrics(lenet)["Parameters"] == f"{sum(p.numel() for p in model.parameters()):,}"  # 576 -> fc1
    lenet.button(key="arch_use_for_training").click().run()
    assert lenet.session_state["arch_current"].input_shape == (1, 32, 32)
    lenet.selectbox(key="arch_input").select((3, 32, 32)).run()  # colour: only conv1 changes
    assert from_url_token(lenet.query_params["arch"]).input_shape == (3, 32, 32)
    assert table(lenet)["params"].iloc[0] == f"{6 * 3 * 5 * 5 + 6:,}"


def test_an_input_too_small_names_the_layer_offers_the_smallest_size_and_keeps_the_layers():
    at = make_app(PAGE, query={"preset": "alexnet"}).run()
    edit(at, {0: {"size": 64}})  # the student's own change, which must survive
    at.selectbox(key="arch_input").select((1, 28, 28)).run()
    assert_no_exception(at)
    message = at.error[0].value
    assert "layer 6, MaxPool2d 3×3, stride 2" in message and "smallest input that works is 65×65" in message
    layers = (Conv(64, kernel=11, stride=4, padding=1), *PRESETS["alexnet"].layers[1:])
    with pytest.raises(RuntimeError):  # torch agrees: 64 is too small, 65 runs
        build_unchecked(layers, 64)
    assert build_unchecked(layers, 65).shape == (1, 10)
    at.button(key="arch_fit_input").click().run()
    assert_no_exception(at)
    assert not at.error and input_box(at) == (1, 65, 65)
    spec = from_url_token(at.query_params["arch"])
    assert spec.layers == layers and spec.input_shape == (1, 65, 65)
    assert shown_shapes(at)["pool3"] == "256×1×1"


def build_unchecked(layers, side: int) -> torch.Tensor:
    """The layers as plain torch modules (no cnnviz checks), run on one side x side image."""
    shape, modules = (1, side, side), []
    for layer in layers:
        modules.append(layer.build(shape))
        shape = layer.output_shape(shape) if min(layer.output_shape(shape)) > 0 else shape
    with torch.no_grad():
        return torch.nn.Sequential(*modules)(torch.zeros(1, 1, side, side))


def test_a_json_with_an_input_out_of_range_keeps_the_network(lenet):
    data = json.loads(to_json(PRESETS["vgg_small"]))
    data["input_shape"] = [1, 512, 512]
    lenet.file_uploader(key="arch_import").set_value(("big.json", json.dumps(data).encode(), "application/json")).run()
    assert_no_exception(lenet)
    message = lenet.error[0].value
    assert "big.json was not imported" in message and "input height must be between 8 and 256" in message
    assert metrics(lenet)["Parameters"] == "61,706" and input_box(lenet) == (1, 28, 28)


def test_a_link_with_an_input_out_of_range_keeps_the_network(lenet):
    token = to_url_token(dataclasses.replace(PRESETS["lenet"], input_shape=(1, 4, 4)))
    lenet.query_params.clear()
    lenet.query_params["arch"] = token
    lenet.run()
    assert_no_exception(lenet)
    message = lenet.error[0].value
    assert "could not be read" in message and "input height must be between 8 and 256" in message
    assert metrics(lenet)["Parameters"] == "61,706" and input_box(lenet) == (1, 28, 28)
    fresh = make_app(PAGE, query={"arch": token}).run()  # opened cold: the default network, and why
    assert "input height must be between 8 and 256" in fresh.error[0].value
    assert metrics(fresh)["Parameters"] == f"{count_params(PRESETS[DEFAULT_PRESET]):,}"


def test_receptive_field_columns_equal_the_gradient_of_the_real_model(lenet):
    """Size, jump and start of every map row, read from which input pixels reach two neighbouring units."""
    spec = PRESETS["lenet"]
    oracle = GradientOracle(oracle_model(spec), torch.ones(1, *spec.input_shape))
    frame = table(lenet).set_index("name")
    checked = 0
    for row in trace(spec):
        if len(row.output_shape) != 3:
            continue
        i = row.output_shape[1] // 2  # a middle unit, whose field lies inside the image
        first, size = _extent(oracle.support(row.index, chosen_units(row, [i])))
        next_first, _ = _extent(oracle.support(row.index, chosen_units(row, [i + 1])))
        jump = next_first - first
        assert frame.loc[row.name, ["RF", "jump", "start"]].tolist() == [f"{size}×{size}", str(jump),
                                                                        str(first - i * jump)], row.name
        checked += 1
    assert checked == 6 and frame.loc["pool2", "RF"] == "16×16" and frame.loc["conv1", "start"] == "-2"
    assert any("receptive field" in c.value and "7.2.6" in c.value for c in lenet.caption)


def _extent(support: torch.Tensor) -> tuple[int, int]:
    """(first, size) along the rows of a square (H, W) support."""
    rows = support.any(1).nonzero().flatten()
    return int(rows[0]), int(rows[-1] - rows[0] + 1)


def test_totals_show_training_memory_and_inference_peak(lenet):
    shown = metrics(lenet)
    memory = activation_memory(trace(PRESETS["lenet"]), (1, 28, 28))
    assert shown["Inference peak"] == human(memory.peak_bytes, "B")
    weights = 4 * sum(r.params for r in trace(PRESETS["lenet"]))
    assert shown["Training memory"] == f'{human(memory.training_bytes, "B")} + {human(weights, "B")} weights'
    assert memory.peak_bytes < memory.training_bytes
    assert "FLOPs" not in table(lenet).columns  # behind the toggle: the table fits a 1280-pixel projector
    lenet.toggle(key="arch_table_memory").set_value(True).run()
    frame = table(lenet)
    assert {"FLOPs", "memory KB", "peak KB"} <= set(frame.columns)
    conv = torch.nn.Conv2d(1, 6, 5, padding=2)
    with FlopCounterMode(display=False) as counter:
        conv(torch.zeros(1, 1, 28, 28))
    assert frame["FLOPs"].iloc[0] == f"{counter.get_total_flops():,}"


def stack_table(at):
    return next(f.value for f in at.main.dataframe if "A / B" in f.value.columns).set_index("")


def torch_stack(kernels, channels: int) -> torch.nn.Sequential:
    """The stack written directly in torch: (kernel, stride, dilation) convolutions keeping the size, + ReLU."""
    modules = []
    for kernel, stride, dilation in kernels:
        modules += [torch.nn.Conv2d(channels, channels, kernel, stride, dilation * (kernel - 1) // 2, dilation),
                    torch.nn.ReLU()]
    return torch.nn.Sequential(*modules)


def torch_figures(model, shape) -> tuple[str, str, str, str]:
    """(receptive field, output shape, parameters, FLOPs) of a torch stack, as the table prints them; the field
    from the gradient of the middle output unit (weights set positive so nothing cancels)."""
    with torch.no_grad():
        for module in model:
            if isinstance(module, torch.nn.Conv2d):
                module.weight.fill_(1.0 / module.weight[0].numel())
                module.bias.fill_(0.01)
    x = torch.ones(1, *shape, requires_grad=True)
    with FlopCounterMode(display=False) as counter:
        out = model(x)
    mid = out.shape[-1] // 2
    out[0, 0, mid, mid].backward()
    first, size = _extent(x.grad[0].any(0) if x.grad.dim() == 4 else x.grad[0, 0] != 0)
    return (f"{size}×{size}", shape_text(tuple(out.shape[1:])), f"{sum(p.numel() for p in model.parameters()):,}",
            f"{counter.get_total_flops():,}")


def test_two_stacks_side_by_side_equal_torch():
    at = make_app(PAGE).run()
    frame = stack_table(at)  # the default example: three 3x3 against one 7x7 at 64x56x56
    mine = [frame.iloc[:4, 0].tolist(), frame.iloc[:4, 1].tolist()]
    assert mine[0] == list(torch_figures(torch_stack([(3, 1, 1)] * 3, 64), (64, 56, 56)))
    assert mine[1] == list(torch_figures(torch_stack([(7, 1, 1)], 64), (64, 56, 56)))
    assert (mine[0][2], mine[1][2]) == ("110,784", "200,768")
    assert frame.loc["RF", "A / B"] == "same" and frame.loc["params", "A / B"] == "0.55x"
    assert frame.loc["ReLUs"].tolist() == ["3", "1", "3.00x"]
    figure = next(f for f in plotly_figures(at) if any(t.get("x") == ["A", "B"] for t in f["data"]))
    assert figure["data"][0]["y"] == [110784, 200768]
    # Typed stacks at another size: a dilated and a strided stack.
    at.number_input(key="arch_stack_channels").set_value(8).run()
    at.number_input(key="arch_stack_side").set_value(20).run()
    at.text_input(key="arch_stack_a").set_value("3×3 d2, 3×3").run()
    at.text_input(key="arch_stack_b").set_value("5×5 s2").run()
    assert_no_exception(at)
    frame = stack_table(at)
    assert frame.iloc[:4, 0].tolist() == list(torch_figures(torch_stack([(3, 1, 2), (3, 1, 1)], 8), (8, 20, 20)))
    assert frame.iloc[:4, 1].tolist() == list(torch_figures(torch_stack([(5, 2, 1)], 8), (8, 20, 20)))
    assert at.selectbox(key="arch_stack_example").value == "(type your own)"


def test_a_stack_that_cannot_be_read_says_what_to_write():
    at = make_app(PAGE).run()
    at.text_input(key="arch_stack_a").set_value("3×3, 3y3").run()
    assert_no_exception(at)
    message = at.error[0].value
    assert "Stack A cannot be compared: item 2, '3y3': cannot read it; write a comma-separated list" in message
    at.text_input(key="arch_stack_a").set_value("9×9, 9×9").run()
    at.number_input(key="arch_stack_side").set_value(6).run()
    assert not at.error and stack_table(at).iloc[0, 0] == "17×17"  # padded, it runs: a field wider than the input
    at.text_input(key="arch_stack_b").set_value("pool 8×8").run()
    assert "Stack B cannot be compared" in at.error[0].value and "8×8 window" in at.error[0].value
    assert metrics(at)["Layers"] == "14"  # the builder's network is untouched


def test_an_edit_through_the_table_keeps_a_convolutions_dilation():
    spec = Architecture("dilated", layers=(Conv(4, kernel=3, dilation=2), Activation("relu"), Flatten(), Linear(10)))
    at = make_app(PAGE, query={"arch": to_url_token(spec)}).run()
    assert at.session_state["arch_live_rows"][0]["dilation"] == 2
    edit(at, {0: {"size": 6}})
    assert_no_exception(at)
    shared = from_url_token(at.query_params["arch"])
    assert shared.layers[0] == Conv(6, kernel=3, dilation=2)
    real = forward_shapes(shared)
    assert shown_shapes(at)["conv1"] == shape_text(real["conv1"]) == "6×24×24"
    edit(at, {0: {"size": 6, "dilation": 3}})  # edited_rows holds every edit since the rows were loaded
    assert from_url_token(at.query_params["arch"]).layers[0] == Conv(6, kernel=3, dilation=3)
    assert shown_shapes(at)["conv1"] == "6×22×22" and table(at)["RF"].iloc[0] == "7×7"


@pytest.mark.parametrize("name, params, stages", [
    ("resnet18", "11,178,378", {"pool1": "64×24×24", "residual2": "64×24×24", "residual4": "128×12×12",
                                "residual6": "256×6×6", "residual8": "512×3×3"}),
    ("densenet", "758,226", {"dense1": "192×24×24", "transition1": "96×12×12", "dense4": "248×3×3"}),
])
def test_resnet18_and_densenet_show_the_books_parameters_and_stage_shapes(name, params, stages):
    at = make_app(PAGE, query={"preset": name}).run()
    assert_no_exception(at)
    assert not at.error and input_box(at) == (1, 96, 96) and metrics(at)["Parameters"] == params
    real = forward_shapes(PRESETS[name])  # the real model on a real 96x96 image
    assert shown_shapes(at) == {n: shape_text(shape) for n, shape in real.items() if n != "normalize"}
    assert {n: shown_shapes(at)[n] for n in stages} == stages


def test_a_residual_block_is_added_like_a_convolution_and_a_bad_shortcut_is_named(lenet):
    lenet.selectbox(key="arch_add_type").select("ResidualBlock").run()
    lenet.selectbox(key="arch_add_at").select(4).run()  # after conv1, act1, pool1: on 6x14x14
    lenet.button(key="arch_add").click().run()
    assert_no_exception(lenet)
    assert not lenet.error and metrics(lenet)["Layers"] == "13"
    assert shown_shapes(lenet)["residual1"] == "32×14×14"  # the 1x1 shortcut takes 6 channels to 32
    edit(lenet, {3: {"option": "identity"}})  # an identity shortcut cannot add 6 channels to 32
    message = lenet.error[0].value
    assert "layer 4, Residual block 32" in message and "1x1 convolution shortcut" in message  # as typed in the cell
    assert "keep 6 channels and stride 1" in message


def test_alexnets_totals_show_its_weights_and_its_dense_layers_see_the_whole_image():
    """Defect 4: "Training memory 5.5 MB" left out AlexNet's 187 MB of weights (a tooltip said so); a dense
    layer showed "RF 323x323" right after the caption says a dense layer sees every pixel."""
    at = make_app(PAGE).run()
    at.selectbox(key="arch_preset").select("alexnet").run()
    assert_no_exception(at)
    params = sum(r.params for r in trace(PRESETS["alexnet"]))
    memory = activation_memory(trace(PRESETS["alexnet"]), (1, 224, 224))
    assert human(4 * params, "B") == "187.1 MB"  # 46,764,746 parameters, 4 bytes each
    assert metrics(at)["Training memory"] == f'{human(memory.training_bytes, "B")} + 187.1 MB weights'
    frame = table(at).set_index("name")
    rf = frame["RF"].tolist()
    assert "whole image" in rf and not any(v.startswith("323") for v in rf)
    assert frame["RF"].iloc[0] != "whole image"  # a convolution keeps its window's size


def test_the_train_page_offers_the_builders_network_by_its_name():
    """Defect 4: "The Train page trains lenet_modern" while AlexNet was on screen; the Train page now offers
    the network on screen, by its title, without "Use for training"."""
    at = make_app(PAGE).run()
    at.selectbox(key="arch_preset").select("alexnet").run()
    assert any("offers this network as **AlexNet**" in c.value for c in at.caption)
    at.switch_page("pages/4_Train.py").run()
    assert_no_exception(at)
    box = at.selectbox(key="train_arch")
    assert box.value == "The one from the Architecture builder" and "From the builder: AlexNet" in box.options
