"""The scale check compares the bits of the data, not of their containers, and their spreads.

12-bit DICOM data against the same data in a 16-bit PNG were said to be on "16-bit ...
against 12-bit" scales, although the metrics score that PNG against 4095; a PNG of
12-bit data times 16 against one of 12-bit data passed unwarned (PSNR 8.81 dB).
"""

import numpy as np
from PIL import Image

from core.image import StoredMapping, Window, XrayImage
from core.io import read_image
from core.metrics import describe_scale, scale_mismatch
from core.noise import phantom_image

TWELVE = phantom_image((96, 96), photons_per_pixel=20_000.0, seed=0)  # 12-bit values


def png(tmp_path, name, stored):
    path = tmp_path / name
    Image.fromarray(stored.astype(np.uint16)).save(path)
    return read_image(path)


def twelve_bit_dicom_like(stored):
    return XrayImage(stored.astype(np.float32), StoredMapping(bits_stored=12), Window(2048, 4096))


def test_12_bit_data_in_a_16_bit_png_are_on_a_12_bit_images_scale(tmp_path):
    in_sixteen = png(tmp_path, "twelve.png", TWELVE)
    assert describe_scale(in_sixteen) == "12-bit stored values in 16 bits, MONOCHROME2"
    assert scale_mismatch(twelve_bit_dicom_like(TWELVE), in_sixteen) is None
    assert scale_mismatch(in_sixteen, twelve_bit_dicom_like(TWELVE)) is None


def test_12_bit_data_times_16_are_on_another_scale_than_12_bit_data(tmp_path):
    in_sixteen = png(tmp_path, "twelve.png", TWELVE)
    times_16 = png(tmp_path, "times16.png", TWELVE * 16)
    assert scale_mismatch(times_16, in_sixteen) == (
        "its values are on another scale than the reference's (12-bit stored values in 16 "
        "bits, MONOCHROME2 against 16-bit stored values, MONOCHROME2); they are compared as "
        "they are"
    )


def test_floating_point_images_of_0_to_1_and_of_counts_are_on_other_scales():
    float32 = StoredMapping(bits_stored=32, is_float=True)
    unit = XrayImage((TWELVE / 4095.0).astype(np.float32), float32, Window(0.5, 1.0))
    counts = XrayImage(TWELVE.astype(np.float32) * 16, float32, Window(2048, 4096))
    warning = scale_mismatch(unit, counts)
    assert warning is not None and "\n" not in warning
    assert "(1st-99th percentiles " in warning and "65520 times as wide" in warning
    noisy = XrayImage(
        (TWELVE / 4095.0 + np.random.default_rng(0).normal(0, 0.01, TWELVE.shape)).astype(
            np.float32
        ),
        float32,
        Window(0.5, 1.0),
    )
    assert scale_mismatch(unit, noisy) is None  # a noisier copy spreads its values alike
