"""Byte order of the binary values in a DICOM header re-encoded in another byte order."""

from __future__ import annotations

import numpy as np
from pydicom.dataset import Dataset

WORD_SIZES = {"OW": 2, "OL": 4, "OF": 4, "OD": 8, "OV": 8}
"""Bytes per word of the binary VRs whose values pydicom keeps as raw bytes.

Numbers of every other VR (US, SS, FL, ...) are decoded on reading and encoded
on writing in the output's byte order; these are written as the bytes they hold.
"""


def swap_binary_words(ds: Dataset) -> None:
    """Reverse the bytes of every word of every OW, OL, OF, OD and OV value, in place.

    For a header read from Explicit VR Big Endian and written little-endian: its
    VOI LUT, modality LUT and overlay data, in sequences too, keep their values.
    A value that is not a whole number of words is left alone.

    Parameters
    ----------
    ds : Dataset
        A header (without pixel data, whose encoding is the writer's business).
    """
    for tag in list(ds.keys()):
        element = ds[tag]  # converts a raw element, giving it its value and VR
        if element.VR == "SQ":
            for item in element.value:
                swap_binary_words(item)
            continue
        size = WORD_SIZES.get(str(element.VR))
        value = element.value
        if size is None or not isinstance(value, bytes) or len(value) % size:
            continue
        element.value = np.frombuffer(value, dtype=f">u{size}").astype(f"<u{size}").tobytes()
