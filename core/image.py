"""The image type that carries pixels, their mapping to stored values, and metadata."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Window:
    """A linear display window (DICOM PS3.3 C.11.2.1.2), in pixel (modality) units."""

    center: float
    width: float

    @property
    def low(self) -> float:
        """Value shown as black (before any MONOCHROME1 inversion)."""
        return self.center - self.width / 2

    @property
    def high(self) -> float:
        """Value shown as white (before any MONOCHROME1 inversion)."""
        return self.center + self.width / 2


@dataclass(frozen=True)
class StoredMapping:
    """How pixel values map back to the integers a file stores.

    ``pixel = stored * slope + intercept`` (the DICOM modality LUT, PS3.3
    C.11.1); for PNG and TIFF the slope is 1 and the intercept 0.

    Parameters
    ----------
    bits_stored : int
        Significant bits of a stored value (BitsStored; 8 or 16 for PNG/TIFF).
    signed : bool
        Whether stored values are two's complement (PixelRepresentation 1).
    slope, intercept : float
        RescaleSlope and RescaleIntercept.
    is_float : bool
        True for floating-point sources (``.npy``, float TIFF): no integer range.
    """

    bits_stored: int
    signed: bool = False
    slope: float = 1.0
    intercept: float = 0.0
    is_float: bool = False

    @property
    def stored_min(self) -> int:
        """Smallest storable integer."""
        return -(2 ** (self.bits_stored - 1)) if self.signed else 0

    @property
    def stored_max(self) -> int:
        """Largest storable integer."""
        return 2 ** (self.bits_stored - 1) - 1 if self.signed else 2**self.bits_stored - 1

    def to_stored(self, pixels: np.ndarray) -> np.ndarray:
        """Map pixel values back to stored integers, rounded and clipped.

        Parameters
        ----------
        pixels : ndarray
            Values in pixel (modality) units.

        Returns
        -------
        ndarray
            Stored values within ``[stored_min, stored_max]`` as int64; for a
            floating-point source the pixels themselves as float32.
        """
        if self.is_float:
            return np.asarray(pixels, dtype=np.float32)
        stored = np.rint((np.asarray(pixels, dtype=np.float64) - self.intercept) / self.slope)
        return np.clip(stored, self.stored_min, self.stored_max).astype(np.int64)

    def to_pixels(self, stored: np.ndarray) -> np.ndarray:
        """Apply the modality LUT to stored values, giving float32 pixel values."""
        return (np.asarray(stored, dtype=np.float64) * self.slope + self.intercept).astype(
            np.float32
        )


@dataclass(frozen=True)
class XrayImage:
    """A single 2-D grayscale X-ray image with everything needed to show and save it.

    Parameters
    ----------
    pixels : ndarray of float32, shape (rows, cols)
        Values after the modality LUT (stored values for PNG/TIFF). Never
        inverted for display: MONOCHROME1 is handled only by the display path.
    mapping : StoredMapping
        How ``pixels`` map back to the integers the source stores.
    window : Window
        Default display window: the file's WindowCenter/Width, else a 0.5-99.5
        percentile window (:func:`core.display.auto_window`).
    photometric : str
        ``"MONOCHROME1"`` (high values shown dark) or ``"MONOCHROME2"``.
    source_format : str
        ``"dicom"``, ``"png"``, ``"tiff"``, ``"jpeg"`` or ``"npy"``.
    source_path : Path or None
        The file it was read from.
    pixel_spacing : tuple of float or None
        Row and column spacing in mm (PixelSpacing, else ImagerPixelSpacing).
    voi_lut : ndarray or None
        A DICOM VOI LUT table (PS3.3 C.11.2), set only when the file has one and no
        WindowCenter/Width; its first
        input value is ``voi_lut_first`` and its output range ``[0, 2**voi_lut_bits - 1]``.
    frame, n_frames : int
        Which frame of a multi-frame file this is, and how many there are.
    metadata : dict
        Plain values for display (modality, transfer syntax, patient and study
        identifiers, body part, ...).
    dataset : Any
        The source ``pydicom.Dataset`` without its pixel data, for derived
        DICOM output; None for other formats.
    """

    pixels: np.ndarray
    mapping: StoredMapping
    window: Window
    photometric: str = "MONOCHROME2"
    source_format: str = "npy"
    source_path: Path | None = None
    pixel_spacing: tuple[float, float] | None = None
    voi_lut: np.ndarray | None = None
    voi_lut_first: int = 0
    voi_lut_bits: int = 16
    frame: int = 0
    n_frames: int = 1
    metadata: dict[str, Any] = field(default_factory=dict)
    dataset: Any = None

    def __post_init__(self) -> None:
        if self.pixels.ndim != 2:
            raise ValueError(f"pixels must be 2-D, got shape {self.pixels.shape}")
        if self.pixels.dtype != np.float32:
            raise ValueError(f"pixels must be float32, got {self.pixels.dtype}")

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols)."""
        return self.pixels.shape  # type: ignore[return-value]

    @property
    def data_range(self) -> float:
        """Span of storable values in pixel units, the default for metrics.

        ``2**BitsStored - 1`` for DICOM (times the rescale slope), the dtype's
        maximum for 8/16-bit PNG/TIFF, and 1.0 for floating-point data.
        """
        if self.mapping.is_float:
            return 1.0
        return float((self.mapping.stored_max - self.mapping.stored_min) * abs(self.mapping.slope))

    def with_pixels(self, pixels: np.ndarray, **changes: Any) -> XrayImage:
        """Return a copy carrying new pixels (same mapping, window and metadata)."""
        return replace(self, pixels=np.asarray(pixels, dtype=np.float32), **changes)
