"""Forward process and reverse-diffusion samplers as generators of per-step states.

Denoising runs the reverse process from an intermediate time ``t*`` (where the schedule's
noise level equals the image's) down to 0; generation starts at ``t = T`` from pure noise.
Each sampler is a generator that yields a :class:`StepState` after every network
evaluation, so a front end can show progress, a timeline of ``x_t`` and of the
``x_0`` prediction, and cancel between steps. :func:`sample` drains one. They share
one loop, :func:`reverse_diffusion`, which yields the states as tensors and takes the
``eps`` evaluator as an argument: the denoise pipeline runs it with its tiled, multi-view
evaluator, which yields a progress event per network call.

Steps are spaced uniformly in continuous time between ``t*`` and 0. The last step
always lands on ``t = 0``, where both samplers return the ``x_0`` prediction itself, so
``n_steps=1`` gives the posterior-mean (Tweedie) estimate ``E[x_0 | x_t*]``: DDPM
differs from DDIM only from 2 steps. A step may instead draw noise of variance
``beta = 1 - abar_t / abar_s`` (``variance="beta"``, the upper bound of [1]_, sec. 3.2),
which keeps the spread of ``x_0`` the posterior's at any number of steps where the
images are smooth on the scale of the noise; the uncertainty samples use it.

References
----------
.. [1] J. Ho, A. Jain, P. Abbeel. Denoising Diffusion Probabilistic Models. NeurIPS 2020.
.. [2] J. Song, C. Meng, S. Ermon. Denoising Diffusion Implicit Models. ICLR 2021.
.. [3] A. Nichol, P. Dhariwal. Improved Denoising Diffusion Probabilistic Models. ICML 2021.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Never, TypeVar

import numpy as np
import torch
from numpy.typing import ArrayLike

from core.diffusion.model import DiffusionModel, model_name
from core.diffusion.schedule import NoiseSchedule
from core.diffusion.unet import UNetConfig
from core.errors import ModelFileError, XrayError

STEP_VARIANCES = ("posterior", "beta")
"""The variances a stochastic step may draw its noise with (:func:`reverse_step`)."""

TORCH_SEEDS = 2**32
"""Seeds a CPU ``torch.Generator`` tells apart: ``manual_seed`` keeps a seed's low 32 bits
(torch 2.13), so that ``s`` and ``s + 2**32`` would give the same noise."""


def torch_seed(seed: int) -> int:
    """Return the seed to give ``torch.Generator.manual_seed`` for a seed of up to 64 bits.

    A seed below :data:`TORCH_SEEDS` (``2**32``) is given as it is, so that results
    seeded with it stay as they were. A larger one is folded to 32 bits by NumPy's
    ``SeedSequence(seed).generate_state(1, np.uint32)``, which mixes all its bits: seeds
    that differ above the low 32 bits give different noise (torch would drop those bits).

    Parameters
    ----------
    seed : int
        A seed from 0 to ``2**64 - 1``.

    Returns
    -------
    int
        A seed from 0 to ``2**32 - 1``.
    """
    seed = int(seed)
    if seed < TORCH_SEEDS:
        return seed
    return int(np.random.SeedSequence(seed).generate_state(1, dtype=np.uint32)[0])


def seeded_generator(seed: int) -> torch.Generator:
    """Return a CPU generator seeded with :func:`torch_seed` of `seed`.

    The noise of every sampler is drawn on the CPU and moved to the device, so that a
    seed gives the same noise on every machine (a CUDA generator draws other numbers).

    Parameters
    ----------
    seed : int
        A seed from 0 to ``2**64 - 1``.

    Returns
    -------
    torch.Generator
    """
    return torch.Generator().manual_seed(torch_seed(seed))


def check_network_output(
    model: DiffusionModel, x: torch.Tensor, eps: torch.Tensor, t: float
) -> None:
    """Refuse a network output of NaN or infinity from a finite input: the model's fault.

    Every sampler checks each ``eps`` with it (the denoise, generation from noise).

    Parameters
    ----------
    model : DiffusionModel
        The model that made `eps` (named in the error).
    x : Tensor
        The network's input, ``x_t``.
    eps : Tensor
        Its output.
    t : float
        The time of `x`.

    Raises
    ------
    XrayError
        A :class:`~core.errors.ModelFileError` naming the model's file where it has
        one, else an :class:`~core.errors.XrayError` naming it by :func:`model_name`,
        so that the user looks at the model rather than at the image.
    """
    if bool(torch.isfinite(eps).all()) or not bool(torch.isfinite(x).all()):
        return
    reason = f"the model's output holds NaN or infinite values (at t = {t:.4g}"
    reason += ")" if x.device.type == "cpu" else f" on {x.device.type}; try the CPU)"
    if model.path is None:
        raise XrayError(f"model {model_name(model)}: {reason}")
    raise ModelFileError(model.path, reason)


@dataclass(frozen=True)
class StepState:
    """The state of a reverse-diffusion run after one step.

    Parameters
    ----------
    step : int
        Steps done, 1 to ``n_steps``.
    n_steps : int
        Steps in the run.
    t : float
        Continuous time reached by this step (0 after the last).
    sigma : float
        Scaled-domain noise level at ``t`` (``schedule.sigma(t)``).
    x_t : ndarray of float32
        The state at ``t``, on the CPU, shaped like the sampler's input.
        Divide by ``sqrt(abar_t)`` to compare it with an image.
    x0_pred : ndarray of float32
        The network's estimate of ``x_0`` made during this step (at ``t_from``), on
        the CPU, shaped like the input. ``x_t == x0_pred`` after the last step.
    t_from, sigma_from : float
        The time this step started from, where ``x0_pred`` was made, and its noise level.
    """

    step: int
    n_steps: int
    t: float
    sigma: float
    x_t: np.ndarray
    x0_pred: np.ndarray
    t_from: float
    sigma_from: float


def q_sample(
    schedule: NoiseSchedule, x0: torch.Tensor, t: float | torch.Tensor, noise: torch.Tensor
) -> torch.Tensor:
    """Draw from the forward process ``q(x_t | x_0)`` with given noise.

    ``x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps`` ([1]_, eq. 4).

    Parameters
    ----------
    schedule : NoiseSchedule
        Gives ``abar_t``.
    x0 : Tensor, shape (N, C, H, W)
        Clean images.
    t : float or Tensor of shape (N,)
        Continuous time(s) in ``[0, T]``, one per image or one for all.
    noise : Tensor
        ``eps``, standard normal, shape of ``x0``.

    Returns
    -------
    Tensor
        ``x_t``, shape and dtype of ``x0``.

    References
    ----------
    .. [1] J. Ho, A. Jain, P. Abbeel. Denoising Diffusion Probabilistic Models.
       NeurIPS 2020.
    """
    if noise.shape != x0.shape:
        raise ValueError(f"noise shape {tuple(noise.shape)} must equal x0 shape {tuple(x0.shape)}")
    t_arr = torch.as_tensor(t, dtype=torch.float64).detach().cpu().numpy().reshape(-1)
    abar = torch.from_numpy(np.asarray(schedule.abar(t_arr)).reshape(-1, 1, 1, 1))
    sqrt_abar = abar.sqrt().to(dtype=x0.dtype, device=x0.device)
    sqrt_one_minus = (1.0 - abar).sqrt().to(dtype=x0.dtype, device=x0.device)
    return sqrt_abar * x0 + sqrt_one_minus * noise


def diffusion_start(
    schedule: NoiseSchedule, y: torch.Tensor, *, sigma: float
) -> tuple[torch.Tensor, float]:
    """Map an image with white Gaussian noise of level ``sigma`` onto the diffusion.

    If ``y = x_0 + sigma n``, then ``sqrt(abar_t*) y`` is distributed as ``x_t*`` at the
    time ``t*`` where ``sigma_t* = sigma``.

    Parameters
    ----------
    schedule : NoiseSchedule
        The model's schedule.
    y : Tensor
        The noisy image in the model's intensity domain.
    sigma : float
        Its noise standard deviation in that domain, > 0.

    Returns
    -------
    x_start : Tensor
        ``sqrt(abar_t*) y``.
    t_start : float
        ``t*``.

    Raises
    ------
    ValueError
        If ``sigma`` is not > 0 (a noise-free image starts at ``t* = 0``, where no
        sampler runs) or exceeds the schedule's largest noise level.
    """
    if not sigma > 0:
        raise ValueError(
            f"sigma must be > 0, got {sigma!r} (a noise-free image would start at t* = 0, "
            "where there is nothing to denoise: use it as it is)"
        )
    t_start = float(schedule.timestep_for_sigma(sigma))
    return y * math.sqrt(schedule.abar(t_start)), t_start


def _as_batch(model: DiffusionModel, x: torch.Tensor | np.ndarray) -> torch.Tensor:
    """Return ``x_t*`` as a float32 (N, C, H, W) batch on the model's device.

    Raises
    ------
    ValueError
        If its shape is neither (H, W) nor (N, C, H, W), its channels are not those of
        the network (where its configuration says), or it holds NaN or infinity.
    """
    tensor = torch.as_tensor(x).to(device=model.device, dtype=torch.float32)
    if tensor.ndim == 2:
        tensor = tensor[None, None]
    elif tensor.ndim != 4:
        raise ValueError(f"input must have shape (H, W) or (N, C, H, W), got {tuple(tensor.shape)}")
    config = getattr(model.network, "config", None)
    if isinstance(config, UNetConfig) and tensor.shape[1] != config.in_channels:
        raise ValueError(
            f"input has {tensor.shape[1]} channels, the network takes {config.in_channels}: "
            f"give shape (H, W) or (N, {config.in_channels}, H, W), got {tuple(tensor.shape)}"
        )
    if not torch.isfinite(tensor).all():
        raise ValueError("input contains NaN or infinity; replace them before sampling")
    return tensor


def _check_run(model: DiffusionModel, t_start: float, n_steps: int) -> None:
    if isinstance(n_steps, bool) or not isinstance(n_steps, numbers.Integral):
        raise ValueError(f"n_steps must be an integer, got {n_steps!r}")
    if n_steps < 1:
        raise ValueError(f"n_steps must be at least 1, got {n_steps}")
    if not 0 < t_start <= model.schedule.n_timesteps:
        raise ValueError(f"t_start must lie in (0, {model.schedule.n_timesteps}], got {t_start}")


def reverse_times(t_start: float, n_steps: int) -> np.ndarray:
    """Return the times of a reverse run: ``n_steps + 1``, spaced uniformly from ``t*`` to 0.

    Parameters
    ----------
    t_start : float
        ``t*``, the time of the first state.
    n_steps : int
        Network evaluations.

    Returns
    -------
    ndarray of float64, shape (n_steps + 1,)
        ``times[i]`` is the time before step ``i + 1``; ``times[-1] == 0``.
    """
    return np.linspace(t_start, 0.0, n_steps + 1)


def reverse_step(
    model: DiffusionModel,
    x: torch.Tensor,
    eps: torch.Tensor,
    *,
    t: float,
    s: float,
    eta: float,
    generator: torch.Generator | None,
    clip: tuple[float, float] | None = None,
    variance: str = "posterior",
) -> tuple[torch.Tensor, torch.Tensor]:
    """Take one generalised-DDIM step from ``x_t`` to ``x_s`` (``s < t``) given ``eps``.

    ``eta = 0`` is deterministic DDIM ([2]_, eq. 12), ``eta = 1`` ancestral DDPM. Callers
    that evaluate ``eps`` themselves (e.g. tile by tile) share the samplers' update.

    Parameters
    ----------
    model : DiffusionModel
        Gives the schedule and the ``x_0`` estimate from ``eps``.
    x : Tensor, shape (N, C, H, W)
        ``x_t``.
    eps : Tensor
        ``eps_theta(x_t, t)``, shape of ``x``.
    t, s : float
        Current and next time, ``0 <= s < t``.
    eta : float
        Share of the DDPM posterior variance injected as fresh noise.
    generator : torch.Generator or None
        Source of that noise, drawn on the generator's device and moved to ``x``'s (a
        CPU generator, :func:`seeded_generator`, gives the same noise on every device);
        the global one on ``x``'s device if None. Unused when the variance is 0.
    clip : tuple of float or None
        Clamp the ``x_0`` prediction to ``(low, high)``.
    variance : {"posterior", "beta"}
        The variance of the noise drawn: ``eta**2`` times that of the DDPM posterior
        ``q(x_s | x_t, x_0)`` ([1]_ eq. 7; 0 on the step to ``s = 0``), or ``eta**2``
        times ``beta = 1 - abar_t / abar_s``, the upper bound of [1]_ (sec. 3.2). The
        posterior's treats the ``x_0`` prediction as exact, so that the samples' spread
        falls short of the posterior's, the more so the fewer the steps (0.85 of it at
        10 steps for Gaussian data with an exact predictor, whatever their spacing);
        ``beta`` adds the spread of ``x_0`` given ``x_t`` where the images are smooth on
        the scale of the noise, and more noise than that where they are not. The mean is
        the same.

    Returns
    -------
    x_s : Tensor
        The next state.
    x0 : Tensor
        The ``x_0`` prediction made at ``t``.

    References
    ----------
    .. [1] J. Ho, A. Jain, P. Abbeel. Denoising Diffusion Probabilistic Models.
       NeurIPS 2020.
    .. [2] J. Song, C. Meng, S. Ermon. Denoising Diffusion Implicit Models. ICLR 2021.
    """
    if variance not in STEP_VARIANCES:
        raise ValueError(f"variance must be 'posterior' or 'beta', got {variance!r}")
    abar_t, abar_s = float(model.schedule.abar(t)), float(model.schedule.abar(s))
    # At a t this small (an image with no measurable noise) x_t is x_0 to float64
    # precision: the step returns it, with no noise to inject.
    noise_free = abar_t >= 1.0
    x0 = model.predict_x0(x, t, eps)  # pred_original_sample -> x_0
    if clip is not None:
        x0 = x0.clamp(*clip)
        if not noise_free:
            # eps consistent with the clipped x_0: x_t = sqrt(abar_t) x_0 + sqrt(1-abar_t) eps
            eps = (x - math.sqrt(abar_t) * x0) / math.sqrt(1.0 - abar_t)
    # sigma_s^2 of [2] eq. 16: eta^2 (1-abar_s)/(1-abar_t) (1 - abar_t/abar_s);
    # eta=1 is the variance of the DDPM posterior q(x_s | x_t, x_0) ([1] eq. 7).
    var = 0.0 if noise_free else eta**2 * (1.0 - abar_s) / (1.0 - abar_t) * (1.0 - abar_t / abar_s)
    x_s = math.sqrt(abar_s) * x0 + math.sqrt(max(1.0 - abar_s - var, 0.0)) * eps
    if variance == "beta" and not noise_free:
        var = eta**2 * (1.0 - abar_t / abar_s)  # the same mean, more noise
    if var > 0.0:
        device = x.device if generator is None else generator.device
        z = torch.randn(x.shape, generator=generator, device=device, dtype=x.dtype)
        x_s = x_s + math.sqrt(var) * z.to(x.device)
    return x_s, x0


@dataclass(frozen=True)
class ReverseState:
    """The state of a reverse-diffusion run after one step, as tensors where it runs.

    What :func:`reverse_diffusion` yields; the samplers copy it to the CPU as a
    :class:`StepState`, whose fields it shares.

    Parameters
    ----------
    step, n_steps : int
        Steps done (1 to ``n_steps``) and steps in the run.
    t, sigma : float
        Time reached by this step (0 after the last) and its noise level.
    x_t : Tensor, shape (N, C, H, W)
        The state at ``t``, on the run's device.
    x0_pred : Tensor, shape of ``x_t``
        The ``x_0`` prediction made during this step (at ``t_from``).
    t_from, sigma_from : float
        The time this step started from and its noise level (``schedule.sigma(t_from)``).
    """

    step: int
    n_steps: int
    t: float
    sigma: float
    x_t: torch.Tensor
    x0_pred: torch.Tensor
    t_from: float
    sigma_from: float


Event = TypeVar("Event")

EpsEvaluator = Callable[[torch.Tensor, float, int], Generator[Event, None, torch.Tensor]]
"""``evaluate(x_t, t, step)``: a generator that may yield progress events and returns
``eps_theta(x_t, t)``, shaped like ``x_t``; ``step`` is the step it serves, from 1."""


def _network_eps(model: DiffusionModel) -> EpsEvaluator[Never]:
    """Evaluate ``eps`` with one call of the whole network, yielding nothing.

    A non-finite output is refused (:func:`check_network_output`).
    """

    def evaluate(x: torch.Tensor, t: float, step: int) -> Generator[Never, None, torch.Tensor]:
        yield from ()
        with torch.inference_mode():
            eps = model.predict_eps(x, t)
        check_network_output(model, x, eps, t)
        return eps

    return evaluate


def reverse_diffusion(
    model: DiffusionModel,
    x: torch.Tensor,
    *,
    t_start: float,
    n_steps: int,
    eta: float,
    generator: torch.Generator | None,
    clip: tuple[float, float] | None = None,
    evaluate_eps: EpsEvaluator[Event] | None = None,
    variance: str = "posterior",
) -> Generator[Event | ReverseState, None, None]:
    """Run generalised DDIM ([2]_, eq. 12) from ``x_t*`` to 0: the loop of every sampler.

    The times are :func:`reverse_times`; each step is :func:`reverse_step`. The inputs
    are not checked (:func:`ddim_sample` and :func:`ddpm_sample` check theirs).

    Parameters
    ----------
    model : DiffusionModel
        The schedule and the ``x_0`` estimate from ``eps``; the network too by default.
    x : Tensor, shape (N, C, H, W)
        ``x_t*``, on the device ``eps`` is evaluated on.
    t_start : float
        ``t*``.
    n_steps : int
        Steps, at least 1.
    eta : float
        0 is deterministic DDIM, 1 ancestral DDPM.
    generator : torch.Generator or None
        Source of the step noise (:func:`reverse_step`); unused when ``eta`` is 0.
    clip : tuple of float or None
        Clamp each ``x_0`` prediction to ``(low, high)``.
    evaluate_eps : callable or None
        Evaluates ``eps`` (tile by tile, say), yielding progress events
        (:data:`EpsEvaluator`); the whole network at once, yielding nothing, if None,
        refusing a non-finite output (:func:`check_network_output`).
    variance : {"posterior", "beta"}
        The variance of each step's noise (:func:`reverse_step`).

    Yields
    ------
    object
        Each event ``evaluate_eps`` yields, as it comes.
    ReverseState
        After every step.

    References
    ----------
    .. [2] J. Song, C. Meng, S. Ermon. Denoising Diffusion Implicit Models. ICLR 2021.
    """
    evaluate = _network_eps(model) if evaluate_eps is None else evaluate_eps
    schedule = model.schedule
    times = reverse_times(t_start, n_steps)
    for i in range(n_steps):
        t, s = float(times[i]), float(times[i + 1])
        eps = yield from evaluate(x, t, i + 1)
        with torch.inference_mode():
            x, x0 = reverse_step(
                model, x, eps, t=t, s=s, eta=eta, generator=generator, clip=clip, variance=variance
            )
        yield ReverseState(
            step=i + 1,
            n_steps=n_steps,
            t=s,
            sigma=float(schedule.sigma(s)),
            x_t=x,
            x0_pred=x0,
            t_from=t,
            sigma_from=float(schedule.sigma(t)),
        )


def _reverse(
    model: DiffusionModel,
    x_start: torch.Tensor | ArrayLike,
    *,
    t_start: float,
    n_steps: int,
    eta: float,
    generator: torch.Generator | None,
    clip: tuple[float, float] | None,
) -> Iterator[StepState]:
    """:func:`reverse_diffusion` of any input, checked on the call, its states copied to the CPU."""
    if not isinstance(x_start, torch.Tensor):
        x_start = np.ascontiguousarray(x_start, dtype=np.float32)  # torch takes no negative stride
    shape = tuple(x_start.shape)
    x = _as_batch(model, x_start)
    states = reverse_diffusion(
        model, x, t_start=t_start, n_steps=n_steps, eta=eta, generator=generator, clip=clip
    )
    return _on_cpu(states, shape)


def _on_cpu(states: Iterator[ReverseState], shape: tuple[int, ...]) -> Iterator[StepState]:
    """Copy each state to the CPU as a :class:`StepState` shaped like the input."""
    for state in states:
        yield StepState(
            step=state.step,
            n_steps=state.n_steps,
            t=state.t,
            sigma=state.sigma,
            x_t=state.x_t.detach().cpu().numpy().reshape(shape),
            x0_pred=state.x0_pred.detach().cpu().numpy().reshape(shape),
            t_from=state.t_from,
            sigma_from=state.sigma_from,
        )


def ddim_sample(
    model: DiffusionModel,
    x_start: torch.Tensor | ArrayLike,
    *,
    t_start: float,
    n_steps: int,
    clip: tuple[float, float] | None = None,
) -> Iterator[StepState]:
    """Run deterministic DDIM (eta = 0) from ``x_start`` at time ``t_start`` down to 0.

    Parameters
    ----------
    model : DiffusionModel
        The noise predictor and its schedule.
    x_start : Tensor or array_like, shape (H, W) or (N, C, H, W)
        ``x_t*``, for denoising ``sqrt(abar_t*) y`` (see :func:`diffusion_start`).
    t_start : float
        ``t*`` in ``(0, T]``; need not be an integer.
    n_steps : int
        Network evaluations, at least 1; 1 gives the Tweedie estimate.
    clip : tuple of float or None
        Clamp each ``x_0`` prediction to ``(low, high)``, as improved-diffusion's
        ``clip_denoised``; useful when generating from pure noise.

    Yields
    ------
    StepState
        After every step.

    Raises
    ------
    ValueError
        If ``n_steps`` is not an integer >= 1, ``t_start`` is out of range, or
        ``x_start`` is of another shape or number of channels than the network takes
        or holds NaN or infinity (raised on the call).
    XrayError
        If the network's output holds NaN or infinity (:func:`check_network_output`),
        raised by the step that made it.

    References
    ----------
    .. [1] J. Song, C. Meng, S. Ermon. Denoising Diffusion Implicit Models. ICLR 2021.
    """
    _check_run(model, t_start, n_steps)
    return _reverse(
        model, x_start, t_start=t_start, n_steps=n_steps, eta=0.0, generator=None, clip=clip
    )


def ddpm_sample(
    model: DiffusionModel,
    x_start: torch.Tensor | ArrayLike,
    *,
    t_start: float,
    n_steps: int,
    generator: torch.Generator,
    clip: tuple[float, float] | None = None,
) -> Iterator[StepState]:
    """Run ancestral DDPM sampling from ``x_start`` at time ``t_start`` down to 0.

    Each step draws from the posterior ``q(x_s | x_t, x_0 = x0_pred)`` of [1]_ (eq. 6-7)
    for the respaced times ``t > s`` ([3]_, sec. 4), i.e. generalised DDIM with eta = 1 [2]_.

    Parameters
    ----------
    model : DiffusionModel
        The noise predictor and its schedule.
    x_start : Tensor or array_like, shape (H, W) or (N, C, H, W)
        ``x_t*``.
    t_start : float
        ``t*`` in ``(0, T]``.
    n_steps : int
        Network evaluations, at least 1; 1 gives the Tweedie estimate.
    generator : torch.Generator
        Source of the step noise (:func:`reverse_step`): a CPU one
        (:func:`seeded_generator`) gives the same noise on every device.
    clip : tuple of float or None
        Clamp each ``x_0`` prediction to ``(low, high)``.

    Yields
    ------
    StepState
        After every step.

    Raises
    ------
    ValueError
        If ``n_steps`` is not an integer >= 1, ``t_start`` is out of range, or
        ``x_start`` is of another shape or number of channels than the network takes
        or holds NaN or infinity (raised on the call).
    XrayError
        If the network's output holds NaN or infinity (:func:`check_network_output`),
        raised by the step that made it.

    References
    ----------
    .. [1] J. Ho, A. Jain, P. Abbeel. Denoising Diffusion Probabilistic Models.
       NeurIPS 2020.
    .. [2] J. Song, C. Meng, S. Ermon. Denoising Diffusion Implicit Models. ICLR 2021.
    .. [3] A. Nichol, P. Dhariwal. Improved Denoising Diffusion Probabilistic Models.
       ICML 2021.
    """
    _check_run(model, t_start, n_steps)
    return _reverse(
        model, x_start, t_start=t_start, n_steps=n_steps, eta=1.0, generator=generator, clip=clip
    )


def generate(
    model: DiffusionModel,
    shape: tuple[int, ...],
    *,
    n_steps: int,
    generator: torch.Generator,
    method: str = "ddim",
    clip: tuple[float, float] | None = (-1.0, 1.0),
) -> Iterator[StepState]:
    """Generate images from pure noise: the reverse process from ``t = T``.

    Parameters
    ----------
    model : DiffusionModel
        The noise predictor and its schedule.
    shape : tuple of int
        ``(H, W)`` or ``(N, C, H, W)``.
    n_steps : int
        Network evaluations, at least 1.
    generator : torch.Generator
        Source of ``x_T`` (and of the step noise for ``"ddpm"``), drawn on its device
        and moved to the model's: a CPU one (:func:`seeded_generator`) gives the same
        noise on every device.
    method : {"ddim", "ddpm"}
        Sampler.
    clip : tuple of float or None
        Clamp each ``x_0`` prediction; the model's intensity range by default.

    Yields
    ------
    StepState
        After every step.

    Raises
    ------
    XrayError
        If the network's output holds NaN or infinity (:func:`check_network_output`),
        raised by the step that made it.
    """
    if method not in ("ddim", "ddpm"):
        raise ValueError(f"method must be 'ddim' or 'ddpm', got {method!r}")
    x_T = torch.randn(shape, generator=generator, device=generator.device)
    t_end = float(model.schedule.n_timesteps)
    if method == "ddim":
        return ddim_sample(model, x_T, t_start=t_end, n_steps=n_steps, clip=clip)
    return ddpm_sample(model, x_T, t_start=t_end, n_steps=n_steps, generator=generator, clip=clip)


def sample(states: Iterator[StepState]) -> StepState:
    """Run a sampler to the end and return its last state (the blocking form).

    Parameters
    ----------
    states : iterator of StepState
        A sampler, e.g. ``ddim_sample(...)``.

    Returns
    -------
    StepState
        The final state; its ``x_t`` is the result.
    """
    last = None
    for last in states:  # noqa: B007
        pass
    if last is None:
        raise ValueError("the sampler yielded no state")
    return last
