import numpy as np
import pytest

from core.denoise import ModelDomain, NoiseEstimate
from core.denoise.table import UniformTable
from core.noise import (
    DetectorModel,
    LogDetectorStabilizer,
    NoiseLevelStabilizer,
    simulate_low_dose,
)


def test_uniform_table_matches_the_function_and_falls_back_outside():
    table = UniformTable.of(np.sqrt, 1.0, 100.0)
    x = np.array([[1.0, 1.5, 37.25], [99.99, 100.0, 250.0]])
    np.testing.assert_allclose(table(x), np.sqrt(x), rtol=1e-7)
    with pytest.raises(ValueError, match="low < high"):
        UniformTable.of(np.sqrt, 2.0, 2.0)


def test_model_domain_equals_the_exact_stabiliser(noisy_phantom):
    noise = NoiseEstimate.from_pixels(noisy_phantom.pixels)
    domain = ModelDomain.from_image(noisy_phantom, noise)
    pixels = noisy_phantom.pixels
    exact = domain.stabilizer.forward(pixels) * domain.scale + domain.offset
    model = domain.to_model(pixels)
    np.testing.assert_allclose(model, exact, atol=1e-5)
    low, high = np.percentile(model, [0.1, 99.9])  # of pixels: the map uses 4 x 4 block means
    assert -1.1 < low < -0.8 and 0.8 < high < 1.1
    stabilised = (model.astype(np.float64) - domain.offset) / domain.scale
    for estimate, inverse in ((True, domain.stabilizer.inverse), (False, None)):
        inverse = inverse or domain.stabilizer.algebraic_inverse
        expected = np.clip(inverse(stabilised), 0, 4095)
        np.testing.assert_allclose(domain.to_pixels(model, estimate=estimate), expected, atol=1e-3)
    np.testing.assert_allclose(domain.to_pixels(model, estimate=False), pixels, atol=0.05)
    far = np.array([-5.0, 5.0])
    np.testing.assert_allclose(
        domain.to_pixels(far),
        np.clip(domain.stabilizer.inverse((far - domain.offset) / domain.scale), 0, 4095),
    )


def test_noise_below_quantisation_is_raised_to_it(make_image):
    yy, xx = np.mgrid[0:64, 0:64]
    image = make_image(np.round(1000 + 10 * xx + 5 * yy))  # noise-free ramp, 12-bit
    noise = NoiseEstimate.from_pixels(image.pixels)
    domain = ModelDomain.from_image(image, noise)
    assert np.all(np.isfinite(domain.to_model(image.pixels)))
    assert domain.stabilizer.end_sigmas[0] >= 1 / np.sqrt(12) - 1e-12


def test_a_log_detectors_image_is_stabilised_in_its_counts_without_the_logs_bias(make_image):
    detector = DetectorModel.from_range(0.0, 4095.0)
    clean = np.tile(np.linspace(585.0, 3200.0, 512), (512, 1))  # line integrals 1 to 5.5
    noisy = simulate_low_dose(
        clean, dose=0.05, detector=detector, rng=np.random.default_rng(5), input_is_noisy=False
    )
    image = make_image(np.round(noisy))
    noise = NoiseEstimate.from_pixels(image.pixels)
    assert noise.detector is not None and "log detector" in noise.summary()
    domain = ModelDomain.from_image(image, noise)
    assert isinstance(domain.stabilizer, LogDetectorStabilizer)
    # The 32 most attenuating columns (about 20 quanta): the mean noisy pixel is biased
    # by the log; the mean in the model domain, mapped back, is the clean value.
    columns = slice(480, 512)
    truth = clean[:, columns].mean()
    bias = image.pixels[:, columns].mean() - truth
    assert bias > 10
    mean_model = domain.to_model(image.pixels[:, columns]).astype(np.float64).mean()
    assert abs(float(domain.to_pixels(np.array(mean_model))) - truth) < 0.3 * bias


def test_a_linear_detectors_image_keeps_the_noise_level_stabilizer(make_image):
    rng = np.random.default_rng(6)
    mean = np.tile(np.linspace(50.0, 3000.0, 384), (384, 1))
    image = make_image(np.clip(np.round(rng.poisson(mean)), 0, 4095))  # a linear detector
    noise = NoiseEstimate.from_pixels(image.pixels)
    assert noise.detector is None and "no log detector fit" in noise.summary()
    assert isinstance(ModelDomain.from_image(image, noise).stabilizer, NoiseLevelStabilizer)


@pytest.mark.parametrize("inverted", [False, True])
def test_noisy_states_map_back_monotonically_past_the_images_range(noisy_phantom, inverted):
    """A bright x_t beyond any pixel's stabilised value is shown bright, not dark."""
    pixels = 4095.0 - noisy_phantom.pixels if inverted else noisy_phantom.pixels
    domain = ModelDomain.from_image(
        noisy_phantom.with_pixels(pixels), NoiseEstimate.from_pixels(pixels)
    )
    assert isinstance(domain.stabilizer, LogDetectorStabilizer)
    values = np.linspace(-8.0, 8.0, 16001)  # stabilised 0 at 4.2 (-2.3 inverted)
    shown = domain.to_pixels(values, estimate=False).astype(np.float64)
    assert np.all(np.diff(shown) >= 0)
    assert shown[0] == 0.0 and shown[-1] == 4095.0  # saturated at the storable ends
    inside = np.abs(values) < 0.9  # where the image lies: unchanged
    stabilised = (values[inside] - domain.offset) / domain.scale
    expected = np.clip(domain.stabilizer.algebraic_inverse(stabilised), 0, 4095)
    np.testing.assert_allclose(shown[inside], expected, atol=1e-3)
