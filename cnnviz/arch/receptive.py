"""Receptive fields: which input pixels one output unit sees, and stacks compared by field, parameters, FLOPs.

Kernels, strides and inputs are square, so one number per side describes a field. Each layer spec maps the
field of its input units to the field of its output units with `receptive(field, shape)`; a window of
`window` units, `stride` and `padding` gives the textbook recurrence (Araujo et al., Distill 2019):
size += (window - 1) * jump, start -= padding * jump, jump *= stride.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReceptiveField:
    """The input pixels unit i (along a side) sees: start + i * jump ... start + i * jump + size - 1.

    `start` is negative when the first unit's field begins in the padding. `units` is the number of units
    per side of the map the field belongs to (a Flatten keeps its map's; a Linear or global pool leaves 1).
    `end` is the last input pixel any unit of the map reads: floor-mode windows can leave the last pixels of
    an image unread (AlexNet at 224 never reads the last 6), so a unit near that edge sees up to `end` only.
    """

    size: int  # input pixels per side seen by one unit
    jump: int  # input pixels between neighbouring units: the product of the strides so far
    start: int  # first input pixel of unit 0's field
    units: int  # units per side of the map
    end: int  # last input pixel any unit of the map reads

    @classmethod
    def of_input(cls, side: int) -> ReceptiveField:
        """Each input pixel sees itself."""
        return cls(size=1, jump=1, start=0, units=side, end=side - 1)

    def through(self, window: int, stride: int = 1, padding: int = 0) -> ReceptiveField:
        """The field after a sliding window (convolution or pooling, floor mode) over these units."""
        size = self.size + (window - 1) * self.jump
        jump, start = self.jump * stride, self.start - padding * self.jump
        units = (self.units + 2 * padding - window) // stride + 1
        # A window reaching past the last unit reads padding there, not more of the image.
        return ReceptiveField(size, jump, start, units, min(self.end, start + (units - 1) * jump + size - 1))

    def whole_map(self) -> ReceptiveField:
        """One unit connected to every unit of the map (a Linear layer, a global pool)."""
        return self.through(self.units, self.units) if self.units > 1 else self

    def union(self, other: ReceptiveField) -> ReceptiveField:
        """Parallel branches over the same units (Inception): the field covering both."""
        if (self.jump, self.units) != (other.jump, other.units):
            raise ValueError("branches must keep the same grid of units to be concatenated")
        start = min(self.start, other.start)
        stop = max(self.start + self.size, other.start + other.size)
        return ReceptiveField(stop - start, self.jump, start, self.units, max(self.end, other.end))

    def span(self, index: int) -> tuple[int, int]:
        """(first, last) input pixel of unit `index`'s field along a side; may reach into the padding."""
        first = self.start + index * self.jump
        return first, first + self.size - 1

    def on_image(self, index: int) -> tuple[int, int]:
        """span(index) without the padding and the pixels no unit reads: the pixels that can change the unit."""
        first, last = self.span(index)
        return max(first, 0), min(last, self.end)

    def text(self) -> str:
        """"7x7, jump 2, starts at -1"."""
        return f"{self.size}×{self.size}, jump {self.jump}, starts at {self.start}"


def through_windows(field: ReceptiveField, windows) -> ReceptiveField:
    """The field after a chain of (window, stride, padding) windows."""
    for window, stride, padding in windows:
        field = field.through(window, stride, padding)
    return field
