"""Pixel binning: the mean of each ``n x n`` block of an image."""

from __future__ import annotations

import numpy as np


def block_means(values: np.ndarray, block: int) -> np.ndarray:
    """Average non-overlapping ``block x block`` tiles, as a detector's binning does.

    Parameters
    ----------
    values : ndarray, shape (rows, cols)
        The image.
    block : int
        Side of the tiles (>= 1). Rows and columns beyond the last whole tile are
        dropped.

    Returns
    -------
    ndarray, shape (rows // block, cols // block)
        Float64 for integer input, else the input's floating type. ``block = 1``
        returns the values unchanged (as floats). Summed in float64, so that the
        means of float32 values near its largest are never infinite.

    Raises
    ------
    ValueError
        If ``block`` is below 1 or larger than a side of the image.
    """
    if block < 1:
        raise ValueError(f"block must be at least 1, got {block}")
    rows, cols = (side // block * block for side in values.shape)
    if rows == 0 or cols == 0:
        raise ValueError(f"a {values.shape[0]} x {values.shape[1]} image has no {block} px block")
    tiles = values[:rows, :cols].reshape(rows // block, block, cols // block, block)
    means = tiles.mean(axis=(1, 3), dtype=np.float64)  # a float32 sum near 3e38 overflows
    return means if not np.issubdtype(values.dtype, np.floating) else means.astype(values.dtype)
