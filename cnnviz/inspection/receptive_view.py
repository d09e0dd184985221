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
from cnnviz.i18n import DEFAULT_LANGUAGE as EN
from cnnviz.i18n import N_, tr


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

    def caption(self, lang: str = EN) -> str:
        """'unit (3, 5) of conv2 sees rows 8-23, columns 16-31 (16x16 of the 28x28 input)'."""
        (r0, r1), (c0, c1) = self.rows, self.columns
        text = tr(lang, "unit ({row}, {column}) of {layer} sees rows {r0}-{r1}, columns {c0}-{c1} "
                        "({height}×{width} of the {side}×{side} input)", row=self.unit[0], column=self.unit[1],
                  layer=self.layer, r0=r0, r1=r1, c0=c0, c1=c1, height=self.height, width=self.width, side=self.side)
        if (self.height, self.width) != (self.field_size, self.field_size):
            # Padding (or pixels no window reaches) cut the field: say so, or 16x16 and 14x16 look like a bug.
            text += tr(lang, "; its field is {size}×{size}, cut by the image's edge", size=self.field_size)
        return text


def field_of(spec: Architecture, layer: str) -> ReceptiveField:
    """The receptive field of the units of `layer` (a child's name in build(spec)) on spec's input."""
    for row in trace(spec):
        if row.name == layer:
            if len(row.output_shape) != 3:
                raise UnitError(N_("layer {layer} outputs {shape}, not maps; choose a convolutional stage"),
                                layer=layer, shape=row.output_shape)
            return row.receptive_field
    raise UnitError(N_("layer {layer} is not in {name}"), layer=layer, name=spec.name)


def unit_field(spec: Architecture, layer: str, row: int, column: int) -> UnitField:
    """The rectangle unit (row, column) of `layer` sees on spec's input, clipped to the image."""
    field = field_of(spec, layer)
    if not (0 <= row < field.units and 0 <= column < field.units):
        raise UnitError(N_("unit ({row}, {column}) is outside {layer}'s {units}×{units} map; "
                           "pick rows and columns 0 to {last}"), row=row, column=column, layer=layer,
                        units=field.units, last=field.units - 1)
    return UnitField(layer, (row, column), field.on_image(row), field.on_image(column), field.size,
                     spec.input_shape[1])


def tile_rectangle(unit: UnitField, tile: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of the outline on an image drawn into `tile` = (left, top, width, height) in a
    figure's coordinates: the outer edges of the first and last pixels seen."""
    left, top, width, height = tile
    dx, dy = width / unit.side, height / unit.side  # one input pixel in figure units
    return (left + unit.columns[0] * dx, top + unit.rows[0] * dy,
            left + (unit.columns[1] + 1) * dx, top + (unit.rows[1] + 1) * dy)
