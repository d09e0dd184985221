"""Which input pixels one unit of a feature map sees: the rectangle to outline on the input images.

A unit at (row, column) of a layer's map sees `field.on_image(row)` x `field.on_image(column)` of the
network's input (`cnnviz.arch.receptive`): its receptive field, clipped to the image and to the pixels any
unit reads. The page shows the input at the size the network sees, so these are also the displayed pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnnviz.arch import Architecture, trace
from cnnviz.arch.receptive import ReceptiveField
from cnnviz.errors import CnnvizError


class UnitError(CnnvizError):
    """A unit or layer the receptive-field outline cannot be drawn for."""


@dataclass(frozen=True)
class UnitField:
    """The input pixels (inclusive, 0-based) one unit sees, on an input of `side` x `side` pixels."""

    layer: str  # the trace row's name, e.g. "conv2"
    unit: tuple[int, int]  # (row, column) of the unit in its map
    rows: tuple[int, int]  # first and last input row it sees
    columns: tuple[int, int]  # first and last input column it sees
    field_size: int  # the unclipped field's side: what the unit would see with no image edge
    side: int  # the input's side

    @property
    def height(self) -> int:
        return self.rows[1] - self.rows[0] + 1

    @property
    def width(self) -> int:
        return self.columns[1] - self.columns[0] + 1

    def caption(self) -> str:
        """'unit (3, 5) of conv2 sees rows 8-23, columns 16-31 (16x16 of the 28x28 input)'."""
        (r0, r1), (c0, c1) = self.rows, self.columns
        text = (f"unit ({self.unit[0]}, {self.unit[1]}) of {self.layer} sees rows {r0}-{r1}, columns {c0}-{c1} "
                f"({self.height}x{self.width} of the {self.side}x{self.side} input)")
        if (self.height, self.width) != (self.field_size, self.field_size):
            # Padding (or pixels no window reaches) cut the field: say so, or 16x16 and 14x16 look like a bug.
            text += f"; its field is {self.field_size}x{self.field_size}, cut by the image's edge"
        return text


def field_of(spec: Architecture, layer: str) -> ReceptiveField:
    """The receptive field of the units of `layer` (a child's name in build(spec)) on spec's input."""
    for row in trace(spec):
        if row.name == layer:
            if len(row.output_shape) != 3:
                raise UnitError(f"layer {layer} outputs {row.output_shape}, not maps; choose a convolutional stage")
            return row.receptive_field
    raise UnitError(f"layer {layer} is not in {spec.name}")


def unit_field(spec: Architecture, layer: str, row: int, column: int) -> UnitField:
    """The rectangle unit (row, column) of `layer` sees on spec's input, clipped to the image."""
    field = field_of(spec, layer)
    if not (0 <= row < field.units and 0 <= column < field.units):
        raise UnitError(f"unit ({row}, {column}) is outside {layer}'s {field.units}x{field.units} map; "
                        f"pick rows and columns 0 to {field.units - 1}")
    return UnitField(layer, (row, column), field.on_image(row), field.on_image(column), field.size,
                     spec.input_shape[1])


def tile_rectangle(unit: UnitField, tile: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of the outline on an image drawn into `tile` = (left, top, width, height) in a
    figure's coordinates: the outer edges of the first and last pixels seen."""
    left, top, width, height = tile
    dx, dy = width / unit.side, height / unit.side  # one input pixel in figure units
    return (left + unit.columns[0] * dx, top + unit.rows[0] * dy,
            left + (unit.columns[1] + 1) * dx, top + (unit.rows[1] + 1) * dy)
