"""Which diffusion times training visits: all of them, the denoising ones most.

Denoising starts the reverse process at the time whose noise level equals the image's
(about 0.01-0.2 in the model's ``[-1, 1]`` domain, ``t`` of roughly 2 to 120 of 1000 in
the cosine schedule), so those times get most of the training; the rest of ``[0, T]``
still gets some, for generation from pure noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.diffusion.schedule import NoiseSchedule


@dataclass(frozen=True)
class TimestepSampler:
    """A mixture of uniform time and log-uniform noise level.

    Parameters
    ----------
    focus_fraction : float
        Share of draws whose noise level ``sigma`` is log-uniform in ``focus_sigma``.
    focus_sigma : tuple of float
        Noise-level range of denoising, in the scaled domain.

    Notes
    -----
    The other draws are uniform in continuous time over ``[0, T]`` as in [1]_.
    Times are continuous because denoising starts at a fractional ``t*``.

    References
    ----------
    .. [1] J. Ho, A. Jain, P. Abbeel. Denoising Diffusion Probabilistic Models.
       NeurIPS 2020.
    """

    focus_fraction: float = 0.7
    focus_sigma: tuple[float, float] = (0.005, 0.3)

    def __post_init__(self) -> None:
        if not 0 <= self.focus_fraction <= 1:
            raise ValueError(f"focus_fraction must lie in [0, 1], got {self.focus_fraction}")
        if not 0 < self.focus_sigma[0] <= self.focus_sigma[1] < math.inf:
            raise ValueError(
                "focus_sigma must satisfy 0 < low <= high, both finite, got "
                f"{self.focus_sigma[0]:g} {self.focus_sigma[1]:g}"
            )

    def sample(self, schedule: NoiseSchedule, n: int, rng: np.random.Generator) -> np.ndarray:
        """Draw ``n`` times.

        Parameters
        ----------
        schedule : NoiseSchedule
            Maps noise levels to times.
        n : int
            How many.
        rng : numpy.random.Generator
            Source of randomness.

        Returns
        -------
        ndarray of float64, shape (n,)
            Times in ``[0, T]``.
        """
        focus = rng.random(n) < self.focus_fraction
        uniform_t = rng.uniform(0.0, schedule.n_timesteps, n)
        lo, hi = (math.log(s) for s in self.focus_sigma)
        focus_sigma = np.exp(rng.uniform(lo, hi, n))
        focus_t = schedule.timestep_for_sigma(np.minimum(focus_sigma, schedule.sigma_max))
        return np.where(focus, focus_t, uniform_t)

    def to_config(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict of the fields."""
        return {"focus_fraction": self.focus_fraction, "focus_sigma": list(self.focus_sigma)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> TimestepSampler:
        """Rebuild from :meth:`to_config` output."""
        return cls(config["focus_fraction"], tuple(config["focus_sigma"]))
