"""Pictures that explain the model in the GUI: the forward process and generation from noise.

Thin wrappers over :mod:`core.diffusion`.

References
----------
.. [1] J. Ho, A. Jain, P. Abbeel. Denoising Diffusion Probabilistic Models. NeurIPS 2020.
.. [2] J. Song, C. Meng, S. Ermon. Denoising Diffusion Implicit Models. ICLR 2021.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Iterator

import numpy as np
import torch

from core.denoise.domain import ModelDomain, estimate_image_noise
from core.denoise.padding import filled_padding
from core.denoise.pipeline import ETA
from core.denoise.tiling import TiledEvaluator, size_multiple
from core.diffusion.model import DiffusionModel
from core.diffusion.sampler import (
    EpsEvaluator,
    ReverseState,
    StepState,
    check_network_output,
    q_sample,
    reverse_diffusion,
    seeded_generator,
)
from core.image import XrayImage


def forward_domain(image: XrayImage) -> ModelDomain:
    """Return the image's map to the model domain for pictures of the forward process.

    The denoiser's map (:meth:`ModelDomain.from_image` with
    :func:`~core.denoise.domain.estimate_image_noise`) where the image's noise can be
    estimated. Where it cannot (a constant image, one of nothing but padding, one
    under 9 x 9 pixels), the affine map of the data's range of values onto the model's
    (:meth:`ModelDomain.of_value_range`): ``q(x_t | x_0)`` needs no noise estimate.

    Parameters
    ----------
    image : XrayImage
        The image, ``x_0``.

    Returns
    -------
    ModelDomain
    """
    try:
        noise = estimate_image_noise(image)
    except ValueError:  # nothing to measure noise in
        return ModelDomain.of_value_range(image)
    return ModelDomain.from_image(image, noise)


def forward_process(
    image: XrayImage,
    model: DiffusionModel,
    t: float,
    *,
    seed: int,
    domain: ModelDomain | None = None,
) -> np.ndarray:
    """Draw ``x_t ~ q(x_t | x_0)`` for the image, shown in pixel units.

    The image is taken to the model domain as for denoising, noised by
    ``x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps`` ([1]_, eq. 4), and ``x_t`` itself
    is mapped back: the image fades to mid-grey while the noise grows, reaching
    pure noise at ``t = T``.

    Parameters
    ----------
    image : XrayImage
        The image (``x_0``; its own noise stays in it).
    model : DiffusionModel
        Gives the schedule.
    t : float
        Time in ``[0, T]``.
    seed : int
        Seed of ``eps``, from 0 to ``2**64 - 1`` (:func:`~core.diffusion.sampler.torch_seed`).
    domain : ModelDomain or None
        The image's map to the model domain, to reuse across calls (a slider);
        :func:`forward_domain` of the image if None.

    Returns
    -------
    ndarray of float32, shape of the image
        ``x_t`` in pixel units (clipped to the data's range); the image's pixel
        padding, filled from the nearest anatomy for the model, as it was.

    References
    ----------
    .. [1] J. Ho, A. Jain, P. Abbeel. Denoising Diffusion Probabilistic Models.
       NeurIPS 2020.
    """
    if domain is None:
        domain = forward_domain(image)
    x0 = torch.from_numpy(domain.to_model(filled_padding(image)))[None, None]
    noise = torch.randn(x0.shape, generator=seeded_generator(seed))
    x_t = q_sample(model.schedule, x0, t, noise)
    return image.keeping_padding(domain.to_pixels(x_t.numpy()[0, 0], estimate=False))


def generate_demo(
    model: DiffusionModel,
    shape: tuple[int, int],
    *,
    n_steps: int,
    seed: int,
    sampler: str = "ddim",
    dtype: torch.dtype = torch.float32,
) -> Iterator[StepState]:
    """Generate an image from pure noise (the reverse process from ``t = T``), step by step.

    The run is :func:`~core.diffusion.sampler.generate`'s (each ``x_0`` prediction
    clipped to ``[-1, 1]``) but for its first ``x_0`` prediction, the one at ``t = T``.
    There ``x_T`` holds no information about ``x_0`` (``abar_T`` is 2.4e-9 for the
    shipped cosine schedule, its last beta clipped at 0.999), so the best estimate of
    ``x_0`` is the mean of the data, one level for every pixel; the network's own
    prediction, ``(x_T - sqrt(1 - abar_T) eps) / sqrt(abar_T)``, is its error in ``eps``
    amplified 20,000-fold, which the clip made a pattern of -1 and +1 in 99.9 % of the
    pixels. The first step takes instead the mean of that clipped pattern, a flat image
    at the level the run would have reached. On the shipped model (128 x 128, DDIM in
    25 steps, seeds 0-2) the final images keep their mean level (-0.30, -0.29, 0.31
    either way) and have half the spread (std 0.14-0.18 against 0.29-0.36): the
    clipped pattern, carried into ``x_s`` as ``sqrt(abar_s)`` times it, was taken for
    contrast (``benchmarks/results/2026-11-28-generate/``).

    Parameters
    ----------
    model : DiffusionModel
        The trained model, on the device to use.
    shape : tuple of int
        ``(rows, cols)``.
    n_steps : int
        Network evaluations, at least 1.
    seed : int
        Seed of ``x_T`` (and of the DDPM step noise), from 0 to ``2**64 - 1``: the noise
        is drawn on the CPU (:func:`~core.diffusion.sampler.seeded_generator`), the same
        on every device.
    sampler : {"ddim", "ddpm"}
        DDIM [2]_ or ancestral DDPM [1]_.
    dtype : torch.dtype
        The type the network computes in, under autocast, as a denoise on the model's
        device runs it (:func:`core.device.inference_dtype`,
        :class:`~core.denoise.tiling.TiledEvaluator`).

    Yields
    ------
    StepState
        After every step, in the model domain ``[-1, 1]`` (shape ``shape``): show
        ``x0_pred`` and ``x_t`` with a fixed window.

    Raises
    ------
    ValueError
        If ``n_steps`` is not an integer >= 1 or ``sampler`` is neither (on the call).
    XrayError
        If the network's output holds NaN or infinity, naming the model
        (:func:`~core.diffusion.sampler.check_network_output`).

    References
    ----------
    .. [1] J. Ho, A. Jain, P. Abbeel. Denoising Diffusion Probabilistic Models.
       NeurIPS 2020.
    .. [2] J. Song, C. Meng, S. Ermon. Denoising Diffusion Implicit Models. ICLR 2021.
    """
    if sampler not in ETA:
        raise ValueError(f"sampler must be 'ddim' or 'ddpm', got {sampler!r}")
    if isinstance(n_steps, bool) or not isinstance(n_steps, int) or n_steps < 1:
        raise ValueError(f"n_steps must be an integer of at least 1, got {n_steps!r}")
    t_end = float(model.schedule.n_timesteps)
    generator = seeded_generator(seed)
    x_end = torch.randn((1, 1, *shape), generator=generator, device=generator.device)
    states = reverse_diffusion(
        model,
        x_end.to(model.device),
        t_start=t_end,
        n_steps=n_steps,
        eta=ETA[sampler],
        generator=generator,
        clip=(-1.0, 1.0),
        evaluate_eps=_demo_eps(model, shape, dtype),
    )
    return _on_cpu(states)


def _demo_eps(
    model: DiffusionModel, shape: tuple[int, int], dtype: torch.dtype
) -> EpsEvaluator[None]:
    """Evaluate ``eps`` over the whole image in `dtype`; at ``t = T``, that of a flat ``x_0``.

    The flat ``x_0`` is the mean of the network's prediction clipped to ``[-1, 1]``
    (see :func:`generate_demo`); ``eps`` is the one it implies, so that the step's own
    ``x_0`` prediction is it.
    """
    multiple = size_multiple(model)
    tile = -(-max(shape) // multiple) * multiple  # one tile: the whole image
    tiled = TiledEvaluator(model, tile=tile, overlap=0, dtype=dtype)
    schedule = model.schedule

    def evaluate(x: torch.Tensor, t: float, step: int) -> Generator[None, None, torch.Tensor]:
        eps = yield from tiled.evaluate(x, t, lambda done, total: None)
        check_network_output(model, x, eps, t)
        if t < schedule.n_timesteps:
            return eps
        with torch.inference_mode():
            level = model.predict_x0(x, t, eps).clamp(-1.0, 1.0).mean()
            abar = schedule.abar(t)
            return (x - math.sqrt(abar) * level) / math.sqrt(1.0 - abar)

    return evaluate


def _on_cpu(states: Iterator[object]) -> Iterator[StepState]:
    """Copy each step's state to the CPU as a :class:`StepState` of ``(rows, cols)`` images."""
    for state in states:
        if isinstance(state, ReverseState):  # else a network call's (empty) report
            yield StepState(
                step=state.step,
                n_steps=state.n_steps,
                t=state.t,
                sigma=state.sigma,
                x_t=state.x_t[0, 0].detach().cpu().numpy(),
                x0_pred=state.x0_pred[0, 0].detach().cpu().numpy(),
                t_from=state.t_from,
                sigma_from=state.sigma_from,
            )
