"""What a denoise run reports while it runs, and what it returns."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.denoise.domain import NoiseEstimate
from core.denoise.low_quanta import LowQuantaWarning
from core.denoise.settings import DenoiseSettings
from core.image import XrayImage
from core.io.source_record import DENOISED_BY

NOISE_LEFT_NOTE = "white-noise estimate; not the remaining error, which is correlated"
"""What :attr:`DenoiseResult.noise_after`, the pixel-scale noise left, is and is not,
wherever it is shown: the white-noise estimator misses the correlated error a denoiser
leaves, so the input's noise over it is no noise reduction."""
TILES = re.compile(r"tile [0-9]+(?: then [0-9]+)* overlap [0-9]+")
"""What a result's description records of its tiles (:func:`describe_tiles`)."""


def describe_tiles(sizes: Sequence[int], overlap: int) -> str:
    """Say which tiles the network was run on: ``"tile 512 overlap 64"``.

    Parameters
    ----------
    sizes : sequence of int
        The tile sides used, in order: one unless an out-of-memory error halved the
        tile during the run.
    overlap : int
        The overlap of neighbouring tiles, as the evaluator rounded it.

    Returns
    -------
    str
        ``"tile 1024 then 512 overlap 64"`` where the tile was halved; matched by
        :data:`TILES`.
    """
    return f"tile {' then '.join(map(str, sizes))} overlap {overlap}"


@dataclass(frozen=True)
class TileProgress:
    """One network call done, or the preparation before them (step 0, tile 0).

    For progress bars, and a point where the run can be cancelled.

    Parameters
    ----------
    run : int
        0 for the denoise itself, ``1..n_runs - 1`` for the uncertainty samples.
    n_runs : int
        Runs in the job.
    step : int
        The step being computed, from 1; 0 once the noise is estimated and the image
        stabilised, before the first network call.
    n_steps : int
        Steps of this run.
    tile : int
        Tiles done in this step, from 1 (0 in step 0).
    n_tiles : int
        Network calls per step: tiles (fewer, larger ones unless memory ran out)
        times views (:attr:`DenoiseSettings.views`, as chosen where auto); in step 0,
        those planned for step 1.
    fraction : float
        Share of the whole job done, in ``[0, 1]``, weighted by network evaluations:
        a step of the denoise counts ``views`` of them, a step of an uncertainty
        sample one, and the preparation a share of its own. It never decreases and
        is exactly 1.0 after the last network call.
    elapsed : float
        Seconds since the run started.
    remaining : float or None
        Estimated seconds left, from the rate of the network calls so far (0 after
        the last); None before the first.
    """

    run: int
    n_runs: int
    step: int
    n_steps: int
    tile: int
    n_tiles: int
    fraction: float
    elapsed: float
    remaining: float | None


@dataclass(frozen=True)
class DenoiseStep:
    """The denoise after one reverse-diffusion step, in pixel units (for a timeline).

    Parameters
    ----------
    step : int
        Steps done, 1 to ``n_steps``.
    n_steps : int
        Steps in the run.
    t : float
        Time reached (0 after the last step).
    sigma : float
        Model-domain noise level left at ``t``.
    image : ndarray of float32 or None
        ``x_t / sqrt(abar_t)`` mapped back to pixels: the image still noisy at level
        ``sigma`` (the result itself after the last step). None when step images were
        not asked for.
    x0_pred : ndarray of float32 or None
        The model's estimate of the clean image made in this step (at ``t_from``), in
        pixels.
    t_from, sigma_from : float
        The time this step started from, where ``x0_pred`` was made, and its noise level.
    """

    step: int
    n_steps: int
    t: float
    sigma: float
    image: np.ndarray | None
    x0_pred: np.ndarray | None
    t_from: float
    sigma_from: float


@dataclass(frozen=True)
class DenoiseResult:
    """A finished denoise and everything needed to document it.

    Parameters
    ----------
    image : XrayImage
        The denoised image: same mapping, window and metadata as the input.
    noise_before : NoiseEstimate
        The input's noise, estimated from the input alone.
    noise_after : float
        Pixel-scale noise left in the result (pixel units): the input's white-noise
        estimator (:func:`core.noise.estimate_noise_sigma`) run on the result; NaN where
        it has too few unclipped smooth areas to measure. It sees only pixel-to-pixel
        noise, not the correlated error a denoiser leaves, so it is no measure of the
        remaining error, nor ``noise_before.sigma`` over it a noise reduction.
    noise_std_model : float
        The input's noise std in the model domain, ``s``.
    t_start : float
        ``t*``, where the schedule's noise level is ``s * strength``.
    settings : DenoiseSettings
        The settings used, with the number of views chosen where it was auto
        (:meth:`DenoiseSettings.with_views_for`).
    model_name : str
        The model's file stem, architecture and schedule
        (:func:`core.denoise.model_name`), e.g. ``"xray-diffusion (unet32,
        channel_mult 1-2-4-4, blocks_per_level 2, mid_blocks 6, cosine-v1)"``.
    model_sha256 : str
        SHA-256 of the weights file ("" for weights never saved).
    device : str
        Where it ran (:func:`core.device.device_label`).
    precision : str
        What the network computed in, and on what kind of device
        (:func:`core.device.precision_label`), e.g. ``"bfloat16 on CPU"``.
    seconds : float
        Wall time of the whole run.
    tile_sizes : tuple of int
        The side of the tiles the network was run on in the denoise (not its
        uncertainty samples), as used: ``(512,)``, or ``(1024, 512)`` where an
        out-of-memory error halved it during the run
        (:attr:`~core.denoise.tiling.TiledEvaluator.tiles_used`). The tile changes
        the result.
    tile_overlap : int
        The overlap of neighbouring tiles used (rounded up to the network's size
        multiple).
    uncertainty : ndarray of float32 or None
        Per-pixel standard deviation of the uncertainty samples, pixel units.
    low_quanta : LowQuantaWarning or None
        That much of the anatomy detected so few quanta that its denoised values read
        low (:func:`core.denoise.low_quanta.low_quanta_warning`); None otherwise.
    warnings : tuple of str
        What the denoise warned of in its input (:class:`~core.errors.XrayWarning`),
        each one line without the file's name that the warning issued begins with:
        that the input was lossy-compressed, so that its noise estimate may read low
        and denoising do little (:func:`core.noise.lossy.lossy_warning`).
    """

    image: XrayImage
    noise_before: NoiseEstimate
    noise_after: float
    noise_std_model: float
    t_start: float
    settings: DenoiseSettings
    model_name: str
    model_sha256: str
    device: str
    precision: str
    seconds: float
    tile_sizes: tuple[int, ...]
    tile_overlap: int
    uncertainty: np.ndarray | None = None
    low_quanta: LowQuantaWarning | None = None
    warnings: tuple[str, ...] = ()

    @property
    def quanta_checked(self) -> bool:
        """Whether the quanta could be read at all.

        False where the denoise recognised no log detector in the image's noise
        (``noise_before.detector`` is None): then no :attr:`low_quanta` warning says
        nothing.
        """
        return self.noise_before.detector is not None

    def describe_tiles(self) -> str:
        """Say which tiles the network was run on: ``"tile 512 overlap 64"``.

        Returns
        -------
        str
            ``"tile 1024 then 512 overlap 64"`` where an out-of-memory error halved
            the tile during the run.
        """
        return describe_tiles(self.tile_sizes, self.tile_overlap)

    def description(self) -> str:
        """One line for the DICOM DerivationDescription (and PNG/TIFF descriptions).

        Returns
        -------
        str
            Where there is one, ``"WARNING: "``, the :attr:`low_quanta` warning and
            ``"; "`` first, so that a text cut at its end keeps it; then model and
            weights, sampler, steps, seed (DDPM), strength, views, the network's
            precision, the noise estimate and the tiles (:meth:`describe_tiles`), e.g.
            ``"denoised by diffusion
            model xray-diffusion (unet32, channel_mult 1-2-4-4, blocks_per_level 2,
            mid_blocks 6, cosine-v1), sha256 3f2a...: DDIM, 1 step, strength 1,
            4 views, bfloat16 on CPU; noise estimated
            from the image: sigma 12.1 (from 8.02 to 19.7 over intensities
            310 to 3650), t* 41.3; tile 512 overlap 64; pixel-scale noise left 1.9
            (white-noise estimate; not the remaining error, which is correlated)"``.
        """
        weights = f"sha256 {self.model_sha256[:16]}" if self.model_sha256 else "unsaved weights"
        after = ""
        if not math.isnan(self.noise_after):
            after = f"; pixel-scale noise left {self.noise_after:.3g} ({NOISE_LEFT_NOTE})"
        warning = "" if self.low_quanta is None else f"WARNING: {self.low_quanta.describe()}; "
        return (
            f"{warning}{DENOISED_BY}{self.model_name}, {weights}: "
            f"{self.settings.describe()}, {self.precision}; noise estimated from the image: "
            f"{self.noise_before.summary()}, t* {self.t_start:.4g}; "
            f"{self.describe_tiles()}{after}"
        )

    def summary(self) -> dict[str, Any]:
        """Collect the plain values that document the run (model, settings, device, time).

        Returns
        -------
        dict
            ``model``, ``model_sha256``, ``sampler``, ``steps``, ``seed``, ``strength``,
            ``views``, ``uncertainty_samples``, ``device``, ``precision``,
            ``tile_sizes`` (a list, of one size unless memory ran out),
            ``tile_overlap``, ``t_start``, ``noise_std_model``, ``seconds``,
            ``description`` (one line),
            ``low_quanta`` (:meth:`LowQuantaWarning.to_dict`, or None),
            ``low_quanta_checked`` (:attr:`quanta_checked`) and ``warnings`` (a list of
            :attr:`warnings`).
        """
        settings = self.settings
        return {
            "model": self.model_name,
            "model_sha256": self.model_sha256,
            "sampler": settings.sampler,
            "steps": settings.n_steps,
            "seed": settings.seed,
            "strength": settings.strength,
            "views": settings.views,
            "uncertainty_samples": settings.n_uncertainty_samples,
            "device": self.device,
            "precision": self.precision,
            "tile_sizes": list(self.tile_sizes),
            "tile_overlap": self.tile_overlap,
            "t_start": self.t_start,
            "noise_std_model": self.noise_std_model,
            "seconds": self.seconds,
            "description": self.description(),
            "low_quanta": None if self.low_quanta is None else self.low_quanta.to_dict(),
            "low_quanta_checked": self.quanta_checked,
            "warnings": list(self.warnings),
        }


DenoiseEvent = TileProgress | DenoiseStep | DenoiseResult
"""Everything :func:`core.denoise.denoise_steps` yields."""
