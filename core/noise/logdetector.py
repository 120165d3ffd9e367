"""A log detector recognised in an estimated noise-level function, and the counts behind it.

Radiographs are stored on a logarithmic scale: a pixel is ``p = p0 + v L`` with
``L = -ln(M / M0)`` the line integral of the detected quanta ``M``, which are
Poisson with electronic noise added, ``Var(M) = E[M] + s^2``. In pixel units the
noise is then neither Poisson-Gaussian nor unbiased: by the delta method

    ``Var(p) = v^2 (lambda + s^2) / lambda^2``,
    ``E[p] - p(lambda) = v (lambda + s^2) / (2 lambda^2) = Var(p) / (2 v)``,

with ``lambda = E[M]``. The bias is what makes a denoiser that estimates ``E[p]``
wrong at low counts (bright, attenuating areas at low dose), by several dB of
PSNR. With ``u = exp((p - p_ref) / v)`` the variance reads

    ``Var(p) = A u + B u^2``,

``A`` the quantum and ``B`` the electronic variance at the reference intensity
``p_ref``. For each ``v`` on a grid, ``A, B >= 0`` follow by non-negative least
squares on the estimated noise-level function; the ``v`` with the smallest
count-weighted squared error of ``ln sigma`` wins, refined between its grid
neighbours. Then the counts behind a
pixel are ``M(p) = (v^2 / A) / u`` (``Var(M) = M + s^2``, ``s^2 = B v^2 / A^2``):
a generalised Anscombe transform of ``M`` stabilises the noise exactly, and its
exact unbiased inverse estimates ``E[M]``, whose pixel value is the clean one, as
the BM3D oracle of the benchmark does with the true parameters.

``Var(p) = A u + B u^2`` with ``B u^2`` alone is ``A' u'`` with half the ``v``: the
two are told apart only by the curvature of ``ln Var(p)``. Quantum noise
dominates at the reference (median) intensity of any working detector, so fits
with ``B > A`` are not taken. As ``|v|`` grows the model becomes
``Var(p) = a p + b``, a linear detector's: there the bias vanishes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
from scipy.optimize import minimize_scalar, nnls

from core.noise.estimate import NoiseLevelFunction
from core.noise.value_range import ValueRange

__all__ = [
    "PLAUSIBLE_ATTENUATION",
    "LogDetectorFit",
    "counts_interval",
    "fit_log_detector",
    "log_detector_of",
]

MIN_BINS = 4
"""Noise-level bins needed to fit three parameters and judge the fit."""

N_SLOPES = 240
"""Grid points of ``|v|`` per sign, log-spaced."""

SLOPE_SPAN = (1.0 / 30.0, 1000.0)
"""``|v|`` from this fraction to this multiple of the bins' intensity span (1000: linear)."""

MAD_VARIANCE = 1.36
"""``n Var(sigma_hat) / sigma^2`` of a median-absolute-deviation estimate (efficiency 37 %)."""

MAX_RMS_ERROR = 0.1
"""Accept a fit whose RMS error of ``ln sigma`` is at most this (10 %) ..."""

MAX_ERROR_RATIO = 3.0
"""... or at most this many times the bins' own standard error, whichever is larger ..."""

MAX_RMS_ERROR_ANY = 0.25
"""... but never more than this (25 %), however few blocks the bins hold."""

MIN_SPAN_IN_SIGMAS = 3.0
"""Intensity span of the noise-level function, in noise stds, needed to tell a detector."""

MIN_COUNTS_AT_REFERENCE = 1.0
"""Quanta behind the reference intensity below which a fit is not taken as a detector."""

MAX_EXPONENT = 700.0
"""``exp`` arguments are clipped here (float64 overflows above 709)."""

PLAUSIBLE_ATTENUATION = (0.5, 15.0)
"""Line-integral spans a radiograph's range of values can have (7: three decades)."""

INTERVAL_REACH = math.log(4.0)
"""The slope's standard-error interval is looked for within this of its ``ln |v|``."""

PROFILE_SLOPES = 33
"""Slopes across the standard-error interval at which the range of ``A`` is found."""

FIRST_STEP = 0.01
"""First step in ``ln |v|`` or ``ln A`` when looking for where the fit's cost crosses a limit."""

CROSSING_TOLERANCE = 1e-4
"""Bisect in ``ln |v|`` or ``ln A`` down to this."""

ESTIMATE_ERROR = 0.035
"""Relative error of measured quanta from the noise-level function's own bias (3.5 %).

The smallest of 2, 2.5, 3, 3.5 and 4 % with which the interval of
:func:`counts_interval` held the true quanta of at least about 70 % of chest phantoms
of 512 and 768 pixels at 100 to 20,000 quanta (electronic noise 4; 20 seeds each at
512 pixels): 75 % at 100, 200 and 2000 quanta, against 40-60 % with the fit's error
alone, and 0 % (100 and 200 quanta) to 40 % (2000) before the quantum variance's own
error was counted.
"""


@dataclass(frozen=True)
class LogDetectorFit:
    """Noise of a log detector, ``Var(p) = A u + B u^2``, ``u = exp((p - p_ref) / v)``.

    Parameters
    ----------
    value_per_attenuation : float
        ``v``, pixel units per unit line integral; negative where pixels get
        darker with attenuation. Never 0.
    reference : float
        ``p_ref``, the intensity where the variances are given.
    quantum_variance : float
        ``A`` (> 0), pixel units squared.
    electronic_variance : float
        ``B`` (>= 0), pixel units squared.
    rms_error : float
        Count-weighted RMS of ``ln(sigma_model / sigma_bin)`` over the bins.
    standard_error : float
        RMS standard error of the bins' ``ln sigma`` (MAD estimates).
    """

    value_per_attenuation: float
    reference: float
    quantum_variance: float
    electronic_variance: float
    rms_error: float
    standard_error: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.value_per_attenuation) and self.value_per_attenuation != 0):
            raise ValueError(f"value_per_attenuation must be finite and non-zero, got {self}")
        if not (math.isfinite(self.quantum_variance) and self.quantum_variance > 0):
            raise ValueError(f"quantum_variance must be > 0, got {self.quantum_variance}")
        if not (math.isfinite(self.electronic_variance) and self.electronic_variance >= 0):
            raise ValueError(f"electronic_variance must be >= 0, got {self.electronic_variance}")

    @property
    def accepted(self) -> bool:
        """Whether the model describes the noise within its estimation error (10-25 %)."""
        tolerance = max(MAX_RMS_ERROR, MAX_ERROR_RATIO * self.standard_error)
        return self.rms_error <= min(tolerance, MAX_RMS_ERROR_ANY)

    @property
    def taken(self) -> bool:
        """Whether it is taken for a detector.

        It is :attr:`accepted`, with at least :data:`MIN_COUNTS_AT_REFERENCE` quanta
        behind the reference intensity.
        """
        return self.accepted and self.counts_at_reference >= MIN_COUNTS_AT_REFERENCE

    @property
    def counts_at_reference(self) -> float:
        """Expected detected quanta at the reference intensity, ``v^2 / A``."""
        return self.value_per_attenuation**2 / self.quantum_variance

    @property
    def electronic_noise(self) -> float:
        """Electronic noise std in quanta, ``s = sqrt(B) |v| / A``."""
        return (
            math.sqrt(self.electronic_variance)
            * self.counts_at_reference
            / abs(self.value_per_attenuation)
        )

    def _exponent(self, values: np.ndarray) -> np.ndarray:
        exponent = (np.asarray(values, dtype=np.float64) - self.reference) / (
            self.value_per_attenuation
        )
        return np.clip(exponent, -MAX_EXPONENT, MAX_EXPONENT)

    def sigma(self, values: np.ndarray) -> np.ndarray:
        """Noise std of the model at intensities ``values``.

        Parameters
        ----------
        values : array_like
            Mean intensities.

        Returns
        -------
        ndarray of float64
        """
        u = np.exp(self._exponent(values))
        return np.sqrt(self.quantum_variance * u + self.electronic_variance * u * u)

    def counts(self, values: np.ndarray) -> np.ndarray:
        """Map pixel values to the detected quanta behind them, ``(v^2 / A) / u``.

        Parameters
        ----------
        values : array_like
            Pixel values.

        Returns
        -------
        ndarray of float64
            Positive counts; ``Var(M) = E[M] + s^2``.
        """
        return self.counts_at_reference * np.exp(-self._exponent(values))

    def values(self, counts: np.ndarray) -> np.ndarray:
        """Pixel values of (expected) counts, the inverse of :meth:`counts`.

        Parameters
        ----------
        counts : array_like
            Quanta; values below ``1e-12`` of the reference count are raised to it.

        Returns
        -------
        ndarray of float64
        """
        ratio = np.asarray(counts, dtype=np.float64) / self.counts_at_reference
        return self.reference - self.value_per_attenuation * np.log(np.maximum(ratio, 1e-12))

    def attenuation_span(self, values: ValueRange) -> float:
        """Line integrals a range of values spans for this detector, ``span / |v|``.

        Parameters
        ----------
        values : ValueRange
            The image's range of values (:func:`core.noise.value_range.value_range`).

        Returns
        -------
        float
        """
        return values.span / abs(self.value_per_attenuation)

    def signal_independent(self, values: ValueRange) -> bool:
        """Whether the fit spans too little attenuation over ``values`` for quantum noise.

        Signal-independent noise is a log detector's with ``|v|`` far beyond the range
        of values: its noise barely changes with intensity.

        Parameters
        ----------
        values : ValueRange
            The image's range of values.

        Returns
        -------
        bool
            True where :meth:`attenuation_span` is below :data:`PLAUSIBLE_ATTENUATION`.
        """
        return self.attenuation_span(values) < PLAUSIBLE_ATTENUATION[0]

    def span_problem(self, values: ValueRange) -> str | None:
        """Say why this fit is no radiograph's log detector over ``values``, or return None.

        A radiograph's range of values spans :data:`PLAUSIBLE_ATTENUATION` units of
        line integral. A fit spanning fewer describes noise that barely changes with
        intensity (:meth:`signal_independent`); one spanning more, noise changing
        faster than quantum noise can.

        Parameters
        ----------
        values : ValueRange
            The image's range of values (:func:`core.noise.value_range.value_range`).

        Returns
        -------
        str or None
            One line (no capital, no full stop), or None for a plausible span.
        """
        span = self.attenuation_span(values)
        low, high = PLAUSIBLE_ATTENUATION
        if low <= span <= high:
            return None
        verdict = (
            "too few for quantum noise: its noise barely changes with intensity"
            if self.signal_independent(values)
            else f"more than a radiograph's {high:g}: its noise changes faster than "
            "quantum noise does"
        )
        return (
            f"a log detector fitting its noise would span {span:.3g} units of attenuation "
            f"over its range of values, {values.describe()}, {verdict}"
        )

    def describe(self) -> str:
        """One line: slope, quanta at the reference intensity, electronic noise, fit error."""
        return (
            f"log detector {self.value_per_attenuation:.4g}/attenuation, "
            f"{self.counts_at_reference:.4g} quanta at {self.reference:.5g}, "
            f"electronic {self.electronic_noise:.3g} quanta, fit error {100 * self.rms_error:.1f}%"
        )


def _fit_at(
    slope: float, offsets: np.ndarray, sigmas: np.ndarray, counts: np.ndarray
) -> tuple[float, float, float] | None:
    """Best ``(cost, A, B)`` at one ``v``: NNLS on relative variance errors, ``B <= A``."""
    u = np.exp(np.clip(offsets / slope, -MAX_EXPONENT, MAX_EXPONENT))
    design = np.stack([u, u * u], axis=1) / (sigmas * sigmas)[:, None]
    weights = np.sqrt(counts)
    (a, b), _ = nnls(design * weights[:, None], weights)
    quantum_only = float(np.sum(counts * design[:, 0]) / np.sum(counts * design[:, 0] ** 2))
    best = None
    for candidate in ((a, b), (quantum_only, 0.0)):
        if not (candidate[0] > 0 and candidate[1] <= candidate[0]):
            continue
        ratio = design @ np.array(candidate)
        error = 0.5 * np.log(ratio)
        cost = float(np.sum(counts * error * error) / np.sum(counts))
        if best is None or cost < best[0]:
            best = (cost, float(candidate[0]), float(candidate[1]))
    return best


def _electronic_cost(
    electronic_noise: float,
    slope: float,
    offsets: np.ndarray,
    sigmas: np.ndarray,
    counts: np.ndarray,
) -> Callable[[float], float]:
    """Return the fit's cost at one ``v`` as a function of ``ln A`` (``B = s^2 A^2 / v^2``)."""
    u = np.exp(np.clip(offsets / slope, -MAX_EXPONENT, MAX_EXPONENT))
    variances = sigmas * sigmas
    ratio_b = (electronic_noise / slope) ** 2

    def cost(log_a: float) -> float:
        a = math.exp(log_a)
        error = 0.5 * np.log((a * u + ratio_b * a * a * u * u) / variances)
        return float(np.sum(counts * error * error) / np.sum(counts))

    return cost


def _fit_with_electronic(
    electronic_noise: float,
    slope: float,
    offsets: np.ndarray,
    sigmas: np.ndarray,
    counts: np.ndarray,
) -> tuple[float, float, float] | None:
    """Best ``(cost, A, B)`` at one ``v`` with the electronic noise ``s`` given.

    ``B = s^2 A^2 / v^2``, so only ``A`` is free: minimised over ``ln A`` around
    the quantum-only solution.
    """
    u = np.exp(np.clip(offsets / slope, -MAX_EXPONENT, MAX_EXPONENT))
    design = u / (sigmas * sigmas)
    quantum_only = float(np.sum(counts * design) / np.sum(counts * design**2))
    centre = math.log(quantum_only)
    cost = _electronic_cost(electronic_noise, slope, offsets, sigmas, counts)
    result = minimize_scalar(cost, bounds=(centre - 12.0, centre + 1.0), method="bounded")
    a = math.exp(float(result.x))
    b = (electronic_noise / slope) ** 2 * a * a
    return (float(result.fun), a, b) if b <= a else None


def _refined(
    fit_at: Callable[..., tuple[float, float, float] | None],
    slope: float,
    offsets: np.ndarray,
    sigmas: np.ndarray,
    counts: np.ndarray,
) -> float:
    """Minimise the cost over ``ln |v|`` between the grid neighbours of ``slope``."""
    step = math.log(SLOPE_SPAN[1] / SLOPE_SPAN[0]) / (N_SLOPES - 1)

    def cost(log_magnitude: float) -> float:
        fit = fit_at(math.copysign(math.exp(log_magnitude), slope), offsets, sigmas, counts)
        return math.inf if fit is None else fit[0]

    centre = math.log(abs(slope))
    # Slopes without a fit cost inf; the search steps around them (inf - inf inside it).
    with np.errstate(invalid="ignore"):
        result = minimize_scalar(cost, bounds=(centre - step, centre + step), method="bounded")
    if not (result.success and result.fun <= cost(centre)):
        return slope
    return math.copysign(math.exp(float(result.x)), slope)


def fit_log_detector(
    nlf: NoiseLevelFunction, *, electronic_noise: float | None = None, sign: int | None = None
) -> LogDetectorFit | None:
    """Fit a log detector's noise model to an estimated noise-level function.

    Parameters
    ----------
    nlf : NoiseLevelFunction
        From :func:`core.noise.estimate_noise_level_function`.
    electronic_noise : float, optional
        The electronic noise in quanta, if known: then only ``v`` and ``A`` are
        fitted (``B = s^2 A^2 / v^2``). The noise-level function of one image pins
        ``s`` down poorly, and a free ``B`` can trade against ``v``.
    sign : {1, -1} or None
        The sign of ``v`` where it is known (pixels brighter or darker with
        attenuation, from an earlier fit): only slopes of that sign are tried, in
        half the time. None tries both.

    Returns
    -------
    LogDetectorFit or None
        The best fit (check :attr:`LogDetectorFit.accepted`); None with fewer than
        4 bins or a zero noise level in a bin.
    """
    intensities, sigmas = nlf.intensities, nlf.sigmas
    counts = nlf.counts.astype(np.float64)
    if intensities.size < MIN_BINS or np.any(sigmas <= 0):
        return None
    reference = float(np.median(intensities))
    span = float(intensities[-1] - intensities[0])
    offsets = intensities - reference
    fit_at = (
        _fit_at if electronic_noise is None else partial(_fit_with_electronic, electronic_noise)
    )
    if sign not in (None, 1, -1):
        raise ValueError(f"sign must be 1, -1 or None, got {sign!r}")
    signs = (1.0, -1.0) if sign is None else (float(sign),)
    best = None
    for magnitude in np.geomspace(span * SLOPE_SPAN[0], span * SLOPE_SPAN[1], N_SLOPES):
        for slope in (magnitude * direction for direction in signs):
            fit = fit_at(slope, offsets, sigmas, counts)
            if fit is not None and (best is None or fit[0] < best[0][0]):
                best = (fit, slope)
    if best is None:
        return None
    slope = _refined(fit_at, best[1], offsets, sigmas, counts)
    cost, quantum, electronic = fit_at(slope, offsets, sigmas, counts) or best[0]
    standard_error = math.sqrt(float(np.mean(MAD_VARIANCE / counts)))
    return LogDetectorFit(
        float(slope), reference, quantum, electronic, math.sqrt(cost), standard_error
    )


def _allowed_cost(nlf: NoiseLevelFunction, fit: LogDetectorFit) -> float:
    """Return the fit's cost one standard error away: where its chi-square has risen by one.

    Each bin's ``ln sigma`` has variance ``MAD_VARIANCE / n``; where the model
    misses by more than that, the errors are scaled up by the reduced chi-square
    (as in weighted least squares).
    """
    counts = nlf.counts.astype(np.float64)
    degrees = max(nlf.intensities.size - 2, 1)
    total = float(np.sum(counts))
    inflation = max(fit.rms_error**2 * total / MAD_VARIANCE / degrees, 1.0)
    return fit.rms_error**2 + inflation * MAD_VARIANCE / total


def _crossing(
    excess: Callable[[float], float], start: float, direction: float, reach: float = math.inf
) -> float:
    """Find where ``excess`` first turns positive going from ``start`` (where it is not).

    Distances from :data:`FIRST_STEP`, doubled each time, find a bracket (``inf``,
    as for a slope without a fit, counts as positive); bisection then finds the
    crossing within :data:`CROSSING_TOLERANCE`. The search stops ``reach`` from
    ``start``.
    """
    inner, outer = 0.0, min(FIRST_STEP, reach)
    while not excess(start + direction * outer) > 0:
        if outer >= reach:
            return start + direction * reach
        inner, outer = outer, min(2.0 * outer, reach)
    while outer - inner > CROSSING_TOLERANCE:
        middle = 0.5 * (inner + outer)
        if excess(start + direction * middle) > 0:
            outer = middle
        else:
            inner = middle
    return start + direction * 0.5 * (inner + outer)


def _quantum_range(
    electronic_noise: float,
    slope: float,
    offsets: np.ndarray,
    sigmas: np.ndarray,
    counts: np.ndarray,
    allowed: float,
) -> tuple[float, float] | None:
    """Return the ``A`` range whose cost at one ``v`` stays within ``allowed``, or None.

    ``B = s^2 A^2 / v^2 <= A`` is kept, as in the fit.
    """
    best = _fit_with_electronic(electronic_noise, slope, offsets, sigmas, counts)
    if best is None or best[0] > allowed:
        return None
    cost = _electronic_cost(electronic_noise, slope, offsets, sigmas, counts)
    centre = math.log(best[1])
    low, high = (_crossing(lambda x: cost(x) - allowed, centre, d) for d in (-1.0, 1.0))
    if electronic_noise > 0:
        high = min(high, 2.0 * math.log(abs(slope) / electronic_noise))
    return math.exp(low), math.exp(high)


def _fit_interval(
    nlf: NoiseLevelFunction, fit: LogDetectorFit, value: float, electronic_noise: float
) -> tuple[float, float]:
    """Return the counts behind ``value`` over every ``(v, A)`` within one standard error."""
    counts = nlf.counts.astype(np.float64)
    offsets = nlf.intensities - fit.reference
    allowed = _allowed_cost(nlf, fit)
    sign = math.copysign(1.0, fit.value_per_attenuation)
    centre = math.log(abs(fit.value_per_attenuation))

    def excess(log_magnitude: float) -> float:
        slope = sign * math.exp(log_magnitude)
        best = _fit_with_electronic(electronic_noise, slope, offsets, nlf.sigmas, counts)
        return math.inf if best is None else best[0] - allowed

    ends = [_crossing(excess, centre, d, INTERVAL_REACH) for d in (-1.0, 1.0)]
    found = [fit.counts(np.array([value]))[0]]
    for log_magnitude in np.linspace(*ends, PROFILE_SLOPES):
        slope = sign * math.exp(log_magnitude)
        quanta = _quantum_range(electronic_noise, slope, offsets, nlf.sigmas, counts, allowed)
        if quanta is not None:
            exponent = np.clip((value - fit.reference) / slope, -MAX_EXPONENT, MAX_EXPONENT)
            found += [slope * slope / a * math.exp(-exponent) for a in quanta]
    return float(min(found)), float(max(found))


def counts_interval(
    nlf: NoiseLevelFunction,
    fit: LogDetectorFit,
    value: float,
    *,
    electronic_noise: float,
) -> tuple[float, float]:
    """Quanta behind ``value`` within one standard error: the fit's and the estimate's.

    The counts ``(v^2 / A) exp(-(value - p_ref) / v)`` hang on the slope ``v`` and
    the quantum variance ``A``, which the noise-level function pins down only so
    far. Each bin's ``ln sigma`` has variance ``MAD_VARIANCE / n``; the fit's
    chi-square, scaled up by its reduced value where the model misses by more than
    that (weighted least squares), rises by one at the ends of the fit's interval:
    the counts over every ``(v, A)`` within that rise (a profile likelihood
    interval, both parameters free).

    That error alone is several times too small: the noise-level function is
    biased itself (texture taken for noise where the noise is weak, the skewed log
    of few quanta where it is strong), by 1-7 % in the counts on the chest phantom
    at 100 to 20,000 quanta and 384 to 768 pixels, where the fit's interval held
    the truth in 17-70 % of the images. A relative error of
    :data:`ESTIMATE_ERROR` is therefore added in quadrature (in ``ln`` counts);
    with it the interval held the truth in 60-100 % (75 % at 512 pixels and 100,
    200 or 2000 quanta; ``tests/noise/test_counts_interval_coverage.py``). On
    smaller images the bias can be larger (-8 to -17 % at 256 pixels).

    Parameters
    ----------
    nlf : NoiseLevelFunction
        The noise-level function ``fit`` was made from.
    fit : LogDetectorFit
        From :func:`fit_log_detector` with the same ``electronic_noise``.
    value : float
        Pixel value whose counts are wanted (the unattenuated end of the range, say).
    electronic_noise : float
        As given to :func:`fit_log_detector`.

    Returns
    -------
    tuple of float
        ``(low, high)`` counts, around ``fit.counts(value)``; the fit's slopes are
        searched within a factor of 4 in ``|v|``.
    """
    centre = float(fit.counts(np.array([value]))[0])
    low, high = _fit_interval(nlf, fit, value, electronic_noise)
    below = math.hypot(math.log(centre / low), ESTIMATE_ERROR)
    above = math.hypot(math.log(high / centre), ESTIMATE_ERROR)
    return centre * math.exp(-below), centre * math.exp(above)


def log_detector_of(nlf: NoiseLevelFunction) -> LogDetectorFit | None:
    """Find the log detector behind a noise-level function, if one describes it.

    Parameters
    ----------
    nlf : NoiseLevelFunction
        From :func:`core.noise.estimate_noise_level_function`.

    Returns
    -------
    LogDetectorFit or None
        The fit of :func:`fit_log_detector` when it is :attr:`~LogDetectorFit.accepted`,
        the noise-level function spans at least :data:`MIN_SPAN_IN_SIGMAS` noise stds
        of intensity (over less, how the noise changes with intensity cannot be
        told from the noise itself: a small, nearly flat image), and the fit puts at
        least :data:`MIN_COUNTS_AT_REFERENCE` quanta behind the reference intensity.
    """
    span = float(nlf.intensities[-1] - nlf.intensities[0])
    if span < MIN_SPAN_IN_SIGMAS * float(np.median(nlf.sigmas)):
        return None
    fit = fit_log_detector(nlf)
    return fit if fit is not None and fit.taken else None


def electronic_noise_profile(
    nlf: NoiseLevelFunction, fit: LogDetectorFit, noises: np.ndarray, value: float
) -> tuple[np.ndarray, np.ndarray]:
    """Profile the fit over the electronic noise: its cost and the counts behind ``value``.

    For each electronic noise ``s`` the slope ``v`` is fitted again within a factor
    of 4 of ``fit``'s (:data:`INTERVAL_REACH`), with ``A`` free and ``B = s^2 A^2 / v^2``.

    Parameters
    ----------
    nlf : NoiseLevelFunction
        The noise-level function ``fit`` was made from.
    fit : LogDetectorFit
        A fit of ``nlf`` (with any electronic noise).
    noises : array_like
        Electronic noises in quanta (>= 0).
    value : float
        Pixel value whose counts are wanted.

    Returns
    -------
    costs : ndarray of float64
        The fit's cost (mean squared error of ``ln sigma``) at each noise; inf where
        no slope fits.
    counts : ndarray of float64
        The counts behind ``value`` at each noise; nan where no slope fits.
    """
    weights = nlf.counts.astype(np.float64)
    offsets = nlf.intensities - fit.reference
    sign = math.copysign(1.0, fit.value_per_attenuation)
    centre = math.log(abs(fit.value_per_attenuation))
    costs, counts = [], []
    for noise in np.asarray(noises, dtype=np.float64):
        fit_at = partial(_fit_with_electronic, float(noise))

        def cost(log_magnitude: float, fit_at=fit_at) -> float:
            best = fit_at(sign * math.exp(log_magnitude), offsets, nlf.sigmas, weights)
            return math.inf if best is None else best[0]

        with np.errstate(invalid="ignore"):
            result = minimize_scalar(
                cost,
                bounds=(centre - INTERVAL_REACH, centre + INTERVAL_REACH),
                method="bounded",
            )
        slope = sign * math.exp(float(result.x))
        best = fit_at(slope, offsets, nlf.sigmas, weights)
        if best is None:
            costs.append(math.inf)
            counts.append(math.nan)
            continue
        exponent = np.clip((value - fit.reference) / slope, -MAX_EXPONENT, MAX_EXPONENT)
        costs.append(best[0])
        counts.append(slope * slope / best[1] * math.exp(-exponent))
    return np.array(costs), np.array(counts)
