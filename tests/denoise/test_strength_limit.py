"""A strength that would start beyond pure noise is refused by name, before any denoising."""

import re

import pytest

from core.denoise import DenoiseSettings, TileProgress, denoise_image, denoise_steps


def test_check_strength_names_the_option_and_the_largest_strength():
    settings = DenoiseSettings(strength=1e9)
    settings.check_strength(noise_std=0.01, sigma_max=20000.0 * 1e9 * 0.01)  # allowed
    with pytest.raises(ValueError) as caught:
        settings.check_strength(noise_std=0.0104, sigma_max=20291.2)
    assert str(caught.value) == (
        "--strength 1e+09 puts the start beyond pure noise (t > T): the noise level it sets, "
        "1.04e+07 in the model's domain, exceeds the schedule's largest, 20291.2; at most "
        "--strength 1.95e+06 for this image"
    )


def test_a_too_large_strength_fails_before_any_network_call(tiny_model, noisy_phantom):
    calls = []
    tiny_model.network.register_forward_pre_hook(lambda *args: calls.append(1))
    run = denoise_steps(noisy_phantom, tiny_model, DenoiseSettings(strength=1e9, device="cpu"))
    with pytest.raises(ValueError, match=r"^--strength 1e\+09 .* at most --strength \S+ for"):
        next(run)
    assert calls == []


def test_the_largest_strength_named_is_allowed(tiny_model, noisy_phantom):
    settings = DenoiseSettings(strength=1e9, device="cpu", views=1)
    with pytest.raises(ValueError) as caught:
        denoise_image(noisy_phantom, tiny_model, settings)
    largest = float(re.search(r"at most --strength (\S+) for", str(caught.value)).group(1))
    events = denoise_steps(noisy_phantom, tiny_model, DenoiseSettings(strength=largest, views=1))
    assert isinstance(next(events), TileProgress)
    *_, result = events
    assert result.t_start <= tiny_model.schedule.n_timesteps
