"""The noise schedule: the only contract between the network and the samplers.

A schedule is a pure function of its name and length, computed once in float64.
A shipped schedule never changes; a different one gets a new name.

References
----------
.. [1] J. Ho, A. Jain, P. Abbeel. Denoising Diffusion Probabilistic Models.
   NeurIPS 2020.
.. [2] A. Nichol, P. Dhariwal. Improved Denoising Diffusion Probabilistic Models.
   ICML 2021.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

_MAX_BETA = 0.999

MAX_TIMESTEPS = 100_000
"""The most steps a schedule may have: its tables are built in a Python loop (0.1 s at
this length), so a typo or a hostile model card cannot make loading hang."""


def betas_for_alpha_bar(
    n_timesteps: int, alpha_bar: Callable[[float], float], max_beta: float = _MAX_BETA
) -> np.ndarray:
    """Discretise a continuous ``alpha_bar(s)``, ``s`` in [0, 1], into betas.

    ``beta_i = min(1 - alpha_bar((i + 1) / T) / alpha_bar(i / T), max_beta)``, exactly
    as improved-diffusion [1]_ builds it.

    Parameters
    ----------
    n_timesteps : int
        Number of diffusion steps T.
    alpha_bar : callable
        Cumulative product of ``1 - beta`` as a function of ``s = t / T``.
    max_beta : float
        Upper clip of each beta, which keeps the last steps finite.

    Returns
    -------
    ndarray of float64, shape (T,)
        ``betas[i]`` is the beta of the step from ``t = i`` to ``t = i + 1``.

    References
    ----------
    .. [1] A. Nichol, P. Dhariwal. Improved Denoising Diffusion Probabilistic Models.
       ICML 2021, eq. 17.
    """
    betas = [
        min(1 - alpha_bar((i + 1) / n_timesteps) / alpha_bar(i / n_timesteps), max_beta)
        for i in range(n_timesteps)
    ]
    return np.array(betas, dtype=np.float64)


def _cosine_v1_betas(n_timesteps: int) -> np.ndarray:
    return betas_for_alpha_bar(
        n_timesteps, lambda s: math.cos((s + 0.008) / 1.008 * math.pi / 2) ** 2
    )


_BETA_BUILDERS: dict[str, Callable[[int], np.ndarray]] = {"cosine-v1": _cosine_v1_betas}


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@dataclass(frozen=True)
class NoiseSchedule:
    """A named, frozen discrete diffusion schedule with a continuous-time view.

    Time ``t`` runs over ``[0, T]``: ``t = 0`` is the clean image and integer
    ``t = k`` is the state after ``k`` forward steps, so that
    ``x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps`` ([1]_, eq. 4) with
    ``abar_k = prod_{i < k} (1 - beta_i)``. In the scaled domain ``x_t / sqrt(abar_t)``
    the noise level is ``sigma_t = sqrt((1 - abar_t) / abar_t)``.

    Between integer steps, ``log sigma`` is interpolated linearly in ``t`` (on
    ``[1, T]``) and ``sigma^2`` linearly on ``[0, 1]`` (where ``sigma_0 = 0``); ``abar``
    follows as ``1 / (1 + sigma^2)``, so ``sigma``, ``abar`` and ``timestep_for_sigma``
    are exact inverses of one another at every real ``t``.

    Parameters
    ----------
    name : str
        Registered schedule name; ``"cosine-v1"`` is the cosine schedule of [2]_.
    n_timesteps : int
        Number of steps T.

    References
    ----------
    .. [1] J. Ho, A. Jain, P. Abbeel. Denoising Diffusion Probabilistic Models.
       NeurIPS 2020.
    .. [2] A. Nichol, P. Dhariwal. Improved Denoising Diffusion Probabilistic Models.
       ICML 2021.
    """

    name: str = "cosine-v1"
    n_timesteps: int = 1000
    betas: np.ndarray = field(init=False, repr=False, compare=False)
    alphas_cumprod: np.ndarray = field(init=False, repr=False, compare=False)
    sigmas: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or self.name not in _BETA_BUILDERS:
            known = ", ".join(sorted(_BETA_BUILDERS))
            raise ValueError(f"unknown noise schedule {self.name!r}; known: {known}")
        if not isinstance(self.n_timesteps, int) or isinstance(self.n_timesteps, bool):
            raise ValueError(f"n_timesteps must be an integer, got {self.n_timesteps!r}")
        if not 2 <= self.n_timesteps <= MAX_TIMESTEPS:
            raise ValueError(
                f"n_timesteps must lie in [2, {MAX_TIMESTEPS}], got {self.n_timesteps}"
            )
        betas = _BETA_BUILDERS[self.name](self.n_timesteps)
        # abar at integer t = 0..T; abar_0 = 1 (clean).
        alphas_cumprod = np.concatenate([[1.0], np.cumprod(1.0 - betas)])
        sigmas = np.sqrt((1.0 - alphas_cumprod) / alphas_cumprod)
        object.__setattr__(self, "betas", _frozen(betas))
        object.__setattr__(self, "alphas_cumprod", _frozen(alphas_cumprod))
        object.__setattr__(self, "sigmas", _frozen(sigmas))
        object.__setattr__(self, "_log_sigmas", np.log(sigmas[1:]))
        object.__setattr__(self, "_steps", np.arange(1, self.n_timesteps + 1, dtype=np.float64))

    @property
    def sigma_max(self) -> float:
        """Noise level at ``t = T``."""
        return float(self.sigmas[-1])

    def sigma(self, t: ArrayLike) -> float | np.ndarray:
        """Noise level of the scaled domain at (continuous) time ``t``.

        Parameters
        ----------
        t : float or array_like
            Times in ``[0, T]``.

        Returns
        -------
        float or ndarray of float64
            ``sigma_t = sqrt((1 - abar_t) / abar_t)``, a float for scalar input.
        """
        t_arr = self._check_times(t)
        low = t_arr < 1.0
        log_sigma = np.interp(np.maximum(t_arr, 1.0), self._steps, self._log_sigmas)
        out = np.where(low, self.sigmas[1] * np.sqrt(np.where(low, t_arr, 0.0)), np.exp(log_sigma))
        return float(out) if out.ndim == 0 else out

    def abar(self, t: ArrayLike) -> float | np.ndarray:
        """Cumulative signal fraction ``abar_t`` at (continuous) time ``t``.

        Parameters
        ----------
        t : float or array_like
            Times in ``[0, T]``.

        Returns
        -------
        float or ndarray of float64
            ``1 / (1 + sigma_t^2)``, which equals ``prod_{i < t}(1 - beta_i)`` at integer ``t``.
        """
        sigma = np.asarray(self.sigma(t))
        out = 1.0 / (1.0 + sigma * sigma)
        return float(out) if out.ndim == 0 else out

    def timestep_for_sigma(self, sigma: ArrayLike) -> float | np.ndarray:
        """Continuous time at which the scaled-domain noise level equals ``sigma``.

        Parameters
        ----------
        sigma : float or array_like
            Noise levels in ``[0, sigma_max]``.

        Returns
        -------
        float or ndarray of float64
            ``t`` with ``self.sigma(t) == sigma``.

        Raises
        ------
        ValueError
            If a noise level is negative, not finite or above ``sigma_max``.
        """
        s = np.asarray(sigma, dtype=np.float64)
        # A relative 1e-12 above sigma_max is rounding in sigma(T), not an error.
        if not np.all(np.isfinite(s)) or np.any(s < 0) or np.any(s > self.sigma_max * (1 + 1e-12)):
            raise ValueError(f"noise level must lie in [0, {self.sigma_max:.6g}], got {sigma!r}")
        s = np.minimum(s, self.sigma_max)
        sigma_1 = self.sigmas[1]
        low = s < sigma_1
        t_high = np.interp(np.log(np.maximum(s, sigma_1)), self._log_sigmas, self._steps)
        out = np.where(low, (s / sigma_1) ** 2, t_high)
        return float(out) if out.ndim == 0 else out

    def to_config(self) -> dict[str, Any]:
        """Return the JSON-serialisable fields that rebuild this schedule."""
        return {"name": self.name, "n_timesteps": self.n_timesteps}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> NoiseSchedule:
        """Rebuild a schedule from :meth:`to_config` output.

        Raises
        ------
        ValueError
            If `config` is not a dict of exactly those fields, or a value is of the
            wrong type or out of range (``n_timesteps`` of ``1000.0`` or ``10**9``).
        """
        if not isinstance(config, dict) or set(config) != {"name", "n_timesteps"}:
            raise ValueError(f"a schedule is {{name, n_timesteps}}, got {config!r}")
        return cls(name=config["name"], n_timesteps=config["n_timesteps"])

    def _check_times(self, t: ArrayLike) -> np.ndarray:
        t_arr = np.asarray(t, dtype=np.float64)
        if not np.all(np.isfinite(t_arr)) or np.any(t_arr < 0) or np.any(t_arr > self.n_timesteps):
            raise ValueError(f"time must lie in [0, {self.n_timesteps}], got {t!r}")
        return t_arr
