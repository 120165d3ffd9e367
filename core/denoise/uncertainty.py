"""The uncertainty samples' step noise, and the per-pixel spread of the samples.

The uncertainty map is the per-pixel standard deviation of several seeded ancestral
(DDPM) runs from ``t*``: the sampler's spread at its settings. Each step of those runs
draws its noise with variance ``beta = 1 - abar_t / abar_s`` (:data:`SAMPLE_VARIANCE`),
not with that of the DDPM posterior, which takes the network's ``x_0`` prediction for
exact: then the last step, to ``t = 0``, adds no noise, every coarse step too little,
and the spread falls short of the posterior's by an amount set by the number of steps.
For data ``x_0 ~ N(0, 0.5^2)`` per pixel, an exact noise predictor and the noise level
``sigma* = 0.018`` of the shipped model on a 20,000-quanta image, the spread over the
posterior's (computed exactly) is, at 2, 5, 10, 20 and 40 steps:

- posterior variance, steps uniform in ``t`` (as before): 0.50, 0.74, 0.85, 0.91, 0.95;
  the best spacing of the steps (where the images are smooth on the scale of the noise):
  0.50, 0.74, 0.85, 0.92, 0.96; uniform in
  ``log sigma`` down to ``0.1 sigma*``: 0.10, 0.56, 0.77, 0.88, 0.94;
- ``beta``, steps uniform in ``t``: 1.000 at each.

``beta`` is exact where the images are smooth on the scale of the noise (the flat-prior
limit), and reads high where their prior is narrower than the noise: for
``x_0 ~ N(0, 0.018^2)`` at the same ``sigma*``, 1.19, 1.07, 1.04, 1.02 and 1.01 (the
posterior variance 0.49, 0.72, 0.83, 0.89, 0.94). Both tend to the posterior with more
steps; the cost stays one network evaluation per step and sample. The scripts behind these
figures, and the shipped model's map by step count, are kept in
``benchmarks/results/2026-11-28-uncertainty/``.

References
----------
.. [1] J. Ho, A. Jain, P. Abbeel. Denoising Diffusion Probabilistic Models. NeurIPS 2020,
   sec. 3.2.
"""

from __future__ import annotations

import numpy as np

SAMPLE_VARIANCE = "beta"
"""The variance of the uncertainty samples' step noise
(:func:`core.diffusion.sampler.reverse_step`)."""


class RunningMoments:
    """Welford's running mean and variance of same-shaped arrays, in float64.

    Memory stays at two arrays however many samples are added.

    References
    ----------
    .. [1] B. P. Welford, "Note on a method for calculating corrected sums of squares
       and products", Technometrics 4(3), 419-420, 1962.
    """

    def __init__(self) -> None:
        self.count = 0
        self._mean: np.ndarray | None = None
        self._m2: np.ndarray | None = None

    def add(self, sample: np.ndarray) -> None:
        """Add one sample."""
        x = np.asarray(sample, dtype=np.float64)
        self.count += 1
        if self._mean is None or self._m2 is None:
            self._mean, self._m2 = x.copy(), np.zeros_like(x)
            return
        delta = x - self._mean
        self._mean += delta / self.count
        self._m2 += delta * (x - self._mean)

    def std(self) -> np.ndarray:
        """Return the sample standard deviation (``ddof=1``), float32.

        The square root of the unbiased variance ``M2 / (N - 1)``, so that the map's
        scale does not depend on the number of samples: the population standard
        deviation, ``sqrt(M2 / N)``, reads ``sqrt((N - 1) / N)`` of it, 29 % low at
        ``N = 2``.

        Raises
        ------
        ValueError
            If fewer than 2 samples were added: one sample has no spread.
        """
        if self._m2 is None or self.count < 2:
            raise ValueError(f"a spread needs at least 2 samples, got {self.count}")
        return np.sqrt(self._m2 / (self.count - 1)).astype(np.float32)
