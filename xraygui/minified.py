"""Grey levels of a zoomed-out view: each screen pixel the mean grey level of its block.

Zoomed out, a pane shows the mean of the grey levels of the pixels each screen pixel
covers (:class:`~xraygui.panes.MinifyingImageItem`), so that noise and what a window
clips look, on average, as at 1:1. Windowing every pixel of a large image again at each
window/level drag costs most of a drag. :func:`minified_grey` gives the same means from
statistics of the blocks, made once per image and zoom (:class:`BlockStats`): through
a window whose function is linear (``LINEAR``, ``LINEAR_EXACT``, inverted or not), a
block whose pixels all lie on one piece of it (all on the ramp, or all clipped alike)
has the grey level of its mean; only the blocks that straddle a clipping edge are
windowed pixel by pixel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from xraygui.panes import block_mean

EXACT_SHARE = 0.5
"""Under this share of blocks windowed pixel by pixel, only those are gathered; above it
every pixel is windowed (gathering would copy most of the image)."""


@dataclass(frozen=True)
class BlockStats:
    """Mean, minimum and maximum of each block of an image's pixel values.

    Parameters
    ----------
    pixels : ndarray, shape (m, n)
        The image's values (held, not copied).
    blocks : tuple of int
        Rows and columns per block.
    mean, low, high : ndarray of float32, shape ``(m // rows, n // cols)``
        Each whole block's mean, minimum and maximum (the last rows and columns, where
        they fill no whole block, are windowed pixel by pixel: a thin strip).
    """

    pixels: np.ndarray
    blocks: tuple[int, int]
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray

    @classmethod
    def of(cls, pixels: np.ndarray, blocks: tuple[int, int]) -> BlockStats:
        """Return the statistics of `pixels` in blocks of ``blocks`` (rows, cols).

        A block is at most the image: a thin image zoomed out is one block across.
        """
        blocks = (min(blocks[0], pixels.shape[0]), min(blocks[1], pixels.shape[1]))
        height = pixels.shape[0] // blocks[0] * blocks[0]
        width = pixels.shape[1] // blocks[1] * blocks[1]
        whole = pixels[:height, :width]
        low, high = _block_extremes(whole, blocks)
        return cls(
            pixels,
            blocks,
            block_mean(whole, *blocks),
            low.astype(np.float32),
            high.astype(np.float32),
        )


def _block_extremes(pixels: np.ndarray, blocks: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Return the minimum and maximum of each block of an image of whole blocks.

    Row by row of the blocks, then column by column, each pixel's offset in its block
    taken in turn as a strided view: a few passes over contiguous memory, where a
    reduction over the axes of :func:`_tiles` takes about ten times as long for small
    blocks (4000 x 4000 uint16 in 2 x 2 blocks: 31 against 320 ms).
    """
    rows, cols = blocks
    extremes = []
    for reduce in (np.minimum, np.maximum):
        by_rows = pixels[0::rows].copy()
        for offset in range(1, rows):
            reduce(by_rows, pixels[offset::rows], out=by_rows)
        by_blocks = by_rows[:, 0::cols].copy()
        for offset in range(1, cols):
            reduce(by_blocks, by_rows[:, offset::cols], out=by_blocks)
        extremes.append(by_blocks)
    return extremes[0], extremes[1]


def minified_grey(
    stats: BlockStats, grey_of: Callable[[np.ndarray], np.ndarray], *, linear: bool
) -> np.ndarray:
    """Return the mean grey level of each block's pixels.

    Parameters
    ----------
    stats : BlockStats
        The image's blocks.
    grey_of : callable
        Maps pixel values (any 2-D array) to grey levels in [0, 1], elementwise: the
        window or VOI LUT shown (:func:`core.display.to_display`).
    linear : bool
        Whether `grey_of` is a linear window (flat below and above a ramp, linear on
        it, or the same inverted). Otherwise every pixel is windowed.

    Returns
    -------
    ndarray of float32, shape ``(ceil(m / rows), ceil(n / cols))``
        What windowing every pixel and averaging the blocks
        (:func:`~xraygui.panes.block_mean`) gives, to float rounding.
    """
    rows, cols = stats.blocks
    pixels = stats.pixels
    if not linear:
        return block_mean(grey_of(pixels), rows, cols)
    grey = _whole_blocks_grey(stats, grey_of)
    down, across = grey.shape
    height, width = down * rows, across * cols
    if (height, width) == pixels.shape:
        return grey
    out = np.empty((-(-pixels.shape[0] // rows), -(-pixels.shape[1] // cols)), np.float32)
    out[:down, :across] = grey
    if height < pixels.shape[0]:  # the last rows, with the corner
        out[down] = block_mean(grey_of(pixels[height:]), rows, cols)[0]
    if width < pixels.shape[1]:  # the last columns
        out[:down, across] = block_mean(grey_of(pixels[:height, width:]), rows, cols)[:, 0]
    return out


def _whole_blocks_grey(
    stats: BlockStats, grey_of: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """Return the mean grey level of each whole block, through a linear window (see above)."""
    rows, cols = stats.blocks
    grey = np.asarray(grey_of(stats.mean), dtype=np.float32).copy()
    low, high = grey_of(stats.low), grey_of(stats.high)
    on_ramp = (low > 0) & (low < 1) & (high > 0) & (high < 1)
    straddling = ~(on_ramp | (low == high))  # equal ends: one flat piece, or a constant block
    if not straddling.any():
        return grey
    if straddling.mean() > EXACT_SHARE:
        height, width = grey.shape[0] * rows, grey.shape[1] * cols
        return block_mean(grey_of(stats.pixels[:height, :width]), rows, cols)
    block_rows, block_cols = np.nonzero(straddling)
    picked = _tiles(stats.pixels, stats.blocks)[block_rows, :, block_cols, :]
    windowed = grey_of(picked.reshape(block_rows.size, rows * cols))
    grey[block_rows, block_cols] = windowed.mean(axis=1, dtype=np.float64)
    return grey


def _tiles(pixels: np.ndarray, blocks: tuple[int, int]) -> np.ndarray:
    """View `pixels` as ``(block row, row in block, block column, column in block)``."""
    rows, cols = blocks
    height, width = pixels.shape[0] // rows, pixels.shape[1] // cols
    return pixels[: height * rows, : width * cols].reshape(height, rows, width, cols)
