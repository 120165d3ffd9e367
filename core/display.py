"""Map pixel values to display grey levels: VOI LUT or window, then MONOCHROME1 inversion.

Pure numpy; the GUI shows the result of :func:`to_display` as is.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections import OrderedDict

import numpy as np

from core.image import StoredMapping, VoiLut, Window, XrayImage

AUTO_WINDOW_SAMPLES = 1 << 20
""":func:`auto_window` estimates percentiles from at most about this many pixels."""
LOOKUP_MIN_PIXELS = 1 << 18
""":func:`to_display` maps an integer image of at least this many pixels through a table."""
_LOOKUP_MAX_BITS = 16
"""Stored values of up to this many bits are indexed with uint16 codes."""
_CODES_KEPT = 4
"""How many pixel arrays' stored codes are kept (Before, After and a change of them)."""
_CODE_ROWS = 256
"""Stored codes are made this many rows at a time, bounding the float64 temporaries."""
_TAKE_BLOCK = 1 << 16
"""About this many pixels are looked up at a time."""
_FLOAT32_SAFE = float(np.finfo(np.float32).max) / 4
"""A window whose centre or width reaches this is applied in float64 (float32 overflows)."""


def to_display(
    image: XrayImage, window: Window | VoiLut | None = None, *, invert: bool = False
) -> np.ndarray:
    """Return display grey levels in [0, 1] (0 black), following the DICOM grayscale pipeline.

    Without an explicit `window`, the image's :attr:`~core.image.XrayImage.default_view`
    is shown: its VOI LUT table if it has one, else ``image.window``. A VOI LUT table
    is looked up [4]_; a window is applied with its VOI LUT function
    (:func:`window_function`): ``LINEAR`` [1]_ (the one with ``c - 0.5`` and
    ``w - 1``, width at least 1), ``LINEAR_EXACT`` [2]_ or ``SIGMOID`` [3]_, in
    float64 where the window's numbers are too large for float32. A MONOCHROME1
    image is then inverted (``1 - v``), and `invert` inverts once more.

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

    Notes
    -----
    An integer image of at least :data:`LOOKUP_MIN_PIXELS` pixels that is shown again
    (a window dragged over it, say) is mapped through a table of its storable values,
    indexed by each pixel's stored value: the same grey levels, pixel for pixel, in
    about two thirds of the time on 16 Mpx.

    References
    ----------
    .. [1] DICOM PS3.3, C.11.2.1.2.1 Default LINEAR Function.
    .. [2] DICOM PS3.3, C.11.2.1.3.2 LINEAR_EXACT Function.
    .. [3] DICOM PS3.3, C.11.2.1.3.1 SIGMOID Function.
    .. [4] DICOM PS3.3, C.11.2.1.1 VOI LUT Sequence Attributes.
    """
    return to_display_part(image, WHOLE, window, invert=invert)


WHOLE = (slice(None), slice(None))
"""All the rows and columns of an image, as :func:`to_display_part` takes them."""


def to_display_part(
    image: XrayImage,
    index: tuple[slice, slice],
    window: Window | VoiLut | None = None,
    *,
    invert: bool = False,
) -> np.ndarray:
    """Return the grey levels of ``image.pixels[index]``, as :func:`to_display` makes them.

    The same grey levels as ``to_display(image.with_pixels(image.pixels[index]), ...)``,
    pixel for pixel; where the whole image's stored codes are kept (see the Notes of
    :func:`to_display`), a part shown again and again (the part of a large image in
    sight, at each pan) is looked up through those codes, sliced, at the cost of the
    part alone. Looking at a part counts as showing the image.

    Parameters
    ----------
    image : XrayImage
        The whole image; its pixels are not changed.
    index : tuple of slice
        The rows and columns of the part (steps allowed).
    window : Window or VoiLut, optional
        As for :func:`to_display`.
    invert : bool
        As for :func:`to_display`.

    Returns
    -------
    ndarray of float32, shape of ``image.pixels[index]``
        Grey levels in [0, 1].
    """
    view = image.default_view if window is None else window
    codes = _STORED_CODES.get(image.pixels, image.mapping)
    if codes is None:
        return _grey_levels(image.pixels[index], image, view, invert)
    return _looked_up(codes[index], image, view, invert)


def _looked_up(
    codes: np.ndarray, image: XrayImage, view: Window | VoiLut, invert: bool
) -> np.ndarray:
    """Grey levels of pixels of `image` by their stored codes (see :func:`to_display`)."""
    # Every pixel is the value of its stored integer: the grey level of each storable
    # value, looked up by the pixel's code, is the grey level of the pixel itself.
    mapping = image.mapping
    values = mapping.to_pixels(np.arange(mapping.stored_min, mapping.stored_max + 1))
    table = _grey_levels(values, image, view, invert)
    grey = np.empty(codes.shape, dtype=np.float32)
    # A few rows at a time: numpy widens the codes to intp, here in cache-sized blocks.
    rows = max(1, _TAKE_BLOCK // max(codes.shape[1], 1))
    for row in range(0, codes.shape[0], rows):
        np.take(table, codes[row : row + rows], out=grey[row : row + rows])
    return grey


def _grey_levels(
    x: np.ndarray, image: XrayImage, view: Window | VoiLut, invert: bool
) -> np.ndarray:
    """Grey levels of pixel values `x` of `image`, shown with `view` (see :func:`to_display`)."""
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


class _StoredCodes:
    """Each pixel's stored value, as an index into a table of every storable value.

    A window drag shows the same pixels again and again: mapping the few thousand
    storable values and indexing the result by these codes gives, pixel for pixel, the
    grey levels the formula gives, in a fraction of its time on a large image. Codes
    are made for an array the second time it is shown (a one-off rendering, such as a
    report's, does not pay for them), and only when every pixel lies exactly on its
    stored value. The arrays are held weakly, and are not changed in place
    (:class:`~core.image.XrayImage` pixels never are); a few are kept, the most
    recently shown.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # id(pixels) -> (weak reference, mapping, codes or None: shown once)
        self._entries: OrderedDict[int, tuple] = OrderedDict()

    def get(self, pixels: np.ndarray, mapping: StoredMapping) -> np.ndarray | None:
        """Return the codes of `pixels`, ``stored - mapping.stored_min`` as uint16, or None.

        None: a floating-point or wide mapping, a small image, pixels off the stored
        values, or the first time `pixels` is shown.
        """
        if (
            mapping.is_float
            or mapping.bits_stored > _LOOKUP_MAX_BITS
            or pixels.size < LOOKUP_MIN_PIXELS
        ):
            return None
        key = id(pixels)
        with self._lock:
            for dead in [k for k, (ref, _, _) in self._entries.items() if ref() is None]:
                del self._entries[dead]
            entry = self._entries.get(key)
            known = entry is not None and entry[0]() is pixels and entry[1] == mapping
            if known:
                self._entries.move_to_end(key)
                if entry[2] is not None:
                    return entry[2]
            else:
                self._keep(key, (weakref.ref(pixels), mapping, None))
                return None
        codes = _stored_codes(pixels, mapping)
        if codes is not None:
            with self._lock:
                self._keep(key, (weakref.ref(pixels), mapping, codes))
        return codes

    def _keep(self, key: int, entry: tuple) -> None:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > _CODES_KEPT:
            self._entries.popitem(last=False)


def _stored_codes(pixels: np.ndarray, mapping: StoredMapping) -> np.ndarray | None:
    """Return ``stored - mapping.stored_min`` as uint16, or None if a pixel is off them."""
    step = max(1, min(pixels.shape) // 64)
    sample = pixels[::step, ::step]  # a quick look first: most arrays off the values fail it
    if not _on_stored_values(sample, mapping):
        return None
    codes = np.empty(pixels.shape, dtype=np.uint16)
    for row in range(0, pixels.shape[0], _CODE_ROWS):
        block = pixels[row : row + _CODE_ROWS]
        if not _on_stored_values(block, mapping):
            return None
        if mapping.slope == 1 and mapping.intercept == 0:  # PNG, TIFF, most radiographs
            codes[row : row + _CODE_ROWS] = block - mapping.stored_min
        else:
            codes[row : row + _CODE_ROWS] = mapping.to_stored(block) - mapping.stored_min
    return codes


def _on_stored_values(pixels: np.ndarray, mapping: StoredMapping) -> bool:
    """Whether every pixel is exactly the value of a storable integer."""
    low, high = mapping.to_pixels(np.array([mapping.stored_min, mapping.stored_max]))
    if not (pixels.min() >= min(low, high) and pixels.max() <= max(low, high)):
        return False  # NaN fails here too, before any cast to integers
    if mapping.slope == 1 and mapping.intercept == 0:
        return bool(np.all(pixels == np.rint(pixels)))
    return np.array_equal(mapping.to_pixels(mapping.to_stored(pixels)), pixels)


_STORED_CODES = _StoredCodes()


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
        (the file's VOILUTFunction, so that a window the user drags keeps it),
        except as follows for ``LINEAR`` or none. ``LINEAR``'s ``c - 0.5`` and
        ``w - 1`` [1]_ are one stored step, so it fits values a step of 1 apart:
        it is kept for integer sources of rescale slope 1 or -1, and for the file's
        own windows (the standard's default where a file names no function); a
        window the viewer makes (the percentile window, a preset, a drag) of a
        rescaled image whose step is another (a slope of 0.0001 makes its values
        span under 1, which a width of at least 1 would show as one grey) is
        applied ``LINEAR_EXACT`` [2]_, as are those of floating-point sources,
        whose values are not integers, unless the file names ``LINEAR``.

    References
    ----------
    .. [1] DICOM PS3.3, C.11.2.1.2.1 Default LINEAR Function.
    .. [2] DICOM PS3.3, C.11.2.1.3.2 LINEAR_EXACT Function.
    """
    if window.function is not None:
        return window.function
    if (
        window in image.file_windows
        and image.window.function in (None, "LINEAR")
        and not image.mapping.is_float
    ):
        return "LINEAR"
    return made_window_function(image.mapping, image.window.function)


def made_window_function(mapping: StoredMapping, function: str | None = None) -> str:
    """Return the VOI LUT function a window the viewer makes is applied with.

    A window of no function that is not one of the file's (the percentile window, a
    preset, a drag), on an image of `mapping` whose own window has `function`; see
    :func:`window_function`.

    Parameters
    ----------
    mapping : StoredMapping
        The image's mapping to stored values.
    function : str or None
        The function of the image's own window (``image.window.function``); None
        where it names none, as for an image whose file names no window.

    Returns
    -------
    str
        `function` where it is neither None nor ``LINEAR``; else ``LINEAR`` for an
        integer source of rescale slope 1 or -1, ``LINEAR_EXACT`` for any other
        (``LINEAR`` for a floating-point source whose file names it).
    """
    if function not in (None, "LINEAR"):
        return function
    if mapping.is_float:
        return function or "LINEAR_EXACT"
    return "LINEAR" if abs(mapping.slope) == 1 else "LINEAR_EXACT"


def _working_type(center: float, width: float) -> type[np.floating]:
    """float32, or float64 for a window whose numbers would overflow float32."""
    if max(abs(center), abs(width)) < _FLOAT32_SAFE:
        return np.float32
    return np.float64


def _linear(x: np.ndarray, center: float, width: float) -> np.ndarray:
    """DICOM LINEAR: 0 below ``c - 0.5 - (w - 1)/2``, 1 above ``c - 0.5 + (w - 1)/2``."""
    width = max(width, 1.0)
    if width == 1.0:  # the ramp is empty: a threshold at c - 0.5
        return (x > center - 0.5).astype(np.float32)
    real = _working_type(center, width)
    grey = (x - real(center - 0.5)) / real(width - 1) + real(0.5)
    return np.clip(grey, 0, 1)


def _linear_exact(x: np.ndarray, center: float, width: float) -> np.ndarray:
    """DICOM LINEAR_EXACT: ``(x - c) / w + 0.5``, clipped to [0, 1]; a threshold if w <= 0."""
    if width <= 0:
        return (x > center).astype(np.float32)
    real = _working_type(center, width)
    grey = (x - real(center)) / real(width) + real(0.5)
    return np.clip(grey, 0, 1)


def _sigmoid(x: np.ndarray, center: float, width: float) -> np.ndarray:
    """DICOM SIGMOID: ``1 / (1 + exp(-4 (x - c) / w))``; a threshold if w <= 0."""
    if width <= 0:
        return (x > center).astype(np.float32)
    exponent = np.clip(-4.0 * (np.asarray(x, dtype=np.float64) - center) / width, -700, 700)
    return (1.0 / (1.0 + np.exp(exponent))).astype(np.float32)


_FUNCTIONS = {"LINEAR": _linear, "LINEAR_EXACT": _linear_exact, "SIGMOID": _sigmoid}
"""The VOI LUT functions by DICOM name, mapping pixels to grey levels in [0, 1]."""


AUTO_PERCENTILES: tuple[float, float] = (0.5, 99.5)
"""The percentiles of the finite pixel values that :func:`auto_window` spans by default: the
window an image opens in where its file names none."""


def auto_window(
    pixels: np.ndarray,
    *,
    percentiles: tuple[float, float] = AUTO_PERCENTILES,
    padding: np.ndarray | None = None,
    linear: bool = False,
) -> Window:
    """Return a robust default window spanning two percentiles of the finite pixel values.

    For speed, percentiles are taken on a subsample of at most about
    :data:`AUTO_WINDOW_SAMPLES` pixels: one at a random place (the same each time) in
    each run of pixels, never every k-th pixel, whose values a periodic pattern (a grid,
    a line-pair phantom) could make all alike. A percentile of 0 or 100 is the least or
    the largest value of every pixel, which a sample could miss.

    Parameters
    ----------
    pixels : ndarray
        Pixel values, any shape.
    percentiles : tuple of float
        Lower and upper percentile, in [0, 100].
    padding : ndarray of bool, optional
        True where a pixel is padding (``XrayImage.padding.mask``): left out, so
        that the window covers the anatomy. Ignored if every pixel is padding.
    linear : bool
        Whether the window is to be applied with ``LINEAR`` [1]_ (see
        :func:`made_window_function`), rather than ``LINEAR_EXACT`` [2]_ or
        ``SIGMOID``: its centre and width then allow for ``LINEAR``'s ``c - 0.5`` and
        ``w - 1``, so that it shows every value as the window without them shows it
        under ``LINEAR_EXACT``.

    Returns
    -------
    Window
        Black at the lower percentile ``low`` and white at the upper ``high``: centre
        ``(low + high) / 2`` and width ``high - low``; with `linear`, centre
        ``(low + high + 1) / 2`` and width ``high - low + 1`` (``LINEAR`` is black up
        to ``c - 0.5 - (w - 1)/2 = low`` and white from ``c - 0.5 + (w - 1)/2 =
        high``). Where the percentiles are equal (a blank frame, or one with a few
        bright pixels), the least and the largest finite value that is not padding,
        so that a hot pixel on a black frame shows white on black. Where those are
        equal too, the image is constant and has no contrast to show: the window is
        chosen so that it looks as a viewer expects a blank frame to, never the solid
        white a width of 1 centred on the value gives (values at or above ``c - 0.5``
        are white under LINEAR). A frame of 0 (no signal: a blank, unexposed or
        cleared frame) is black (the window ``[0, 1]``); any other constant ``v`` is
        mid-grey: no range of values says where ``v`` lies, and mid-grey says neither
        "saturated" nor "no signal". With `linear`, or for an integer ``v`` (the value
        of an integer source, which ``LINEAR`` shows), ``v`` gets the window of
        centre ``v + 0.5`` and width ``2 |v| + 1`` (from 0 to ``2 v + 1`` for ``v >
        0``): grey 0.5 exactly under ``LINEAR`` [1]_, and between 1/3 (``|v| = 1``)
        and 0.5 under ``LINEAR_EXACT`` [2]_. Any other ``v``, the value of a
        floating-point or rescaled source, which ``LINEAR_EXACT`` shows, gets centre
        ``v`` and width ``2 |v|`` (from 0 to ``2 v``): grey 0.5 exactly under
        ``LINEAR_EXACT``.

    Raises
    ------
    ValueError
        If the percentiles are not increasing within [0, 100], `padding` has
        another shape than `pixels`, or no value is finite.

    References
    ----------
    .. [1] DICOM PS3.3, C.11.2.1.2.1 Default LINEAR Function.
    .. [2] DICOM PS3.3, C.11.2.1.3.2 LINEAR_EXACT Function.
    """
    low_pct, high_pct = percentiles
    if not 0 <= low_pct < high_pct <= 100:
        raise ValueError(f"percentiles must satisfy 0 <= low < high <= 100, got {percentiles}")
    if padding is not None and np.shape(padding) != np.shape(pixels):
        raise ValueError(f"padding has shape {np.shape(padding)}, the pixels {np.shape(pixels)}")
    size = np.size(pixels)
    sample = _spread_sample(size, math.ceil(size / AUTO_WINDOW_SAMPLES))
    values = _finite_anatomy(pixels, padding, sample)
    if values.size == 0:
        raise ValueError("pixels contain no finite value to compute a window from")
    low, high = (float(v) for v in np.percentile(values, [low_pct, high_pct]))
    # The ends of every pixel, not the sample's: a hot pixel is one of a few.
    least, largest = (low_pct == 0 or high == low), (high_pct == 100 or high == low)
    if (least or largest) and not isinstance(sample, slice):
        values = _finite_anatomy(pixels, padding)
    low = float(np.min(values, initial=low)) if least else low
    high = float(np.max(values, initial=high)) if largest else high
    if high == low:  # constant: see Returns
        if low == 0:
            return Window(center=0.5, width=1.0)
        if linear or low.is_integer():
            return Window(center=low + 0.5, width=2 * abs(low) + 1)
        return Window(center=low, width=2 * abs(low))
    if linear:
        return Window(center=(low + high + 1) / 2, width=high - low + 1)
    return Window(center=(low + high) / 2, width=high - low)


def image_auto_window(
    image: XrayImage, *, percentiles: tuple[float, float] = AUTO_PERCENTILES
) -> Window:
    """Return the percentile window the viewer makes of `image`, for the function it is shown with.

    :func:`auto_window` of its pixels, padding left out, allowing for ``LINEAR``'s
    ``c - 0.5`` and ``w - 1`` where the window is applied ``LINEAR``
    (:func:`made_window_function`): the value at the lower percentile is shown black
    and that at the upper white, under any of the functions.

    Parameters
    ----------
    image : XrayImage
        The image shown.
    percentiles : tuple of float
        Lower and upper percentile, in [0, 100].

    Returns
    -------
    Window
        A window of no function, which :func:`window_function` applies with the
        function it was made for.
    """
    padding = None if image.padding is None else image.padding.mask
    linear = made_window_function(image.mapping, image.window.function) == "LINEAR"
    return auto_window(image.pixels, percentiles=percentiles, padding=padding, linear=linear)


def _finite_anatomy(
    pixels: np.ndarray,
    padding: np.ndarray | None,
    sample: slice | np.ndarray = slice(None),
) -> np.ndarray:
    """Return the finite pixels at `sample` (of the flattened image) that are not padding.

    Where every pixel at `sample` is padding, the padding is ignored: the finite pixels
    at `sample`, 1-D.
    """
    values = np.asarray(pixels).ravel()[sample]
    if padding is not None:
        anatomy = values[~np.asarray(padding, dtype=bool).ravel()[sample]]
        values = anatomy if anatomy.size else values
    return values[np.isfinite(values)]


def _spread_sample(size: int, run: int) -> slice | np.ndarray:
    """Return indices of one in every `run` items, each at a random place in its run."""
    if run <= 1:
        return slice(None)
    count = size // run
    offsets = np.random.default_rng(0).integers(0, run, count)
    return np.arange(count) * run + offsets
