"""A 1-step DDPM run adds no noise (its one step lands on t = 0): it is the DDIM result for
every seed, and its description says so rather than record a seed that changed nothing."""

import numpy as np

from core.denoise import DenoiseSettings, denoise_image


def test_one_step_ddpm_is_described_without_a_seed(tiny_model, noisy_phantom):
    results = {
        (sampler, seed): denoise_image(
            noisy_phantom,
            tiny_model,
            DenoiseSettings(sampler=sampler, seed=seed, device="cpu", views=1),
        )
        for sampler, seed in [("ddim", 0), ("ddpm", 0), ("ddpm", 5)]
    }
    ddim = results["ddim", 0].image.pixels
    for (sampler, seed), result in results.items():
        np.testing.assert_array_equal(result.image.pixels, ddim)
        if sampler == "ddpm":
            assert result.settings.describe() == (
                "DDPM, 1 step (no noise added: the same as DDIM), strength 1, 1 view"
            )
            assert f"seed {seed}" not in result.description()


def test_from_two_steps_the_seed_is_recorded():
    assert DenoiseSettings(sampler="ddpm", n_steps=2, seed=5, views=1).describe() == (
        "DDPM, 2 steps, seed 5, strength 1, 1 view"
    )
