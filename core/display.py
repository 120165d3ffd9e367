"""Map pixel values to display grey levels: VOI LUT or window, then MONOCHROME1 inversion.

Pure numpy; the GUI shows the result of :func:`to_display` as is.
"""

from __future__ import annotations

import math

import numpy as np

from core.image import VoiLut, Window, XrayImage

AUTO_WINDOW_SAMPLES = 1 << 20
""":func:`auto_window` estimates percentiles from at most about this many pixels."""


def to_display(
    image: XrayImage, window: Window | VoiLut | None = None, *, invert: bool = False
) -> np.ndarray:
    """Return display grey levels in [0, 1] (0 black), following the DICOM grayscale pipeline.

    Without an explicit `window`, the image's :attr:`~core.image.XrayImage.default_view`
    is shown: its VOI LUT table if it has one, else ``image.window``. A VOI LUT table
    is looked up [4]_; a window is applied with its VOI LUT function
    (:func:`window_function`): ``LINEAR`` [1]_ (the one with ``c - 0.5`` and
    ``w - 1``, width at least 1), ``LINEAR_EXACT`` [2]_ or ``SIGMOID`` [3]_. A
    MONOCHROME1 image is then inverted (``1 - v``), and `invert` inverts once more.

    Parameters
    ----------
    image : XrayImage
        The image; its pixels are not changed.
    window : Window or VoiLut, optional
        A window or VOI LUT chosen by the user (one of the file's, say); overrides
        the default view.
    invert : bool
        Invert the result, after the MONOCHROME1 inversion.

    Returns
    -------
    ndarray of float32, shape ``image.shape``
        Grey levels in [0, 1].

    References
    ----------
    .. [1] DICOM PS3.3, C.11.2.1.2.1 Default LINEAR Function.
    .. [2] DICOM PS3.3, C.11.2.1.3.2 LINEAR_EXACT Function.
    .. [3] DICOM PS3.3, C.11.2.1.3.1 SIGMOID Function.
    .. [4] DICOM PS3.3, C.11.2.1.1 VOI LUT Sequence Attributes.
    """
    x = image.pixels
    view = image.default_view if window is None else window
    if isinstance(view, VoiLut):
        grey = _look_up(x, view)
    else:
        function = _FUNCTIONS[window_function(image, view)]
        grey = function(x, view.center, view.width)
    if image.photometric == "MONOCHROME1":
        grey = 1 - grey
    if invert:
        grey = 1 - grey
    return np.clip(grey, 0, 1).astype(np.float32, copy=False)


def _look_up(x: np.ndarray, lut: VoiLut) -> np.ndarray:
    """Grey levels of a VOI LUT table: inputs beyond either end take that end's entry."""
    table = np.asarray(lut.table)
    index = np.clip(np.rint(x) - lut.first, 0, table.size - 1).astype(np.intp)
    return (table[index] / (2**lut.bits - 1)).astype(np.float32)


def window_function(image: XrayImage, window: Window) -> str:
    """Return the VOI LUT function that `window` is applied with on `image`.

    Parameters
    ----------
    image : XrayImage
        The image shown.
    window : Window
        Its window, or one the user chose.

    Returns
    -------
    str
        ``window.function``; for a window without one, ``image.window.function``
        (the file's VOILUTFunction, so that a window the user drags keeps it);
        without either, ``LINEAR_EXACT`` for floating-point sources, whose values
        are not integers, and ``LINEAR`` otherwise.
    """
    function = window.function or image.window.function
    if function is None:
        return "LINEAR_EXACT" if image.mapping.is_float else "LINEAR"
    return function


def _linear(x: np.ndarray, center: float, width: float) -> np.ndarray:
    """DICOM LINEAR: 0 below ``c - 0.5 - (w - 1)/2``, 1 above ``c - 0.5 + (w - 1)/2``."""
    width = max(width, 1.0)
    if width == 1.0:  # the ramp is empty: a threshold at c - 0.5
        return (x > center - 0.5).astype(np.float32)
    grey = (x - np.float32(center - 0.5)) / np.float32(width - 1) + np.float32(0.5)
    return np.clip(grey, 0, 1)


def _linear_exact(x: np.ndarray, center: float, width: float) -> np.ndarray:
    """DICOM LINEAR_EXACT: ``(x - c) / w + 0.5``, clipped to [0, 1]; a threshold if w <= 0."""
    if width <= 0:
        return (x > center).astype(np.float32)
    grey = (x - np.float32(center)) / np.float32(width) + np.float32(0.5)
    return np.clip(grey, 0, 1)


def _sigmoid(x: np.ndarray, center: float, width: float) -> np.ndarray:
    """DICOM SIGMOID: ``1 / (1 + exp(-4 (x - c) / w))``; a threshold if w <= 0."""
    if width <= 0:
        return (x > center).astype(np.float32)
    exponent = np.clip(-4.0 * (np.asarray(x, dtype=np.float64) - center) / width, -700, 700)
    return (1.0 / (1.0 + np.exp(exponent))).astype(np.float32)


_FUNCTIONS = {"LINEAR": _linear, "LINEAR_EXACT": _linear_exact, "SIGMOID": _sigmoid}
"""The VOI LUT functions by DICOM name, mapping pixels to grey levels in [0, 1]."""


def auto_window(
    pixels: np.ndarray,
    *,
    percentiles: tuple[float, float] = (0.5, 99.5),
    padding: np.ndarray | None = None,
) -> Window:
    """Return a robust default window spanning two percentiles of the finite pixel values.

    For speed, percentiles are taken on a regular subsample of at most about
    :data:`AUTO_WINDOW_SAMPLES` pixels.

    Parameters
    ----------
    pixels : ndarray
        Pixel values, any shape.
    percentiles : tuple of float
        Lower and upper percentile, in [0, 100].
    padding : ndarray of bool, optional
        True where a pixel is padding (``XrayImage.padding.mask``): left out, so
        that the window covers the anatomy. Ignored if every pixel is padding.

    Returns
    -------
    Window
        ``low`` and ``high`` at the two percentiles; width 1 if they are equal.

    Raises
    ------
    ValueError
        If the percentiles are not increasing within [0, 100], `padding` has
        another shape than `pixels`, or no value is finite.
    """
    low_pct, high_pct = percentiles
    if not 0 <= low_pct < high_pct <= 100:
        raise ValueError(f"percentiles must satisfy 0 <= low < high <= 100, got {percentiles}")
    values = np.asarray(pixels).ravel()
    step = max(1, math.ceil(values.size / AUTO_WINDOW_SAMPLES))
    values = values[::step]
    if padding is not None:
        if np.shape(padding) != np.shape(pixels):
            raise ValueError(
                f"padding has shape {np.shape(padding)}, the pixels {np.shape(pixels)}"
            )
        anatomy = values[~np.asarray(padding, dtype=bool).ravel()[::step]]
        values = anatomy if anatomy.size else values
    values = values[np.isfinite(values)]
    if values.size == 0:
        raise ValueError("pixels contain no finite value to compute a window from")
    low, high = (float(v) for v in np.percentile(values, [low_pct, high_pct]))
    width = high - low
    return Window(center=(low + high) / 2, width=width if width > 0 else 1.0)
