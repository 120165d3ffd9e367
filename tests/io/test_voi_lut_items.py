"""Every VOI LUT Sequence item is kept beside the file's windows (PS3.3 C.11.2)."""

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.pixels import apply_voi_lut

from core.display import to_display
from core.image import VoiLut, Window
from core.io import read_image

SQRT = np.rint(65535 * np.sqrt(np.arange(4096) / 4095)).astype(np.uint16)
"""A 12-bit-input, 16-bit-output table that brightens the dark values."""
STEEP = np.clip(np.arange(4096) * 32 - 32000, 0, 65535).astype(np.uint16)
"""A table that is black up to 1000 and white from about 3048: a LINEAR window."""


def _item(table: np.ndarray, explanation: str | None, first: int = 0) -> Dataset:
    item = Dataset()
    item.add_new(0x00283002, "US", [table.size, first, 16])  # LUTDescriptor
    item.add_new(0x00283006, "OW", table.astype("<u2").tobytes())  # LUTData
    if explanation is not None:
        item.LUTExplanation = explanation
    return item


@pytest.fixture
def stored() -> np.ndarray:
    rows, cols = np.mgrid[0:32, 0:48]
    return (500 + 60 * cols + 3 * rows).astype(np.uint16)  # 500..3413


def test_a_file_with_windows_keeps_every_voi_lut_and_shows_its_first_window(write_dx, stored):
    path = write_dx(
        stored,
        WindowCenter=2000,
        WindowWidth=3000,
        VOILUTSequence=[_item(SQRT, "NORMAL"), _item(STEEP, "HARD")],
    )
    image = read_image(path)
    assert image.file_windows == (Window(2000.0, 3000.0),)
    assert [lut.explanation for lut in image.file_voi_luts] == ["NORMAL", "HARD"]
    assert image.default_view == image.window == image.file_windows[0]  # as before
    assert image.voi_lut is None
    np.testing.assert_array_equal(to_display(image), to_display(image, image.window))
    ds = pydicom.dcmread(path)
    for index, lut in enumerate(image.file_voi_luts):
        expected = apply_voi_lut(ds.pixel_array, ds, index=index) / 65535
        np.testing.assert_allclose(to_display(image, lut), expected, atol=1e-6)


def test_without_windows_the_first_voi_lut_is_shown_and_the_others_are_kept(write_dx, stored):
    path = write_dx(stored, VOILUTSequence=[_item(SQRT, "NORMAL"), _item(STEEP, None, first=5)])
    image = read_image(path)
    first, second = image.file_voi_luts
    assert image.default_view is first and first.explanation == "NORMAL"
    assert (second.first, second.bits, second.explanation) == (5, 16, "")
    np.testing.assert_array_equal(to_display(image), to_display(image, first))
    ds = pydicom.dcmread(path)
    np.testing.assert_allclose(to_display(image), apply_voi_lut(ds.pixel_array, ds) / 65535)


def test_voi_luts_are_equal_by_their_table_not_their_explanation():
    assert VoiLut(SQRT, 0, 16, "A") == VoiLut(SQRT.copy(), 0, 16, "B")
    assert VoiLut(SQRT, 0, 16) != VoiLut(SQRT, 1, 16)
    assert VoiLut(SQRT, 0, 16) != VoiLut(STEEP, 0, 16)
    assert VoiLut(SQRT, 0, 16) != Window(2048.0, 4096.0)


def test_the_linear_window_of_a_linear_table_shows_the_same_picture(write_dx, stored):
    image = read_image(write_dx(stored, VOILUTSequence=[_item(STEEP, "HARD")]))
    lut = image.default_view
    window = lut.linear_window()
    assert window.function == "LINEAR"
    shown, approximated = to_display(image), to_display(image, window)
    assert np.abs(shown - approximated).max() < 2e-3


def test_the_linear_window_fits_the_table_over_the_values_given(write_dx):
    dark = np.linspace(100, 1000, 32 * 48).reshape(32, 48).astype(np.uint16)
    image = read_image(write_dx(dark, VOILUTSequence=[_item(SQRT, "NORMAL")]))
    lut = image.default_view
    shown = to_display(image)
    whole = np.abs(shown - to_display(image, lut.linear_window())).max()
    fitted = np.abs(shown - to_display(image, lut.linear_window(100, 1000))).max()
    assert fitted < 0.05 < 0.1 < whole


def test_an_inverting_table_is_approximated_by_its_input_range():
    window = VoiLut(SQRT[::-1].copy(), 100, 16).linear_window(500, 3500)
    assert window == Window(center=2148.0, width=4096.0, function="LINEAR")
    # LINEAR: black up to c - 0.5 - (w - 1)/2 = first, white from c - 0.5 + (w - 1)/2 = last
    assert (window.low, window.high - 1) == (100.0, 4195.0)
