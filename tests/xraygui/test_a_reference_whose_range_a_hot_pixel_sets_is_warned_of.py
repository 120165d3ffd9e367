"""The app warns where a hot pixel sets the reference's data range, and not of scales it shares.

One saturated pixel in a reference of 12-bit data measured PSNR and SSIM against 65535 (66.79
dB, not 42.71) with no word in the status bar or the report; a reference whose maximum was
4100 for an image clipped at 4095 was said to be "on another scale".
"""

import numpy as np
import pytest
import tifffile

from core.io import read_image
from xraygui.analysis import comparisons

pytestmark = pytest.mark.gui

HOT = (
    "its range of values, 0 to 65535 in 16 bits, rests on 1 of its 16384 pixels (those "
    "needing the 16th bit): if they are outliers, the data range is off by a factor of 16"
)


@pytest.fixture
def hot_pair(tmp_path):
    rng = np.random.default_rng(0)
    reference = np.round(rng.normal(2000, 40, (128, 128))).astype(np.uint16)
    test = (reference + np.round(rng.normal(0, 30, reference.shape))).astype(np.uint16)
    reference[5, 5] = test[5, 5] = 65535
    paths = tmp_path / "ref_hot.tif", tmp_path / "test_hot.tif"
    tifffile.imwrite(paths[0], reference)
    tifffile.imwrite(paths[1], test)
    return paths


def test_choosing_the_reference_warns_in_the_status_bar(window, settle, hot_pair):
    reference, test = hot_pair
    window.open_file(test)
    settle(window)
    assert window.set_reference(reference)
    assert window.statusBar().currentMessage() == f"Warning: ref_hot.tif: {HOT}"


def test_the_report_gives_the_warning_in_its_json_csv_and_pdf(qapp, hot_pair, written_report):
    reference, test = (read_image(path) for path in hot_pair)
    rows = comparisons(reference, test, None)
    assert [row.data_range_warning for row in rows] == [HOT]
    js, csv_rows, pdf = written_report(source=test, image=test, reference=reference, rows=rows)
    assert js["metrics"][0]["data_range_warning"] == HOT
    assert csv_rows[0]["data_range_warning"] == HOT
    assert f"Warning about the reference: {HOT}." in pdf


def test_a_clean_reference_gets_no_warning(qapp, hot_pair, written_report):
    reference, test = (read_image(path) for path in hot_pair)
    pixels = reference.pixels.copy()
    pixels[5, 5] = 2000.0
    clean = reference.with_pixels(pixels)
    test = test.with_pixels(pixels + 1)  # a hot pixel in the test is warned of too
    rows = comparisons(clean, test, None)
    assert [row.data_range_warning for row in rows] == [None]
    js, csv_rows, pdf = written_report(source=test, image=test, reference=clean, rows=rows)
    assert js["metrics"][0]["data_range_warning"] is None
    assert csv_rows[0]["data_range_warning"] == ""
    assert "Warning about the reference" not in pdf


def test_a_reference_whose_maximum_is_4100_is_on_the_images_scale(window, settle, tmp_path):
    rng = np.random.default_rng(0)
    stored = np.clip(np.round(rng.normal(3000, 300, (64, 64))), 0, None)
    stored[0, :3] = [4100, 4098, 4096]
    tifffile.imwrite(tmp_path / "ref.tif", stored.astype(np.uint16))
    tifffile.imwrite(tmp_path / "test.tif", np.minimum(stored, 4095).astype(np.uint16))
    window.open_file(tmp_path / "test.tif")
    settle(window)
    assert window.set_reference(tmp_path / "ref.tif")
    assert "another scale" not in window.statusBar().currentMessage()
