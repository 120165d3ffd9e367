"""Declared pixel padding: out of the noise estimate, the model-domain map and the network."""

from dataclasses import replace

import numpy as np
import pytest

from core.denoise import (
    DenoiseResult,
    DenoiseSettings,
    DenoiseStep,
    ModelDomain,
    NoiseEstimate,
    denoise_image,
    denoise_steps,
    estimate_image_noise,
    forward_process,
)
from core.denoise.models import open_model
from core.denoise.padding import filled_padding
from core.image import Padding
from core.noise import LogDetectorStabilizer, NoiseLevelStabilizer, phantom_image

FRAME = 48
"""Width of the padding frame round a 256 px phantom."""


def _framed(image, value, width=FRAME):
    """The image with a frame of padding at stored ``value`` (its mapping is the identity)."""
    stored = image.pixels.astype(np.int64)
    stored[:width] = stored[-width:] = stored[:, :width] = stored[:, -width:] = value
    padded = image.with_pixels(stored.astype(np.float32))
    return replace(padded, padding=Padding.from_stored(stored, value, value))


@pytest.fixture(scope="module")
def shipped_model():
    return open_model()


@pytest.mark.parametrize(("offset", "bits", "value"), [(20000, 16, 0), (1000, 14, 16383)])
def test_declared_padding_costs_the_anatomy_nothing(make_image, shipped_model, offset, bits, value):
    """Shipped: 40.8 and 44.6 dB with the padding against 46.7 without, 39.6 at the rim."""
    noisy = phantom_image((256, 256), seed=0, photons_per_pixel=5000) + offset
    clean = phantom_image((256, 256), seed=0).astype(np.float64) + offset
    image = make_image(noisy, bits=bits)
    padded = _framed(image, value)
    settings = DenoiseSettings(device="cpu", views=1)
    plain = denoise_image(image, shipped_model, settings).image.pixels
    result = denoise_image(padded, shipped_model, settings)
    inner = (slice(FRAME, -FRAME),) * 2

    def psnr(pixels):
        return 10 * np.log10(4095**2 / np.mean((pixels[inner] - clean[inner]) ** 2))

    assert psnr(result.image.pixels) > psnr(plain) - 0.5
    rim = np.zeros(clean.shape, dtype=bool)
    rim[FRAME:-FRAME, FRAME:-FRAME] = True
    rim[FRAME + 2 : -FRAME - 2, FRAME + 2 : -FRAME - 2] = False  # the 2 px beside the border

    def rim_rmse(pixels):
        return np.sqrt(np.mean((pixels[rim] - clean[rim]) ** 2))

    assert rim_rmse(result.image.pixels) < 1.5 * rim_rmse(plain)
    mask = padded.padding_mask
    np.testing.assert_array_equal(result.image.pixels[mask], padded.pixels[mask])


def test_every_image_shown_keeps_the_padding(tiny_model, noisy_phantom):
    image = _framed(noisy_phantom, 0, width=12)
    mask = image.padding_mask
    settings = DenoiseSettings(
        device="cpu", n_steps=3, sampler="ddpm", n_uncertainty_samples=2, uncertainty_steps=2
    )
    events = list(denoise_steps(image, tiny_model, settings))
    steps = [e for e in events if isinstance(e, DenoiseStep)]
    assert len(steps) == 3
    for step in steps:
        np.testing.assert_array_equal(step.image[mask], image.pixels[mask])
        np.testing.assert_array_equal(step.x0_pred[mask], image.pixels[mask])
    result = events[-1]
    assert isinstance(result, DenoiseResult)
    np.testing.assert_array_equal(result.image.pixels[mask], image.pixels[mask])
    assert np.all(result.uncertainty[mask] == 0) and np.all(result.uncertainty[~mask] > 0)
    shown = forward_process(image, tiny_model, 300.0, seed=0)
    np.testing.assert_array_equal(shown[mask], image.pixels[mask])


def test_the_noise_is_estimated_on_the_anatomy(tiny_model, make_image):
    image = _framed(make_image(phantom_image((256, 256), seed=0, photons_per_pixel=5000)), 0)
    result = denoise_image(image, tiny_model, DenoiseSettings(device="cpu", views=1))
    anatomy = NoiseEstimate.from_pixels(image.pixels, exclude=image.padding_mask)
    np.testing.assert_array_equal(result.noise_before.nlf.sigmas, anatomy.nlf.sigmas)
    assert result.noise_before.sigma == anatomy.sigma
    assert result.noise_before.detector is not None


def test_the_padding_is_filled_by_mirroring_the_anatomy(make_image):
    pixels = np.arange(64, dtype=np.float32).reshape(8, 8)
    pixels[:, :3] = pixels[0] = 0
    image = replace(make_image(pixels), padding=Padding.from_stored(pixels.astype(np.int64), 0, 0))
    filled = filled_padding(image)
    np.testing.assert_array_equal(filled[1], [14, 13, 12, 11, 12, 13, 14, 15])
    np.testing.assert_array_equal(filled[0], filled[2])
    np.testing.assert_array_equal(filled[1:, 3:], pixels[1:, 3:])
    plain = make_image(pixels)
    assert filled_padding(plain) is plain.pixels


def test_an_image_without_padding_denoises_as_before(tiny_model, noisy_phantom):
    """Numbers of the same run before padding was left out; declared padding no pixel has
    changes nothing (the masked code path, bit for bit)."""
    settings = DenoiseSettings(
        device="cpu",
        precision="float32",
        n_steps=2,
        sampler="ddpm",
        views=2,
        n_uncertainty_samples=2,
        uncertainty_steps=2,
        seed=3,
    )

    def run(image):
        events = list(denoise_steps(image, tiny_model, settings))
        steps = np.stack(
            [a for e in events if isinstance(e, DenoiseStep) for a in (e.image, e.x0_pred)]
        )
        return events[-1], steps

    result, steps = run(noisy_phantom)
    assert result.t_start == pytest.approx(16.045037001096606, rel=1e-12)
    assert result.noise_std_model == pytest.approx(0.03534925213253267, rel=1e-12)
    assert result.noise_before.sigma == pytest.approx(62.287305049290026, rel=1e-12)
    assert result.noise_after == pytest.approx(69.82854205416993, rel=1e-4)
    for array, mean, rms in (
        (result.image.pixels, 1317.8684722711807, 1582.2787111090956),
        (result.uncertainty, 46.11536402825628, 62.98138342239972),  # beta step noise
        (steps, 1318.04869135452, 1582.6877822907818),
    ):
        values = array.astype(np.float64)
        assert values.mean() == pytest.approx(mean, rel=1e-5)
        assert np.sqrt(np.mean(values**2)) == pytest.approx(rms, rel=1e-5)

    stored = noisy_phantom.pixels.astype(np.int64)
    unused = int(stored.max()) + 1
    declared = replace(noisy_phantom, padding=Padding.from_stored(stored, unused, unused))
    assert not declared.padding_mask.any()
    again, again_steps = run(declared)
    np.testing.assert_array_equal(again.image.pixels, result.image.pixels)
    np.testing.assert_array_equal(again.uncertainty, result.uncertainty)
    np.testing.assert_array_equal(again_steps, steps)
    assert again.t_start == result.t_start and again.noise_after == result.noise_after


def test_signal_independent_noise_is_not_stabilised_as_a_log_detector(make_image):
    """Gaussian noise the fit takes for a log detector of 2e7 quanta (0.09 attenuation)."""
    clean = phantom_image((512, 512), seed=0).astype(np.float64)
    noisy = np.rint(clean + np.random.default_rng(1).normal(0.0, 10.0, clean.shape))
    image = make_image(np.clip(noisy, 0, 4095))
    noise = NoiseEstimate.from_pixels(image.pixels)
    assert noise.detector is not None and noise.detector.counts_at_reference > 1e6
    assert estimate_image_noise(image).detector is None
    assert isinstance(ModelDomain.from_image(image, noise).stabilizer, NoiseLevelStabilizer)


def test_quantum_noise_in_a_wide_container_keeps_its_log_detector(make_image):
    """12-bit data at 20,000-24,095 of a 16-bit range: 38 units of attenuation, still quanta."""
    image = make_image(phantom_image((256, 256), seed=0, photons_per_pixel=5000) + 20000, bits=16)
    noise = estimate_image_noise(image)
    assert noise.detector is not None
    assert isinstance(ModelDomain.from_image(image, noise).stabilizer, LogDetectorStabilizer)
