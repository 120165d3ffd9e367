"""How array dtypes of PNG, TIFF and ``.npy`` files map to and from :class:`StoredMapping`."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.errors import ImageReadError
from core.image import StoredMapping, XrayImage


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
    mapping = image.mapping
    if mapping.is_float:
        return mapping.to_stored(image.pixels)
    nbytes = 1 if mapping.bits_stored <= 8 else 2 if mapping.bits_stored <= 16 else 4
    dtype = np.dtype(f"{'i' if mapping.signed else 'u'}{nbytes}")
    stored = mapping.to_stored(image.pixels)
    if image.padding is not None:
        stored = image.padding.restore(stored, mapping)
    return stored.astype(dtype)


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
        source's pixels as they are.
    """
    return image.mapping.to_pixels(stored_pixels(image.with_pixels(pixels)))
