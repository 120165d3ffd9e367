"""The blind denoise: noise estimate, stabilisation, reverse diffusion from ``t*``, inverse.

image -> noise-level function (from the image alone, its pixel padding left out) ->
variance stabilisation -> affine map to the model domain, noise std ``s``
(:mod:`core.denoise.domain`), the padding filled from the nearest anatomy
(:mod:`core.denoise.padding`) -> ``t*`` with
``sigma_t* = s * strength`` -> ``x_t* = sqrt(abar_t*) y`` -> reverse diffusion to 0 (DDIM
[2]_ or ancestral DDPM [1]_), ``eps`` evaluated tile by tile at every step
(:mod:`core.denoise.tiling`), averaged over flipped views if asked
(:mod:`core.denoise.views`) -> the affine map and the stabiliser's unbiased inverse
[3]_ [4]_ -> pixels on the input's scale, the padding as it was (in every step's
images too), rounded to the values the input's format stores where the input holds
only such values (any image read from a file): the result is then the image written,
and the pixel-scale noise left in it (a white-noise estimate, not its error) is
measured on it, as is the share of its anatomy that detected so few quanta that it reads
low (:mod:`core.denoise.low_quanta`). What the noise estimate warns of (a lossy-compressed
input) is warned of, and kept in the result too (:attr:`DenoiseResult.warnings`).

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

import numpy as np
import torch

from core.denoise.domain import ModelDomain, estimate_image_noise
from core.denoise.events import (
    DenoiseEvent,
    DenoiseResult,
    DenoiseStep,
    TileProgress,
    describe_tiles,
)
from core.denoise.low_quanta import low_quanta_warning, quanta_detectors
from core.denoise.padding import filled_padding
from core.denoise.settings import DenoiseSettings
from core.denoise.tiling import (
    TiledEvaluator,
    auto_tiling,
    batch_size,
    check_tile_size,
    fixed_tile,
    tile_overlap,
)
from core.denoise.uncertainty import SAMPLE_VARIANCE, RunningMoments
from core.denoise.views import ViewEnsemble, views
from core.device import device_label, inference_dtype, precision_label, select_device
from core.diffusion.model import DiffusionModel, model_name
from core.diffusion.sampler import (
    ReverseState,
    check_network_output,
    diffusion_start,
    reverse_diffusion,
    seeded_generator,
)
from core.errors import collecting_warnings, issue_warning
from core.image import XrayImage
from core.io.dtypes import on_stored_grid, written_pixels
from core.noise import NoiseEstimate, estimate_noise_sigma

ETA = {"ddim": 0.0, "ddpm": 1.0}
"""Generalised-DDIM ``eta`` of each sampler ([2]_, eq. 12)."""


def _to_device(model: DiffusionModel, device: torch.device) -> DiffusionModel:
    """Move the model (in place) to the device; channels-last weights on CUDA."""
    model.to(device)
    if device.type == "cuda":
        model.to(memory_format=torch.channels_last)
    return model


CPU_PREPARATION_COST = 0.1
"""What the preparation (noise estimate, stabilisation, start) costs on a CPU, in network
evaluations of the whole image: on one thread, 0.2 s for the 1024 px sample against 2.1 s
for one evaluation of the shipped model."""

GPU_PREPARATION_COST = 4.0
"""The same on a GPU, where the preparation stays on the CPU (0.6 s for a 2048 px image on
2 cores) while an evaluation is tens of times faster: an estimate (the whole default
denoise of a 2048 px image took 0.75 s on an H200), not yet timed on a GPU."""


class _Progress:
    """Turns network calls into :class:`TileProgress` events for the whole job.

    The unit of work is one network evaluation of the whole image: a step of the
    denoise costs ``views`` of them, a step of an uncertainty sample one, the
    preparation ``preparation``. Within a step, work is shared out by tiles done.
    The fraction never goes back (an out-of-memory retry restarts a step with more
    tiles) and is 1.0 exactly after the last call. The time left is extrapolated from
    the rate of the network calls since the preparation.
    """

    def __init__(self, settings: DenoiseSettings, *, preparation: float, started: float) -> None:
        self.settings = settings
        self.preparation = preparation
        self.started = started
        self.n_runs = 1 + settings.n_uncertainty_samples
        self.total = self._before(self.n_runs)
        self._prepared_at = started
        self._done = 0.0

    def n_steps(self, run: int) -> int:
        """Return the steps of run ``run`` (0: the denoise, then the uncertainty samples)."""
        return self.settings.n_steps if run == 0 else self.settings.uncertainty_steps

    def _before(self, run: int) -> float:
        """Work done before run ``run`` starts."""
        if run == 0:
            return self.preparation
        main = self.settings.n_steps * self.settings.views
        return self.preparation + main + (run - 1) * self.settings.uncertainty_steps

    def prepared(self, n_tiles: int) -> TileProgress:
        """Make the event after the preparation: step 0, tile 0 of ``n_tiles`` planned."""
        self._prepared_at = time.perf_counter()
        return self._event(0, 0, 0, n_tiles, self.preparation)

    def event(self, run: int, step: int, tile: int, n_tiles: int) -> TileProgress:
        """Make the event after network call ``tile`` of ``n_tiles`` in ``step`` of ``run``."""
        cost = self.settings.views if run == 0 else 1
        done = self._before(run) + (step - 1 + tile / n_tiles) * cost
        last = run == self.n_runs - 1 and step == self.n_steps(run) and tile == n_tiles
        return self._event(run, step, tile, n_tiles, self.total if last else done)  # 1.0 exactly

    def _event(self, run: int, step: int, tile: int, n_tiles: int, done: float) -> TileProgress:
        now = time.perf_counter()
        self._done = max(self._done, done)
        computed = self._done - self.preparation
        remaining = None
        if computed > 0:  # the rate of the network calls is known
            remaining = (now - self._prepared_at) / computed * (self.total - self._done)
        return TileProgress(
            run,
            self.n_runs,
            step,
            self.n_steps(run),
            tile,
            n_tiles,
            self._done / self.total,
            elapsed=now - self.started,
            remaining=remaining,
        )


def _image_pixels(
    image: XrayImage,
    domain: ModelDomain,
    values: np.ndarray | torch.Tensor,
    *,
    estimate: bool = True,
) -> np.ndarray:
    """Map model-domain values to the image's pixels, with its padding as read.

    A tensor is mapped on its device where :func:`~core.denoise.domain.on_device`
    says so (CUDA), and only the pixels are copied to the host.
    """
    return image.keeping_padding(domain.to_pixels(values, estimate=estimate))


def _reverse(
    evaluator: ViewEnsemble,
    shown: tuple[XrayImage, ModelDomain] | None,
    x: torch.Tensor,
    *,
    t_start: float,
    eta: float,
    generator: torch.Generator | None,
    progress: _Progress,
    run: int,
    rounded: bool = False,
    variance: str = "posterior",
) -> Generator[DenoiseEvent, None, torch.Tensor]:
    """Reverse diffusion from ``t_start`` to 0 with tiled ``eps`` (:func:`reverse_diffusion`).

    Yields a :class:`TileProgress` per network call and, when ``shown`` (the image and
    its map) is given, a :class:`DenoiseStep` in the image's pixels per step, the last
    step's images rounded as written if ``rounded`` (as the result is); returns the
    final ``x_0``. ``variance`` is that of each step's noise
    (:func:`~core.diffusion.sampler.reverse_step`).
    """
    model = evaluator.model

    def evaluate(
        x_t: torch.Tensor, t: float, step: int
    ) -> Generator[TileProgress, None, torch.Tensor]:
        eps = yield from evaluator.evaluate(
            x_t, t, lambda tile, n_tiles: progress.event(run, step, tile, n_tiles)
        )
        check_network_output(model, x_t, eps, t)
        return eps

    states = reverse_diffusion(
        model,
        x,
        t_start=t_start,
        n_steps=progress.n_steps(run),
        eta=eta,
        generator=generator,
        evaluate_eps=evaluate,
        variance=variance,
    )
    for state in states:
        if not isinstance(state, ReverseState):  # a network call's progress
            yield state
            continue
        x = state.x_t
        if shown is not None:
            image, domain = shown
            final = state.t == 0.0
            noisy = x[0, 0] / math.sqrt(model.schedule.abar(state.t))  # mapped on a GPU there
            # A noisy state goes back through the algebraic inverse, the final
            # (noise-free) one through the unbiased inverse, as the result does.
            picture = _image_pixels(image, domain, noisy, estimate=final)
            x0_pred = _image_pixels(image, domain, state.x0_pred[0, 0])
            if final and rounded:  # the result itself
                picture, x0_pred = written_pixels(image, picture), written_pixels(image, x0_pred)
            yield DenoiseStep(
                step=state.step,
                n_steps=state.n_steps,
                t=state.t,
                sigma=state.sigma,
                image=picture,
                x0_pred=x0_pred,
                t_from=state.t_from,
                sigma_from=state.sigma_from,
            )
    return x


def _tile_asked(model: DiffusionModel, settings: DenoiseSettings) -> int | None:
    """Return the tile side `settings` fix before the run, or None where free memory decides.

    A tile asked for is not checked here: :func:`planned_tiles` checks it before a batch,
    the run's :class:`~core.denoise.tiling.TiledEvaluator` before its first network call
    (:func:`~core.denoise.tiling.check_tile_size`). ``precision="float32"`` takes
    :func:`~core.denoise.tiling.fixed_tile` on every device, so that its results agree
    across machines.
    """
    if settings.tile_size is not None:
        return settings.tile_size
    if settings.precision == "float32":
        return fixed_tile(model, overlap=settings.tile_overlap)
    return None


def planned_tiles(model: DiffusionModel, settings: DenoiseSettings) -> str | None:
    """Say which tiles a run of `settings` will use, where that is known before it runs.

    Parameters
    ----------
    model : DiffusionModel
        The model to run.
    settings : DenoiseSettings
        The run's settings.

    Returns
    -------
    str or None
        As the result records them (:func:`~core.denoise.events.describe_tiles`), e.g.
        ``"tile 512 overlap 64"``, where a tile is asked for or the precision is
        float32; None where the device's free memory chooses the tile. An out-of-memory
        error during the run may still halve it.

    Raises
    ------
    ValueError
        If the tile asked for does not suit the network, or is under 4 times the
        overlap the run uses (``tile_overlap`` rounded up to the network's size
        multiple; :func:`~core.denoise.tiling.check_tile_size`).
    """
    tile = _tile_asked(model, settings)
    if tile is None:
        return None
    check_tile_size(model, tile, overlap=settings.tile_overlap)
    return describe_tiles([tile], tile_overlap(model, settings.tile_overlap))


def _tiling(
    model: DiffusionModel, device: torch.device, settings: DenoiseSettings, dtype: torch.dtype
) -> tuple[int, int]:
    """Choose the tile side and batch: as the settings fix them, else from free memory."""
    tile = _tile_asked(model, settings)
    if tile is None:
        return auto_tiling(model, device, overlap=settings.tile_overlap, dtype=dtype)
    return tile, batch_size(model, device, tile, dtype=dtype)


def _uncertainty_seeds(seed: int, n: int) -> list[int]:
    """Independent seeds for the uncertainty samples, derived from the run's seed.

    Of 32 bits, all of which a CPU generator keeps (:func:`seeded_generator`).
    """
    children = np.random.SeedSequence(seed).spawn(n)
    return [int(child.generate_state(1, dtype=np.uint32)[0]) for child in children]


def _estimated_noise(image: XrayImage) -> tuple[NoiseEstimate, tuple[str, ...]]:
    """Estimate the image's noise (:func:`estimate_image_noise`); return it and its warnings.

    Its warnings (a lossy-compressed input's) are issued as ever, and returned too for
    the result (:attr:`DenoiseResult.warnings`) without the file's name they begin with
    (``"PATH: what was done"``): the result is shown and reported beside its image, and
    a report without identifiers names no file.
    """
    with collecting_warnings() as notes:
        noise = estimate_image_noise(image)
    for note in notes:
        issue_warning(note)
    named = "" if image.source_path is None else f"{image.source_path}: "
    return noise, tuple(note.removeprefix(named) for note in notes)


def _denoise(
    image: XrayImage,
    model: DiffusionModel,
    settings: DenoiseSettings,
    device: torch.device,
    step_images: bool,
) -> Iterator[DenoiseEvent]:
    started = time.perf_counter()
    model = _to_device(model, device)
    noise, warnings = _estimated_noise(image)
    domain = ModelDomain.from_image(image, noise)
    settings.check_strength(domain.noise_std, model.schedule.sigma_max)
    # The result of an image as read is the image written, so that its pixel-scale noise
    # (below) and any metric of it describe the file delivered. An image simulated in
    # memory (a benchmark's noisy input, say) may hold values between the stored ones;
    # its result is left between them too, compared with other methods' like with like.
    rounded = on_stored_grid(image)
    dtype = inference_dtype(device, settings.precision)
    settings = settings.with_views_for(dtype)  # auto: the count used, in the result too
    tile, batch = _tiling(model, device, settings, dtype)
    tiled = TiledEvaluator(
        model, tile=tile, overlap=settings.tile_overlap, batch=batch, dtype=dtype
    )
    evaluator = ViewEnsemble(tiled, views(settings.views))
    with torch.inference_mode():
        y = domain.to_model(filled_padding(image), device=device)[None, None]
        x_start, t_start = diffusion_start(
            model.schedule, y, sigma=domain.noise_std * settings.strength
        )
    del y
    preparation = CPU_PREPARATION_COST if device.type == "cpu" else GPU_PREPARATION_COST
    progress = _Progress(settings, preparation=preparation, started=started)
    yield progress.prepared(tiled.n_tiles(image.shape) * settings.views)

    generator = seeded_generator(settings.seed)  # on the CPU: the same noise on every device
    x0 = yield from _reverse(
        evaluator,
        (image, domain) if step_images else None,
        x_start,
        t_start=t_start,
        eta=ETA[settings.sampler],
        generator=generator,
        progress=progress,
        run=0,
        rounded=rounded,
    )
    tile_sizes = tuple(tiled.tiles_used)  # the denoise's, before any sample can shrink them
    pixels = _image_pixels(image, domain, x0[0, 0])
    if rounded:
        pixels = written_pixels(image, pixels)
    del x0

    uncertainty = None
    if settings.n_uncertainty_samples:
        moments = RunningMoments()
        seeds = _uncertainty_seeds(int(settings.seed), settings.n_uncertainty_samples)
        for run, seed in enumerate(seeds, start=1):
            sample = yield from _reverse(
                ViewEnsemble(tiled, views(1)),
                None,
                x_start,
                t_start=t_start,
                eta=ETA["ddpm"],
                generator=seeded_generator(seed),
                progress=progress,
                run=run,
                variance=SAMPLE_VARIANCE,
            )
            moments.add(_image_pixels(image, domain, sample[0, 0]))
            del sample
        uncertainty = moments.std()

    try:  # of the result as written (above): on an 8-bit grid, rounding is much of its noise
        noise_after = estimate_noise_sigma(pixels, exclude=image.padding_mask)
    except ValueError:  # too few unclipped smooth areas left to measure in
        noise_after = math.nan
    result = image.with_pixels(pixels)
    low_quanta = low_quanta_warning(result, image, quanta_detectors(image, noise))
    card = model.card
    yield DenoiseResult(
        image=result,
        noise_before=noise,
        noise_after=noise_after,
        noise_std_model=domain.noise_std,
        t_start=t_start,
        settings=settings,
        model_name=model_name(model),
        model_sha256=card.weights_sha256 if card is not None else "",
        device=device_label(device),
        precision=precision_label(dtype, device),
        seconds=time.perf_counter() - started,
        tile_sizes=tile_sizes,
        tile_overlap=tiled.overlap,
        uncertainty=uncertainty,
        low_quanta=low_quanta,
        warnings=warnings,
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
        Once after the noise estimate and stabilisation (step 0, tile 0), then after
        every network call (one tile, or a batch of tiles on a GPU), for every step of
        the denoise and of each uncertainty sample; with the share of the job done,
        weighted by network evaluations, the seconds since the start and an estimate
        of those left.
    DenoiseStep
        After every step of the denoise (not of the uncertainty samples).
    DenoiseResult
        Once, last.

    Raises
    ------
    ValueError
        If the device is not available, the image too small or too flat to estimate
        its noise, the strength so large for it that ``t*`` would lie beyond ``T``
        (:meth:`DenoiseSettings.check_strength`) or the tile size asked for no multiple
        of the network's size multiple or under 4 times the overlap the run uses
        (:func:`~core.denoise.tiling.check_tile_size`); raised on the first ``next``,
        before any network call.
    XrayError
        If even the smallest tile does not fit in memory, or the network's output holds
        NaN or infinity (:func:`~core.diffusion.sampler.check_network_output`).

    Warns
    -----
    XrayWarning
        That the input was lossy-compressed, so that its noise estimate may read low
        (:func:`~core.denoise.domain.estimate_image_noise`); the result's
        :attr:`~DenoiseResult.warnings` keep it.

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
