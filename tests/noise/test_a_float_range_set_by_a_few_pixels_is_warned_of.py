"""A floating-point image's range set by a handful of stray pixels is warned of, as 12-bit data's.

A float image's range is its own minimum and maximum, so one hot pixel at 5 in data of
0 to 0.7 spreads the attenuation over seven times the values: the simulated noise in
the anatomy fell 4.5-fold with no word said.
"""

import numpy as np
import tifffile

from core.cli import main
from core.image import StoredMapping, Window, XrayImage
from core.noise import phantom_image
from core.noise.value_range import value_range

FLOAT = StoredMapping(bits_stored=32, is_float=True)


def float_image(pixels):
    return XrayImage(pixels.astype(np.float32), FLOAT, Window(0.35, 0.7))


def film(size=256):
    """A noisy chest phantom scaled to 0-0.7, as a float TIFF would hold it."""
    stored = phantom_image((size, size), photons_per_pixel=20_000.0, seed=0)
    return stored.astype(np.float64) / 4095.0 * 0.7


def test_one_hot_pixel_setting_a_float_range_is_named_with_the_range_without_it():
    pixels = film()
    assert value_range(float_image(pixels)).few_pixels_problem() is None
    pixels[3, 7] = 5.0
    values = value_range(float_image(pixels))
    assert values.high == 5.0  # the simulation keeps the full range
    problem = values.few_pixels_problem()
    assert problem is not None and "\n" not in problem
    assert problem.startswith(
        f"its range of values, {values.describe()}, rests on 1 of its 65536 pixels"
    )
    rest = pixels[pixels < 1.0]
    assert f"beyond the others' {rest.min():g} to {np.float32(rest.max()):g})" in problem
    factor = (5.0 - rest.min()) / (np.float32(rest.max()) - rest.min())
    assert f"off by a factor of {factor:.3g}" in problem


def test_noise_and_a_constant_background_are_not_outliers():
    rng = np.random.default_rng(0)
    assert value_range(float_image(rng.normal(size=(512, 512)))).few_pixels_problem() is None
    assert value_range(float_image(rng.uniform(size=(128, 128)))).few_pixels_problem() is None
    flat = np.full((128, 128), 0.25)
    flat[5, 5] = 1.0
    problem = value_range(float_image(flat)).few_pixels_problem()
    assert problem is not None and "which are all 0.25): the others set no" in problem


def test_outliers_widening_the_range_by_under_a_tenth_are_not_warned_of():
    pixels = film()
    low, high = pixels.min(), pixels.max()
    pixels[0, 0] = low + 1.05 * (high - low)  # 5 % beyond the rest: within the margin
    assert value_range(float_image(pixels)).few_pixels_problem() is None
    pixels[0, 0] = low + 1.2 * (high - low)  # one outlier, but it widens the range by 20 %
    assert "off by a factor of 1.2" in value_range(float_image(pixels)).few_pixels_problem()


def test_simulate_says_so_on_stderr(tmp_path, capsys):
    pixels = film().astype(np.float32)
    pixels[0, 0] = 5.0
    path = tmp_path / "hot.tif"
    tifffile.imwrite(path, pixels)
    given = ["--dose", "0.25", "--photons", "20000", "--seed", "1", "--noise-free-input"]
    assert main(["simulate", str(path), *given, "--output", str(tmp_path / "low.tif")]) == 0
    err = capsys.readouterr().err
    assert f"{path}: warning: its range of values, " in err
    assert "rests on 1 of its 65536 pixels" in err and "off by a factor of" in err
