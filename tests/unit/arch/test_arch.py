"""cnnviz.arch against PyTorch itself: real forward shapes, torch's FLOP counter, exec'd exported code."""

from __future__ import annotations

import json

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from cnnviz.arch import (
    DEFAULT_PRESET, MAX_LAYERS, PRESETS, Activation, Architecture, ArchitectureError, BatchNorm, Conv, Dropout,
    Flatten, GlobalAvgPool, Linear, Pool, build, count_flops, count_params, from_json, from_url_token,
    layer_names, to_code, to_json, to_url_token, trace, trace_partial,
)
from cnnviz.arch.serialize import to_dict
from cnnviz.arch.table import layer_to_row, rows_to_layers
from cnnviz.errors import CnnvizError
from cnnviz.figures.arch import architecture_figure, group_blocks

NAMES = sorted(PRESETS)
# Real tensors for every preset but the 15-GFLOP VGG-11, whose forward runs on meta tensors (same shapes and
# modules, no compute) to keep the suite fast; test_book_presets.py and test_receptive.py run it for real.
HEAVY = {name for name in NAMES if count_flops(PRESETS[name]) > 3e9}


@pytest.fixture(scope="module", params=NAMES)
def preset(request):
    return PRESETS[request.param]


def device_for(spec) -> str:
    return "meta" if spec.name in HEAVY else "cpu"


def built(spec, device=None) -> torch.nn.Sequential:
    with torch.device(device or device_for(spec)):
        return build(spec).eval()


def images(spec, count=1, device=None):
    return torch.rand(count, *spec.input_shape, device=device or device_for(spec))


def test_preset_builds_and_gives_ten_scores(preset):
    with torch.no_grad():
        assert built(preset)(images(preset, 2)).shape == (2, 10)


def test_children_are_normalize_then_trace_names(preset):
    model = built(preset, "meta")
    names = [name for name, _ in model.named_children()]
    assert names == ["normalize"] + [row.name for row in trace(preset)]
    assert list(model.normalize.parameters()) == []


def test_trace_shapes_and_params_equal_the_real_forward(preset):
    model = built(preset)
    seen = {}

    def record(name):
        def hook(module, inputs, output):
            seen[name] = tuple(output.shape[1:])
        return hook

    for name, child in model.named_children():
        child.register_forward_hook(record(name))
    with torch.no_grad():
        model(images(preset))
    children = dict(model.named_children())
    for row in trace(preset):  # activation memory: tests/unit/test_memory.py
        assert row.output_shape == seen[row.name], row
        assert row.params == sum(p.numel() for p in children[row.name].parameters()), row
    assert count_params(preset) == sum(p.numel() for p in model.parameters())


def test_trace_flops_equal_torch_flop_counter(preset):
    model = built(preset)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(images(preset))
    rows = trace(preset)
    assert sum(row.flops for row in rows) == counter.get_total_flops() > 0
    per_module = counter.get_flop_counts()
    for row in rows:
        expected = sum(per_module.get(f"Sequential.{row.name}", {}).values())
        assert row.flops == expected, row


def exported(spec, device=None) -> torch.nn.Module:
    namespace: dict = {}
    with torch.device(device or device_for(spec)):  # the code asserts its own output shape
        exec(compile(to_code(spec), "<export>", "exec"), namespace)
    return namespace["model"]


def test_exported_code_runs_and_has_the_same_parameters(preset):
    model = exported(preset)
    assert {k: tuple(v.shape) for k, v in model.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in built(preset, "meta").state_dict().items()}
    assert sum(p.numel() for p in model.parameters()) == count_params(preset)
    assert repr(model) == repr(built(preset, "meta"))  # the same modules with the same settings


@pytest.mark.parametrize("name", [n for n in NAMES if n not in HEAVY])
def test_exported_code_loads_a_built_models_weights(name):
    spec = PRESETS[name]
    model = build(spec).eval()
    code_model = exported(spec, "cpu").eval()
    code_model.load_state_dict(model.state_dict())
    x = images(spec, 2, "cpu")
    with torch.no_grad():
        torch.testing.assert_close(code_model(x), model(x))


def test_json_and_url_round_trips(preset):
    assert from_json(to_json(preset)) == preset
    assert from_url_token(to_url_token(preset)) == preset
    assert len(to_url_token(preset)) < 2000  # fits in a link
    assert [(k, v.shape) for k, v in built(from_json(to_json(preset)), "meta").state_dict().items()] == \
        [(k, v.shape) for k, v in built(preset, "meta").state_dict().items()]


def test_table_rows_round_trip(preset):
    rows = [layer_to_row(layer) for layer in preset.layers]
    assert rows_to_layers(rows) == (list(preset.layers), None)


def test_table_rows_blank_cells_take_defaults_and_bad_cells_name_the_row():
    layers, error = rows_to_layers([{"layer": "Conv", "size": 8.0, "kernel": None}, {"layer": "Linear"}])
    assert layers == [Conv(8, kernel=3, padding=1), Linear(10)] and error is None
    rows = [layer_to_row(Conv(6)), {"layer": "Pool", "option": "median"}, layer_to_row(Flatten())]
    layers, error = rows_to_layers(rows)
    assert layers == [Conv(6)] and error.layer_index == 2 and "pooling mode" in str(error)
    _, error = rows_to_layers([{"layer": "InceptionBlock", "option": "1, 2>3"}])
    assert "c1, c2_reduce>c2" in str(error)
    _, error = rows_to_layers([{"layer": None}])
    assert "choose a layer type" in str(error)


def test_book_parameter_counts():
    assert count_params(PRESETS["lenet"]) == 61_706
    assert count_params(PRESETS["lenet_maxpool"]) == 44_426
    assert DEFAULT_PRESET in PRESETS


def test_lenet_shapes_match_the_book():
    # d2l 7.6 prints: Conv2d (1, 6, 28, 28), Sigmoid, AvgPool2d (1, 6, 14, 14), Conv2d (1, 16, 10, 10),
    # Sigmoid, AvgPool2d (1, 16, 5, 5), Flatten (1, 400), Linear (1, 120), Sigmoid, Linear (1, 84), Sigmoid,
    # Linear (1, 10).
    shapes = [row.output_shape for row in trace(PRESETS["lenet"])]
    assert shapes == [(6, 28, 28), (6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 10, 10), (16, 5, 5), (400,),
                      (120,), (120,), (84,), (84,), (10,)]
    assert [row.name for row in trace(PRESETS["lenet"])] == [
        "conv1", "act1", "pool1", "conv2", "act2", "pool2", "flatten", "fc1", "act3", "fc2", "act4", "fc3"]
    assert trace(PRESETS["lenet"])[0].kind == "Conv2d 5×5, pad 2"


def test_descriptions_say_how_large_presets_were_scaled():
    for name in ("alexnet_small", "vgg_small", "nin_small", "googlenet_small"):
        assert "divided by 4" in PRESETS[name].description and "28" in PRESETS[name].description


def _error(layers) -> ArchitectureError:
    with pytest.raises(ArchitectureError) as info:
        trace(Architecture("broken", "", tuple(layers)))
    assert isinstance(info.value, CnnvizError) and isinstance(info.value, ValueError)
    return info.value


def test_pool_on_a_too_small_input_names_the_layer():
    layers = list(PRESETS["lenet_maxpool"].layers)  # ... pool2 -> 16x4x4
    layers[6:6] = [Pool("max", 2), Pool("max", 2), Pool("max", 2)]  # 4 -> 2 -> 1 -> fails
    err = _error(layers)
    assert err.layer_index == 9
    assert str(err).startswith("layer 9, MaxPool2d 2×2: its input is 16×1×1, smaller than the 2×2 window")
    assert "remove a pooling layer" in str(err)


def test_linear_without_flatten_and_conv_after_flatten():
    err = _error([Conv(6, kernel=5), Linear(10)])
    assert err.layer_index == 2 and "6×24×24, not flat; add a Flatten" in str(err)
    err = _error([Flatten(), Conv(6, kernel=3), Linear(10)])
    assert err.layer_index == 2 and "Conv2d 3×3" in str(err) and "784 features" in str(err)


def test_wrong_final_size_and_bad_fields():
    err = _error([Flatten(), Linear(12)])
    assert err.layer_index == 2 and "must end with 10 features" in str(err)
    err = _error([Conv(0, kernel=3), Flatten(), Linear(10)])
    assert err.layer_index == 1 and "out channels must be between 1 and" in str(err)
    err = _error([Conv(4, kernel=3, stride=30), Flatten(), Linear(10)])
    assert err.layer_index == 1 and "stride" in str(err)
    err = _error([Flatten(), Dropout(1.5), Linear(10)])
    assert err.layer_index == 2 and "dropout probability" in str(err)
    err = _error([Flatten(), Activation("softplus"), Linear(10)])
    assert err.layer_index == 2 and "relu" in str(err)


def test_limits_on_parameters_and_layers():
    err = _error([Conv(512, kernel=3, padding=1), Flatten(), Linear(400), Linear(10)])
    assert err.layer_index == 3 and "150,000,000" in str(err)
    err = _error([Flatten()] + [Activation("relu")] * MAX_LAYERS + [Linear(10)])
    assert err.layer_index is None and "limit of 64" in str(err)
    err = _error([])
    assert "no layers" in str(err)
    with pytest.raises(ArchitectureError):
        build(Architecture("big", "", (Conv(1024, kernel=5, padding=2), Conv(1024, kernel=5, padding=2))))


def test_global_average_pool_needs_an_image():
    assert trace(Architecture("gap", "", (Conv(10, kernel=3), GlobalAvgPool())))[-1].output_shape == (10,)
    assert _error([Flatten(), GlobalAvgPool()]).layer_index == 2


def test_layer_names_count_per_kind():
    names = layer_names([Conv(4), Activation(), Conv(4), Activation(), Flatten(), Linear(10), Flatten()])
    assert names == ["conv1", "act1", "conv2", "act2", "flatten", "fc1", "flatten2"]


HOSTILE = [
    ("not json", "not valid JSON"),
    ("[" * 100_000 + "]" * 100_000, "limit"),
    ("[[[[]]]]", '"layers" list'),
    ('{"layers": [{"type": "Lambda", "fn": "os.system"}]}', "unknown layer type"),
    ('{"layers": [{"type": "__class__"}]}', "unknown layer type"),
    ('{"layers": [{"type": "Conv", "out_channels": -3}]}', "between 1 and"),
    ('{"layers": [{"type": "Conv", "out_channels": 1000000000}]}', "between 1 and"),
    ('{"layers": [{"type": "Conv", "out_channels": 6.5}]}', "whole number"),
    ('{"layers": [{"type": "Conv", "out_channels": true}]}', "whole number"),
    ('{"layers": [{"type": "Conv", "out_channels": [6]}]}', "numbers or text"),
    ('{"layers": [{"type": "Conv", "out_channels": 6, "__init__": 1}]}', "unknown fields"),
    ('{"layers": [{"type": "Conv"}]}', "missing fields"),
    ('{"layers": [{"type": "Pool", "mode": "median"}]}', "pooling mode"),
    ('{"layers": [{"type": "Pool", "window": 2, "padding": 2}]}', "more than half"),
    ('{"layers": [], "name": 5}', "must be text"),
    ('{"layers": [], "format": "keras"}', '"format"'),
    (json.dumps({"layers": [{"type": "Flatten"}] * 65}), "limit of 64"),
    ('{"layers": [], "input_shape": [1, 1000, 1000]}', "input height must be between 8 and 256, got 1000"),
    ('{"layers": [], "input_shape": [1, 4, 4]}', "the input size must be 8 to 256 pixels per side"),
    ('{"layers": [], "input_shape": [7, 28, 28]}', "input channels must be between 1 and 3"),
    ('{"layers": [], "input_shape": [1, 28.5, 28]}', "input height must be a whole number"),
    ('{"layers": [], "input_shape": [1, 32, 28]}', "must be square, got 32×28; use 32×32"),
    ('{"layers": [], "input_shape": "224"}', "must be .channels, height, width."),
    ('{"layers": [], "input_shape": [1, 28]}', "must be .channels, height, width."),
]


@pytest.mark.parametrize("text, message", HOSTILE, ids=[m for _, m in HOSTILE])
def test_hostile_json_is_refused_with_a_clear_message(text, message):
    with pytest.raises(ArchitectureError, match=message.replace("(", r"\(")):
        from_json(text)


def test_hostile_json_names_the_layer():
    data = to_dict(PRESETS["lenet"])
    data["layers"][3]["kernel"] = 0
    with pytest.raises(ArchitectureError, match="^layer 4, Conv2d 0×0: kernel must be between 1") as info:
        from_json(json.dumps(data))
    assert info.value.layer_index == 4


def test_url_tokens_refuse_damage_and_bombs():
    import base64
    import zlib

    with pytest.raises(ArchitectureError, match="damaged"):
        from_url_token("%%%not-base64")
    bomb = base64.urlsafe_b64encode(zlib.compress(b" " * 10_000_000)).decode()
    with pytest.raises(ArchitectureError, match="too large"):
        from_url_token(bomb)


def test_trace_partial_gives_the_layers_before_the_failure():
    layers = list(PRESETS["lenet_maxpool"].layers)
    layers[6:6] = [Pool("max", 2), Pool("max", 2), Pool("max", 2)]
    rows, error = trace_partial(Architecture("broken", "", tuple(layers)))
    assert error.layer_index == 9 and [r.name for r in rows][-2:] == ["pool3", "pool4"]
    rows, error = trace_partial(Architecture("short", "", PRESETS["lenet"].layers[:-1]))
    assert len(rows) == 11 and error.layer_index == 11 and "add Linear 10 at the end" in str(error)
    assert trace_partial(PRESETS["lenet"]) == (trace(PRESETS["lenet"]), None)


def test_diagram_draws_one_block_per_shape_changing_layer():
    rows = trace(PRESETS["lenet"])
    blocks = group_blocks((1, 28, 28), rows)
    assert [b.title for b in blocks] == ["input", "conv1", "pool1", "conv2", "pool2", "flatten", "fc1", "fc2", "fc3"]
    assert [b.shape for b in blocks][1:3] == [(6, 28, 28), (6, 14, 14)] and blocks[1].notes == ["Sigmoid"]
    fig = architecture_figure((1, 28, 28), rows, failing=(13, "MaxPool2d 2×2"))
    texts = [a.text for a in fig.layout.annotations]
    assert "<b>conv1</b>" in texts and "<b>layer 13</b>" in texts
    assert "<b>6×28×28</b><br>Conv2d<br>5×5<br>pad 2<br>+ Sigmoid" in texts
    assert sum(1 for s in fig.layout.shapes if s.line.dash == "dash") == 1  # the failing block
    assert "156 parameters" in fig.data[0].hovertext[1]


def _random_layer(rng, kinds=("conv", "conv", "pool", "act", "bn", "dropout", "flatten", "linear", "gap")):
    kind = rng.choice(kinds)
    if kind == "conv":
        return Conv(rng.choice([1, 4, 8]), kernel=rng.randint(1, 7), stride=rng.randint(1, 3), padding=rng.randint(0, 3))
    if kind == "pool":
        window = rng.randint(1, 4)
        return Pool(rng.choice(["max", "avg"]), window, stride=rng.choice([None, 1, 2]), padding=rng.randint(0, window // 2))
    if kind == "act":
        return Activation(rng.choice(["relu", "sigmoid", "tanh"]))
    if kind == "bn":
        return BatchNorm()
    if kind == "dropout":
        return Dropout(0.5)
    if kind == "linear":
        return Linear(rng.choice([10, 10, 16]))
    return Flatten() if kind == "flatten" else GlobalAvgPool()


@pytest.mark.parametrize("seed", range(40))
def test_any_stack_either_traces_like_the_real_forward_or_names_a_layer(seed):
    """Random stacks, most of them broken: trace either raises ArchitectureError with a message (pointing at
    a layer of the stack, or at none for the whole stack), never another exception, or every shape it
    reports is the real forward's."""
    import random

    rng = random.Random(seed)
    if seed % 2:  # anything at all
        layers = [_random_layer(rng) for _ in range(rng.randint(1, 8))]
    else:  # a feature extractor, then a head: usually valid, sometimes shrunk to nothing
        layers = [_random_layer(rng, ("conv", "pool", "act", "bn", "dropout")) for _ in range(rng.randint(1, 6))]
        layers += rng.choice([[Flatten()], [GlobalAvgPool()], [Flatten(), Linear(16), Activation("relu")]])
        layers.append(Linear(10))
    spec = Architecture("random", layers=tuple(layers))
    try:
        rows = trace(spec)
    except ArchitectureError as exc:
        assert exc.layer_index is None or 1 <= exc.layer_index <= len(spec.layers), exc
        assert str(exc)
        return
    model = build(spec).eval()
    with torch.no_grad():
        out = model(torch.rand(2, 1, 28, 28))
    assert out.shape == (2, 10)
    shapes = {}
    for name, child in model.named_children():
        child.register_forward_hook(lambda m, i, o, name=name: shapes.__setitem__(name, tuple(o.shape[1:])))
    with torch.no_grad():
        model(torch.rand(1, 1, 28, 28))
    assert [row.output_shape for row in rows] == [shapes[row.name] for row in rows]
    assert count_params(spec) == sum(p.numel() for p in model.parameters())


def test_input_size_is_part_of_the_architecture():
    lenet = PRESETS["lenet"]
    assert lenet.input_shape == (1, 28, 28) and PRESETS["alexnet"].input_shape == (1, 224, 224)
    at_32 = Architecture("lenet32", layers=lenet.layers, input_shape=(1, 32, 32))
    assert trace(at_32)[2].output_shape == (6, 16, 16) and trace(at_32)[6].output_shape == (16 * 6 * 6,)
    assert count_params(at_32) == count_params(lenet) + (16 * 6 * 6 - 16 * 5 * 5) * 120
    assert trace(at_32, (1, 28, 28)) == trace(lenet)  # an explicit shape overrides the spec's
    with torch.device("meta"):
        assert build(at_32)(torch.empty(2, 1, 32, 32)).shape == (2, 10)
        legacy = build(lenet, 1, 32)  # build(spec, in_channels, input_size) still works
        assert legacy(torch.empty(2, 1, 32, 32)).shape == (2, 10)
    assert "(N, 1, 32, 32)" in to_code(at_32) and "torch.rand(2, 1, 32, 32)" in to_code(at_32)
    assert from_json(to_json(at_32)).input_shape == (1, 32, 32)
    assert from_url_token(to_url_token(at_32)) == at_32
    assert Architecture("listed", layers=list(lenet.layers), input_shape=[1, 28, 28]) == \
        Architecture("listed", layers=lenet.layers)  # lists from JSON or a page become tuples


def test_json_written_before_input_shapes_means_28x28():
    data = to_dict(PRESETS["lenet"])
    del data["input_shape"]
    assert from_json(json.dumps(data)) == PRESETS["lenet"]


def test_an_out_of_range_input_size_in_a_link_or_in_code_is_a_clear_error():
    import base64
    import zlib

    data = to_dict(PRESETS["alexnet"]) | {"input_shape": [1, 512, 512]}
    token = base64.urlsafe_b64encode(zlib.compress(json.dumps(data).encode())).decode()
    with pytest.raises(ArchitectureError, match='^"input_shape": input height must be between 8 and 256, got 512'):
        from_url_token(token)
    spec = Architecture("odd", layers=PRESETS["lenet"].layers, input_shape=(1, 2, 2))
    for call in (trace, count_params, build, to_code):
        with pytest.raises(ArchitectureError, match="the input size must be 8 to 256 pixels per side"):
            call(spec)
    rows, error = trace_partial(spec)
    assert rows == [] and error.layer_index is None and "input height must be between 8 and 256, got 2" in str(error)
