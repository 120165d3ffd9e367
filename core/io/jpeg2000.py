"""JPEG 2000 frames decoded on every core, where the result is exactly pydicom's.

pydicom's JPEG 2000 plugin (pylibjpeg-openjpeg) decodes on one thread: a
3000 x 3000 lossless radiograph takes 0.85 s there, 0.45 s on two threads of
imagecodecs' OpenJPEG. This path is taken only for one-sample frames whose decoded
shape and type are what pydicom would return; anything else (a codestream whose
signedness disagrees with PixelRepresentation, which pydicom corrects, colour,
a decoding error) is left to pydicom.
"""

from __future__ import annotations

import numpy as np

from core.cores import usable_cores


def decode_jpeg2000(
    codestream: bytes, shape: tuple[int, int], dtype: np.dtype
) -> np.ndarray | None:
    """Decode one monochrome JPEG 2000 frame on all cores, or None to leave it to pydicom.

    Parameters
    ----------
    codestream : bytes
        The frame's JPEG 2000 codestream (or JP2 file), as encapsulated in the DICOM.
    shape : tuple of int
        (Rows, Columns) from the DICOM header.
    dtype : numpy.dtype
        The stored values' type from BitsAllocated and PixelRepresentation.

    Returns
    -------
    ndarray or None
        The stored values, or None when imagecodecs is missing, fails, or returns
        another shape or type than the header's (pydicom then decodes and corrects).
    """
    try:
        import imagecodecs

        decoded = imagecodecs.jpeg2k_decode(codestream, numthreads=usable_cores())
    except Exception:  # noqa: BLE001 (pydicom decodes it, or gives its own reason)
        return None
    if decoded.shape != tuple(shape) or decoded.dtype != dtype:
        return None
    return decoded
