"""Review s20b: padding-only regions, the noise-free ceiling, the data range and its warnings.

- A region wholly inside the padding was said to be "the image" holding only padding.
- A noise-free phantom as reference was given a "noise-free image" ceiling of 49.9 dB that a
  high-dose test image beat by 13 dB.
- 12-bit data in a dark 16-bit PNG were scored against 2047 (the reference's values alone),
  6 dB below the same pixels in a 12-bit DICOM.
- An infinite noise-free PSNR was ``null`` in the JSON with no flag and no rms.
- ``format_mse`` wrote 9999.6 as ``"1e+04"``.
- ``--data-range 255`` on 12-bit data said nothing.
"""

import json
import math

import numpy as np
import pydicom
import pytest
from PIL import Image

from core.cli import main
from core.image import StoredMapping, Window, XrayImage
from core.io import read_image, write_new_dicom
from core.metrics import (
    Region,
    compare,
    compare_keeping_small_region,
    format_mse,
    noise_floor_exceeded,
    noise_free_psnr,
    reference_noise_problem,
)
from core.noise import NoiseEstimate, phantom_image
from core.noise.value_range import given_range_problem, metric_range, metric_range_problem


def _padded_dicom(path, stored):
    """Write 12-bit stored values with PixelPaddingValue 0 (its first 40 columns)."""
    stored = stored.astype(np.uint16)
    stored[:, 40:] = np.maximum(stored[:, 40:], 1)
    stored[:, :40] = 0
    write_new_dicom(stored, path, bits_stored=12)
    ds = pydicom.dcmread(path)
    ds.add_new(0x00280120, "US", 0)
    ds.save_as(path, enforce_file_format=True)
    return path


@pytest.fixture(scope="module")
def padded_pair(tmp_path_factory):
    folder = tmp_path_factory.mktemp("padded")
    ref = phantom_image((96, 96), bits_stored=12, photons_per_pixel=20_000.0, seed=1)
    test = phantom_image((96, 96), bits_stored=12, photons_per_pixel=2_000.0, seed=1)
    return _padded_dicom(folder / "pad_ref.dcm", ref), _padded_dicom(folder / "pad_test.dcm", test)


def test_a_small_region_in_padding_is_named_as_the_region(padded_pair):
    reference, test = (read_image(path) for path in padded_pair)
    assert reference.padding_mask is not None and reference.padding_mask[:, :40].all()
    region = Region(10, 0, 5, 5)
    with pytest.raises(ValueError, match=r"^the region 10,0,5,5 holds only padding"):
        compare_keeping_small_region(
            reference.pixels,
            test.pixels,
            data_range=4095,
            region=region,
            exclude=reference.padding_mask,
        )
    with pytest.raises(ValueError, match=r"^the region 10,0,30,30 holds only padding"):
        compare(
            reference.pixels,
            test.pixels,
            data_range=4095,
            region=Region(10, 0, 30, 30),
            exclude=reference.padding_mask,
        )


def test_the_cli_names_the_file_and_the_region(padded_pair, capsys):
    reference, test = padded_pair
    assert main(["metrics", str(reference), str(test), "--region", "10,0,5,5"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"{reference}: the region 10,0,5,5 holds only padding: nothing to compare" in err


@pytest.fixture(scope="module")
def clean_and_high(tmp_path_factory):
    """The review's clean.dcm and hi128.dcm: a noise-free phantom, one of 10**6 quanta."""
    folder = tmp_path_factory.mktemp("ceiling")
    paths = folder / "clean.dcm", folder / "hi128.dcm"
    assert main(["phantom", str(paths[0]), "--size", "128", "--seed", "1"]) == 0
    assert main(["phantom", str(paths[1]), "--size", "128", "--seed", "1", "--photons", "1e6"]) == 0
    return paths


def test_a_noise_free_reference_gets_no_ceiling(clean_and_high, capsys):
    clean, high = clean_and_high
    capsys.readouterr()
    assert main(["metrics", str(clean), str(high), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["psnr"] > 60  # the review's 63.05 dB, above a ceiling of 49.9 dB
    assert result["noise_free_psnr"] is None and result["noise_free_rms"] is None
    assert "looks like its structure" in result["noise_free_psnr_problem"]
    assert main(["metrics", str(clean), str(high)]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert "would score about" not in line and "is unknown: what was measured" in line


def test_an_image_beating_the_ceiling_by_3_db_takes_it_away():
    assert noise_floor_exceeded(40.0, [42.9, math.nan, math.inf]) is None
    problem = noise_floor_exceeded(40.0, [30.0, 43.5])
    assert problem.startswith("a compared image scores 43.50 dB, more than 3 dB above the 40.00")


def test_the_ceiling_stays_on_noisy_references():
    for photons, size in ((2000.0, 128), (1000.0, 256), (20_000.0, 384)):
        noisy = phantom_image((size, size), bits_stored=12, photons_per_pixel=photons, seed=3)
        pixels = noisy.astype(np.float32)
        noise = NoiseEstimate.from_pixels(pixels)
        whole = noise_free_psnr(pixels, noise.sigma_at, data_range=4095)
        problem = reference_noise_problem(pixels, noise, whole_psnr=whole, data_range=4095)
        assert problem is None, (photons, size)


def _png(path, stored):
    Image.fromarray(stored.astype(np.uint16)).save(path)
    return path


@pytest.fixture
def dark_pair(tmp_path):
    """12-bit data in 16-bit PNGs: a reference under 2048, a test reaching 4095."""
    rng = np.random.default_rng(0)
    reference = rng.integers(200, 2000, (64, 64))
    test = np.clip(reference * 2 + rng.integers(-50, 50, reference.shape), 0, 4095)
    return _png(tmp_path / "dark_ref16.png", reference), _png(tmp_path / "dark_test16.png", test)


def test_the_range_is_the_references_and_a_test_beyond_it_is_warned_of(dark_pair, capsys):
    """One scale for every image compared with a reference: no test image sets its own
    (one hot pixel in it would add 24 dB); its values beyond the range are warned of."""
    reference, test = (read_image(path) for path in dark_pair)
    assert metric_range(reference)[0] == 2047
    assert main(["metrics", str(dark_pair[0]), str(dark_pair[1]), "--json"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert result["data_range"] == 2047
    assert result["data_range_warning"].startswith("a compared image's values, ")
    assert "reach beyond the data range's 0 to 2047" in result["data_range_warning"]
    assert "warning: a compared image's values" in captured.err
    hot = test.pixels.copy()
    hot[0, 0] = 65535
    assert "to 65535, reach beyond" in metric_range_problem(reference, test.with_pixels(hot))
    assert metric_range(reference)[0] == 2047


def test_a_test_image_beyond_a_declared_range_is_warned_of():
    stored = np.random.default_rng(1).integers(0, 4000, (64, 64))
    mapping = StoredMapping(bits_stored=12)
    reference = XrayImage(mapping.to_pixels(stored), mapping, Window(2048, 4096))
    floats = StoredMapping(bits_stored=32, is_float=True)
    over = (reference.pixels * 1.25).astype(np.float32)  # up to 5000
    test = XrayImage(over, floats, Window(2048, 4096))
    assert metric_range_problem(reference) is None
    problem = metric_range_problem(reference, test)
    assert problem.startswith("a compared image's values, 0 to 49")
    assert problem.endswith(
        "reach beyond the data range's 0 to 4095: PSNR and SSIM measure them "
        "against too small a range"
    )
    inside = XrayImage(reference.pixels * 0.9, floats, Window(2048, 4096))
    assert metric_range_problem(reference, inside) is None


def test_an_infinite_noise_free_psnr_is_flagged_with_its_rms(tmp_path, capsys):
    stored = phantom_image((256, 256), bits_stored=12, photons_per_pixel=20_000.0, seed=0)
    test = phantom_image((256, 256), bits_stored=12, photons_per_pixel=20_000.0, seed=4)
    stored[:20, :20] = test[:20, :20] = 4095  # saturated: clipped, without noise
    paths = write_new_dicom(stored, tmp_path / "ref.dcm"), write_new_dicom(test, tmp_path / "t.dcm")
    region = ["--region", "0,0,20,20", "--json"]
    assert main(["metrics", *map(str, paths), *region]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["noise_free_psnr"] is None and result["noise_free_psnr_problem"] is None
    assert result["noise_free_psnr_infinite"] is True and result["noise_free_rms"] == 0.0
    assert main(["metrics", *map(str, paths), "--json"]) == 0
    whole = json.loads(capsys.readouterr().out)
    assert whole["noise_free_psnr_infinite"] is False
    assert whole["noise_free_rms"] == pytest.approx(4095 / 10 ** (whole["noise_free_psnr"] / 20))


def test_format_mse_rounds_before_it_chooses_the_format():
    assert format_mse(9999.4) == "9999"
    assert format_mse(9999.6) == "10000" and format_mse(-9999.6) == "-10000"
    assert format_mse(12345.6) == "12350" and format_mse(math.nan) == "-"


def test_a_given_data_range_below_the_data_is_warned_of(tmp_path, capsys):
    stored = phantom_image((64, 64), bits_stored=12, photons_per_pixel=2000.0, seed=2)
    other = phantom_image((64, 64), bits_stored=12, photons_per_pixel=2000.0, seed=5)
    paths = write_new_dicom(stored, tmp_path / "r.dcm"), write_new_dicom(other, tmp_path / "t.dcm")
    assert main(["metrics", *map(str, paths), "--data-range", "255", "--json"]) == 0
    captured = capsys.readouterr()
    warning = json.loads(captured.out)["data_range_warning"]
    assert warning.startswith("the data range given, 255, is below the largest value compared")
    assert captured.err.strip() == f"{paths[0]}: warning: {warning}"
    assert main(["metrics", *map(str, paths), "--data-range", "4095", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["data_range_warning"] is None and captured.err == ""


def test_a_given_range_below_the_percentile_span_of_negative_data_is_warned_of():
    mapping = StoredMapping(bits_stored=16, signed=True)
    stored = np.random.default_rng(2).integers(-3000, -1000, (32, 32))
    image = XrayImage(mapping.to_pixels(stored), mapping, Window(-2000, 2000))
    problem = given_range_problem(1000.0, image, image)
    assert "below the span of the reference's 1st to 99th percentile" in problem
    assert given_range_problem(4000.0, image, image) is None
