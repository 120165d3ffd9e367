"""The data bits a largest value sets, or floats against integers, do not alone make two scales.

A 16-bit TIFF of 12-bit data whose maximum was 4100 against the same data clipped at 4095
(PSNR 98.95 dB) was said to hold "12-bit stored values in 16 bits ... against 13-bit"; a
denoised image (11-bit values) against its 12-bit input, and a dose simulated as floats
from a uint16 ``.npy`` against that ``.npy``, were too. What is declared (photometric
interpretation, rescale) and what the values show (spread, offset) still tell scales apart.
"""

import numpy as np
import pytest
import tifffile
from scipy.ndimage import gaussian_filter

from core.cli import main
from core.image import StoredMapping, Window, XrayImage
from core.io import read_image
from core.metrics import scale_mismatch
from core.noise import phantom_image

TWELVE = phantom_image((96, 96), photons_per_pixel=20_000.0, seed=0)  # 12-bit values


def sixteen_bit_tiff(tmp_path, name, stored):
    path = tmp_path / name
    tifffile.imwrite(path, np.asarray(stored).astype(np.uint16))
    return read_image(path)


def twelve_bit_dicom_like(pixels, *, photometric="MONOCHROME2", slope=1.0):
    mapping = StoredMapping(bits_stored=12, slope=slope)
    return XrayImage(pixels.astype(np.float32), mapping, Window(2048, 4096), photometric)


def test_a_few_values_over_4095_do_not_put_the_same_data_on_another_scale(tmp_path):
    rng = np.random.default_rng(0)
    stored = np.clip(np.round(rng.normal(3000, 300, (64, 64))), 0, None)
    stored[0, :3] = [4100, 4098, 4096]  # 13-bit data
    thirteen = sixteen_bit_tiff(tmp_path, "ref.tif", stored)
    twelve = sixteen_bit_tiff(tmp_path, "test.tif", np.minimum(stored, 4095))
    assert scale_mismatch(thirteen, twelve) is None
    assert scale_mismatch(twelve, thirteen) is None


def test_a_smoothed_image_of_fewer_bits_is_on_its_inputs_scale(tmp_path):
    rng = np.random.default_rng(1)
    noisy = np.round(np.linspace(1500, 2025, 64)[None, :] + 20 * rng.standard_normal((64, 64)))
    smooth = np.round(gaussian_filter(noisy, 2))
    assert noisy.max() > 2047 > smooth.max()  # 11 bits
    reference = sixteen_bit_tiff(tmp_path, "input.tif", noisy)
    assert scale_mismatch(reference, sixteen_bit_tiff(tmp_path, "out.tif", smooth)) is None


def test_a_dose_simulated_as_floats_is_on_its_integer_inputs_scale(tmp_path, capsys):
    source = tmp_path / "u16.npy"
    np.save(source, TWELVE.astype(np.uint16))
    low = tmp_path / "low.npy"
    given = ["--dose", "0.5", "--photons", "20000", "--output", str(low)]  # 96 px: too small
    assert main(["simulate", str(source), *given]) == 0
    assert np.load(low).dtype == np.float32
    capsys.readouterr()
    assert main(["metrics", str(source), str(low)]) == 0
    assert "another scale" not in capsys.readouterr().err
    assert main(["metrics", str(low), str(source)]) == 0  # either way round
    assert "another scale" not in capsys.readouterr().err


def test_a_float_image_of_0_to_1_is_on_another_scale_than_12_bit_data(tmp_path):
    counts = sixteen_bit_tiff(tmp_path, "twelve.tif", TWELVE)
    float32 = StoredMapping(bits_stored=32, is_float=True)
    unit = XrayImage((TWELVE / 4095.0).astype(np.float32), float32, Window(0.5, 1.0))
    assert scale_mismatch(counts, unit).startswith(
        "its values are on another scale than the reference's (floating-point values, "
        "MONOCHROME2 against 12-bit stored values in 16 bits, MONOCHROME2)"
    )


def test_an_8_bit_export_of_12_bit_data_is_on_another_scale(tmp_path):
    counts = sixteen_bit_tiff(tmp_path, "twelve.tif", TWELVE)
    eight = sixteen_bit_tiff(tmp_path, "eight.tif", TWELVE // 16)
    assert "(8-bit stored values in 16 bits, MONOCHROME2 against 12-bit" in scale_mismatch(
        counts, eight
    )


@pytest.mark.parametrize("shift", [4096, TWELVE])  # by an offset; twice the values
def test_values_beyond_the_references_range_are_on_another_scale(tmp_path, shift):
    counts = sixteen_bit_tiff(tmp_path, "twelve.tif", TWELVE)
    moved = sixteen_bit_tiff(tmp_path, "moved.tif", TWELVE + shift)
    assert "(13-bit stored values in 16 bits, MONOCHROME2 against 12-bit" in scale_mismatch(
        counts, moved
    )


def test_what_is_declared_still_tells_scales_apart_whatever_the_values():
    reference = twelve_bit_dicom_like(TWELVE)
    inverted = twelve_bit_dicom_like(TWELVE, photometric="MONOCHROME1")
    assert "MONOCHROME1 against 12-bit stored values, MONOCHROME2" in scale_mismatch(
        reference, inverted
    )
    rescaled = twelve_bit_dicom_like(TWELVE, slope=2.0)  # the same pixel values, rescaled
    assert "x 2 + 0, MONOCHROME2 against" in scale_mismatch(reference, rescaled)
