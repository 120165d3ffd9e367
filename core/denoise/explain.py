"""Pictures that explain the model in the GUI: the forward process and generation from noise.

Thin wrappers over :mod:`core.diffusion`.

References
----------
.. [1] J. Ho, A. Jain, P. Abbeel. Denoising Diffusion Probabilistic Models. NeurIPS 2020.
.. [2] J. Song, C. Meng, S. Ermon. Denoising Diffusion Implicit Models. ICLR 2021.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch

from core.denoise.domain import ModelDomain, estimate_image_noise
from core.denoise.padding import filled_padding
from core.diffusion.model import DiffusionModel
from core.diffusion.sampler import StepState, generate, q_sample, seeded_generator
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
) -> Iterator[StepState]:
    """Generate an image from pure noise (the reverse process from ``t = T``), step by step.

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

    Yields
    ------
    StepState
        After every step, in the model domain ``[-1, 1]`` (shape ``shape``): show
        ``x0_pred`` and ``x_t`` with a fixed window.

    Raises
    ------
    XrayError
        If the network's output holds NaN or infinity, naming the model
        (:func:`~core.diffusion.sampler.check_network_output`).

    References
    ----------
    .. [1] J. Ho, A. Jain, P. Abbeel. Denoising Diffusion Probabilistic Models.
       NeurIPS 2020.
    .. [2] J. Song, C. Meng, S. Ermon. Denoising Diffusion Implicit Models. ICLR 2021.
    """
    generator = seeded_generator(seed)
    for state in generate(
        model, (1, 1, *shape), n_steps=n_steps, generator=generator, method=sampler
    ):
        yield StepState(
            step=state.step,
            n_steps=state.n_steps,
            t=state.t,
            sigma=state.sigma,
            x_t=state.x_t[0, 0],
            x0_pred=state.x0_pred[0, 0],
            t_from=state.t_from,
            sigma_from=state.sigma_from,
        )
