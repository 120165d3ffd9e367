"""Variance-stabilising transforms: signal-dependent noise in, unit-variance noise out.

Three stabilisers share one interface, :class:`VarianceStabilizer`:

* :class:`GeneralizedAnscombe` for Poisson-Gaussian data ``z = alpha p + n``,
  ``p ~ Poisson(y)``, ``n ~ N(mu, sigma^2)``, with the closed-form
  approximation of the exact unbiased inverse of Makitalo and Foi [1]_ [2]_;
* :class:`LogDetectorStabilizer` for a log detector's pixels
  (:mod:`core.noise.logdetector`): the GAT of the counts behind them, whose
  inverse estimates the clean pixel, not the (biased) mean noisy one;
* :class:`NoiseLevelStabilizer` for any estimated noise-level function
  ``sigma(y)``: ``f(y) = integral dy / sigma(y)`` computed numerically, with a
  first-order (delta-method) unbiased inverse.

"Inverse" means the inverse a denoiser needs: a denoiser working on
stabilised data estimates ``E[f(z)]``, not ``f(E[z])``, so the inverse maps
``E[f(z) | y]`` back to ``y``. The plain algebraic inverse of ``f`` is biased
wherever ``f`` bends over the noise, which is at low counts.

References
----------
.. [1] M. Makitalo, A. Foi, "Optimal inversion of the generalized Anscombe
   transformation for Poisson-Gaussian noise", IEEE Trans. Image Process.
   22(1), 91-103, 2013.
.. [2] M. Makitalo, A. Foi, "A closed-form approximation of the exact unbiased
   inverse of the Anscombe variance-stabilizing transformation", IEEE Trans.
   Image Process. 20(9), 2697-2698, 2011.
.. [3] A. Foi, "Clipped noisy images: heteroskedastic modeling and practical
   denoising", Signal Processing 89(12), 2609-2629, 2009.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from core.noise.estimate import NoiseLevelFunction
from core.noise.logdetector import LogDetectorFit

__all__ = [
    "FLOAT32_MAX",
    "GeneralizedAnscombe",
    "LogDetectorStabilizer",
    "NoiseLevelStabilizer",
    "VarianceStabilizer",
]

SQRT_3_2 = math.sqrt(1.5)


@runtime_checkable
class VarianceStabilizer(Protocol):
    """A transform after which the noise is approximately N(0, ``noise_std_after``^2)."""

    @property
    def noise_std_after(self) -> float:
        """Noise std of stabilised data (1 for both stabilisers here)."""

    def forward(self, values: np.ndarray) -> np.ndarray:
        """Stabilise noisy values."""

    def inverse(self, stabilised: np.ndarray) -> np.ndarray:
        """Map (denoised) stabilised values, estimates of ``E[f(z)]``, back to intensities."""


FLOAT32_MAX = float(np.finfo(np.float32).max)
"""The largest float32: larger values, or sums of them, overflow to infinity there (in the
stabilisers' arithmetic, or in the float32 a simulated image is stored in)."""


def _as_float64(name: str, values: np.ndarray) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if np.any(np.isnan(array)):
        raise ValueError(f"{name} contain NaN; replace them first")
    if not np.all(np.isfinite(array)):  # an image as read is finite: float32 overflowed
        raise ValueError(
            f"{name} contain infinity: values too large to process in float32 (beyond "
            f"{FLOAT32_MAX:.3g}, or near it) overflow to it; scale the image down first"
        )
    return array


@dataclass(frozen=True)
class GeneralizedAnscombe:
    """The generalised Anscombe transform (GAT) and its exact unbiased inverse.

    For ``z = gain * p + n``, ``p ~ Poisson(y)``, ``n ~ N(mu, sigma^2)``:
    ``f(z) = (2 / gain) sqrt(max(gain z + 3/8 gain^2 + sigma^2 - gain mu, 0))``,
    after which the noise is close to N(0, 1) (within a few per cent of unit
    variance above a few counts).

    Parameters
    ----------
    gain : float
        ``alpha`` > 0, the value of one Poisson count.
    sigma : float
        Std of the Gaussian component (>= 0).
    mu : float
        Mean of the Gaussian component (the pedestal).

    References
    ----------
    .. [1] M. Makitalo, A. Foi, "Optimal inversion of the generalized Anscombe
       transformation for Poisson-Gaussian noise", IEEE Trans. Image Process.
       22(1), 91-103, 2013.
    .. [2] J.-L. Starck, F. Murtagh, A. Bijaoui, "Image Processing and Data
       Analysis: The Multiscale Approach", Cambridge University Press, 1998.
    """

    gain: float
    sigma: float = 0.0
    mu: float = 0.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.gain) and self.gain > 0):
            raise ValueError(
                f"gain must be > 0, got {self.gain}; for noise that does not grow with the "
                "signal use NoiseLevelStabilizer"
            )
        if not (math.isfinite(self.sigma) and self.sigma >= 0):
            raise ValueError(f"sigma must be finite and >= 0, got {self.sigma}")
        if not math.isfinite(self.mu):
            raise ValueError(f"mu must be finite, got {self.mu}")

    @classmethod
    def from_poisson_gaussian(cls, a: float, b: float) -> GeneralizedAnscombe:
        """Build the GAT for ``Var(z) = a E[z] + b``.

        ``a = gain`` and ``b = sigma^2 - gain mu``: a negative ``b`` becomes a
        pedestal ``mu = -b / a`` with ``sigma = 0``.

        Parameters
        ----------
        a, b : float
            Slope and intercept of the variance as a function of the mean.

        Returns
        -------
        GeneralizedAnscombe
        """
        if not (math.isfinite(a) and a > 0 and math.isfinite(b)):
            raise ValueError(
                f"need a finite slope a > 0 and a finite intercept b, got a={a}, b={b}; for "
                "noise that does not grow with the signal use NoiseLevelStabilizer"
            )
        if b >= 0:
            return cls(gain=a, sigma=math.sqrt(b), mu=0.0)
        return cls(gain=a, sigma=0.0, mu=-b / a)

    @classmethod
    def from_noise_level_function(cls, nlf: NoiseLevelFunction) -> GeneralizedAnscombe:
        """Build the GAT from the Poisson-Gaussian fit of an estimated noise-level function.

        Parameters
        ----------
        nlf : NoiseLevelFunction
            Must carry a fit with ``a > 0``.

        Returns
        -------
        GeneralizedAnscombe
        """
        if nlf.poisson_gaussian is None:
            raise ValueError(
                "the noise-level function has no Poisson-Gaussian fit; "
                "use NoiseLevelStabilizer.from_noise_level_function"
            )
        return cls.from_poisson_gaussian(*nlf.poisson_gaussian)

    @property
    def noise_std_after(self) -> float:
        """Noise std after the transform: 1."""
        return 1.0

    @property
    def _sigma_counts(self) -> float:
        return self.sigma / self.gain

    def forward(self, values: np.ndarray) -> np.ndarray:
        """Apply the GAT.

        Parameters
        ----------
        values : array_like
            Noisy values ``z``.

        Returns
        -------
        ndarray of float64
        """
        counts = (_as_float64("values", values) - self.mu) / self.gain
        return 2.0 * np.sqrt(np.maximum(counts + 0.375 + self._sigma_counts**2, 0.0))

    def inverse(self, stabilised: np.ndarray) -> np.ndarray:
        """Exact unbiased inverse, closed-form approximation of Makitalo and Foi.

        ``I(D) = D^2/4 + sqrt(3/2)/(4 D) - 11/(8 D^2) + 5 sqrt(3/2)/(8 D^3)
        - 1/8 - sigma^2`` in counts, clipped at 0, then ``gain * I + mu``.
        The expansion is increasing for ``D >= 1`` and negative below about
        ``2 sqrt(3/8)``; smaller ``D`` map to 0 counts, so the inverse is
        monotone everywhere.

        Parameters
        ----------
        stabilised : array_like
            Estimates of ``E[f(z)]`` (e.g. denoised stabilised data).

        Returns
        -------
        ndarray of float64
            Estimates of ``E[z]``.

        References
        ----------
        .. [1] M. Makitalo, A. Foi, "Optimal inversion of the generalized
           Anscombe transformation for Poisson-Gaussian noise", IEEE Trans.
           Image Process. 22(1), 91-103, 2013.
        .. [2] M. Makitalo, A. Foi, "A closed-form approximation of the exact
           unbiased inverse of the Anscombe variance-stabilizing
           transformation", IEEE Trans. Image Process. 20(9), 2697-2698, 2011.
        """
        d = np.maximum(_as_float64("stabilised values", stabilised), 1.0)
        counts = (
            d * d / 4.0
            + SQRT_3_2 / (4.0 * d)
            - 11.0 / (8.0 * d * d)
            + 5.0 * SQRT_3_2 / (8.0 * d**3)
            - 0.125
            - self._sigma_counts**2
        )
        return self.gain * np.maximum(counts, 0.0) + self.mu

    def algebraic_inverse(self, stabilised: np.ndarray) -> np.ndarray:
        """Plain inverse of ``f``: unbiased for ``f(E[z])``, biased for ``E[f(z)]`` at low counts.

        Parameters
        ----------
        stabilised : array_like
            Stabilised values.

        Returns
        -------
        ndarray of float64
        """
        d = _as_float64("stabilised values", stabilised)
        counts = np.maximum(d * d / 4.0 - 0.375 - self._sigma_counts**2, 0.0)
        return self.gain * counts + self.mu


@dataclass(frozen=True)
class LogDetectorStabilizer:
    """The GAT of the quanta behind a log detector's pixels.

    ``f(p) = +-GAT(M(p))`` with ``M(p)`` the counts of the fitted detector
    (:meth:`LogDetectorFit.counts`, Poisson with electronic noise ``s``), the
    sign chosen so that ``f`` increases with ``p``. :meth:`inverse` applies the
    GAT's exact unbiased inverse, an estimate of ``E[M]``, and maps that to
    pixels: the clean value, free of the log's bias ``Var(p) / (2 v)``, which
    the delta-method inverse of :class:`NoiseLevelStabilizer` keeps.

    Parameters
    ----------
    fit : LogDetectorFit
        From :func:`core.noise.logdetector.fit_log_detector`.
    """

    fit: LogDetectorFit

    @property
    def noise_std_after(self) -> float:
        """Noise std after the transform: 1."""
        return 1.0

    @property
    def _gat(self) -> GeneralizedAnscombe:
        return GeneralizedAnscombe(gain=1.0, sigma=self.fit.electronic_noise)

    @property
    def _sign(self) -> float:
        # Counts fall as the pixel value rises when v > 0.
        return -1.0 if self.fit.value_per_attenuation > 0 else 1.0

    def forward(self, values: np.ndarray) -> np.ndarray:
        """Stabilise noisy pixel values.

        Parameters
        ----------
        values : array_like
            Noisy pixel values.

        Returns
        -------
        ndarray of float64
        """
        counts = self.fit.counts(_as_float64("values", values))
        return self._sign * self._gat.forward(counts)

    def inverse(self, stabilised: np.ndarray) -> np.ndarray:
        """Exact unbiased inverse of the counts' GAT, then the detector: clean pixel values.

        Parameters
        ----------
        stabilised : array_like
            Estimates of ``E[f(z)]``.

        Returns
        -------
        ndarray of float64
        """
        stabilised = _as_float64("stabilised values", stabilised)
        return self.fit.values(self._gat.inverse(self._sign * stabilised))

    def algebraic_inverse(self, stabilised: np.ndarray) -> np.ndarray:
        """Plain inverse of ``f``, for noisy states.

        Parameters
        ----------
        stabilised : array_like
            Stabilised values.

        Returns
        -------
        ndarray of float64
        """
        stabilised = _as_float64("stabilised values", stabilised)
        return self.fit.values(self._gat.algebraic_inverse(self._sign * stabilised))


def _interp_linear_ends(
    x: np.ndarray, xp: np.ndarray, fp: np.ndarray, slopes: tuple[float, float]
) -> np.ndarray:
    """Interpolate linearly in the table, extrapolate with the given end slopes."""
    inside = np.interp(x, xp, fp)
    below = fp[0] + (x - xp[0]) * slopes[0]
    above = fp[-1] + (x - xp[-1]) * slopes[1]
    return np.where(x < xp[0], below, np.where(x > xp[-1], above, inside))


MAX_NOISE_SLOPE = 0.5
"""The largest ``|d sigma / d intensity|`` the unbiased inverse trusts (see
:class:`NoiseLevelStabilizer`)."""


@dataclass(frozen=True, eq=False)
class NoiseLevelStabilizer:
    """Stabiliser built from a noise-level function: ``f(y) = integral dy / sigma(y)``.

    ``f`` is tabulated on a fine grid over the NLF's bins (trapezoid rule) and
    extended linearly beyond them, where the NLF is flat. The inverse is
    first-order unbiased: by the delta method
    ``E[f(z)] ~ f(y) + f''(y) sigma(y)^2 / 2 = f(y) - sigma'(y) / 2``, so
    :meth:`inverse` solves ``f(y) - sigma'(y) / 2 = D`` by interpolation, and
    :meth:`algebraic_inverse` solves ``f(y) = D``. The correction is the
    leading term of the bias; it is exact enough where ``sigma`` changes little
    over one ``sigma`` (a few counts and up for Poisson-like noise) [1]_. The slope
    ``sigma'`` is clipped to :data:`MAX_NOISE_SLOPE`: Poisson noise, seen directly or
    through a log detector, has ``|sigma'| <= 1/2`` wherever a pixel holds one
    quantum or more, and a steeper slope comes from a noise curve fitted over a narrow
    range of intensities (a small, flat image), where it would shift the result by
    several sigma.

    Parameters
    ----------
    grid : ndarray of float64
        Intensities, strictly increasing.
    stabilised : ndarray of float64
        ``f(grid)``, strictly increasing.
    expected : ndarray of float64
        ``f(grid) - sigma'(grid) / 2``, non-decreasing.
    end_sigmas : tuple of float
        Noise std below and above the grid, where ``f`` is linear.

    References
    ----------
    .. [1] A. Foi, "Clipped noisy images: heteroskedastic modeling and
       practical denoising", Signal Processing 89(12), 2609-2629, 2009.
    .. [2] M. S. Bartlett, "The square root transformation in analysis of
       variance", Suppl. J. R. Stat. Soc. 3(1), 68-78, 1936.
    """

    grid: np.ndarray
    stabilised: np.ndarray
    expected: np.ndarray
    end_sigmas: tuple[float, float]

    def __post_init__(self) -> None:
        arrays = [
            np.array(a, dtype=np.float64) for a in (self.grid, self.stabilised, self.expected)
        ]
        if any(a.ndim != 1 or a.shape != arrays[0].shape or a.size < 2 for a in arrays):
            raise ValueError("grid, stabilised and expected must be 1-D of one length >= 2")
        grid, stabilised, expected = arrays
        if not (np.all(np.diff(grid) > 0) and np.all(np.diff(stabilised) > 0)):
            raise ValueError("grid and stabilised must be strictly increasing")
        if not np.all(np.diff(expected) >= 0):
            raise ValueError("expected must be non-decreasing")
        if not all(math.isfinite(e) and e > 0 for e in self.end_sigmas):
            raise ValueError(f"end_sigmas must be > 0, got {self.end_sigmas}")
        for name, array in zip(("grid", "stabilised", "expected"), arrays, strict=True):
            array.flags.writeable = False
            object.__setattr__(self, name, array)

    @classmethod
    def from_noise_level_function(
        cls, nlf: NoiseLevelFunction, *, n_grid: int = 4097
    ) -> NoiseLevelStabilizer:
        """Tabulate the stabiliser of an (estimated) noise-level function.

        Parameters
        ----------
        nlf : NoiseLevelFunction
            Noise std as a function of intensity; every bin's sigma must be > 0.
        n_grid : int
            Grid points between the first and the last bin (>= 16).

        Returns
        -------
        NoiseLevelStabilizer
        """
        if not (isinstance(n_grid, int) and n_grid >= 16):
            raise ValueError(f"n_grid must be an integer >= 16, got {n_grid!r}")
        if np.any(nlf.sigmas <= 0):
            raise ValueError(
                "the noise-level function has a zero noise level; a stabiliser needs "
                "sigma > 0 everywhere (estimate it on unclipped data)"
            )
        low, high = nlf.intensities[0], nlf.intensities[-1]
        if high == low:
            high = low + nlf.sigmas[0]  # one bin: constant sigma, any span will do
        grid = np.linspace(low, high, n_grid)
        sigma = nlf(grid)
        slope = 1.0 / sigma
        stabilised = np.concatenate(
            [[0.0], np.cumsum((slope[1:] + slope[:-1]) / 2.0 * np.diff(grid))]
        )
        noise_slope = np.clip(nlf.derivative(grid), -MAX_NOISE_SLOPE, MAX_NOISE_SLOPE)
        expected = np.maximum.accumulate(stabilised - noise_slope / 2.0)
        return cls(grid, stabilised, expected, (float(sigma[0]), float(sigma[-1])))

    @property
    def noise_std_after(self) -> float:
        """Noise std after the transform: 1."""
        return 1.0

    def forward(self, values: np.ndarray) -> np.ndarray:
        """Stabilise noisy values.

        Parameters
        ----------
        values : array_like
            Noisy intensities.

        Returns
        -------
        ndarray of float64
        """
        low, high = self.end_sigmas
        return _interp_linear_ends(
            _as_float64("values", values), self.grid, self.stabilised, (1 / low, 1 / high)
        )

    def inverse(self, stabilised: np.ndarray) -> np.ndarray:
        """First-order unbiased inverse: solve ``f(y) - sigma'(y) / 2 = D``.

        Parameters
        ----------
        stabilised : array_like
            Estimates of ``E[f(z)]``.

        Returns
        -------
        ndarray of float64
        """
        low, high = self.end_sigmas
        return _interp_linear_ends(
            _as_float64("stabilised values", stabilised), self.expected, self.grid, (low, high)
        )

    def algebraic_inverse(self, stabilised: np.ndarray) -> np.ndarray:
        """Plain inverse of ``f`` (biased for ``E[f(z)]`` where sigma changes fast).

        Parameters
        ----------
        stabilised : array_like
            Stabilised values.

        Returns
        -------
        ndarray of float64
        """
        low, high = self.end_sigmas
        return _interp_linear_ends(
            _as_float64("stabilised values", stabilised), self.stabilised, self.grid, (low, high)
        )
