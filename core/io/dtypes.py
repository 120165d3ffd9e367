"""How array dtypes of PNG, TIFF and ``.npy`` files map to and from :class:`StoredMapping`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np

from core.errors import ImageReadError
from core.image import Padding, StoredMapping, XrayImage

CHUNK = 1 << 16
"""Pixels mapped to stored values and back at a time (as :data:`core.denoise.domain.CHUNK`):
the float64 temporaries of a chunk stay in the CPU's cache, where whole-image passes
went through memory (a 2048 px image's written pixels took 13 ms so against 38 ms, one
core), with the same result."""


def mapping_for_dtype(path: Path, dtype: np.dtype) -> StoredMapping:
    """Return the stored mapping of raster data of `dtype` (slope 1, intercept 0).

    Parameters
    ----------
    path : Path
        The file, for the error message.
    dtype : numpy.dtype
        Dtype of the decoded samples.

    Returns
    -------
    StoredMapping
        8, 16 or 32 bits, signed for signed integers; ``is_float`` for floats.

    Raises
    ------
    ImageReadError
        For 64-bit integers, booleans, complex and other dtypes.
    """
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return StoredMapping(bits_stored=32, is_float=True)
    if dtype.kind in "ui" and dtype.itemsize <= 4:
        return StoredMapping(bits_stored=8 * dtype.itemsize, signed=dtype.kind == "i")
    raise ImageReadError(path, f"unsupported pixel data type {dtype}")


def stored_pixels(image: XrayImage) -> np.ndarray:
    """Return the values to write: stored integers, or float32 for a float source.

    Parameters
    ----------
    image : XrayImage
        The image to write.

    Returns
    -------
    ndarray
        ``image.mapping.to_stored(image.pixels)`` in the smallest 8, 16 or
        32-bit integer dtype that holds ``bits_stored`` bits with the mapping's
        sign, or
        ``image.pixels`` as float32 when ``image.mapping.is_float``. Padding
        pixels (``image.padding``) hold their stored values as read, and no other
        pixel a padding value (:meth:`core.image.Padding.restore`).
    """
    return _stored(image.mapping, image.pixels, image.padding)


def _stored(mapping: StoredMapping, pixels: np.ndarray, padding: Padding | None) -> np.ndarray:
    """:func:`stored_pixels` of `pixels` (any shape) under `mapping` and `padding`."""
    if mapping.is_float:
        return mapping.to_stored(pixels)
    nbytes = 1 if mapping.bits_stored <= 8 else 2 if mapping.bits_stored <= 16 else 4
    dtype = np.dtype(f"{'i' if mapping.signed else 'u'}{nbytes}")
    stored = mapping.to_stored(pixels)
    if padding is not None:
        stored = padding.restore(stored, mapping)
    return stored.astype(dtype)


def _written_chunks(image: XrayImage) -> Iterator[tuple[slice, np.ndarray]]:
    """Yield each :data:`CHUNK` of the image's flattened pixels as written, with its slice.

    Every pixel is mapped as :func:`stored_pixels` and :meth:`StoredMapping.to_pixels`
    map the whole image, so the values are the same.
    """
    mapping, padding = image.mapping, image.padding
    flat = image.pixels.reshape(-1)
    before = 0  # padding pixels in the chunks before this one
    for start in range(0, flat.size, CHUNK):
        part = slice(start, start + CHUNK)
        piece = None
        if padding is not None:
            mask = padding.mask.reshape(-1)[part]
            count = int(np.count_nonzero(mask))
            piece = replace(padding, mask=mask, values=padding.values[before : before + count])
            before += count
        yield part, mapping.to_pixels(_stored(mapping, flat[part], piece))


def written_pixels(image: XrayImage, pixels: np.ndarray) -> np.ndarray:
    """Return `pixels` as `image`'s format writes them, in pixel units.

    Parameters
    ----------
    image : XrayImage
        Gives the format: its mapping, bits and padding.
    pixels : ndarray
        Values on the image's pixel scale (a denoised result, say).

    Returns
    -------
    ndarray
        An integer source's pixels rounded to the values it stores (through the
        modality LUT, :func:`stored_pixels`) and mapped back; a floating-point
        source's pixels as they are. Mapped :data:`CHUNK` pixels at a time.
    """
    image = image.with_pixels(pixels)
    written = np.empty(image.pixels.size, dtype=np.float32)
    for part, values in _written_chunks(image):
        written[part] = values
    return written.reshape(image.pixels.shape)


def on_stored_grid(image: XrayImage) -> bool:
    """Whether every pixel is a value the image's format stores, as in any image read.

    That is, whether :func:`written_pixels` leaves the pixels exactly as they are (no
    NaN among them); checked :data:`CHUNK` pixels at a time, up to the first that is
    not. An image simulated in memory (a benchmark's noisy input, say) may hold values
    between the stored ones.

    Parameters
    ----------
    image : XrayImage
        Any image.

    Returns
    -------
    bool
    """
    flat = image.pixels.reshape(-1)
    return all(np.array_equal(values, flat[part]) for part, values in _written_chunks(image))
