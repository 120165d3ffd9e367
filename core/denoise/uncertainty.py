"""Per-pixel spread of several samples, accumulated one sample at a time."""

from __future__ import annotations

import numpy as np


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
