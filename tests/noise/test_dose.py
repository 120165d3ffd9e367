import math

import numpy as np
import pytest

from core.image import StoredMapping, Window, XrayImage
from core.noise import (
    DetectorModel,
    LowDoseSettings,
    NoiseEstimate,
    phantom_image,
    simulate_counts,
    simulate_low_dose,
    simulate_low_dose_image,
)

N0 = 10_000.0
S = 5.0
SAMPLES = 200_000


def full_dose_measurement(lam, rng, s=S):
    """An independent full-dose measurement: Poisson quanta plus Gaussian read-out."""
    return rng.poisson(lam).astype(np.float64) + rng.normal(0.0, s, np.shape(lam))


def predicted_var_line_integral(lam, dose, s=S):
    """Delta method for Var(-ln M_d), E[M_d] = d lam, Var(M_d) = d lam + s^2.

    With M_d = mu (1 + e): Var(ln(1 + e)) = E e^2 - E e^3 + 11/12 E e^4 - (E e^2)^2 / 4 + ...
    where v = E e^2 = 1 / mu + s^2 / mu^2 (first order), E e^3 = 1 / mu^2 (Poisson
    skewness) and E e^4 ~ 3 v^2, so Var ~ v - 1 / mu^2 + 2.5 v^2.
    """
    mean = dose * lam
    v = 1.0 / mean + s**2 / mean**2
    return v - 1.0 / mean**2 + 2.5 * v**2


@pytest.fixture
def detector():
    return DetectorModel.from_range(0.0, 4095.0, photons_per_pixel=N0, electronic_noise=S)


@pytest.mark.parametrize("input_is_noisy", [False, True])
@pytest.mark.parametrize("dose", [0.5, 0.1])
@pytest.mark.parametrize("lam", [50.0, 2000.0])
def test_counts_have_the_mean_and_variance_of_the_low_dose_model(lam, dose, input_is_noisy):
    rng = np.random.default_rng(1)
    full = full_dose_measurement(np.full(SAMPLES, lam), rng) if input_is_noisy else lam
    counts = simulate_counts(
        np.broadcast_to(full, (SAMPLES,)),
        dose=dose,
        electronic_noise=S,
        rng=rng,
        input_is_noisy=input_is_noisy,
    )
    expected_var = dose * lam + S**2
    standard_error = math.sqrt(expected_var / SAMPLES)
    assert abs(counts.mean() - dose * lam) < 5 * standard_error
    # Var of a sample variance ~ 2 sigma^4 / n (plus excess kurtosis, small here).
    assert counts.var() == pytest.approx(expected_var, rel=5 * math.sqrt(2 / SAMPLES) + 0.005)


def test_thinning_integer_counts_gives_exact_poisson():
    rng = np.random.default_rng(2)
    lam, dose = 6.0, 0.3
    counts = simulate_counts(
        rng.poisson(lam, SAMPLES), dose=dose, electronic_noise=0.0, rng=rng, input_is_noisy=True
    )
    np.testing.assert_array_equal(counts, np.rint(counts))
    frequencies = np.bincount(counts.astype(int), minlength=10)[:10] / SAMPLES
    k = np.arange(10)
    poisson = np.exp(-dose * lam) * (dose * lam) ** k / np.array([math.factorial(i) for i in k])
    np.testing.assert_allclose(frequencies, poisson, atol=0.004)


# Second-order delta method, accurate to about 1 % for d * lambda >= 80.
@pytest.mark.parametrize("line_integral", [1.0, 2.5])
@pytest.mark.parametrize("dose", [0.5, 0.1])
def test_clean_input_pixel_variance_matches_delta_method(detector, line_integral, dose):
    rng = np.random.default_rng(3)
    pixels = np.full((400, 500), detector.values(line_integral))
    simulated = simulate_low_dose(
        pixels, dose=dose, detector=detector, rng=rng, input_is_noisy=False
    )
    lam = N0 * math.exp(-line_integral)
    expected = detector.value_per_attenuation**2 * predicted_var_line_integral(lam, dose)
    assert simulated.astype(np.float64).var() == pytest.approx(expected, rel=0.025)
    # The mean line integral is preserved up to the second-order term Var / 2.
    mean_line_integral = detector.line_integral(simulated).mean()
    bias = predicted_var_line_integral(lam, dose) / 2
    assert mean_line_integral == pytest.approx(line_integral + bias, abs=0.002)


@pytest.mark.parametrize("line_integral", [1.0, 2.5])
@pytest.mark.parametrize("dose", [0.5, 0.1])
def test_noisy_input_total_variance_includes_the_original_noise(detector, line_integral, dose):
    rng = np.random.default_rng(4)
    lam = N0 * math.exp(-line_integral)
    measured = full_dose_measurement(np.full((400, 500), lam), rng)
    # The full-dose image the detector would write (log stage, no clipping at these counts).
    pixels = detector.values(-np.log(measured / N0))
    input_var = detector.value_per_attenuation**2 * predicted_var_line_integral(lam, 1.0)
    assert pixels.var() == pytest.approx(input_var, rel=0.025)
    simulated = simulate_low_dose(pixels, dose=dose, detector=detector, rng=rng)
    # Original noise (scaled) + thinning + electronic top-up = the noise of dose d.
    expected = detector.value_per_attenuation**2 * predicted_var_line_integral(lam, dose)
    assert simulated.astype(np.float64).var() == pytest.approx(expected, rel=0.025)
    # The log's bias, Var(L) / 2, grows from its full-dose to its low-dose value.
    log_bias = (predicted_var_line_integral(lam, dose) - predicted_var_line_integral(lam, 1)) / 2
    assert simulated.mean() == pytest.approx(
        pixels.mean() + detector.value_per_attenuation * log_bias, abs=0.5
    )


def test_full_dose_of_a_noisy_image_returns_it_unchanged(detector):
    pixels = phantom_image((64, 64), photons_per_pixel=N0).astype(np.float32)
    out = simulate_low_dose(pixels, dose=1.0, detector=detector, rng=np.random.default_rng(0))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, pixels)


def test_full_dose_of_a_clean_image_adds_full_dose_noise(detector):
    pixels = np.full((200, 200), detector.values(2.0))
    out = simulate_low_dose(
        pixels, dose=1.0, detector=detector, rng=np.random.default_rng(0), input_is_noisy=False
    )
    expected = detector.value_per_attenuation**2 * predicted_var_line_integral(N0 * math.exp(-2), 1)
    assert out.astype(np.float64).var() == pytest.approx(expected, rel=0.06)


def test_same_seed_same_result_other_seed_other_result(detector):
    pixels = phantom_image((64, 64)).astype(np.float64)

    def run(seed):
        return simulate_low_dose(
            pixels, dose=0.25, detector=detector, rng=np.random.default_rng(seed)
        )

    np.testing.assert_array_equal(run(7), run(7))
    assert not np.array_equal(run(7), run(8))


def test_monochrome1_is_the_mirror_of_monochrome2():
    common = dict(photons_per_pixel=N0, electronic_noise=S, max_attenuation=6.0)
    mono2 = DetectorModel.from_range(100.0, 4000.0, photometric="MONOCHROME2", **common)
    mono1 = DetectorModel.from_range(100.0, 4000.0, photometric="MONOCHROME1", **common)
    assert mono1.value_at_zero_attenuation == 4000.0
    assert mono1.value_per_attenuation == pytest.approx(-3900.0 / 6.0)
    line_integral = np.linspace(0.0, 5.0, 101)
    # Stored value falls with attenuation for MONOCHROME1.
    assert np.all(np.diff(mono1.values(line_integral)) < 0)
    np.testing.assert_allclose(mono1.line_integral(mono1.values(line_integral)), line_integral)
    values2 = mono2.values(np.tile(line_integral, (50, 1)))
    values1 = mono1.values(np.tile(line_integral, (50, 1)))
    out2 = simulate_low_dose(values2, dose=0.2, detector=mono2, rng=np.random.default_rng(5))
    out1 = simulate_low_dose(values1, dose=0.2, detector=mono1, rng=np.random.default_rng(5))
    np.testing.assert_allclose(out1, 4100.0 - out2, atol=1e-3)


def test_simulated_values_are_clipped_to_the_storable_range_and_floored(detector):
    rng = np.random.default_rng(0)
    unattenuated = np.zeros((100, 100))  # noise around L = 0 reaches below the range
    out = simulate_low_dose(unattenuated, dose=0.5, detector=detector, rng=rng)
    assert out.min() == 0.0
    assert np.mean(out == 0.0) == pytest.approx(0.5, abs=0.05)
    # Half a quantum expected: the log stage reads at least one quantum, so
    # L_d <= ln(d N0 / 1).
    dark = np.full((100, 100), detector.values(6.9))
    out = simulate_low_dose(dark, dose=0.05, detector=detector, rng=rng, input_is_noisy=False)
    assert out.max() == pytest.approx(detector.values(math.log(0.05 * N0)), rel=1e-6)
    wide = DetectorModel.from_range(0.0, 4095.0, photons_per_pixel=1e6, electronic_noise=S)
    out = simulate_low_dose(dark, dose=0.05, detector=wide, rng=rng, input_is_noisy=False)
    assert out.max() == 4095.0


def xray_image(pixels, mapping, photometric="MONOCHROME2"):
    return XrayImage(
        pixels=np.asarray(pixels, dtype=np.float32),
        mapping=mapping,
        window=Window(center=0.0, width=1.0),
        photometric=photometric,
    )


def test_detector_from_integer_image_uses_the_storable_range_through_the_modality_lut():
    mapping = StoredMapping(bits_stored=12, slope=2.0, intercept=-1000.0)
    image = xray_image(np.zeros((8, 8)), mapping)
    detector = DetectorModel.from_image(image, max_attenuation=7.0)
    assert detector.value_at_zero_attenuation == -1000.0
    assert detector.value_per_attenuation == pytest.approx(2 * 4095 / 7.0)
    assert detector.value_range == (-1000.0, 7190.0)
    mono1 = DetectorModel.from_image(xray_image(np.zeros((8, 8)), mapping, "MONOCHROME1"))
    assert mono1.value_at_zero_attenuation == 7190.0
    assert mono1.value_per_attenuation < 0


def test_detector_from_float_image_uses_the_data_range_without_clipping():
    pixels = np.linspace(-0.5, 2.0, 64).reshape(8, 8)
    image = xray_image(pixels, StoredMapping(bits_stored=32, is_float=True))
    detector = DetectorModel.from_image(image, max_attenuation=5.0)
    assert detector.value_at_zero_attenuation == -0.5
    assert detector.value_per_attenuation == pytest.approx(2.5 / 5.0)
    assert detector.value_range is None
    with pytest.raises(ValueError) as caught:
        DetectorModel.from_image(
            xray_image(np.full((8, 8), 0.5), StoredMapping(bits_stored=32, is_float=True))
        )
    assert str(caught.value) == (
        "the image is constant (every pixel is 0.5): a floating-point image's range of values "
        "is what sets its attenuation scale, so a lower dose of it cannot be simulated"
    )


@pytest.mark.parametrize("dose", [0.0, -0.1, 1.5, float("nan")])
def test_bad_dose_is_refused_with_a_hint(detector, dose):
    with pytest.raises(ValueError) as caught:
        simulate_low_dose(
            np.zeros((4, 4)), dose=dose, detector=detector, rng=np.random.default_rng()
        )
    assert str(caught.value) == (
        f"the dose must be a fraction of the full dose in (0, 1], got {dose:g}; "
        "25 % of the dose is 0.25"
    )
    with pytest.raises(ValueError, match=r"in \(0, 1\]"):
        LowDoseSettings(dose=dose)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"photons_per_pixel": 0}, "the quanta per pixel must be a finite number > 0, got 0"),
        (
            {"electronic_noise": -1.5},
            "the electronic noise must be a finite number >= 0, got -1.5",
        ),
        (
            {"max_attenuation": float("nan")},
            "the maximum attenuation must be a finite number > 0, got nan",
        ),
    ],
)
def test_settings_a_user_sets_are_named_in_words(settings, message):
    with pytest.raises(ValueError) as caught:
        LowDoseSettings(dose=0.5, **settings)
    assert str(caught.value) == message


def test_bad_settings_are_refused_before_the_noise_is_measured():
    # Not swallowed as a reason for not measuring: the caller shows the setting's error.
    flat = xray_image(np.full((64, 64), 1000.0), StoredMapping(bits_stored=12))
    for call in (LowDoseSettings.measured_from, LowDoseSettings.measured_or_default):
        with pytest.raises(ValueError, match=r"^the dose must be .*, got 25; "):
            call(flat, 25.0)


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="the electronic noise"):
        DetectorModel(0.0, 1.0, electronic_noise=-1.0)
    with pytest.raises(ValueError, match="value_per_attenuation"):
        DetectorModel(0.0, 0.0)
    with pytest.raises(ValueError, match="photometric"):
        DetectorModel.from_range(0, 1, photometric="RGB")
    with pytest.raises(ValueError, match="NaN"):
        simulate_low_dose(
            np.array([np.nan]),
            dose=0.5,
            detector=DetectorModel(0.0, 1.0),
            rng=np.random.default_rng(),
        )
    with pytest.raises(ValueError, match="seed"):
        LowDoseSettings(dose=0.5, seed=-1)


def test_settings_describe_themselves_in_one_line():
    settings = LowDoseSettings(dose=0.25, photons_per_pixel=10_000, electronic_noise=5.0, seed=1)
    assert settings.describe() == (
        "simulated 25 % dose (10000 quanta/pixel at full dose, electronic noise 5.0 quanta rms, "
        "line integral 0-7 over the stored range, seed 1)"
    )
    clean = LowDoseSettings(dose=0.025, input_is_noisy=False)
    assert clean.describe().startswith("simulated 2.5 % dose (50000 quanta/pixel")
    assert "noise-free input" in clean.describe()
    assert "\n" not in clean.describe()


def test_simulated_image_is_reproducible_and_on_the_stored_grid():
    mapping = StoredMapping(bits_stored=12)
    image = xray_image(phantom_image((64, 64)), mapping)
    settings = LowDoseSettings(dose=0.1, seed=3, input_is_noisy=False)
    first = simulate_low_dose_image(image, settings)
    second = simulate_low_dose_image(image, settings)
    np.testing.assert_array_equal(first.pixels, second.pixels)
    np.testing.assert_array_equal(first.pixels, np.rint(first.pixels))
    assert first.pixels.min() >= 0 and first.pixels.max() <= 4095
    assert first.mapping == image.mapping
    assert not np.array_equal(first.pixels, image.pixels)


def psnr_unit_scale(clean, noisy, top):
    mse = np.mean(((noisy.astype(np.float64) - clean.astype(np.float64)) / top) ** 2)
    return 10 * math.log10(1.0 / mse)


@pytest.mark.parametrize(("dose", "expected_db"), [(0.25, 43.6), (0.06, 36.2), (0.025, 29.8)])
def test_default_detector_gives_the_benchmark_noise_levels_on_the_phantom(dose, expected_db):
    clean = phantom_image((512, 512), seed=0)
    image = xray_image(clean, StoredMapping(bits_stored=12))
    noisy = simulate_low_dose_image(image, LowDoseSettings(dose=dose, seed=1, input_is_noisy=False))
    assert psnr_unit_scale(clean, noisy.pixels, 4095) == pytest.approx(expected_db, abs=0.6)


@pytest.mark.parametrize("photometric", ["MONOCHROME2", "MONOCHROME1"])
def test_measured_quanta_simulate_the_images_own_dose(photometric):
    # A phantom taken at 20,000 quanta per unattenuated pixel: its own noise tells the
    # quanta, so "25 %" means a quarter of them, as a phantom taken at 5,000 shows.
    def taken_at(photons):
        return phantom_image((512, 512), photons_per_pixel=photons, photometric=photometric, seed=0)

    clean = phantom_image((512, 512), photometric=photometric, seed=0)
    image = xray_image(taken_at(20_000.0), StoredMapping(bits_stored=12), photometric)
    settings = LowDoseSettings.measured_from(image, 0.25, seed=1)
    assert settings.measured and "measured from the image's noise" in settings.describe()
    assert settings.photons_per_pixel == pytest.approx(20_000, rel=0.15)
    assert settings.max_attenuation == pytest.approx(7.0, rel=0.05)
    quarter = psnr_unit_scale(clean, taken_at(5_000.0), 4095)
    simulated = simulate_low_dose_image(image, settings).pixels
    assert psnr_unit_scale(clean, simulated, 4095) == pytest.approx(quarter, abs=0.5)
    # The assumed default detector (50,000 quanta) adds far too little noise here.
    assumed = simulate_low_dose_image(image, LowDoseSettings(dose=0.25, seed=1)).pixels
    assert psnr_unit_scale(clean, assumed, 4095) > quarter + 2.0


def test_a_noise_estimate_made_before_gives_the_same_measurement():
    taken = phantom_image((512, 512), photons_per_pixel=20_000.0, seed=0)
    image = xray_image(taken, StoredMapping(bits_stored=12), "MONOCHROME2")
    estimate = NoiseEstimate.from_pixels(image.pixels)
    given = LowDoseSettings.measured_from(image, 0.25, electronic_noise=6.0, noise=estimate)
    assert given == LowDoseSettings.measured_from(image, 0.25, electronic_noise=6.0)


def test_unmeasurable_noise_is_refused_with_the_reason():
    flat = xray_image(np.full((64, 64), 1000.0), StoredMapping(bits_stored=12))
    with pytest.raises(ValueError) as caught:
        LowDoseSettings.measured_from(flat, 0.25)
    assert str(caught.value) == (
        "cannot estimate the noise of this image: the image is constant (every pixel is 1000), "
        "so it has no smooth unclipped areas to measure noise in"
    )
    rng = np.random.default_rng(0)
    white = xray_image(1000.0 + rng.normal(0, 20, (256, 256)), StoredMapping(bits_stored=12))
    with pytest.raises(ValueError, match="only 0.2 % of its range"):
        LowDoseSettings.measured_from(white, 0.25)
    ramp = np.tile(np.linspace(200.0, 3800.0, 256), (256, 1))
    flat_noise = xray_image(ramp + rng.normal(0, 20, ramp.shape), StoredMapping(bits_stored=12))
    with pytest.raises(ValueError, match="too few for quantum noise"):
        LowDoseSettings.measured_from(flat_noise, 0.25)


def test_measured_or_default_says_why_it_fell_back():
    taken = phantom_image((512, 512), photons_per_pixel=20_000.0, seed=0)
    image = xray_image(taken, StoredMapping(bits_stored=12))
    measured, why_not = LowDoseSettings.measured_or_default(image, 0.25, seed=2)
    assert why_not is None and measured == LowDoseSettings.measured_from(image, 0.25, seed=2)
    rng = np.random.default_rng(0)
    white = xray_image(1000.0 + rng.normal(0, 20, (256, 256)), StoredMapping(bits_stored=12))
    default, why_not = LowDoseSettings.measured_or_default(white, 0.25, electronic_noise=3.0)
    assert default == LowDoseSettings(dose=0.25, electronic_noise=3.0)
    assert "only 0.2 % of its range" in why_not


def test_padding_gets_no_simulated_dose():
    from dataclasses import replace

    from core.image import Padding

    stored = phantom_image((64, 64), bits_stored=12, photons_per_pixel=20000.0, seed=3)
    stored[:, :8] = 4095
    image = XrayImage(stored.astype(np.float32), StoredMapping(12), Window(2048, 4096))
    padded = replace(image, padding=Padding.from_stored(stored, 4095, 4095))
    settings = LowDoseSettings(dose=0.1, seed=2)
    simulated = simulate_low_dose_image(padded, settings)
    np.testing.assert_array_equal(simulated.pixels[:, :8], 4095)
    assert simulated.padding is padded.padding
    unpadded = simulate_low_dose_image(image, settings)
    np.testing.assert_array_equal(simulated.pixels[:, 8:], unpadded.pixels[:, 8:])
    assert np.any(unpadded.pixels[:, :8] != 4095)  # without padding, the border gets noise


def test_a_dose_under_one_quantum_or_an_absurd_detector_is_refused():
    image = phantom_image((32, 32), photons_per_pixel=1000.0).astype(np.float32)
    detector = DetectorModel.from_range(0, 4095, photons_per_pixel=1000.0)
    with pytest.raises(ValueError, match="less than one quantum"):
        simulate_low_dose(image, dose=0.0005, detector=detector, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="must be at most 1e\\+12"):
        DetectorModel.from_range(0, 4095, photons_per_pixel=1e30)
