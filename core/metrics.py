"""Full-reference image quality: MSE, PSNR and SSIM, on a whole image or a region.

X-ray data has no natural range (12-bit DICOM, 16-bit PNG, floats), so every
function takes ``data_range`` explicitly; :func:`compare` records which range
it used. scikit-image does the arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace

import numpy as np
from scipy.ndimage import binary_erosion
from skimage.metrics import mean_squared_error, peak_signal_noise_ratio, structural_similarity

from core.image import XrayImage
from core.noise.correlation import MAX_BINNED_RATIO, WHITE_BINNED_RATIO, binned_noise_ratio
from core.noise.estimate import NoiseLevelFunction
from core.noise.image_noise import NoiseEstimate
from core.noise.value_range import NATIVE_BITS, data_bits, value_range

__all__ = [
    "CEILING_MARGIN_DB",
    "MIN_NOISE_BLOCKS",
    "SPREAD_PERCENTILES",
    "SPREAD_RATIO",
    "SSIM_MIN_SIDE",
    "SSIM_SIGMA",
    "STRUCTURE_RMS_RATIO",
    "QualityMetrics",
    "Region",
    "compare",
    "compare_keeping_small_region",
    "describe_scale",
    "finite_or_none",
    "format_mse",
    "format_psnr",
    "format_ssim",
    "mse",
    "noise_floor_exceeded",
    "noise_floor_problem",
    "noise_free_psnr",
    "noise_structure_problem",
    "padding_only_problem",
    "psnr",
    "reference_noise_problem",
    "scale_mismatch",
    "spread",
    "ssim",
    "ssim_size_problem",
]

#: Standard deviation of SSIM's Gaussian window, in pixels (Wang et al. 2004).
SSIM_SIGMA = 1.5
#: Smallest side, in pixels, of an image or region SSIM can be computed on: its window,
#: 11 x 11 (the Gaussian truncated at 3.5 sigma by scikit-image, as in Wang et al. 2004).
SSIM_MIN_SIDE = 2 * int(3.5 * SSIM_SIGMA + 0.5) + 1
#: Smooth 3 x 3 blocks a reference's noise estimate must rest on for :func:`noise_free_psnr`
#: to be given (:func:`noise_floor_problem`). Measured on chest phantoms of 20,000 quanta
#: (6 seeds, square anatomies of 20 to 256 pixels inside padding, 3 places each), the
#: figure missed what the noise-free image scores by 0.46 dB rms (1.7 dB at most) on 300
#: blocks or more, by 1.2 dB rms (3.3 dB at most) on 100 to 300, and by 3.1 dB rms (10 dB
#: at most) on fewer. A 26 x 26 anatomy rests on about 33 blocks: 3.6 dB off in review.
MIN_NOISE_BLOCKS = 300
#: Percentiles whose span is an image's spread of values, for :func:`scale_mismatch`.
SPREAD_PERCENTILES = (1.0, 99.0)
#: Spreads of values differing by more than this factor are on different scales: a
#: simulated dose or a denoised image spreads its reference's values by a few per cent.
SPREAD_RATIO = 2.0
#: A compared image scoring this many dB above :func:`noise_free_psnr` shows the figure
#: wrong (:func:`noise_floor_exceeded`): a result may beat it by keeping a little of the
#: reference's noise, a fraction of a dB on chest phantoms, not by several dB.
CEILING_MARGIN_DB = 3.0
#: The reference's rms noise by intensity over the image, more than this many times its
#: global estimate, is one condition for taking its "noise" as structure
#: (:func:`noise_structure_problem`). On noisy chest phantoms of 128 to 512 pixels the
#: ratio runs from 0.8 to 3.8 (the noise grows with attenuation), so it is no test alone;
#: on their noise-free originals, 1.4 to 24.
STRUCTURE_RMS_RATIO = 2.0


def format_mse(value: float | None) -> str:
    """Format an MSE for display, as the panel, the PDF report and the CLI show it.

    Four significant digits (``.4g``), from 10,000 up without an exponent: ``"19440"``,
    not ``"1.944e+04"``, which reads badly beside the other rows (and no digit grouping,
    so that a script reading the command's text still reads a number).
    Rounded to four significant digits before the format is chosen: 9999.6 is
    ``"10000"``, not ``"1e+04"``. ``"-"`` where it is unknown (NaN or None: a region of
    padding only).
    """
    if value is None or math.isnan(value):
        return "-"
    rounded = float(f"{value:.4g}")
    if math.isfinite(rounded) and 1e4 <= abs(rounded) < 1e15:
        return f"{rounded:.0f}"
    return f"{value:.4g}"


def format_psnr(value: float | None) -> str:
    """Format a PSNR in dB for display (``.2f``); ``"inf"`` if identical, ``"-"`` if unknown."""
    if value is None or math.isnan(value):
        return "-"
    return f"{value:.2f}" if math.isfinite(value) else "inf"


def format_ssim(value: float | None) -> str:
    """Format an SSIM for display (``.4f``); ``"-"`` when it is unknown (NaN or None)."""
    return "-" if value is None or math.isnan(value) else f"{value:.4f}"


def _scale(image: XrayImage) -> tuple[bool, int | None, bool, float, float, str]:
    """Return what sets the scale of an image's values, as :func:`describe_scale` names it.

    The bits are those of the data (:func:`core.noise.value_range.data_bits`), as
    :func:`core.noise.value_range.metric_range` measures against: 12-bit data in a
    16-bit PNG are on the scale of a 12-bit DICOM.
    """
    mapping = image.mapping
    bits = None if mapping.is_float else data_bits(image)
    return (
        mapping.is_float,
        bits,
        mapping.signed,
        mapping.slope,
        mapping.intercept,
        image.photometric,
    )


def describe_scale(image: XrayImage) -> str:
    """Name the scale of an image's values, e.g. ``"12-bit stored values, MONOCHROME2"``.

    Parameters
    ----------
    image : XrayImage
        An image as read.

    Returns
    -------
    str
        The bits of its data (or floating point), with its container's where wider
        (``"12-bit stored values in 16 bits"``: :func:`core.noise.value_range.data_bits`),
        sign, rescale and photometric interpretation: two images whose descriptions
        differ hold values that are not on one scale.
    """
    is_float, bits, signed, slope, intercept, photometric = _scale(image)
    if is_float:
        values = "floating-point values"
    else:
        values = f"{bits}-bit{' signed' if signed else ''} stored values"
        container = image.mapping.bits_stored
        if container > NATIVE_BITS and bits != container:
            values += f" in {container} bits"
        if (slope, intercept) != (1.0, 0.0):
            values += f" x {slope:g} + {intercept:g}"
    return f"{values}, {photometric}"


def spread(image: XrayImage) -> tuple[float, float]:
    """Return an image's values at its :data:`SPREAD_PERCENTILES`.

    Parameters
    ----------
    image : XrayImage
        An image; its padding (DICOM PixelPaddingValue) is left out.

    Returns
    -------
    tuple of float
        The 1st and the 99th percentile of its pixels that are not padding; ``(nan,
        nan)`` where all are padding.
    """
    pixels = image.pixels if image.padding is None else image.pixels[~image.padding.mask]
    if pixels.size == 0:
        return math.nan, math.nan
    low, high = np.percentile(pixels, SPREAD_PERCENTILES)
    return float(low), float(high)


def _spread_mismatch(reference: XrayImage, test: XrayImage) -> str | None:
    """Say where the test image's spread of values differs from its reference's by over 2x."""
    (low, high), (their_low, their_high) = spread(test), spread(reference)
    ours, theirs = high - low, their_high - their_low
    if not (ours > 0 and theirs > 0):  # a constant image, or one all padding: no scale
        return None
    ratio = ours / theirs
    if 1 / SPREAD_RATIO <= ratio <= SPREAD_RATIO:
        return None
    times = max(ratio, 1 / ratio)
    times_text = f"{times:.3g}" if times < 1000 else f"{times:.0f}"  # 65520, not 6.55e+04
    factor = f"{times_text} times {'as wide' if ratio > 1 else 'narrower'}"
    return (
        f"1st-99th percentiles {low:.5g} to {high:.5g} against {their_low:.5g} to "
        f"{their_high:.5g}, {factor}"
    )


def _values_decide(reference: XrayImage, test: XrayImage) -> bool:
    """Say whether two images' scales may differ only as their values do.

    The bits of data in a container of over :data:`NATIVE_BITS` follow the largest value
    (4100 makes 12-bit data 13-bit), and floating-point data have none: a simulated dose
    written as floats is on its integer input's scale. The photometric interpretation,
    and the sign and rescale of integer data, are declared: they differ whatever the values.
    """
    ours, theirs = test.mapping, reference.mapping
    if test.photometric != reference.photometric:
        return False
    if ours.is_float or theirs.is_float:
        return True
    return (ours.signed, ours.slope, ours.intercept) == (
        theirs.signed,
        theirs.slope,
        theirs.intercept,
    )


def _within_range(reference: XrayImage, test: XrayImage) -> bool:
    """Say whether the test image's :func:`spread` lies within the reference's values.

    Those of the reference's data bits (:func:`core.noise.value_range.value_range`, which
    PSNR and SSIM measure against), or its floating-point
    :attr:`~core.image.XrayImage.data_interval`.
    """
    if reference.mapping.is_float:
        low, high = reference.data_interval
    else:
        values = value_range(reference)
        low, high = values.low, values.high
    ours_low, ours_high = spread(test)
    return low <= ours_low and ours_high <= high


def scale_mismatch(reference: XrayImage, test: XrayImage) -> str | None:
    """Say that a test image's values are on another scale than its reference's, or None.

    MSE, PSNR and SSIM compare pixel values as they are: a 16-bit PNG against an
    8-bit one, or a 12-bit DICOM against an 8-bit export of it, scores as if every
    pixel were wrong. The metrics are still computed; this is the warning to give
    with them. Two images are on different scales where the spans of their values
    between the 1st and the 99th percentile (:func:`spread`) differ by more than
    :data:`SPREAD_RATIO` times (an 8-bit export of 12-bit data, or two floating-point
    images, of 0-1 and of 0-4095, say), or where :func:`describe_scale` tells them
    apart by what is declared (photometric interpretation; sign and rescale of integer
    data). Where it tells them apart only by what follows the values (the bits of data
    in a wide container, which its largest value sets, or floating point against
    integers), the values decide: the test image is on the reference's scale where its
    spread agrees and lies within the reference's range of values, as a denoised
    image's or a simulated dose's does (12-bit data whose maximum is 4100 and the same
    data clipped at 4095; 12-bit data and a dose of them simulated as floats).

    Parameters
    ----------
    reference, test : XrayImage
        The images compared.

    Returns
    -------
    str or None
        One line (no capital, no full stop) about the test image, e.g. ``"its values
        are on another scale than the reference's (16-bit stored values, MONOCHROME2
        against 12-bit stored values in 16 bits, MONOCHROME2); they are compared as
        they are"``, where the scales differ, else for example ``"... (1st-99th
        percentiles 0 to 0.98 against 12 to 3990, 4070 times narrower); ..."`` where
        the spreads do; None when both are on one scale.
    """
    reason = _spread_mismatch(reference, test)
    if _scale(reference) != _scale(test) and not (
        reason is None and _values_decide(reference, test) and _within_range(reference, test)
    ):
        reason = f"{describe_scale(test)} against {describe_scale(reference)}"
    if reason is None:
        return None
    return (
        f"its values are on another scale than the reference's ({reason}); they are "
        "compared as they are"
    )


def finite_or_none(value: float | None) -> float | None:
    """Return ``value``, or None where it is infinite, NaN or unknown: JSON has no infinity.

    Parameters
    ----------
    value : float or None
        A metric such as a PSNR, which is infinite for identical images.

    Returns
    -------
    float or None
    """
    return value if value is not None and math.isfinite(value) else None


@dataclass(frozen=True)
class Region:
    """A rectangular region of interest, in pixel indices (half-open).

    Parameters
    ----------
    row, col : int
        Top-left corner.
    height, width : int
        Size in pixels; both positive.
    """

    row: int
    col: int
    height: int
    width: int

    def __post_init__(self) -> None:
        if self.row < 0 or self.col < 0 or self.height <= 0 or self.width <= 0:
            raise ValueError(
                f"region {self.as_text()} is invalid: the corner must be >= 0 and the size positive"
            )

    @classmethod
    def parse(cls, text: str) -> Region:
        """Read a region written as ``ROW,COL,HEIGHT,WIDTH``.

        Parameters
        ----------
        text : str
            Four comma-separated integers.

        Returns
        -------
        Region
        """
        parts = text.split(",")
        try:
            values = [int(p) for p in parts]
        except ValueError:
            values = []
        if len(values) != 4:
            raise ValueError(f"region {text!r} must be four integers ROW,COL,HEIGHT,WIDTH")
        return cls(*values)

    def as_text(self) -> str:
        """Return the region as ``ROW,COL,HEIGHT,WIDTH``."""
        return f"{self.row},{self.col},{self.height},{self.width}"

    def crop(self, image: np.ndarray) -> np.ndarray:
        """Return the part of ``image`` inside the region.

        Raises
        ------
        ValueError
            If the region does not lie wholly inside the image.
        """
        rows, cols = image.shape[:2]
        if self.row + self.height > rows or self.col + self.width > cols:
            raise ValueError(
                f"region {self.as_text()} does not fit in an image of {rows} x {cols} pixels"
            )
        return image[self.row : self.row + self.height, self.col : self.col + self.width]


@dataclass(frozen=True)
class QualityMetrics:
    """MSE, PSNR and SSIM of a test image against a reference.

    ``psnr`` is ``inf`` when the images are identical. ``ssim`` is NaN when the
    image is too small for SSIM's window (:func:`ssim_size_problem`) or has no
    window clear of padding, and ``ssim_problem`` then says why in one line; it is
    None otherwise. ``excluded`` counts
    the pixels left out as padding. ``problem`` says why all three are unknown (NaN),
    as for a region of padding only (:meth:`unknown`); None otherwise.
    """

    mse: float
    psnr: float
    ssim: float
    data_range: float
    region: Region | None = None
    ssim_problem: str | None = None
    excluded: int = 0
    problem: str | None = None

    @classmethod
    def unknown(
        cls, problem: str, *, data_range: float, region: Region | None = None, excluded: int = 0
    ) -> QualityMetrics:
        """Metrics that cannot be computed: MSE, PSNR and SSIM NaN, and why.

        Parameters
        ----------
        problem : str
            Why, in one line (:func:`padding_only_problem`); also the ``ssim_problem``.
        data_range : float
            The data range the metrics would have had.
        region : Region, optional
            The region they are of.
        excluded : int
            Pixels left out as padding.

        Returns
        -------
        QualityMetrics
        """
        nan = math.nan
        return cls(nan, nan, nan, float(data_range), region, problem, excluded, problem)

    def to_dict(self) -> dict[str, float | str | bool | None]:
        """Plain values for JSON and CSV; an infinite PSNR and a missing SSIM become ``None``.

        JSON has no infinity, so ``psnr_infinite`` says which ``None`` PSNR means
        identical images (True) rather than unknown.
        """
        values = asdict(self)
        values["mse"] = None if math.isnan(self.mse) else self.mse
        values["psnr"] = finite_or_none(self.psnr)
        values["psnr_infinite"] = math.isinf(self.psnr) and self.psnr > 0
        values["ssim"] = finite_or_none(self.ssim)
        values["region"] = self.region.as_text() if self.region else None
        return values


def _check_pair(reference: np.ndarray, test: np.ndarray, data_range: float) -> None:
    if reference.shape != test.shape:
        raise ValueError(
            f"images differ in size: reference {reference.shape}, test {test.shape}; "
            "compare images of the same size"
        )
    if reference.ndim != 2:
        raise ValueError(f"expected 2-D grayscale images, got shape {reference.shape}")
    if not (data_range > 0 and math.isfinite(data_range)):
        raise ValueError(f"the data range must be a positive number, got {data_range:g}")
    if not 0 < data_range * data_range < math.inf:  # PSNR divides its square
        raise ValueError(
            f"the data range {data_range:g} is out of reach: its square is not a usable "
            "number (give one between 1e-150 and 1e150)"
        )


def ssim_size_problem(shape: tuple[int, ...], *, what: str = "the image") -> str | None:
    """Say why SSIM cannot be computed on an image of this size, or return None if it can.

    Parameters
    ----------
    shape : tuple of int
        ``(rows, cols)``.
    what : str
        What has that size, for the message (e.g. ``"the region 0,0,5,5"``).

    Returns
    -------
    str or None
        One line, e.g. ``"SSIM needs at least 11 x 11 pixels; the image is 10 x 10"``
        (width x height), or None when both sides are at least :data:`SSIM_MIN_SIDE`.
    """
    rows, cols = shape[:2]
    if min(rows, cols) >= SSIM_MIN_SIDE:
        return None
    side = SSIM_MIN_SIDE
    return f"SSIM needs at least {side} x {side} pixels; {what} is {cols} x {rows}"


def padding_only_problem(exclude: np.ndarray | None, *, region: Region | None = None) -> str | None:
    """Say that an image or a region holds only padding, so nothing is compared, or None.

    Parameters
    ----------
    exclude : ndarray of bool or None
        True where a pixel is padding (:attr:`core.image.XrayImage.padding_mask`).
    region : Region, optional
        The region compared (inside the image); by default the whole image.

    Returns
    -------
    str or None
        One line naming what holds only padding (``"the region 10,0,5,5 holds only
        padding: nothing to compare"``), or None where a pixel is left to compare.
    """
    if exclude is None:
        return None
    kept = ~np.asarray(exclude if region is None else region.crop(exclude), dtype=bool)
    if kept.any():
        return None
    where = "the image" if region is None else f"the region {region.as_text()}"
    return f"{where} holds only padding: nothing to compare"


def mse(reference: np.ndarray, test: np.ndarray) -> float:
    """Mean squared error, accumulated in float64.

    Parameters
    ----------
    reference, test : ndarray
        2-D images of the same shape.

    Returns
    -------
    float
    """
    _check_pair(reference, test, 1.0)
    return float(mean_squared_error(reference.astype(np.float64), test.astype(np.float64)))


def psnr(reference: np.ndarray, test: np.ndarray, *, data_range: float) -> float:
    """Peak signal-to-noise ratio in dB, ``10 log10(data_range**2 / MSE)``.

    Parameters
    ----------
    reference, test : ndarray
        2-D images of the same shape.
    data_range : float
        Span of possible values (e.g. 4095 for 12-bit data).

    Returns
    -------
    float
        ``inf`` for identical images.
    """
    _check_pair(reference, test, data_range)
    if np.array_equal(reference, test):
        return math.inf
    return float(
        peak_signal_noise_ratio(
            reference.astype(np.float64), test.astype(np.float64), data_range=data_range
        )
    )


def ssim(reference: np.ndarray, test: np.ndarray, *, data_range: float) -> float:
    """Mean structural similarity index with the settings of Wang et al. [1]_.

    Gaussian weighting with sigma 1.5, population covariances, K1 = 0.01, K2 = 0.03.
    The Gaussian window spans 11 x 11 pixels (:data:`SSIM_MIN_SIDE`), and smaller
    images are refused, as scikit-image refuses them: a smaller window would give a
    different index, not comparable with SSIM values computed with the standard one.

    Parameters
    ----------
    reference, test : ndarray
        2-D images of the same shape, each side at least :data:`SSIM_MIN_SIDE` pixels.
    data_range : float
        Span of possible values.

    Returns
    -------
    float
        In [-1, 1]; 1 for identical images.

    Raises
    ------
    ValueError
        If a side is shorter than :data:`SSIM_MIN_SIDE` (:func:`ssim_size_problem`).

    References
    ----------
    .. [1] Z. Wang, A. C. Bovik, H. R. Sheikh and E. P. Simoncelli, "Image quality
       assessment: from error visibility to structural similarity", IEEE Transactions
       on Image Processing 13(4), 600-612, 2004.
    """
    _check_pair(reference, test, data_range)
    problem = ssim_size_problem(reference.shape)
    if problem is not None:
        raise ValueError(problem)
    return float(np.mean(_ssim_map(reference, test, data_range)[_interior(reference.shape)]))


def compare(
    reference: np.ndarray,
    test: np.ndarray,
    *,
    data_range: float,
    region: Region | None = None,
    exclude: np.ndarray | None = None,
) -> QualityMetrics:
    """MSE, PSNR and SSIM of ``test`` against ``reference``.

    Parameters
    ----------
    reference, test : ndarray
        2-D images of the same shape.
    data_range : float
        Span of possible values; recorded in the result.
    region : Region, optional
        Restrict all three metrics to this rectangle (SSIM is computed on the
        cropped images, so its window never reaches outside the region).
    exclude : ndarray of bool, optional
        True where a pixel is left out (padding, ``XrayImage.padding_mask``): MSE
        and PSNR are over the other pixels; SSIM is the mean of its map over the kept
        pixels whose whole 11 x 11 window is kept (see :func:`_masked_ssim`), as the
        image's border is left out where the window does not fit.

    Returns
    -------
    QualityMetrics
        On an image too small for SSIM (a side under :data:`SSIM_MIN_SIDE`), or one
        with no 11 x 11 window clear of padding, MSE and PSNR with ``ssim`` NaN and
        ``ssim_problem`` saying why.

    Raises
    ------
    ValueError
        If the images differ in shape, the data range is not positive, `region`
        does not fit in the image or is too small for SSIM (choose a larger one),
        `exclude` has another shape, or it leaves no pixel (of the image or the region:
        :func:`padding_only_problem` names which).
    """
    _check_pair(reference, test, data_range)
    if exclude is not None and np.shape(exclude) != reference.shape:
        raise ValueError(f"exclude has shape {np.shape(exclude)}, the images {reference.shape}")
    nothing = padding_only_problem(exclude, region=region)  # a region that does not fit raises
    if nothing is not None:
        raise ValueError(nothing)
    if region is not None:
        reference, test = region.crop(reference), region.crop(test)
        exclude = None if exclude is None else region.crop(exclude)
        problem = ssim_size_problem(reference.shape, what=f"the region {region.as_text()}")
        if problem is not None:
            raise ValueError(f"{problem}; choose a larger region")
    problem = ssim_size_problem(reference.shape)
    if exclude is None or not np.any(exclude):
        return QualityMetrics(
            mse=mse(reference, test),
            psnr=psnr(reference, test, data_range=data_range),
            ssim=math.nan if problem else ssim(reference, test, data_range=data_range),
            data_range=float(data_range),
            region=region,
            ssim_problem=problem,
        )
    kept = ~np.asarray(exclude, dtype=bool)
    error = float(np.mean((reference[kept].astype(np.float64) - test[kept]) ** 2))
    similarity = math.nan if problem else _masked_ssim(reference, test, data_range, kept)
    if problem is None and math.isnan(similarity):
        where = "the region" if region is not None else "the image"
        problem = (
            f"SSIM needs an {SSIM_MIN_SIDE} x {SSIM_MIN_SIDE} window clear of padding; "
            f"{where} has none"
        )
    return QualityMetrics(
        mse=error,
        psnr=math.inf if error == 0 else 10 * math.log10(data_range**2 / error),
        ssim=similarity,
        data_range=float(data_range),
        region=region,
        ssim_problem=problem,
        excluded=int(np.count_nonzero(~kept)),
    )


def compare_keeping_small_region(
    reference: np.ndarray,
    test: np.ndarray,
    *,
    data_range: float,
    region: Region | None = None,
    exclude: np.ndarray | None = None,
) -> QualityMetrics:
    """:func:`compare`, a region too small for SSIM kept: its MSE and PSNR, SSIM unknown.

    :func:`compare` refuses a region under :data:`SSIM_MIN_SIDE` pixels a side; here its
    MSE and PSNR are given, SSIM as NaN with the reason in ``ssim_problem``, as the GUI
    shows a rectangle drawn on screen and the CLI's ``metrics --region`` reports one.
    The parameters are :func:`compare`'s.

    Returns
    -------
    QualityMetrics
    """
    if region is None or ssim_size_problem((region.height, region.width)) is None:
        return compare(reference, test, data_range=data_range, region=region, exclude=exclude)
    if exclude is not None and np.shape(exclude) == reference.shape:  # else compare says so
        nothing = padding_only_problem(exclude, region=region)
        if nothing is not None:  # named as the region, not as the crop compared
            raise ValueError(nothing)
    metrics = compare(
        region.crop(reference),
        region.crop(test),
        data_range=data_range,
        exclude=None if exclude is None else region.crop(exclude),
    )
    problem = ssim_size_problem(
        (region.height, region.width), what=f"the region {region.as_text()}"
    )
    return replace(metrics, region=region, ssim_problem=problem)


def _masked_ssim(
    reference: np.ndarray, test: np.ndarray, data_range: float, kept: np.ndarray
) -> float:
    """Return the mean SSIM over the kept pixels whose whole window is kept (NaN if none).

    A window that reaches into the padding sees there the same values in both images
    (padding is written alike in each): an identical step that inflates SSIM there
    (0.931 against 0.910 on a 64 x 64 anatomy inside 16 pixels of padding). Only
    pixels whose 11 x 11 window (:data:`SSIM_MIN_SIDE`) is wholly kept are averaged:
    the kept mask eroded by 5 pixels, as scikit-image leaves out the image's border
    where the window does not fit.
    """
    window = np.ones((SSIM_MIN_SIDE, SSIM_MIN_SIDE), bool)
    clear = binary_erosion(kept, structure=window, border_value=1)
    counted = clear & _interior(reference.shape)
    if not counted.any():
        return math.nan
    return float(np.mean(_ssim_map(reference, test, data_range)[counted]))


def _interior(shape: tuple[int, ...]) -> np.ndarray:
    """Return a mask of the pixels whose SSIM window fits (scikit-image averages those)."""
    border = SSIM_MIN_SIDE // 2
    inside = np.zeros(shape, bool)
    inside[border:-border, border:-border] = True
    return inside


def _ssim_map(reference: np.ndarray, test: np.ndarray, data_range: float) -> np.ndarray:
    """Return the per-pixel SSIM map (Gaussian window, sigma 1.5, population covariances)."""
    _, full = structural_similarity(
        reference.astype(np.float64),
        test.astype(np.float64),
        data_range=data_range,
        gaussian_weights=True,
        sigma=SSIM_SIGMA,
        use_sample_covariance=False,
        full=True,
    )
    return full


def noise_free_psnr(
    reference: np.ndarray,
    sigma_at: Callable[[np.ndarray], np.ndarray],
    *,
    data_range: float,
    region: Region | None = None,
    exclude: np.ndarray | None = None,
) -> float:
    """PSNR in dB that the noise-free image would score against a noisy reference.

    A reference with noise of its own (any real radiograph) limits what PSNR against it
    can show: even the noise-free image differs from it by that noise, an expected MSE
    of ``mean(sigma(p)**2)`` over its pixels ``p``. A result scoring about this much is
    as close to the reference as the noise-free image; PSNR cannot tell how much closer
    to the truth it is (it may score a little more by keeping some of the reference's
    noise). Pixels at the reference's lowest or highest value count as clipped,
    without noise.

    Parameters
    ----------
    reference : ndarray
        2-D reference image.
    sigma_at : callable
        Noise std of the reference at given intensities, e.g.
        :meth:`core.noise.NoiseEstimate.sigma_at` of an estimate made on it.
    data_range : float
        Span of possible values, as for :func:`psnr`.
    region : Region, optional
        Average over this rectangle only.
    exclude : ndarray of bool, optional
        True where a pixel is left out (padding), as for :func:`compare`.

    Returns
    -------
    float
        ``inf`` for a noise-free reference (or one of padding only).

    See Also
    --------
    noise_floor_problem : Whether the noise estimate rests on enough blocks for this
        figure to be given at all.
    """
    _check_pair(reference, reference, data_range)
    kept = np.ones(reference.shape, bool) if exclude is None else ~np.asarray(exclude, bool)
    low, high = reference.min(), reference.max()
    pixels = (reference if region is None else region.crop(reference)).astype(np.float64)
    kept = kept if region is None else region.crop(kept)
    clipped = (pixels == low) | (pixels == high)
    variance = np.where(clipped, 0.0, np.asarray(sigma_at(pixels), dtype=np.float64) ** 2)
    mean_variance = float(np.mean(variance[kept])) if kept.any() else 0.0
    if mean_variance == 0.0:
        return math.inf
    return 10.0 * math.log10(data_range**2 / mean_variance)


def noise_floor_problem(n_blocks: int) -> str | None:
    """Say why the noise-free image's PSNR against a reference is unknown, or return None.

    :func:`noise_free_psnr` is only as good as the estimate of the reference's noise,
    which rests on its smooth 3 x 3 blocks: on fewer than :data:`MIN_NOISE_BLOCKS`
    (a small anatomy inside padding, a small image) it can be several dB off, so it
    is not to be shown as a fact.

    Parameters
    ----------
    n_blocks : int
        Blocks behind the estimate (:attr:`core.noise.NoiseLevelFunction.n_blocks`).

    Returns
    -------
    str or None
        One line (no capital, no full stop), or None where the figure can be given.
    """
    if n_blocks >= MIN_NOISE_BLOCKS:
        return None
    return (
        f"the reference's noise was measured in only {n_blocks} smooth blocks of 3 x 3 "
        f"pixels ({MIN_NOISE_BLOCKS} are needed), too few to tell what the noise-free image "
        "would score against it"
    )


def noise_structure_problem(
    pixels: np.ndarray, nlf: NoiseLevelFunction, *, sigma: float, rms: float
) -> str | None:
    """Say why the reference's measured noise is mostly its structure, or return None.

    On a noise-free reference (a phantom, a simulation's clean input) the noise-level
    function measures edges and texture as noise, and :func:`noise_free_psnr` then
    states a ceiling that images beat by 10 dB and more. Taken as structure where both
    tests fail: the rms by intensity over the image is more than
    :data:`STRUCTURE_RMS_RATIO` times the global estimate, and averaging 2 x 2 pixels
    leaves more of it than :data:`~core.noise.correlation.MAX_BINNED_RATIO`, as
    ``xray-denoise info`` tells correlated noise
    (:func:`core.noise.correlation.binned_noise_ratio`). Either alone fails on noisy
    references: the first on
    phantoms of 1,000 to 20,000 quanta, whose noise grows with attenuation, the second
    on small ones, whose binned estimate scatters (1.0 on a 128 px phantom of 2,000).

    Parameters
    ----------
    pixels : ndarray
        The reference.
    nlf : NoiseLevelFunction
        Its noise-level function (:attr:`core.noise.NoiseEstimate.nlf`).
    sigma : float
        Its global noise estimate (:attr:`core.noise.NoiseEstimate.sigma`).
    rms : float
        Its rms noise by intensity over the image, which gives :func:`noise_free_psnr`.

    Returns
    -------
    str or None
        One line (no capital, no full stop), or None where the noise may be noise.
    """
    if not rms > STRUCTURE_RMS_RATIO * sigma:
        return None
    ratio = binned_noise_ratio(pixels, nlf)
    if ratio is None or ratio <= MAX_BINNED_RATIO:
        return None
    times = f"{rms / sigma:.2g} times" if sigma > 0 else "many times"
    return (
        "what was measured as the reference's noise looks like its structure (a noise-free "
        f"reference's edges, say): its rms by intensity, {rms:.4g}, is {times} its global "
        f"estimate, {sigma:.4g}, and averaging 2 x 2 pixels leaves {ratio:.2f} of it where "
        f"noise would leave {WHITE_BINNED_RATIO:g}"
    )


def noise_floor_exceeded(floor: float, scores: Iterable[float]) -> str | None:
    """Say why :func:`noise_free_psnr` is not to be given where images beat it, or None.

    No image should score much above what the noise-free image scores against the
    reference: one that does by more than :data:`CEILING_MARGIN_DB` shows that what
    was measured as the reference's noise is not (all) noise, the structure of a
    noise-free reference say, and the figure would mislead. An image made from the
    reference (a dose simulated from it) keeps its noise and may score far above the
    figure, which is then right: leave such images out of `scores` where that is known.

    Parameters
    ----------
    floor : float
        :func:`noise_free_psnr` over a scope.
    scores : iterable of float
        The PSNR of each image compared over that scope (an infinite one, of an image
        identical to the reference, or an unknown one, NaN, is left out).

    Returns
    -------
    str or None
        One line (no capital, no full stop), or None where no image beats it so.
    """
    best = max((s for s in scores if math.isfinite(s)), default=-math.inf)  # not identical
    if not best > floor + CEILING_MARGIN_DB:
        return None
    return (
        f"a compared image scores {format_psnr(best)} dB, more than {CEILING_MARGIN_DB:g} dB "
        f"above the {format_psnr(floor)} dB that the reference's measured noise gives: that "
        "noise is not all noise (the structure of a noise-free reference, say), or the image "
        "keeps it (one made from the reference)"
    )


def reference_noise_problem(
    pixels: np.ndarray, noise: NoiseEstimate, *, whole_psnr: float, data_range: float
) -> str | None:
    """Say why :func:`noise_free_psnr` is not to be given against a reference, or None.

    Its noise estimate rests on too few blocks (:func:`noise_floor_problem`), or what
    it measured is the reference's structure (:func:`noise_structure_problem`, on the
    rms over the whole image). A compared image beating the figure is told per scope,
    by :func:`noise_floor_exceeded`.

    Parameters
    ----------
    pixels : ndarray
        The reference.
    noise : NoiseEstimate
        Its noise estimate.
    whole_psnr : float
        :func:`noise_free_psnr` over the whole image (its padding left out), which the
        caller gives for the whole image too.
    data_range : float
        Span of possible values, as for :func:`noise_free_psnr`.

    Returns
    -------
    str or None
        One line (no capital, no full stop), or None where the figure can be given.
    """
    few = noise_floor_problem(noise.nlf.n_blocks)
    if few is not None:
        return few
    rms = 0.0 if math.isinf(whole_psnr) else data_range / 10 ** (whole_psnr / 20)
    return noise_structure_problem(pixels, noise.nlf, sigma=noise.sigma, rms=rms)
