"""The blind denoise: noise estimate, stabilisation, reverse diffusion from ``t*``, inverse.

image -> noise-level function (from the image alone) -> variance stabilisation -> affine
map to the model domain, noise std ``s`` (:mod:`core.denoise.domain`) -> ``t*`` with
``sigma_t* = s * strength`` -> ``x_t* = sqrt(abar_t*) y`` -> reverse diffusion to 0 (DDIM
[2]_ or ancestral DDPM [1]_), ``eps`` evaluated tile by tile at every step
(:mod:`core.denoise.tiling`), averaged over flipped views if asked
(:mod:`core.denoise.views`) -> the affine map and the stabiliser's unbiased inverse
[3]_ [4]_ -> pixels on the input's scale.

:func:`denoise_steps` is a generator a GUI worker subscribes to: it yields after every
network call, so a consumer cancels by no longer iterating (closing the generator), and
no result is produced. :func:`denoise_image` drains it.

References
----------
.. [1] J. Ho, A. Jain, P. Abbeel. Denoising Diffusion Probabilistic Models. NeurIPS 2020.
.. [2] J. Song, C. Meng, S. Ermon. Denoising Diffusion Implicit Models. ICLR 2021.
.. [3] A. Foi, M. Trimeche, V. Katkovnik, K. Egiazarian, "Practical Poissonian-Gaussian
   noise modeling and fitting for single-image raw-data", IEEE TIP 17(10), 2008.
.. [4] M. Makitalo, A. Foi, "Optimal inversion of the generalized Anscombe transformation
   for Poisson-Gaussian noise", IEEE TIP 22(1), 2013.
"""

from __future__ import annotations

import math
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass

import numpy as np
import torch

from core.denoise.domain import ModelDomain, NoiseEstimate
from core.denoise.events import DenoiseEvent, DenoiseResult, DenoiseStep, TileProgress
from core.denoise.settings import DenoiseSettings
from core.denoise.tiling import TiledEvaluator, auto_tiling, batch_size
from core.denoise.uncertainty import RunningMoments
from core.denoise.views import ViewEnsemble, views
from core.device import device_label, select_device
from core.diffusion.model import DiffusionModel
from core.diffusion.sampler import diffusion_start, reverse_step, reverse_times
from core.diffusion.unet import UNetConfig
from core.image import XrayImage
from core.noise import estimate_noise_sigma

ETA = {"ddim": 0.0, "ddpm": 1.0}
"""Generalised-DDIM ``eta`` of each sampler ([2]_, eq. 12)."""


def model_name(model: DiffusionModel) -> str:
    """Name a model by architecture and schedule, e.g. ``"unet32-cosine-v1"``."""
    config = getattr(model.network, "config", None)
    if isinstance(config, UNetConfig):
        return f"unet{config.base_channels}-{model.schedule.name}"
    return f"{type(model.network).__name__.lower()}-{model.schedule.name}"


def _to_device(model: DiffusionModel, device: torch.device) -> DiffusionModel:
    """Move the model (in place) to the device; channels-last weights on CUDA."""
    model.to(device)
    if device.type == "cuda":
        model.to(memory_format=torch.channels_last)
    return model


@dataclass(frozen=True)
class _Progress:
    """Turns tile counts into :class:`TileProgress` for one run of a job."""

    run: int
    n_runs: int
    n_steps: int
    steps_before: int
    total_steps: int

    def event(self, step: int, tile: int, n_tiles: int) -> TileProgress:
        done = self.steps_before + step - 1 + tile / n_tiles
        return TileProgress(
            self.run, self.n_runs, step, self.n_steps, tile, n_tiles, done / self.total_steps
        )


def _reverse(
    evaluator: ViewEnsemble,
    domain: ModelDomain | None,
    x: torch.Tensor,
    *,
    t_start: float,
    eta: float,
    generator: torch.Generator | None,
    progress: _Progress,
) -> Generator[DenoiseEvent, None, torch.Tensor]:
    """Reverse diffusion from ``t_start`` to 0 with tiled ``eps``.

    Yields a :class:`TileProgress` per network call and, when ``domain`` is given, a
    :class:`DenoiseStep` in pixel units per step; returns the final ``x_0``.
    """
    model = evaluator.model
    times = reverse_times(t_start, progress.n_steps)
    for i in range(progress.n_steps):
        t, s = float(times[i]), float(times[i + 1])
        eps = yield from evaluator.evaluate(
            x, t, lambda tile, n_tiles, step=i + 1: progress.event(step, tile, n_tiles)
        )
        with torch.inference_mode():
            x, x0 = reverse_step(model, x, eps, t=t, s=s, eta=eta, generator=generator)
        if domain is not None:
            shown = x.cpu().numpy()[0, 0] / math.sqrt(model.schedule.abar(s))
            yield DenoiseStep(
                step=i + 1,
                n_steps=progress.n_steps,
                t=s,
                sigma=float(model.schedule.sigma(s)),
                # A noisy state goes back through the algebraic inverse, the final
                # (noise-free) one through the unbiased inverse, as the result does.
                image=domain.to_pixels(shown, estimate=s == 0.0),
                x0_pred=domain.to_pixels(x0.cpu().numpy()[0, 0]),
                t_from=t,
                sigma_from=float(model.schedule.sigma(t)),
            )
    return x


def _uncertainty_seeds(seed: int, n: int) -> list[int]:
    """Independent seeds for the uncertainty samples, derived from the run's seed."""
    children = np.random.SeedSequence(seed).spawn(n)
    return [int(child.generate_state(1, dtype=np.uint64)[0]) for child in children]


def _denoise(
    image: XrayImage,
    model: DiffusionModel,
    settings: DenoiseSettings,
    device: torch.device,
    step_images: bool,
) -> Iterator[DenoiseEvent]:
    started = time.perf_counter()
    model = _to_device(model, device)
    noise = NoiseEstimate.from_pixels(image.pixels)
    domain = ModelDomain.from_image(image, noise)
    if settings.tile_size is None:
        tile, batch = auto_tiling(model, device, overlap=settings.tile_overlap)
    else:
        tile, batch = settings.tile_size, batch_size(model, device, settings.tile_size)
    tiled = TiledEvaluator(model, tile=tile, overlap=settings.tile_overlap, batch=batch)
    evaluator = ViewEnsemble(tiled, views(settings.views))
    with torch.inference_mode():
        y = torch.from_numpy(domain.to_model(image.pixels)).to(device)[None, None]
        x_start, t_start = diffusion_start(
            model.schedule, y, sigma=domain.noise_std * settings.strength
        )
    del y

    n_runs = 1 + settings.n_uncertainty_samples
    total_steps = settings.n_steps + settings.n_uncertainty_samples * settings.uncertainty_steps
    main = _Progress(0, n_runs, settings.n_steps, 0, total_steps)
    generator = torch.Generator(device=device).manual_seed(settings.seed)
    x0 = yield from _reverse(
        evaluator,
        domain if step_images else None,
        x_start,
        t_start=t_start,
        eta=ETA[settings.sampler],
        generator=generator,
        progress=main,
    )
    pixels = domain.to_pixels(x0.cpu().numpy()[0, 0])
    del x0

    uncertainty = None
    if settings.n_uncertainty_samples:
        moments = RunningMoments()
        seeds = _uncertainty_seeds(settings.seed, settings.n_uncertainty_samples)
        for run, seed in enumerate(seeds, start=1):
            progress = _Progress(
                run,
                n_runs,
                settings.uncertainty_steps,
                settings.n_steps + (run - 1) * settings.uncertainty_steps,
                total_steps,
            )
            sample = yield from _reverse(
                ViewEnsemble(tiled, views(1)),
                None,
                x_start,
                t_start=t_start,
                eta=ETA["ddpm"],
                generator=torch.Generator(device=device).manual_seed(seed),
                progress=progress,
            )
            moments.add(domain.to_pixels(sample.cpu().numpy()[0, 0]))
            del sample
        uncertainty = moments.std()

    try:
        noise_after = estimate_noise_sigma(pixels)
    except ValueError:  # too few unclipped smooth areas left to measure in
        noise_after = math.nan
    card = model.card
    yield DenoiseResult(
        image=image.with_pixels(image.keeping_padding(pixels)),  # padding is no anatomy
        noise_before=noise,
        noise_after=noise_after,
        noise_std_model=domain.noise_std,
        t_start=t_start,
        settings=settings,
        model_name=model_name(model),
        model_sha256=card.weights_sha256 if card is not None else "",
        device=device_label(device),
        seconds=time.perf_counter() - started,
        uncertainty=uncertainty,
    )


def denoise_steps(
    image: XrayImage,
    model: DiffusionModel,
    settings: DenoiseSettings | None = None,
    *,
    step_images: bool = True,
) -> Iterator[DenoiseEvent]:
    """Denoise an image blind, as a generator of progress events and, last, the result.

    Parameters
    ----------
    image : XrayImage
        The noisy image; nothing else about its noise is needed.
    model : DiffusionModel
        The trained model; it is moved to the settings' device.
    settings : DenoiseSettings or None
        Sampler, steps, seed, strength, tiles, device, uncertainty; defaults if None.
    step_images : bool
        Put the per-step images (full size, pixel units) in the :class:`DenoiseStep`
        events, for a timeline. Each costs two inverse transforms of the image.

    Yields
    ------
    TileProgress
        After every network call (one tile, or a batch of tiles on a GPU), for every
        step of the denoise and of each uncertainty sample.
    DenoiseStep
        After every step of the denoise (not of the uncertainty samples).
    DenoiseResult
        Once, last.

    Raises
    ------
    ValueError
        If the device is not available, or the image too small or too flat to estimate
        its noise (raised on the first ``next``).
    XrayError
        If even the smallest tile does not fit in memory.

    Notes
    -----
    To cancel, stop iterating and close the generator (``gen.close()``, or let it be
    collected): it stops at the next network call, yields no result and frees its
    memory (and PyTorch's CUDA cache).
    """
    settings = settings or DenoiseSettings()
    device = select_device(settings.device)
    try:
        yield from _denoise(image, model, settings, device, step_images)
    finally:
        if device.type == "cuda":
            torch.cuda.empty_cache()


def denoise_image(
    image: XrayImage, model: DiffusionModel, settings: DenoiseSettings | None = None
) -> DenoiseResult:
    """Denoise an image blind and return the result (:func:`denoise_steps`, drained).

    Parameters
    ----------
    image : XrayImage
        The noisy image.
    model : DiffusionModel
        The trained model; it is moved to the settings' device.
    settings : DenoiseSettings or None
        Defaults if None.

    Returns
    -------
    DenoiseResult
    """
    *_, result = denoise_steps(image, model, settings, step_images=False)
    assert isinstance(result, DenoiseResult)
    return result
