"""The part of an image a pane draws at 1:1 and above: what is in sight, and a margin.

At 1:1 and above a pane shows at most a few megapixels of an image that may hold tens.
Windowing only the part in sight, and a margin round it (:func:`part_in_sight`), makes a
window/level drag cost what the screen shows rather than what the image holds; the
margin lets a small pan show pixels already drawn. The part is drawn where it lies in
the image (:meth:`Part.cut`), so every pixel in sight is the one a drawing of the whole
image shows there; a view that leaves the part drawn (:meth:`Part.covers`) has it
drawn again.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

MARGIN = 0.25
"""The part drawn reaches this share of the view's width (height) past each side of it."""
ALIGN = 16
"""The part's edges lie on multiples of this many pixels (or on the image's edges): a
pane that minifies the part while a zoom settles averages the image's own blocks."""

STAND_IN_PIXELS = 1 << 22
"""A stand-in for a passing zoom (:func:`stand_in`) windows at most about this many pixels."""

Place = tuple[float, float, float, float]
"""Where grey levels are drawn: ``(left, top, width, height)`` in image pixels."""
ViewRange = tuple[tuple[float, float], tuple[float, float]]
"""A view's ``((x0, x1), (y0, y1))``: the columns and rows it shows, in image pixels."""


@dataclass(frozen=True)
class Part:
    """Rows ``top:bottom`` and columns ``left:right`` of an image (half-open, never empty).

    Parameters
    ----------
    top, left, bottom, right : int
        The part's edges, in image pixels.
    """

    top: int
    left: int
    bottom: int
    right: int

    @classmethod
    def whole(cls, extent: tuple[int, int]) -> Part:
        """Return the whole of an image of ``extent = (rows, cols)``."""
        return cls(0, 0, *extent)

    @property
    def area(self) -> int:
        """Pixels in the part."""
        return (self.bottom - self.top) * (self.right - self.left)

    def covers(self, other: Part) -> bool:
        """Whether every pixel of `other` lies in this part."""
        return (
            self.top <= other.top
            and self.left <= other.left
            and self.bottom >= other.bottom
            and self.right >= other.right
        )

    def cut(
        self, shape: tuple[int, int], extent: tuple[int, int]
    ) -> tuple[tuple[slice, slice], Place]:
        """Return the part of an array that covers this part of the image, and its place.

        Parameters
        ----------
        shape : tuple of int
            ``(rows, cols)`` of the array: the image's pixels, or a copy with fewer (a
            timeline step kept at a lower resolution) stretched over the image.
        extent : tuple of int
            ``(rows, cols)`` of the image.

        Returns
        -------
        index : tuple of slice
            The array's rows and columns that cover the part (whole array pixels).
        place : tuple of float
            Where those lie in the image: ``(left, top, width, height)``, in image pixels,
            as a drawing of the whole array over ``extent`` places them.
        """
        down, across = extent[0] / shape[0], extent[1] / shape[1]  # image pixels per array pixel
        top, left = math.floor(self.top / down), math.floor(self.left / across)
        bottom = max(min(math.ceil(self.bottom / down), shape[0]), top + 1)
        right = max(min(math.ceil(self.right / across), shape[1]), left + 1)
        place = (left * across, top * down, (right - left) * across, (bottom - top) * down)
        return (slice(top, bottom), slice(left, right)), place


def part_in_sight(
    ranges: Iterable[ViewRange], extent: tuple[int, int], *, margin: float = MARGIN
) -> Part:
    """Return the part of an image that views show, with a margin round it.

    Parameters
    ----------
    ranges : iterable of ViewRange
        What each view shows (linked views: much the same); at least one.
    extent : tuple of int
        ``(rows, cols)`` of the image.
    margin : float
        Share of the views' width and height added past each of their sides.

    Returns
    -------
    Part
        The pixels in sight or within the margin, edges on multiples of :data:`ALIGN`
        (or the image's), inside the image; at least the pixel nearest the views where
        they show none of it.
    """
    (x0, x1), (y0, y1) = _union(ranges)
    pad_x, pad_y = margin * (x1 - x0), margin * (y1 - y0)
    rows, cols = extent
    top, bottom = _span(y0 - pad_y, y1 + pad_y, rows)
    left, right = _span(x0 - pad_x, x1 + pad_x, cols)
    return Part(top, left, bottom, right)


def _union(ranges: Iterable[ViewRange]) -> ViewRange:
    """Return the smallest range that holds every one of `ranges`."""
    ranges = list(ranges)
    if not ranges:
        raise ValueError("part_in_sight needs the range of at least one view")
    return (
        (min(x[0] for x, _ in ranges), max(x[1] for x, _ in ranges)),
        (min(y[0] for _, y in ranges), max(y[1] for _, y in ranges)),
    )


def _span(start: float, stop: float, size: int) -> tuple[int, int]:
    """Return whole pixels from `start` to `stop` on an axis of `size`, aligned, at least one."""
    first = min(max(math.floor(start) // ALIGN * ALIGN, 0), size - 1)
    last = max(min(-(-math.ceil(stop) // ALIGN) * ALIGN, size), first + 1)
    return first, last


def stand_in(
    shape: tuple[int, int], extent: tuple[int, int], blocks: tuple[int, int]
) -> tuple[slice, slice]:
    """Return every few pixels of an array: a quick picture of all of it while a zoom passes.

    Zooming out past 1:1 quickly, the panes would window the part of the image in sight
    (or build the blocks' statistics of all of it) at every scale the zoom passes; one
    pixel in each block of the scale shown, stretched over the whole image, costs a
    fraction of that, and is drawn until the zoom settles.

    Parameters
    ----------
    shape : tuple of int
        ``(rows, cols)`` of the array: the image's pixels, or a copy with fewer.
    extent : tuple of int
        ``(rows, cols)`` of the image.
    blocks : tuple of int
        Image pixels a device pixel shows now, down and across.

    Returns
    -------
    tuple of slice
        Rows and columns to take, every few from the first: about one in each block,
        more sparsely where that would be over :data:`STAND_IN_PIXELS`.
    """
    steps = [
        max(1, round(block * size / whole))
        for block, size, whole in zip(blocks, shape, extent, strict=True)
    ]
    taken = math.ceil(shape[0] / steps[0]) * math.ceil(shape[1] / steps[1])
    if taken > STAND_IN_PIXELS:
        grow = math.sqrt(taken / STAND_IN_PIXELS)
        steps = [math.ceil(step * grow) for step in steps]
    return slice(None, None, steps[0]), slice(None, None, steps[1])
