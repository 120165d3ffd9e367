"""A monotone map tabulated on a uniform grid, for applying it to millions of pixels fast."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

TABLE_SIZE = 65536
"""Grid points: spacing 1/65535 of the range, far finer than any noise level."""


@dataclass(frozen=True, eq=False)
class UniformTable:
    """A function tabulated on a uniform grid and read by linear interpolation.

    ``np.interp`` searches its table for every value; a uniform grid is read by index
    arithmetic, several times faster on a large image. For the smooth variance
    stabilisers here the interpolation error is of order ``h^2 f''``, negligible on
    this grid. Values outside ``[low, high]`` (or not finite) go to the exact function.

    Parameters
    ----------
    function : callable
        The exact map, vectorised over float64 arrays.
    low, high : float
        The tabulated interval, ``low < high``.
    values : ndarray of float64
        ``function`` on ``np.linspace(low, high, len(values))``.
    """

    function: Callable[[np.ndarray], np.ndarray]
    low: float
    high: float
    values: np.ndarray
    _slopes: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # values[i + 1] - values[i], once: each read then gathers one table less.
        object.__setattr__(self, "_slopes", np.append(np.diff(self.values), 0.0))

    @classmethod
    def of(
        cls,
        function: Callable[[np.ndarray], np.ndarray],
        low: float,
        high: float,
        size: int = TABLE_SIZE,
    ) -> UniformTable:
        """Tabulate ``function`` on ``size`` points from ``low`` to ``high`` (``low < high``)."""
        if not high > low:
            raise ValueError(f"need low < high, got {low} and {high}")
        return cls(function, float(low), float(high), function(np.linspace(low, high, size)))

    def __call__(self, x: np.ndarray | torch.Tensor) -> np.ndarray | torch.Tensor:
        """Evaluate at ``x`` (any shape), in float64.

        Parameters
        ----------
        x : array_like or Tensor
            Where to evaluate. A tensor is read with torch on its device, which must
            support float64 (not Apple MPS).

        Returns
        -------
        ndarray of float64, or Tensor of float64 on ``x``'s device
            The interpolated table; the exact function outside ``[low, high]`` and
            at values that are not finite. Within the table, bit for bit the
            textbook ``values[i] + (p - i) (values[i + 1] - values[i])`` at the grid
            position ``p = (x - low) (n - 1) / (high - low)``, ``i = floor(p)``.
        """
        if isinstance(x, torch.Tensor):
            return self._on_tensor(x)
        x = np.asarray(x, dtype=np.float64)
        if x.ndim == 0:  # arithmetic on 0-d arrays gives scalars, which take no out=
            return self(x.reshape(1))[0]
        last = self.values.size - 1
        position = x - self.low
        position *= last / (self.high - self.low)
        if position.size and 0.0 <= position.min() and position.max() <= last:
            index = position.astype(np.intp)  # >= 0: truncation is floor
            np.minimum(index, last - 1, out=index)
            position -= index  # the fraction of a grid step
            out = self._slopes[index]
            out *= position
            out += self.values[index]
            return out
        return self._with_outside(x, position, last)

    def _with_outside(self, x: np.ndarray, position: np.ndarray, last: int) -> np.ndarray:
        """Evaluate where some values lie outside the table (or are not finite)."""
        inside = (position >= 0) & (position <= last)
        index = np.where(inside, position, 0.0).astype(np.intp)
        np.minimum(index, last - 1, out=index)
        out = self.values[index]
        out += (position - index) * self._slopes[index]
        out[~inside] = self.function(x[~inside])
        return out

    def _on_tensor(self, x: torch.Tensor) -> torch.Tensor:
        """Evaluate a tensor with torch on its device: the steps of the array path."""
        values = torch.from_numpy(self.values).to(x.device)
        slopes = torch.from_numpy(self._slopes).to(x.device)
        last = self.values.size - 1
        position = x.to(torch.float64) - self.low
        position *= last / (self.high - self.low)
        inside = (position >= 0) & (position <= last)
        index = torch.where(inside, position, 0.0).long().clamp_(max=last - 1)
        fraction = position.sub_(index)
        out = slopes[index].mul_(fraction).add_(values[index])
        if not bool(inside.all()):
            outside = self.function(x[~inside].cpu().numpy().astype(np.float64))
            out[~inside] = torch.from_numpy(np.asarray(outside, dtype=np.float64)).to(x.device)
        return out
