"""The uncertainty map's samples spread as the posterior does, at the default steps.

With the exact noise predictor of Gaussian data ``x_0 ~ N(0, C^2)`` the posterior std of
``x_0`` given ``y = x_0 + sigma n`` is ``C sigma / sqrt(C^2 + sigma^2)``. Ancestral steps
that drew the DDPM posterior's variance gave 0.817 of it at 10 steps (8 samples; 0.85 at
any spacing of the steps), as the last step to 0 added no noise and each coarse step too
little; the ``beta`` step noise the samples draw keeps all of it.
"""

import math

import numpy as np
import torch

import core.denoise.pipeline as pipeline
from core.denoise import DenoiseSettings, denoise_image
from core.denoise.uncertainty import SAMPLE_VARIANCE, RunningMoments
from core.diffusion import DiffusionModel, diffusion_start
from core.diffusion.sampler import reverse_diffusion, seeded_generator

C, SIGMA, SAMPLES = 0.5, 0.018, 8  # SIGMA: the shipped model's t* on a 20,000-quanta phantom
C4 = math.sqrt(2 / (SAMPLES - 1)) * math.gamma(SAMPLES / 2) / math.gamma((SAMPLES - 1) / 2)
"""E[s] / sigma for the sample std of 8 normal draws (0.965)."""


def _spread_over_truth(model: DiffusionModel, steps: int) -> float:
    """The samples' mean std over the posterior's (and the bias of the std of 8 draws)."""
    schedule = model.schedule
    rng = np.random.default_rng(0)
    y = rng.normal(0.0, C, (128, 128)) + SIGMA * rng.normal(size=(128, 128))
    x_start, t_start = diffusion_start(
        schedule, torch.tensor(y, dtype=torch.float32)[None, None], sigma=SIGMA
    )
    moments = RunningMoments()
    for seed in range(SAMPLES):
        *_, last = reverse_diffusion(
            model,
            x_start,
            t_start=t_start,
            n_steps=steps,
            eta=1.0,
            generator=seeded_generator(seed),
            variance=SAMPLE_VARIANCE,
        )
        moments.add(last.x_t.numpy())
    true_std = C * SIGMA / math.sqrt(C * C + SIGMA * SIGMA)
    return float(moments.std().mean()) / (C4 * true_std)


def test_the_default_samples_spread_as_the_posterior(gaussian_model):
    model = gaussian_model(0.0, C)
    steps = DenoiseSettings().uncertainty_steps
    assert 0.95 <= _spread_over_truth(model, steps) <= 1.05  # the posterior's variance: 0.847
    assert 0.95 <= _spread_over_truth(model, 2) <= 1.05  # at any number of steps: 0.495


def test_the_samples_draw_that_noise_and_the_denoise_its_own(
    tiny_model, noisy_phantom, monkeypatch
):
    drawn = []

    def recording(*args, **kwargs):
        drawn.append(kwargs.get("variance", "posterior"))
        return reverse_diffusion(*args, **kwargs)

    monkeypatch.setattr(pipeline, "reverse_diffusion", recording)
    settings = DenoiseSettings(
        sampler="ddpm",
        n_steps=2,
        device="cpu",
        views=1,
        n_uncertainty_samples=2,
        uncertainty_steps=2,
    )
    result = denoise_image(noisy_phantom, tiny_model, settings)
    assert drawn == ["posterior", SAMPLE_VARIANCE, SAMPLE_VARIANCE]
    assert (
        "uncertainty map of 2 DDPM samples of 2 steps with beta step noise" in result.description()
    )
