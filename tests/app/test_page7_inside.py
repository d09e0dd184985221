"""Page 7 shows the forward pass's own numbers: the explained unit's total, a dense unit, a class probability
and an untrained 224x224 AlexNet's unit equal what PyTorch computes with a forward hook on the same layer; a
link opens the unit it names; an index outside the layer is a clear error while the overview stays; the zh
page has no English left."""

from __future__ import annotations

import json
import re

import pytest
import torch

from cnnviz import data
from cnnviz.arch import PRESETS, build
from cnnviz.images import to_fashion_mnist
from cnnviz.training import checkpoint
from cnnviz.training.input import init_weights, to_batch
from cnnviz.training.shipped import SHIPPED
from cnnviz.ui.activations.models import UNTRAINED_SEED
from cnnviz.ui.inside import url as inside_url
from tests.app.zh_text import assert_all_chinese, open_in_chinese
from tests.conftest import assert_no_exception, make_app

PAGE = "pages/7_Inside_the_network.py"
TOTAL = re.compile(r"：?:? ?\*\*(-?[0-9.e+-]+)\*\* ?[(（](?:the forward pass gives|前向传播给出) (-?[0-9.e+-]+)[)）]")


def _image(class_name: str = "Coat", number: int = 0) -> torch.Tensor:
    images, labels = data.load_dataset(data.DEFAULT_DATASET, train=False)
    label = data.class_names().index(class_name)
    return images[torch.nonzero(labels == label).flatten()[number]]  # uint8 (28, 28)


def _hooked(model, layer: str, batch: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The output of the module named `layer` (dotted) for the batch, and the logits."""
    kept = {}
    handle = dict(model.named_modules())[layer].register_forward_hook(lambda m, i, o: kept.update(out=o.detach()))
    model.eval()
    with torch.no_grad():
        logits = model(batch)
    handle.remove()
    return kept["out"][0], logits[0]


def _hooked_batch(model, layer: str, batch: torch.Tensor) -> torch.Tensor:
    kept = {}
    handle = dict(model.named_modules())[layer].register_forward_hook(lambda m, i, o: kept.update(out=o.detach()))
    model.eval()
    with torch.no_grad():
        model(batch)
    handle.remove()
    return kept["out"]


def _printed(at) -> tuple[float, float]:
    """The explained total and the forward pass's value as the page prints them."""
    for text in (m.value for m in at.markdown):
        if match := TOTAL.search(text):
            return float(match.group(1)), float(match.group(2))
    raise AssertionError([m.value for m in at.markdown])


def _shipped_model():
    model, _spec, _meta = checkpoint.load(str(SHIPPED[0].path))
    return model


def test_the_default_unit_equals_the_forward_pass():
    at = make_app(PAGE).run()
    assert_no_exception(at)
    assert at.selectbox(key="in_layer").value == "conv1"
    out, _logits = _hooked(_shipped_model(), "conv1", _image()[None, None].float() / 255)
    total, forward = _printed(at)
    assert total == pytest.approx(float(out[0, 0, 0]), abs=5e-5)
    assert forward == total
    charts = {el.proto.id.split("-")[-1]: json.loads(el.proto.spec) for el in at.get("plotly_chart")}
    overview = next(spec for key, spec in charts.items() if key.endswith("in_overview"))
    ticks = overview["layout"]["xaxis"]["ticktext"]
    assert ticks[0].startswith("input") and ticks[1].startswith("conv1") and ticks[-1].startswith("fc2")


@pytest.mark.parametrize("layer, index", [("fc1", (37,)), ("pool2", (5, 2, 3)), ("bn2", (7, 4, 1)),
                                          ("act2", (3, 6, 6))])
def test_a_linked_unit_equals_the_forward_pass(layer, index):
    names = ("channel", "row", "col")[:len(index)]
    query = inside_url.link(model="lenet_modern", **{"class": "sneaker"}, image=3, layer=layer,
                            **dict(zip(names, index)))
    at = make_app(PAGE, query=query).run()
    assert_no_exception(at)
    assert at.selectbox(key="in_layer").value == layer and not at.error
    out, _logits = _hooked(_shipped_model(), layer, _image("Sneaker", 3)[None, None].float() / 255)
    total, _forward = _printed(at)
    assert total == pytest.approx(float(out[index]), abs=5e-5)


def test_a_class_probability_equals_softmax_of_the_logits():
    at = make_app(PAGE, query={"layer": "softmax", "channel": "4"}).run()
    assert_no_exception(at)
    _out, logits = _hooked(_shipped_model(), "fc2", _image()[None, None].float() / 255)
    shown = re.search(r"\*\*(0\.[0-9]{4})\*\* \(the forward pass gives", " ".join(m.value for m in at.markdown))
    assert float(shown.group(1)) == pytest.approx(float(torch.softmax(logits, 0)[4]), abs=5e-5)


def test_an_untrained_alexnet_at_224_explains_its_units():
    query = {"model": "untrained-alexnet", "layer": "conv2", "channel": "17", "row": "5", "col": "9"}
    at = make_app(PAGE, query=query).run()
    assert_no_exception(at)
    with torch.random.fork_rng():  # the page's untrained network: the preset, seeded, Xavier-initialised
        torch.manual_seed(UNTRAINED_SEED)
        model = build(PRESETS["alexnet"])
        init_weights(model, "xavier")
    batch = to_batch(_image()[None], channels_last=False, size=224)  # resized as the Train page resizes
    out, _logits = _hooked(model, "conv2", batch)
    total, _forward = _printed(at)
    assert total == pytest.approx(float(out[17, 5, 9]), abs=5e-5)


def test_an_index_outside_the_layer_is_a_clear_error_and_the_overview_stays():
    at = make_app(PAGE, query={"layer": "conv2", "channel": "3", "row": "99"}).run()
    assert_no_exception(at)
    assert [e.value for e in at.error] == ["layer conv2: row 99 is outside its 10 (0 to 9); choose another unit"]
    assert any(el.proto.id.endswith("in_overview") for el in at.get("plotly_chart"))


def test_a_layer_this_model_lacks_is_named():
    at = make_app(PAGE, query={"layer": "inception1.b2_2"}).run()
    assert_no_exception(at)
    assert "inception1.b2_2" in at.warning[0].value
    assert at.selectbox(key="in_layer").value == "conv1"


def test_choosing_another_layer_starts_at_its_first_unit():
    at = make_app(PAGE, query={"layer": "conv1", "channel": "5", "row": "20", "col": "20"}).run()
    at.selectbox(key="in_layer").set_value("fc1").run()
    assert_no_exception(at)
    assert at.number_input(key="in_channel").value == 0 and not at.error


@pytest.mark.parametrize("query", [{}, {"layer": "fc1", "channel": "3"}, {"layer": "softmax", "channel": "2"},
                                   {"layer": "pool1", "channel": "2", "row": "3", "col": "4"},
                                   {"layer": "bn1", "channel": "1", "row": "5", "col": "5"},
                                   {"layer": "conv1", "row": "99"}])
def test_the_zh_page_has_no_english_left(query):
    at = open_in_chinese(PAGE, query)
    assert_all_chinese(at)


def test_the_images_that_excite_a_channel_most_show_their_own_peak():
    at = make_app(PAGE, query={"layer": "act2", "channel": "5"}).run()
    at.button(key="in_find_top").click().run()
    assert_no_exception(at)
    figure = next(json.loads(el.proto.spec) for el in at.get("plotly_chart") if el.proto.id.endswith("in_top_images"))
    ticks = figure["layout"]["xaxis"]["ticktext"]
    values = [float(tick.split("<br>")[1]) for tick in ticks]
    assert len(values) == 8 and values == sorted(values, reverse=True)
    # The test set's 8 strongest act2 responses of channel 5, by a forward hook over all 10,000 test images.
    model = _shipped_model()
    images, _labels = data.load_dataset(data.DEFAULT_DATASET, train=False)
    peaks = torch.cat([_hooked_batch(model, "act2", images[s:s + 2000, None].float() / 255)[:, 5].flatten(1).max(1)
                       .values for s in range(0, len(images), 2000)])
    assert values == pytest.approx(peaks.sort(descending=True).values[:8].tolist(), rel=5e-3)
    assert len(figure["layout"]["shapes"]) == 8  # each image's receptive field outlined
    at.number_input(key="in_channel").set_value(6).run()  # another channel of the layer: a lookup, no button
    assert any(el.proto.id.endswith("in_top_images") for el in at.get("plotly_chart"))


def test_a_large_input_searches_what_its_time_allows_says_so_and_searches_all_on_request(monkeypatch):
    """GoogLeNet at 96 (untrained): the first search stops when its time is up and says how many images it
    searched; the second button searches them all. Both top lists are the largest conv1 peaks by a forward hook
    over the same images (a 200-image test set, batches of 60 and no time at all here: one batch, to keep the
    test short and certain)."""
    from cnnviz.inspection import top_images
    from cnnviz.ui import common
    from cnnviz.ui.inside import top

    images, labels = data.load_dataset(data.DEFAULT_DATASET, train=False)
    monkeypatch.setattr(common, "dataset_or_none", lambda name=None, train=True: (images[:200], labels[:200]))
    monkeypatch.setattr(top, "BUDGET_S", 0.0)
    monkeypatch.setattr(top_images, "BATCH", 60)
    at = make_app(PAGE, query={"model": "untrained-googlenet", "layer": "conv1", "channel": "5"}).run()
    assert "up to 200 test images, about 0 s at most" in at.button(key="in_find_top").label
    at.button(key="in_find_top").click().run()
    assert_no_exception(at)
    with torch.random.fork_rng():
        torch.manual_seed(UNTRAINED_SEED)
        model = build(PRESETS["googlenet"])
        init_weights(model, "xavier")
    peaks = _hooked_batch(model, "conv1", to_batch(images[:200], channels_last=False, size=96))[:, 5].flatten(1).max(1)

    def shown(at) -> list[float]:
        figure = next(json.loads(el.proto.spec) for el in at.get("plotly_chart")
                      if el.proto.id.endswith("in_top_images"))
        return [float(tick.split("<br>")[1]) for tick in figure["layout"]["xaxis"]["ticktext"]]

    assert shown(at) == pytest.approx(peaks.values[:60].sort(descending=True).values[:8].tolist(), rel=5e-3)
    assert not [b for b in at.button if b.key == "in_find_top"]  # done: the page says what it searched instead
    note = next(c.value for c in at.caption if "Searched the first" in c.value)
    assert note.startswith("Searched the first 60 of the 200 test images") and " s here" in note
    at.button(key="in_find_all").click().run()
    assert_no_exception(at)
    assert shown(at) == pytest.approx(peaks.values.sort(descending=True).values[:8].tolist(), rel=5e-3)
    assert not any("Searched the first" in c.value for c in at.caption)
    assert not [b for b in at.button if b.key == "in_find_all"]
    at.number_input(key="in_channel").set_value(6).run()  # another channel: a lookup in the full search
    assert not [b for b in at.button if b.key in ("in_find_top", "in_find_all")]
    assert len(shown(at)) == 8


def _png(pixels: torch.Tensor) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels.numpy()).save(buffer, format="PNG")
    return buffer.getvalue()


def test_an_uploaded_image_goes_through_and_a_file_that_is_not_one_is_named():
    at = make_app(PAGE, query={"input": "upload", "layer": "softmax", "channel": "1"}).run()
    assert_no_exception(at)
    assert any("Until then" in c.value for c in at.caption)  # the test image stands in until an upload comes
    at.file_uploader(key="in_upload").set_value(("notes.png", b"not an image", "image/png")).run()
    assert_no_exception(at)
    assert any(e.value.startswith("notes.png: ") for e in at.error)
    assert any(el.proto.id.endswith("in_overview") for el in at.get("plotly_chart"))  # the page goes on
    trousers = _image("Trouser", 2)
    at.file_uploader(key="in_upload").set_value(("mine.png", _png(trousers), "image/png")).run()
    assert_no_exception(at)
    assert not at.error
    framed = to_fashion_mnist(_png(trousers))  # what the page makes of an upload (fitted, light on dark)
    _out, logits = _hooked(_shipped_model(), "fc2", framed[None, None].float() / 255)
    total, forward = _printed(at)
    assert total == pytest.approx(float(torch.softmax(logits, 0)[1]), abs=5e-5) and forward == total


@pytest.mark.parametrize("model", ["lenet", "untrained-vgg11_narrow", "untrained-nin", "untrained-googlenet"])
def test_every_offered_network_draws_its_overview_and_explains_its_layers(model):
    """The book's LeNet and the untrained book networks at 224 and 96: the overview, then a unit of a layer in the
    middle (inside a block for VGG, NiN and GoogLeNet) and of the last layer, as the forward pass gives them."""
    at = make_app(PAGE, query={"model": model}).run()
    assert_no_exception(at)
    assert any(el.proto.id.endswith("in_overview") for el in at.get("plotly_chart"))
    layers = at.selectbox(key="in_layer").options
    for layer in (layers[len(layers) // 2], layers[-2]):
        at.selectbox(key="in_layer").set_value(layer).run()
        assert_no_exception(at)
        assert not at.error, (layer, [e.value for e in at.error])
        total, forward = _printed(at)
        assert total == pytest.approx(forward, abs=1.5e-4), layer


def test_the_exercises_try_it_link_opens_the_drawing():
    from cnnviz.exercises.catalog import BY_ID, INSIDE
    from cnnviz.ui.exercises.links import query_params

    try_it = BY_ID["7.6.5"].try_it
    assert try_it.page == INSIDE == PAGE
    at = make_app(PAGE, query=query_params(try_it)).run()
    assert_no_exception(at)
    assert at.radio(key="in_source").value == "drawing"
    assert any("Until then" in c.value for c in at.caption)  # a blank canvas: the test image stands in


@pytest.mark.parametrize("exercise, model, unit", [("7.6.4", "lenet", ("conv2", (0, 5, 5))),
                                                    ("8.1.5", "untrained-alexnet", ("conv1", (0, 27, 27)))])
def test_an_exercise_serves_a_link_to_this_page_that_opens_its_model_at_a_unit(exercise, model, unit):
    """Page 6 serves the exercise's second Try-it link; followed, it opens that model at the unit, whose explained
    number is the forward pass's (the book's LeNet on a pullover; AlexNet's first layer at 224)."""
    from urllib.parse import parse_qsl

    from cnnviz.ui.activations.url import MODELS

    exercises = make_app("pages/6_Exercises.py", query={"section": exercise.rsplit(".", 1)[0]}).run()
    served = [dict(parse_qsl(link.proto.query_string)) for link in exercises.get("page_link")
              if link.proto.page.endswith("Inside_the_network")]
    query = next(q for q in served if q.get("model") == model)
    at = make_app(PAGE, query=query).run()
    assert_no_exception(at)
    assert at.selectbox(key="in_model").value == MODELS[model] and not at.error
    layer, index = unit
    assert at.selectbox(key="in_layer").value == layer
    assert [at.number_input(key=k).value for k in ("in_channel", "in_row", "in_col")] == list(index)
    if model == "lenet":
        net, _spec, _meta = checkpoint.load(str(next(s for s in SHIPPED if s.preset == "lenet").path))
        assert query["class"] == "pullover"
        batch = _image("Pullover")[None, None].float() / 255
    else:
        with torch.random.fork_rng():
            torch.manual_seed(UNTRAINED_SEED)
            net = build(PRESETS["alexnet"])
            init_weights(net, "xavier")
        batch = to_batch(_image()[None], channels_last=False, size=224)
    out, _logits = _hooked(net, layer, batch)
    total, forward = _printed(at)
    assert total == pytest.approx(float(out[index]), abs=5e-5) and forward == total


def test_a_channel_page_past_this_models_widest_layer_shows_its_last_page():
    at = make_app(PAGE, query={"model": "untrained-alexnet", "first": "90"}).run()
    assert at.number_input(key="in_first").value == 90
    at.selectbox(key="in_model").set_value(at.selectbox(key="in_model").options[0]).run()  # modern LeNet: 32 at most
    assert_no_exception(at)
    assert at.number_input(key="in_first").value == 30
    at = make_app(PAGE, query={"first": "4000"}).run()
    assert_no_exception(at)
    assert at.number_input(key="in_first").value == 30


def test_a_run_of_this_session_at_its_own_size_explains_its_units(monkeypatch):
    from cnnviz.training.input import to_batch as resize
    from cnnviz.ui.train import state as train_state
    from tests.app.test_page5_activations import Runs, forward_to

    run = Runs.finished(1, seed=3, name="lenet_relu", side=64)  # a network trained on 64x64 images
    monkeypatch.setattr(train_state, "finished_runs", lambda: [run])
    at = make_app(PAGE, query={"layer": "conv2", "channel": "9", "row": "20", "col": "11"}).run()
    at.selectbox(key="in_model").set_value(f"Run {run.label} · 100.0%").run()
    at.selectbox(key="in_layer").set_value("conv2").run()
    for key, value in (("in_channel", 9), ("in_row", 20), ("in_col", 11)):
        at.number_input(key=key).set_value(value)
    at.run()
    assert_no_exception(at)
    batch = resize(_image()[None], channels_last=False, size=64)  # (1, 1, 64, 64) as the Train page resizes
    want = forward_to(run.job.model.eval(), batch, "conv2")[0, 9, 20, 11]
    total, _forward = _printed(at)
    assert total == pytest.approx(float(want), abs=5e-5)


def test_the_overview_names_the_network_by_its_title_in_both_languages():
    """Not by its id (lenet_modern): "Coat 0 through Modern LeNet", "外套 0 经过 现代 LeNet"."""
    for language, title in (("en", "Modern LeNet"), ("zh", "现代 LeNet")):
        at = make_app(PAGE, query={"lang": language}).run()
        assert_no_exception(at)
        heading = [m.value for m in at.markdown if m.value.startswith(("Coat 0 ", "外套 0 "))]
        assert heading == [f"Coat 0 through {title}" if language == "en" else f"外套 0 经过 {title}"], heading
