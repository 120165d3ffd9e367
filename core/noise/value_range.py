"""The range of pixel values an image's data can take: what a detector's attenuation spans.

A low-dose simulation maps this range onto line integrals ``[0, max_attenuation]``
(:meth:`core.noise.DetectorModel.from_image`), and a measurement of the quanta
judges the fitted detector against it. A container of more than
:data:`NATIVE_BITS` bits often holds data of fewer: 12-bit data in a 16-bit PNG or
TIFF, 12-bit data under DICOM BitsStored 14 or 16, or a signed 16-bit DICOM whose
stored values run from -2048 to 2047. Its range is therefore that of the fewest
bits, at least :data:`MIN_DATA_BITS` and at most the container's, that hold every
stored value that is not padding: for unsigned data the bit length of the
largest, for signed data the smallest two's-complement width holding the
smallest and the largest. So the same data span the same attenuation, and get
the same simulated noise, whatever wide container declares them (signed or not,
BitsStored 12, 14 or 16). A container of :data:`NATIVE_BITS` or fewer is taken at
its word: that is a detector's own depth, and a dark image in it keeps the
attenuation scale of a bright one. The bits rest on the few pixels that need the
top one where the data barely reach it (one stray pixel at 4096 makes 12-bit data
13-bit and halves the attenuation every value stands for; one hot pixel at 65535 makes
it 16-bit, and the range 16 times what the rest need):
:meth:`ValueRange.few_pixels_problem` says so, with that factor. A floating-point image has no
storable range: its own minimum and maximum are its range, and so one stray pixel
can set it (a hot pixel at 5 in data of 0 to 0.7 spreads the attenuation over seven
times the values, and the simulated noise falls as much). Where a handful of pixels
(at most :data:`FLOAT_TAIL_SHARE` at each end) lie well beyond the rest and widen
the range by more than :data:`FEW_PIXELS_SPAN_CHANGE`,
:meth:`ValueRange.few_pixels_problem` says so too; the range stays the full one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.image import StoredMapping, XrayImage

__all__ = [
    "MIN_DATA_BITS",
    "NATIVE_BITS",
    "Outliers",
    "ValueRange",
    "data_bits",
    "given_range_problem",
    "metric_range",
    "metric_range_problem",
    "value_range",
]

MIN_DATA_BITS = 8
"""Fewest bits a container's data are taken to have."""

NATIVE_BITS = 12
"""Integer containers of more bits than this (a detector's usual depth) may hold data of
fewer; those of this many or fewer are taken at their declared BitsStored."""

CHUNK = 1 << 16
"""Pixels mapped to stored values at a time (as :data:`core.denoise.domain.CHUNK`): the
float64 temporaries of a chunk stay in the CPU's cache."""

FEW_TOP_BIT_SHARE = 1e-3
"""Data bits inferred from under this share of the pixels (those needing the top bit) are
warned of: a handful of outliers, not the image, would set the range."""

FLOAT_TAIL_SHARE = 1e-4
"""Share of a floating-point image's pixels, at each end, that may be outliers: the rest
(between the quantiles at this share and one less it) is the image's bulk."""

OUTLIER_MARGIN = 0.1
"""Pixels further than this share of the bulk's span beyond it are outliers. Gaussian
noise alone (512 x 512 pixels of it) leaves pixels beyond the margin that widen the
range by 7.5 %, under :data:`FEW_PIXELS_SPAN_CHANGE`; a noisy chest phantom, none."""

FEW_PIXELS_SPAN_CHANGE = 0.1
"""A floating-point range that outliers widen by more than this share of the rest's span
is warned of."""


@dataclass(frozen=True)
class Outliers:
    """Pixels of a floating-point image that lie well beyond the rest (see the module notes).

    Parameters
    ----------
    pixels : int
        How many there are (> 0).
    data_pixels : int
        Pixels of the image.
    low, high : float
        The range of the rest.
    """

    pixels: int
    data_pixels: int
    low: float
    high: float


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
    top_bit_pixels : int or None
        Pixels (not padding) whose stored values need the top one of ``bits``
        where those bits were inferred from the data (more than
        :data:`MIN_DATA_BITS`); None otherwise.
    data_pixels : int
        Pixels (not padding) the range was inferred from.
    outliers : Outliers or None
        Of floating-point data, the pixels that lie well beyond the rest, if any; not
        part of the range, so not compared.
    rest_bits : int or None
        Where :meth:`few_pixels_problem` finds that few pixels need the top bit, the
        bits the others need (:func:`_bits_of` of their lowest and highest stored
        value); None otherwise. Not part of the range, so not compared.
    """

    low: float
    high: float
    bits: int | None = None
    container_bits: int | None = None
    top_bit_pixels: int | None = None
    data_pixels: int = 0
    outliers: Outliers | None = field(default=None, compare=False)
    rest_bits: int | None = field(default=None, compare=False)

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

    def few_pixels_problem(self, what: str = "attenuation scale") -> str | None:
        """Say where the range rests on very few pixels, or return None.

        Parameters
        ----------
        what : str
            What the range sets, named in the line: the simulation's
            ``"attenuation scale"``, or the metrics' data range.

        Returns
        -------
        str or None
            One line (no capital, no full stop) where fewer than
            :data:`FEW_TOP_BIT_SHARE` of the pixels need the top one of the inferred
            data bits, with the factor by which the range exceeds the one the other
            pixels need (:attr:`rest_bits`: 16 for one hot pixel at 65535 in 12-bit
            data), or where the pixels of floating-point data that lie well beyond the
            rest (:attr:`outliers`) widen its range by more than
            :data:`FEW_PIXELS_SPAN_CHANGE`; None otherwise.
        """
        if self.outliers is not None:
            return self._outliers_problem(self.outliers, what)
        if self.top_bit_pixels is None or self.bits is None or self.data_pixels == 0:
            return None
        if self.top_bit_pixels >= FEW_TOP_BIT_SHARE * self.data_pixels:
            return None
        rest_bits = self.bits - 1 if self.rest_bits is None else self.rest_bits
        return (
            f"its range of values, {self.describe()}, rests on {self.top_bit_pixels} of its "
            f"{self.data_pixels} pixels (those needing the {self.bits}th bit): if they are "
            f"outliers, the {what} is off by a factor of {2 ** (self.bits - rest_bits)}"
        )

    def _outliers_problem(self, outliers: Outliers, what: str) -> str | None:
        """Say where a floating-point range rests on a few outliers, or return None."""
        rest = outliers.high - outliers.low
        if not self.span > (1.0 + FEW_PIXELS_SPAN_CHANGE) * rest:
            return None
        head = (
            f"its range of values, {self.describe()}, rests on {outliers.pixels} of its "
            f"{outliers.data_pixels} pixels (those lying far "
        )
        if rest == 0:
            return head + (
                f"from the others, which are all {outliers.low:g}): the others set no {what}"
            )
        return head + (
            f"beyond the others' {outliers.low:g} to {outliers.high:g}): without them it "
            f"would span {100 * (1 - rest / self.span):.0f} % less, so if they are outliers, the "
            f"{what} is off by a factor of {self.span / rest:.3g}"
        )


def _signed_width(value: int) -> int:
    """Bits of the smallest two's-complement integer holding ``value``."""
    return (value if value >= 0 else -value - 1).bit_length() + 1


def _data_pixels(image: XrayImage) -> int:
    """Count the pixels that are not padding."""
    padding = 0 if image.padding is None else np.count_nonzero(image.padding.mask)
    return int(image.pixels.size - padding)


def _stored_data(image: XrayImage) -> np.ndarray:
    """Return the image's stored values that are not padding, as int64 (1-D).

    Mapped :data:`CHUNK` pixels at a time, each as a whole-image
    :meth:`StoredMapping.to_stored` maps it.
    """
    flat = image.pixels.reshape(-1)
    mask = None if image.padding is None else image.padding.mask.reshape(-1)
    stored = np.empty(_data_pixels(image), dtype=np.int64)
    filled = 0
    for start in range(0, flat.size, CHUNK):
        part = flat[start : start + CHUNK]
        if mask is not None:
            part = part[~mask[start : start + CHUNK]]
        stored[filled : filled + part.size] = image.mapping.to_stored(part)
        filled += part.size
    return stored


def _bits_of(mapping: StoredMapping, low: int, high: int) -> int:
    """Return the fewest bits, within ``[MIN_DATA_BITS, bits_stored]``, holding low to high."""
    needed = max(_signed_width(low), _signed_width(high)) if mapping.signed else high.bit_length()
    return min(max(needed, MIN_DATA_BITS), mapping.bits_stored)


def _top_bit_half(bits: int, signed: bool) -> int:
    """Return the least stored value that needs the top one of ``bits`` bits.

    Signed values below its negative need it too.
    """
    return 2 ** (bits - 2) if signed else 2 ** (bits - 1)


def _needs_top_bit(stored: np.ndarray, bits: int, signed: bool) -> np.ndarray:
    """Return where the stored values need the top one of ``bits`` bits (bool, as ``stored``)."""
    half = _top_bit_half(bits, signed)
    return (stored >= half) | (stored < -half) if signed else stored >= half


def data_bits(image: XrayImage) -> int:
    """Return the bits the image's integer data use (see the module notes).

    Parameters
    ----------
    image : XrayImage
        An image from an integer source.

    Returns
    -------
    int
        ``bits_stored`` for a container of at most :data:`NATIVE_BITS`; else the
        fewest bits, at least :data:`MIN_DATA_BITS` and at most ``bits_stored``,
        that hold every stored value that is not padding (two's-complement widths
        for signed data).
    """
    if image.mapping.bits_stored <= NATIVE_BITS:
        return image.mapping.bits_stored
    pixels = image.pixels if image.padding is None else image.pixels[~image.padding.mask]
    if pixels.size == 0:
        return image.mapping.bits_stored
    # The map to stored values is monotonic: the extremes' stored values are the extremes.
    ends = image.mapping.to_stored(np.array([pixels.min(), pixels.max()], dtype=np.float64))
    return _bits_of(image.mapping, int(ends.min()), int(ends.max()))


def _outliers(pixels: np.ndarray, low: float, high: float) -> Outliers | None:
    """Find the pixels of floating-point data that lie well beyond the rest, or None.

    The rest is the bulk between the quantiles at :data:`FLOAT_TAIL_SHARE` and one
    less it, widened by :data:`OUTLIER_MARGIN` of its span at each end. ``low`` and
    ``high`` are the data's minimum and maximum.
    """
    flat = pixels.reshape(-1)
    tail = int(FLOAT_TAIL_SHARE * flat.size)
    if tail == 0:
        return None
    # More than `tail` pixels within `reach` of both ends put the quantiles there, and
    # every pixel within the margin: no outliers, found without sorting (0.5 s a 9 MP image).
    reach = OUTLIER_MARGIN * (high - low) / (1.0 + 2.0 * OUTLIER_MARGIN)
    near_top = np.count_nonzero(flat >= high - reach)
    if near_top > tail and np.count_nonzero(flat <= low + reach) > tail:
        return None
    ends = np.partition(flat, (tail, flat.size - 1 - tail))
    low, high = float(ends[tail]), float(ends[flat.size - 1 - tail])
    margin = OUTLIER_MARGIN * (high - low)
    rest = flat[(flat >= low - margin) & (flat <= high + margin)]
    if rest.size in (0, flat.size):  # none beyond, or NaN ends: nothing to tell
        return None
    return Outliers(flat.size - rest.size, flat.size, float(rest.min()), float(rest.max()))


def value_range(image: XrayImage) -> ValueRange:
    """Return the range of values the image's data can take, in pixel units.

    Parameters
    ----------
    image : XrayImage
        Any image.

    Returns
    -------
    ValueRange
        The range of the data's own bits (:func:`data_bits`) through the modality
        LUT; a floating-point image's minimum and maximum, with the pixels that lie
        well beyond the rest (:attr:`ValueRange.outliers`).
    """
    mapping = image.mapping
    if mapping.is_float:
        low, high = float(np.min(image.pixels)), float(np.max(image.pixels))
        return ValueRange(low, high, outliers=_outliers(image.pixels, low, high))
    bits, top_bit, rest_bits = mapping.bits_stored, None, None
    if mapping.bits_stored <= NATIVE_BITS:  # taken at its word: no pass over the values
        data_pixels = _data_pixels(image)
    else:
        stored = _stored_data(image)
        data_pixels = int(stored.size)
        if data_pixels:
            bits = _bits_of(mapping, int(stored.min()), int(stored.max()))
            if bits > MIN_DATA_BITS:
                top = _needs_top_bit(stored, bits, mapping.signed)  # one pass for both
                top_bit = int(np.count_nonzero(top))
                if top_bit < FEW_TOP_BIT_SHARE * data_pixels:  # warned of: by what factor
                    rest = stored[~top]  # not all need it: these need at most bits - 1
                    rest_bits = _bits_of(mapping, int(rest.min()), int(rest.max()))
    if mapping.signed:
        ends_stored = np.array([-(2 ** (bits - 1)), 2 ** (bits - 1) - 1])
    else:
        ends_stored = np.array([0, 2**bits - 1])
    ends = mapping.to_pixels(ends_stored)
    return ValueRange(
        float(np.min(ends)),
        float(np.max(ends)),
        bits,
        None if bits == mapping.bits_stored else mapping.bits_stored,
        top_bit,
        data_pixels,
        rest_bits=rest_bits,
    )


def metric_range(image: XrayImage) -> tuple[float, str]:
    """Return the data range that PSNR and SSIM measure an image against, and its source.

    The range of the data's own bits (:func:`value_range`), as the low-dose
    simulation takes it: 12-bit data in a 16-bit PNG, TIFF or ``.npy``, or under
    DICOM BitsStored 16, are measured against 4095 (times the rescale slope), not
    65535, which would add 24 dB to every PSNR. Elsewhere the image's
    :attr:`~core.image.XrayImage.data_range`: its stored range, or for
    floating-point data ``[0, 1]`` or their own span.

    Parameters
    ----------
    image : XrayImage
        The reference of a comparison.

    Returns
    -------
    tuple of (float, str)
        The range in pixel units, and where it comes from in words for reports, for
        example ``"12-bit stored range"`` or ``"12-bit data in a 16-bit container"``.
    """
    mapping = image.mapping
    if not mapping.is_float and mapping.bits_stored > NATIVE_BITS:
        bits = data_bits(image)  # two passes (minimum, maximum): the metrics run per region
        if bits < mapping.bits_stored:
            words = f"{bits}-bit data in a {mapping.bits_stored}-bit container"
            return (2**bits - 1) * abs(mapping.slope), words
    return image.data_range, image.data_range_source


def metric_range_problem(image: XrayImage, *others: XrayImage) -> str | None:
    """Say where the data range of :func:`metric_range` may mislead, or return None.

    The range of data bits inferred from the values, or the span of floating-point values
    outside [0, 1], is what a hot pixel sets: one at 65535 in 12-bit data measures PSNR
    and SSIM against 65535, not 4095 (24 dB more). :meth:`ValueRange.few_pixels_problem`
    says so, as ``simulate`` does of its attenuation scale. And where a compared image's
    values lie beyond an integer reference's range (its declared bits, or the bits its
    own values need in a container of more), they are measured against too small a
    range: that is said too. The range itself is the reference's alone, so that every
    image compared with one reference is scored on one scale (and no test image sets
    its own: one hot pixel in it would add 24 dB).

    Parameters
    ----------
    image : XrayImage
        The reference of a comparison.
    *others : XrayImage
        The images compared with it.

    Returns
    -------
    str or None
        One line (no capital, no full stop), for example ``"its range of values, 0 to 65535
        in 16 bits, rests on 1 of its 16384 pixels (those needing the 16th bit): if they
        are outliers, the data range is off by a factor of 16"``; None where the range is
        declared (a container of :data:`NATIVE_BITS` or fewer, floating-point data in
        [0, 1]) or rests on more pixels, and the others' values lie within it.
    """
    found = [_few_pixels_problem(image), _beyond_range_problem(image, others)]
    return "; ".join(problem for problem in found if problem) or None


def _few_pixels_problem(image: XrayImage) -> str | None:
    """Say where the reference's data range rests on a few of its pixels, or None."""
    mapping = image.mapping
    if mapping.is_float:
        if image.data_interval == (0.0, 1.0):
            return None
    elif mapping.bits_stored <= NATIVE_BITS:
        return None
    else:  # the metrics run per region: a quick look first, the full pass where it warns
        bits = data_bits(image)
        pixels = image.pixels if image.padding is None else image.pixels[~image.padding.mask]
        if bits <= MIN_DATA_BITS or _pixels_needing_the_top_bit(
            pixels, mapping, bits
        ) >= FEW_TOP_BIT_SHARE * max(pixels.size, 1):
            return None
    return value_range(image).few_pixels_problem("data range")


def _compared_values(image: XrayImage, others: tuple[XrayImage, ...]) -> list[np.ndarray]:
    """Return the finite values of each of `others` where `image`'s pixels are not padding.

    A comparison leaves out the reference's padding in every image compared with it (an
    image of another shape keeps all its pixels).
    """
    mask = None if image.padding is None else image.padding.mask
    values = []
    for other in others:
        pixels = other.pixels
        if mask is not None and pixels.shape == mask.shape:
            pixels = pixels[~mask]
        if pixels.size and not (np.isfinite(pixels.min()) and np.isfinite(pixels.max())):
            pixels = pixels[np.isfinite(pixels)]
        values.append(pixels)
    return values


def _beyond_range_problem(image: XrayImage, others: tuple[XrayImage, ...]) -> str | None:
    """Say where a compared image's values lie beyond an integer reference's range, or None.

    Floating-point references have no range of their own beyond their values: a noisy
    test image always reaches past a clean one's minimum and maximum.
    """
    if image.mapping.is_float or not others:
        return None
    mapping = image.mapping
    bits = data_bits(image)
    stored = [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] if mapping.signed else [0, 2**bits - 1]
    ends = mapping.to_pixels(np.array(stored))
    low, high = float(ends.min()), float(ends.max())
    beyond = [
        (float(v.min()), float(v.max()))
        for v in _compared_values(image, others)
        if v.size and (v.min() < low or v.max() > high)
    ]
    if not beyond:
        return None
    least, most = min(e[0] for e in beyond), max(e[1] for e in beyond)
    return (
        f"a compared image's values, {least:g} to {most:g}, reach beyond the data range's "
        f"{low:g} to {high:g}: PSNR and SSIM measure them against too small a range"
    )


def given_range_problem(data_range: float, reference: XrayImage, *others: XrayImage) -> str | None:
    """Say where a data range given for the metrics is smaller than the data, or None.

    ``xray-denoise metrics --data-range 255`` on 12-bit data scores every error against
    a sixteenth of the range the values span: PSNR 24 dB low.

    Parameters
    ----------
    data_range : float
        The range given.
    reference : XrayImage
        The reference compared with.
    *others : XrayImage
        The images compared with it (its padding left out of them).

    Returns
    -------
    str or None
        One line (no capital, no full stop) where `data_range` is below the largest
        value of the images compared, or below the span of the reference's 1st to 99th
        percentile; None otherwise.
    """
    padding = reference.padding
    own = reference.pixels if padding is None else reference.pixels[~padding.mask]
    values = [v for v in (own, *_compared_values(reference, others)) if v.size]
    if not values:
        return None
    largest = max(float(v.max()) for v in values)
    if data_range < largest:
        return (
            f"the data range given, {data_range:g}, is below the largest value compared, "
            f"{largest:g}: PSNR and SSIM are measured against too small a range"
        )
    if own.size:
        low, high = np.percentile(own, (1.0, 99.0))
        if data_range < high - low:
            return (
                f"the data range given, {data_range:g}, is below the span of the reference's "
                f"1st to 99th percentile, {high - low:g}: PSNR and SSIM are measured against "
                "too small a range"
            )
    return None


def _pixels_needing_the_top_bit(pixels: np.ndarray, mapping: StoredMapping, bits: int) -> int:
    """Count the pixels whose stored values need the top one of ``bits`` bits.

    As :func:`_needs_top_bit` finds stored values, but comparing pixel values with
    those half-way between two stored values' (no map to stored values: 9 MP in 10 ms).
    """
    half = _top_bit_half(bits, mapping.signed)
    ends = [(half - 0.5, True)] + ([(-half - 0.5, False)] if mapping.signed else [])
    count = 0
    for stored, upward in ends:  # stored values above (or below) the stored end
        end = np.float64(stored * mapping.slope + mapping.intercept)
        above = upward == (mapping.slope > 0)  # a negative slope turns the order round
        count += int(np.count_nonzero(pixels > end if above else pixels < end))
    return count


def pixels_at_ends(
    image: XrayImage, values: ValueRange, *, source: XrayImage | None = None
) -> tuple[int, int]:
    """Count the pixels (not padding) at the low and the high end of a range of values.

    A simulation clips to its range (:meth:`core.noise.DetectorModel.values`), so
    in its output these are the pixels clipped at each end, with those that were
    there already unless `source` is given.

    Parameters
    ----------
    image : XrayImage
        An image, the output of a simulation say.
    values : ValueRange
        Its range of values (:func:`value_range` of the input).
    source : XrayImage, optional
        The image `image` was simulated from (same shape and padding): a pixel it
        already held at an end is not counted at that end, so that only the pixels
        the simulation clipped are.

    Returns
    -------
    tuple of int
        ``(at_low, at_high)``: pixels at or below ``values.low`` and at or above
        ``values.high`` (and not there in `source`).
    """
    kept = None if image.padding is None else ~image.padding.mask
    pixels = image.pixels if kept is None else image.pixels[kept]
    low, high = np.float32(values.low), np.float32(values.high)
    at_low, at_high = pixels <= low, pixels >= high
    if source is not None:
        before = source.pixels if kept is None else source.pixels[kept]
        at_low &= before > low
        at_high &= before < high
    return int(np.count_nonzero(at_low)), int(np.count_nonzero(at_high))


def describe_clipping(
    image: XrayImage, values: ValueRange, *, source: XrayImage | None = None
) -> str:
    """Say how many pixels a simulated image holds at each end of its range of values.

    Parameters
    ----------
    image : XrayImage
        The simulated image.
    values : ValueRange
        The range it was simulated over.
    source : XrayImage, optional
        The image it was simulated from: the pixels the simulation clipped are then
        counted apart from those already at an end in `source` (saturated, or the
        detector's floor: their quanta are censored there, and the simulation takes
        them as exactly the end's), which are named after them where there are any.

    Returns
    -------
    str
        For example ``"clipped at 0: 41234 pixels (7 %), at 4095: 12 (0.002 %)"``: shares
        to two significant digits, never with an exponent (:func:`_percent_text`); with
        `source`, for example ``"clipped at 0: 3096 pixels (1.2 %), at 4095: 0 (0 %);
        already at an end in the input, simulated as holding exactly that end's quanta:
        at 0: 23036 pixels (8.8 %), at 4095: 0 (0 %)"``.
    """
    total = max(image.pixels.size if image.padding is None else int(np.sum(~image.padding.mask)), 1)

    def ends(at_low: int, at_high: int) -> str:
        return (
            f"at {values.low:g}: {at_low} pixels ({_percent_text(at_low / total)} %), "
            f"at {values.high:g}: {at_high} ({_percent_text(at_high / total)} %)"
        )

    clipped = f"clipped {ends(*pixels_at_ends(image, values, source=source))}"
    already = (0, 0) if source is None else pixels_at_ends(source, values)
    if not any(already):
        return clipped
    return (
        f"{clipped}; already at an end in the input, simulated as holding exactly that "
        f"end's quanta: {ends(*already)}"
    )


def _percent_text(fraction: float) -> str:
    """Write a fraction as a percentage to two significant digits, never with an exponent.

    Parameters
    ----------
    fraction : float
        From 0 to 1.

    Returns
    -------
    str
        ``"100"`` for 1 (where ``.2g`` writes ``"1e+02"``), ``"7"``, ``"0.0012"``, ``"0"``.
    """
    return np.format_float_positional(100 * fraction, precision=2, fractional=False, trim="-")
