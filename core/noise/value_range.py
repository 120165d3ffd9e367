"""The range of pixel values an image's data can take: what a detector's attenuation spans.

A low-dose simulation maps this range onto line integrals ``[0, max_attenuation]``
(:meth:`core.noise.DetectorModel.from_image`), and a measurement of the quanta
judges the fitted detector against it. For most integer images it is the
storable range (BitsStored, or the PNG's significant bits). A 16-bit (or wider)
unsigned container often holds data of fewer bits, though: 12-bit data in a
16-bit PNG or TIFF, 14-bit data under DICOM BitsStored 16. Their range is then
that of the fewest bits, at least :data:`MIN_DATA_BITS`, that hold every value
that is not padding, so that such data span the attenuation a radiograph does
rather than a sixteenth of it. A floating-point image has no storable range: its
own minimum and maximum are its range.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.image import XrayImage

__all__ = ["MIN_DATA_BITS", "ValueRange", "value_range"]

MIN_DATA_BITS = 8
"""Fewest bits a container's data are taken to have."""

CONTAINER_BITS = 16
"""Unsigned integer containers of this many bits or more may hold data of fewer."""


@dataclass(frozen=True)
class ValueRange:
    """The values an image's data can take, in pixel units, and where they come from.

    Parameters
    ----------
    low, high : float
        The range, ``low < high`` for any image that is not constant.
    bits : int or None
        Bits of the stored data (None for floating-point data).
    container_bits : int or None
        Bits of the container when the data use fewer, else None.
    """

    low: float
    high: float
    bits: int | None = None
    container_bits: int | None = None

    @property
    def span(self) -> float:
        """``high - low``."""
        return self.high - self.low

    def describe(self) -> str:
        """Name the range and its source, e.g. ``"0 to 4095 in 12 of its 16 bits"``."""
        ends = f"{self.low:g} to {self.high:g}"
        if self.bits is None:
            return f"{ends}, the floating-point data's own minimum and maximum"
        if self.container_bits is None:
            return f"{ends} in {self.bits} bits"
        return f"{ends} in {self.bits} of its {self.container_bits} bits"


def data_bits(image: XrayImage) -> int:
    """Return the bits the image's integer data use (see the module notes).

    Parameters
    ----------
    image : XrayImage
        An image from an integer source.

    Returns
    -------
    int
        ``bits_stored``; for an unsigned container of :data:`CONTAINER_BITS` or
        more, the fewest bits (at least :data:`MIN_DATA_BITS`) that hold every
        stored value that is not padding.
    """
    mapping = image.mapping
    if mapping.signed or mapping.bits_stored < CONTAINER_BITS:
        return mapping.bits_stored
    pixels = image.pixels if image.padding is None else image.pixels[~image.padding.mask]
    if pixels.size == 0:
        return mapping.bits_stored
    top = int(np.max(mapping.to_stored(np.array([pixels.min(), pixels.max()]))))
    return min(max(top.bit_length(), MIN_DATA_BITS), mapping.bits_stored)


def value_range(image: XrayImage) -> ValueRange:
    """Return the range of values the image's data can take, in pixel units.

    Parameters
    ----------
    image : XrayImage
        Any image.

    Returns
    -------
    ValueRange
        The storable range through the modality LUT, narrowed to the data's own
        bits in a wider container; a floating-point image's minimum and maximum.
    """
    mapping = image.mapping
    if mapping.is_float:
        return ValueRange(float(np.min(image.pixels)), float(np.max(image.pixels)))
    bits = data_bits(image)
    top = mapping.stored_max if bits == mapping.bits_stored else 2**bits - 1
    ends = mapping.to_pixels(np.array([mapping.stored_min, top]))
    return ValueRange(
        float(np.min(ends)),
        float(np.max(ends)),
        bits,
        None if bits == mapping.bits_stored else mapping.bits_stored,
    )
