import dataclasses
import gc
import math
import tracemalloc

import numpy as np
import pytest
import torch

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
from core.denoise.pipeline import CPU_PREPARATION_COST, model_name
from core.diffusion.model import DiffusionModel, load_model, save_model
from core.diffusion.sampler import reverse_times
from core.diffusion.schedule import NoiseSchedule
from core.diffusion.unet import UNet, UNetConfig


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
    assert (
        result.model_name == "unet8, channel_mult 1-2, blocks_per_level 1, mid_blocks 1, cosine-v1"
    )
    assert result.device.startswith("CPU")
    description = result.description()
    assert "\n" not in description and len(description) <= 1024
    for part in (result.model_name, "unsaved weights", "DDIM, 1 step, strength 1", "t* "):
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
    assert kinds == ["TileProgress"] + step * 2 + ["DenoiseResult"]
    progress = [e for e in events if isinstance(e, TileProgress)]
    assert [(p.step, p.tile, p.n_tiles) for p in progress[:5]] == [(0, 0, 4)] + [
        (1, i, 4) for i in (1, 2, 3, 4)
    ]
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


def test_uncertainty_samples_need_at_least_two_steps():
    with pytest.raises(ValueError) as caught:
        DenoiseSettings(n_uncertainty_samples=2, uncertainty_steps=1)
    assert str(caught.value) == (
        "uncertainty samples need uncertainty_steps >= 2, got 1: a 1-step sample is the "
        "denoised image plus fresh noise at the image's own level, so the uncertainty map "
        "would show that level alone"
    )
    assert DenoiseSettings(uncertainty_steps=1).n_uncertainty_samples == 0  # no samples: unused
    assert DenoiseSettings(n_uncertainty_samples=2, uncertainty_steps=2).uncertainty_steps == 2


@pytest.mark.parametrize("seed", [2**64, 2**70, -1, 1.0, True])
def test_a_seed_torch_cannot_take_is_refused_by_name(seed):
    with pytest.raises(ValueError) as caught:
        DenoiseSettings(seed=seed)
    assert str(caught.value) == f"seed must be an integer from 0 to 2**64 - 1, got {seed!r}"


@pytest.mark.parametrize("seed", [2**64 - 1, np.uint64(2**64 - 1), np.int64(7)])
def test_every_seed_the_settings_take_runs(tiny_model, noisy_phantom, seed):
    settings = DenoiseSettings(
        sampler="ddpm", n_steps=2, seed=seed, n_uncertainty_samples=2, uncertainty_steps=2
    )
    result = denoise_image(noisy_phantom, tiny_model, dataclasses.replace(settings, device="cpu"))
    assert f"seed {seed}" in result.description() and result.uncertainty.max() > 0


def test_the_model_name_tells_models_apart(tmp_path):
    config = UNetConfig.tiny()
    variants = [
        config,
        dataclasses.replace(config, mid_blocks=2),
        dataclasses.replace(config, blocks_per_level=2),
        dataclasses.replace(config, channel_mult=(1, 2, 2)),
        dataclasses.replace(config, attention=True),
    ]
    names = [model_name(DiffusionModel(UNet(c), NoiseSchedule())) for c in variants]
    assert names[0] == "unet8, channel_mult 1-2, blocks_per_level 1, mid_blocks 1, cosine-v1"
    assert names[4] == names[0].replace(", cosine-v1", ", attention, cosine-v1")
    assert len(set(names)) == len(names)
    model = DiffusionModel(UNet(config), NoiseSchedule())
    save_model(model, tmp_path / "chest-finetune.safetensors")
    expected = f"chest-finetune ({names[0]})"
    assert model_name(model) == expected
    assert model_name(load_model(tmp_path / "chest-finetune.safetensors")) == expected


def test_the_description_names_the_model_file_and_its_depth(tiny_model, noisy_phantom, tmp_path):
    save_model(tiny_model, tmp_path / "my-model.safetensors")
    settings = DenoiseSettings(device="cpu", views=1)
    result = denoise_image(noisy_phantom, load_model(tmp_path / "my-model.safetensors"), settings)
    assert result.description().startswith(
        "denoised by diffusion model my-model (unet8, channel_mult 1-2, blocks_per_level 1, "
        f"mid_blocks 1, cosine-v1), sha256 {tiny_model.card.weights_sha256[:16]}: DDIM, 1 step"
    )


def _progress(events):
    return [e for e in events if isinstance(e, TileProgress)]


def test_progress_is_weighted_by_network_calls(tiny_model, noisy_phantom):
    """A step of the denoise costs `views` evaluations, a step of a sample one."""
    settings = DenoiseSettings(
        views=4,
        n_uncertainty_samples=2,
        uncertainty_steps=3,
        tile_size=64,
        tile_overlap=8,
        device="cpu",
    )
    progress = _progress(denoise_steps(noisy_phantom, tiny_model, settings, step_images=False))
    total = CPU_PREPARATION_COST + 1 * 4 + 2 * 3
    first = progress[0]
    assert (first.run, first.step, first.tile, first.n_tiles) == (0, 0, 0, 16)
    assert first.fraction == pytest.approx(CPU_PREPARATION_COST / total)
    assert first.remaining is None and first.elapsed > 0
    end_of = {(e.run, e.step): e.fraction for e in progress if e.tile == e.n_tiles}
    assert end_of[(0, 1)] == pytest.approx((CPU_PREPARATION_COST + 4) / total)
    assert end_of[(1, 1)] == pytest.approx((CPU_PREPARATION_COST + 5) / total)
    assert end_of[(2, 3)] == 1.0
    fractions = [e.fraction for e in progress]
    assert fractions == sorted(fractions) and len(set(fractions)) == len(fractions)
    elapsed = [e.elapsed for e in progress]
    assert elapsed == sorted(elapsed)
    assert all(e.remaining >= 0 for e in progress[1:]) and progress[-1].remaining == 0.0


class _OutOfMemoryOnce(torch.nn.Module):
    """Wraps a network; runs out of memory once, on its third call."""

    def __init__(self, network):
        super().__init__()
        self.inner, self.config, self.calls = network, network.config, 0

    def forward(self, x, t):
        self.calls += 1
        if self.calls == 3:
            raise torch.cuda.OutOfMemoryError("Tried to allocate 2.00 GiB")
        return self.inner(x, t)


def test_progress_never_goes_back_when_a_step_is_retried_with_smaller_tiles(tiny_model, make_image):
    pixels = np.random.default_rng(3).normal(2000.0, 30.0, (192, 192))
    failing = DiffusionModel(_OutOfMemoryOnce(tiny_model.network), tiny_model.schedule)
    settings = DenoiseSettings(tile_size=128, tile_overlap=8, views=1, device="cpu")
    progress = _progress(denoise_steps(make_image(pixels), failing, settings))
    assert [e.n_tiles for e in progress[1:4]] == [4, 4, 16]  # retried after 2 of 4 tiles
    fractions = [e.fraction for e in progress]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
