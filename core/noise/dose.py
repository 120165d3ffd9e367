"""Physical low-dose simulation: thinning of detected X-ray quanta plus electronic noise.

The model
---------
A radiograph is stored log-like: a pixel value is linear in the line integral
(attenuation) ``L >= 0`` along the ray to that pixel,

    value = value_at_zero_attenuation + L * value_per_attenuation,

with a positive slope for MONOCHROME2 (bright = attenuating) and a negative one
for MONOCHROME1. At full dose the detector records, per pixel,

    M = Q + E,   Q ~ Poisson(lambda),   lambda = N0 * exp(-L),   E ~ N(0, s^2),

where ``N0`` is the number of detected quanta behind no attenuation and ``s`` the
electronic noise in quanta. At a fraction ``d`` of the dose the detector records
``M_d = Q_d + E_d`` with ``Q_d ~ Poisson(d * lambda)`` and ``E_d ~ N(0, s^2)``, and
the log stage gives ``L_d = -ln(max(M_d, floor) / (d * N0))``.

From a measured (noisy) full-dose image, :func:`simulate_counts` builds ``M_d`` as

    M_d = d * M + (B - d * n) + N(0, s^2 (1 - d^2)),   B ~ Binomial(n, d),
    n = round(max(M, 0)).

Binomial thinning of a Poisson(lambda) count with probability ``d`` gives exactly a
Poisson(d * lambda) count [2]_, and ``B - d * n`` is the thinning's own zero-mean
noise, added to the scaled measurement so that ``d = 1`` returns the input
exactly. The moments are right: ``E[M_d] = d * lambda`` and

    Var(M_d) = d^2 (lambda + s^2) + d (1 - d) lambda + s^2 (1 - d^2)
             = d * lambda + s^2.

The first term is the scaled full-dose noise (quantum and electronic), the second
the thinning noise, the third tops the electronic variance up from the ``d^2 s^2``
left after scaling to the ``s^2`` a real low-dose read-out has [1]_ [3]_. The
thinning variance uses the measured ``n`` in place of ``lambda``, which is unbiased
wherever ``lambda`` is large against ``s`` (``max(M, 0)`` overstates it slightly
below a few quanta, where the floor dominates anyway).

From a noise-free image (``input_is_noisy=False``) the counts are drawn directly,
``M_d = Poisson(d * lambda) + N(0, s^2)``.

By the delta method the line integral at dose ``d`` then has
``Var(L_d) ~ 1 / (d lambda) + s^2 / (d lambda)^2``, and pixel values have that
times ``value_per_attenuation^2``.

Defaults
--------
``DEFAULT_MAX_ATTENUATION = 7``: the stored range spans transmissions from 1
down to ``exp(-7) ~ 1e-3``, the three decades of a chest exposure.
``DEFAULT_PHOTONS_PER_PIXEL = 5e4`` and ``DEFAULT_ELECTRONIC_NOISE = 4`` quanta
rms suit images of about 512 pixels across a 43 cm field (0.8 mm pixels): on the
phantom (:mod:`core.noise.phantom`) about 10,000 quanta per pixel behind the lungs,
600 to 900 behind the heart and 350 behind the spine below it at full dose.
Quanta per pixel scale with pixel area, so for full-resolution images (0.15 to
0.2 mm pixels) divide ``N0`` by about 20 for the same exposure.

Measured on :func:`core.noise.phantom.phantom_image` (512 x 512, 12 bit, clean,
``input_is_noisy=False``, seeds 0 to 2; ``tests/noise/test_dose.py``), noisy
PSNR on a [0, 1] scale:

=====  =======
dose   PSNR dB
=====  =======
0.5    46.8
0.25   43.6
0.1    39.1
0.06   36.2
0.05   35.0
0.025  29.8
=====  =======

so doses 0.25, 0.06 and 0.025 give the benchmark's 43, 36 and 30 dB. At 25 %
dose the noise is plain in the mediastinum and abdomen and faint in the lungs.

References
----------
.. [1] L. Yu, M. Shiung, D. Jondal, C. H. McCollough, "Development and validation
   of a practical lower-dose-simulation tool for optimizing computed tomography
   scan protocols", J. Comput. Assist. Tomogr. 36(4), 477-487, 2012.
.. [2] J. F. C. Kingman, "Poisson Processes", Oxford University Press, 1993,
   Sec. 5.1 (thinning / colouring theorem).
.. [3] S. Zabic, Q. Wang, T. Morton, K. M. Brown, "A low dose simulation tool for
   CT systems with energy integrating detectors", Med. Phys. 40(3), 031102, 2013.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, Context, Decimal

import numpy as np
from scipy.special import ndtr

from core.image import XrayImage
from core.noise.correlation import correlation_problem
from core.noise.estimate import NoiseLevelFunction
from core.noise.image_noise import NoiseEstimate
from core.noise.logdetector import counts_interval, fit_log_detector
from core.noise.lossy import lossy_compression
from core.noise.stabilize import FLOAT32_MAX
from core.noise.value_range import ValueRange, describe_clipping, value_range

__all__ = [
    "DEFAULT_ELECTRONIC_NOISE",
    "DEFAULT_MAX_ATTENUATION",
    "DEFAULT_PHOTONS_PER_PIXEL",
    "MAX_ATTENUATION",
    "DetectorModel",
    "LowDoseSettings",
    "NoiseFreeInputError",
    "CompressedNoiseError",
    "simulate_counts",
    "simulate_low_dose",
    "simulate_low_dose_image",
    "describe_simulation",
]

DEFAULT_PHOTONS_PER_PIXEL = 50_000.0
"""Detected quanta per pixel behind no attenuation at full dose."""

MAX_PHOTONS_PER_PIXEL = 1e12
"""More quanta per pixel than any detector counts (and far below the int64 counts' limit)."""

MIN_DOSE = 1.0 / MAX_PHOTONS_PER_PIXEL
"""The smallest dose any simulation runs at, 1e-12 (a 1e-10 % dose; the dose dialog's limit).

:class:`LowDoseSettings` takes any dose in (0, 1], as ``xray-denoise simulate --dose``
does, but :func:`simulate_low_dose` refuses a dose that leaves under one quantum behind
no attenuation, and no detector has more than :data:`MAX_PHOTONS_PER_PIXEL`."""

DEFAULT_ELECTRONIC_NOISE = 4.0
"""Electronic (read-out) noise, standard deviation in detected quanta."""

MAX_ELECTRONIC_NOISE = 1000.0
"""The most electronic noise a simulation takes, in quanta rms (the dose dialog's limit).

A detector's read-out noise is a few quanta; 1000 is the Poisson noise of a million
quanta, more than all but the brightest pixels count. Far larger values overflow the
simulation's arithmetic (their square is beyond float64 from about 1e154)."""

DEFAULT_MAX_ATTENUATION = 7.0
"""Line integral mapped to the attenuating end of the stored range."""

MAX_ATTENUATION = 20.0
"""The largest attenuation span a simulation takes (a chest spans about 7).

A line integral of 20 lets ``exp(-20)``, 2e-9, of the quanta through: under one quantum
behind the ten million or so a pixel of any detector counts. A span measured from an
image's noise is at most 15 (:data:`core.noise.logdetector.PLAUSIBLE_ATTENUATION`)."""

PHOTOMETRICS = ("MONOCHROME1", "MONOCHROME2")

LOG_FLOAT_MAX = math.log(np.finfo(np.float64).max)
"""Largest natural logarithm whose exponential is a float64."""

MIN_MEASURED_SHARE = 0.1
"""Measuring the quanta needs the noise over at least this share of the value range."""

NOISE_FREE_STEPS = 0.5
"""An integer image whose noise std is under this many of its stored steps holds no noise
but rounding's (a step's 0.29): a rendered phantom, say, whose quanta cannot be measured."""
MIN_MEASURED_BLOCKS_PER_BIN = 1000
"""Measuring the quanta needs this many smooth 3 x 3 blocks in each noise-level bin.

The noise-level function gives its bins 1000 blocks each, fewer on an image under
about 380 x 380 pixels (:func:`core.noise.estimate.bin_count_for`), where the quanta
came out biased low. Phantoms at 1000 and 2000 quanta (electronic noise 4), with the
share of seeds whose one standard error held the truth: 256 px (about 500 blocks a
bin), 8 % and 17 % too few on average, held in 28 % and 0 % of 20 seeds; 384 px,
4 % and 3 % too few (7 % at worst), held in 8 of 16; 512 px, 2 % too few, held in
14 of 16 (at 20,000 quanta 2 % too many, held in 7 of 8).

The bias remains where bins hold 1000 blocks but are few (images of 380-450 px,
where texture and the 8-10 bins left tilt the fit): measured (before rounding was
taken out of the noise, which raises 12-bit quanta by under 0.2 %) on phantoms at
2000 quanta, 5 seeds each, the quanta came out 3.2 % (384 px), 3.0 % (400), 2.7 %
(448) too few on average, up to 6.8 %; at 512 px 1.0 % (20,000 quanta: 0.1 %), at
768 px 1.3 % and 2.2 %, at 1024 px 0.8 % and 1.5 %, each within about 1 % (one
standard error over the seeds). Raising this number does not help: the bins
are merged up to 1000 blocks at every size, so it would refuse all images or none;
refusing under 10 bins would refuse 512 px images at 20,000 quanta (8 bins), whose
bias is the smallest. So about -3 % is left on 380-450 px images."""

MIN_MEASURED_BINS = 7
"""Measuring the quanta needs the noise at this many intensities (noise-level bins) or more.

With fewer (a high dose or a small image, where texture exclusion leaves few smooth
blocks) the slope is poorly pinned down. Phantoms (3 seeds each) left 6 bins at
512 px and 50,000 quanta, and gave quanta 38 % too many or 9 % too few; 3 to 5 bins
at 512 px and 200,000 quanta, and 25 % too few or no fit; 7 bins at 768 px and
200,000 quanta, and up to 32 % too many; 8 or more bins, within 7 %."""


class NoiseFreeInputError(ValueError):
    """The image holds no noise beyond rounding: its quanta cannot be measured from it.

    Such an image (a rendered phantom) must not be thinned either: thinning at dose
    ``d`` adds only ``1 - d`` of the lower dose's noise. Its quanta must be entered
    and it must be simulated as noise-free (``input_is_noisy=False``).
    """


class CompressedNoiseError(ValueError):
    """Lossy compression took out the image's noise: its quanta cannot be measured from it.

    It is not noise-free (:class:`NoiseFreeInputError`): its quanta must be entered, and it
    is simulated as the noisy image it was.
    """


def _check_dose(dose: float) -> float:
    """Return ``dose`` as a float after checking it is in (0, 1].

    Parameters
    ----------
    dose : float
        Fraction of the full dose.

    Returns
    -------
    float
        The dose.

    Raises
    ------
    ValueError
        If the dose is not a finite number in (0, 1] (a string is refused, not read).
    """
    dose = _check_number("the dose", dose)
    if not (math.isfinite(dose) and 0.0 < dose <= 1.0):
        raise ValueError(
            f"the dose must be a fraction of the full dose in (0, 1], got {_exact(dose, 'g')}; "
            "25 % of the dose is 0.25"
        )
    return dose


def _exact(value: float, spec: str) -> str:
    """Format ``value`` with ``spec`` where that reads back as the same float, else by ``repr``."""
    text = format(value, spec)
    return text if float(text) == value else repr(float(value))


READABLE_DIGITS = 5
"""Significant digits of a setting a person reads (:meth:`LowDoseSettings.describe`)."""


def _readable(value: float, spec: str) -> str:
    """Format ``value`` with ``spec`` where that reads back as the same float, else rounded.

    Rounded to :data:`READABLE_DIGITS` significant digits, without an exponent from
    100,000 up: ``"1760.3"``, ``"2.2351"``, ``"123457"``.
    """
    text = format(value, spec)
    if float(text) == value:
        return text
    if abs(value) >= 10**READABLE_DIGITS:
        return f"{value:.0f}"
    return f"{value:.{READABLE_DIGITS}g}"


def _quanta(value: float) -> str:
    """Write quanta for a person: :func:`_readable`, thousands grouped (``"19,916"``).

    As the app's status bar and dose dialog group them: ``"1,760.3"``, ``"123,457"``,
    ``"1,000,000"`` and ``"100,000"`` for 99999.7 (not ``"1e+06"``, ``"1e+05"``).
    """
    text = _readable(value, ".0f")
    if "e" in text:  # rounded up to 10**READABLE_DIGITS ("1e+05"), or under 1e-4
        text = f"{float(text):f}".rstrip("0").rstrip(".")
    whole, point, decimals = text.partition(".")
    return f"{int(whole):,}{point}{decimals}"


def dose_percent(fraction: float, *, exact: bool, digits: int = READABLE_DIGITS) -> str:
    """Write a fraction of the dose in percent: ``"25"`` for 0.25, ``"1.23456789"``.

    Parameters
    ----------
    fraction : float
        The dose as a fraction of the full dose.
    exact : bool
        Every digit (records: descriptions, reports' settings), or rounded (labels and
        messages a person reads).
    digits : int
        Significant digits kept where not `exact`, at least 1.

    Returns
    -------
    str

    Notes
    -----
    The shortest text that reads back as `fraction` (``repr``), its decimal point moved
    two places, so that moving it back (the percent as ``--dose``: 1.23456789 % is
    ``--dose 0.0123456789``) gives the same float; ``0.0123456789 * 100`` would give
    1.2345678900000001. With ``exact=False``, rounded to `digits` significant digits
    (``"1.2346"`` with :data:`READABLE_DIGITS`). Never with an exponent.
    """
    percent = Decimal(repr(float(fraction))).scaleb(2)
    if not exact:
        percent = Decimal(format(percent, f".{digits}g"))
    return f"{percent.normalize():f}"


def dose_fraction(percent: Decimal | float) -> float:
    """Return the dose a percent stands for: ``0.007`` for 0.7, as ``--dose 0.007`` reads.

    Parameters
    ----------
    percent : Decimal or float
        The dose in percent of the full dose: the decimal typed (a dose field's text,
        ``Decimal("16.666666666666666")``), or a float, taken as the shortest text that
        reads back as it (``repr``).

    Returns
    -------
    float
        The percent's decimal point moved two places left, read as a float, as
        ``--dose`` reads the same digits: ``0.7 / 100`` would give
        0.006999999999999999, a dose the command line is never given. Given the text
        of :func:`dose_percent` with ``exact=True`` as a Decimal, it gives back that
        dose exactly, for every float dose. A float percent cannot always hold that
        text (16.666666666666666 reads as the float 16.666666666666664), so the text
        read as a float may give a dose one bit off.
    """
    exact = percent if isinstance(percent, Decimal) else Decimal(repr(float(percent)))
    digits = len(exact.as_tuple().digits)  # enough: scaleb rounds to the context's precision
    return float(exact.scaleb(-2, Context(prec=max(digits, 1))))


def leaves_a_quantum(dose: float, photons_per_pixel: float) -> bool:
    """Whether a dose leaves at least one quantum behind no attenuation (else nothing to image).

    Parameters
    ----------
    dose : float
        Fraction of the full dose.
    photons_per_pixel : float
        Detected quanta per pixel behind no attenuation at full dose.

    Returns
    -------
    bool
        ``dose * photons_per_pixel >= 1``: the doses :func:`simulate_low_dose` takes.
    """
    return dose * photons_per_pixel >= 1


def smallest_dose_percent(photons_per_pixel: float, digits: int = READABLE_DIGITS) -> Decimal:
    """Return the smallest dose, in percent, that leaves one quantum behind no attenuation.

    :func:`simulate_low_dose` takes only a dose that :func:`leaves_a_quantum`.

    Parameters
    ----------
    photons_per_pixel : float
        Detected quanta per pixel behind no attenuation at full dose, positive.
    digits : int
        Significant digits of the percent, at least 1.

    Returns
    -------
    Decimal
        The percent rounded up to `digits` significant digits, so that
        ``dose_fraction(percent)`` is a dose :func:`simulate_low_dose` takes:
        ``Decimal("0.002")`` for 50,000 quanta, ``Decimal("0.0050253")`` for 19,899.39
        (written without an exponent by ``format(percent, "f")``).
    """
    percent = Decimal(100) / Decimal(photons_per_pixel)
    step = Decimal(1).scaleb(percent.adjusted() - (digits - 1))
    percent = percent.quantize(step, rounding=ROUND_CEILING)
    while not leaves_a_quantum(dose_fraction(percent), photons_per_pixel):  # rounded down
        percent += step
    return percent.normalize()


def dose_operation(fraction: float, limit: int, *, denoised: bool = False) -> str:
    """Name a simulated dose in a few words, for a derived DICOM's SeriesDescription.

    Parameters
    ----------
    fraction : float
        The dose as a fraction of the full dose.
    limit : int
        Most characters (:data:`core.io.dicom_write.OPERATION_MAX`).
    denoised : bool
        Whether the simulation was denoised.

    Returns
    -------
    str
        ``"simulated 12.345 % dose"`` or ``"simulated 12.3 % dose, denoised"``: the dose
        rounded as a label is (:func:`dose_percent`), or to fewer significant digits
        where that would not fit in `limit` (the exact dose is recorded beside it).
    """
    done = ", denoised" if denoised else ""
    for digits in range(READABLE_DIGITS, 0, -1):
        text = f"simulated {dose_percent(fraction, exact=False, digits=digits)} % dose{done}"
        if len(text) <= limit:
            break
    return text


#: Words for the settings a user sets (CLI options, dialog fields), in messages.
_SETTING_NAMES = {
    "photons_per_pixel": "the quanta per pixel",
    "electronic_noise": "the electronic noise",
    "max_attenuation": "the maximum attenuation",
}


def _check_number(name: str, value: float) -> float:
    """Return ``value`` as a float, as ``float()`` reads a number.

    Anything ``float()`` takes as a single number is taken (an int, a NumPy number or
    0-d array, a ``Fraction``, a ``Decimal``, a one-element tensor); a string or bytes
    (which ``float()`` would parse), a bool, a complex number, an array of more than
    0 dimensions and whatever ``float()`` refuses are not.
    """
    kind = getattr(getattr(value, "dtype", None), "kind", "")  # NumPy's: "U" for str, ...
    if (
        isinstance(value, str | bytes | bool | complex)
        or kind in ("U", "S", "b", "c")
        or np.ndim(value) != 0
    ):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None


def _check_positive(name: str, value: float) -> float:
    name = _SETTING_NAMES.get(name, name)
    value = _check_number(name, value)
    if not (math.isfinite(value) and value > 0.0):
        raise ValueError(f"{name} must be a finite number > 0, got {value:g}")
    return value


def _check_non_negative(name: str, value: float) -> float:
    name = _SETTING_NAMES.get(name, name)
    value = _check_number(name, value)
    if not (math.isfinite(value) and value >= 0.0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value:g}")
    return value


def _check_electronic_noise(name: str, value: float) -> float:
    """Return the electronic noise as a float: >= 0 and at most :data:`MAX_ELECTRONIC_NOISE`."""
    value = _check_non_negative(name, value)
    if value > MAX_ELECTRONIC_NOISE:
        raise ValueError(
            f"the electronic noise must be at most {MAX_ELECTRONIC_NOISE:g} quanta rms (a "
            f"detector's is a few), got {_exact(value, 'g')}"
        )
    return value


def _as_finite_float64(name: str, values: np.ndarray) -> np.ndarray:
    array = np.asarray(values)
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise ValueError(f"{name} must be a real numeric array, got dtype {array.dtype}")
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinity; replace them before simulating")
    return array


@dataclass(frozen=True)
class DetectorModel:
    """A log detector: pixel values linear in the line integral, plus its quantum statistics.

    ``value = value_at_zero_attenuation + L * value_per_attenuation``; expected
    detected quanta ``lambda = photons_per_pixel * exp(-L)`` at full dose.

    Parameters
    ----------
    value_at_zero_attenuation : float
        Pixel value of an unattenuated ray (``L = 0``).
    value_per_attenuation : float
        Change of pixel value per unit line integral: positive for MONOCHROME2,
        negative for MONOCHROME1.
    photons_per_pixel : float
        ``N0``, detected quanta per pixel behind no attenuation at full dose.
    electronic_noise : float
        ``s``, standard deviation of the electronic noise, in detected quanta.
    value_range : tuple of float or None
        ``(low, high)`` storable pixel values; simulated values are clipped to
        it. None: no clipping.
    count_floor : float
        The log stage reads ``max(counts, count_floor)``, so no count is ever
        zero or negative; it caps the line integral at ``ln(d * N0 / floor)``.
        Below the floor (one quantum by default) the noise is cut off: every such
        count gives that same line integral, so where ``d * lambda`` is a few
        quanta or fewer the simulated noise is less, and the mean value lower,
        than a detector without the floor would give.
    """

    value_at_zero_attenuation: float
    value_per_attenuation: float
    photons_per_pixel: float = DEFAULT_PHOTONS_PER_PIXEL
    electronic_noise: float = DEFAULT_ELECTRONIC_NOISE
    value_range: tuple[float, float] | None = None
    count_floor: float = 1.0

    def __post_init__(self) -> None:
        if not math.isfinite(self.value_at_zero_attenuation):
            raise ValueError("value_at_zero_attenuation must be finite")
        slope = self.value_per_attenuation
        if not (math.isfinite(slope) and slope != 0.0):
            raise ValueError(
                "value_per_attenuation must be finite and non-zero "
                "(positive for MONOCHROME2, negative for MONOCHROME1)"
            )
        _check_positive("photons_per_pixel", self.photons_per_pixel)
        if self.photons_per_pixel > MAX_PHOTONS_PER_PIXEL:
            raise ValueError(
                f"quanta per unattenuated pixel must be at most {MAX_PHOTONS_PER_PIXEL:g} "
                f"(no detector counts more), got {_exact(self.photons_per_pixel, 'g')}"
            )
        _check_electronic_noise("electronic_noise", self.electronic_noise)
        _check_positive("count_floor", self.count_floor)
        if self.value_range is not None:
            low, high = self.value_range
            if not (math.isfinite(low) and math.isfinite(high) and low < high):
                raise ValueError(
                    f"value_range must be (low, high) with low < high, got {self.value_range}"
                )

    @classmethod
    def from_range(
        cls,
        low: float,
        high: float,
        *,
        photometric: str = "MONOCHROME2",
        photons_per_pixel: float = DEFAULT_PHOTONS_PER_PIXEL,
        electronic_noise: float = DEFAULT_ELECTRONIC_NOISE,
        max_attenuation: float = DEFAULT_MAX_ATTENUATION,
        clip: bool = True,
    ) -> DetectorModel:
        """Map the pixel range ``[low, high]`` onto line integrals ``[0, max_attenuation]``.

        Parameters
        ----------
        low, high : float
            The range of pixel values, ``low < high``.
        photometric : {"MONOCHROME2", "MONOCHROME1"}
            MONOCHROME2: ``low`` is unattenuated; MONOCHROME1: ``high`` is.
        photons_per_pixel, electronic_noise : float
            See :class:`DetectorModel`.
        max_attenuation : float
            Line integral at the attenuating end of the range.
        clip : bool
            Whether simulated values are clipped to ``[low, high]``.

        Returns
        -------
        DetectorModel
        """
        if photometric not in PHOTOMETRICS:
            raise ValueError(
                f"photometric must be 'MONOCHROME1' or 'MONOCHROME2', got {photometric!r}"
            )
        low, high = float(low), float(high)
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ValueError(f"need a finite pixel range with low < high, got [{low}, {high}]")
        slope = (high - low) / _check_positive("max_attenuation", max_attenuation)
        if photometric == "MONOCHROME2":
            zero, per = low, slope
        else:
            zero, per = high, -slope
        return cls(
            value_at_zero_attenuation=zero,
            value_per_attenuation=per,
            photons_per_pixel=photons_per_pixel,
            electronic_noise=electronic_noise,
            value_range=(low, high) if clip else None,
        )

    @classmethod
    def from_image(
        cls,
        image: XrayImage,
        *,
        photons_per_pixel: float = DEFAULT_PHOTONS_PER_PIXEL,
        electronic_noise: float = DEFAULT_ELECTRONIC_NOISE,
        max_attenuation: float = DEFAULT_MAX_ATTENUATION,
        values: ValueRange | None = None,
    ) -> DetectorModel:
        """Build the detector from an image's range of values and photometric interpretation.

        Integer sources map their data's range
        (:func:`core.noise.value_range.value_range`: the storable range through the
        modality LUT, narrowed to the data's own bits in a wider container such as
        12-bit data in a 16-bit PNG) onto ``[0, max_attenuation]`` and clip to it.
        Floating-point sources have no storable range: the data's own minimum and
        maximum are used, without clipping.

        Parameters
        ----------
        image : XrayImage
            The image whose pixels will be simulated.
        photons_per_pixel, electronic_noise, max_attenuation : float
            See :meth:`from_range`.
        values : ValueRange, optional
            The image's range of values (:func:`core.noise.value_range.value_range`) if
            already found; found here otherwise (a pass over the image).

        Returns
        -------
        DetectorModel
        """
        if values is None:
            values = value_range(image)
        if not values.low < values.high:
            raise ValueError(
                f"the image is constant (every pixel is {values.low:g}): a floating-point "
                "image's range of values is what sets its attenuation scale, so a "
                "lower dose of it cannot be simulated"
            )
        return cls.from_range(
            values.low,
            values.high,
            photometric=image.photometric,
            photons_per_pixel=photons_per_pixel,
            electronic_noise=electronic_noise,
            max_attenuation=max_attenuation,
            clip=not image.mapping.is_float,
        )

    def variance(self, values: np.ndarray) -> np.ndarray:
        """Pixel noise variance this detector gives at full dose, by the delta method.

        ``v^2 (lambda + s^2) / lambda^2`` with ``lambda = N0 exp(-L)`` the expected
        quanta behind each value.

        Parameters
        ----------
        values : array_like
            Mean pixel values.

        Returns
        -------
        ndarray of float64
            Finite, whatever the values: worked in logarithms,
            ``ln(v^2 / lambda) + ln(1 + s^2 / lambda)``, and capped at the largest float.
        """
        log_inverse = self.line_integral(values) - math.log(self.photons_per_pixel)  # -ln lambda
        log_variance = 2.0 * math.log(abs(self.value_per_attenuation)) + log_inverse
        if self.electronic_noise > 0:
            log_variance += np.logaddexp(0.0, 2.0 * math.log(self.electronic_noise) + log_inverse)
        return np.exp(np.minimum(log_variance, LOG_FLOAT_MAX))

    def line_integral(self, values: np.ndarray) -> np.ndarray:
        """Pixel values -> line integrals (float64).

        Parameters
        ----------
        values : array_like
            Pixel values.

        Returns
        -------
        ndarray of float64
        """
        values = np.asarray(values, dtype=np.float64)
        return (values - self.value_at_zero_attenuation) / self.value_per_attenuation

    def values(self, line_integral: np.ndarray) -> np.ndarray:
        """Line integrals -> pixel values (float64), clipped to ``value_range`` if set.

        Parameters
        ----------
        line_integral : array_like
            Line integrals ``L``.

        Returns
        -------
        ndarray of float64
        """
        values = self.value_at_zero_attenuation + (
            np.asarray(line_integral, dtype=np.float64) * self.value_per_attenuation
        )
        if self.value_range is not None:
            values = np.clip(values, *self.value_range)
        return values


def simulate_counts(
    counts: np.ndarray,
    *,
    dose: float,
    electronic_noise: float,
    rng: np.random.Generator,
    input_is_noisy: bool = True,
    added_noise_scale: float | np.ndarray = 1.0,
) -> np.ndarray:
    """Simulate detected quanta at a fraction of the dose, from full-dose counts.

    Parameters
    ----------
    counts : array_like
        Full-dose detected quanta per pixel: a measurement ``M = Q + E`` when
        ``input_is_noisy``, else the noise-free expectation ``lambda``.
    dose : float
        Fraction ``d`` of the full dose, in (0, 1].
    electronic_noise : float
        ``s``, electronic noise std in quanta (the same at every dose).
    rng : numpy.random.Generator
        The only source of randomness.
    input_is_noisy : bool
        True: thin the measurement and top up the electronic noise (see the
        module notes); ``dose=1`` then returns ``counts`` unchanged. False: draw
        ``Poisson(d * lambda) + N(0, s^2)``.
    added_noise_scale : float or array_like
        Factor (>= 0, per pixel or for all) on the noise thinning adds (the
        thinning's own and the electronic top-up), for the rounding of the input
        and output to stored values (see :func:`simulate_low_dose`); 1 by default.

    Returns
    -------
    ndarray of float64
        Counts at dose ``d``, with mean ``d * lambda`` and variance
        ``d * lambda + s^2``.

    References
    ----------
    .. [1] L. Yu, M. Shiung, D. Jondal, C. H. McCollough, "Development and
       validation of a practical lower-dose-simulation tool for optimizing
       computed tomography scan protocols", J. Comput. Assist. Tomogr. 36(4),
       477-487, 2012.
    .. [2] S. Zabic, Q. Wang, T. Morton, K. M. Brown, "A low dose simulation
       tool for CT systems with energy integrating detectors", Med. Phys. 40(3),
       031102, 2013.
    """
    dose = _check_dose(dose)
    s = _check_electronic_noise("electronic_noise", electronic_noise)
    counts = _as_finite_float64("counts", counts)
    if not input_is_noisy:
        if np.any(counts < 0):
            raise ValueError("noise-free expected counts must be >= 0")
        simulated = rng.poisson(dose * counts).astype(np.float64)
        return simulated + rng.normal(0.0, s, size=counts.shape) if s > 0 else simulated
    if dose == 1.0:
        return counts.copy()
    quanta = np.rint(np.clip(counts, 0.0, None)).astype(np.int64)
    added = rng.binomial(quanta, dose) - dose * quanta
    top_up = s * math.sqrt(1.0 - dose * dose)
    if top_up > 0:
        added += rng.normal(0.0, top_up, size=counts.shape)
    return dose * counts + added * added_noise_scale


ROUNDING_TABLE_STEPS = 3.0
"""Noise std, in stored steps, up to which rounding's effect on it is tabulated.

Beyond it rounding adds exactly a step's ``1/12`` to the variance (the rest is under
``exp(-2 pi^2 3^2)``)."""


@functools.cache
def _rounding_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tabulate what rounding to a step of 1 does to Gaussian noise of std ``sigma``.

    ``Var(round(u + sigma Z))`` with ``Z ~ N(0, 1)``, from
    ``P(k) = Phi((k + 1/2 - u) / sigma) - Phi((k - 1/2 - u) / sigma)``, less the
    ``sigma^2 + 1/12`` it tends to for large ``sigma``.

    Returns
    -------
    sigmas : ndarray
        Noise std in steps, 0 to :data:`ROUNDING_TABLE_STEPS`.
    on_grid : ndarray
        The excess for a value on the grid (``u = 0``): noise added to a stored value.
        Negative: noise under half a step mostly rounds away.
    spread : ndarray
        The excess averaged over the offset ``u`` of a value within its step: the
        per-pixel variance an acquisition rounded to the grid holds, for clean values
        spread evenly over a step.
    """
    sigmas = np.linspace(0.0, ROUNDING_TABLE_STEPS, 601)
    offsets = np.concatenate([[0.0], (np.arange(64) + 0.5) / 64 - 0.5])
    last = math.ceil(8 * ROUNDING_TABLE_STEPS) + 1
    k = np.arange(-last, last + 1, dtype=np.float64)
    with np.errstate(divide="ignore"):
        upper = ndtr((k + 0.5 - offsets[:, None]) / sigmas[:, None, None])
        lower = ndtr((k - 0.5 - offsets[:, None]) / sigmas[:, None, None])
    p = upper - lower
    variance = (p * k**2).sum(axis=-1) - (p * k).sum(axis=-1) ** 2
    excess = variance - (sigmas**2 + 1.0 / 12.0)[:, None]
    return sigmas, excess[:, 0], excess[:, 1:].mean(axis=1)


def _rounding_scale(
    counts: np.ndarray, *, dose: float, detector: DetectorModel, step: float
) -> np.ndarray:
    """Per-pixel factor on the noise thinning adds to an input rounded to ``step``.

    Thinning adds, by the delta method, ``V_add = v^2 ((1 - d) / (d lambda) +
    s^2 (1 - d^2) / (d lambda)^2)`` to the full-dose variance
    ``V_1 = v^2 (1 / lambda + s^2 / lambda^2)`` (pixel units), for
    ``V_d = V_1 + V_add`` at dose ``d``. An acquisition at dose ``d`` rounded to the
    grid holds, per pixel, ``R(V_d)``, and the rounded input ``R(V_1)``, with ``R``
    the rounded variance averaged over where the clean value falls within a step
    (``V + step^2 / 12`` where the noise spans a step or more, less below: a
    nearly noise-free value rounds to the same stored value every time). The
    output is the input plus the added noise, rounded to the same grid: as the
    input is on the grid, that adds ``G(w)``, the variance of noise of variance
    ``w`` rounded about a grid point (``w + step^2 / 12`` for large ``w``, about
    nothing for ``w`` under a quarter of a step squared). So ``w`` solves
    ``G(w) = R(V_d) - R(V_1)``, and the scale is ``sqrt(w / V_add)``: under 1 where
    the noise spans steps (the input's ``step^2 / 12`` is left out), over 1 where
    the added noise is under about half a step (enough that rounding keeps
    ``V_add`` of it).

    Parameters
    ----------
    counts : ndarray
        Full-dose counts ``lambda`` behind each pixel (at least 1 is used).
    dose : float
        Fraction ``d`` of the full dose, in (0, 1).
    detector : DetectorModel
        Gives ``v`` and ``s``.
    step : float
        The stored step, > 0.

    Returns
    -------
    ndarray of float64
        The scale, >= 0, same shape as ``counts``.
    """
    expected = np.maximum(counts, 1.0)
    s2 = detector.electronic_noise**2
    per_step = (detector.value_per_attenuation / step) ** 2
    full = per_step * (1.0 / expected + s2 / expected**2)
    added = per_step * (
        (1.0 - dose) / (dose * expected) + s2 * (1.0 - dose * dose) / (dose * expected) ** 2
    )
    sigmas, on_grid, spread = _rounding_tables()

    def excess(table: np.ndarray, variance: np.ndarray) -> np.ndarray:
        return np.interp(np.sqrt(variance), sigmas, table, right=0.0)

    wanted = added + excess(spread, full + added) - excess(spread, full)
    grid_variance = sigmas**2 + 1.0 / 12.0 + on_grid  # G(w), w = sigmas^2, increasing
    variance = np.where(
        wanted < grid_variance[-1],
        np.interp(wanted, grid_variance, sigmas**2),
        wanted - 1.0 / 12.0,
    )
    return np.sqrt(variance / added)


def simulate_low_dose(
    pixels: np.ndarray,
    *,
    dose: float,
    detector: DetectorModel,
    rng: np.random.Generator,
    input_is_noisy: bool = True,
    input_step: float = 0.0,
) -> np.ndarray:
    """Simulate the same exposure at a fraction of the dose.

    pixels -> line integrals -> full-dose counts -> :func:`simulate_counts` ->
    ``L_d = -ln(max(M_d, floor) / (d N0))`` -> pixels, clipped to the
    detector's storable range.

    Parameters
    ----------
    pixels : array_like
        Pixel values of the full-dose image, any shape.
    dose : float
        Fraction of the full dose, in (0, 1].
    detector : DetectorModel
        How pixel values relate to detected quanta.
    rng : numpy.random.Generator
        The only source of randomness.
    input_is_noisy : bool
        True (a real radiograph): the input already carries full-dose noise,
        which is thinned; ``dose=1`` returns the input unchanged. False (a
        clean image, as in benchmarks): the input is the noise-free expectation.
    input_step : float
        The step (pixel units) the noisy input was rounded to, 0 for none; the
        output is then taken to be rounded to the same grid (as
        :func:`simulate_low_dose_image` does). The input's rounding noise passes
        into the output, so where the noise spans a step or more a thinned image
        would hold ``step^2 / 12`` more variance than an acquisition at the lower
        dose (12-15 % more at the bright end of an 8-bit image at 20,000 quanta);
        where the noise thinning adds is under about half a step, rounding the
        output would erase most of it and leave the input as it was. The noise
        thinning adds is scaled per pixel so that the rounded output holds, per
        pixel, the variance an acquisition at the lower dose rounded to that grid
        holds, averaged over where the clean value falls within a step: down by
        about ``sqrt(1 - step^2 / 12 / V_add)`` (``V_add`` the pixel variance
        thinning adds by the delta method) where the noise spans steps, up where
        ``V_add`` is under about a quarter of a step squared (see
        :func:`_rounding_scale`).

    Returns
    -------
    ndarray of float32
        Simulated pixel values, same shape. The log stage reads
        ``max(M_d, count_floor)``: below one quantum (the default floor) every
        count gives the same, largest line integral ``ln(d N0 / floor)``, so the
        noise of the fewest quanta is cut off there (and at the range's end).

    Notes
    -----
    An input pixel at an end of the detector's range is censored: at the unattenuated
    end it counted ``N0`` quanta or more, at the attenuating end
    ``N0 exp(-max_attenuation)`` or fewer. It is simulated as holding exactly that
    end's quanta, so about half of such pixels come off the end at the lower dose.
    That is right where the true quanta lie at the end (a phantom's background at
    ``L = 0``, which its noise puts at the end in about half its pixels) and not
    where they lie far beyond it (a detector saturated behind no patient, a lead
    shutter), which a real lower dose leaves at the end; the pixel alone does not
    tell which, and the end's quanta are the one bound it gives (the fewest it may
    have counted at the unattenuated end, the most at the attenuating end).
    :func:`describe_simulation` counts these pixels apart from those the simulation
    clips.

    References
    ----------
    .. [1] L. Yu, M. Shiung, D. Jondal, C. H. McCollough, "Development and
       validation of a practical lower-dose-simulation tool for optimizing
       computed tomography scan protocols", J. Comput. Assist. Tomogr. 36(4),
       477-487, 2012.
    .. [2] S. Zabic, Q. Wang, T. Morton, K. M. Brown, "A low dose simulation
       tool for CT systems with energy integrating detectors", Med. Phys. 40(3),
       031102, 2013.
    """
    dose = _check_dose(dose)
    values = _as_finite_float64("pixels", pixels)
    if input_is_noisy and dose == 1.0:
        return values.astype(np.float32)
    full_dose = detector.photons_per_pixel
    if not leaves_a_quantum(dose, full_dose):
        least = smallest_dose_percent(full_dose)
        advice = (
            f"choose a dose of at least {least:f} %"
            if least <= 100
            else "no dose can: give at least 1 quantum per unattenuated pixel"
        )
        raise ValueError(
            f"a {Decimal(repr(dose)):f} dose ({dose_percent(dose, exact=True)} %) of "
            f"{full_dose:g} quanta per unattenuated pixel leaves less than one quantum even "
            f"there: the image would hold nothing; {advice}"
        )
    counts = full_dose * np.exp(-detector.line_integral(values))
    scale = 1.0
    if input_is_noisy and input_step > 0:
        scale = _rounding_scale(counts, dose=dose, detector=detector, step=input_step)
    simulated = simulate_counts(
        counts,
        dose=dose,
        electronic_noise=detector.electronic_noise,
        rng=rng,
        input_is_noisy=input_is_noisy,
        added_noise_scale=scale,
    )
    line_integral = -np.log(np.maximum(simulated, detector.count_floor) / (dose * full_dose))
    return _as_float32(detector.values(line_integral))


def _as_float32(values: np.ndarray) -> np.ndarray:
    """Return simulated values as float32; refuse them where float32 cannot hold them.

    Only a floating-point image, whose values are not clipped to a stored range, can
    come out beyond float32's range: one with values near its largest, past which the
    simulation's noise and line-integral cap (:attr:`DetectorModel.count_floor`)
    reach. Clipping would cut off the noise the lower dose adds, and infinity is no
    pixel value, so such an image is refused, before anything is written: its values
    only set the attenuation scale, and the image scaled down simulates the same, scaled.
    """
    with np.errstate(over="ignore"):
        single = values.astype(np.float32)
    if not np.all(np.isfinite(single)):
        reach = float(np.max(np.abs(values)))
        raise ValueError(
            f"the simulated values reach {reach:.3g}, beyond the largest float32 "
            f"({FLOAT32_MAX:.3g}) that stores them: the image's values are too large to "
            "simulate; scale them down (a floating-point image's simulation scales with "
            "its values)"
        )
    return single


def quantum_noise_levels(image: XrayImage, nlf: NoiseLevelFunction) -> NoiseLevelFunction:
    """Return an image's noise levels without the rounding to its stored values.

    Parameters
    ----------
    image : XrayImage
        The image.
    nlf : NoiseLevelFunction
        Its noise-level function.

    Returns
    -------
    NoiseLevelFunction
        For an integer image :meth:`NoiseLevelFunction.without_rounding` of its
        stored step (the rescale slope); ``nlf`` itself for a floating-point one.

    Raises
    ------
    ValueError
        Where rounding explains all of a bin's noise (noise under about a third of
        a stored step): the quanta behind it cannot be measured.
    """
    if image.mapping.is_float:
        return nlf
    step = abs(image.mapping.slope)
    quantum = nlf.without_rounding(step)
    if np.any(quantum.sigmas <= 0):
        raise ValueError(
            f"its noise is no more than rounding to its stored values (std {step / 12**0.5:.2g}) "
            "at some intensities, so the quanta behind it cannot be measured"
        )
    return quantum


def _too_small_to_measure(nlf: NoiseLevelFunction) -> str | None:
    """Say why an image is too small to measure its quanta, or None where it is not.

    Parameters
    ----------
    nlf : NoiseLevelFunction
        The image's noise-level function.

    Returns
    -------
    str or None
        The reason, where a noise-level bin holds fewer than
        :data:`MIN_MEASURED_BLOCKS_PER_BIN` smooth blocks; None otherwise.
    """
    fewest = int(nlf.counts.min())
    if fewest >= MIN_MEASURED_BLOCKS_PER_BIN:
        return None
    return (
        f"it is too small to measure its quanta, so they must be entered (its noise levels "
        f"rest on as few as {fewest} smooth 3 x 3 blocks, where {MIN_MEASURED_BLOCKS_PER_BIN} "
        "are needed: about 380 x 380 pixels of image)"
    )


def monochrome2_twin(image: XrayImage, values: ValueRange) -> XrayImage:
    """Return a MONOCHROME1 image's MONOCHROME2 twin: its values mirrored within their range.

    Its quanta are measured, and judged, on the twin
    (:meth:`LowDoseSettings.measured_from`,
    :func:`core.noise.electronic.electronic_noise_problem`): the noise-level function
    bins intensities from the low end up, and read the other way it measured
    MONOCHROME1 phantoms 6 % low.

    Parameters
    ----------
    image : XrayImage
        A MONOCHROME1 image.
    values : ValueRange
        Its range of values (:func:`core.noise.value_range.value_range`).

    Returns
    -------
    XrayImage
        ``values.low + values.high - pixels``, MONOCHROME2.
    """
    return image.with_pixels(values.low + values.high - image.pixels, photometric="MONOCHROME2")


@dataclass(frozen=True)
class LowDoseSettings:
    """Everything that defines a low-dose simulation of an image, for reproducibility.

    Parameters
    ----------
    dose : float
        Fraction of the full dose, in (0, 1].
    photons_per_pixel : float
        Detected quanta per pixel behind no attenuation at full dose.
    electronic_noise : float
        Electronic noise std in detected quanta.
    seed : int
        Seed of the random generator (>= 0).
    max_attenuation : float
        Line integral mapped to the attenuating end of the stored range, > 0 and at
        most :data:`MAX_ATTENUATION`.
    input_is_noisy : bool
        Whether the input is a real (noisy) full-dose image; see
        :func:`simulate_low_dose`.
    measured : bool
        Whether the quanta and the attenuation span were measured from the image's
        own noise (:meth:`measured_from`) rather than assumed.
    photons_range : tuple of float or None
        For measured quanta, the range within one standard error of the fit
        (:func:`core.noise.logdetector.counts_interval`); None otherwise.
    """

    dose: float
    photons_per_pixel: float = DEFAULT_PHOTONS_PER_PIXEL
    electronic_noise: float = DEFAULT_ELECTRONIC_NOISE
    seed: int = 0
    max_attenuation: float = DEFAULT_MAX_ATTENUATION
    input_is_noisy: bool = True
    measured: bool = False
    photons_range: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        # Kept as floats (an int or a NumPy number is converted); a string or bool is refused.
        object.__setattr__(self, "dose", _check_dose(self.dose))
        for name, check in (
            ("photons_per_pixel", _check_positive),
            ("electronic_noise", _check_electronic_noise),
            ("max_attenuation", _check_positive),
        ):
            object.__setattr__(self, name, check(name, getattr(self, name)))
        if self.max_attenuation > MAX_ATTENUATION:
            raise ValueError(
                f"the maximum attenuation must be at most {MAX_ATTENUATION:g}, got "
                f"{_exact(self.max_attenuation, 'g')}: a line integral of {MAX_ATTENUATION:g} lets "
                f"{math.exp(-MAX_ATTENUATION):.0e} of the quanta through (a chest spans about "
                f"{DEFAULT_MAX_ATTENUATION:g})"
            )
        if self.photons_range is not None:
            low, high = self.photons_range
            if not (math.isfinite(low) and math.isfinite(high) and 0 < low <= high):
                raise ValueError(
                    f"photons_range must be (low, high) with 0 < low <= high, got "
                    f"{self.photons_range}"
                )
        if isinstance(self.seed, bool) or not isinstance(self.seed, int | np.integer):
            raise ValueError(f"seed must be an integer >= 0, got {self.seed!r}")
        if self.seed < 0:
            raise ValueError(f"seed must be an integer >= 0, got {self.seed}")

    @classmethod
    def measured_from(
        cls,
        image: XrayImage,
        dose: float,
        *,
        electronic_noise: float = DEFAULT_ELECTRONIC_NOISE,
        seed: int = 0,
        noise: NoiseEstimate | None = None,
        values: ValueRange | None = None,
    ) -> LowDoseSettings:
        """Make settings whose quanta are those behind the image's own noise.

        The image's noise-level function, fitted by a log detector's
        (:class:`core.noise.NoiseEstimate`), gives the pixel values per unit line
        integral and the quanta at every intensity, so the simulated dose is a
        fraction of the dose the image was really taken at. (The defaults assume
        50,000 quanta per unattenuated pixel, right only for images of about 0.8 mm
        pixels at a typical chest exposure.) The electronic noise shows only where
        the fewest quanta arrive, and a free fit pins it down poorly (from 0 to 69
        quanta for a true 4 on simulated images, trading against the slope), so it is
        an input and the fit finds the slope and the quanta that go with it.

        The measurement is refused, with the reason, where the noise cannot tell the
        quanta: measured at fewer than :data:`MIN_MEASURED_BINS` intensities,
        no more than rounding's (:data:`NOISE_FREE_STEPS`), correlated between
        neighbouring pixels (:mod:`core.noise.correlation`: a
        detector's blur hides noise from the estimate, and the quanta would come out
        far too many), not a log detector's, or a log detector's whose slope is no
        radiograph's over the image's range of values
        (:meth:`core.noise.LogDetectorFit.span_problem`), or where the image is too
        small to measure them without a bias (fewer than
        :data:`MIN_MEASURED_BLOCKS_PER_BIN` smooth blocks in a noise-level bin).

        A MONOCHROME1 image is measured as its MONOCHROME2 twin (its values mirrored
        within its range), so that the two forms of one exposure give one measurement:
        the noise-level function bins intensities from the low end up, and read the other
        way it measured MONOCHROME1 phantoms of 20,000 quanta 6 % low (every one of 16
        seeds; their MONOCHROME2 twins 1 % high;
        ``benchmarks/results/2026-11-28-monochrome1/``). The twin's noise is then estimated
        here, and a `noise` given (an estimate of the image as stored) is not used: the
        twin's estimate is no transform of it. Sparse runs of bins are merged from the low
        end up (:func:`core.noise.estimate.estimate_noise_level_function`, and so are the
        finer bins of its Poisson-Gaussian fit), so the mirror is binned differently, and
        each refinement selects its smooth blocks by the levels of those bins (on three of
        those phantoms the image's bins, mirrored, lay up to 180 of 4095 from the twin's,
        their levels up to 2.7 apart). A caller that estimates the noise only for this
        call need not, for a MONOCHROME1 image.

        Parameters
        ----------
        image : XrayImage
            A real (noisy) radiograph.
        dose : float
            Fraction of its dose, in (0, 1].
        electronic_noise : float
            Electronic noise std in quanta.
        seed : int
            Seed of the simulation.
        noise : NoiseEstimate, optional
            The image's noise estimate if already made (most of the time this takes);
            made here otherwise. Not used for a MONOCHROME1 image, whose MONOCHROME2
            twin's noise is estimated here (see above).
        values : ValueRange, optional
            The image's range of values (:func:`core.noise.value_range.value_range`) if
            already found; found here otherwise (a pass over the image).

        Returns
        -------
        LowDoseSettings
            With ``photons_per_pixel`` the quanta behind no attenuation (at the
            unattenuated end of the image's range of values,
            :func:`core.noise.value_range.value_range`), ``photons_range`` their
            range within one standard error of the fit, and ``max_attenuation`` the
            fitted line-integral span of the range.

        Raises
        ------
        NoiseFreeInputError
            If the image holds no noise beyond rounding (a ValueError) and records no lossy
            compression (:func:`core.noise.lossy.lossy_compression`).
        CompressedNoiseError
            If it holds no noise beyond rounding and records lossy compression (a
            ValueError).
        ValueError
            If a setting is out of range (checked first), or the noise cannot be measured
            or does not tell the quanta, with the reason.
        """
        cls(dose=dose, electronic_noise=electronic_noise, seed=seed)  # bad settings first
        if image.photometric == "MONOCHROME1":  # measured as its twin; `noise` is not used
            if values is None:
                values = value_range(image)
            return cls.measured_from(
                monochrome2_twin(image, values),
                dose,
                electronic_noise=electronic_noise,
                seed=seed,
                values=values,
            )
        own = noise if noise is not None else NoiseEstimate.of_image(image)
        nlf = own.nlf
        step = None if image.mapping.is_float else abs(image.mapping.slope)
        if step is not None and own.sigma < NOISE_FREE_STEPS * step:
            lossy = lossy_compression(image)
            if lossy is not None:  # not noise-free: its noise went with the compression
                raise CompressedNoiseError(
                    f"lossy compression ({lossy}) took out the fine-scale noise it held "
                    f"(std {own.sigma:.2g} left)"
                )
            raise NoiseFreeInputError(
                f"it holds no noise beyond rounding to its stored values (std {own.sigma:.2g}, "
                f"where rounding alone gives {step / 12**0.5:.2g}): it looks noise-free, so "
                "its quanta must be entered, and its own noise taken as none"
            )
        correlated = correlation_problem(image.pixels, nlf)
        if correlated is not None:
            raise ValueError(correlated)
        nlf = quantum_noise_levels(image, nlf)
        if nlf.intensities.size < MIN_MEASURED_BINS:
            raise ValueError(
                f"its noise could be measured at only {nlf.intensities.size} intensities, "
                f"too few to tell the quanta from how it changes ({MIN_MEASURED_BINS} are "
                "needed; a high dose or a small image leaves too few areas smooth against "
                "the noise)"
            )
        fit = fit_log_detector(nlf, electronic_noise=electronic_noise)
        if fit is None or not fit.accepted:
            raise ValueError(
                "its noise does not follow a log detector's (quantum noise growing with "
                "attenuation), so the dose behind it cannot be measured"
            )
        if values is None:
            values = value_range(image)
        assumed = DetectorModel.from_image(image, values=values)
        if fit.value_per_attenuation * assumed.value_per_attenuation < 0:
            raise ValueError(
                "its noise grows towards the unattenuated end of its range, against its "
                f"{image.photometric} interpretation, so the dose behind it cannot be measured"
            )
        measured_over = float(nlf.intensities[-1] - nlf.intensities[0])
        if measured_over < MIN_MEASURED_SHARE * values.span:
            raise ValueError(
                f"its noise could be measured over only {100 * measured_over / values.span:.1f} "
                f"% of its range of values, {values.describe()}, too little to tell the "
                "quanta behind them"
            )
        implausible = fit.span_problem(values)
        if implausible is not None:
            raise ValueError(implausible)
        too_small = _too_small_to_measure(nlf)
        if too_small is not None:
            raise ValueError(too_small)
        unattenuated = assumed.value_at_zero_attenuation
        return cls(
            dose=dose,
            photons_per_pixel=float(fit.counts(np.array([unattenuated]))[0]),
            electronic_noise=electronic_noise,
            seed=seed,
            max_attenuation=fit.attenuation_span(values),
            measured=True,
            photons_range=counts_interval(
                nlf, fit, unattenuated, electronic_noise=electronic_noise
            ),
        )

    @classmethod
    def measured_or_default(
        cls,
        image: XrayImage,
        dose: float,
        *,
        electronic_noise: float = DEFAULT_ELECTRONIC_NOISE,
        seed: int = 0,
    ) -> tuple[LowDoseSettings, str | None]:
        """Make settings with the quanta measured from the image's noise where they can be.

        Parameters
        ----------
        image : XrayImage
            A real (noisy) radiograph.
        dose : float
            Fraction of its dose, in (0, 1].
        electronic_noise : float
            Electronic noise std in quanta.
        seed : int
            Seed of the simulation.

        Returns
        -------
        settings : LowDoseSettings
            :meth:`measured_from`, else the default detector's.
        why_not_measured : str or None
            Why the quanta could not be measured, or None when they were.
        """
        default = cls(dose=dose, electronic_noise=electronic_noise, seed=seed)  # checks them
        try:
            measured = cls.measured_from(image, dose, electronic_noise=electronic_noise, seed=seed)
        except ValueError as error:
            return default, str(error)
        return measured, None

    def describe(self, values: ValueRange | None = None, *, exact: bool = True) -> str:
        """One line for the DICOM DerivationDescription of the simulated image.

        The dose (in percent, :func:`dose_percent`), the quanta, the electronic noise
        and the attenuation span are written so that they read back as exactly the
        same numbers (the shortest text that does, ``repr`` where rounding would
        change them): given back as ``--dose`` (the percent over 100),
        ``--photons``, ``--electronic-noise`` and ``--max-attenuation`` with the
        same seed, they reproduce the simulated image exactly, measured quanta
        included. Measured quanta depend on the electronic noise assumed (more
        assumed, fewer quanta measured), which the line says. For a person to read
        (a status line, a report beside the exact numbers), ``exact=False`` rounds
        them to :data:`READABLE_DIGITS` significant digits and groups the quanta's
        thousands as the app's status bar does (``"19,916/pixel at full dose, one
        standard error 19,188-20,671"``); the record keeps them plain, to be given back.

        Parameters
        ----------
        values : ValueRange, optional
            The image's range of values (:func:`core.noise.value_range.value_range`)
            the line integrals span: named where given, else "the stored range".
        exact : bool
            Whether the numbers read back exactly (True, for a file's record) or are
            rounded for reading (False: ``"1,760.3/pixel"``, not
            ``"1760.2631583090076/pixel"``).

        Returns
        -------
        str
            For example ``"simulated 25 % dose (10000 quanta/pixel at full dose,
            electronic noise 5.0 quanta rms, line integral 0-7 over the stored
            range, seed 1)"``; measured quanta are named as such, with their range
            within one standard error, e.g. ``"simulated 25 % dose (quanta measured
            from the image's noise: 19915.70484168069/pixel at full dose, one
            standard error 19188-20671, electronic noise 4.0 quanta rms assumed (the
            measured quanta depend on it), line integral 0-7.031021711734023 over
            the range 0 to 4095 in 12 bits, seed 1)"`` (the bundled sample).
        """
        source = "" if self.input_is_noisy else ", from a noise-free input"
        number = _exact if exact else _readable
        photons = _exact(self.photons_per_pixel, "g") if exact else _quanta(self.photons_per_pixel)
        electronic = f"electronic noise {number(self.electronic_noise, '.1f')} quanta rms"
        span = f"line integral 0-{number(self.max_attenuation, 'g')}"
        over = "the stored range" if values is None else f"the range {values.describe()}"
        if self.measured:
            grouping = "" if exact else ","
            spread = (
                ""
                if self.photons_range is None
                else f", one standard error {self.photons_range[0]:{grouping}.0f}-"
                f"{self.photons_range[1]:{grouping}.0f}"
            )
            detector = (
                f"quanta measured from the image's noise: {photons}/pixel at full dose{spread}, "
                f"{electronic} assumed (the measured quanta depend on it), {span}"
            )
        else:
            detector = f"{photons} quanta/pixel at full dose, {electronic}, {span}"
        percent = dose_percent(self.dose, exact=exact)
        return f"simulated {percent} % dose ({detector} over {over}{source}, seed {self.seed})"

    def detector_for(self, image: XrayImage, *, values: ValueRange | None = None) -> DetectorModel:
        """Build the detector these settings give for ``image`` (:meth:`DetectorModel.from_image`).

        Parameters
        ----------
        image : XrayImage
            The image to simulate from.
        values : ValueRange, optional
            The image's range of values (:func:`core.noise.value_range.value_range`) if
            already found; found here otherwise (a pass over the image).

        Returns
        -------
        DetectorModel
        """
        return DetectorModel.from_image(
            image,
            photons_per_pixel=self.photons_per_pixel,
            electronic_noise=self.electronic_noise,
            max_attenuation=self.max_attenuation,
            values=values,
        )


def simulate_low_dose_image(
    image: XrayImage, settings: LowDoseSettings, *, values: ValueRange | None = None
) -> XrayImage:
    """Simulate a low-dose version of an image, rounded to its stored grid.

    Parameters
    ----------
    image : XrayImage
        The full-dose image.
    settings : LowDoseSettings
        Dose, detector and seed; ``settings.describe()`` documents the result.
    values : ValueRange, optional
        The image's range of values (:func:`core.noise.value_range.value_range`) if
        already found; found here otherwise (a pass over the image).

    Returns
    -------
    XrayImage
        Same mapping, window and metadata; for integer sources the pixels are
        values the source can store (rounded through the modality LUT). Padding
        pixels (DICOM PixelPaddingValue) keep their values: no X-rays reach them.
    """
    simulated = simulate_low_dose(
        image.pixels,
        dose=settings.dose,
        detector=settings.detector_for(image, values=values),
        rng=np.random.default_rng(settings.seed),
        input_is_noisy=settings.input_is_noisy,
        input_step=0.0 if image.mapping.is_float else abs(image.mapping.slope),
    )
    if not image.mapping.is_float:
        simulated = image.mapping.to_pixels(image.mapping.to_stored(simulated))
    return image.with_pixels(image.keeping_padding(simulated))


def describe_simulation(
    source: XrayImage,
    simulated: XrayImage,
    settings: LowDoseSettings,
    *,
    values: ValueRange | None = None,
    exact: bool = True,
) -> str:
    """One line that documents a simulated image: its settings, range and clipped pixels.

    The same line in the CLI's output, the written image's description and the GUI's
    exports and reports; rounded for reading (``exact=False``) where a person reads it
    and the exact numbers are kept elsewhere.

    Parameters
    ----------
    source : XrayImage
        The full-dose image simulated from.
    simulated : XrayImage
        Its simulation (:func:`simulate_low_dose_image`).
    settings : LowDoseSettings
        The settings that made it.
    values : ValueRange, optional
        The source's range of values (:func:`core.noise.value_range.value_range`) if
        already found; found here otherwise (a pass over the image).
    exact : bool
        Whether the settings' numbers read back exactly (:meth:`LowDoseSettings.describe`).

    Returns
    -------
    str
        :meth:`LowDoseSettings.describe` over the source's range of values, and for
        integer images how many pixels the simulation clipped at each end of that
        range, and apart from them how many the source already held there
        (:func:`core.noise.value_range.describe_clipping`): their quanta are censored,
        and the simulation takes them as exactly that end's (:func:`simulate_low_dose`).
    """
    if values is None:
        values = value_range(source)
    description = settings.describe(values, exact=exact)
    if not source.mapping.is_float:
        description += f"; {describe_clipping(simulated, values, source=source)}"
    return description
