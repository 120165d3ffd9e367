"""What a user can choose about a denoise run: sampler, steps, seed, strength, tiles, device."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, replace

import numpy as np
import torch

from core import view_counts
from core.denoise.tiling import MIN_TILE
from core.denoise.uncertainty import SAMPLE_VARIANCE
from core.denoise.views import auto_views
from core.device import PRECISION_CHOICES, check_device_preference

SAMPLERS = ("ddim", "ddpm")

MAX_SEED = 2**64 - 1
"""Largest seed, that of an unsigned 64-bit integer. A CPU ``torch.Generator`` keeps only a
seed's low 32 bits, so a seed of 2**32 or more is folded to 32 bits by a hash of all its
bits (:func:`core.diffusion.sampler.torch_seed`): seeds that differ above bit 32 give other
noise, while each seed below 2**32 gives the noise it always gave."""


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _exact_number(value: float) -> str:
    """Write a number as ``:g`` does where that reads back as the same float, else by ``repr``.

    ``"1"`` for 1.0, ``"0.8"``, ``"1.2345678"`` (``:g`` alone gives ``"1.23457"``, which
    read back is another strength).
    """
    text = format(value, "g")
    return text if float(text) == value else repr(float(value))


def _rounded_down(value: float) -> float:
    """Round a positive number down to 3 significant digits (so that it stays allowed)."""
    unit = 10.0 ** (math.floor(math.log10(value)) - 2)
    return math.floor(value / unit) * unit


@dataclass(frozen=True)
class DenoiseSettings:
    """Settings of one denoise run.

    Parameters
    ----------
    sampler : {"ddim", "ddpm"}
        Deterministic DDIM [2]_ or ancestral DDPM [1]_ (which uses ``seed``). They differ
        only from 2 steps: a 1-step run goes from ``t*`` straight to 0, where DDPM adds
        no noise, so that it gives the DDIM result whatever the seed.
    n_steps : int
        Reverse-diffusion steps from ``t*`` to 0. 1 (the default) gives the posterior
        mean (Tweedie) estimate: on held-out films averaged 4 x 4 and zoomed 3 x it scored
        best at noisy PSNR 43, 36 and 30 dB (0.4-0.5 dB above 25 steps), and it is the
        fastest. More steps keep more texture.
    seed : int
        Seed of the DDPM step noise and of the uncertainty samples, from 0 to
        :data:`MAX_SEED` (``2**64 - 1``); one of 2**32 or more is folded to 32 bits
        (:func:`~core.diffusion.sampler.torch_seed`). The noise is drawn on the CPU
        and moved to the device, so a seed gives the same noise on every device.
    strength : float
        Multiplies the estimated noise level before ``t*`` is chosen: above 1
        smooths more, below 1 less (> 0). Any real number (a NumPy float too), kept
        as a float.
    tile_size : int or None
        Side of the square tiles the network sees, at least :data:`MIN_TILE` (64) and
        4 times ``tile_overlap`` (once the model is known, 4 times the overlap the run
        uses: ``tile_overlap`` rounded up to the size multiple, 17 to 32 for the
        shipped model), and a multiple of the network's size multiple (16 for
        the shipped model). Another is refused, not rounded (so that the tile used is
        the one asked for), once the model is known, naming the nearest multiples
        (:func:`~core.denoise.tiling.check_tile_size`: 500 gives "496 or 512"). None
        (the default) is auto: from the device's free memory (at most 512 on the CPU,
        2048 on a GPU; :func:`~core.denoise.tiling.auto_tiling`), but 512 on every
        device where ``precision`` is ``"float32"`` (:func:`~core.denoise.tiling.fixed_tile`). The
        network sees only its tile (and the overlap), so the tile changes the result;
        the one used is recorded (:attr:`DenoiseResult.tile_sizes`).
    tile_overlap : int
        Overlap of neighbouring tiles, blended with raised-cosine weights (>= 0;
        rounded up to the network's size multiple). ``tile_size`` must be at least
        4 times it.
    device : str
        ``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``
        (:func:`core.device.select_device`).
    precision : {"auto", "float32"}
        What the network computes in (:func:`core.device.inference_dtype`); the
        sampler's state and the blending of tiles and views stay float32. ``"auto"``
        (the default): float16 autocast on CUDA, bfloat16 autocast on a CPU with AMX
        (Intel Sapphire Rapids and later), float32 elsewhere (Apple MPS, other CPUs).
        ``"float32"``: float32 everywhere, and tiles of 512 px wherever ``tile_size``
        is auto, for comparing machines.
        On a 2-core Sapphire Rapids machine (torch 2.13, 2026-11-27) one evaluation of
        the shipped network on a 512 px image took 0.231 s in bfloat16 against 0.547 s
        in float32 (1 thread; ``benchmarks/network_cost.py``). The network's first layer
        reads ``x_t`` in float32 (rounded to bfloat16 it cost up to 0.89 dB); so, on 4
        held-out films (1 view), bfloat16 scored within 0.01 dB of float32 at noisy PSNR
        43, 36 and 30 dB.
        The precision used is recorded (:attr:`DenoiseResult.precision`). It also
        sets the number of views where ``views`` is None (auto).
    views : {1, 2, 4, 8} or None
        Geometric self-ensemble (:mod:`core.denoise.views`): the noise prediction of
        the denoise averaged over this many flipped and rotated views of the image,
        each a full network evaluation (1 is the fastest). None (the default) is
        auto, chosen from what the network computes in
        (:func:`~core.denoise.views.auto_views`): 4 in float16 or bfloat16, 2 in
        float32. The result's settings carry the count used (:meth:`with_views_for`).
        The uncertainty samples use the image alone.
    n_uncertainty_samples : int
        Seeded DDPM runs whose per-pixel standard deviation is the uncertainty
        map; 0 for none. Each step of them draws its noise with variance ``beta``
        (:data:`~core.denoise.uncertainty.SAMPLE_VARIANCE`), so that their spread
        approaches the posterior's at any number of steps; the map is the sampler's
        spread at these settings (:meth:`describe_uncertainty`).
    uncertainty_steps : int
        Steps of each of those runs; at least 2 when there are any (a 1-step run
        adds noise at the image's own level to the denoised image, so the map would
        show that level alone).

    References
    ----------
    .. [1] J. Ho, A. Jain, P. Abbeel. Denoising Diffusion Probabilistic Models.
       NeurIPS 2020.
    .. [2] J. Song, C. Meng, S. Ermon. Denoising Diffusion Implicit Models. ICLR 2021.
    """

    sampler: str = "ddim"
    n_steps: int = 1
    seed: int = 0
    strength: float = 1.0
    tile_size: int | None = None
    tile_overlap: int = 64
    device: str = "auto"
    precision: str = "auto"
    views: int | None = None
    n_uncertainty_samples: int = 0
    uncertainty_steps: int = 10

    def __post_init__(self) -> None:
        if self.sampler not in SAMPLERS:
            raise ValueError(f"sampler must be 'ddim' or 'ddpm', got {self.sampler!r}")
        for name in ("n_steps", "uncertainty_steps"):
            value = getattr(self, name)
            if not _is_int(value) or value < 1:
                words = "the number of steps" if name == "n_steps" else name  # --steps
                raise ValueError(f"{words} must be an integer >= 1, got {value!r}")
        if not _is_int(self.seed) or not 0 <= self.seed <= MAX_SEED:
            raise ValueError(f"seed must be an integer from 0 to 2**64 - 1, got {self.seed!r}")
        for name in ("tile_overlap", "n_uncertainty_samples"):
            value = getattr(self, name)
            if not _is_int(value) or value < 0:
                raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
        if self.n_uncertainty_samples == 1:
            raise ValueError("an uncertainty map needs at least 2 samples (0 for none), got 1")
        if self.n_uncertainty_samples and self.uncertainty_steps < 2:
            raise ValueError(
                f"uncertainty samples need uncertainty_steps >= 2, got {self.uncertainty_steps}: "
                "a 1-step sample is the denoised image plus fresh noise at the image's own "
                "level, so the uncertainty map would show that level alone"
            )
        if (
            isinstance(self.strength, bool)
            or not isinstance(self.strength, numbers.Real)
            or not math.isfinite(self.strength)
        ):
            raise ValueError(f"strength must be a number > 0, got {self.strength!r}")
        object.__setattr__(self, "strength", float(self.strength))
        if self.strength <= 0:
            raise ValueError(f"strength must be > 0, got {self.strength}")
        if self.tile_size is not None:
            if not _is_int(self.tile_size) or self.tile_size < MIN_TILE:
                raise ValueError(
                    f"the tile size must be an integer >= {MIN_TILE}, got {self.tile_size!r}"
                )
            if self.tile_size < 4 * self.tile_overlap:
                raise ValueError(
                    f"the tile size, {self.tile_size}, must be at least 4 x tile_overlap "
                    f"({4 * self.tile_overlap}): raise it, or lower the overlap "
                    f"({self.tile_overlap})"
                )
        if self.views is not None and (
            not _is_int(self.views) or self.views not in view_counts.VIEW_COUNTS
        ):
            raise ValueError(f"views must be {view_counts.view_counts_text()}, got {self.views!r}")
        check_device_preference(self.device)
        if self.precision not in PRECISION_CHOICES:
            raise ValueError(f"precision must be 'auto' or 'float32', got {self.precision!r}")

    def check_strength(self, noise_std: float, sigma_max: float) -> None:
        """Refuse a strength that would start the reverse diffusion beyond pure noise.

        The start ``t*`` is where the schedule's noise level is ``noise_std * strength``
        (:func:`core.diffusion.sampler.diffusion_start`); the schedule ends at
        ``sigma_max`` (``t = T``).

        Parameters
        ----------
        noise_std : float
            The image's noise standard deviation in the model domain (> 0).
        sigma_max : float
            The schedule's largest noise level.

        Raises
        ------
        ValueError
            If ``noise_std * strength > sigma_max``, naming ``--strength`` and the
            largest strength the image allows.
        """
        if noise_std * self.strength <= sigma_max:
            return
        largest = _rounded_down(sigma_max / noise_std)
        raise ValueError(
            f"--strength {_exact_number(self.strength)} puts the start beyond pure noise "
            f"(t > T): the noise level it sets, {noise_std * self.strength:.6g} in the model's "
            f"domain, exceeds the schedule's largest, {sigma_max:.6g}; at most --strength "
            f"{largest:.3g} for this image"
        )

    def with_views_for(self, dtype: torch.dtype) -> DenoiseSettings:
        """Choose the number of views, where it is auto, for a network computing in ``dtype``.

        Parameters
        ----------
        dtype : torch.dtype
            What the network computes in (:func:`core.device.inference_dtype`).

        Returns
        -------
        DenoiseSettings
            These settings where ``views`` is a number; else a copy with
            ``views = auto_views(dtype)`` (:func:`~core.denoise.views.auto_views`).
        """
        return self if self.views is not None else replace(self, views=auto_views(dtype))

    def describe_uncertainty(self) -> str:
        """Describe the uncertainty samples in words.

        Returns
        -------
        str
            For example ``"4 DDPM samples of 10 steps with beta step noise (seeds
            derived from seed 0)"``: the map is the spread of these samples.
        """
        return (
            f"{self.n_uncertainty_samples} DDPM samples of {self.uncertainty_steps} steps "
            f"with {SAMPLE_VARIANCE} step noise (seeds derived from seed {self.seed})"
        )

    def describe(self) -> str:
        """Sampler, steps, seed (DDPM only), strength, views and uncertainty samples in words.

        Returns
        -------
        str
            For example ``"DDIM, 1 step, strength 1, 4 views"`` or
            ``"DDPM, 10 steps, seed 3, strength 0.8, 1 view"``; ``"auto views"`` before
            the number is chosen (:meth:`with_views_for`). A 1-step DDPM run, which adds
            no noise, is ``"DDPM, 1 step (no noise added: the same as DDIM)"``, without
            the seed. The strength is written in full, as the shortest text that reads
            back as it (``"strength 1.2345678"``), so that given back it gives the same
            result. Where there are uncertainty samples, ``"uncertainty map of "`` and
            :meth:`describe_uncertainty` end it.
        """
        parts = [self.sampler.upper(), f"{self.n_steps} step" + ("s" if self.n_steps > 1 else "")]
        if self.sampler == "ddpm" and self.n_steps == 1:
            parts[-1] += " (no noise added: the same as DDIM)"
        elif self.sampler == "ddpm":
            parts.append(f"seed {self.seed}")
        parts.append(f"strength {_exact_number(self.strength)}")
        if self.views is None:
            parts.append("auto views")
        else:
            parts.append(f"{self.views} view" + ("s" if self.views > 1 else ""))
        if self.n_uncertainty_samples:
            parts.append(f"uncertainty map of {self.describe_uncertainty()}")
        return ", ".join(parts)
