"""The outline of one unit's receptive field against the gradient oracle on the real built model: the input
pixels where d(unit)/d(input) is nonzero, including corner units whose field the padding cuts."""

from __future__ import annotations

import pytest
import torch

from cnnviz.arch import PRESETS, build
from cnnviz.inspection.receptive_view import UnitError, tile_rectangle, unit_field
from tests.unit.arch.test_receptive import oracle_model


def gradient_support(model: torch.nn.Sequential, layer: str, row: int, column: int,
                     image: torch.Tensor) -> torch.Tensor:
    """(H, W) bool: input pixels with a nonzero gradient of every channel of unit (row, column) for `image`."""
    image = image.clone().requires_grad_()
    out = image
    for name, child in model.named_children():  # only as far as the layer: the dense layers cost nothing
        out = child(out)
        if name == layer:
            break
    (grad,) = torch.autograd.grad(out[0, :, row, column].sum(), image)
    return grad[0, 0] != 0


def box(unit) -> torch.Tensor:
    mask = torch.zeros(unit.side, unit.side, dtype=torch.bool)
    mask[unit.rows[0]:unit.rows[1] + 1, unit.columns[0]:unit.columns[1] + 1] = True
    return mask


def test_lenet_units_with_its_own_random_weights():
    """The book's LeNet (sigmoid, average pooling): every pixel of the field moves the unit, whatever the
    weights, so the built model itself (seeded random weights) is the oracle."""
    spec = PRESETS["lenet"]
    torch.manual_seed(0)
    model = build(spec).eval()
    for layer, row, column in [("conv1", 0, 0), ("conv1", 27, 13), ("conv2", 3, 5), ("conv2", 0, 9),
                               ("pool2", 4, 4), ("pool1", 0, 0)]:
        unit = unit_field(spec, layer, row, column)
        got = gradient_support(model, layer, row, column, torch.rand(1, 1, 28, 28))
        assert torch.equal(got, box(unit)), (layer, row, column, unit)
    corner = unit_field(spec, "conv1", 0, 0)  # pad 2: the 5x5 window starts two pixels outside the image
    assert (corner.rows, corner.columns, corner.field_size) == ((0, 2), (0, 2), 5)
    assert corner.caption() == ("unit (0, 0) of conv1 sees rows 0-2, columns 0-2 (3×3 of the 28×28 input); "
                                "its field is 5×5, cut by the image's edge")
    middle = unit_field(spec, "conv2", 3, 5)  # start -2, jump 2, size 14
    assert (middle.rows, middle.columns) == ((4, 17), (8, 21))
    assert middle.caption() == "unit (3, 5) of conv2 sees rows 4-17, columns 8-21 (14×14 of the 28×28 input)"


@pytest.mark.parametrize("name, units", [
    ("googlenet", [("conv1", 0, 0), ("conv1", 47, 20), ("pool1", 23, 23), ("inception1", 0, 11),
                   ("inception1", 6, 6), ("pool3", 5, 0)]),
    ("vgg11_narrow", [("vgg1", 0, 0), ("vgg2", 55, 30), ("vgg3", 27, 27), ("vgg4", 7, 0)]),
])
def test_book_networks_at_their_sizes(name, units):
    """ReLU and max pooling pass the gradient to only some pixels for real weights, so the oracle is the
    built architecture with positive weights and average pools (the same windows; tests/unit/test_receptive)."""
    spec = PRESETS[name]
    model = oracle_model(spec)
    image = torch.ones(1, *spec.input_shape)  # positive after normalisation: every ReLU of the oracle passes
    for layer, row, column in units:
        unit = unit_field(spec, layer, row, column)
        assert torch.equal(gradient_support(model, layer, row, column, image), box(unit)), (name, layer, unit)


def test_errors_name_what_to_change():
    with pytest.raises(UnitError, match="unit \\(10, 0\\) is outside conv2's 10×10 map; pick rows and columns 0 to 9"):
        unit_field(PRESETS["lenet"], "conv2", 10, 0)
    with pytest.raises(UnitError, match="fc1 outputs \\(120,\\), not maps"):
        unit_field(PRESETS["lenet"], "fc1", 0, 0)


def test_tile_rectangle_maps_input_pixels_to_the_drawn_tile():
    unit = unit_field(PRESETS["lenet"], "conv2", 3, 5)  # rows 4-17, columns 8-21 of 28
    # A 28x28 image drawn into a 10x10 tile whose top left corner is at (-12.5, 10.5).
    x0, y0, x1, y1 = tile_rectangle(unit, (-12.5, 10.5, 10, 10))
    assert (x0, x1) == pytest.approx((-12.5 + 8 * 10 / 28, -12.5 + 22 * 10 / 28))
    assert (y0, y1) == pytest.approx((10.5 + 4 * 10 / 28, 10.5 + 18 * 10 / 28))
