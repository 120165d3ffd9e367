"""The image type that carries pixels, their mapping to stored values, and metadata."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "VOI_LUT_FUNCTIONS",
    "Padding",
    "StoredMapping",
    "VoiLut",
    "Window",
    "XrayImage",
    "frame_label",
]

VOI_LUT_FUNCTIONS = ("LINEAR", "LINEAR_EXACT", "SIGMOID")
"""The DICOM VOI LUT functions a window may use (PS3.3 C.11.2.1.3, VOILUTFunction)."""


@dataclass(frozen=True)
class Window:
    """A display window (DICOM PS3.3 C.11.2.1.2), in pixel (modality) units.

    Parameters
    ----------
    center, width : float
        WindowCenter and WindowWidth.
    function : str or None
        The VOI LUT function, one of :data:`VOI_LUT_FUNCTIONS` (VOILUTFunction).
        None, for a window that names none (one the user drags, a percentile
        window), means the image's: that of its own ``window``, else ``LINEAR``
        (``LINEAR_EXACT`` for floating-point sources, and for the windows the
        viewer makes of an image whose rescale slope is not 1 or -1); see
        :func:`core.display.window_function`.
    explanation : str
        WindowCenterWidthExplanation, a label such as ``"BONE"``; not compared.
    """

    center: float
    width: float
    function: str | None = None
    explanation: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.function is not None and self.function not in VOI_LUT_FUNCTIONS:
            raise ValueError(
                f"function must be one of {', '.join(VOI_LUT_FUNCTIONS)} or None, "
                f"got {self.function!r}"
            )

    @property
    def low(self) -> float:
        """Value shown as black (before any MONOCHROME1 inversion)."""
        return self.center - self.width / 2

    @property
    def high(self) -> float:
        """Value shown as white (before any MONOCHROME1 inversion)."""
        return self.center + self.width / 2


@dataclass(frozen=True, eq=False)
class VoiLut:
    """A VOI LUT table (PS3.3 C.11.2.1.1): input ``first + i`` is shown as ``table[i]``.

    Inputs below ``first`` take the first entry, inputs above :attr:`last` the last;
    an entry ``v`` is the grey level ``v / (2**bits - 1)``. Two tables are equal when
    their entries, first input and bits are; the explanation is not compared.

    Parameters
    ----------
    table : ndarray of int, shape (n,)
        The entries (LUTData).
    first : int
        The input value, in pixel (modality) units, of the first entry (second value
        of LUTDescriptor).
    bits : int
        Bits per entry (third value of LUTDescriptor): entries lie in ``[0, 2**bits - 1]``.
    explanation : str
        LUTExplanation, a label such as ``"NORMAL"``; may be empty.
    """

    table: np.ndarray
    first: int
    bits: int
    explanation: str = ""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VoiLut):
            return NotImplemented
        return (
            self.first == other.first
            and self.bits == other.bits
            and np.array_equal(self.table, other.table)
        )

    __hash__ = None  # type: ignore[assignment]  # equal by value, and mutable arrays

    @property
    def last(self) -> int:
        """The input value of the last entry."""
        return self.first + len(self.table) - 1

    def linear_window(self, low: float | None = None, high: float | None = None) -> Window:
        """Return the ``LINEAR`` window closest to this table, to start windowing from.

        Parameters
        ----------
        low, high : float, optional
            The inputs over which it should be close (the image's values, say); by
            default the table's whole input range.

        Returns
        -------
        Window
            The least-squares straight line through the table's grey levels over its
            ramp (from the input where it leaves its first entry to the one where it
            takes its last) within ``[low, high]``, as a ``LINEAR`` window, so that a
            window dragged from the table starts from a similar picture. Where that
            line does not rise (an inverting table, fewer than two inputs), the window
            spanning the ramp (the whole input range for a constant table).
        """
        table = np.asarray(self.table, dtype=np.int64)
        steps = np.flatnonzero(np.diff(table))
        ramp = (int(steps[0]), int(steps[-1]) + 1) if steps.size else (0, table.size - 1)
        start = ramp[0] if low is None else max(ramp[0], math.ceil(low) - self.first)
        stop = ramp[1] if high is None else min(ramp[1], math.floor(high) - self.first)
        index = np.arange(start, stop + 1)
        if index.size >= 2:
            grey = table[index] / (2**self.bits - 1)
            slope, offset = (float(v) for v in np.polyfit(index + self.first, grey, 1))
            if slope > 0:  # LINEAR: grey = (x - (c - 0.5)) / (w - 1) + 0.5
                return Window(
                    center=0.5 + (0.5 - offset) / slope, width=1 + 1 / slope, function="LINEAR"
                )
        # LINEAR is black up to c - 0.5 - (w - 1)/2 and white from c - 0.5 + (w - 1)/2.
        return Window(
            center=self.first + (ramp[0] + ramp[1]) / 2 + 0.5,
            width=float(ramp[1] - ramp[0] + 1),
            function="LINEAR",
        )


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
        """Apply the modality LUT to stored values, giving float32 pixel values.

        Stored values of up to 24 bits are integers that float32 holds exactly, so
        they are rescaled in float32, with no float64 copy of the image. Results lie
        within a few float32 roundings of the float64 ones, and equal them wherever
        the exact result is an integer below 2**24 (an integer slope and intercept,
        say). Wider (32-bit) values go through float64.

        Parameters
        ----------
        stored : ndarray
            Stored values, any shape; not modified.

        Returns
        -------
        ndarray of float32
            ``stored * slope + intercept``, same shape.
        """
        if self.bits_stored > 24:  # float32 holds every integer up to 2**24 exactly
            pixels = np.asarray(stored, dtype=np.float64) * self.slope + self.intercept
            return pixels.astype(np.float32)
        pixels = np.array(stored, dtype=np.float32)  # a copy, rescaled in place
        pixels *= np.float32(self.slope)
        pixels += np.float32(self.intercept)
        return pixels

    def float32_error(
        self, stored: np.ndarray, pixels: np.ndarray, *, exclude: np.ndarray | None = None
    ) -> tuple[float, int] | None:
        """Say how far float32 `pixels` lie from the exact values of `stored`, where it shows.

        float32 holds a value ``v`` to within half of ``np.spacing(np.float32(v))``; where
        that exceeds a quarter of the rescale step ``|slope|`` (32-bit stored values
        beyond 2**24; a small slope under a large intercept), pixels may sit between
        stored values. Only then, told by the extremes of the mapping's range and then of
        the values present, are the pixels compared with the exact values (in float64).

        Parameters
        ----------
        stored : ndarray
            Stored values, as read.
        pixels : ndarray of float32
            ``self.to_pixels(stored)``, of the same shape.
        exclude : ndarray of bool, optional
            Pixels left out (padding, written back as read).

        Returns
        -------
        tuple of (float, int), or None
            The largest distance of a pixel from its exact value, in stored steps, and
            the largest change of a stored value that writing the pixels back gives
            (:meth:`to_stored`, which rounds to the nearest stored value); None for a
            floating-point mapping, no values, or a largest distance of at most a
            quarter step.
        """
        step = abs(self.slope)
        if self.is_float or not self._float32_may_err(self.stored_min, self.stored_max):
            return None
        if exclude is not None:
            stored, pixels = stored[~exclude], pixels[~exclude]
        if stored.size == 0 or not self._float32_may_err(stored.min(), stored.max()):
            return None
        exact = np.asarray(stored, dtype=np.float64) * self.slope + self.intercept
        error = float(np.max(np.abs(np.asarray(pixels, dtype=np.float64) - exact))) / step
        if error <= 0.25:
            return None
        changed = np.abs(self.to_stored(pixels) - np.asarray(stored, dtype=np.int64))
        return error, int(changed.max())

    def _float32_may_err(self, low: float, high: float) -> bool:
        """Whether float32 may hold a value of stored values `low` to `high` a quarter step off."""
        largest = max(abs(self.slope * float(v) + self.intercept) for v in (low, high))
        return bool(np.spacing(np.float32(largest)) > abs(self.slope) / 2)


@dataclass(frozen=True, eq=False)
class Padding:
    """Pixels outside the image data: DICOM Pixel Padding (PS3.3 C.7.5.1.1.2).

    A pixel is padding when its stored value (before the modality LUT) lies in
    ``[first, last]``: PixelPaddingValue alone, or up to PixelPaddingRangeLimit.
    Padding is no anatomy: it is left out of the default window, and written
    back exactly as read.

    Parameters
    ----------
    first, last : int
        The padding range of stored values, ``first <= last``.
    mask : ndarray of bool, shape (rows, cols)
        True where the image's pixel is padding.
    values : ndarray of int64, shape (n,)
        The stored values of those pixels, in the order of ``mask``'s True entries.
    """

    first: int
    last: int
    mask: np.ndarray
    values: np.ndarray

    def __post_init__(self) -> None:
        if self.first > self.last:
            raise ValueError(f"padding range must be increasing, got {self.first}..{self.last}")
        if self.mask.dtype != bool or self.values.shape != (int(self.mask.sum()),):
            raise ValueError("mask must be boolean, with one value per padding pixel")

    @classmethod
    def from_stored(cls, stored: np.ndarray, first: int, last: int) -> Padding:
        """Find the padding in stored values.

        Parameters
        ----------
        stored : ndarray of int, shape (rows, cols)
            The stored values as read.
        first, last : int
            The padding range, in either order.

        Returns
        -------
        Padding
            With the mask and values of the pixels in the range (maybe none).
        """
        first, last = sorted((int(first), int(last)))
        stored = np.asarray(stored)
        mask = (stored >= first) & (stored <= last)
        return cls(first, last, mask, stored[mask].astype(np.int64))

    def restore(self, stored: np.ndarray, mapping: StoredMapping) -> np.ndarray:
        """Put the padding back into new stored values, and keep it out of everything else.

        Parameters
        ----------
        stored : ndarray of int, shape ``mask.shape``
            Stored values computed from new pixels (a denoised image, say).
        mapping : StoredMapping
            Their mapping, whose range bounds the values moved out of the padding range.

        Returns
        -------
        ndarray
            A copy of `stored` with the padding pixels at their values as read, and
            every other pixel that fell into the padding range moved to the nearest
            value outside it, so that it is not taken for padding.
        """
        stored = np.array(stored, copy=True)
        stray = ~self.mask & (stored >= self.first) & (stored <= self.last)
        below, above = self.first - 1, self.last + 1
        # A pixel outside the padding as read had a value outside the range, so there is one.
        if stray.any():
            if below < mapping.stored_min:
                moved = above
            elif above > mapping.stored_max:
                moved = below
            else:
                nearer_below = stored[stray] - self.first < self.last - stored[stray]
                moved = np.where(nearer_below, below, above)
            stored[stray] = moved
        stored[self.mask] = self.values
        return stored


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
        Default display window: the file's first WindowCenter/Width, else a
        0.5-99.5 percentile window of the pixels that are not padding
        (:func:`core.display.auto_window`). Shown by default unless ``voi_lut`` is
        set (see :attr:`default_view`).
    photometric : str
        ``"MONOCHROME1"`` (high values shown dark) or ``"MONOCHROME2"``.
    source_format : str
        ``"dicom"``, ``"png"``, ``"tiff"``, ``"jpeg"`` or ``"npy"``.
    source_path : Path or None
        The file it was read from.
    pixel_spacing : tuple of float or None
        Row and column spacing in mm (PixelSpacing, else ImagerPixelSpacing).
    voi_lut : ndarray or None
        The VOI LUT table (PS3.3 C.11.2) shown by default, instead of ``window``: the
        file's first VOI LUT Sequence item when the file has no WindowCenter/Width;
        its first input value is ``voi_lut_first`` and its output range
        ``[0, 2**voi_lut_bits - 1]``.
    file_windows : tuple of Window
        Every valid WindowCenter/Width pair of the file, in its order, with its
        explanation and VOI LUT function; ``window`` is the first, if any.
    file_voi_luts : tuple of VoiLut
        Every valid item of the file's VOI LUT Sequence, in its order, with its
        LUTExplanation, kept beside ``file_windows`` (PS3.3 C.11.2: a file may
        carry both, and a viewer offers each).
    padding : Padding or None
        The pixels that are padding (DICOM PixelPaddingValue); None if the file
        declares none. Dropped by :meth:`with_pixels` when the shape changes.
    frame, n_frames : int
        Which frame of a multi-frame file this is, and how many there are.
    metadata : dict
        Plain values for display (modality, transfer syntax, patient and study
        identifiers, body part, ...).
    dataset : Any
        The source ``pydicom.Dataset`` without its pixel data, for derived
        DICOM output, describing the pixels as held: without a Modality LUT
        Sequence once applied (RescaleSlope 1, RescaleIntercept 0 and RescaleType its
        ModalityLUTType instead), HighBit ``BitsStored - 1``, overlays embedded in the
        pixel data as OverlayData, LossyImageCompression ``"01"`` where the frame was
        compressed lossily (:func:`core.io.dicom_read.read_dicom`); None for other
        formats.
    source_sha256 : str or None
        The SHA-256 (lower-case hex) of the bytes of ``source_path`` that were read and
        decoded, taken as they were read (:func:`core.io.read_image`), so that a file
        changed on disk since is not taken for the one shown or denoised; carried to
        the images derived from this one (a simulation, a denoised result), whose records
        name the same source. None for an image not read from a file, or read with
        ``digest=False``.
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
    file_windows: tuple[Window, ...] = ()
    file_voi_luts: tuple[VoiLut, ...] = ()
    padding: Padding | None = None
    frame: int = 0
    n_frames: int = 1
    metadata: dict[str, Any] = field(default_factory=dict)
    dataset: Any = None
    source_sha256: str | None = None

    def __post_init__(self) -> None:
        if self.pixels.ndim != 2:
            raise ValueError(f"pixels must be 2-D, got shape {self.pixels.shape}")
        if self.pixels.dtype != np.float32:
            raise ValueError(f"pixels must be float32, got {self.pixels.dtype}")
        if self.padding is not None and self.padding.mask.shape != self.pixels.shape:
            raise ValueError(
                f"padding mask shape {self.padding.mask.shape} differs from the pixels' "
                f"{self.pixels.shape}"
            )

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols)."""
        return self.pixels.shape  # type: ignore[return-value]

    @property
    def default_view(self) -> Window | VoiLut:
        """What is shown when no window is chosen (:func:`core.display.to_display`).

        Returns
        -------
        Window or VoiLut
            The VOI LUT ``voi_lut`` (named by its explanation when it is one of
            ``file_voi_luts``) if set, else ``window``.
        """
        if self.voi_lut is None:
            return self.window
        shown = VoiLut(np.asarray(self.voi_lut), self.voi_lut_first, self.voi_lut_bits)
        return next((lut for lut in self.file_voi_luts if lut == shown), shown)

    @property
    def data_interval(self) -> tuple[float, float]:
        """The values the data can take, ``(low, high)`` in pixel units.

        The stored range through the linear modality LUT for integer data. Floating-point
        data have no storable range: ``(0, 1)`` where they lie in ``[0, 1]``, else their
        own minimum and maximum (counts, attenuation or 12-bit values saved as floats; a
        span of 1 for a constant image).
        """
        if not self.mapping.is_float:
            ends = self.mapping.to_pixels(
                np.array([self.mapping.stored_min, self.mapping.stored_max])
            )
            return float(ends.min()), float(ends.max())
        low, high = _float_extent(self.pixels)
        if 0.0 <= low and high <= 1.0:
            return 0.0, 1.0
        return (low, high) if low < high else (low, low + 1.0)

    @property
    def data_range(self) -> float:
        """Span of possible values in pixel units, as the container declares them.

        Metrics narrow it to the data's own bits
        (:func:`core.noise.value_range.metric_range`).

        ``2**BitsStored - 1`` for DICOM (times the rescale slope), the dtype's
        maximum for 8/16-bit PNG/TIFF (or the PNG's significant bits); for
        floating-point data, the span of :attr:`data_interval`.
        :attr:`data_range_source` says which.
        """
        if not self.mapping.is_float:
            return float(
                (self.mapping.stored_max - self.mapping.stored_min) * abs(self.mapping.slope)
            )
        low, high = self.data_interval
        return high - low

    @property
    def data_range_source(self) -> str:
        """Where :attr:`data_range` comes from, in words for reports.

        Returns
        -------
        str
            ``"12-bit stored range"`` (for example), ``"floating-point values in
            [0, 1]"``, or ``"maximum minus minimum of floating-point values outside
            [0, 1]"`` (``"constant floating-point values"`` for a constant image).
        """
        if not self.mapping.is_float:
            return f"{self.mapping.bits_stored}-bit stored range"
        low, high = _float_extent(self.pixels)
        if 0.0 <= low and high <= 1.0:
            return "floating-point values in [0, 1]"
        if not low < high:
            return "constant floating-point values"
        return "maximum minus minimum of floating-point values outside [0, 1]"

    @property
    def padding_mask(self) -> np.ndarray | None:
        """True where a pixel is padding, or None if the image has none."""
        return None if self.padding is None else self.padding.mask

    def keeping_padding(self, pixels: np.ndarray) -> np.ndarray:
        """Return new pixels of this image's shape with its padding pixels as they are here.

        Padding is no anatomy: a simulated dose or a denoiser leaves it as it was.

        Parameters
        ----------
        pixels : ndarray
            New pixel values, shaped like ``pixels``.

        Returns
        -------
        ndarray of float32
            A copy of `pixels` (or `pixels` itself when there is no padding).
        """
        pixels = np.asarray(pixels, dtype=np.float32)
        if self.padding is None:
            return pixels
        kept = pixels.copy()
        kept[self.padding.mask] = self.pixels[self.padding.mask]
        return kept

    def with_pixels(self, pixels: np.ndarray, **changes: Any) -> XrayImage:
        """Return a copy carrying new pixels (same mapping, window and metadata).

        The padding mask is kept for pixels of the same shape and dropped for others
        (a crop, a thumbnail), unless `changes` give one.
        """
        pixels = np.asarray(pixels, dtype=np.float32)
        if pixels.shape != self.pixels.shape:
            changes.setdefault("padding", None)
        return replace(self, pixels=pixels, **changes)


def frame_label(index: int, n_frames: int) -> str:
    """Name frame `index` (from 0) as users read it, from 1 as DICOM numbers frames.

    Parameters
    ----------
    index : int
        The frame's index, from 0 (:attr:`XrayImage.frame`).
    n_frames : int
        How many frames the file has.

    Returns
    -------
    str
        ``"frame 2 of 3"`` for index 1 of 3.
    """
    return f"frame {index + 1} of {n_frames}"


def _float_extent(pixels: np.ndarray) -> tuple[float, float]:
    """Smallest and largest pixel value, as floats."""
    return float(np.min(pixels)), float(np.max(pixels))
