"""Training rows noised as a real low-dose radiograph is, rather than with white Gaussian noise.

The denoiser never sees Gaussian noise on a real image. It sees the detected quanta
(Poisson, plus the read-out's electronic noise) behind a log detector, stabilised by the
generalised Anscombe transform (GAT) and mapped affinely into the model's domain
(:mod:`core.denoise.domain`). There the noise has unit variance, but at a few quanta per
pixel it is skewed and bounded, which white noise is not.

A physically noised row takes a clean patch as a log detector's pixels: with
``z = (x + 1) / 2`` the pixel detects ``lambda = N0 exp(-L z)`` quanta on average, for an
attenuation span ``L`` and quanta behind no attenuation ``N0``. The detector reads
``M = max(Poisson(lambda) + N(0, s^2), 1)`` (the simulator's floor of one quantum,
:class:`core.noise.dose.DetectorModel`), and the row becomes

- the noisy image ``y = a (f(M) - m)`` with ``f = -GAT`` (the sign that keeps bright
  pixels bright),
- the clean target ``x0 = a (f*(lambda) - m)``, where ``f*(lambda)`` is the stabilised
  value whose GAT inverse (the closed-form exact unbiased inverse the denoiser applies,
  :meth:`core.noise.stabilize.GeneralizedAnscombe.inverse`) is ``lambda``,
- the noise ``eps = (y - x0) / a``, of unit variance but the real noise's shape,
- the time ``t`` whose noise level is ``a``.

``a`` and ``m`` map the clean stabilised patch's 0.1 and 99.9 percentiles onto -0.9 and
0.9, as the denoiser maps an image. ``N0`` is chosen so that ``a`` equals the noise level
of the time drawn for the row, so physical rows visit the same noise levels as the
Gaussian ones.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from core.diffusion.schedule import NoiseSchedule

SQRT_3_2 = math.sqrt(1.5)
MODEL_SPAN = 1.8
"""Width of the model-domain interval the stabilised percentiles land on (-0.9 to 0.9)."""
PERCENTILES = (0.1, 99.9)
COUNT_FLOOR = 1.0
QUANTA_LIMITS = (1.0, 1e8)
"""Quanta behind no attenuation that a row may use; outside them it stays Gaussian."""


@dataclass(frozen=True)
class PhysicalNoise:
    """Which training rows are noised physically, and the detectors they are drawn from.

    Parameters
    ----------
    fraction : float
        Chance that a row whose time is a denoising one (noise level at most
        ``max_sigma``) is noised physically; 0 trains on Gaussian noise only.
    attenuation_range : tuple of float
        Attenuation span ``L`` of the patch's intensity range (uniform): the darkest
        pixel detects ``exp(-L)`` of the quanta of the brightest-transmitted one.
    electronic_range : tuple of float
        Electronic noise ``s`` in quanta rms (uniform).
    max_sigma : float
        Largest model-domain noise level noised physically; above it (generation, not
        denoising) rows keep Gaussian noise.
    """

    fraction: float = 0.0
    attenuation_range: tuple[float, float] = (3.0, 7.0)
    electronic_range: tuple[float, float] = (0.0, 8.0)
    max_sigma: float = 0.3

    def __post_init__(self) -> None:
        if not 0 <= self.fraction <= 1:
            raise ValueError(f"physical noise fraction must lie in [0, 1], got {self.fraction}")
        lo, hi = self.attenuation_range
        if not 0 < lo <= hi:
            raise ValueError(f"attenuation_range must satisfy 0 < low <= high, got {lo}, {hi}")
        lo, hi = self.electronic_range
        if not 0 <= lo <= hi:
            raise ValueError(f"electronic_range must satisfy 0 <= low <= high, got {lo}, {hi}")
        if not self.max_sigma > 0:
            raise ValueError(f"max_sigma must be positive, got {self.max_sigma}")

    def to_config(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict of the fields."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> PhysicalNoise:
        """Rebuild from :meth:`to_config` output."""
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in config.items()})

    def apply(
        self,
        x0: np.ndarray,
        t: np.ndarray,
        noise: np.ndarray,
        schedule: NoiseSchedule,
        rng: np.random.Generator,
    ) -> None:
        """Noise a random share of a batch's rows physically, in place.

        Parameters
        ----------
        x0 : ndarray of float32, shape (N, 1, H, W)
            Clean patches in ``[-1, 1]``; a physical row's becomes its clean target.
        t : ndarray of float64, shape (N,)
            Times; a physical row's becomes the time of its noise level.
        noise : ndarray of float32, shape (N, 1, H, W)
            Gaussian noise; a physical row's becomes its normalised physical noise.
        schedule : NoiseSchedule
            Maps times to noise levels and back.
        rng : numpy.random.Generator
            All randomness comes from here (nothing is drawn when ``fraction`` is 0).
        """
        if self.fraction == 0:
            return
        chosen = rng.random(len(t)) < self.fraction
        for row in np.flatnonzero(chosen):
            sigma = float(schedule.sigma(t[row]))
            if sigma > self.max_sigma:
                continue
            span = rng.uniform(*self.attenuation_range)
            electronic = rng.uniform(*self.electronic_range)
            drawn = physical_row(x0[row, 0], sigma, span, electronic, rng)
            if drawn is None:
                continue
            x0[row, 0], noise[row, 0], level = drawn
            t[row] = schedule.timestep_for_sigma(level)


def stabilised_mean(quanta: np.ndarray, electronic: float) -> np.ndarray:
    """Return the GAT value whose exact unbiased inverse is ``quanta`` (the clean value).

    Solves ``I(D) = quanta`` for the closed-form inverse of Makitalo and Foi,
    ``I(D) = D^2/4 + sqrt(3/2)/(4 D) - 11/(8 D^2) + 5 sqrt(3/2)/(8 D^3) - 1/8 - s^2``,
    by Newton's method from ``D = 2 sqrt(quanta + s^2 + 1/8)``. ``I`` increases for
    ``D >= 1``, where ``I(1) < 0``, so every ``quanta >= 0`` has one root there.

    Parameters
    ----------
    quanta : ndarray
        Mean detected quanta, ``>= 0``.
    electronic : float
        Electronic noise ``s`` in quanta rms.

    Returns
    -------
    ndarray of float64
    """
    target = np.asarray(quanta, dtype=np.float64) + electronic**2
    d = np.maximum(2.0 * np.sqrt(target + 0.125), 1.0)
    for _ in range(4):  # from this start, 4 steps reach float64 rounding
        value = d * d / 4 + SQRT_3_2 / (4 * d) - 11 / (8 * d * d) + 5 * SQRT_3_2 / (8 * d**3)
        slope = d / 2 - SQRT_3_2 / (4 * d * d) + 11 / (4 * d**3) - 15 * SQRT_3_2 / (8 * d**4)
        d = np.maximum(d - (value - 0.125 - target) / slope, 1.0)
    return d


def _quanta_for_level(
    relative: tuple[float, float], sigma: float, electronic: float
) -> float | None:
    """``N0`` whose clean stabilised percentiles lie ``MODEL_SPAN / sigma`` apart, if any."""
    wanted = MODEL_SPAN / sigma

    def span(log_n0: float) -> float:
        low, high = stabilised_mean(math.exp(log_n0) * np.asarray(relative), electronic)
        return float(high - low)

    lo, hi = (math.log(q) for q in QUANTA_LIMITS)
    if not span(lo) <= wanted <= span(hi):
        return None
    for _ in range(30):  # the span grows with N0 (as its square root); 30 halvings: 2e-8
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if span(mid) < wanted else (lo, mid)
    return math.exp((lo + hi) / 2)


def physical_row(
    patch: np.ndarray,
    sigma: float,
    attenuation_span: float,
    electronic: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, float] | None:
    """Noise one clean patch physically at (close to) a model-domain noise level.

    Parameters
    ----------
    patch : ndarray, shape (H, W)
        Clean patch in ``[-1, 1]``, read as a log detector's pixels (bright attenuates).
    sigma : float
        Wanted model-domain noise level.
    attenuation_span : float
        ``L``: the patch's ``[-1, 1]`` spans transmissions ``1`` to ``exp(-L)``.
    electronic : float
        Electronic noise in quanta rms.
    rng : numpy.random.Generator
        Draws the quanta and the electronic noise.

    Returns
    -------
    tuple or None
        ``(x0, eps, level)``: the clean target and the normalised noise (float32, shape
        of ``patch``) and the row's noise level ``a``; None where no number of quanta
        within :data:`QUANTA_LIMITS` gives ``sigma`` (a flat patch, a level too high).
    """
    relative = np.exp(-attenuation_span * (patch.astype(np.float64) + 1.0) / 2.0)
    low, high = np.percentile(relative, PERCENTILES)
    n0 = _quanta_for_level((low, high), sigma, electronic)
    if n0 is None:
        return None
    quanta = n0 * relative
    clean = -stabilised_mean(quanta, electronic)
    top, bottom = -stabilised_mean(n0 * np.array([low, high]), electronic)
    level = MODEL_SPAN / (top - bottom)
    middle = (top + bottom) / 2
    counts = rng.poisson(quanta) + rng.normal(0.0, electronic, quanta.shape)
    noisy = -2.0 * np.sqrt(np.maximum(counts, COUNT_FLOOR) + 0.375 + electronic**2)
    x0 = (level * (clean - middle)).astype(np.float32)
    eps = (noisy - clean).astype(np.float32)
    return x0, eps, float(level)
