import gc
import math
import tracemalloc

import numpy as np
import pytest

from core.denoise import (
    DenoiseResult,
    DenoiseSettings,
    DenoiseStep,
    ModelDomain,
    NoiseEstimate,
    TileProgress,
    denoise_image,
    denoise_steps,
)
from core.diffusion.sampler import reverse_times


def test_end_to_end_on_a_noisy_phantom(tiny_model, noisy_phantom):
    result = denoise_image(noisy_phantom, tiny_model, DenoiseSettings(device="cpu"))
    out = result.image
    assert out.shape == noisy_phantom.shape and out.mapping == noisy_phantom.mapping
    assert out.pixels.dtype == np.float32 and np.all(np.isfinite(out.pixels))
    assert out.pixels.min() >= 0 and out.pixels.max() <= 4095
    assert not np.array_equal(out.pixels, noisy_phantom.pixels)
    schedule = tiny_model.schedule
    assert result.t_start == pytest.approx(schedule.timestep_for_sigma(result.noise_std_model))
    assert result.noise_before.sigma > 0 and result.uncertainty is None
    assert result.model_name == "unet8-cosine-v1" and result.device.startswith("CPU")
    description = result.description()
    assert "\n" not in description and len(description) <= 1024
    for part in ("unet8-cosine-v1", "unsaved weights", "DDIM, 1 step, strength 1", "sigma", "t* "):
        assert part in description
    assert "seed" not in description


@pytest.fixture
def flat_noisy_image(make_image):
    """A flat 16-bit image with white Gaussian noise (mean 2000, sigma 20)."""
    rng = np.random.default_rng(0)
    return make_image(2000.0 + 20.0 * rng.standard_normal((96, 96)), bits=16)


@pytest.mark.parametrize("strength", [1.0, 1.6])
def test_one_step_is_the_posterior_mean(gaussian_model, flat_noisy_image, strength):
    """With the exact eps of a Gaussian prior, one step is E[x_0 | y] (Tweedie)."""
    image = flat_noisy_image
    mu, s0 = 0.05, 0.3
    result = denoise_image(image, gaussian_model(mu, s0), DenoiseSettings(strength=strength))
    domain = ModelDomain.from_image(image, NoiseEstimate.from_pixels(image.pixels))
    sigma = domain.noise_std * strength
    y = domain.to_model(image.pixels).astype(np.float64)
    expected = domain.to_pixels(mu + s0**2 / (s0**2 + sigma**2) * (y - mu))
    np.testing.assert_allclose(result.image.pixels, expected, rtol=0, atol=0.02)


def test_ddim_steps_follow_the_exact_update(gaussian_model, flat_noisy_image):
    """Tiled multi-step DDIM on a Gaussian prior: each step shrinks y - mu by a known factor.

    In the scaled domain ``z = x / sqrt(abar)`` a DDIM step with exact eps gives
    ``z_s - mu = (k_t + (sigma_s / sigma_t)(1 - k_t)) (z_t - mu)``,
    ``k_t = s0^2 / (s0^2 + sigma_t^2)``.
    """
    image = flat_noisy_image
    mu, s0, n_steps = -0.1, 0.2, 5
    model = gaussian_model(mu, s0)
    settings = DenoiseSettings(n_steps=n_steps, tile_size=64, tile_overlap=16)
    events = list(denoise_steps(image, model, settings))
    result = events[-1]
    domain = ModelDomain.from_image(image, NoiseEstimate.from_pixels(image.pixels))
    sigmas = model.schedule.sigma(reverse_times(result.t_start, n_steps))
    factors = [
        s0**2 / (s0**2 + t**2) + (s / t) * (t**2 / (s0**2 + t**2))
        for t, s in zip(sigmas[:-1], sigmas[1:], strict=True)
    ]
    y = domain.to_model(image.pixels).astype(np.float64)
    expected = domain.to_pixels(mu + math.prod(factors) * (y - mu))
    np.testing.assert_allclose(result.image.pixels, expected, rtol=0, atol=0.02)
    steps = [e for e in events if isinstance(e, DenoiseStep)]
    np.testing.assert_array_equal(steps[-1].image, result.image.pixels)
    np.testing.assert_array_equal(steps[-1].x0_pred, result.image.pixels)
    assert [s.t_from for s in steps] == list(reverse_times(result.t_start, n_steps)[:-1])
    assert [s.t for s in steps] == list(reverse_times(result.t_start, n_steps)[1:])


def test_noise_level_of_a_poisson_gaussian_image_is_found(tiny_model, make_image):
    """s (hence t*) matches the noise actually present in the model domain, within 15 %."""
    rng = np.random.default_rng(5)
    yy, xx = np.mgrid[0:160, 0:160] / 160.0
    clean = 200.0 + 3000.0 * (0.5 + 0.4 * np.sin(5 * xx) * np.cos(3 * yy))
    gain, read_noise = 2.0, 15.0
    noisy = gain * rng.poisson(clean / gain) + read_noise * rng.standard_normal(clean.shape)
    image = make_image(np.clip(noisy, 0, 65535), bits=16)
    domain = ModelDomain.from_image(image, NoiseEstimate.from_pixels(image.pixels))
    actual = np.std(domain.to_model(image.pixels) - domain.to_model(clean.astype(np.float32)))
    assert domain.noise_std == pytest.approx(actual, rel=0.15)
    result = denoise_image(image, tiny_model, DenoiseSettings(device="cpu"))
    assert result.noise_std_model == domain.noise_std
    assert tiny_model.schedule.sigma(result.t_start) == pytest.approx(actual, rel=0.15)


def test_cancelling_yields_no_result_and_frees_the_run(tiny_model, noisy_phantom):
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        events = denoise_steps(noisy_phantom, tiny_model, DenoiseSettings(n_steps=3, device="cpu"))
        assert isinstance(next(events), TileProgress)
        held = tracemalloc.get_traced_memory()[0] - before
        events.close()
        gc.collect()
        left = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert events.gi_frame is None and list(events) == []
    assert held > 2 * noisy_phantom.pixels.nbytes and left < noisy_phantom.pixels.nbytes // 4


def test_events_arrive_in_order(tiny_model, noisy_phantom):
    settings = DenoiseSettings(n_steps=2, tile_size=64, tile_overlap=8, device="cpu", views=1)
    events = list(denoise_steps(noisy_phantom, tiny_model, settings))
    kinds = [type(e).__name__ for e in events]
    step = ["TileProgress"] * 4 + ["DenoiseStep"]
    assert kinds == step * 2 + ["DenoiseResult"]
    progress = [e for e in events if isinstance(e, TileProgress)]
    assert [(p.step, p.tile, p.n_tiles) for p in progress[:4]] == [(1, i, 4) for i in (1, 2, 3, 4)]
    fractions = [p.fraction for p in progress]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    steps = [e for e in events if isinstance(e, DenoiseStep)]
    assert [s.step for s in steps] == [1, 2] and steps[-1].t == 0.0 and steps[0].sigma > 0
    for s in steps:
        assert s.image.shape == noisy_phantom.shape and s.image.dtype == np.float32
    unseen = list(denoise_steps(noisy_phantom, tiny_model, settings, step_images=False))
    assert all(e.image is None for e in unseen if isinstance(e, DenoiseStep))
    np.testing.assert_array_equal(unseen[-1].image.pixels, events[-1].image.pixels)


def test_uncertainty_map(tiny_model, noisy_phantom):
    settings = DenoiseSettings(n_uncertainty_samples=3, uncertainty_steps=3, seed=4, device="cpu")
    events = list(denoise_steps(noisy_phantom, tiny_model, settings))
    spread = events[-1].uncertainty
    assert spread.dtype == np.float32 and np.all(np.isfinite(spread)) and spread.max() > 0
    runs = {(e.run, e.n_runs, e.n_steps) for e in events if isinstance(e, TileProgress)}
    assert runs == {(0, 4, 1), (1, 4, 3), (2, 4, 3), (3, 4, 3)}
    again = denoise_image(noisy_phantom, tiny_model, settings)
    np.testing.assert_array_equal(again.uncertainty, spread)


def test_ddpm_is_reproducible_by_seed(tiny_model, noisy_phantom):
    def run(seed):
        settings = DenoiseSettings(sampler="ddpm", n_steps=3, seed=seed, device="cpu")
        return denoise_image(noisy_phantom, tiny_model, settings)

    a, b, c = run(1), run(1), run(2)
    np.testing.assert_array_equal(a.image.pixels, b.image.pixels)
    assert not np.array_equal(a.image.pixels, c.image.pixels)
    assert "DDPM, 3 steps, seed 1" in a.description()


def test_a_flat_image_is_a_clear_error(tiny_model, make_image):
    image = make_image(np.full((64, 64), 1000.0))
    with pytest.raises(ValueError) as caught:
        denoise_image(image, tiny_model)
    assert str(caught.value) == (
        "cannot estimate the noise of this image: the image is constant (every pixel is 1000), "
        "so it has no smooth unclipped areas to measure noise in"
    )


def test_a_small_image_is_a_clear_error(tiny_model, make_image):
    # 10 x 10 pixels (pydicom's rtdose.dcm) hold 9 blocks of 3 x 3, fewer than the 10 needed.
    image = make_image(np.random.default_rng(0).normal(1000.0, 20.0, (10, 10)))
    with pytest.raises(ValueError) as caught:
        denoise_image(image, tiny_model)
    assert str(caught.value) == (
        "cannot estimate the noise of this image: the image is too small (10 x 10 pixels): "
        "measuring its noise needs 10 smooth unclipped blocks of 3 x 3 pixels, and it holds "
        "only 9"
    )


def test_an_image_without_measurable_noise_comes_back_unchanged(tiny_model, make_image):
    # Bars of 32-bit values: the noise the estimate finds is float32 rounding, so small in
    # the model's domain that abar(t*) is 1 in float64 (this divided by zero once).
    bars = np.repeat(np.arange(10) * 4.0e8 + 1.0e8, 7)[:64]
    image = make_image(np.tile(bars, (64, 1)), bits=32)
    result = denoise_image(image, tiny_model)
    assert float(tiny_model.schedule.abar(result.t_start)) == 1.0
    np.testing.assert_allclose(result.image.pixels, image.pixels, rtol=1e-6)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sampler": "euler"}, "sampler"),
        ({"n_steps": 0}, "^the number of steps must be an integer >= 1, got 0$"),
        ({"seed": -1}, "seed"),
        ({"strength": 0.0}, "strength"),
        ({"strength": float("nan")}, "strength"),
        ({"tile_size": 100, "tile_overlap": 32}, "4 x tile_overlap"),
        ({"n_uncertainty_samples": 1.5}, "n_uncertainty_samples"),
        ({"n_uncertainty_samples": 1}, "^an uncertainty map needs at least 2 samples"),
        ({"device": "gpu"}, "device"),
    ],
)
def test_settings_are_checked(changes, message):
    with pytest.raises(ValueError, match=message):
        DenoiseSettings(**changes)


def test_result_is_a_frozen_record(tiny_model, noisy_phantom):
    result = denoise_image(noisy_phantom, tiny_model, DenoiseSettings(device="cpu"))
    assert isinstance(result, DenoiseResult)
    with pytest.raises(AttributeError):
        result.seconds = 0.0


def test_the_denoised_padding_is_the_sources(tiny_model, noisy_phantom):
    from dataclasses import replace

    from core.image import Padding

    stored = noisy_phantom.pixels.astype(np.int64)
    stored[:12, :] = 0
    source = replace(
        noisy_phantom.with_pixels(stored), padding=Padding.from_stored(stored[:, :], 0, 0)
    )
    assert source.padding.mask[:12].all()
    result = denoise_image(source, tiny_model, DenoiseSettings(device="cpu", views=1))
    mask = source.padding.mask
    np.testing.assert_array_equal(result.image.pixels[mask], source.pixels[mask])
    assert result.image.padding is source.padding


@pytest.mark.parametrize(
    ("side", "mean", "sd", "bits"), [(24, 32768, 3277, 16), (64, 1000, 30, 12)]
)
def test_small_flat_noisy_images_come_back_flat(make_image, side, mean, sd, bits):
    """The shipped model on images whose noise curve spans under a sigma of intensity."""
    from core.denoise import default_model_path
    from core.diffusion import load_model

    model = load_model(default_model_path())
    for seed in (1, 6, 11, 13, 17, 21):  # each went wrong before: zeros, or shifted by sigmas
        noisy = np.random.default_rng(seed).normal(mean, sd, (side, side))
        image = make_image(np.clip(np.rint(noisy), 0, 2**bits - 1), bits=bits)
        result = denoise_image(image, model, DenoiseSettings(views=1, device="cpu"))
        assert np.sqrt(np.mean((result.image.pixels - mean) ** 2)) < sd
