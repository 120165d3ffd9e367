"""A data range that a few of the reference's pixels set is warned of, with the right factor.

One saturated pixel (65535) in a 16-bit TIFF of 12-bit data set the metrics' data range to
65535: PSNR 66.79 dB and SSIM 0.9998 instead of 42.71 dB and 0.9544, without a word; and
``simulate`` said its attenuation scale was off "by a factor of 2" where it is 16.
"""

import json

import numpy as np
import pytest
import tifffile

from core.cli import main
from core.image import StoredMapping, Window, XrayImage
from core.noise.value_range import metric_range_problem, value_range

HOT = (
    "its range of values, 0 to 65535 in 16 bits, rests on 1 of its 16384 pixels (those "
    "needing the 16th bit): if they are outliers, the data range is off by a factor of 16"
)


@pytest.fixture
def pair(tmp_path):
    rng = np.random.default_rng(0)
    reference = np.round(rng.normal(2000, 40, (128, 128))).astype(np.uint16)
    test = (reference + np.round(rng.normal(0, 30, reference.shape))).astype(np.uint16)
    reference[5, 5] = test[5, 5] = 65535  # one hot pixel, alike in both
    paths = tmp_path / "ref_hot.tif", tmp_path / "test_hot.tif"
    tifffile.imwrite(paths[0], reference)
    tifffile.imwrite(paths[1], test)
    return paths


def stored_image(stored, mapping):
    return XrayImage(mapping.to_pixels(stored), mapping, Window(0, 1))


def test_metrics_warn_on_stderr_and_in_the_json(pair, capsys):
    reference, test = pair
    assert main(["metrics", str(reference), str(test)]) == 0
    captured = capsys.readouterr()
    assert captured.err.strip() == f"{reference}: warning: {HOT}"
    assert "PSNR  66.79 dB (data range 65535" in captured.out  # still scored as it is
    assert main(["metrics", str(reference), str(test), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["data_range_warning"] == HOT
    assert captured.err.strip() == f"{reference}: warning: {HOT}"


def test_no_warning_without_the_hot_pixel_or_with_a_given_range(pair, tmp_path, capsys):
    reference, test = pair
    clean, clean_test = tmp_path / "clean.tif", tmp_path / "clean_test.tif"
    for path, cleaned in ((reference, clean), (test, clean_test)):
        pixels = tifffile.imread(path)
        pixels[5, 5] = 2000
        tifffile.imwrite(cleaned, pixels)
    assert main(["metrics", str(clean), str(clean_test), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["data_range_warning"] is None and captured.err == ""
    # The test's hot pixel does not set the range (the reference's alone): it is warned of.
    assert main(["metrics", str(clean), str(test), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["data_range"] == 4095
    assert "to 65535, reach beyond the data range's 0 to 4095" in result["data_range_warning"]
    assert main(["metrics", str(reference), str(test), "--json", "--data-range", "65535"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["data_range_warning"] is None and captured.err == ""


def test_simulate_names_the_same_factor(pair, tmp_path, capsys):
    reference, _ = pair
    given = ["--dose", "0.5", "--photons", "20000", "--output", str(tmp_path / "low.tif")]
    assert main(["simulate", str(reference), *given]) == 0
    assert "if they are outliers, the attenuation scale is off by a factor of 16\n" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("stray", "factor"),
    [(4096, 2), (2**14, 8), (65535, 16)],
)
def test_the_factor_is_that_of_the_bits_the_other_pixels_need(stray, factor):
    stored = np.random.default_rng(3).integers(0, 4096, (64, 64))
    stored[0, 0] = stray
    problem = value_range(stored_image(stored, StoredMapping(bits_stored=16))).few_pixels_problem()
    assert problem.endswith(f"the attenuation scale is off by a factor of {factor}")


def test_the_factor_of_signed_data_counts_both_ends():
    mapping = StoredMapping(bits_stored=16, signed=True)
    stored = np.random.default_rng(4).integers(-2048, 2048, (64, 64))
    stored[0, 0] = -32768  # needs 16 bits; the rest 12
    problem = metric_range_problem(stored_image(stored, mapping))
    assert problem.startswith("its range of values, -32768 to 32767 in 16 bits, rests on 1 of")
    assert problem.endswith("the data range is off by a factor of 16")


def test_a_declared_range_is_not_warned_of():
    stored = np.random.default_rng(5).integers(0, 4000, (64, 64))
    stored[0, 0] = 4095
    assert metric_range_problem(stored_image(stored, StoredMapping(bits_stored=12))) is None
    float32 = StoredMapping(bits_stored=32, is_float=True)
    unit = (stored / 8000.0).astype(np.float32)
    unit[0, 0] = 1.0  # far beyond the rest, but the range is [0, 1] whatever
    assert metric_range_problem(XrayImage(unit, float32, Window(0.5, 1.0))) is None
    counts = np.random.default_rng(6).uniform(0, 4000, (128, 128)).astype(np.float32)
    counts[0, 0] = 60000.0  # a float range of its own, which the hot pixel sets
    problem = metric_range_problem(XrayImage(counts, float32, Window(2048, 4096)))
    assert problem is not None and "the data range is off by a factor of 15" in problem
